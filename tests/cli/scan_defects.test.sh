#!/usr/bin/env bash
# Daily-use defects of `bulkhead scan` (issue 18): the report never overwrites an input, the summary still
# reaches the terminal with --output, unreadable files carry no fake 0:0 position, an explicit --pss LEVEL
# gates like `pss --level`, and inputs without any Kubernetes object say so.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"

# --output naming an input: refused before anything is written
cp "$G/privileged-yes.yaml" "$T/v.yaml"; cp "$T/v.yaml" "$T/v.orig"
"$BH" scan --output "$T/v.yaml" "$T/v.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "--output = input exits 2" test $rc = 2
check "--output = input: the input is untouched" cmp -s "$T/v.yaml" "$T/v.orig"
check "--output = input: says why" grep -q "is also an input" "$T/err"
ln -s v.yaml "$T/link.yaml"
"$BH" scan --format json --output "$T/link.yaml" "$T/v.yaml" >/dev/null 2>&1; rc=$?
check "--output = input through a symlink exits 2" test $rc = 2
check "--output = input through a symlink: untouched" cmp -s "$T/v.yaml" "$T/v.orig"
mkdir "$T/d"; cp "$T/v.yaml" "$T/d/x.yaml"
"$BH" scan --output "$T/d/x.yaml" "$T/d" >/dev/null 2>&1; rc=$?
check "--output = a file of an input directory exits 2" test $rc = 2
check "--output = a file of an input directory: untouched" cmp -s "$T/d/x.yaml" "$T/v.orig"

# --output: the report goes to the file, the one-line summary to stderr, nothing to stdout
"$BH" scan --format sarif --output "$T/r.sarif" "$G/privileged-yes.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "--output: exit 1 on a critical finding" test $rc = 1
check "--output: stdout stays empty" test ! -s "$T/out"
check "--output: summary on stderr" grep -qE '^1 file, 1 object: [0-9]+ critical' "$T/err"
check "--output: the report is SARIF" jq -e '.version == "2.1.0"' "$T/r.sarif" >/dev/null

# unreadable inputs: file: error: …, no 0:0; JSON keeps line/column 0 (schema: 0 = whole file)
"$BH" scan "$T/nope.yaml" "$G/privileged-yes.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "missing file exits 2" test $rc = 2
check "missing file: '$T/nope.yaml: error: cannot read'" grep -qF "$T/nope.yaml: error: cannot read" "$T/err"
check "no :0:0 position in text" bash -c "! grep -q ':0:0' '$T/err'"
"$BH" scan --format json "$T/nope.yaml" >"$T/j" 2>/dev/null
check "json: errors[].line and column are 0 for a whole file" jq -e '.errors[0] | .line == 0 and .column == 0' "$T/j" >/dev/null
"$BH" scan --format junit "$T/nope.yaml" >"$T/x" 2>/dev/null
check "junit: no :0:0 position" bash -c "! grep -q ':0:0' '$T/x'"

# --pss LEVEL given: a violation at that level fails like `pss --level LEVEL`
cat >"$T/restricted.yaml" <<'Y'
apiVersion: v1
kind: Pod
metadata: {name: plain, namespace: demo}
spec:
  containers:
  - name: app
    image: registry.example.com/app@sha256:0000000000000000000000000000000000000000000000000000000000000000
Y
"$BH" pss --level restricted "$T/restricted.yaml" >/dev/null 2>&1; prc=$?
check "pss --level restricted forbids the plain pod (exit 1)" test $prc = 1
"$BH" scan --pss restricted "$T/restricted.yaml" >"$T/out" 2>&1; rc=$?
check "scan --pss restricted exits 1 where pss --level restricted does" test $rc = 1
"$BH" scan --pss restricted --fail-on none "$T/restricted.yaml" >/dev/null 2>&1; rc=$?
check "scan --pss restricted --fail-on none exits 0" test $rc = 0
"$BH" scan "$T/restricted.yaml" >/dev/null 2>&1; rc=$?
check "default scan (no --pss) of the plain pod: below high, exit 0" test $rc = 0
"$BH" scan --pss baseline "$T/restricted.yaml" >/dev/null 2>&1; rc=$?
check "scan --pss baseline of a baseline-clean pod exits 0" test $rc = 0

# over every golden case: whatever `pss --level L` rejects, `scan --pss L` fails on
for lvl in baseline restricted; do
	miss=""
	for f in "$G"/*.yaml; do
		"$BH" pss --level $lvl "$f" >/dev/null 2>&1 || [ $? != 1 ] || {
			BULKHEAD_CONFIG=/dev/null "$BH" scan --pss $lvl "$f" >/dev/null 2>&1 && miss="$miss $(basename "$f")"; }
	done
	check "every golden case pss --level $lvl rejects fails scan --pss $lvl (missed:${miss:- none})" test -z "$miss"
done

# nothing to scan: a clear warning and exit 2
: >"$T/empty.yaml"
"$BH" scan "$T/empty.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "empty file exits 2" test $rc = 2
check "empty file: 'no Kubernetes objects found in'" grep -q "no Kubernetes objects found in .*empty.yaml" "$T/err"
mkdir -p "$T/nomani/sub" "$T/links"
echo text >"$T/nomani/README.md"
ln -s "$T/nomani" "$T/links/dir"
for d in nomani links; do
	"$BH" scan "$T/$d" >"$T/out" 2>"$T/err"; rc=$?
	check "$d: exit 2 (nothing scanned)" test $rc = 2
	check "$d: warning names the directory" grep -q "no Kubernetes objects found in $T/$d" "$T/err"
done
"$BH" scan --format json "$T/nomani" >"$T/j" 2>/dev/null
check "json: the warning is in warnings[]" jq -e '.warnings | map(.message) | any(test("no Kubernetes objects found"))' "$T/j" >/dev/null
"$BH" scan "$T/empty.yaml" "$G/hardened.yaml" >"$T/out" 2>"$T/err"; rc=$?
check "an empty input beside a clean one: exit 0" test $rc = 0
check "… with a warning for the empty one" grep -q "empty.yaml.*no Kubernetes objects found" "$T/err"

# docs, README, help
for o in --format --output --fail-on --pss --config --show-suppressed --jobs --quiet; do
	check "docs/scan.md synopsis lists $o" bash -c "sed -n '/^\`\`\`/,/^\`\`\`/p' '$TOP/docs/scan.md' | head -12 | grep -q -- '$o'"
done
for f in text json sarif junit policyreport; do
	check "docs/scan.md synopsis lists format $f" bash -c "sed -n '/^\`\`\`/,/^\`\`\`/p' '$TOP/docs/scan.md' | head -12 | grep -q -- '$f'"
done
ex=$(grep -o 'bulkhead scan --config [^ ]* --show-suppressed [^ ]*' "$TOP/README.md" | head -1)
check "README has the --config --show-suppressed example" test -n "$ex"
read -r _ _ _ cfg _ dir <<<"$ex"
with=$(cd "$TOP" && "$BH" scan --config "$cfg" --show-suppressed --format json "$dir" 2>/dev/null | jq '[.findings[] | select(.suppressed)] | length')
without=$(cd "$TOP" && BULKHEAD_CONFIG=/dev/null "$BH" scan --show-suppressed --format json "$dir" 2>/dev/null | jq '[.findings[] | select(.suppressed)] | length')
check "README --config example: the config suppresses something ($without without it, $with with it)" test "${with:-0}" -gt "${without:-0}"
"$BH" --help | grep -E '^  rules ' >"$T/h"
"$BH" rules | head -1 >"$T/r1"
if grep -qi pss "$T/h"; then
	check "top-level help promises PSS only if rules prints it" grep -qi pss "$T/r1"
else ok "top-level help does not promise a PSS column"; fi
check "README and docs do not point to ../shared" bash -c "! grep -rn '\.\./shared' '$TOP/README.md' '$TOP/docs' --include='*.md'"
check "README and docs do not cite DESIGN §" bash -c "! grep -rn 'DESIGN §\|DESIGN\.md' '$TOP/README.md' '$TOP/docs' --include='*.md'"
# kubectl's answer for an empty namespace is an empty List: a complete input with nothing in it, warned
# about but not an input error (exit 0), while an empty stdin is one (exit 2)
printf 'apiVersion: v1\nkind: List\nitems: []\n' >"$T/emptylist.yaml"
"$BH" scan "$T/emptylist.yaml" >"$T/el.out" 2>"$T/el.err"; rc=$?
check "an empty List (kubectl get on an empty namespace) exits 0" test "$rc" = 0
check "... with the warning that it holds no objects" grep -q "no Kubernetes objects found" "$T/el.err"
printf 'apiVersion: v1\nkind: PodList\nitems: []\n' | "$BH" scan - >/dev/null 2>&1
check "an empty PodList on stdin exits 0" test $? = 0
printf '' | "$BH" scan - >/dev/null 2>&1
check "an empty stdin still exits 2" test $? = 2
finish
