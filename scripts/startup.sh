#!/usr/bin/env bash
# Start-up time with an EXISTING database: wall time from exec to the
# first 200 from /healthz, over N starts (default 20).
#
#   scripts/startup.sh [N]
#
# Builds hearme once, starts it once to create the database (migrations,
# demo programme, keys) and stops it, then runs scripts/startprobe, which
# starts the binary N times on a free loopback port, polls /healthz every
# 0.5 ms and kills it after each run. Loopback only; every wait is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # the release hearme is built with (go.mod's toolchain line)

N=${1:-20}
OUT=${OUT:-/tmp/hearme-perf}
mkdir -p "$OUT"
BIN=$OUT/hearme
DATA=$(mktemp -d "$OUT/startup-data.XXXXXX")
trap 'rm -rf "$DATA"' EXIT

echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has changes)')"
echo "# $(go version); $(nproc) CPUs; $(lscpu | sed -n 's/^Model name: *//p')"
go build -o "$BIN" ./cmd/hearme
go build -o "$OUT/startprobe" ./scripts/startprobe

# First start: creates the database. Wait (at most 10 s) for /healthz.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data "$DATA" --addr "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
ok=
for _ in $(seq 1 1000); do
  if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/healthz" 2>/dev/null; then ok=1; break; fi
  sleep 0.01
done
kill -TERM "$PID"; wait "$PID" || true
[ -n "$ok" ] || { echo "first start never answered /healthz" >&2; exit 1; }
echo "# database created: $(du -sh "$DATA" | cut -f1) in $DATA"
echo

"$OUT/startprobe" -bin "$BIN" -data "$DATA" -n "$N"
