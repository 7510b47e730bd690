#!/usr/bin/env bash
# bulkhead cluster against a real kube-apiserver (the e2e lab: tests/e2e/lab.sh, docs/e2e.md): the scenario
# of tests/fixtures/cluster/scenario.yaml created with kubectl, read live and from the --save'd file (same
# paths), with every credential form of the API client: bearer token, token file, CA data, exec plugin,
# client certificate (data and files), in-cluster service account; small pages (limit/continue); a user
# who may not list cluster-wide gets a clear error. Skips when the lab cannot start (no kube-apiserver
# built, no etcd); LAB_SH=path/to/lab.sh uses another checkout's lab.
. "$(dirname "$0")/../lib.sh"
FIX=$TOP/tests/fixtures/cluster
LAB_SH=${LAB_SH:-$TOP/tests/e2e/lab.sh}
if [ ! -x "$LAB_SH" ]; then skip "no e2e lab (tests/e2e/lab.sh not in this checkout)"; finish; exit; fi
command -v kubectl >/dev/null || { skip "kubectl not on PATH"; finish; exit; }
T=$(mktemp -d)
LAB=
cleanup() { [ -n "$LAB" ] && "$LAB_SH" stop "$LAB" >/dev/null 2>&1; rm -rf "$T"; }
trap cleanup EXIT
out=$("$LAB_SH" start --dir "$T/lab" --namespaces "team secure" 2>"$T/lab.err"); rc=$?
if [ $rc = 3 ]; then skip "lab prerequisites missing: $(tail -1 "$T/lab.err")"; finish; exit; fi
if [ $rc != 0 ]; then fail "lab did not start: $(tail -3 "$T/lab.err")"; finish; exit; fi
LAB=$T/lab
eval "$("$LAB_SH" env "$LAB")"
K() { kubectl --kubeconfig "$KUBECONFIG" "$@"; }

# ---- the scenario, created the way a user would ----
# kubectl turns the YAML List into JSON objects (client side); Nodes are created and their status patched
# below, the built-in cluster-admin ClusterRole is left as the API server made it
K create --dry-run=client --validate=false -o json -f "$FIX/scenario.yaml" |
	jq -s '{apiVersion: "v1", kind: "List", items: [.[] | if .kind == "List" then .items[] else . end]}' >"$T/all.json"
jq '{apiVersion: "v1", kind: "List", items: [.items[] | select(.kind != "Node" and
	(.kind != "ClusterRole" or .metadata.name != "cluster-admin"))]}' "$T/all.json" >"$T/apply.json"
K apply -f "$T/apply.json" >"$T/apply.log" 2>&1
check "kubectl created the scenario" test $? = 0
for n in $(jq -r '.items[] | select(.kind == "Node") | .metadata.name' "$T/all.json"); do
	jq --arg n "$n" '.items[] | select(.kind == "Node" and .metadata.name == $n) | del(.status)' "$T/all.json" | K create -f - >/dev/null
	K patch node "$n" --subresource=status --type=merge \
		-p "$(jq -c --arg n "$n" '.items[] | select(.kind == "Node" and .metadata.name == $n) | {status: {nodeInfo: .status.nodeInfo}}' "$T/all.json")" >/dev/null
done
check "nodes carry their nodeInfo" sh -c "K() { kubectl --kubeconfig '$KUBECONFIG' \"\$@\"; }; K get node node-2 -o jsonpath='{.status.nodeInfo.kernelVersion}' | grep -q 5.10.0-8-amd64"

# samepaths NAME A.json B.json: the same paths, or a failure showing where they differ (and any errors)
samepaths() {
	if cmp -s <(jq -S "$norm" "$2" 2>/dev/null) <(jq -S "$norm" "$3" 2>/dev/null); then ok "$1"; return; fi
	fail "$1"
	diff <(jq -S "$norm" "$2" 2>&1) <(jq -S "$norm" "$3" 2>&1) | head -8 | sed 's/^/    /'
	jq -c '.errors' "$3" 2>/dev/null | head -c 400 | sed 's/^/    errors: /'
}
norm='[.paths[] | {severity, from: {kind: .from.kind, namespace: .from.namespace, name: .from.name}, to,
	steps: [.steps[] | {rule, text, object: {kind: .object.kind, namespace: .object.namespace, name: .object.name}}]}] | sort_by(.from.kind, .from.namespace, .from.name, .to.kind)'

# ---- live, and replayed from --save ----
"$BH" cluster --kubeconfig "$KUBECONFIG" --format json --save "$T/saved.json" >"$T/live.json" 2>"$T/live.err"; rc=$?
check "live: exit 1 (critical paths), no input error" sh -c "[ $rc = 1 ] && jq -e '.errors == []' '$T/live.json' >/dev/null"
"$BH" cluster --format json "$T/saved.json" >"$T/offline.json"
samepaths "--save'd snapshot replayed offline: the same paths" "$T/live.json" "$T/offline.json"
check "live: alice creates a privileged pod in team (BH0701)" \
	jq -e '[.paths[] | select(.from.name == "alice" and .to.kind == "Node") | .steps[0].rule] == ["BH0701"]' "$T/live.json" >/dev/null
check "live: builder → node-1 → ops token → cluster-admin" \
	jq -e '[.paths[] | select(.from.name == "builder" and .to.kind == "ClusterAdmin") | [.steps[].rule]] == [["BH0005","BH0716","BH0700"]]' "$T/live.json" >/dev/null
check "live: bob (exec in restricted secure on a hardened pod) has no path" \
	jq -e '[.paths[] | select(.from.name == "bob")] == []' "$T/live.json" >/dev/null
check "live: the same scenario paths as the snapshot file" cmp -s \
	<("$BH" cluster --format json "$FIX/scenario.yaml" | jq -S '[.paths[] | select(.from.name | IN("alice","bob","builder","ci","ops","ops-controller")) | [.from.name, .to, [.steps[].rule]]] | sort') \
	<(jq -S '[.paths[] | select(.from.name | IN("alice","bob","builder","ci","ops","ops-controller")) | [.from.name, .to, [.steps[].rule]]] | sort' "$T/live.json")
check "the saved snapshot holds no Secret data" sh -c "! grep -q '\"data\":{' '$T/saved.json' || ! jq -e 'select(.kind == \"SecretList\")' '$T/saved.json' >/dev/null 2>&1"

# ---- small pages: limit/continue ----
"$BH" cluster --kubeconfig "$KUBECONFIG" --page-size 2 --format json >"$T/paged.json" 2>/dev/null
samepaths "--page-size 2 (many continue tokens): the same paths" "$T/live.json" "$T/paged.json"

same() { # NAME KUBECONFIG [env…]: the live paths through another credential form
	local name=$1 kc=$2; shift 2
	env "$@" "$BH" cluster --kubeconfig "$kc" --format json >"$T/v.json" 2>"$T/v.err"
	samepaths "$name: the same paths" "$T/live.json" "$T/v.json" || true
	grep -q . "$T/v.err" && [ "$(grep -vc 'reading' "$T/v.err")" != 0 ] && sed 's/^/    stderr: /' "$T/v.err" | head -3
}
kc() { # FILE USER-YAML CLUSTER-YAML
	printf 'apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nclusters:\n- name: c\n  cluster:\n%s\nusers:\n- name: u\n  user:\n%s\n' "$3" "$2" >"$1"
}
ca_file="    server: $LAB_SERVER
    certificate-authority: $LAB_CA"
ca_data="    server: $LAB_SERVER
    certificate-authority-data: $(base64 -w0 "$LAB_CA")"
printf '%s\n' "$LAB_ADMIN_TOKEN" >"$T/token"
kc "$T/k1" "    tokenFile: $T/token" "$ca_data"; same "token file + CA data" "$T/k1"
cat >"$T/plugin.sh" <<PLUG
#!/bin/sh
[ "\$KUBERNETES_EXEC_INFO" ] || exit 1
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\n' "\$LAB_PLUGIN_TOKEN"
PLUG
chmod +x "$T/plugin.sh"
kc "$T/k2" "    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, interactiveMode: Never, env: [{name: LAB_PLUGIN_TOKEN, value: $LAB_ADMIN_TOKEN}]}" "$ca_file"
same "exec credential plugin (relative command, env)" "$T/k2"
openssl req -new -newkey rsa:2048 -nodes -keyout "$T/u.key" -out "$T/u.csr" -subj "/O=system:masters/CN=certuser" 2>/dev/null
openssl x509 -req -in "$T/u.csr" -CA "$LAB/pki/ca.crt" -CAkey "$LAB/pki/ca.key" -CAcreateserial -days 1 -out "$T/u.crt" 2>/dev/null
kc "$T/k3" "    client-certificate-data: $(base64 -w0 "$T/u.crt")
    client-key-data: $(base64 -w0 "$T/u.key")" "$ca_data"
same "client certificate data (memfd, nothing on disk)" "$T/k3"
kc "$T/k4" "    client-certificate: $T/u.crt
    client-key: $T/u.key" "$ca_file"
same "client certificate files" "$T/k4"
mkdir -p "$T/sa"; cp "$LAB_CA" "$T/sa/ca.crt"; printf '%s' "$LAB_ADMIN_TOKEN" >"$T/sa/token"
port=${LAB_SERVER##*:}
env -u KUBECONFIG HOME="$T/nohome" KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT="$port" \
	BULKHEAD_SERVICEACCOUNT_DIR="$T/sa" "$BH" cluster --format json >"$T/v.json" 2>"$T/v.err"
samepaths "in-cluster service account: the same paths" "$T/live.json" "$T/v.json"
KUBECONFIG="$T/k1" "$BH" cluster --format json >"$T/v.json" 2>/dev/null
samepaths "\$KUBECONFIG is used without --kubeconfig" "$T/live.json" "$T/v.json"
# $KUBECONFIG as kubectl merges it: the context in one file, cluster (CA path relative to its own folder) and
# user in another, a missing file between them, a decoy context of the same name later that must lose
mkdir -p "$T/m1" "$T/m2"; cp "$LAB_CA" "$T/m2/ca.crt"
printf 'apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n' >"$T/m1/config"
printf 'apiVersion: v1\nkind: Config\ncurrent-context: decoy\ncontexts: [{name: x, context: {cluster: nowhere, user: nobody}}]\nclusters: [{name: c, cluster: {server: %s, certificate-authority: ca.crt}}]\nusers: [{name: u, user: {token: %s}}]\n' \
	"$LAB_SERVER" "$LAB_ADMIN_TOKEN" >"$T/m2/config"
(cd / && KUBECONFIG="$T/m1/config:$T/absent:$T/m2/config" "$BH" cluster --format json >"$T/v.json" 2>/dev/null)
samepaths "\$KUBECONFIG with three entries merged (first wins, missing skipped, relative CA)" "$T/live.json" "$T/v.json"

kc "$T/k7" "    token: $LAB_ADMIN_TOKEN" "$ca_file
    tls-server-name: kubernetes.default.svc"
same "tls-server-name (certificate checked against that name, connection to the server's address)" "$T/k7"

# ---- writes with dryRun=All through the client (what bulkhead respond will use), real writes, pages ----
if [ -x "$TOP/$BUILD/tests/test_kube" ]; then
	BH_KUBE_TEST_KUBECONFIG=$KUBECONFIG "$TOP/$BUILD/tests/test_kube" >"$T/kube.log" 2>&1
	check "API client: POST with dryRun=All stores nothing, creates, 1-item pages, deletes (test_kube against the lab)" \
		sh -c "grep -q 'PASSED  \]' '$T/kube.log' && ! grep -q 'SKIPPED\|FAILED' '$T/kube.log'"
else
	skip "$BUILD/tests/test_kube not built"
fi

# ---- refusals ----
kc "$T/k8" "    token: $LAB_ADMIN_TOKEN" "$ca_file
    tls-server-name: wrong.example"
"$BH" cluster --kubeconfig "$T/k8" >"$T/sni.out" 2>&1; rc=$?
check "tls-server-name the certificate does not hold: exit 2, a TLS error" sh -c "[ $rc = 2 ] && grep -qi 'certificate\|SSL\|TLS' '$T/sni.out'"
"$BH" cluster --kubeconfig "$LAB_TENANT_KUBECONFIG" >"$T/t.out" 2>&1; rc=$?
check "a tenant who may not list cluster-wide: exit 2, the API server's 403 named" sh -c "[ $rc = 2 ] && grep -q 'HTTP 403' '$T/t.out'"
kc "$T/k5" "    token: wrong" "$ca_file"
"$BH" cluster --kubeconfig "$T/k5" >"$T/w.out" 2>&1; rc=$?
check "a wrong token: exit 2, HTTP 401" sh -c "[ $rc = 2 ] && grep -q 'HTTP 401' '$T/w.out'"
kc "$T/k6" "    token: $LAB_ADMIN_TOKEN" "    server: $LAB_SERVER"
"$BH" cluster --kubeconfig "$T/k6" >"$T/ca.out" 2>&1; rc=$?
check "no CA for the lab's certificate: exit 2, a TLS error" sh -c "[ $rc = 2 ] && grep -qi 'certificate\|SSL\|TLS' '$T/ca.out'"
finish
