#!/usr/bin/env bash
# Proves that an image tar built by Jib (docker/target/jib-image.tar) runs, without Docker:
# unpacks its layers into a temporary root file system, then chroots into it, as the image's
# user, with the image's environment, and runs the image's own entrypoint:
#
#   1. `java -version`, with `java` found through the image's PATH
#   2. every classpath entry the entrypoint names (through @/app/jib-classpath-file) exists
#   3. the entrypoint with `--dry-run`: the JVM starts and loads and links the main class
#   4. the health check class (org.jifen.docker.HealthCheck) runs and reports a closed port
#   5. unless --quick: the entrypoint itself, pointed at a PostgreSQL and a Redis that are not
#      there (Flyway off, demo off), until /actuator/health/liveness answers 200 and the health
#      check reports the readiness probe DOWN; then SIGTERM
#
# Usage: check-image.sh [--quick] IMAGE_TAR
# Needs root (chroot, mknod, mount -t proc), tar, python3 and coreutils. Exits non-zero when
# a check fails. Everything is made under a fresh mktemp directory, unmounted and removed on
# exit, whatever the outcome.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
}

fail() {
  echo "check-image: FAILED: $*" >&2
  exit 1
}

step() {
  echo
  echo "check-image: == $*"
}

quick=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1; shift ;;
    -h | --help) usage ;;
    --) shift; break ;;
    -*) echo "check-image: unknown option $1" >&2; usage ;;
    *) break ;;
  esac
done
[[ $# == 1 ]] || usage
[[ -f $1 ]] || fail "no image tar at $1"
image_tar=$(readlink -f -- "$1")
[[ $(id -u) == 0 ]] || fail "must run as root (it uses chroot, mknod and mount)"
for tool in tar python3 chroot mount umount mknod; do
  command -v "$tool" >/dev/null || fail "$tool not found"
done
chroot_bin=$(command -v chroot)

work=$(mktemp -d "${TMPDIR:-/tmp}/check-image.XXXXXX")
rootfs=$work/rootfs
mounts=()
app_pid=

cleanup() {
  local status=$? i
  trap - EXIT INT TERM
  if [[ -n $app_pid ]] && kill -0 "$app_pid" 2>/dev/null; then
    kill -KILL "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
  fi
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}" 2>/dev/null || true
  done
  # Never delete through a mount that is still there (a bound /dev would take the host's with it).
  if grep -qF " $work/" /proc/self/mounts; then
    echo "check-image: $work still has mounts; not removing it" >&2
    status=1
  else
    rm -rf --one-file-system -- "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "unpacking $image_tar"
mkdir -p -- "$work/image" "$rootfs"
tar -xf "$image_tar" -C "$work/image" --warning=no-unknown-keyword

# Reads the image (the `docker save` layout Jib writes, or an OCI layout), applies its layers in
# order onto the root file system, whiteouts included, and writes what the checks need.
python3 - "$work/image" "$rootfs" "$work" <<'PYTHON'
import json, os, shutil, subprocess, sys, tarfile

image, rootfs, work = sys.argv[1:4]

def load(*parts):
    with open(os.path.join(image, *parts), encoding="utf-8") as f:
        return json.load(f)

def blob(digest):
    algorithm, value = digest.split(":", 1)
    return os.path.join(image, "blobs", algorithm, value)

if os.path.exists(os.path.join(image, "manifest.json")):
    manifest = load("manifest.json")
    if len(manifest) != 1:
        sys.exit(f"check-image: the tar holds {len(manifest)} images; expected 1")
    manifest = manifest[0]
    tags = manifest.get("RepoTags") or []
    config = load(manifest["Config"])
    layers = [os.path.join(image, layer) for layer in manifest["Layers"]]
elif os.path.exists(os.path.join(image, "index.json")):
    index = load("index.json")
    descriptor = index["manifests"][0]
    with open(blob(descriptor["digest"]), encoding="utf-8") as f:
        manifest = json.load(f)
    tags = [descriptor.get("annotations", {}).get("org.opencontainers.image.ref.name", "")]
    with open(blob(manifest["config"]["digest"]), encoding="utf-8") as f:
        config = json.load(f)
    layers = [blob(layer["digest"]) for layer in manifest["layers"]]
else:
    sys.exit("check-image: neither manifest.json nor index.json in the tar: not an image")

if config.get("os") != "linux":
    sys.exit(f"check-image: image os is {config.get('os')!r}, not linux")
machine = os.uname().machine
architectures = {"x86_64": "amd64", "aarch64": "arm64"}
if config.get("architecture") != architectures.get(machine, machine):
    sys.exit(f"check-image: image architecture {config.get('architecture')!r} cannot run on this {machine}")

def inside(path):
    full = os.path.normpath(os.path.join(rootfs, path.lstrip("/")))
    if full != rootfs and not full.startswith(rootfs + os.sep):
        sys.exit(f"check-image: layer entry {path!r} points outside the root file system")
    return full

def remove(path):
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)

for number, layer in enumerate(layers, 1):
    with tarfile.open(layer, "r:*") as archive:
        names = archive.getnames()
    for name in names:
        directory, base = os.path.split(name)
        if base == ".wh..wh..opq":
            target = inside(directory)
            if os.path.isdir(target):
                for entry in os.listdir(target):
                    remove(os.path.join(target, entry))
        elif base.startswith(".wh."):
            remove(inside(os.path.join(directory, base[len(".wh."):])))
    subprocess.run(["tar", "-xf", layer, "-C", rootfs, "--numeric-owner", "--same-permissions", "--warning=no-unknown-keyword",
                    "--exclude=.wh.*"], check=True)
    print(f"  layer {number}/{len(layers)}: {len(names)} entries  {os.path.basename(layer)[:19]}")

settings = config.get("config") or {}
entrypoint = settings.get("Entrypoint") or []
command = settings.get("Cmd") or []
argv = entrypoint + command
if not argv:
    sys.exit("check-image: the image has neither an entrypoint nor a command")

def write(name, values):
    with open(os.path.join(work, name), "wb") as f:
        f.write(b"".join(value.encode() + b"\0" for value in values))

write("env", settings.get("Env") or [])
write("entrypoint", entrypoint)
write("cmd", command)
write("user", [settings.get("User") or ""])
write("workdir", [settings.get("WorkingDir") or ""])
print(f"  tags:        {', '.join(tags)}")
print(f"  entrypoint:  {json.dumps(entrypoint)}")
print(f"  cmd:         {json.dumps(command)}")
print(f"  env:         {json.dumps(settings.get('Env') or [])}")
print(f"  user:        {settings.get('User') or '(root)'}")
print(f"  ports:       {', '.join(settings.get('ExposedPorts') or {}) or '(none)'}")
PYTHON

image_env=() entrypoint=() cmd=() user_value=() workdir_value=()
read_nul() {
  local -n into=$1
  into=()
  local value
  while IFS= read -r -d '' value; do
    into+=("$value")
  done <"$work/$2"
}
read_nul image_env env
read_nul entrypoint entrypoint
read_nul cmd cmd
read_nul user_value user
read_nul workdir_value workdir
user=${user_value[0]-}
workdir=${workdir_value[0]-}
[[ ${#entrypoint[@]} -gt 0 ]] || fail "the image has no entrypoint"
if [[ -n $workdir && $workdir != / ]]; then
  echo "check-image: note: the image's working directory $workdir is not applied (the checks run in /)"
fi
echo "check-image: root file system: $(du -sh "$rootfs" | cut -f1)"

# What a container runtime provides and an image does not: /proc (the loader resolves $ORIGIN,
# which the java launcher's RPATH uses, through /proc/self/exe), a few devices, /etc/hosts.
step "preparing the container's /proc, /dev and /etc/hosts"
mkdir -p -- "$rootfs/proc" "$rootfs/dev" "$rootfs/etc"
mount -t proc proc "$rootfs/proc" || fail "cannot mount /proc in the root file system"
mounts+=("$rootfs/proc")
for device in null:1:3 zero:1:5 random:1:8 urandom:1:9; do
  IFS=: read -r name major minor <<<"$device"
  rm -f -- "$rootfs/dev/$name"
  # A node on a nodev file system cannot be opened: bind the host's device instead.
  if ! { mknod -m 666 "$rootfs/dev/$name" c "$major" "$minor" && : <"$rootfs/dev/$name"; } 2>/dev/null; then
    rm -f -- "$rootfs/dev/$name"
    touch "$rootfs/dev/$name"
    mount --bind "/dev/$name" "$rootfs/dev/$name" || fail "cannot make /dev/$name"
    mounts+=("$rootfs/dev/$name")
  fi
done
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\tcheck-image\n' >"$rootfs/etc/hosts"
echo check-image >"$rootfs/etc/hostname"
cp -L /etc/resolv.conf "$rootfs/etc/resolv.conf" 2>/dev/null || : >"$rootfs/etc/resolv.conf"

userspec=${user:-0:0}
[[ $userspec == *:* ]] || userspec="$userspec:$userspec"

# Runs a command in the image as a container would: its environment only, its user, its root.
in_image() {
  env -i "${image_env[@]}" HOSTNAME=check-image "${extra_env[@]}" "$chroot_bin" --userspec="$userspec" "$rootfs" "$@"
}
extra_env=()

java_command=${entrypoint[0]}
step "1. $java_command -version (as user $userspec)"
in_image "$java_command" -version || fail "$java_command -version did not run in the image"

step "2. the entrypoint's classpath"
classpath=
for ((i = 1; i < ${#entrypoint[@]}; i++)); do
  case ${entrypoint[i]} in
    -cp | -classpath | --class-path) classpath=${entrypoint[i + 1]-} ;;
  esac
done
[[ -n $classpath ]] || fail "the entrypoint names no classpath (-cp)"
if [[ $classpath == @* ]]; then
  argfile=${classpath#@}
  [[ -f $rootfs$argfile ]] || fail "the entrypoint's classpath file $argfile is not in the image"
  classpath=$(<"$rootfs$argfile")
  echo "  from $argfile"
fi
entries=0
IFS=: read -r -a classpath_entries <<<"$classpath"
for entry in "${classpath_entries[@]}"; do
  [[ -n $entry ]] || continue
  if [[ $entry == */\* ]]; then
    [[ -d $rootfs${entry%/\*} ]] || fail "classpath directory ${entry%/\*} is missing"
  else
    [[ -e $rootfs$entry ]] || fail "classpath entry $entry is missing"
  fi
  entries=$((entries + 1))
done
echo "  $entries entries, all present; $(find "$rootfs/app/libs" -name '*.jar' 2>/dev/null | wc -l) jars in /app/libs"

step "3. the entrypoint with --dry-run: start the JVM, load and link the main class"
main_class=${entrypoint[${#entrypoint[@]} - 1]}
in_image "$java_command" --dry-run "${entrypoint[@]:1}" || fail "the JVM could not load $main_class"
echo "  $main_class loads"

health_check=(java -cp /app/classes org.jifen.docker.HealthCheck)
if [[ -f $rootfs/app/classes/org/jifen/docker/HealthCheck.class ]]; then
  step "4. the health check against a closed port (must fail)"
  if in_image "${health_check[@]}" http://127.0.0.1:1/actuator/health/readiness; then
    fail "the health check passed against a closed port"
  fi
  echo "  it fails, as it should"
else
  fail "the health check class /app/classes/org/jifen/docker/HealthCheck.class is not in the image"
fi

if [[ $quick == 1 ]]; then
  echo
  echo "check-image: OK (quick: the application was not started)"
  exit 0
fi

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
step "5. the entrypoint itself, on port $port, with no database or Redis to reach"
extra_env=(
  PORT="$port"
  SPRING_R2DBC_URL=r2dbc:postgresql://127.0.0.1:1/jifen
  SPRING_R2DBC_USERNAME=jifen
  SPRING_R2DBC_PASSWORD=unused
  SPRING_FLYWAY_ENABLED=false
  SPRING_DATA_REDIS_HOST=127.0.0.1
  SPRING_DATA_REDIS_PORT=1
  JIFEN_DEMO_ENABLED=false
  JIFEN_EMBEDDED_ENABLED=false
  # Throw-away keys, generated by the application inside the unpacked image's /tmp.
  JIFEN_IDENTITY_JWT_KEY_FILE=/tmp/check-image/jwt-signing-key.pem
  JIFEN_PRIVACY_KEY_FILE=/tmp/check-image/personal-data.keys
)
log=$work/app.log
# Not through in_image: a function in the background is a subshell, and $! must be the JVM.
env -i "${image_env[@]}" HOSTNAME=check-image "${extra_env[@]}" \
  "$chroot_bin" --userspec="$userspec" "$rootfs" "${entrypoint[@]}" "${cmd[@]}" >"$log" 2>&1 &
app_pid=$!
deadline=$((SECONDS + ${CHECK_IMAGE_TIMEOUT:-180}))
live=0
while ((SECONDS < deadline)); do
  if ! kill -0 "$app_pid" 2>/dev/null; then
    tail -n 60 "$log" >&2
    fail "the application exited before it answered (log above)"
  fi
  if python3 - "$port" <<'PYTHON'; then
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/actuator/health/liveness", timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PYTHON
    live=1
    break
  fi
  sleep 1
done
if [[ $live != 1 ]]; then
  tail -n 60 "$log" >&2
  fail "no answer from /actuator/health/liveness within ${CHECK_IMAGE_TIMEOUT:-180}s (log above)"
fi
grep -E 'Started [A-Za-z]+ in|Netty started on port' "$log" | sed 's/^/  /' || true
echo "  /actuator/health/liveness answers 200"
if in_image "${health_check[@]}" >/dev/null 2>"$work/health.err"; then
  fail "the health check passed, but readiness cannot be UP without PostgreSQL and Redis"
fi
sed 's/^/  /' "$work/health.err"
echo "  the health check reports readiness DOWN without PostgreSQL and Redis, as it should"
if grep -qiE 'unable to load the library|UnsatisfiedLinkError|Could not find or load main class' "$log"; then
  grep -iE 'unable to load the library|UnsatisfiedLinkError|Could not find or load main class' "$log" | sed 's/^/  /' >&2
  fail "the application logged a native or class loading problem (above)"
fi

if grep -qE '^WARNING:| WARN ' "$log"; then
  echo "  the application's warnings:"
  grep -E '^WARNING:| WARN ' "$log" | cut -c1-300 | sed -n '1,20s/^/    /p'
fi

kill -TERM "$app_pid"
for _ in $(seq 1 30); do
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 1
done
if kill -0 "$app_pid" 2>/dev/null; then
  fail "the application did not stop within 30s of SIGTERM"
fi
wait "$app_pid" 2>/dev/null || true
app_pid=
echo "  stopped on SIGTERM"

echo
echo "check-image: OK"
