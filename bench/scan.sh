#!/usr/bin/env bash
# bulkhead scan against libyaml parse-only on the real-world corpus (../shared/corpus/real/), in one run:
#   A: the corpus concatenated into one file of at least TARGET_MB (default 50) MB — --jobs 1 and 2
#      (a large file is cut at document boundaries, so one file uses both cores too)
#   B: the corpus files copied into a directory until it holds TARGET_MB — --jobs 1 and --jobs 2
# Wall time (best of RUNS, default 3), MB/s, objects/s, peak RSS. Usage: bench/scan.sh [TARGET_MB]
set -euo pipefail
cd "$(dirname "$0")/.."
target_mb=${1:-50}
runs=${RUNS:-3}
corpus=${CORPUS:-../shared/corpus/real}
[ -d "$corpus" ] || { echo "bench/scan.sh: $corpus not found" >&2; exit 2; }
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" bench >/dev/null || { echo "bench/scan.sh: build failed" >&2; exit 2; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
files=$(find "$corpus" -type f \( -name '*.yaml' -o -name '*.yml' \) | sort)
input="$work/corpus.yaml"; : >"$input"
mkdir "$work/dir"; copy=0
while [ "$(stat -c %s "$input")" -lt $((target_mb * 1000 * 1000)) ]; do
	copy=$((copy + 1))
	for f in $files; do
		printf -- '---\n' >>"$input"; cat "$f" >>"$input"; printf '\n' >>"$input"
		cp "$f" "$work/dir/$copy-$(echo "${f#$corpus/}" | tr / _)"
	done
done
bytes=$(stat -c %s "$input")
dbytes=$(cat "$work"/dir/* | wc -c)
nfiles=$(ls "$work/dir" | wc -l)
echo "A: one file, $(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}') MB; B: $nfiles files, $(awk -v b="$dbytes" 'BEGIN{printf "%.1f", b/1e6}') MB ($(echo "$files" | wc -l) corpus files x $copy)"
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%F); best of $runs runs"

measure() { # cmd... → best wall seconds and max RSS (KiB)
	local best=999999 rss=0 t r
	for _ in $(seq "$runs"); do
		/usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>/dev/null || true
		read -r t r <"$work/time"
		best=$(awk -v a="$best" -v b="$t" 'BEGIN{print (b<a)?b:a}')
		[ "$r" -gt "$rss" ] && rss=$r
	done
	echo "$best $rss"
}
row() { # label seconds rss bytes objects
	printf '%-32s %7.2f %8.1f %11s %8d MB\n' "$1" "$2" "$(awk -v b="$4" -v t="$2" 'BEGIN{print b/1e6/t}')" \
		"$([ "$5" = - ] && echo - || awk -v o="$5" -v t="$2" 'BEGIN{printf "%.0f", o/t}')" $(($3 / 1024))
}
"$BUILD"/bulkhead scan --format json --fail-on none "$input" >"$work/scan.json"
objects=$(jq '.summary.objects' "$work/scan.json")
printf '%-32s %7s %8s %11s %11s\n' "" "wall s" "MB/s" "objects/s" "peak RSS"
read -r pa ra < <(measure "$BUILD"/bench/yaml_parse "$input"); row "A libyaml parse-only" "$pa" "$ra" "$bytes" -
read -r sa rs < <(measure "$BUILD"/bulkhead scan --jobs 1 --format json --fail-on none "$input"); row "A bulkhead scan --jobs 1" "$sa" "$rs" "$bytes" "$objects"
read -r sa2 rs2 < <(measure "$BUILD"/bulkhead scan --jobs 2 --format json --fail-on none "$input"); row "A bulkhead scan --jobs 2" "$sa2" "$rs2" "$bytes" "$objects"
read -r pb rb < <(measure "$BUILD"/bench/yaml_parse "$work"/dir/*); row "B libyaml parse-only (1 core)" "$pb" "$rb" "$dbytes" -
read -r s1 r1 < <(measure "$BUILD"/bulkhead scan --jobs 1 --format json --fail-on none "$work/dir"); row "B bulkhead scan --jobs 1" "$s1" "$r1" "$dbytes" "$objects"
read -r s2 r2 < <(measure "$BUILD"/bulkhead scan --jobs 2 --format json --fail-on none "$work/dir"); row "B bulkhead scan --jobs 2" "$s2" "$r2" "$dbytes" "$objects"
echo "ratio scan / parse-only, one core: A $(awk -v a="$sa" -v b="$pa" 'BEGIN{printf "%.2f", a/b}'), B $(awk -v a="$s1" -v b="$pb" 'BEGIN{printf "%.2f", a/b}') (target <= 1.3); 2 jobs: A $(awk -v a="$sa2" -v b="$pa" 'BEGIN{printf "%.2f", a/b}'), B $(awk -v a="$s2" -v b="$pb" 'BEGIN{printf "%.2f", a/b}')"
echo "objects: $objects, findings: $(jq '.findings | length' "$work/scan.json"), input errors: $(jq '.errors | length' "$work/scan.json")"
