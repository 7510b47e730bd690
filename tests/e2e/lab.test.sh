#!/usr/bin/env bash
# The lab itself (tests/e2e/lab.sh), as the cluster, audit and respond tests will use it: token users and
# RBAC, --allow-privileged, the default ServiceAccounts, the audit log, the audit webhook backend (received by
# `openssl s_server`, which prints what it is sent), `env`, `namespace`, `status`, and `stop` leaving nothing.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/e2e/lib-e2e.sh"
M=$E2E/manifests

e2e_prereqs
# an audit webhook receiver: openssl s_server writes the requests it gets to a file (it never answers, so
# the API server's batch backend times out and retries: the first batch is what this test reads)
"$TOP/deploy/gen-certs.sh" --out "$W/audit-certs" --ip 127.0.0.1 >/dev/null
APORT=$(( 40000 + RANDOM % 8000 ))
# (its stdin must stay open: at end of input it closes the connection, so it reads an idle fifo)
mkfifo "$W/hold"
openssl s_server -accept "127.0.0.1:$APORT" -cert "$W/audit-certs/tls.crt" -key "$W/audit-certs/tls.key" \
	-quiet <"$W/hold" >"$W/audit-webhook.out" 2>/dev/null &
APID=$!
exec 8>"$W/hold"
trap 'kill $APID 2>/dev/null; e2e_cleanup' EXIT
cat >"$W/audit-webhook.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: audit
  cluster: {server: "https://127.0.0.1:$APORT/audit", certificate-authority: "$W/audit-certs/ca.crt"}
users:
- name: apiserver
  user: {}
contexts:
- name: audit
  context: {cluster: audit, user: apiserver}
current-context: audit
EOF
t0=$SECONDS
e2e_lab --namespaces "team other" --audit-webhook-config "$W/audit-webhook.kubeconfig"
echo "  (lab started in $((SECONDS - t0)) s)"
check "status: /readyz answers" "$E2E/lab.sh" status "$LAB"
[ "$(tail -n 1 "$W/lab.out")" = "$LAB/admin.kubeconfig" ] && ok "start prints the admin kubeconfig last" ||
	fail "start printed: $(tail -n 1 "$W/lab.out")"

# users and RBAC
check "admin lists namespaces" KA get namespaces >/dev/null
refused "tenant may not list namespaces" 'forbidden' KT get namespaces
refused "tenant may not create pods in kube-system" 'forbidden' KT -n kube-system create -f "$M/hardened.yaml"
refused "tenant may not create pods in default" 'forbidden' KT -n default create -f "$M/hardened.yaml"
refused "tenant may not read secrets" 'forbidden' KT get secrets
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$LAB_CA" "$LAB_SERVER/api/v1/namespaces")
[ "$code" = 401 ] && ok "anonymous requests refused (401)" || fail "anonymous request answered $code"
for ns in default kube-system team other; do
	KA -n "$ns" get serviceaccount default >/dev/null 2>&1 && ok "ServiceAccount $ns/default exists" ||
		fail "ServiceAccount $ns/default missing"
done
# without a webhook, the API server itself admits what bulkhead is there to stop
allowed "--allow-privileged: a privileged pod is stored when no webhook is registered" KT create -f "$M/privileged.yaml"
KT get pod privileged -o json | jq -e '.spec.containers[0].securityContext.privileged == true and
	(.spec.volumes | map(.name) | any(startswith("kube-api-access")))' >/dev/null &&
	ok "stored pod: privileged, with the projected ServiceAccount token volume" || fail "stored pod differs"
check "namespace: adds a namespace with its default ServiceAccount" "$E2E/lab.sh" namespace "$LAB" late
KA -n late get serviceaccount default >/dev/null 2>&1 && ok "ServiceAccount late/default exists" || fail "late/default missing"
KT -n late create -f "$M/hardened.yaml" >/dev/null 2>&1 && ok "tenant may create pods in the added namespace" ||
	fail "tenant refused in the added namespace"

# audit log
for _ in $(seq 20); do
	grep -q '"privileged"' "$LAB_AUDIT_LOG" 2>/dev/null && break
	sleep 0.5
done
jq -e -s 'map(select(.verb == "create" and .objectRef.resource == "pods" and .objectRef.name == "privileged"
	and .user.username == "tenant" and .requestObject.spec.containers[0].securityContext.privileged == true
	and .responseStatus.code == 201)) | length == 1' "$LAB_AUDIT_LOG" >/dev/null &&
	ok "audit log: the create with user, requestObject and status" || fail "audit log lacks the create event"
jq -e -s 'map(select(.objectRef.resource == "namespaces" and .verb == "list" and .user.username == "tenant"
	and .responseStatus.code == 403)) | length >= 1' "$LAB_AUDIT_LOG" >/dev/null &&
	ok "audit log: the tenant's refused list" || fail "audit log lacks the refused list"
# the receiver never answers, so only the first batch (events of the first second or so) arrives
for _ in $(seq 40); do
	grep -q '"kind":"EventList"' "$W/audit-webhook.out" 2>/dev/null && break
	sleep 0.5
done
grep -q '^POST /audit?timeout=' "$W/audit-webhook.out" && grep -q '"kind":"EventList","apiVersion":"audit.k8s.io/v1"' "$W/audit-webhook.out" &&
	grep -q '"user":{"username":"' "$W/audit-webhook.out" &&
	ok "audit webhook backend: an audit.k8s.io/v1 EventList was POSTed to the configured URL" ||
	fail "audit webhook received: $(head -c 300 "$W/audit-webhook.out")"

# stop
lab=$LAB
pids="$(cat "$lab/apiserver.pid") $(cat "$lab/etcd.pid")"
"$E2E/lab.sh" stop "$lab"
LAB=
alive=0
for p in $pids; do kill -0 "$p" 2>/dev/null && alive=$((alive + 1)); done
[ "$alive" = 0 ] && [ ! -e "$lab" ] && ok "stop: both processes gone, directory removed" ||
	fail "stop left $alive processes or $lab"
finish
