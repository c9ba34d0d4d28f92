#!/usr/bin/env bash
# Builds the api image into docker/target/jib-image.tar with no Docker daemon and no registry:
# the `offline-base` profile puts a jlinked runtime on `scratch` (see build-offline-base.sh).
# Needs Linux with glibc and a JDK 21 or newer, whose version becomes the image's Java: JAVA_HOME
# when it is one, otherwise the newest in /usr/lib/jvm.
#
# Extra arguments go to Maven, e.g. `-Djifen.image.name=registry.example/jifen-api:1.0`.
# As root it then runs check-image.sh on the tar; set JIFEN_CHECK_IMAGE=0 to skip that,
# or =1 to demand it.
set -euo pipefail
cd "$(dirname "$0")/.."

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1
}

if [[ -z ${JAVA_HOME:-} || ! -x ${JAVA_HOME:-}/bin/jlink || $(java_major "$JAVA_HOME") -lt 21 ]]; then
  best='' best_major=0
  for candidate in /usr/lib/jvm/*; do
    [[ -x $candidate/bin/jlink ]] || continue
    major=$(java_major "$candidate" || echo 0)
    if [[ ${major:-0} -ge 21 && $major -gt $best_major ]]; then
      best=$candidate best_major=$major
    fi
  done
  [[ -n $best ]] || { echo "build-image: no JDK 21 or newer with jlink (set JAVA_HOME)" >&2; exit 1; }
  [[ -n ${JAVA_HOME:-} ]] && echo "build-image: JAVA_HOME=$JAVA_HOME is not a JDK 21 or newer with jlink"
  export JAVA_HOME=$best
fi
echo "build-image: JDK $JAVA_HOME"

tar=docker/target/jib-image.tar
rm -f -- "$tar"
# Tests are skipped, not compiled: CI has just run them, and the image has none of them.
./mvnw -pl docker -am -Poffline-base -Dmaven.test.skip=true -Djib.disableUpdateChecks=true \
  package jib:buildTar "$@"

[[ -s $tar ]] || { echo "build-image: $tar was not written" >&2; exit 1; }
echo "build-image: $tar ($(du -h "$tar" | cut -f1))"

case ${JIFEN_CHECK_IMAGE:-auto} in
  0) ;;
  1) bash docker/check-image.sh "$tar" ;;
  *)
    if [[ $(id -u) == 0 ]]; then
      bash docker/check-image.sh "$tar"
    else
      echo "build-image: not root, so not running check-image.sh (it needs chroot)"
    fi
    ;;
esac
