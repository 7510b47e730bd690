#!/usr/bin/env bash
# bulkhead audit on the audit log of a real kube-apiserver (the lab of tests/e2e/lab.sh: etcd + an API server
# built from k8s.io/kubernetes, RBAC, the audit policy tests/e2e/audit-policy.yaml) and through its audit
# webhook backend (--audit-webhook-config-file, batch mode) pointed at `bulkhead audit --listen`.
# kubectl drives three parts, separated by the log's line count:
#   setup      the lab's own namespaces, Roles and RoleBindings (the tenant Role grants pods/exec and "*")
#   benign     a hardened pod, a Deployment, a ConfigMap, reads, an exec into the hardened pod, a harmless
#              Role and RoleBinding — no alert may come from this part
#   malicious  a privileged hostPID pod and an exec into it by the same user, an ephemeral container with the
#              sysadmin profile, a ClusterRoleBinding to cluster-admin, the namespace's PSA label set to
#              privileged, bulkhead's ValidatingWebhookConfiguration deleted, a node-client CSR created and
#              approved, a service account given cluster-wide secret reads that then lists them, a token request
# The alerts of the log file and of the webhook backend must be the same (rule, auditID) pairs.
# The lab has no kubelet: pods are stored, never run, so exec is refused by the API server ("does not have a
# host assigned") after authorization — the session rules see an authorized attempt.
# Needs: etcd, the kube-apiserver built by tests/e2e/build-kube.sh, kubectl, jq, openssl, curl. Skips with
# the reason otherwise. AUDIT_E2E=DIR uses another tests/e2e folder; AUDIT_LAB_KEEP=DIR keeps the log and alerts.
. "$(dirname "$0")/../lib.sh"
E2E=${AUDIT_E2E:-$TOP/tests/e2e}
[ "${E2E_SKIP:-0}" = 1 ] && { skip "E2E=0 given: audit lab test skipped"; finish; exit 0; }
skip_all() { skip "$*"; finish; exit 0; }
[ -x "$E2E/lab.sh" ] || skip_all "the kube-apiserver lab ($E2E/lab.sh) is not in this tree yet: audit lab test skipped"
for t in jq openssl curl etcd; do command -v $t >/dev/null || skip_all "$t is not installed: audit lab test skipped"; done
"$E2E/build-kube.sh" --check apiserver >/dev/null 2>&1 ||
	skip_all "kube-apiserver is not built (tests/e2e/build-kube.sh, ~20 min once): audit lab test skipped"
"$E2E/build-kube.sh" kubectl >/dev/null 2>&1 || skip_all "no kubectl: audit lab test skipped"
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY
export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
W=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-audit-lab.XXXXXX") LAB= LPID=
cleanup() {
	[ -n "$LPID" ] && kill -KILL "$LPID" 2>/dev/null
	[ -n "$LAB" ] && "$E2E/lab.sh" stop "$LAB" >/dev/null 2>&1
	rm -rf "$W"
}
trap cleanup EXIT

# ---- the webhook backend: bulkhead audit --listen, and the API server's kubeconfig for it ----
"$TOP/deploy/gen-certs.sh" --out "$W/certs" --ip 127.0.0.1 >/dev/null 2>&1 || { fail "gen-certs.sh"; finish; exit 1; }
"$BH" audit --listen 127.0.0.1:0 --tls-cert "$W/certs/tls.crt" --tls-key "$W/certs/tls.key" --stats \
	>"$W/webhook.jsonl" 2>"$W/webhook.err" &
LPID=$!
for _ in $(seq 100); do
	PORT=$(grep -o 'port [0-9]*' "$W/webhook.err" 2>/dev/null | awk '{print $2}')
	[ -n "$PORT" ] && break
	sleep 0.05
done
[ -n "$PORT" ] || { fail "bulkhead audit --listen did not start: $(cat "$W/webhook.err")"; finish; exit 1; }
cat >"$W/audit-webhook.kubeconfig" <<E
apiVersion: v1
kind: Config
clusters:
- name: bulkhead-audit
  cluster: {server: "https://127.0.0.1:$PORT/audit", certificate-authority: "$W/certs/ca.crt"}
users:
- name: kube-apiserver
  user: {}
contexts:
- name: default
  context: {cluster: bulkhead-audit, user: kube-apiserver}
current-context: default
E

if ! "$E2E/lab.sh" start --dir "$W/lab" --audit-webhook-config "$W/audit-webhook.kubeconfig" >"$W/lab.out" 2>"$W/lab.err"; then
	LAB=$W/lab; cat "$W/lab.err" >&2; fail "the lab did not start"; finish; exit 1
fi
LAB=$W/lab
eval "$("$E2E/lab.sh" env "$LAB")"
KA() { kubectl --kubeconfig "$KUBECONFIG" --request-timeout=30s "$@"; }
KT() { kubectl --kubeconfig "$LAB_TENANT_KUBECONFIG" --request-timeout=30s -n team "$@"; }
# the log is written asynchronously (buffered backend): wait until its line count is stable
settle() { local a b; b=$(wc -l <"$LAB_AUDIT_LOG"); for _ in $(seq 20); do sleep 0.5; a=$(wc -l <"$LAB_AUDIT_LOG"); [ "$a" = "$b" ] && break; b=$a; done; echo "$a"; }
L_SETUP=$(settle)

# ---- benign ----
KT apply -f - >/dev/null <<'E'
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  automountServiceAccountToken: false
  securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
  containers:
  - name: app
    image: registry.example/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
    securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 1000, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: api
        image: registry.example/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
E
KT create configmap settings --from-literal=mode=prod >/dev/null
KT get pods,deployments,configmaps >/dev/null
KT exec web -- id >/dev/null 2>&1 # refused: no node (a benign session attempt)
KT patch deployment api -p '{"metadata":{"labels":{"tier":"backend"}}}' >/dev/null
KA -n team create role cm-reader --verb=get,list --resource=configmaps >/dev/null
KA -n team create rolebinding cm-readers --role=cm-reader --group=tenants >/dev/null
KT delete configmap settings >/dev/null
L_BENIGN=$(settle)

# ---- malicious ----
KT apply -f - >/dev/null <<'E'
apiVersion: v1
kind: Pod
metadata: {name: evil}
spec:
  hostPID: true
  containers:
  - name: shell
    image: alpine:3.20
    command: [sleep, infinity]
    securityContext: {privileged: true}
E
KT exec evil -- nsenter -t 1 -m -u -n -i sh -c id >/dev/null 2>&1
KT debug evil --image=busybox:1.36 --profile=sysadmin -c dbg >/dev/null 2>&1
KA create clusterrolebinding tenant-root --clusterrole=cluster-admin --user=tenant >/dev/null
KA label namespace team pod-security.kubernetes.io/enforce=privileged --overwrite >/dev/null
KA apply -f - >/dev/null <<'E'
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: bulkhead}
webhooks:
- name: validate.bulkhead.io
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Ignore
  clientConfig: {url: "https://127.0.0.1:1/validate"}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  namespaceSelector: {matchLabels: {bulkhead-audit-lab: "never"}}
E
KA delete validatingwebhookconfiguration bulkhead >/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$W/node.key" \
	-subj "/O=system:nodes/CN=system:node:worker-1" -out "$W/node.csr" 2>/dev/null
KA apply -f - >/dev/null <<E
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: node-csr-worker-1}
spec:
  request: $(base64 -w0 <"$W/node.csr")
  signerName: kubernetes.io/kube-apiserver-client-kubelet
  usages: [digital signature, client auth]
E
KA certificate approve node-csr-worker-1 >/dev/null
KA -n team create serviceaccount builder >/dev/null
KA create clusterrole secret-reader --verb=get,list,watch --resource=secrets >/dev/null
KA create clusterrolebinding builder-secrets --clusterrole=secret-reader --serviceaccount=team:builder >/dev/null
SA_TOKEN=$(KA -n team create token builder)
kubectl --server "$LAB_SERVER" --certificate-authority "$LAB_CA" --token "$SA_TOKEN" --kubeconfig /dev/null \
	get secrets -A >/dev/null 2>&1
L_END=$(settle)
sleep 3 # the webhook backend's batches (max wait 1 s) reach the listener
kill -TERM "$LPID"; wait "$LPID"; LPID=
echo "# audit log: $LAB_AUDIT_LOG: setup lines 1-$L_SETUP, benign $((L_SETUP + 1))-$L_BENIGN, malicious $((L_BENIGN + 1))-$L_END"

"$BH" audit --format jsonl --stats "$LAB_AUDIT_LOG" >"$W/file.jsonl" 2>"$W/file.err"; rc=$?
check "bulkhead audit on the lab's log exits 1 (findings), no input errors (got $rc)" test "$rc" = 1
check "the log has no unreadable line" sh -c "! jq -e 'select(.error)' '$W/file.jsonl' >/dev/null"
part() { # FROM TO → "rule severity" of the file's findings on those lines
	jq -r --argjson a "$1" --argjson b "$2" 'select(.finding) | select(.finding.location.line >= $a and .finding.location.line <= $b)
		| "\(.finding.rule) \(.finding.severity)"' "$W/file.jsonl"
}
benign=$(part $((L_SETUP + 1)) "$L_BENIGN")
check "no alert on the benign part (got: ${benign:-none})" test -z "$benign"
mal=$(part $((L_BENIGN + 1)) "$L_END")
want_rule() { # RULE SEVERITY WHAT
	if grep -qx "$1 $2" <<<"$mal"; then ok "malicious part: $1 $2 ($3)"; else fail "malicious part: no $1 $2 ($3)"; fi
}
want_rule BH0800 critical "privileged hostPID pod created"
want_rule BH0812 high "one user: the privileged pod, then exec into it (authorized, refused for lack of a node)"
want_rule BH0801 medium "exec into the privileged pod, not started"
want_rule BH0803 high "ephemeral container (sysadmin profile) in the privileged pod"
want_rule BH0804 critical "ClusterRoleBinding to cluster-admin"
want_rule BH0810 high "namespace label pod-security.kubernetes.io/enforce=privileged"
want_rule BH0809 critical "bulkhead's ValidatingWebhookConfiguration deleted"
want_rule BH0806 high "node-client CSR created and approved by admin"
want_rule BH0804 high "ClusterRole granting secrets, and its binding"
want_rule BH0805 medium "token request for the service account"
want_rule BH0808 high "a pod service account listing secrets in every namespace"
# the webhook backend saw the same events: the same (rule, auditID) pairs
jq -r 'select(.finding) | "\(.finding.rule) \(.event.auditID)"' "$W/file.jsonl" | sort -u >"$W/pairs.file"
jq -r 'select(.finding) | "\(.finding.rule) \(.event.auditID)"' "$W/webhook.jsonl" | sort -u >"$W/pairs.webhook"
if diff "$W/pairs.file" "$W/pairs.webhook" >"$W/pairs.diff"; then
	ok "the webhook backend raised the same $(wc -l <"$W/pairs.file") alerts (rule, auditID) as the log file"
else fail "webhook and log file differ"; cat "$W/pairs.diff"; fi
check "the webhook backend received batches without errors" sh -c "grep -q ' 0 errors' '$W/webhook.err'"
if [ -n "${AUDIT_LAB_KEEP:-}" ]; then
	mkdir -p "$AUDIT_LAB_KEEP"
	cp "$LAB_AUDIT_LOG" "$W/file.jsonl" "$W/webhook.jsonl" "$W/webhook.err" "$W/file.err" "$AUDIT_LAB_KEEP/"
	echo "$L_SETUP $L_BENIGN $L_END" >"$AUDIT_LAB_KEEP/parts"
fi
finish
