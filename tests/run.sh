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
# Every test's temporary files go to one directory of this run; whatever is still in it at the end, and any
# loop device backed by a file in it, was left behind by a test and fails the run.
SUITE_TMP=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-suite.XXXXXX")
trap 'rm -f "$log"; rm -rf "$SUITE_TMP"' EXIT
export TMPDIR=$SUITE_TMP
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
echo "== left behind"
left=$(cd "$SUITE_TMP" && ls -A)
loops=$(losetup -a 2>/dev/null | grep -F "$SUITE_TMP" || true)
if [ -n "$left$loops" ]; then
	fail=$((fail + 1))
	echo "FAIL - the tests left behind in \$TMPDIR: $(echo $left)${loops:+; loop devices: $loops}"
	for l in $(printf '%s\n' "$loops" | cut -d: -f1); do losetup -d "$l" 2>/dev/null; done
else
	pass=$((pass + 1)); echo "ok   - nothing left behind in \$TMPDIR and no loop device on its files"
fi
echo
echo "suite ($BUILD): $pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
