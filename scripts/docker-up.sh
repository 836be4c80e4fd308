#!/usr/bin/env bash
# Makes sure a Docker engine answers and the offline test image exists.
#
# On a machine without an engine it installs Debian's docker.io (as root), starts dockerd with the
# address pool that berth's contract names, and waits for its socket. Then it builds the image
# berth's examples and tests run, from Debian's static busybox: no registry is needed.
# Safe to run again: every step is skipped when its result is already there.
set -euo pipefail

IMAGE="${BERTH_TEST_IMAGE:-berth-busybox:latest}"
POOL="base=10.200.0.0/16,size=24"
LOG="${BERTH_DOCKERD_LOG:-/var/log/berth-dockerd.log}"

say() { printf 'docker-up: %s\n' "$*" >&2; }

need_root() {
  if [ "$(id -u)" != 0 ]; then
    say "$1 needs root; run this script as root, or set DOCKER_HOST to a running engine"
    exit 1
  fi
}

# The image is a bare root holding only /bin/busybox: it must be the static build.
static_busybox() { [ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1; }

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  static_busybox || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root "installing ${missing[*]}"
  say "installing ${missing[*]} from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_dockerd() {
  need_root "starting dockerd"
  say "starting dockerd (address pool $POOL, log $LOG)"
  nohup dockerd --default-address-pool "$POOL" >"$LOG" 2>&1 &
  for _ in $(seq 1 60); do
    engine_answers && return 0
    sleep 1
  done
  say "dockerd did not answer within 60 s; its log:"
  tail -n 30 "$LOG" >&2
  exit 1
}

build_image() {
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then return 0; fi
  static_busybox || install_packages
  say "building $IMAGE from /bin/busybox"
  local root
  root=$(mktemp -d)
  mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/data"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $("$root/bin/busybox" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  echo 'nogroup:x:65534:' >>"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - "$IMAGE" >/dev/null
  rm -rf "$root"
}

if ! engine_answers; then
  install_packages
  if [ -n "${DOCKER_HOST:-}" ]; then
    say "DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST"
    exit 1
  fi
  start_dockerd
fi
build_image
say "engine $(docker version --format '{{.Server.Version}}') ready, image $IMAGE present"
