#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs berth's main job on the examples:
# installs the npm dependencies, builds berth, makes sure a Docker engine runs (installing and
# starting Debian's docker.io as root when none does) with the offline busybox image, then
# validates, plans and applies examples/basic as server "demo", and applies once more to show
# that a converged server plans nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n== %s\n' "$*"; }

step "npm ci and build"
[ -d node_modules ] || npm ci --no-audit --no-fund
npm run build --silent

step "docker engine and the offline image"
bash scripts/docker-up.sh

berth() { node dist/src/cli.js "$@"; }
SPECS="${1:-examples/basic}"

step "berth validate $SPECS"
berth validate "$SPECS" --server demo

step "berth plan $SPECS"
berth plan "$SPECS" --server demo

step "berth apply $SPECS"
berth apply "$SPECS" --server demo

step "berth apply $SPECS (again: nothing to do)"
berth apply "$SPECS" --server demo

step "what runs now"
docker ps --filter label=berth.server=demo --format 'table {{.Names}}\t{{.Status}}\t{{.Ports}}'
printf '\nTry: curl -s http://127.0.0.1:18080/   (served by demo-web)\n'
printf 'Clean up: docker rm -f demo-web demo-db && docker network rm demo-prod demo-staging\n'
