#!/usr/bin/env bash
# bulkhead cluster at scale: a synthetic snapshot (default 100k pods, 10k RoleBindings, 1k nodes, 1k
# namespaces, 10k service accounts) written as the live reader's --save files are (a JSON stream of *List
# pages of 500 items, items without kind as the API server sends them), then analysed on one core.
# Target (issue 14): < 2 s and < 1 GB.
#   bench/cluster.sh [PODS] [BINDINGS] [NODES]       RUNS=3 (best of), KEEP=DIR keeps the snapshot,
#   NETPOL=N appends N NetworkPolicies (one per namespace ns0…, default-deny egress but DNS and the API
#   server) and gives every pod an IP (status.podIP), so that the NetworkPolicy reach analysis runs on
#   the same snapshot
set -euo pipefail
cd "$(dirname "$0")/.."
PODS=${1:-100000} BINDS=${2:-10000} NODES=${3:-1000} NS=${NS:-1000} RUNS=${RUNS:-3} NETPOL=${NETPOL:-0}
BH=${BH:-build/bulkhead}
T=${KEEP:-$(mktemp -d)}
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
mkdir -p "$T"
snap=$T/snapshot.json

# The generator: awk, deterministic (srand(1)). Mix: a quarter of the namespaces enforce restricted, a
# quarter baseline, half unlabelled; 1% of pods privileged, 1% mount the Docker socket, 5% hostNetwork,
# the rest hardened or default; every tenth node runs an old kernel (5.10.50, in Dirty Pipe's range).
gen() {
	awk -v pods="$PODS" -v binds="$BINDS" -v nodes="$NODES" -v nns="$NS" -v netpol="$NETPOL" '
	function page(kind, api, n, body,   i) { }
	function list_open(kind, api) { printf "{\"kind\":\"%sList\",\"apiVersion\":\"%s\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[", kind, api; first = 1 }
	function item(s) { printf "%s%s", first ? "" : ",", s; first = 0 }
	function list_close() { print "]}" }
	BEGIN {
		srand(1)
		list_open("Namespace", "v1")
		for (i = 0; i < nns; i++) {
			lvl = i % 4 == 0 ? "restricted" : i % 4 == 1 ? "baseline" : ""
			lab = lvl ? sprintf(",\"pod-security.kubernetes.io/enforce\":\"%s\"", lvl) : ""
			item(sprintf("{\"metadata\":{\"name\":\"ns%d\",\"labels\":{\"kubernetes.io/metadata.name\":\"ns%d\"%s}}}", i, i, lab))
		}
		list_close()
		for (p = 0; p < nodes; p += 500) {
			list_open("Node", "v1")
			for (i = p; i < p + 500 && i < nodes; i++) {
				k = i % 10 == 0 ? "5.10.50" : "6.6.58"
				item(sprintf("{\"metadata\":{\"name\":\"node-%d\"},\"status\":{\"nodeInfo\":{\"kernelVersion\":\"%s\",\"osImage\":\"Linux\",\"containerRuntimeVersion\":\"containerd://1.7.20\",\"kubeletVersion\":\"v1.30.4\"}}}", i, k))
			}
			list_close()
		}
		for (p = 0; p < nns * 10; p += 500) {
			list_open("ServiceAccount", "v1")
			for (i = p; i < p + 500 && i < nns * 10; i++)
				item(sprintf("{\"metadata\":{\"name\":\"sa%d\",\"namespace\":\"ns%d\"}}", i % 10, int(i / 10)))
			list_close()
		}
		list_open("ClusterRole", "rbac.authorization.k8s.io/v1")
		item("{\"metadata\":{\"name\":\"cluster-admin\"},\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}")
		item("{\"metadata\":{\"name\":\"edit\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\",\"pods/exec\",\"pods/attach\",\"pods/portforward\",\"secrets\",\"serviceaccounts/token\"],\"verbs\":[\"get\",\"list\",\"create\",\"update\",\"patch\",\"delete\"]},{\"apiGroups\":[\"apps\"],\"resources\":[\"deployments\",\"daemonsets\",\"statefulsets\"],\"verbs\":[\"create\",\"update\",\"patch\"]}]}")
		item("{\"metadata\":{\"name\":\"view\"},\"rules\":[{\"apiGroups\":[\"\",\"apps\"],\"resources\":[\"pods\",\"deployments\",\"services\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]}")
		item("{\"metadata\":{\"name\":\"node-proxy\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes/proxy\"],\"verbs\":[\"get\"]}]}")
		list_close()
		list_open("ClusterRoleBinding", "rbac.authorization.k8s.io/v1")
		item("{\"metadata\":{\"name\":\"ops-admin\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"sa0\",\"namespace\":\"ns1\"}]}")
		item("{\"metadata\":{\"name\":\"monitoring\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"node-proxy\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"sa1\",\"namespace\":\"ns2\"}]}")
		list_close()
		for (p = 0; p < binds; p += 500) {
			list_open("RoleBinding", "rbac.authorization.k8s.io/v1")
			for (i = p; i < p + 500 && i < binds; i++) {
				ns = i % nns
				role = i % 3 == 0 ? "edit" : "view"
				subj = i % 2 ? sprintf("{\"kind\":\"User\",\"name\":\"user%d\",\"apiGroup\":\"rbac.authorization.k8s.io\"}", i) : sprintf("{\"kind\":\"ServiceAccount\",\"name\":\"sa%d\",\"namespace\":\"ns%d\"}", i % 10, ns)
				item(sprintf("{\"metadata\":{\"name\":\"rb%d\",\"namespace\":\"ns%d\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"%s\"},\"subjects\":[%s]}", i, ns, role, subj))
			}
			list_close()
		}
		hard = "\"securityContext\":{\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}"
		for (p = 0; p < pods; p += 500) {
			list_open("Pod", "v1")
			for (i = p; i < p + 500 && i < pods; i++) {
				ns = i % nns; r = i % 100
				extra = ""; sc = hard; vol = ""; mnt = ""
				if (r == 0) sc = "\"securityContext\":{\"privileged\":true}"
				else if (r == 1) { vol = ",\"volumes\":[{\"name\":\"s\",\"hostPath\":{\"path\":\"/var/run/docker.sock\"}}]"; mnt = ",\"volumeMounts\":[{\"name\":\"s\",\"mountPath\":\"/var/run/docker.sock\"}]"; sc = "\"securityContext\":{}" }
				else if (r < 7) extra = ",\"hostNetwork\":true"
				else if (r < 40) sc = "\"securityContext\":{}"
				if (netpol > 0) ip = sprintf(",\"status\":{\"phase\":\"Running\",\"podIP\":\"10.%d.%d.%d\"}", int(i / 65536), int(i / 256) % 256, i % 256)
				item(sprintf("{\"metadata\":{\"name\":\"pod-%d\",\"namespace\":\"ns%d\",\"labels\":{\"app\":\"a%d\"}}%s,\"spec\":{\"nodeName\":\"node-%d\",\"serviceAccountName\":\"sa%d\"%s,\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":1000,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",%s%s,\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}}]%s}}", i, ns, i % 50, ip, i % nodes, i % 10, extra, sc, mnt, vol))
			}
			list_close()
		}
		if (netpol > 0) {
			list_open("NetworkPolicy", "networking.k8s.io/v1")
			for (i = 0; i < netpol; i++)
				item(sprintf("{\"metadata\":{\"name\":\"egress-%d\",\"namespace\":\"ns%d\"},\"spec\":{\"podSelector\":{},\"policyTypes\":[\"Egress\"],\"egress\":[{\"ports\":[{\"port\":53,\"protocol\":\"UDP\"}]},{\"to\":[{\"ipBlock\":{\"cidr\":\"10.96.0.1/32\"}}],\"ports\":[{\"port\":443}]}]}}", i, i % nns))
			list_close()
		}
	}'
}
[ -s "$snap" ] || gen >"$snap"
size=$(du -m "$snap" | cut -f1)
echo "snapshot: $PODS pods, $BINDS RoleBindings, $NODES nodes, $NS namespaces, $((NS * 10)) service accounts, $NETPOL NetworkPolicies; ${size} MB JSON"
echo "machine: $(nproc) cores, $(uname -r), $(date -u +%F); best of $RUNS runs, one core (taskset -c 0)"
# wall and CPU (user + sys) time: on a shared machine the CPU time is the figure to compare with the target
for fmt in json text; do
	best=
	for _ in $(seq "$RUNS"); do
		/usr/bin/time -f '%e %U %S %M' -o "$T/time" taskset -c 0 "$BH" cluster --format "$fmt" --output "$T/out.$fmt" "$snap" || true
		read -r wall usr sys kb < <(tail -1 "$T/time")
		cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
		if [ -z "$best" ] || awk -v a="$cpu" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then best="$cpu $wall $kb"; fi
	done
	read -r cpu wall kb <<<"$best"
	printf '%-5s cpu %5.2f s   wall %5.2f s   peak RSS %5d MB   output %4d MB\n' "$fmt" "$cpu" "$wall" $((kb / 1024)) \
		"$(du -m "$T/out.$fmt" | cut -f1)"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
jq -r '.summary | "paths: \(.paths.total) (\(.paths.toNode) to a node, \(.paths.toClusterAdmin) to cluster-admin; \(.paths.critical) critical, \(.paths.high) high, \(.paths.medium) medium); workloads \(.workloads), permissions \(.permissions), findings \(.findings.critical + .findings.high + .findings.medium + .findings.low + .findings.info)"' "$T/out.json"
