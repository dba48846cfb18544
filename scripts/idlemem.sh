#!/usr/bin/env bash
# Resident memory at idle (docs/performance.md section 4): builds hearme,
# starts it on a fresh data directory (first start: migrations, demo
# data), waits for /healthz, then IDLE seconds (default 30) with no
# request, and prints VmRSS/RssAnon/RssFile from /proc/PID/status; then
# stops it, starts it again on the same directory (existing database) and
# reads again. Loopback only; every wait is bounded.
#
#   scripts/idlemem.sh [IDLE]
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # the release hearme is built with (go.mod's toolchain line)

IDLE=${1:-30}
OUT=${OUT:-/tmp/hearme-perf}
mkdir -p "$OUT"
BIN=${BIN:-$OUT/hearme-idle}
DATA=$(mktemp -d "$OUT/idle-data.XXXXXX")
trap 'rm -rf "$DATA"' EXIT

echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has changes)'); $(go version); load: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -n "${NOBUILD:-}" ] || go build -o "$BIN" ./cmd/hearme

measure() {
  local label=$1
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" serve --data "$DATA" --addr "127.0.0.1:$port" >"$OUT/idle-$label.log" 2>&1 &
  local pid=$!
  local ok=
  for _ in $(seq 1 3000); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then ok=1; break; fi
    sleep 0.01
  done
  [ -n "$ok" ] || { kill -TERM "$pid"; echo "$label: never answered /healthz" >&2; exit 1; }
  sleep "$IDLE"
  printf '%-28s %s\n' "$label, idle ${IDLE} s:" "$(grep -E '^(VmRSS|RssAnon|RssFile)' "/proc/$pid/status" | tr -s ' \t' ' ' | paste -sd' ')"
  kill -TERM "$pid"; wait "$pid" || true
}

measure "first start"
measure "existing database"
