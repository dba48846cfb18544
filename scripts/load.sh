#!/usr/bin/env bash
# Home page under load on loopback, compared with a bare net/http server
# serving the same bytes (scripts/barehome). Also reads hearme's resident
# memory at idle, before and after the load.
#
#   scripts/load.sh                        # 15 s per run, 32 connections
#   DURATION=30s CONNS=64 scripts/load.sh  # DURATION in seconds
#
# Runs, one after the other, each after a 3 s warm-up:
#   saturation (wrk -t1 -c32, as fast as the server answers):
#     hearme, request log on (JSON lines to stderr, sent to /dev/null)
#     hearme, request log off (--log-level warn)
#     barehome: hearme's home page body and headers, bare net/http
#   fixed rate (scripts/openloop: open loop, latency counted from when
#   each request was due, so queueing is charged), for "p99 at 5,000/s":
#     hearme, request log on, at each rate of RATES (default 5000 4000 3000)
#     barehome at the first rate
# Every request carries a browser-like Accept-Language header (every
# browser sends one); ACCEPT_LANGUAGE= (empty) sends none.
# wrk and the servers share the machine's cores; nothing is pinned. The
# "other" column says how much CPU unrelated processes took during a run.
# Loopback only; every run is bounded by wrk -d and by timeout(1).
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # the release hearme is built with (go.mod's toolchain line)

DURATION=${DURATION:-15s}
CONNS=${CONNS:-32}
THREADS=${THREADS:-1}
WARMUP=${WARMUP:-3s}
RATES=${RATES:-5000 4000 3000}
RATE_CONNS=${RATE_CONNS:-64}
ACCEPT_LANGUAGE=${ACCEPT_LANGUAGE-en-GB,en;q=0.9}
QUIET_WAIT=${QUIET_WAIT:-180}
OUT=${OUT:-/tmp/hearme-perf}
mkdir -p "$OUT"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
HZ=$(getconf CLK_TCK); NCPU=$(nproc)

echo "# commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has changes)')"
echo "# $(go version); $NCPU CPUs; $(lscpu | sed -n 's/^Model name: *//p'); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"
echo "# saturation: wrk -t$THREADS -c$CONNS -d$DURATION --latency${ACCEPT_LANGUAGE:+ -H 'Accept-Language: $ACCEPT_LANGUAGE'}"
echo "# fixed rate: openloop -rate R -d $DURATION -warmup $WARMUP -c $RATE_CONNS${ACCEPT_LANGUAGE:+ -H 'Accept-Language: $ACCEPT_LANGUAGE'}, R in $RATES"
go build -o "$OUT/hearme" ./cmd/hearme
go build -o "$OUT/barehome" ./scripts/barehome
go build -o "$OUT/openloop" ./scripts/openloop

DATA=$(mktemp -d "$OUT/load-data.XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$DATA"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

wait_ok() { # URL: wait at most 10 s for a 200
  for _ in $(seq 1 1000); do
    curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null && return 0
    sleep 0.01
  done
  echo "no answer from $1" >&2; return 1
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# Busy (non-idle) ticks of the whole machine, all CPUs.
sys_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# CPU seconds used by this shell's finished children (so wrk, once it has
# exited). `times` must run in this shell, not in a $(...) subshell.
child_secs() { tail -1 "$OUT/times.txt" | awk '{ t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } print t }'; }

# Other engineers' builds and tests may share this machine: wait (at most
# QUIET_WAIT seconds) until it is under 10% busy over one second.
wait_quiet() {
  local a b pct=100 i
  for ((i = 0; i < QUIET_WAIT; i++)); do
    a=$(sys_ticks); sleep 1; b=$(sys_ticks)
    pct=$(( (b - a) * 100 / (HZ * NCPU) ))
    [ "$pct" -lt 10 ] && break
  done
  echo "# machine ${pct}% busy in the second before this run"
}

# wrk_run NAME URL PID: warm up, measure, add a row to the table.
SAT=(); FIXED=()
wrk_run() {
  local name=$1 url=$2 pid=$3
  local file="$OUT/wrk-${name//[^a-zA-Z0-9-]/_}.txt" args=(-t"$THREADS" -c"$CONNS" --latency)
  [ -n "$ACCEPT_LANGUAGE" ] && args+=(-H "Accept-Language: $ACCEPT_LANGUAGE")
  wait_quiet
  timeout 60 wrk "${args[@]}" -d"$WARMUP" "$url" >/dev/null
  local t0 s0 c0 t1 s1 c1
  times >"$OUT/times.txt"; t0=$(cpu_ticks "$pid"); s0=$(sys_ticks); c0=$(child_secs)
  timeout 300 wrk "${args[@]}" -d"$DURATION" "$url" >"$file"
  times >"$OUT/times.txt"; t1=$(cpu_ticks "$pid"); s1=$(sys_ticks); c1=$(child_secs)
  cat "$file"
  # Whatever else ran during the measurement, as a share of all CPUs:
  # the machine's busy time less the server's and wrk's own.
  local row
  row=$(awk -v name="$name" -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v w0="$c0" -v w1="$c1" \
      -v hz="$HZ" -v ncpu="$NCPU" -v d="${DURATION%s}" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ {p50 = ms($2)} /^ +90%/ {p90 = ms($2)} /^ +99%/ {p99 = ms($2)}
    /^ +Latency +[0-9]/ {max = ms($4)}
    /requests in/ {n = $1}
    /^Requests\/sec:/ {rps = $2}
    /Non-2xx/ {bad = $NF}
    END {
      other = (s - t) / hz - (w1 - w0); if (other < 0) other = 0
      printf "%-16s %8.0f %7.2f %7.2f %7.2f %7.2f %9.1f %9.1f %6d %5.0f%%\n", name, rps, p50, p90, p99, max,
        (n ? t / hz / n * 1e6 : 0), (n ? (w1 - w0) / n * 1e6 : 0), bad, other / (d * ncpu) * 100
    }' "$file")
  echo "$row"; echo
  SAT+=("$row")
}

# rate_run NAME URL PID RATE: offer RATE req/s (open loop), add a row.
rate_run() {
  local name=$1 url=$2 pid=$3 rate=$4 args=(-rate "$4" -d "$DURATION" -warmup "$WARMUP" -c "$RATE_CONNS")
  [ -n "$ACCEPT_LANGUAGE" ] && args+=(-H "Accept-Language: $ACCEPT_LANGUAGE")
  wait_quiet
  local t0 t1 s0 s1 w0 w1 out; t0=$(cpu_ticks "$pid"); s0=$(sys_ticks); w0=$(date +%s%N)
  out=$(timeout 600 "$OUT/openloop" -url "$url" "${args[@]}")
  t1=$(cpu_ticks "$pid"); s1=$(sys_ticks); w1=$(date +%s%N)
  echo "$out" | grep -v '^RESULT'
  # CPU shares over the whole call (warm-up, run and any queue draining
  # after it); the machine's share includes the generator's own CPU.
  local row
  row=$(echo "$out" | awk -v name="$name" -v rate="$rate" -v t=$((t1 - t0)) -v s=$((s1 - s0)) -v hz="$HZ" -v ncpu="$NCPU" \
      -v d="$(awk -v a="$w0" -v b="$w1" 'BEGIN{print (b - a) / 1e9}')" '
    /^RESULT/ { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
    END { printf "%-16s %8d %8.0f %8.2f %8.2f %8.2f %8.2f %6d %9.0f%% %9.0f%%\n", name, rate, v["rps"], v["p50"], v["p90"], v["p99"], v["max"],
      v["errors"] + v["unsent"], t / hz / d / ncpu * 100, s / hz / d / ncpu * 100 }')
  echo "$row"; echo
  FIXED+=("$row")
}

header() { printf "%-16s %8s %7s %7s %7s %7s %9s %9s %6s %6s\n" run "req/s" p50 p90 p99 max "srv µs/r" "wrk µs/r" non2xx other; }

# 1. hearme with its request log on, sent to /dev/null.
PORT=$(free_port)
"$OUT/hearme" serve --data "$DATA" --addr "127.0.0.1:$PORT" >/dev/null 2>&1 &
HPID=$!; PIDS+=("$HPID")
wait_ok "http://127.0.0.1:$PORT/healthz"
sleep 3
RSS_START=$(rss_kb "$HPID")
curl -fsS -H "Accept-Language: ${ACCEPT_LANGUAGE:-en}" -o "$OUT/home.html" "http://127.0.0.1:$PORT/"
echo "== hearme, request log on (to /dev/null); GET / is $(wc -c <"$OUT/home.html") bytes"
wrk_run hearme-log-on "http://127.0.0.1:$PORT/" "$HPID"
for r in $RATES; do
  echo "== hearme, request log on, $r req/s offered"
  rate_run hearme-log-on "http://127.0.0.1:$PORT/" "$HPID" "$r"
done
sleep 5
RSS_AFTER=$(rss_kb "$HPID"); HWM=$(hwm_kb "$HPID")

# barehome copies hearme's home page (body and headers) once.
BPORT=$(free_port)
"$OUT/barehome" -from "http://127.0.0.1:$PORT/" -addr "127.0.0.1:$BPORT" 2>/dev/null &
BPID=$!; PIDS+=("$BPID")
wait_ok "http://127.0.0.1:$BPORT/"
kill -TERM "$HPID"; wait "$HPID" || true

# 2. hearme with the request log off.
PORT=$(free_port)
"$OUT/hearme" serve --data "$DATA" --addr "127.0.0.1:$PORT" --log-level warn >/dev/null 2>&1 &
HPID2=$!; PIDS+=("$HPID2")
wait_ok "http://127.0.0.1:$PORT/healthz"
echo "== hearme, request log off"
wrk_run hearme-log-off "http://127.0.0.1:$PORT/" "$HPID2"
kill -TERM "$HPID2"; wait "$HPID2" || true

# 3. the bare server.
echo "== barehome (net/http, same bytes)"
wrk_run bare-net/http "http://127.0.0.1:$BPORT/" "$BPID"
r=${RATES%% *}
echo "== barehome, $r req/s offered"
rate_run bare-net/http "http://127.0.0.1:$BPORT/" "$BPID" "$r"

echo
echo "Home page at saturation: wrk -t$THREADS -c$CONNS -d$DURATION. Latency in ms; srv/wrk µs/r = server's / wrk's"
echo "CPU time per request; other = CPU taken by unrelated processes during the run (share of the machine)."
header; printf '%s\n' "${SAT[@]}"
awk -v a="$(awk '{print $2}' <<<"${SAT[0]}")" -v b="$(awk '{print $2}' <<<"${SAT[1]}")" -v c="$(awk '{print $2}' <<<"${SAT[2]}")" 'BEGIN {
  printf "throughput hearme/bare: log on %.2f (bare %.1fx), log off %.2f (bare %.1fx)\n", a / c, c / a, b / c, c / b }'
echo
echo "Home page at a fixed offered rate (open loop, $RATE_CONNS connections). Latency in ms from when each request was due;"
echo "server = hearme's CPU as a share of the machine; machine = all busy CPU (server + generator + anything else)."
printf "%-16s %8s %8s %8s %8s %8s %8s %6s %10s %10s\n" run offered answered p50 p90 p99 max errors server machine
printf '%s\n' "${FIXED[@]}"
echo
echo "hearme VmRSS: idle after start ${RSS_START} kB ($((RSS_START / 1024)) MiB); idle 5 s after the load ${RSS_AFTER} kB ($((RSS_AFTER / 1024)) MiB); peak (VmHWM) ${HWM} kB ($((HWM / 1024)) MiB)"
