#!/usr/bin/env bash
# bulkhead netpol: one golden case per NetworkPolicy semantic point (tests/fixtures/netpol/decide/: a
# snapshot and packets with the verdict the API documentation gives, positive and negative), the reach
# findings of every rule BH0900-BH0907 on an open cluster and their absence on a locked-down twin
# (tests/fixtures/netpol/reach-*.yaml with .expected), the output formats, and input errors.
. "$(dirname "$0")/../lib.sh"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
F=$TOP/tests/fixtures/netpol

# ---- decisions, one fixture per semantic point ----
for y in "$F"/decide/*.yaml; do
	c=${y%.yaml}
	name=$(basename "$c")
	grep -v '^#' "$c.tuples" | awk '{printf "{\"src\": \"%s\", \"dst\": \"%s\", \"proto\": \"%s\", \"port\": %s}\n", $1, $2, $3, $4}' >"$T/$name.jsonl"
	if ! "$BH" netpol --decide "$T/$name.jsonl" "$y" >"$T/$name.out" 2>"$T/$name.err"; then
		fail "$name: bulkhead netpol --decide failed: $(head -3 "$T/$name.err")"
		continue
	fi
	grep -v '^#' "$c.tuples" | awk '{print $5}' >"$T/$name.want"
	awk '{print $1}' "$T/$name.out" >"$T/$name.got"
	npos=$(grep -c allow "$T/$name.want") nneg=$(grep -c deny "$T/$name.want")
	if [ "$npos" -lt 1 ] || [ "$nneg" -lt 1 ]; then
		fail "$name: a case needs a positive and a negative packet"
	elif cmp -s "$T/$name.want" "$T/$name.got"; then
		ok "$name: $npos allowed and $nneg denied packets as documented"
	else
		fail "$name: $(paste -d' ' "$T/$name.want" "$T/$name.got" <(grep -v '^#' "$c.tuples") | awk '$1 != $2 {print "want " $1 ", got " $2 ": " $0}' | cut -c1-300)"
	fi
done

# ---- reach findings: every rule fires on the open cluster, none on the locked one ----
for y in "$F"/reach-*.yaml; do
	name=$(basename "${y%.yaml}")
	"$BH" netpol --format json --fail-on none "$y" >"$T/$name.json" 2>"$T/$name.err"
	rc=$?
	check "$name: exit 0 with --fail-on none (got $rc)" [ "$rc" = 0 ]
	jq -r '.findings[] | "\(.rule) \(.object.kind)/\(.object.name)"' "$T/$name.json" | sort -u >"$T/$name.got"
	if diff -u "${y%.yaml}.expected" "$T/$name.got" >"$T/$name.diff"; then
		ok "$name: the findings are those of $(basename "${y%.yaml}").expected ($(wc -l <"$T/$name.got") rule/object pairs)"
	else
		fail "$name: findings differ from the expected: $(head -20 "$T/$name.diff")"
	fi
done
check "the open cluster names every netpol rule" \
	sh -c "for r in \$('$BH' rules | awk '/^BH09/ {print \$1}'); do grep -q \"^\$r \" '$F/reach-open.expected' || exit 1; done"
check "json: the netpol object has the matrix (a can reach b)" \
	jq -e '.netpol.namespaces[] | select(.name == "a") | .matrix.b >= 1' "$T/reach-open.json" >/dev/null
check "json: the locked cluster's namespaces deny by default in both directions" \
	jq -e '[.netpol.namespaces[] | select(.pods > 0) | .defaultDeny.ingress and .defaultDeny.egress] | all' "$T/reach-locked.json" >/dev/null
check "json: per pod, a/web reaches the metadata address in the open cluster" \
	jq -e '.netpol.pods[] | select(.namespace == "a" and .name == "web") | .metadata == "yes" and .apiserver == "yes" and .kubelets == 2' "$T/reach-open.json" >/dev/null
check "json: per pod, a/web reaches neither metadata nor kubelets in the locked cluster, but the API server" \
	jq -e '.netpol.pods[] | select(.namespace == "a" and .name == "web") | .metadata == "no" and .apiserver == "yes" and .kubelets == 0' "$T/reach-locked.json" >/dev/null

# the JSON shape of docs/schema/netpol.schema.json (with scan.schema.json for the common part)
if python3 -c 'import jsonschema, referencing' 2>/dev/null; then
	for n in reach-open reach-locked; do
		check "json of $n validates against docs/schema/netpol.schema.json" python3 - "$TOP/docs/schema" "$T/$n.json" <<'PY'
import json, sys, jsonschema
from referencing import Registry, Resource
d = sys.argv[1]
scan, np = json.load(open(d + "/scan.schema.json")), json.load(open(d + "/netpol.schema.json"))
reg = Registry().with_resources([(scan["$id"], Resource.from_contents(scan))])
jsonschema.validate(json.load(open(sys.argv[2])), np, registry=reg)
PY
	done
else
	skip "schema validation: python3-jsonschema is not installed"
fi

# ---- formats and exit codes ----
"$BH" netpol "$F/reach-open.yaml" >"$T/text" 2>&1
check "text: exit 1 for a high finding (default --fail-on high)" [ $? = 1 ]
check "text: the reachability matrix and coverage table follow the findings" \
	sh -c "grep -q '^reachability' '$T/text' && grep -q '^coverage per namespace' '$T/text' && grep -q 'BH0900' '$T/text'"
"$BH" netpol --format sarif "$F/reach-open.yaml" >"$T/sarif" 2>/dev/null
check "sarif: a result per finding" jq -e '.runs[0].results | length > 5' "$T/sarif" >/dev/null
"$BH" netpol --html "$T/m.html" "$F/reach-open.yaml" >/dev/null 2>&1
check "--html: a page with the matrix (a's row reaches b) and the coverage table" \
	sh -c "grep -q '<th>from' '$T/m.html' && grep -q '<h2>Coverage</h2>' '$T/m.html' && ! grep -q '<script' '$T/m.html'"
"$BH" netpol --html /nonexistent/dir/m.html "$F/reach-open.yaml" >/dev/null 2>"$T/html.err"
check "--html to an unwritable path: exit 2 with the reason" sh -c "[ $? = 2 ] && grep -q 'cannot write /nonexistent' '$T/html.err'"
"$BH" netpol --fail-on none "$F/reach-locked.yaml" >/dev/null 2>&1
check "locked cluster: exit 0" [ $? = 0 ]

# ---- bad input ----
printf 'apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: a}\nspec:\n  podSelector: {}\n  ingress: [{ports: [{port: http, endPort: 90}]}]\n' >"$T/bad.yaml"
"$BH" netpol "$T/bad.yaml" >"$T/bad.out" 2>"$T/bad.err"
check "an invalid policy (endPort with a named port) is an input error: exit 2" [ $? = 2 ]
check "the error names file:line:col" grep -q 'bad.yaml:6:[0-9]*: .*endPort' "$T/bad.err"
printf 'not: [valid\n' >"$T/broken.yaml"
"$BH" netpol "$T/broken.yaml" "$F/reach-open.yaml" >"$T/broken.out" 2>"$T/broken.err"
check "a broken file is an error (exit 2) and the other file is still analysed" \
	sh -c "grep -q 'broken.yaml:' '$T/broken.err' && grep -q BH0900 '$T/broken.out'"
printf '{"src": "10.0.1.1", "dst": "nope", "proto": "TCP", "port": 80}\n' >"$T/badtuple.jsonl"
"$BH" netpol --decide "$T/badtuple.jsonl" "$F/reach-open.yaml" >/dev/null 2>"$T/badtuple.err"
check "--decide: a bad tuple is an error with its line (exit 2)" sh -c "[ $? = 2 ] && grep -q 'badtuple.jsonl:1:' '$T/badtuple.err'"
"$BH" netpol >/dev/null 2>"$T/noarg.err"
check "no snapshot: usage error (exit 2)" [ $? = 2 ]
finish
