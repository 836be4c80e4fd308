#!/usr/bin/env bash
# Builds the agent's image (deploy/image/Dockerfile) and checks that it runs.
#
#   bash deploy/image/build-local.sh                       # offline: base made from this machine
#   bash deploy/image/build-local.sh --base node:20-bookworm-slim   # a base from a registry
#   options: --tag NAME (default berth-agent:local), --no-check (skip the run checks),
#            --remove (remove the images this script made, and build nothing)
#
# Offline, as on the project's machines where no image registry answers, the base image is made
# here: the machine's own `node`, every library `ldd` lists for it and the dynamic loader, a
# minimal /etc and /tmp, turned into an image with `docker import` (berth-node-base:local).
# The build context is a staging folder holding only what the agent runs (built dist/,
# package.json, package-lock.json, production node_modules), so the image carries no dev
# dependencies and the build itself fetches nothing: node_modules is copied from this checkout
# and pruned with `npm prune --omit=dev --offline`.
#
# It builds with `npm run build` first. It removes only images it made itself (an older build
# under the same tag); it never touches other images, containers, networks or volumes. The run
# checks use --network none: the Docker socket is a mounted file, so they reach nothing else.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
DOCKERFILE="$ROOT/deploy/image/Dockerfile"
TAG=berth-agent:local
LOCAL_BASE=berth-node-base:local
BASE=''
CHECK=1
REMOVE=0
# A server name no test or real agent uses: the run check plans against it, changing nothing.
CHECK_SERVER=berth-image-check

say() { printf 'build-local: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --base) BASE=${2:?--base needs an image name}; shift 2 ;;
    --tag) TAG=${2:?--tag needs an image name}; shift 2 ;;
    --no-check) CHECK=0; shift ;;
    --remove) REMOVE=1; shift ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1'; see --help" ;;
  esac
done

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

# The built agent and its production dependencies, laid out as the Dockerfile expects.
stage_context() {
  local ctx="$WORK/context"
  say "npm run build"
  (cd "$ROOT" && npm run build --silent)
  [ -d "$ROOT/node_modules" ] || die "no node_modules in $ROOT: run npm ci first"

  say "staging the build context (production dependencies only)"
  mkdir -p "$ctx/dist"
  cp "$ROOT/package.json" "$ROOT/package-lock.json" "$ctx/"
  # dist/src is the program, dist/schemas the JSON Schemas it loads; dist/test and
  # dist/bench are not needed to run it.
  cp -a "$ROOT/dist/src" "$ROOT/dist/schemas" "$ctx/dist/"
  cp -a "$ROOT/node_modules" "$ctx/"
  # Offline: prune only removes what the lockfile marks as dev; it downloads nothing.
  (cd "$ctx" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null)
  # prune leaves the folders of scopes it emptied (@jest, @types): drop them too.
  find "$ctx/node_modules" -mindepth 1 -maxdepth 1 -type d -empty -delete
  say "context: $(du -sh "$ctx" | cut -f1) ($(du -sh "$ctx/node_modules" | cut -f1) node_modules)"
}

# Writes a root folder with this machine's node, the libraries it links and a minimal /etc.
make_base_root() {
  local node=$1 root=$2
  install -D -m 0755 "$node" "$root/usr/local/bin/node"
  # ldd prints "libc.so.6 => /lib/.../libc.so.6 (0x...)" and the loader as "/lib64/ld-...".
  # Each is copied, symlinks resolved, to the path ldd shows: the loader's path is the one
  # written into node's ELF header, and the others are in the loader's default search path.
  local lib links
  links=$(ldd "$node" 2>&1) || die "ldd $node failed: $links"
  if grep -q 'not found' <<<"$links"; then die "node needs libraries missing here: $links"; fi
  for lib in $(grep -o '/[^ ]*' <<<"$links"); do
    install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
  done
  mkdir -p "$root/etc" "$root/tmp" "$root/root" "$root/run/berth" "$root/etc/berth"
  chmod 1777 "$root/tmp"
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/sh' >"$root/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$root/etc/group"
  # glibc reads it for name lookups (a git source's host); Docker supplies /etc/hosts and
  # /etc/resolv.conf at run time.
  printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >"$root/etc/nsswitch.conf"
}

# Imports the base unless an image of the same node binary is already there.
make_local_base() {
  local node sum have root
  node=$(readlink -f "$(command -v node)") || die "no node on PATH"
  sum=$(sha256sum "$node" | cut -c1-16)
  have=$(docker image inspect --format '{{index .Config.Labels "berth.base-node"}}' \
    "$LOCAL_BASE" 2>/dev/null || true)
  if [ "$have" = "$sum" ]; then
    say "base $LOCAL_BASE is current (node $(node --version), sha256 $sum...)"
    return 0
  fi

  say "making base $LOCAL_BASE from $node ($(node --version)) and the libraries ldd lists"
  root="$WORK/base-root"
  make_base_root "$node" "$root"
  local old
  old=$(docker image inspect --format '{{.Id}}' "$LOCAL_BASE" 2>/dev/null || true)
  tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "LABEL berth.base-node=$sum" \
    --change 'CMD ["node"]' - "$LOCAL_BASE" >/dev/null
  remove_replaced "$old" "$LOCAL_BASE"
}

# Removes `old`, an image this script built earlier under `tag`, once `tag` names a new one.
# A failure (another image built on it, a container using it) leaves it in place.
remove_replaced() {
  local old=$1 tag=$2 now
  [ -n "$old" ] || return 0
  now=$(docker image inspect --format '{{.Id}}' "$tag")
  [ "$old" = "$now" ] || docker image rm "$old" >/dev/null 2>&1 || true
}

build_image() {
  local base=$1 old
  old=$(docker image inspect --format '{{.Id}}' "$TAG" 2>/dev/null || true)
  say "docker build --build-arg BASE=$base -t $TAG"
  docker build --quiet --build-arg "BASE=$base" -f "$DOCKERFILE" -t "$TAG" "$WORK/context" \
    >/dev/null
  remove_replaced "$old" "$TAG"
  local bytes
  bytes=$(docker image inspect --format '{{.Size}}' "$TAG")
  say "built $TAG from $base: $((bytes / 1000000)) MB"
}

# The image starts, its node runs, and with the Docker socket mounted (and every capability
# dropped, the file system read-only) berth reaches the engine: `plan` lists objects, changes
# nothing, and takes no lock.
check_image() {
  say "check: node --version"
  docker run --rm --network none --entrypoint node "$TAG" --version
  say "check: berth --help"
  docker run --rm --network none "$TAG" --help
  say "check: berth plan examples/basic through the mounted Docker socket"
  docker run --rm --network none --cap-drop ALL --security-opt no-new-privileges \
    --read-only --tmpfs /tmp -v /var/run/docker.sock:/var/run/docker.sock \
    -v "$ROOT/examples/basic:/specs:ro" \
    "$TAG" plan /specs --server "$CHECK_SERVER"
}

# Removes `tag` when this script made it: its label `key` is `want` (any value when `want` is
# empty). An image that a container still uses stays, with Docker's message.
remove_own_image() {
  local tag=$1 key=$2 want=$3 value
  value=$(docker image inspect --format "{{index .Config.Labels \"$key\"}}" "$tag" 2>/dev/null) \
    || { say "$tag: not here"; return 0; }
  if [ -z "$value" ] || { [ -n "$want" ] && [ "$value" != "$want" ]; }; then
    say "$tag: not made by this script (label $key is '$value'), left alone"
    return 0
  fi
  docker image rm "$tag" >/dev/null && say "removed $tag"
}

remove_images() {
  remove_own_image "$TAG" org.opencontainers.image.title 'berth agent'
  remove_own_image "$LOCAL_BASE" berth.base-node ''
}

main() {
  engine_answers || die "no Docker engine answers: run 'bash scripts/docker-up.sh' (as root)"
  if [ "$REMOVE" = 1 ]; then
    remove_images
    return 0
  fi
  stage_context
  if [ -z "$BASE" ]; then
    make_local_base
    BASE=$LOCAL_BASE
  fi
  build_image "$BASE"
  [ "$CHECK" = 1 ] && check_image
  say "done in ${SECONDS}s"
}

main
