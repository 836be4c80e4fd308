#!/usr/bin/env bash
# Sets everything up on a fresh machine and runs berth's main job on the examples:
# installs the npm dependencies, builds berth, makes sure a Docker engine runs (installing and
# starting Debian's docker.io as root when none does) with the offline busybox image, then
# validates, plans and applies examples/basic as server "demo", and applies once more to show
# that a converged server plans nothing. Then it runs `berth agent` on the same folder for a
# moment: removes a container by hand, shows the agent putting it back, prints `berth status`
# and stops the agent with SIGTERM (the containers keep running).
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

step "berth agent on $SPECS (a container removed by hand comes back)"
LISTEN=127.0.0.1:19469
# GET with node's fetch (curl may not be installed); exit 0 only on a 2xx answer.
http_get() {
  node -e 'fetch(process.argv[1]).then(async (r) => {
    process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 1) }, () => process.exit(2))' "$1"
}
LOGS=$(mktemp)
node dist/src/cli.js agent --server demo --specs "$SPECS" --listen "$LISTEN" >"$LOGS" 2>&1 &
AGENT=$!
trap 'kill "$AGENT" 2>/dev/null || true' EXIT
ready=
for _ in $(seq 1 100); do
  if http_get "http://$LISTEN/readyz" >/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [ -z "$ready" ]; then
  cat "$LOGS" >&2
  echo "demo: the agent did not become ready" >&2
  exit 1
fi
echo "agent ready on $LISTEN; docker rm -f demo-web"
docker rm -f demo-web >/dev/null
for _ in $(seq 1 50); do
  [ "$(docker inspect -f '{{.State.Running}}' demo-web 2>/dev/null)" = true ] && break
  sleep 0.2
done
docker inspect -f 'demo-web is back: {{.State.Status}} since {{.State.StartedAt}}' demo-web
sleep 1
berth status --listen "$LISTEN"
http_get "http://$LISTEN/metrics" | grep '^berth_drift_corrections_total' | grep -v ' 0$' || true
kill -TERM "$AGENT"
wait "$AGENT" && echo "agent stopped with exit code 0 (SIGTERM); its containers keep running"
trap - EXIT
rm -f "$LOGS"

step "what runs now"
docker ps --filter label=berth.server=demo --format 'table {{.Names}}\t{{.Status}}\t{{.Ports}}'
printf '\nTry: curl -s http://127.0.0.1:18080/   (served by demo-web)\n'
printf 'Clean up: docker rm -f demo-web demo-db && docker network rm demo-prod demo-staging && docker volume rm demo-db_data\n'
