#!/usr/bin/env bash
# bulkhead cluster on snapshots: one golden case per edge kind and rule, positive and negative
# (tests/fixtures/cluster/cases/*.yaml; each names what it expects in its header), the scenario in every
# output format, exit codes and input errors.
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/cluster
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq not installed"; finish; exit; }

# ---- golden cases ----
for f in "$FIX"/cases/*.yaml; do
	name=$(basename "$f" .yaml)
	args=$(sed -n 's/^# args: //p' "$f" | FIX=$FIX envsubst)
	# shellcheck disable=SC2086
	"$BH" cluster --format json --findings info $args "$f" >"$T/out.json" 2>"$T/err"
	rc=$?
	if [ $rc -gt 1 ]; then fail "$name: exit $rc: $(head -c 300 "$T/err")"; continue; fi
	while read -r what id; do
		case $what in
		expect-path:) check "$name: a path has a step $id" jq -e --arg id "$id" '[.paths[].steps[].rule] | index($id) != null' "$T/out.json" >/dev/null ;;
		expect-no-path:) check "$name: no path has a step $id" jq -e --arg id "$id" '[.paths[].steps[].rule] | index($id) == null' "$T/out.json" >/dev/null ;;
		expect-finding:) check "$name: finding $id" jq -e --arg id "$id" '[.findings[].rule] | index($id) != null' "$T/out.json" >/dev/null ;;
		expect-no-finding:) check "$name: no finding $id" jq -e --arg id "$id" '[.findings[].rule] | index($id) == null' "$T/out.json" >/dev/null ;;
		esac
	done < <(sed -n 's/^# \(expect[a-z-]*:\) \(BH[0-9]*\)$/\1 \2/p' "$f")
	# expect-step-severity: RULE SEV — some path has a step of RULE at severity SEV
	while read -r id sev; do
		check "$name: a step $id is $sev" jq -e --arg id "$id" --arg sev "$sev" '[.paths[].steps[] | select(.rule == $id) | .severity] | index($sev) != null' "$T/out.json" >/dev/null
	done < <(sed -n 's/^# expect-step-severity: \(BH[0-9]*\) \([a-z]*\)$/\1 \2/p' "$f")
	if [ $rc = 1 ] && ! jq -e '[.paths[] | select(.severity == "critical" or .severity == "high")] | length > 0' "$T/out.json" >/dev/null; then
		fail "$name: exit 1 without a high or critical path"
	fi
done

# NetworkPolicy reach: evaluated only when the snapshot has policies; the facts say what was decided
"$BH" cluster --format json "$FIX/cases/reach-token-neg.yaml" >"$T/r.json"
check "reach: default-deny egress — evaluated, the pod's token cannot reach the API server" \
	jq -e '.networkPolicy.evaluated and .networkPolicy.apiServerBlocked == 1 and ([.tokens[] | select(.workload.name == "ci") | .apiServerReachable] == [false])' "$T/r.json" >/dev/null
"$BH" cluster --format json "$FIX/cases/pod-token-pos.yaml" >"$T/r.json"
check "reach: no policy in the snapshot — not evaluated, no reach keys on tokens" \
	jq -e '(.networkPolicy.evaluated | not) and all(.tokens[]; has("apiServerReachable") | not)' "$T/r.json" >/dev/null
"$BH" cluster "$FIX/cases/reach-token-neg.yaml" >"$T/r.txt"
check "reach: text names the step's NetworkPolicy reason and the summary line" sh -c "grep -q 'API server is not reachable from the pod under NetworkPolicy' '$T/r.txt' && grep -q '^NetworkPolicy (1 policies' '$T/r.txt'"
# the same objects as the API server's (and --save's) *List pages: items without kind and apiVersion
yq_pages() { jq -c -s 'map(select(. != null)) | group_by(.apiVersion + " " + .kind)[] | {apiVersion: .[0].apiVersion, kind: (.[0].kind + "List"), items: map(del(.apiVersion, .kind))}'; }
if command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null; then
	python3 -c 'import sys, yaml, json; [print(json.dumps(d)) for d in yaml.safe_load_all(open(sys.argv[1]))]' "$FIX/cases/reach-token-neg.yaml" | yq_pages >"$T/pages.json"
	"$BH" cluster --format json "$T/pages.json" >"$T/r.json"
	check "reach: *List pages without item kinds (live, --save) are evaluated alike" \
		jq -e '.networkPolicy.evaluated and .networkPolicy.apiServerBlocked == 1 and ([.paths[].steps[] | select(.rule == "BH0715") | .severity] | unique) == ["low"]' "$T/r.json" >/dev/null
else
	skip "python3-yaml absent: *List pages not checked"
fi
# a snapshot of several MB (the NetworkPolicy model is built from the decoded objects): evaluated, no error
awk 'BEGIN { print "{\"apiVersion\":\"v1\",\"kind\":\"PodList\",\"items\":["
	for (i = 0; i < 20000; i++) printf "%s{\"metadata\":{\"name\":\"p%d\",\"namespace\":\"app\",\"labels\":{\"app\":\"a%d\"}},\"spec\":{\"nodeName\":\"n1\",\"automountServiceAccountToken\":false,\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]},\"status\":{\"podIPs\":[{\"ip\":\"10.1.%d.%d\"}]}}\n", i ? "," : "", i, i % 50, i / 250, i % 250
	print "]}"
	print "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"deny\",\"namespace\":\"app\"},\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Egress\"]}}" }' >"$T/big.json"
"$BH" cluster --format json "$T/big.json" >"$T/r.json"
check "reach: a $(($(wc -c <"$T/big.json") / 1048576)) MB snapshot is evaluated without input errors" \
	jq -e '.errors == [] and .networkPolicy.evaluated and .networkPolicy.pods == 20000' "$T/r.json" >/dev/null
printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: bad, namespace: a}\nspec:\n  podSelector: {}\n  egress: [{to: [{ipBlock: {cidr: 10.0.0.0/99}}]}]\n' >"$T/badnp.yaml"
"$BH" cluster --format json "$T/badnp.yaml" >"$T/r.json" 2>/dev/null; rc=$?
check "reach: an invalid NetworkPolicy is an input error (exit 2) with its place" \
	sh -c "test $rc = 2 && jq -e '[.errors[] | select(.line > 0)] | length == 1' '$T/r.json' >/dev/null"

# every cluster rule has a golden case (a positive and a negative naming it)
for id in $("$BH" rules --format json | jq -r '.rules[] | select(.area == "cluster") | .id'); do
	check "$id has a positive and a negative case" sh -c "grep -lq '$id' '$FIX'/cases/*-pos*.yaml && grep -l '$id' '$FIX'/cases/*-neg*.yaml | grep -q ."
done

# ---- the scenario ----
S=$FIX/scenario.yaml
"$BH" cluster --format json "$S" >"$T/s.json"; rc=$?
check "scenario: exit 1 (critical paths)" test $rc = 1
check "scenario: JSON has the contract's keys" jq -e 'has("paths") and has("findings") and has("nodes") and has("summary")' "$T/s.json" >/dev/null
check "scenario: every path has severity, from, to and steps with rule, text, object" \
	jq -e 'all(.paths[]; (.severity | IN("critical","high","medium","low")) and (.from | has("kind") and has("namespace") and has("name")) and (.to.kind | IN("Node","ClusterAdmin")) and (.to | has("name")) and (.steps | length > 0) and all(.steps[]; has("rule") and has("text") and (.object | has("kind") and has("namespace") and has("name"))))' "$T/s.json" >/dev/null
check "scenario: alice reaches a node by creating a privileged pod in team" \
	jq -e '[.paths[] | select(.from.name == "alice" and .to.kind == "Node") | .steps[0].rule] == ["BH0701"]' "$T/s.json" >/dev/null
check "scenario: bob (exec in restricted secure, hardened pod, no token) has no path" \
	jq -e '[.paths[] | select(.from.name == "bob")] == []' "$T/s.json" >/dev/null
check "scenario: builder → node-1 → the ops token → cluster-admin in 3 steps" \
	jq -e '[.paths[] | select(.from.name == "builder" and .to.kind == "ClusterAdmin") | [.steps[].rule]] == [["BH0005","BH0716","BH0700"]]' "$T/s.json" >/dev/null
check "scenario: paths ranked by severity then length" \
	jq -e '[.paths[] | [({"critical":0,"high":1,"medium":2,"low":3}[.severity]), (.steps | length)]] as $k | $k == ($k | sort)' "$T/s.json" >/dev/null
check "scenario: node-2's Debian kernel is in range by upstream version, with the caveat" \
	jq -e '[.nodes[] | select(.name == "node-2") | .cves[] | select(.match == "in-range-upstream" and (.caveat | test("check the distribution")))] | length > 0' "$T/s.json" >/dev/null
check "scenario: workload findings in scan's shape" jq -e '[.findings[] | select(.rule == "BH0005" and .object.name == "builder")] | length == 1' "$T/s.json" >/dev/null
check "scenario: namespace facts say secure enforces restricted (label)" \
	jq -e '.namespaces[] | select(.name == "secure") | .enforce.level == "restricted" and .source == "label" and .privilegedAllowed == false' "$T/s.json" >/dev/null
if python3 -c 'import jsonschema' 2>/dev/null; then
	check "scenario: JSON validates against docs/schema/cluster.schema.json" python3 -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$T/s.json" "$TOP/docs/schema/cluster.schema.json"
else
	skip "python3-jsonschema absent: schema not checked"
fi
# kubectl runs a plugin named kubectl-bulkhead found on PATH (make install links it)
if command -v kubectl >/dev/null; then
	mkdir -p "$T/bin" && ln -s "$BH" "$T/bin/kubectl-bulkhead"
	PATH="$T/bin:$PATH" kubectl bulkhead cluster --format json "$S" >"$T/plugin.json"
	check "kubectl bulkhead cluster (plugin): the same paths" cmp -s <(jq -c .paths "$T/s.json") <(jq -c .paths "$T/plugin.json")
else
	skip "kubectl absent: plugin dispatch not checked"
fi
"$BH" cluster "$S" >"$T/s.txt"
check "text: paths first, then the facts" sh -c "head -1 '$T/s.txt' | grep -q '^Escape paths' && grep -q '^Namespaces' '$T/s.txt' && grep -q '^Nodes' '$T/s.txt'"
"$BH" cluster --format sarif "$S" >"$T/s.sarif"
check "sarif: 2.1.0 with one result per path plus the findings" \
	jq -e --slurpfile j "$T/s.json" '.version == "2.1.0" and (.runs[0].results | length) == (($j[0].paths | length) + ($j[0].findings | length))' "$T/s.sarif" >/dev/null
"$BH" cluster --format dot "$S" >"$T/s.dot"
check "dot: a digraph with the rule on the edges" sh -c "head -1 '$T/s.dot' | grep -q '^digraph' && grep -q 'label=\"BH0701\"' '$T/s.dot'"
if command -v dot >/dev/null; then check "dot: Graphviz accepts it" dot -Tsvg -o "$T/s.svg" "$T/s.dot"; else skip "dot binary absent: DOT not re-parsed"; fi
"$BH" cluster --format mermaid "$S" >"$T/s.mmd"
check "mermaid: a flowchart with the rule on the edges" sh -c "head -1 '$T/s.mmd' | grep -q '^flowchart LR' && grep -q -- '-->|BH0701|' '$T/s.mmd'"
cat "$S" | "$BH" cluster --format json - >"$T/stdin.json"
check "stdin gives the same paths" bash -c "jq -c '[.paths[] | [.from, .to, [.steps[].rule]]]' '$T/s.json' | cmp -s - <(jq -c '[.paths[] | [.from, .to, [.steps[].rule]]]' '$T/stdin.json')"

# several files and *List kinds: the scenario split in two (PodList without kind/apiVersion on items,
# as the API server writes lists)
python3 -c 'import sys,yaml,json; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))' "$S" 2>/dev/null |
	jq '{kind: "PodList", apiVersion: "v1", items: [.items[] | select(.kind == "Pod") | del(.kind, .apiVersion)]}' >"$T/pods.json" 2>/dev/null
if [ -s "$T/pods.json" ] && jq -e '.items | length > 0' "$T/pods.json" >/dev/null 2>&1; then
	python3 -c 'import sys,yaml,json; d=yaml.safe_load(open(sys.argv[1])); d["items"]=[i for i in d["items"] if i["kind"]!="Pod"]; print(json.dumps(d))' "$S" >"$T/rest.json"
	"$BH" cluster --format json "$T/rest.json" "$T/pods.json" >"$T/split.json"
	check "two files (a List and a PodList whose items have no kind) give the same paths" \
		bash -c "jq -c '[.paths[] | [.from.kind, .from.name, .to, [.steps[].rule]]] | sort' '$T/s.json' | cmp -s - <(jq -c '[.paths[] | [.from.kind, .from.name, .to, [.steps[].rule]]] | sort' '$T/split.json')"
else
	skip "python3 yaml not available: split-file case not run"
fi

# the README's sample: its step lines appear in the real output
awk '/^## Escape paths across a cluster/ {on = 1} on && /^```/ {n++; next} on && n == 3 {print} n >= 4 {exit}' "$TOP/README.md" |
	sed 's/^ *//' >"$T/readme"
check "README cluster sample found" test -s "$T/readme"
while IFS= read -r line; do
	grep -qF -- "$line" "$T/s.txt" || fail "README line not in the output: $line"
done <"$T/readme"

# ---- joined `bulkhead node` reports ----
NR=$FIX/node-report.yaml
"$BH" cluster --format json "$NR" >"$T/nr0.json"
check "node report: without it, Debian's kernel is only in range by upstream version (a medium path)" \
	jq -e '[.paths[] | .severity] == ["medium"] and .paths[0].steps[0].rule == "BH0714"' "$T/nr0.json" >/dev/null
if "$BH" node --root "$TOP/tests/fixtures/node/debian11" --format json >"$T/deb11.json" 2>/dev/null || [ -s "$T/deb11.json" ]; then
	"$BH" cluster --format json --node-report "$T/deb11.json" "$NR" >"$T/nr1.json"
	check "node report: the node's package check confirms the CVE (a high path)" \
		jq -e '[.paths[] | .severity] == ["high"] and (.paths[0].steps[0].text | test("CVE-"))' "$T/nr1.json" >/dev/null
	check "node report: runc CVEs nodeInfo cannot see are added" \
		jq -e '[.nodes[0].cves[] | select(.component == "runc")] | length > 0' "$T/nr1.json" >/dev/null
	jq '.node.cves |= map(.status = "not-affected-or-fixed")' "$T/deb11.json" >"$T/clear.json"
	"$BH" cluster --format json --node-report "$T/clear.json" "$NR" >"$T/nr2.json"
	check "node report: CVEs the node clears (back-ported fixes) leave no path" \
		jq -e '.paths == [] and .nodes[0].cves == []' "$T/nr2.json" >/dev/null
	"$BH" cluster --node-report "$FIX/scenario.yaml" "$NR" >/dev/null 2>&1
	check "node report: a file that is not one is an error (exit 2)" test $? = 2
else
	skip "bulkhead node not available: node reports not joined"
fi

# ---- errors and options ----
printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: [\n' >"$T/bad.yaml"
"$BH" cluster "$T/bad.yaml" "$S" >"$T/bad.out" 2>&1; rc=$?
check "bad input: exit 2" test $rc = 2
check "bad input: file:line:col named, the other input still analysed" sh -c "grep -q 'bad.yaml:[0-9]*:[0-9]*' '$T/bad.out' && grep -q 'alice' '$T/bad.out'"
"$BH" cluster --format nope "$S" >/dev/null 2>&1; check "unknown format: exit 2" test $? = 2
"$BH" cluster --fail-on none "$S" >/dev/null; check "--fail-on none: exit 0" test $? = 0
"$BH" cluster "$FIX/cases/exec-neg.yaml" >/dev/null; check "no path: exit 0" test $? = 0
"$BH" cluster --admission-config "$T/bad.yaml" "$S" >/dev/null 2>&1; check "bad admission config: exit 2" test $? = 2
"$BH" cluster --save "$T/x" "$S" >/dev/null 2>&1; check "--save with a snapshot: usage error" test $? = 2
"$BH" cluster --help | grep -q -- '--kubeconfig'; check "--help documents --kubeconfig" test $? = 0
finish
