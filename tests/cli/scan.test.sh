#!/usr/bin/env bash
# CLI behaviour and exit codes of `bulkhead scan` (DESIGN §5).
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"

"$BH" scan --help >"$T/help"; check "--help exits 0" test $? = 0
check "--help lists --fail-on" grep -q -- '--fail-on' "$T/help"
check "--help lists every format" grep -q -- 'sarif.*junit' "$T/help"
"$BH" scan 2>"$T/err"; check "no input exits 2" test $? = 2
check "no input says why" grep -q 'no input' "$T/err"
"$BH" scan --bogus x 2>/dev/null; check "unknown option exits 2" test $? = 2
"$BH" scan --fail-on extreme "$G/hardened.yaml" 2>/dev/null; check "bad --fail-on exits 2" test $? = 2
"$BH" scan --format xml "$G/hardened.yaml" 2>/dev/null; check "bad --format exits 2" test $? = 2
"$BH" nosuchcommand 2>/dev/null; check "unknown command exits 2" test $? = 2

"$BH" scan "$G/hardened.yaml" >/dev/null; check "clean manifest exits 0" test $? = 0
"$BH" scan "$G/privileged-yes.yaml" >/dev/null; check "critical finding exits 1" test $? = 1
"$BH" scan --fail-on none "$G/privileged-yes.yaml" >/dev/null; check "--fail-on none exits 0" test $? = 0
"$BH" scan --fail-on critical "$G/rule-host-pid-pos.yaml" >/dev/null; check "high below --fail-on critical exits 0" test $? = 0
"$BH" scan --fail-on medium "$G/host-namespaces.yaml" >/dev/null; check "high at --fail-on medium exits 1" test $? = 1

# a directory with one broken file and one risky manifest: exit 2, file:line:col, findings still reported
mkdir -p "$T/dir/sub"
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\nspec:\n  containers: [\n' >"$T/dir/a-broken.yaml"
cp "$G/privileged-yes.yaml" "$T/dir/sub/risky.yml"
echo "not a manifest" >"$T/dir/notes.txt"
"$BH" scan "$T/dir" >"$T/out" 2>"$T/err"; rc=$?
check "broken + risky directory exits 2" test $rc = 2
check "broken file reported as file:line:col" grep -qE "a-broken.yaml:[0-9]+:[0-9]+: error: " "$T/err"
check "risky manifest still reported" grep -q 'BH0001 privileged-container' "$T/out"
check "non-manifest files are not read" bash -c "! grep -q notes.txt '$T/out' '$T/err'"
"$BH" scan --format json "$T/dir" >"$T/json"; rc=$?
check "json: exit 2 too" test $rc = 2
check "json: errors array has the file and line" jq -e '.errors[0].file | endswith("a-broken.yaml")' "$T/json" >/dev/null
check "json: finding kept" jq -e '[.findings[] | select(.rule == "BH0001")] | length == 1' "$T/json" >/dev/null
check "json: summary counts files" jq -e '.summary.files == 2' "$T/json" >/dev/null

# unreadable input among readable ones
"$BH" scan "$T/nope.yaml" "$G/privileged-yes.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "missing file exits 2" test $rc = 2
check "missing file named (no position: the whole file)" grep -q "nope.yaml: error: cannot read" "$T/err"
check "the other file still scanned" grep -q BH0001 "$T/out"

# stdin
"$BH" scan - <"$G/privileged-yes.yaml" >"$T/out"; check "stdin exits 1 on finding" test $? = 1
check "stdin named <stdin>" grep -q '<stdin>:' "$T/out"

# --output
"$BH" scan --format json --output "$T/o.json" "$G/capabilities.yaml"; check "--output exits 1 on findings" test $? = 1
check "--output wrote JSON" jq -e '.summary.findings.critical == 2' "$T/o.json" >/dev/null

# --quiet prints the summary only
"$BH" scan --quiet "$G/capabilities.yaml" >"$T/out"
check "--quiet: no finding details" bash -c "! grep -q 'fix:' '$T/out'"
check "--quiet: summary line" grep -q '2 critical, 2 high, 8 medium, 5 low' "$T/out"

# alias bomb ends quickly with an error
{
	echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'
	p=a; for l in b c d e f g h i j k; do printf '%s: &%s [*%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s, *%s]\n' $l $l $p $p $p $p $p $p $p $p $p $p; p=$l; done
} >"$T/bomb.yaml"
timeout 10 "$BH" scan "$T/bomb.yaml" >/dev/null 2>"$T/err"; rc=$?
check "alias bomb exits 2 (not killed)" test $rc = 2
check "alias bomb explained" grep -q 'through aliases' "$T/err"

# JSON output is one valid object in the documented shape
"$BH" scan --format json "$G/cronjob-ephemeral-privileged.yaml" >"$T/j"
check "json shape" jq -e '.tool.name == "bulkhead" and (.findings[0] | has("rule") and has("severity") and has("location") and has("object") and has("pss"))' "$T/j" >/dev/null
check "json location points at the value" jq -e '.findings[0].location.line == 20' "$T/j" >/dev/null
# errors come out as JSON when JSON was asked for
"$BH" scan --format json >"$T/j" 2>/dev/null
check "usage error as JSON" jq -e '.error | test("no input")' "$T/j" >/dev/null

# a Namespace's enforce label found by the PSS pre-pass: the warning points at the Namespace's line
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: prod}\nspec:\n  containers: [{name: c, image: x, securityContext: {runAsNonRoot: true}}]\n---\n# c\n...\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n' >"$T/ns.yaml"
"$BH" scan --format json "$T/ns.yaml" >"$T/ns.json"
check "namespace label warning at line 10" jq -e '[.warnings[] | select(.message | test("enforces Pod Security restricted")) | .line] == [10]' "$T/ns.json" >/dev/null
check "the pod is judged at restricted" jq -e '[.findings[] | select(.pss.level == "restricted")] | length > 0' "$T/ns.json" >/dev/null

# the real-world corpus scans without input errors
if [ -d "$SHARED/corpus/real" ]; then
	"$BH" scan --format json --fail-on none "$SHARED/corpus/real" >"$T/real.json" 2>"$T/err"; rc=$?
	check "real-world corpus: exit 0 with --fail-on none" test $rc = 0
	check "real-world corpus: no input errors" jq -e '.errors == []' "$T/real.json" >/dev/null
	check "real-world corpus: findings" jq -e '.summary.findings.critical > 0' "$T/real.json" >/dev/null
else
	skip "../shared/corpus/real not present"
fi
finish
