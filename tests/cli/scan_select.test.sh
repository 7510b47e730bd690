#!/usr/bin/env bash
# Adopting `bulkhead scan` on an existing repository (issue 18): --enable/--disable rules or areas, stable
# finding fingerprints and --baseline (only new findings), PolicyReports for namespaced objects without a
# namespace, helm's "# Source:" comments, completion of option values and rule ids.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"
E="$TOP/examples"

# --disable / --enable RULE|name|area
"$BH" scan --format json --disable BH0001 --disable cap-sys-ptrace "$E" >"$T/j" 2>/dev/null
check "--disable: BH0001 and cap-sys-ptrace gone" jq -e '[.findings[].rule] | all(. != "BH0001" and . != "BH0010")' "$T/j" >/dev/null
check "--disable: others stay" jq -e '.findings | length > 0' "$T/j" >/dev/null
"$BH" scan --format json --enable privileged-container "$E" >"$T/j" 2>/dev/null; rc=$?
check "--enable: only the named rule" jq -e '[.findings[].rule] | unique == ["BH0001"]' "$T/j" >/dev/null
check "--enable: still exit 1 on it" test $rc = 1
"$BH" scan --format json --disable pss --pss restricted "$E" >"$T/j" 2>/dev/null
check "--disable pss: no BH01xx (Pod Security area) findings" jq -e '[.findings[].rule] | all(startswith("BH01") | not)' "$T/j" >/dev/null
"$BH" scan --format json --enable pss --pss restricted "$E" >"$T/j" 2>/dev/null
check "--enable pss: only Pod Security area findings" jq -e '(.findings | length > 0) and ([.findings[].rule] | all(startswith("BH01")))' "$T/j" >/dev/null
"$BH" scan --disable BH9999 "$E" >/dev/null 2>"$T/err"; rc=$?
check "--disable unknown rule: exit 2" test $rc = 2
check "… says so" grep -q "unknown rule or area 'BH9999'" "$T/err"
"$BH" scan --fail-on high --disable privileged-container --disable host-pid --disable host-network --disable host-path-volume \
	--disable cap-sys-ptrace --disable cap-net-admin --disable cap-sys-admin "$G/privileged-yes.yaml" >/dev/null 2>&1; rc=$?
check "--disable takes the rule out of the exit code too" test $rc = 0

# fingerprints: stable across line moves and runs, different per finding
"$BH" scan --format json "$E" >"$T/a.json" 2>/dev/null
check "json: every finding has a 16-hex fingerprint" jq -e 'all(.findings[]; .fingerprint | test("^[0-9a-f]{16}$"))' "$T/a.json" >/dev/null
check "json: fingerprints are distinct" jq -e '[.findings[].fingerprint] | length == (unique | length)' "$T/a.json" >/dev/null
"$BH" scan --format sarif "$E" >"$T/a.sarif" 2>/dev/null
check "sarif: partialFingerprints equal the JSON fingerprints" bash -c "diff <(jq -r '.runs[0].results[].partialFingerprints[\"bulkhead/v1\"]' '$T/a.sarif' | sort) <(jq -r '.findings[].fingerprint' '$T/a.json' | sort)"
mkdir -p "$T/repo/examples"; cp "$E"/*.yaml "$T/repo/examples/"
(cd "$T/repo" && "$BH" scan --format json examples/ >"$T/base.json" 2>/dev/null)
{ printf '# a comment that moves every line down\n\n'; cat "$E/risky-daemonset.yaml"; } >"$T/repo/examples/risky-daemonset.yaml"
(cd "$T/repo" && "$BH" scan --format json examples/ >"$T/moved.json" 2>/dev/null)
check "fingerprints survive moved lines" bash -c "diff <(jq -r '.findings[].fingerprint' '$T/base.json' | sort) <(jq -r '.findings[].fingerprint' '$T/moved.json' | sort)"

# --baseline FILE: only findings not in a previous JSON report
(cd "$T/repo" && "$BH" scan --baseline "$T/base.json" examples/ >"$T/o" 2>"$T/err"); rc=$?
check "--baseline: nothing new, exit 0" test $rc = 0
check "--baseline: says how many were in the baseline" grep -qE '[0-9]+ findings in the baseline .* not shown' "$T/err"
sed 's/hostPID: true/hostPID: true\n      hostIPC: true/' "$T/repo/examples/risky-daemonset.yaml" >"$T/x" && mv "$T/x" "$T/repo/examples/risky-daemonset.yaml"
(cd "$T/repo" && "$BH" scan --format json --baseline "$T/base.json" examples/ >"$T/new.json" 2>/dev/null); rc=$?
check "--baseline: a new hostIPC finding exits 1" test $rc = 1
check "--baseline: only the new finding is reported" jq -e '[.findings[].name] == ["host-ipc"]' "$T/new.json" >/dev/null
echo '{"not": "a report"}' >"$T/bad.json"
"$BH" scan --baseline "$T/bad.json" "$E" >/dev/null 2>"$T/err"; rc=$?
check "--baseline that is no bulkhead JSON report: exit 2" test $rc = 2
"$BH" scan --baseline "$T/none.json" "$E" >/dev/null 2>&1; check "--baseline missing file: exit 2" test $? = 2

# PolicyReport: namespaced objects without a namespace go to --policyreport-namespace (default: default)
"$BH" scan --format policyreport --fail-on none "$G/capabilities.yaml" >"$T/pr.json"
check "policyreport: a Pod without namespace goes to the default namespace" jq -e '[.items[] | .kind + "/" + (.metadata.namespace // "-")] == ["PolicyReport/default"]' "$T/pr.json" >/dev/null
"$BH" scan --format policyreport --policyreport-namespace team-a --fail-on none "$G/capabilities.yaml" >"$T/pr.json"
check "policyreport: --policyreport-namespace team-a" jq -e '[.items[].metadata.namespace] == ["team-a"]' "$T/pr.json" >/dev/null
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n' >"$T/ns.yaml"
"$BH" scan --format policyreport --fail-on none "$T/ns.yaml" >"$T/pr.json"
check "policyreport: a cluster-scoped Namespace stays in the ClusterPolicyReport" jq -e '[.items[].kind] == ["ClusterPolicyReport"]' "$T/pr.json" >/dev/null

# helm template output on stdin: findings name the template in "# Source:"
{ printf -- '---\n# Source: app/templates/ok.yaml\n'; cat "$G/hardened.yaml"; printf -- '---\n# Source: app/templates/agent.yaml\n'; cat "$G/privileged-yes.yaml"; } >"$T/helm.yaml"
"$BH" scan --format json - <"$T/helm.yaml" >"$T/j" 2>/dev/null
check "helm: findings attributed to app/templates/agent.yaml" jq -e '[.findings[].location.file] | unique == ["app/templates/agent.yaml"]' "$T/j" >/dev/null
first=$(grep -n 'privileged: ' "$G/privileged-yes.yaml" | head -1 | cut -d: -f1)
check "helm: line numbers count within the template's output ($first)" jq -e --argjson l "$first" '[.findings[] | select(.rule == "BH0001") | .location.line] == [$l]' "$T/j" >/dev/null
"$BH" scan --format json "$T/helm.yaml" >"$T/j" 2>/dev/null
check "a regular file keeps its own name" jq -e '[.findings[].location.file] | unique | length == 1 and (.[0] | endswith("helm.yaml"))' "$T/j" >/dev/null

# completion: values of --format, --fail-on, --severity, --color, --pss, and rule ids for --enable/--disable
words() { # complete the command line "$@" (last word is being completed)
	COMP_WORDS=("$BH" "$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
	. "$TOP/scripts/completion/bulkhead.bash"; _bulkhead; printf '%s\n' "${COMPREPLY[@]}"
}
check "completion: scan --format c → compact" test "$(words scan --format c)" = compact
check "completion: scan --format offers every format" test "$(words scan --format '' | sort | tr '\n' ' ')" = "compact json junit policyreport sarif text "
check "completion: --fail-on offers severities" test "$(words scan --fail-on '' | sort | tr '\n' ' ')" = "critical high info low medium none "
check "completion: --severity cr → critical" test "$(words scan --severity cr)" = critical
check "completion: --color offers auto always never" test "$(words scan --color '' | sort | tr '\n' ' ')" = "always auto never "
check "completion: --pss offers levels" test "$(words scan --pss '' | sort | tr '\n' ' ')" = "baseline none privileged restricted "
check "completion: --disable BH000 → rule ids" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --disable BH000 | grep -qx BH0001"
check "completion: --enable priv → privileged-container" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --enable privileged-c | grep -qx privileged-container"
check "completion: --enable offers areas" bash -c "$(declare -f words); BH='$BH' TOP='$TOP' words scan --enable ps | grep -qx pss"
check "completion: --output completes files" bash -c "cd '$TOP' && $(declare -f words); BH='$BH' TOP='$TOP' words scan --output READM | grep -qx README.md"
finish
