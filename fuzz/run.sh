#!/usr/bin/env bash
# Runs every libFuzzer target in build-fuzz/ for SECONDS (default 30) each, starting from its seed corpus
# fuzz/corpus/<name minus fuzz_>/; new inputs go to a temporary directory, never into the checkout.
# Prints "N passed, N failed" (a target fails when it finds a crash, leak or timeout).
set -u
cd "$(dirname "$0")/.."
secs=${1:-30}
# UBSan findings (the memcpy from NULL of a file holding `- []`) must fail the run, not scroll past
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
pass=0 fail=0
for t in build-fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t"); seeds="fuzz/corpus/${name#fuzz_}"
	work=$(mktemp -d)
	echo "== $name for ${secs}s (seeds: $seeds)"
	if "$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$work/" "$work" "$seeds" >"$work/log" 2>&1; then
		pass=$((pass + 1)); tail -n 1 "$work/log"
	else
		fail=$((fail + 1)); tail -n 40 "$work/log"; ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* 2>/dev/null
	fi
	rm -rf "$work"
done
echo "fuzz: $pass passed, $fail failed"
[ "$fail" = 0 ]
