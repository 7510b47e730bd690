#!/usr/bin/env bash
# bulkhead cluster's NetworkPolicy reach does not depend on how the snapshot is cut: a generated cluster
# (fixed seed: namespaces, nodes, the kubernetes Service, pods with labels, ports and IPs, policies that
# allow or deny the API server, kubelets, the metadata address and other namespaces) read as one JSON
# stream, as one object per file, as one `kind: List` document and as *List pages without item kinds
# (what --save writes) gives the same reach facts, token verdicts and paths. The cluster builds its
# model from the objects it decodes anyway; `bulkhead netpol` reads the files on its own path: both must
# give every pod the same API server and kubelet verdicts. Pods that differ only in labels no selector
# reads (a per-pod pod-template-hash) or in the values of a key selectors only test for presence (canary,
# Exists) decide alike, and bulkhead netpol's results do not move when those labels go or those values
# are made equal.
. "$(dirname "$0")/../lib.sh"
T=${KEEPT:-$(mktemp -d)}; [ -n "${KEEPT:-}" ] || trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq not installed"; finish; exit; }

SEED=${SEED:-7}
awk -v seed="$SEED" 'BEGIN {
	srand(seed)
	for (i = 0; i < 6; i++)
		printf "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns%d\",\"labels\":{\"team\":\"t%d\"}}}\n", i, i % 3
	for (i = 1; i <= 2; i++)
		printf "{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"node-%d\"},\"status\":{\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"192.168.1.%d\"}],\"daemonEndpoints\":{\"kubeletEndpoint\":{\"Port\":10250}},\"nodeInfo\":{\"kernelVersion\":\"6.6.58\",\"kubeletVersion\":\"v1.30.4\",\"containerRuntimeVersion\":\"containerd://1.7.20\",\"osImage\":\"Linux\"}}}\n", i, i
	print "{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\"},\"spec\":{\"clusterIP\":\"10.96.0.1\",\"clusterIPs\":[\"10.96.0.1\"],\"ports\":[{\"name\":\"https\",\"port\":443}]}}"
	print "{\"apiVersion\":\"discovery.k8s.io/v1\",\"kind\":\"EndpointSlice\",\"metadata\":{\"name\":\"kubernetes\",\"namespace\":\"default\",\"labels\":{\"kubernetes.io/service-name\":\"kubernetes\"}},\"addressType\":\"IPv4\",\"endpoints\":[{\"addresses\":[\"192.168.1.1\"]}],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}"
	for (i = 0; i < 240; i++) {
		ns = int(rand() * 6); app = int(rand() * 8); node = 1 + int(rand() * 2)
		hn = rand() < 0.05 ? ",\"hostNetwork\":true" : ""
		ports = rand() < 0.5 ? sprintf(",\"ports\":[{\"name\":\"http\",\"containerPort\":%d}]", 8000 + app) : ""
		sc = rand() < 0.1 ? ",\"securityContext\":{\"privileged\":true}" : ""
		canary = rand() < 0.3 ? sprintf(",\"canary\":\"c%d\"", i) : ""
		printf "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p%d\",\"namespace\":\"ns%d\",\"labels\":{\"app\":\"a%d\",\"tier\":\"%s\",\"pod-template-hash\":\"h%d\"%s}},\"spec\":{\"nodeName\":\"node-%d\"%s,\"containers\":[{\"name\":\"c\",\"image\":\"i\"%s%s}]},\"status\":{\"phase\":\"Running\",\"podIPs\":[{\"ip\":\"10.1.%d.%d\"}]}}\n", i, ns, app, app % 2 ? "web" : "db", i, canary, node, hn, ports, sc, int(i / 200), i % 200 + 1
	}
	for (i = 0; i < 30; i++) {
		ns = int(rand() * 6); r = rand()
		sel = rand() < 0.4 ? "{}" : sprintf("{\"matchLabels\":{\"app\":\"a%d\"}}", int(rand() * 8))
		if (rand() < 0.2) sel = "{\"matchExpressions\":[{\"key\":\"canary\",\"operator\":\"Exists\"}]}"
		if (r < 0.2) eg = "[]"
		else if (r < 0.45) eg = sprintf("[{\"to\":[{\"ipBlock\":{\"cidr\":\"192.168.1.0/24\"}}],\"ports\":[{\"port\":%d}]}]", rand() < 0.5 ? 6443 : 10250)
		else if (r < 0.6) eg = "[{\"to\":[{\"ipBlock\":{\"cidr\":\"0.0.0.0/0\",\"except\":[\"169.254.169.254/32\",\"192.168.1.2/32\"]}}]}]"
		else if (r < 0.8) eg = sprintf("[{\"to\":[{\"namespaceSelector\":{\"matchLabels\":{\"team\":\"t%d\"}},\"podSelector\":{\"matchExpressions\":[{\"key\":\"tier\",\"operator\":\"In\",\"values\":[\"web\"]}]}}],\"ports\":[{\"port\":\"http\"}]}]", int(rand() * 3))
		else eg = "[{\"to\":[{\"ipBlock\":{\"cidr\":\"169.254.169.254/32\"}}],\"ports\":[{\"port\":80,\"endPort\":90}]}]"
		types = rand() < 0.3 ? "[\"Ingress\",\"Egress\"]" : "[\"Egress\"]"
		printf "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":\"np%d\",\"namespace\":\"ns%d\"},\"spec\":{\"podSelector\":%s,\"policyTypes\":%s,\"egress\":%s}}\n", i, ns, sel, types, eg
	}
}' >"$T/stream.json"

# the same objects cut four ways
mkdir "$T/split"
split -l 1 -a 4 --additional-suffix=.json "$T/stream.json" "$T/split/o"
jq -s '{apiVersion: "v1", kind: "List", items: .}' "$T/stream.json" >"$T/list.json"
jq -c -s 'group_by(.apiVersion + " " + .kind)[] | . as $g | range(0; length; 50) as $at |
	{apiVersion: $g[0].apiVersion, kind: ($g[0].kind + "List"), metadata: {resourceVersion: "1"},
	 items: ($g[$at:$at + 50] | map(del(.apiVersion, .kind)))}' "$T/stream.json" >"$T/pages.json"

facts() {
	jq -S '{networkPolicy, errors,
		tokens: ([.tokens[] | {w: "\(.workload.namespace)/\(.workload.name)", api: .apiServerReachable, k: .kubeletsReachable}] | sort_by(.w)),
		paths: ([.paths[] | {from, to, severity, steps: [.steps[] | {rule, severity}]}] | sort_by(tostring))}' "$1"
}
"$BH" cluster --format json "$T/stream.json" >"$T/one.out"
facts "$T/one.out" >"$T/one.facts"
check "the generated snapshot is evaluated without input errors" \
	jq -e '.errors == [] and .networkPolicy.evaluated and .networkPolicy.policies == 30 and .networkPolicy.pods > 100' "$T/one.facts" >/dev/null
check "its verdicts are mixed (some tokens reach the API server, some do not; some reach kubelets)" \
	jq -e '[.tokens[] | select(.api != null)] | ([.[].api] | unique) == [false, true] and ([.[].k] | max) > 0 and ([.[].k] | min) == 0' "$T/one.facts" >/dev/null
for shape in split list pages; do
	case $shape in
	split) "$BH" cluster --format json "$T"/split/*.json >"$T/$shape.out" ;;
	*) "$BH" cluster --format json "$T/$shape.json" >"$T/$shape.out" ;;
	esac
	facts "$T/$shape.out" >"$T/$shape.facts"
	if diff -u "$T/one.facts" "$T/$shape.facts" >"$T/$shape.diff"; then
		ok "read as $shape ($(jq '.tokens | length' "$T/one.facts") token verdicts, $(jq '.paths | length' "$T/one.facts") paths): the same as one stream"
	else
		fail "read as $shape: differs from one stream: $(head -c 600 "$T/$shape.diff")"
	fi
done

# the cluster's verdicts against bulkhead netpol's own reading of the same file (hostNetwork pods: no
# verdict in the cluster, policies do not apply to them)
"$BH" netpol --format json --fail-on none "$T/stream.json" >"$T/np.json"
jq -S '[.netpol.pods[] | select(.hostNetwork | not) | {w: "\(.namespace)/\(.name)", api: (.apiserver == "yes"), k: .kubelets}] | sort_by(.w)' "$T/np.json" >"$T/np.verdicts"
jq -S --slurpfile np "$T/np.verdicts" '[.tokens[] | select(.api != null) | . as $t | {t: $t, n: ($np[0][] | select(.w == $t.w))} | select(.t != .n)]' "$T/one.facts" >"$T/np.diff"
n=$(jq '[.tokens[] | select(.api != null)] | length' "$T/one.facts")
check "every token verdict of the cluster is bulkhead netpol's for the pod ($n compared)" \
	jq -e --argjson n "$n" 'length == 0 and $n > 100' "$T/np.diff" >/dev/null || head -c 600 "$T/np.diff"

# labels that decide nothing: every pod has its own pod-template-hash and a third their own canary value
jq -c 'if .kind == "Pod" then del(.metadata.labels["pod-template-hash"]) | (if .metadata.labels.canary then .metadata.labels.canary = "x" else . end) else . end' \
	"$T/stream.json" >"$T/plain.json"
"$BH" netpol --format json --fail-on none "$T/plain.json" >"$T/np-plain.json"
np_results() { jq -S '{pods: .netpol.pods, namespaces: .netpol.namespaces, findings: [.findings[] | del(.fingerprint, .location)]}' "$1"; }
check "bulkhead netpol: the same pods, matrix and findings without the labels no selector reads ($(jq .netpol.classes "$T/np.json") classes of $(jq '.netpol.pods | length' "$T/np.json") pods)" \
	cmp -s <(np_results "$T/np.json") <(np_results "$T/np-plain.json")
check "bulkhead netpol: those labels split no class" \
	jq -e --slurpfile plain "$T/np-plain.json" '.netpol.classes == $plain[0].netpol.classes and .netpol.classes < (.netpol.pods | length) * 3 / 4' "$T/np.json" >/dev/null
finish
