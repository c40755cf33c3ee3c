#!/usr/bin/env bash
# Prints what a first visit downloads from a built site: each file, raw and
# gzip, and the total. Usage: scripts/size.sh DIST [BUDGET_GZIP_BYTES]
# With a budget, exits 1 when the gzip total is over it.
set -euo pipefail
dist=${1:-dist}
budget=${2:-}
total_raw=0
total_gzip=0
printf '%-44s %10s %10s\n' file raw gzip
while IFS= read -r file; do
  raw=$(stat -c %s "$file")
  gz=$(gzip -9 -c "$file" | wc -c)
  total_raw=$((total_raw + raw))
  total_gzip=$((total_gzip + gz))
  printf '%-44s %10d %10d\n' "${file#"$dist"/}" "$raw" "$gz"
done < <(find "$dist" -type f \( -name '*.html' -o -name '*.js' -o -name '*.wasm' -o -name '*.css' -o -name '*.webmanifest' -o -name '*.svg' -o -name '*.png' -o -name '*.woff2' \) | sort)
printf '%-44s %10d %10d\n' TOTAL "$total_raw" "$total_gzip"
if [ -n "$budget" ] && [ "$total_gzip" -gt "$budget" ]; then
  echo "size: first visit is $total_gzip bytes gzip, over the budget of $budget" >&2
  exit 1
fi
