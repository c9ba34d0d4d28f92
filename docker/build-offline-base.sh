#!/usr/bin/env bash
# Builds the file tree that the `offline-base` Maven profile layers on top of the empty
# `scratch` base image, so that Jib never has to pull a base image from a registry:
#
#   /opt/java/openjdk/...   a Java runtime made with jlink from the JDK given as $1
#   /lib64/ld-linux-*.so.2  the host's dynamic loader, and every shared library the
#   /lib/..., /usr/lib/...  runtime links against (found with ldd), at the same paths
#   /etc/passwd, /etc/group root and the unprivileged `jifen` user (uid/gid 1000)
#   /etc/nsswitch.conf      hosts from /etc/hosts, then DNS
#   /usr/lib/locale/C.utf8  the host's C.UTF-8 locale, so the JVM's native encoding is UTF-8
#   /tmp, /home/jifen       writable directories (Jib makes them mode 777)
#
# The runtime lives where the eclipse-temurin images keep theirs, so the image's PATH and
# JAVA_HOME are the same whichever base is used.
#
# Usage: build-offline-base.sh JDK_HOME OUTPUT_DIR MODULES MIN_JAVA [EXTRA_LIBS]
#   JDK_HOME    the JDK whose jlink makes the runtime (the image gets that Java version)
#   OUTPUT_DIR  recreated from scratch; the tree goes in OUTPUT_DIR/rootfs
#   MODULES     comma-separated modules for jlink --add-modules; a module ending in `?` is
#               added only when the JDK has it (jdk.crypto.ec: merged into java.base since 22)
#   MIN_JAVA    the oldest Java that runs the application (its release, e.g. 21)
#   EXTRA_LIBS  space-separated sonames that are loaded with dlopen, so ldd cannot see them
#               (libgcc_s.so.1: glibc loads it to unwind a cancelled or exiting thread)
#
# Works on Linux with glibc only: the libraries are copied from the building machine, so
# the image is for that machine's architecture.
set -euo pipefail

if [[ $# -lt 4 ]]; then
  echo "usage: $0 JDK_HOME OUTPUT_DIR MODULES MIN_JAVA [EXTRA_LIBS]" >&2
  exit 2
fi
jdk_home=$1
output=$2
modules=$3
min_java=${4%%.*}
extra_libs=${5-libgcc_s.so.1}
rootfs=$output/rootfs
java_dir=/opt/java/openjdk

fail() {
  echo "build-offline-base: $*" >&2
  exit 1
}

[[ $(uname -s) == Linux ]] || fail "the offline base copies the host's Linux libraries; this host runs $(uname -s)"
command -v ldd >/dev/null || fail "ldd not found (the offline base needs a glibc host)"
ldd_version=$(ldd --version 2>&1 || true)
[[ ${ldd_version,,} == *glibc* || ${ldd_version,,} == *'gnu libc'* ]] || fail "ldd is not glibc's; the offline base needs a glibc host"
[[ -x $jdk_home/bin/jlink ]] || fail "no jlink in $jdk_home (set -Djifen.jlink.jdk to a JDK home)"
jdk_major=$("$jdk_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1)
[[ ${jdk_major:-0} -ge $min_java ]] ||
  fail "$jdk_home is Java $jdk_major; the application needs $min_java or newer (run Maven on a newer JDK, or set -Djifen.jlink.jdk)"

case $output in
  */target/*) ;;
  *) fail "refusing to recreate $output: it is not under a target directory" ;;
esac
rm -rf -- "$output"
mkdir -p -- "$rootfs"

available=" $("$jdk_home/bin/java" --list-modules | sed 's/@.*//' | tr '\n' ' ') "
wanted=
IFS=, read -r -a requested <<<"$modules"
for module in "${requested[@]}"; do
  if [[ $module == *'?' ]]; then
    module=${module%'?'}
    [[ $available == *" $module "* ]] || continue
  fi
  wanted=${wanted:+$wanted,}$module
done

echo "build-offline-base: jlink from $jdk_home ($("$jdk_home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.runtime.version = //p'); the application needs Java $min_java or newer)"
mkdir -p -- "$rootfs/opt/java"
"$jdk_home/bin/jlink" \
  --add-modules "$wanted" \
  --include-locales=en,zh \
  --strip-debug \
  --no-header-files \
  --no-man-pages \
  --generate-cds-archive \
  --output "$rootfs$java_dir"

# Copies a library to the same path inside the image, following symbolic links (Jib would
# not keep them), so that the loader finds it where it found it on this machine.
copy_library() {
  local path=$1
  [[ -e $rootfs$path ]] && return 0
  mkdir -p -- "$(dirname -- "$rootfs$path")"
  cp -L -- "$path" "$rootfs$path"
}

is_elf() {
  [[ $(head -c 4 -- "$1" | od -An -c | tr -d ' ') == '177ELF' ]]
}

# Libraries the JVM only opens for a desktop (X11, sound): a headless server never loads them,
# so they bring none of their dependencies (libX11, libasound, ...) into the image.
optional_libs='libawt_xawt.so libjawt.so libsplashscreen.so libjsound.so'
# The runtime's own libraries find each other at run time (libjvm.so is loaded by the
# launcher before the rest); let ldd find them the same way.
runtime_path=$rootfs$java_dir/lib:$rootfs$java_dir/lib/server

loader=
missing=0
while IFS= read -r -d '' file; do
  is_elf "$file" || continue
  name=$(basename -- "$file")
  if [[ " $optional_libs " == *" $name "* ]]; then
    echo "build-offline-base: not following the dependencies of $name (desktop only)"
    continue
  fi
  while IFS= read -r line; do
    line=${line#"${line%%[![:space:]]*}"}
    case $line in
      *'=> not found'*)
        echo "build-offline-base: $name needs ${line%% =>*}, which this machine does not have" >&2
        missing=1
        ;;
      *'=> /'*)
        lib=${line#*=> }
        lib=${lib%% (*}
        [[ $lib == "$rootfs"/* ]] || copy_library "$lib"
        ;;
      /*)
        # The dynamic loader: ldd prints the path that is written into the binaries.
        lib=${line%% (*}
        loader=$lib
        copy_library "$lib"
        ;;
    esac
  done < <(LD_LIBRARY_PATH=$runtime_path ldd "$file" 2>/dev/null || true)
done < <(find "$rootfs$java_dir" -type f \( -path '*/bin/*' -o -name '*.so' -o -name jspawnhelper -o -name jexec \) -print0)
[[ $missing == 0 ]] || fail "shared libraries are missing, see above"
[[ -n $loader ]] || fail "ldd named no dynamic loader for $rootfs$java_dir/bin/java"

# Libraries opened with dlopen: look them up in the loader's cache, like the loader would.
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
# awk reads to the end rather than exiting at the first match: ldconfig still writing into a
# closed pipe dies of SIGPIPE, and with pipefail that failed the build now and then (exit 141).
for soname in $extra_libs; do
  path=$("$ldconfig" -p 2>/dev/null | awk -v name="$soname" '!found && $1 == name && /x86-64|AArch64|aarch64|64bit/ { print $NF; found = 1 }')
  if [[ -z $path ]]; then
    path=$("$ldconfig" -p 2>/dev/null | awk -v name="$soname" '!found && $1 == name { print $NF; found = 1 }')
  fi
  [[ -n $path ]] || fail "$soname not found on this machine (ldconfig -p)"
  copy_library "$path"
done

# The C.UTF-8 locale (LANG in the image): without it the JVM falls back to ASCII for file
# names and for what it writes to stdout, so Chinese log lines would turn into '?'.
locale_dir=
for candidate in /usr/lib/locale/C.utf8 /usr/lib/locale/C.UTF-8; do
  if [[ -d $candidate ]]; then
    locale_dir=$candidate
    break
  fi
done
if [[ -n $locale_dir ]]; then
  mkdir -p -- "$(dirname -- "$rootfs$locale_dir")"
  cp -RL -- "$locale_dir" "$rootfs$locale_dir"
else
  echo "build-offline-base: WARNING: no C.UTF-8 locale on this machine; the image's JVM will use ASCII for stdout" >&2
fi

mkdir -p -- "$rootfs/etc" "$rootfs/tmp" "$rootfs/home/jifen"
cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/sbin/nologin
jifen:x:1000:1000:jifen:/home/jifen:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
jifen:x:1000:
nogroup:x:65534:
EOF
cat >"$rootfs/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF
# Jib leaves out empty directories.
touch "$rootfs/tmp/.keep" "$rootfs/home/jifen/.keep"

# The runtime must start on this machine, or it will not start in the image either.
"$rootfs$java_dir/bin/java" -version

echo "build-offline-base: loader $loader; libraries:"
(cd "$rootfs" && find . -path "./opt" -prune -o -type f -name '*.so*' -print | sort | sed 's/^\./  /')
echo "build-offline-base: $(du -sh "$rootfs" | cut -f1) in $rootfs"
