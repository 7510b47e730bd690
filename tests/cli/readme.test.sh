#!/usr/bin/env bash
# The README's examples run and print what the README shows.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
cd "$TOP"
"$BH" scan examples/ >"$T/out" 2>"$T/err"; rc=$?
check "scan examples/ exits 1 (the risky examples fail at high)" test $rc = 1
# the README's sample output block, up to its "…" line, must appear in the real output
awk '/^```$/ {inblk = !inblk; next} inblk && /^examples\/risky-daemonset.yaml:2/ {on = 1} on && /…/ {exit} on && inblk {print}' README.md >"$T/sample"
check "README sample block found" test -s "$T/sample"
while IFS= read -r line; do
	grep -qF -- "$line" "$T/out" || { fail "README line not in the output: $line"; continue; }
done <"$T/sample"
ok "README sample lines appear in scan examples/"
"$BH" scan --format json examples/ | jq -e '[.findings[] | [.severity, .rule, .field]] | length > 0' >/dev/null
check "README jq example yields findings" test $? = 0
"$BH" rules >/dev/null; check "README: bulkhead rules" test $? = 0
"$BH" explain BH0001 >/dev/null; check "README: bulkhead explain BH0001" test $? = 0
"$BH" scan --config examples/bulkhead-config.yaml --show-suppressed examples/ >/dev/null 2>&1
check "README: scan --config examples/bulkhead-config.yaml --show-suppressed (exit 0 or 1)" test $? -le 1
"$BH" pss --level restricted --version v1.30 examples/ >/dev/null 2>&1
check "README: pss --level restricted --version v1.30 (exit 0 or 1)" test $? -le 1
"$BH" scan --pss restricted:latest examples/ >/dev/null 2>&1
check "README: scan --pss restricted:latest (exit 0 or 1)" test $? -le 1
"$BH" scan --format compact --exclude 'debug-*' examples/ >"$T/c" 2>/dev/null
check "README: scan --format compact --exclude 'debug-*' examples/ prints file:line:col lines" grep -qE '^examples/risky-daemonset.yaml:[0-9]+:[0-9]+: CRITICAL ' "$T/c"
check "README: … and the excluded file is left out" bash -c "! grep -q debug-cronjob '$T/c'"
finish
