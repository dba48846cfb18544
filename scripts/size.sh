#!/usr/bin/env bash
# Binary size: a plain `go build` and a release-style build without
# symbol tables and DWARF (-trimpath -ldflags="-s -w").
#
#   scripts/size.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export GOTOOLCHAIN=go1.27.3 # the release hearme is built with (go.mod's toolchain line)
OUT=${OUT:-/tmp/hearme-perf}
mkdir -p "$OUT"
echo "# commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (working tree has changes)'); $(go version)"
go build -o "$OUT/hearme-plain" ./cmd/hearme
go build -trimpath -ldflags="-s -w" -o "$OUT/hearme-stripped" ./cmd/hearme
for f in hearme-plain hearme-stripped; do
  b=$(stat -c %s "$OUT/$f")
  printf "%-16s %10d bytes  %6.1f MiB  %6.1f MB\n" "$f" "$b" "$(awk -v b="$b" 'BEGIN{print b/1048576}')" "$(awk -v b="$b" 'BEGIN{print b/1e6}')"
done
