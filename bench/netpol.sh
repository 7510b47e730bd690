#!/usr/bin/env bash
# bulkhead netpol at scale: a synthetic snapshot of PODS pods (default 10,000) in NS namespaces (100) with
# POLICIES NetworkPolicies (2,000: per namespace a default deny, allows by app label with ports and
# namespaceSelectors, an egress ipBlock with except), 50 nodes, the kubernetes Service and its
# EndpointSlice, and the full analysis (per-pod targets, namespace matrix, findings) on one core.
# Prints wall time, CPU time and peak RSS (GNU time), and the classes/decisions the analysis made.
# usage: bench/netpol.sh [PODS] [POLICIES] [NS]
#   UNIQUE=1: every pod has its own pod-template-hash label (no policy names that key: it splits no class)
#   UNIQUE=2: the same, and each namespace's default deny selects its pods by that key's value
#             (pod-template-hash NotIn [none]: the same pods as {}): every pod is its own class, the worst
#             case of the class matrix
set -euo pipefail
cd "$(dirname "$0")/.."
PODS=${1:-10000} POLICIES=${2:-2000} NS=${3:-100} UNIQUE=${UNIQUE:-0}
BH=${BH:-build/bulkhead}
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
awk -v pods="$PODS" -v pols="$POLICIES" -v nns="$NS" -v unique="$UNIQUE" 'BEGIN {
	srand(1); printf "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
	for (n = 0; n < nns; n++)
		printf "{\"apiVersion\": \"v1\", \"kind\": \"Namespace\", \"metadata\": {\"name\": \"ns%d\", \"labels\": {\"tier\": \"t%d\"}}},\n", n, n % 5
	for (i = 0; i < pods; i++) {
		n = i % nns; app = int(i / nns) % 10
		printf "{\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p%d\", \"namespace\": \"ns%d\", \"labels\": {\"app\": \"a%d\", \"pod-template-hash\": \"h%d\"}}, \"spec\": {\"containers\": [{\"name\": \"c\", \"image\": \"i\", \"ports\": [{\"name\": \"http\", \"containerPort\": %d}]}]}, \"status\": {\"phase\": \"Running\", \"podIPs\": [{\"ip\": \"10.%d.%d.%d\"}]}},\n", i, n, app, unique ? i : app, 8000 + app, 100 + int(n / 100), n % 100, 1 + int(i / nns)
	}
	per = int(pols / nns)
	for (p = 0; p < pols; p++) {
		n = p % nns; k = int(p / nns)
		if (k == 0)
			printf "{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\", \"metadata\": {\"name\": \"deny\", \"namespace\": \"ns%d\"}, \"spec\": {\"podSelector\": %s, \"policyTypes\": [\"Ingress\", \"Egress\"]}},\n", n, unique == 2 ? "{\"matchExpressions\": [{\"key\": \"pod-template-hash\", \"operator\": \"NotIn\", \"values\": [\"none\"]}]}" : "{}"
		else if (k == 1)
			printf "{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\", \"metadata\": {\"name\": \"egress\", \"namespace\": \"ns%d\"}, \"spec\": {\"podSelector\": {}, \"egress\": [{\"to\": [{\"ipBlock\": {\"cidr\": \"0.0.0.0/0\", \"except\": [\"169.254.169.254/32\", \"10.0.0.0/8\"]}}]}, {\"to\": [{\"namespaceSelector\": {\"matchLabels\": {\"tier\": \"t%d\"}}}], \"ports\": [{\"port\": \"http\"}]}]}},\n", n, n % 5
		else
			printf "{\"apiVersion\": \"networking.k8s.io/v1\", \"kind\": \"NetworkPolicy\", \"metadata\": {\"name\": \"allow-%d\", \"namespace\": \"ns%d\"}, \"spec\": {\"podSelector\": {\"matchLabels\": {\"app\": \"a%d\"}}, \"ingress\": [{\"from\": [{\"podSelector\": {\"matchExpressions\": [{\"key\": \"app\", \"operator\": \"In\", \"values\": [\"a%d\", \"a%d\"]}]}}, {\"namespaceSelector\": {\"matchLabels\": {\"tier\": \"t%d\"}}, \"podSelector\": {\"matchLabels\": {\"app\": \"a%d\"}}}], \"ports\": [{\"port\": %d, \"endPort\": %d}]}]}},\n", k, n, k % 10, (k + 1) % 10, (k + 2) % 10, (n + k) % 5, k % 10, 8000, 8000 + k % 10
	}
	for (i = 0; i < 50; i++)
		printf "{\"apiVersion\": \"v1\", \"kind\": \"Node\", \"metadata\": {\"name\": \"node-%d\"}, \"status\": {\"addresses\": [{\"type\": \"InternalIP\", \"address\": \"192.168.%d.%d\"}]}},\n", i, int(i / 200), 1 + i % 200
	printf "{\"apiVersion\": \"v1\", \"kind\": \"Service\", \"metadata\": {\"name\": \"kubernetes\", \"namespace\": \"default\"}, \"spec\": {\"clusterIP\": \"10.96.0.1\", \"ports\": [{\"port\": 443}]}},\n"
	printf "{\"apiVersion\": \"discovery.k8s.io/v1\", \"kind\": \"EndpointSlice\", \"metadata\": {\"name\": \"kubernetes\", \"namespace\": \"default\", \"labels\": {\"kubernetes.io/service-name\": \"kubernetes\"}}, \"endpoints\": [{\"addresses\": [\"192.168.0.1\"]}], \"ports\": [{\"port\": 6443}]}\n"
	printf "]}\n"
}' >"$T/snap.json"
size=$(du -m "$T/snap.json" | cut -f1)
echo "snapshot: $PODS pods, $POLICIES NetworkPolicies, $NS namespaces, 50 nodes (${size} MiB JSON)"
pin=""; command -v taskset >/dev/null && pin="taskset -c 0"
/usr/bin/time -f 'wall %e s, user %U s, sys %S s, max RSS %M KiB' $pin "$BH" netpol --format json --fail-on none "$T/snap.json" >"$T/out.json" 2>"$T/time"
tail -1 "$T/time"
jq -r '"classes \(.netpol.classes), decisions \(.netpol.decisions), findings \(.findings | length), pods \(.netpol.pods | length)"' "$T/out.json"
