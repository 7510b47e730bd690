# Writes N synthetic audit.k8s.io/v1 Event lines shaped like a busy API server's log (field order of the Go
# struct, sizes 0.8–5 KB): reads and watches at Metadata level, status patches and pod reads with objects,
# core Events, and 1 % pod creations (benign) that the rules must decode. Usage: awk -v N=100000 -f audit-gen.awk
function pad(n,   s) { s = ""; while (length(s) < n) s = s "abcdefghij0123456789"; return substr(s, 1, n) }
function user(i) {
	if (i % 5 == 0) return "{\"username\":\"system:serviceaccount:kube-system:replicaset-controller\",\"uid\":\"3c1f0b8e-9d1a-4f7e-8d2b-5b0c1a9e7f10\",\"groups\":[\"system:serviceaccounts\",\"system:serviceaccounts:kube-system\",\"system:authenticated\"]}"
	if (i % 5 == 1) return "{\"username\":\"system:node:worker-" (i % 50) "\",\"groups\":[\"system:nodes\",\"system:authenticated\"]}"
	return "{\"username\":\"dev" (i % 40) "@example.com\",\"groups\":[\"developers\",\"system:authenticated\"],\"extra\":{\"authentication.kubernetes.io/credential-id\":[\"X509SHA256=" pad(64) "\"]}}"
}
function podjson(name, extra) {
	return "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"" name "\",\"namespace\":\"team\",\"uid\":\"0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d\",\"labels\":{\"app\":\"web\",\"pod-template-hash\":\"5d8f7c9b6d\"},\"annotations\":{\"note\":\"" pad(extra) "\"}},\"spec\":{\"securityContext\":{\"runAsNonRoot\":true,\"runAsUser\":1000,\"seccompProfile\":{\"type\":\"RuntimeDefault\"}},\"containers\":[{\"name\":\"app\",\"image\":\"registry.example/web@sha256:" pad(64) "\",\"ports\":[{\"containerPort\":8080,\"protocol\":\"TCP\"}],\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"256Mi\"}},\"securityContext\":{\"allowPrivilegeEscalation\":false,\"readOnlyRootFilesystem\":true,\"capabilities\":{\"drop\":[\"ALL\"]}}}]},\"status\":{\"phase\":\"Running\"}}"
}
function head(i, level, stage, uri, verb) {
	return "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"" level "\",\"auditID\":\"" sprintf("%08x-%04x-4000-8000-%012x", i, i % 65536, i) "\",\"stage\":\"" stage "\",\"requestURI\":\"" uri "\",\"verb\":\"" verb "\",\"user\":" user(i) ",\"sourceIPs\":[\"10.0." (i % 200) "." (i % 250) "\"],\"userAgent\":\"kube-controller-manager/v1.34.1 (linux/amd64) kubernetes/93248f9/system:serviceaccount:kube-system:replicaset-controller\""
}
function tail_(code) {
	return ",\"responseStatus\":{\"metadata\":{},\"code\":" code "},\"requestReceivedTimestamp\":\"2026-12-01T22:00:00.000000Z\",\"stageTimestamp\":\"2026-12-01T22:00:00.002000Z\",\"annotations\":{\"authorization.k8s.io/decision\":\"allow\",\"authorization.k8s.io/reason\":\"RBAC: allowed by ClusterRoleBinding \\\"system:controller:replicaset-controller\\\" of ClusterRole \\\"system:controller:replicaset-controller\\\" to ServiceAccount \\\"replicaset-controller/kube-system\\\"\"}}"
}
BEGIN {
	if (!N) N = 100000
	srand(1)
	for (i = 1; i <= N; i++) {
		r = i % 100
		if (r < 40) {          # reads at Metadata (~1 KB)
			res = (r % 4 == 0) ? "configmaps" : (r % 4 == 1) ? "pods" : (r % 4 == 2) ? "endpointslices" : "secrets"
			verb = (r % 3 == 0) ? "watch" : (r % 3 == 1) ? "list" : "get"
			print head(i, "Metadata", "ResponseComplete", "/api/v1/namespaces/team/" res "?resourceVersion=123456&timeout=8m3s&timeoutSeconds=483&watch=true", verb) ",\"objectRef\":{\"resource\":\"" res "\",\"namespace\":\"team\",\"apiVersion\":\"v1\"}" tail_(200)
		} else if (r < 70) {   # status patches with objects (~3 KB)
			print head(i, "RequestResponse", "ResponseComplete", "/api/v1/namespaces/team/pods/web-" i "/status", "patch") ",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team\",\"name\":\"web-" i "\",\"apiVersion\":\"v1\",\"subresource\":\"status\"}" ",\"responseStatus\":{\"metadata\":{},\"code\":200},\"requestObject\":{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}},\"responseObject\":" podjson("web-" i, 1200) tail_(200)
		} else if (r < 90) {   # pod reads with the object (~4–5 KB)
			print head(i, "RequestResponse", "ResponseComplete", "/api/v1/namespaces/team/pods/web-" i, "get") ",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team\",\"name\":\"web-" i "\",\"apiVersion\":\"v1\"},\"responseObject\":" podjson("web-" i, 2800) tail_(200)
		} else if (r < 99) {   # core Events (~1.5 KB)
			print head(i, "Request", "ResponseComplete", "/api/v1/namespaces/team/events", "create") ",\"objectRef\":{\"resource\":\"events\",\"namespace\":\"team\",\"apiVersion\":\"v1\"},\"requestObject\":{\"kind\":\"Event\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"web-" i ".17a\"},\"reason\":\"Pulled\",\"message\":\"" pad(400) "\"}" tail_(201)
		} else {               # pod creations: decoded and judged (~3 KB)
			p = podjson("web-" i, 800)
			print head(i, "RequestResponse", "ResponseComplete", "/api/v1/namespaces/team/pods", "create") ",\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team\",\"name\":\"web-" i "\",\"apiVersion\":\"v1\"},\"requestObject\":" p ",\"responseObject\":" p tail_(201)
		}
	}
}
