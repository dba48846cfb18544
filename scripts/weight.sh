#!/usr/bin/env bash
# Home page weight: the HTML of / and every stylesheet, script, image and
# icon it references, uncompressed and as sent with Accept-Encoding: gzip;
# plus a check that nothing is loaded from another origin.
#
#   scripts/weight.sh
#
# Starts hearme on a free loopback port with a fresh data directory and
# stops it at the end. Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # the release hearme is built with (go.mod's toolchain line)

OUT=${OUT:-/tmp/hearme-perf}
LANGS=${LANGS:-en ur}
mkdir -p "$OUT"
echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has changes)')"
go build -o "$OUT/hearme" ./cmd/hearme
DATA=$(mktemp -d "$OUT/weight-data.XXXXXX")
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
BASE="http://127.0.0.1:$PORT"
"$OUT/hearme" serve --data "$DATA" --addr "127.0.0.1:$PORT" >/dev/null 2>&1 &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$DATA"' EXIT
for _ in $(seq 1 1000); do curl -fsS -o /dev/null --max-time 1 "$BASE/healthz" 2>/dev/null && break; sleep 0.01; done

# size URL [HEADER] -> "status bytes gzip-bytes-on-the-wire content-encoding gzip-9-locally"
size() {
  local plain wire enc status
  local h=(-H "${2:-X-Weight: 1}")
  status=$(curl -sS --max-time 5 "${h[@]}" -o "$OUT/weight.body" -w '%{http_code}' "$1")
  plain=$(wc -c <"$OUT/weight.body")
  wire=$(curl -sS --max-time 5 "${h[@]}" -H 'Accept-Encoding: gzip' -o /dev/null -D "$OUT/weight.hdr" -w '%{size_download}' "$1")
  enc=$(awk 'tolower($1) == "content-encoding:" {print $2}' "$OUT/weight.hdr" | tr -d '\r')
  echo "$status $plain $wire ${enc:-identity} $(gzip -9c "$OUT/weight.body" | wc -c)"
}

fail=0
for lang in $LANGS; do
  # The page as a first-time visitor whose browser asks for $lang sees it
  # (?lang= would add a "language changed" notice).
  curl -fsS --max-time 5 -H "Accept-Language: $lang" -o "$OUT/home-$lang.html" "$BASE/"
  # Everything the page makes the browser fetch: stylesheets, scripts,
  # images, icons (src= and <link href=>), not the links people click.
  mapfile -t refs < <(grep -oE '<(link|script|img|source|iframe|video|audio)[^>]*(src|href)="[^"]*"' "$OUT/home-$lang.html" \
    | grep -oE '(src|href)="[^"]*"' | sed -E 's/^(src|href)="//; s/"$//; s/&amp;/\&/g' | sort -u)
  echo
  echo "== GET / with Accept-Language: $lang"
  printf "%-40s %6s %10s %14s %-10s %14s\n" resource status bytes "sent (gzip?)" encoding "gzip -9 local"
  total=0; totalz=0; totalw=0
  extra=()
  # Browsers ask for /favicon.ico only when the page names no icon.
  grep -q '<link rel="icon"' "$OUT/home-$lang.html" || extra=(/favicon.ico)
  for u in / "${refs[@]}" "${extra[@]}"; do
    case "$u" in
      http://127.0.0.1:$PORT/*) url=$u ;;
      http://*|https://*|//*) echo "OTHER ORIGIN: $u"; fail=1; continue ;;
      /*) url=$BASE$u ;;
      *) url=$BASE/$u ;;
    esac
    hdr=; [ "$u" = / ] && hdr="Accept-Language: $lang"
    read -r status plain wire enc gz < <(size "$url" "$hdr")
    printf "%-40s %6s %10s %14s %-10s %14s\n" "$u" "$status" "$plain" "$wire" "$enc" "$gz"
    total=$((total + plain)); totalw=$((totalw + wire)); totalz=$((totalz + gz))
  done
  printf "%-40s %6s %10s %14s %-10s %14s\n" "TOTAL" "" "$total" "$totalw" "" "$totalz"
  [ ${#extra[@]} -eq 0 ] || echo "(/favicon.ico: browsers ask for it when the page names no icon; it is counted.)"
  echo "total: $total bytes = $(awk -v b=$total 'BEGIN{printf "%.1f", b/1024}') KiB uncompressed; $(awk -v b=$totalz 'BEGIN{printf "%.1f", b/1024}') KiB if gzipped"
done

echo
echo "== other origins"
# Any absolute or protocol-relative URL in an attribute of the HTML, or in
# url()/@import in the CSS, that is not this server.
hits=$(cat "$OUT"/home-*.html | grep -oE '(src|href|action|srcset|content)="(https?:)?//[^"]*"' | grep -v "//127.0.0.1:$PORT" || true)
css=$(for u in $(grep -ohE '(src|href)="/static/[^"]*"' "$OUT"/home-*.html | sed -E 's/^(src|href)="//; s/"$//' | sort -u); do
        curl -fsS --max-time 5 "$BASE$u"; done | grep -oE '(url\(|@import)[^)]*(https?:)?//[^)]*|https?://[^"'"'"' )]*' | grep -v '^http://www.w3.org/2000/svg$' || true)
if [ -n "$hits$css" ]; then
  echo "requests to other origins found:"; echo "$hits"; echo "$css"; fail=1
else
  echo "none: no http://, https:// or // URL in any src/href/action of the HTML, nor in url()/@import or any http(s):// string of the CSS and JS"
fi
echo "Content-Security-Policy: $(curl -fsS --max-time 5 -o /dev/null -D - "$BASE/" | sed -n 's/^Content-Security-Policy: //Ip' | tr -d '\r')"
exit $fail
