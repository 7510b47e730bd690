#!/usr/bin/env bash
# bulkhead scan against libyaml parse-only on the real-world corpus (../shared/corpus/real/) concatenated to
# at least TARGET_MB (default 50) MB, in one run: wall time, MB/s, objects/s and peak RSS for both, best of
# RUNS (default 3). Usage: bench/scan.sh [TARGET_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
target_mb=${1:-50}
runs=${RUNS:-3}
corpus=${CORPUS:-../shared/corpus/real}
[ -d "$corpus" ] || { echo "bench/scan.sh: $corpus not found" >&2; exit 2; }
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" bench >/dev/null || { echo "bench/scan.sh: build failed" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
input="$work/corpus.yaml"
: >"$input"
files=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
while [ "$(stat -c %s "$input")" -lt $((target_mb * 1000 * 1000)) ]; do
	for f in $files; do printf -- '---\n' >>"$input"; cat "$f" >>"$input"; printf '\n' >>"$input"; done
done
bytes=$(stat -c %s "$input")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
echo "input: $mb MB ($(echo "$files" | wc -l) corpus files repeated) — $(nproc) cores, $(uname -r), $(date -u +%F)"

measure() { # label cmd... → best wall seconds and max RSS (KiB) of RUNS runs
	local best=999999 rss=0 t
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>/dev/null || true
		read -r t r <"$work/time"
		best=$(awk -v a="$best" -v b="$t" 'BEGIN{print (b<a)?b:a}')
		[ "$r" -gt "$rss" ] && rss=$r
	done
	echo "$best $rss"
}
read -r pt prss < <(measure "$BUILD"/bench/yaml_parse "$input")
read -r st srss < <(measure "$BUILD"/bulkhead scan --format json --fail-on none "$input")
"$BUILD"/bulkhead scan --format json --fail-on none "$input" >"$work/scan.json"
objects=$(jq '.summary.objects' "$work/scan.json")
findings=$(jq '.findings | length' "$work/scan.json")
errors=$(jq '.errors | length' "$work/scan.json")
printf '%-26s %8s %9s %12s %10s\n' "" "wall s" "MB/s" "objects/s" "peak RSS"
printf '%-26s %8.2f %9.1f %12s %7d MB\n' "libyaml parse-only" "$pt" "$(awk -v b="$bytes" -v t="$pt" 'BEGIN{print b/1e6/t}')" "-" $((prss / 1024))
printf '%-26s %8.2f %9.1f %12.0f %7d MB\n' "bulkhead scan (json)" "$st" "$(awk -v b="$bytes" -v t="$st" 'BEGIN{print b/1e6/t}')" "$(awk -v o="$objects" -v t="$st" 'BEGIN{print o/t}')" $((srss / 1024))
echo "ratio scan / parse-only: $(awk -v a="$st" -v b="$pt" 'BEGIN{printf "%.2f", a/b}') (target <= 1.3)"
echo "objects: $objects, findings: $findings, input errors: $errors"
