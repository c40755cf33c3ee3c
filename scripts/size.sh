#!/usr/bin/env bash
# Prints what a first visit downloads from a built site: each file, raw,
# gzip (-9) and brotli (-q 11), and the totals. The files are the page's own, as the offline
# worker lists them (FILES in www/sw.js), plus the worker itself; the
# browser tests check that a first visit asks for nothing else.
# Usage: scripts/size.sh DIST [BUDGET_GZIP_BYTES]
# With a budget, exits 1 when the gzip total is over it.
set -euo pipefail
dist=${1:-dist}
budget=${2:-}
files=$(sed -n "s/^const FILES = \[\(.*\)\];/\1/p" "$(dirname "$0")/../www/sw.js" | tr -d " '" | tr ',' '\n' |
  grep -v '^\./$' | sort -u)
if [ -z "$files" ]; then
  echo "size: no FILES list in www/sw.js" >&2
  exit 1
fi
total_raw=0
total_gzip=0
total_brotli=0
# Node's zlib has brotli built in.
brotli() {
  node -e 'const z = require("zlib"); process.stdout.write(String(z.brotliCompressSync(require("fs").readFileSync(process.argv[1]), { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length))' "$1"
}
printf '%-44s %10s %10s %10s\n' file raw gzip brotli
for name in $files sw.js; do
  file="$dist/$name"
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  br=$(brotli "$file")
  total_raw=$((total_raw + raw))
  total_gzip=$((total_gzip + gz))
  total_brotli=$((total_brotli + br))
  printf '%-44s %10d %10d %10d\n' "$name" "$raw" "$gz" "$br"
done
printf '%-44s %10d %10d %10d\n' TOTAL "$total_raw" "$total_gzip" "$total_brotli"
if [ -n "$budget" ] && [ "$total_gzip" -gt "$budget" ]; then
  echo "size: first visit is $total_gzip bytes gzip, over the budget of $budget" >&2
  exit 1
fi
