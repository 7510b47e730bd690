#!/usr/bin/env bash
# bulkhead image throughput: an OCI layout built here from the machine's own /usr (nothing downloaded) as
# three layers, stored plain, gzip and zstd; `bulkhead image` reads it (every blob hashed, every layer
# decompressed and walked, whiteouts applied, rules evaluated). Reports MB/s of layers as stored and as
# unpacked, files/s and peak RSS, best of RUNS, with two baselines on the same blobs: sha256sum alone, and
# decompress + sha256 (`zstd -dc | sha256sum`, the least any verifying reader must do).
# Usage: bench/image.sh [DIR…] (default /usr/bin /usr/include /usr/share/doc); env RUNS (default 3).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
BUILD=${BUILD:-build}
make -s BUILD="$BUILD" "$BUILD/bulkhead" >/dev/null
BH=$PWD/$BUILD/bulkhead
W=$(mktemp -d /tmp/bulkhead-bench-image.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
export LC_ALL=C T=$W
. tests/image/lib.sh
DIRS=("$@"); [ ${#DIRS[@]} -gt 0 ] || DIRS=(/usr/bin /usr/include /usr/share/doc)
i=0 files=()
for d in "${DIRS[@]}"; do
	i=$((i + 1))
	tar -C / --format=pax --numeric-owner --sort=name -cf "$W/l$i.tar" "${d#/}" 2>/dev/null || true
	files+=("$W/l$i.tar")
done
unpacked=$(cat "${files[@]}" | wc -c)
for comp in none gzip zstd; do
	set --
	for f in "${files[@]}"; do
		case $comp in
		none) cp "$f" "$f.$comp" ;;
		gzip) gzip -1 -n -c "$f" >"$f.$comp" ;;
		zstd) zstd -q -3 -T0 -c "$f" >"$f.$comp" ;;
		esac
		set -- "$@" "$f.$comp"
	done
	mkoci "$W/oci-$comp" '"User": "app"' "$@" >/dev/null
	rm -f "$@"
done
echo "# layers: ${DIRS[*]}; $((unpacked / 1000000)) MB unpacked; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); best of $RUNS"
best() { # label stored-bytes command…: best wall time of RUNS, its CPU seconds and peak RSS
	local label=$1 stored=$2 b= c= m= t; shift 2
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -o "$W/time" -f '%e %U %S %M' "$@" >/dev/null 2>&1 || true
		t=$(tail -1 "$W/time")
		read -r wall user sys rss <<<"$t"
		if [ -z "$b" ] || awk -v a="$wall" -v b="$b" 'BEGIN{exit !(a < b)}'; then b=$wall; c=$(awk -v u="$user" -v s="$sys" 'BEGIN{print u + s}'); m=$rss; fi
	done
	printf '%-34s %7.2f s  %8.1f MB/s stored  %8.1f MB/s unpacked  %5.2f s CPU  %6d MB RSS\n' "$label" "$b" \
		"$(awk -v n="$stored" -v t="$b" 'BEGIN{print n / 1e6 / t}')" "$(awk -v n="$unpacked" -v t="$b" 'BEGIN{print n / 1e6 / t}')" \
		"$c" $((m / 1024))
}
for comp in none gzip zstd; do
	L=$W/oci-$comp
	stored=$(du -cb "$L"/blobs/sha256/* | tail -1 | cut -f1)
	best "bulkhead image ($comp)" "$stored" "$BH" image --format json --fail-on none "$L"
	best "  baseline: sha256sum blobs" "$stored" sh -c "sha256sum $L/blobs/sha256/*"
	case $comp in
	gzip) best "  baseline: gzip -dc + sha256sum" "$stored" sh -c "for f in $L/blobs/sha256/*; do gzip -dc \$f 2>/dev/null | sha256sum; done" ;;
	zstd) best "  baseline: zstd -dc + sha256sum" "$stored" sh -c "for f in $L/blobs/sha256/*; do zstd -qdc \$f 2>/dev/null | sha256sum; done" ;;
	esac
done
"$BH" image --format json --fail-on none "$W/oci-zstd" 2>/dev/null | jq -r '"findings: \(.findings | length) (" + ([.findings[].rule] | group_by(.) | map("\(.[0]) \(length)") | join(", ")) + ")"'
