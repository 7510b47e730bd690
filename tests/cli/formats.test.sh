#!/usr/bin/env bash
# SARIF 2.1.0, JUnit XML and PolicyReport output of `bulkhead scan`, checked structurally against their
# specifications (no schema download at test time), plus --jobs determinism.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
G="$TOP/tests/golden/cases"
command -v jq >/dev/null || { skip "jq missing"; finish; exit; }

# SARIF: the rules of sarif-v2.1.0 §3.13 (sarifLog), §3.14 (run), §3.19 (toolComponent), §3.49
# (reportingDescriptor), §3.27 (result), §3.28-3.30 (locations, regions), §3.35 (suppression)
"$BH" scan --format sarif --fail-on none "$G" >"$T/s.sarif"; check "sarif exits 2 (the golden cases hold an invalid object)" test $? = 2
sarif_valid() {
	jq -e '
	  (.version == "2.1.0") and (."$schema" | test("sarif-2.1.0")) and (.runs | type == "array" and length == 1) and
	  (.runs[0] as $run |
	    ($run.tool.driver.name == "bulkhead") and ($run.tool.driver.version | type == "string") and
	    ($run.tool.driver.rules | type == "array") and
	    ([$run.tool.driver.rules[].id] | length == (unique | length)) and
	    all($run.tool.driver.rules[];
	        (.id | test("^BH[0-9]{4}$")) and (.shortDescription.text | type == "string" and length > 0) and
	        (.defaultConfiguration.level | IN("none", "note", "warning", "error")) and
	        (.properties["security-severity"] | tonumber | . >= 0 and . <= 10)) and
	    all($run.results[];
	        (.message.text | type == "string" and length > 0) and
	        (.level | IN("none", "note", "warning", "error")) and
	        (.ruleIndex as $i | $run.tool.driver.rules[$i].id == .ruleId) and
	        all(.locations[]?;
	            (.physicalLocation.artifactLocation.uri | type == "string" and length > 0 and (test(" ") | not)) and
	            ((.physicalLocation.region // {startLine: 1, startColumn: 1}) | .startLine >= 1 and .startColumn >= 1)) and
	        all(.suppressions[]?; .kind | IN("inSource", "external"))) and
	    ($run.invocations[0].executionSuccessful | type == "boolean"))' "$1" >/dev/null
}
check "sarif: valid by the 2.1.0 structure" sarif_valid "$T/s.sarif"
check "sarif: has results with regions" jq -e '[.runs[0].results[] | select(.locations[0].physicalLocation.region.startLine > 0)] | length > 5' "$T/s.sarif" >/dev/null
check "sarif: invalid input makes executionSuccessful false" jq -e '.runs[0].invocations[0].executionSuccessful == false' "$T/s.sarif" >/dev/null
check "sarif: critical maps to security-severity >= 9" jq -e '[.runs[0].tool.driver.rules[] | select(.id == "BH0001") | .properties["security-severity"] | tonumber] == [9.5]' "$T/s.sarif" >/dev/null
# the validator itself rejects broken logs
jq '.runs[0].results[0].ruleIndex = 999' "$T/s.sarif" >"$T/bad1.sarif"
not() { ! "$@"; }
check "sarif validator catches a wrong ruleIndex" not sarif_valid "$T/bad1.sarif"
jq 'del(.runs[0].results[0].message)' "$T/s.sarif" >"$T/bad2.sarif"
check "sarif validator catches a missing message" not sarif_valid "$T/bad2.sarif"
# paths with spaces are percent-encoded
mkdir -p "$T/with space"; cp "$G/privileged-yes.yaml" "$T/with space/p.yaml"
(cd "$T" && "$BH" scan --format sarif "with space/p.yaml" >"$T/sp.sarif")
check "sarif: uri percent-encoded" jq -e '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri == "with%20space/p.yaml"' "$T/sp.sarif" >/dev/null

# JUnit: one testcase per object, a failure per finding
"$BH" scan --format junit "$G/host-namespaces.yaml" "$G/hardened.yaml" >"$T/j.xml"; check "junit exits 1 on findings" test $? = 1
check "junit: two testcases" test "$(grep -c '<testcase ' "$T/j.xml")" = 2
check "junit: a failure per finding" test "$(grep -c '<failure ' "$T/j.xml")" = "$("$BH" scan --format json "$G/host-namespaces.yaml" | jq '.findings | length')"
check "junit: suite counts" grep -q 'tests="2" failures="1" errors="0"' "$T/j.xml"
if command -v xmllint >/dev/null; then check "junit: well-formed XML" xmllint --noout "$T/j.xml"
else check "junit: balanced testcase tags" test "$(grep -c '<testcase ' "$T/j.xml")" = "$(grep -c '</testcase>' "$T/j.xml")"; fi
printf 'kind: Pod\nmetadata: {name: "a<b&c"}\nspec:\n  hostPID: true\n  containers: [{name: x, image: y}]\n' >"$T/esc.yaml"
"$BH" scan --format junit "$T/esc.yaml" >"$T/esc.xml"
check "junit: XML escaping" grep -q 'a&lt;b&amp;c' "$T/esc.xml"

# PolicyReport: one per namespace, a ClusterPolicyReport for cluster-scoped objects; a namespaced object
# without a namespace (capabilities.yaml's Pod) counts in the namespace kubectl would use: default
"$BH" scan --format policyreport --fail-on none "$G/privileged-yes.yaml" "$G/host-namespaces.yaml" "$G/hardened.yaml" "$G/capabilities.yaml" >"$T/pr.json"
check "policyreport: a List" jq -e '.kind == "List" and .apiVersion == "v1"' "$T/pr.json" >/dev/null
check "policyreport: demo, kube-system, web and default reports" jq -e '[.items[] | (.metadata.namespace // "cluster")] == ["demo", "kube-system", "web", "default"]' "$T/pr.json" >/dev/null
check "policyreport: no ClusterPolicyReport for namespaced objects" jq -e '[.items[] | select(.kind == "ClusterPolicyReport")] == []' "$T/pr.json" >/dev/null
check "policyreport: wgpolicyk8s.io/v1alpha2 kinds" jq -e 'all(.items[]; .apiVersion == "wgpolicyk8s.io/v1alpha2" and (.kind | IN("PolicyReport", "ClusterPolicyReport")))' "$T/pr.json" >/dev/null
check "policyreport: results shape" jq -e 'all(.items[].results[]; (.result | IN("pass", "fail", "warn", "error", "skip")) and (.severity | IN("critical", "high", "medium", "low", "info")) and (.resources | length == 1) and (.properties | to_entries | all(.value | type == "string")))' "$T/pr.json" >/dev/null
check "policyreport: every result belongs to its report's namespace" jq -e 'all(.items[]; .metadata.namespace as $ns | all(.results[]; .resources[0].namespace == $ns))' "$T/pr.json" >/dev/null
check "policyreport: fail results match the summary" jq -e 'all(.items[]; .summary.fail == ([.results[] | select(.result == "fail")] | length))' "$T/pr.json" >/dev/null
check "policyreport: summary counts the hardened object as pass" jq -e '.items[] | select(.metadata.namespace == "web") | .summary.pass == 1 and .summary.fail == 0' "$T/pr.json" >/dev/null
n=$("$BH" scan --format json "$G/host-namespaces.yaml" | jq '.findings | length')
check "policyreport: kube-system fails once per finding" jq -e --argjson n "$n" '.items[] | select(.metadata.namespace == "kube-system") | .summary.fail == $n' "$T/pr.json" >/dev/null

# --jobs: the same output for any number of threads
"$BH" scan --format json --fail-on none --jobs 1 "$G" >"$T/j1.json"
"$BH" scan --format json --fail-on none --jobs 2 "$G" >"$T/j2.json"
"$BH" scan --format json --fail-on none --jobs 7 "$G" >"$T/j7.json"
check "--jobs 1/2/7 print the same" bash -c "cmp -s '$T/j1.json' '$T/j2.json' && cmp -s '$T/j1.json' '$T/j7.json'"
"$BH" scan --jobs 0 "$G" 2>/dev/null; check "--jobs 0 is a usage error" test $? = 2

# a large YAML file is cut into slices at document boundaries and parsed on every core: the output,
# line numbers included, is that of one sequential pass
for i in $(seq 1 400); do cat "$G/hardened.yaml"; printf -- '---\n'; cat "$G/capabilities.yaml"; printf -- '---\n'; done >"$T/big.yaml"
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: last}\nspec:\n  hostPID: true\n  containers: [{name: c, image: x}]\n---\n' >>"$T/big.yaml"
while [ "$(stat -c %s "$T/big.yaml")" -lt $((5 * 1024 * 1024)) ]; do cat "$T/big.yaml" "$T/big.yaml" >"$T/big2.yaml"; mv "$T/big2.yaml" "$T/big.yaml"; done
"$BH" scan --format json --fail-on none --jobs 1 "$T/big.yaml" >"$T/b1.json"
"$BH" scan --format json --fail-on none --jobs 2 "$T/big.yaml" >"$T/b2.json"
check "large file: --jobs 1 and 2 print the same" cmp -s "$T/b1.json" "$T/b2.json"
last=$(grep -n 'name: last' "$T/big.yaml" | tail -n 1 | cut -d: -f1)
check "large file: the last object's finding has its line in the whole file" jq -e --argjson l "$((last + 2))" '[.findings[] | select(.rule == "BH0002") | .location.line] | max == $l' "$T/b2.json" >/dev/null
check "large file: every object counted once" jq -e --argjson n "$(grep -c '^kind:' "$T/big.yaml")" '.summary.objects == $n and .summary.files == 1' "$T/b2.json" >/dev/null
finish
