#!/usr/bin/env bash
# Runs the whole suite against $BUILD (default build/): every cmocka binary in $BUILD/tests/, then every
# tests/*/*.test.sh script. Each script ends with a line "N passed, N failed[, N skipped]". Ends with the
# totals in the same form, and exits non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD BH="$PWD/$BUILD/bulkhead" TOP="$PWD"
pass=0 fail=0 skip=0
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	echo "== $t"
	"$t" >"$log" 2>&1; rc=$?
	cat "$log"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then f=1; echo "!! $t exited $rc"; fi
	pass=$((pass + p)); fail=$((fail + f))
done
for t in tests/*/*.test.sh; do
	[ -f "$t" ] || continue
	echo "== $t"
	bash "$t" >"$log" 2>&1; rc=$?
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	p=$(echo "$line" | sed -n 's/^\([0-9]*\) passed.*/\1/p'); p=${p:-0}
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p'); f=${f:-0}
	s=$(echo "$line" | sed -n 's/.* \([0-9]*\) skipped.*/\1/p'); s=${s:-0}
	if [ -z "$line" ] || { [ "$rc" != 0 ] && [ "$f" = 0 ]; }; then f=$((f + 1)); echo "!! $t exited $rc without a failing count"; fi
	pass=$((pass + p)); fail=$((fail + f)); skip=$((skip + s))
done
echo
echo "suite ($BUILD): $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
