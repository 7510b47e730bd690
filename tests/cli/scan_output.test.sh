#!/usr/bin/env bash
# Daily-use output of `bulkhead scan` (issue 18): the compact one-line format editors and CI problem
# matchers parse, the --severity display filter, the per-rule summary, --color, several outputs in one run.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"
E="$TOP/examples"

# --format compact: file:line:col: SEVERITY RULE name: message, one line per finding, nothing else on stdout
"$BH" scan --format compact "$E" >"$T/c" 2>"$T/err"; rc=$?
check "compact: exit 1 like text" test $rc = 1
nj=$("$BH" scan --format json "$E" 2>/dev/null | jq '[.findings[] | select(.suppressed | not)] | length')
check "compact: one line per finding ($nj)" test "$(wc -l <"$T/c")" = "$nj"
check "compact: every line matches file:line:col: SEVERITY BHnnnn name: message" \
	bash -c "! grep -vE '^[^:]+:[0-9]+:[0-9]+: (CRITICAL|HIGH|MEDIUM|LOW|INFO) BH[0-9]{4} [a-z0-9-]+: .+' '$T/c'"
check "compact: the privileged agent at its line" grep -qE '^.*examples/risky-daemonset.yaml:20:[0-9]+: CRITICAL BH0001 privileged-container: container "agent" runs privileged' "$T/c"
check "compact: summary on stderr" grep -qE '^4 files, 4 objects: ' "$T/err"
# a GitHub Actions / VS Code style problem matcher regex takes every line apart
while IFS= read -r l; do
	[[ $l =~ ^(.+):([0-9]+):([0-9]+):\ (CRITICAL|HIGH|MEDIUM|LOW|INFO)\ (BH[0-9]+)\ ([a-z0-9-]+):\ (.*)$ ]] || { fail "problem matcher rejects: $l"; break; }
done <"$T/c"
ok "problem matcher regex parses every compact line"
"$BH" scan --format compact "$T/nope.yaml" >"$T/c" 2>"$T/err"
check "compact: an unreadable input is 'file: error: …' on stderr" grep -q "nope.yaml: error: cannot read" "$T/err"
check "compact --help lists compact" bash -c "'$BH' scan --help | grep -q compact"

# --severity: display filter; the exit code still follows --fail-on
"$BH" scan --format compact --severity high "$E" >"$T/c" 2>/dev/null; rc=$?
check "--severity high: exit still 1" test $rc = 1
check "--severity high: only critical and high shown" bash -c "! grep -vE ': (CRITICAL|HIGH) ' '$T/c'"
check "--severity high: something shown" test -s "$T/c"
"$BH" scan --format json --severity critical "$E" | jq -e '[.findings[].severity] | unique == ["critical"]' >/dev/null
check "--severity critical: json findings all critical" test $? = 0
"$BH" scan --severity loud "$E" >/dev/null 2>&1; check "--severity bad value exits 2" test $? = 2
"$BH" scan --severity critical --fail-on medium "$G/host-namespaces.yaml" >"$T/o" 2>&1; rc=$?
check "--severity critical hides high findings but --fail-on medium still fails" test $rc = 1

# --summary: findings per rule, worst first
"$BH" scan --summary --quiet "$E" >"$T/s"
check "--summary: a per-rule table" grep -qE '^ *[0-9]+ +critical +BH0001 +privileged-container' "$T/s"
check "--summary: then the summary line" grep -qE '^4 files, 4 objects: ' "$T/s"
n1=$("$BH" scan --format json "$E" | jq '[.findings[] | select(.rule == "BH0001" and (.suppressed | not))] | length')
check "--summary: BH0001 count matches JSON ($n1)" grep -qE "^ *$n1 +critical +BH0001 " "$T/s"
"$BH" scan --summary --format compact "$E" >"$T/s" 2>"$T/e"
check "--summary with compact: table on stderr, stdout stays one line per finding" \
	bash -c "grep -q 'BH0001 *privileged-container' '$T/e' && ! grep -vE '^[^:]+:[0-9]+:[0-9]+: ' '$T/s'"

# --color
"$BH" scan --color always "$E" >"$T/o" 2>/dev/null
check "--color always: ANSI escapes" grep -q $'\033\[' "$T/o"
"$BH" scan --color never "$E" >"$T/o" 2>/dev/null
check "--color never: none" bash -c "! grep -q $'\033\\\\[' '$T/o'"
NO_COLOR=1 script -qec "'$BH' scan --color auto '$E'" /dev/null >"$T/o" 2>/dev/null
if command -v script >/dev/null; then
	check "--color auto on a terminal with NO_COLOR: none" bash -c "! grep -q $'\033\\\\[1;31m' '$T/o'"
	TERM=dumb script -qec "'$BH' scan '$E'" /dev/null >"$T/o" 2>/dev/null
	check "TERM=dumb on a terminal: none" bash -c "! grep -q $'\033\\\\[1;31m' '$T/o'"
	TERM=xterm script -qec "'$BH' scan '$E'" /dev/null >"$T/o" 2>/dev/null
	check "a terminal otherwise: colour" grep -q $'\033\[1;31m' "$T/o"
else skip "script(1) missing: --color auto not tested on a terminal"; fi
"$BH" scan --color sometimes "$E" >/dev/null 2>&1; check "--color bad value exits 2" test $? = 2

# several outputs: --output follows (or precedes) each --format
"$BH" scan --format sarif --output "$T/a.sarif" --format json --output "$T/b.json" --format compact "$E" >"$T/c" 2>"$T/err"; rc=$?
check "several outputs: exit 1" test $rc = 1
check "several outputs: SARIF file" jq -e '.version == "2.1.0" and (.runs[0].results | length > 0)' "$T/a.sarif" >/dev/null
check "several outputs: JSON file" jq -e '.summary.objects == 4' "$T/b.json" >/dev/null
check "several outputs: compact on stdout" grep -q ': CRITICAL BH0001 ' "$T/c"
"$BH" scan --output "$T/x.json" --format json "$E" >/dev/null 2>&1
check "--output before --format still pairs them" jq -e '.summary.objects == 4' "$T/x.json" >/dev/null
"$BH" scan --format text --output "$T/t.txt" --format compact "$T/nope.yaml" >/dev/null 2>"$T/err"
check "text and compact reports in one run: each diagnostic once on stderr" test "$(grep -c 'nope.yaml: error' "$T/err")" = 1
"$BH" scan --format json --format sarif "$E" >/dev/null 2>"$T/err"; rc=$?
check "two outputs on stdout: usage error" test $rc = 2
check "… says why" grep -q 'standard output' "$T/err"
finish
