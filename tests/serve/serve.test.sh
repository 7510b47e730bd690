#!/usr/bin/env bash
# bulkhead serve over real TLS on loopback (curl, openssl s_client): decisions, every workload kind,
# ephemeral containers, exemptions, errors, limits, metrics, config reload. Bounded: one server at a time,
# every client has a timeout. Slow clients, certificate reload and SIGTERM are in serve_robust.test.sh.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/serve/lib-serve.sh"
need_tools
export LC_ALL=C
certs "$W/certs"

cat >"$W/config.yaml" <<'EOF'
serve:
  exemptNamespaces: ["kube-system"]
  exemptUsers: ["system:serviceaccount:kube-system:*"]
  exemptGroups: ["breakglass"]
exemptions:
  - namespace: legacy
    rules: [BH0001]
    reason: "legacy batch host, tracked in SEC-42"
EOF
check "server starts and writes its port" start_server --config "$W/config.yaml"

# ---- health ----
check "/healthz answers ok" test "$(CURL "$(URL /healthz)")" = ok
check "/readyz answers ok" test "$(CURL "$(URL /readyz)")" = ok
check "TLS 1.1 is refused" bash -c "! curl -sS --max-time 5 --cacert '$W/certs/ca.crt' --tls-max 1.1 '$(URL /healthz)' 2>/dev/null"
check "certificate verifies for localhost by SAN" curl -sS --max-time 5 --cacert "$W/certs/ca.crt" -o /dev/null "https://localhost:$PORT/healthz"

# ---- decisions ----
mk allow Pod spec-hardened
check "hardened pod: HTTP 200" test "$(post "$W/allow.json")" = 200
check "hardened pod: allowed, same uid, same kind and version" \
	J '.apiVersion == "admission.k8s.io/v1" and .kind == "AdmissionReview" and .response.uid == "uid-Pod-CREATE-1" and .response.allowed == true and (.response.warnings | not)' "$W/body"

mk deny Pod spec-privileged
post "$W/deny.json" >/dev/null
check "privileged pod: denied with 403" J '.response.allowed == false and .response.status.code == 403' "$W/body"
check "denial names rule, container, field and fix" \
	J '.response.status.message | test("BH0001") and test("container \"app\"") and test("containers\\[0\\].securityContext.privileged") and test("fix:")' "$W/body"
check "denial is audited" J '.response.auditAnnotations.decision == "deny" and (.response.auditAnnotations.findings | test("BH0001"))' "$W/body"

mk warn Pod spec-warn
post "$W/warn.json" >/dev/null
check "medium finding: allowed with a warning" J '.response.allowed == true and (.response.warnings | length) >= 1 and (.response.warnings[0] | test("BH0006"))' "$W/body"
check "every warning is at most 120 characters" J '[.response.warnings[] | length <= 120] | all' "$W/body"

mk dry Pod spec-privileged CREATE '.dryRun = true'
post "$W/dry.json" >/dev/null
check "dry run is decided the same" J '.response.allowed == false and .response.status.code == 403' "$W/body"

mk del Pod spec-privileged DELETE '.oldObject = .object | .object = null'
post "$W/del.json" >/dev/null
check "DELETE is allowed untouched" J '.response.allowed == true and .response.uid == "uid-Pod-DELETE-1" and (.response.status | not)' "$W/body"
mk conn Pod spec-privileged CONNECT '.subResource = "exec"'
post "$W/conn.json" >/dev/null
check "CONNECT (exec) is allowed untouched" J '.response.allowed == true' "$W/body"
mk status Pod spec-privileged UPDATE '.subResource = "status" | .oldObject = .object'
post "$W/status.json" >/dev/null
check "status subresource is not evaluated" J '.response.allowed == true' "$W/body"
mk meta Pod spec-privileged UPDATE '.oldObject = .object | .object.metadata.labels = {"x": "y"}'
post "$W/meta.json" >/dev/null
check "metadata-only UPDATE of an existing risky pod is allowed" J '.response.allowed == true' "$W/body"
mk upd Deployment spec-privileged UPDATE '.oldObject = (.object | .spec.template.spec.containers[0].securityContext.privileged = false)'
post "$W/upd.json" >/dev/null
check "UPDATE that makes a Deployment privileged is denied" J '.response.allowed == false' "$W/body"
mk gone Deployment spec-privileged UPDATE '.object.metadata.deletionTimestamp = "2024-01-01T00:00:00Z" | .oldObject = (.object | .metadata.finalizers = ["x/y"])'
post "$W/gone.json" >/dev/null
check "finalizer update of an object being deleted is allowed" J '.response.allowed == true' "$W/body"
mk gone2 Deployment spec-privileged UPDATE '.object.metadata.deletionTimestamp = "2024-01-01T00:00:00Z" | .oldObject = (.object | .spec.template.spec.containers[0].securityContext.privileged = false)'
post "$W/gone2.json" >/dev/null
check "spec change on an object being deleted is still evaluated: denied" J '.response.allowed == false' "$W/body"

# ---- every workload kind bulkhead knows ----
for kind in Pod PodTemplate ReplicationController ReplicaSet Deployment StatefulSet DaemonSet Job CronJob; do
	mk "k$kind" "$kind" spec-privileged
	post "$W/k$kind.json" >/dev/null
	check "$kind with a privileged container is denied at the $kind" \
		J --arg k "$kind" '.response.allowed == false and (.response.status.message | test("denied " + $k + " "))' "$W/body"
	mk "h$kind" "$kind" spec-hardened
	post "$W/h$kind.json" >/dev/null
	check "hardened $kind is allowed" J '.response.allowed == true' "$W/body"
done
mk noobj Pod spec-hardened CREATE '.object = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}'
post "$W/noobj.json" >/dev/null
check "an object without a pod template is allowed" J '.response.allowed == true' "$W/body"

# ---- ephemeral containers (kubectl debug) ----
eph='.subResource = "ephemeralcontainers" | .oldObject = .object | .object.spec.ephemeralContainers = [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"privileged": true}}]'
mk eph Pod spec-hardened UPDATE "$eph"
post "$W/eph.json" >/dev/null
check "privileged ephemeral container is denied" \
	J '.response.allowed == false and (.response.status.message | test("debugger")) and (.response.status.message | test("ephemeralContainers\\[0\\]"))' "$W/body"
eph_ok='.subResource = "ephemeralcontainers" | .oldObject = .object | .object.spec.ephemeralContainers = [{"name": "debugger", "image": "busybox:1.36", "securityContext": {"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]}}}]'
mk ephok Pod spec-hardened UPDATE "$eph_ok"
post "$W/ephok.json" >/dev/null
check "unprivileged ephemeral container is allowed" J '.response.allowed == true' "$W/body"

# ---- exemptions ----
mk exns Pod spec-privileged CREATE '.namespace = "kube-system" | .object.metadata.namespace = "kube-system"'
post "$W/exns.json" >/dev/null
check "exempt namespace: allowed and audited as exempt" J '.response.allowed == true and .response.auditAnnotations.decision == "exempt"' "$W/body"
mk exuser Pod spec-privileged CREATE '.userInfo.username = "system:serviceaccount:kube-system:daemon-set-controller"'
post "$W/exuser.json" >/dev/null
check "exempt user (glob): allowed" J '.response.allowed == true' "$W/body"
mk exgrp Pod spec-privileged CREATE '.userInfo.groups += ["breakglass"]'
post "$W/exgrp.json" >/dev/null
check "exempt group: allowed" J '.response.allowed == true' "$W/body"
mk exrule Pod spec-privileged CREATE '.namespace = "legacy" | .object.metadata.namespace = "legacy"'
post "$W/exrule.json" >/dev/null
check "config exemption (namespace + rule, with reason): allowed, counted as suppressed" \
	J '.response.allowed == true and .response.auditAnnotations.suppressed == "1"' "$W/body"
mk exns2 Pod spec-privileged CREATE '.namespace = "legacy" | .object.metadata.namespace = null'
post "$W/exns2.json" >/dev/null
check "namespace from the request applies when the object has none" J '.response.allowed == true' "$W/body"
mk ann Pod spec-privileged CREATE '.object.metadata.annotations = {"bulkhead.io/ignore": "BH0001 GPU driver installer, approved in SEC-7"}'
post "$W/ann.json" >/dev/null
check "bulkhead.io/ignore annotation with a reason: denied (serve.honorIgnoreAnnotation is off by default)" J '.response.allowed == false' "$W/body"
mk annnr Pod spec-privileged CREATE '.object.metadata.annotations = {"bulkhead.io/ignore": "BH0001"}'
post "$W/annnr.json" >/dev/null
check "bulkhead.io/ignore without a reason: still denied" J '.response.allowed == false' "$W/body"

# ---- malformed requests: HTTP 400 with a JSON error, and the server goes on ----
printf '{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {' >"$W/trunc.json"
check "truncated JSON: 400" test "$(post "$W/trunc.json")" = 400
check "400 carries a JSON error with line:col" J '.code == 400 and (.error | test("malformed JSON at 1:"))' "$W/body"
printf 'apiVersion: admission.k8s.io/v1\nkind: AdmissionReview\n' >"$W/yaml.json"
check "YAML body: 400" test "$(post "$W/yaml.json")" = 400
jq -c '.kind = "Pod"' "$W/allow.json" >"$W/kind.json"
check "wrong kind: 400" test "$(post "$W/kind.json")" = 400
jq -c '.apiVersion = "admission.k8s.io/v1beta1"' "$W/allow.json" >"$W/v1beta1.json"
check "AdmissionReview v1beta1: 400" test "$(post "$W/v1beta1.json")" = 400
check "the error says which version is supported" J '.error | test("only admission.k8s.io/v1")' "$W/body"
jq -c 'del(.request.uid)' "$W/allow.json" >"$W/nouid.json"
check "missing uid: 400" test "$(post "$W/nouid.json")" = 400
jq -c '.request.uid = 7' "$W/allow.json" >"$W/numuid.json"
check "uid of the wrong type: 400" test "$(post "$W/numuid.json")" = 400
{ cat "$W/allow.json"; echo '{}'; } >"$W/two.json"
check "data after the AdmissionReview: 400" test "$(post "$W/two.json")" = 400
printf '\xff\xfe{}' >"$W/bin.json"
check "binary garbage: 400" test "$(post "$W/bin.json")" = 400
: >"$W/empty.json"
check "empty body: 400" test "$(post "$W/empty.json")" = 400
python_deep=$(printf '%*s' 2000 '' | tr ' ' '[')
printf '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"d","operation":"CREATE","object":%s}}' "$python_deep" >"$W/deep.json"
check "nesting deeper than the limit: answered (200), not a failed call" test "$(post "$W/deep.json")" = 200
check "... denied with the reason, uid echoed" J '.response.allowed == false and .response.uid == "d" and (.response.status.message | test("cannot evaluate"))' "$W/body"
code=$(CURL -H 'Content-Type: text/plain' --data-binary @"$W/allow.json" -o "$W/body" -w '%{http_code}' "$(URL /validate)")
check "wrong Content-Type: 415" test "$code" = 415
code=$(CURL -o "$W/body" -w '%{http_code}' "$(URL /validate)")
check "GET /validate: 405" test "$code" = 405
code=$(CURL -o "$W/body" -w '%{http_code}' "$(URL /nope)")
check "unknown path: 404 with a JSON error" bash -c "test '$code' = 404 && jq -e '.code == 404' '$W/body' >/dev/null"
check "server still answers after the bad requests" test "$(post "$W/allow.json")" = 200

# ---- body size: what the API server can send (1.5 MiB object x 6 for escaping x 2 objects + 1 MiB) ----
big_request() { # SIZE_OF_ANNOTATION → AdmissionReview with an annotation of that many bytes
	head -c "$1" /dev/zero | tr '\0' 'a' >"$W/pad"
	jq -c --rawfile pad "$W/pad" '.request.object.metadata.annotations = {"pad": $pad}' "$W/allow.json"
}
big_request $((3 * 1024 * 1024 - 2048)) >"$W/near.json"
check "body just under 3 MiB: decided (200)" test "$(post "$W/near.json")" = 200
big_request $((19 * 1024 * 1024)) >"$W/over.json"
check "body over 19 MiB (Content-Length): 413" test "$(post "$W/over.json")" = 413
check "413 carries a JSON error" J '.code == 413' "$W/body"
check "body over 19 MiB (chunked): 413" test "$(post "$W/over.json" -H 'Transfer-Encoding: chunked')" = 413
check "server still answers after oversized bodies" test "$(post "$W/allow.json")" = 200

# ---- plain HTTP and junk on the TLS port ----
curl -sS --max-time 3 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1
head -c 4096 /dev/urandom | timeout 3 bash -c "cat >/dev/tcp/127.0.0.1/$PORT" 2>/dev/null
check "plain HTTP and random bytes do not hurt the server" test "$(CURL "$(URL /healthz)")" = ok

# ---- concurrency: many keep-alive requests from parallel clients ----
urls=()
for i in $(seq 50); do
	[ "$i" = 1 ] || urls+=(--next --cacert "$W/certs/ca.crt")
	urls+=(-H 'Content-Type: application/json' --data-binary @"$W/deny.json" "$(URL /validate)")
done
ok_parallel=1
pids=()
for i in 1 2 3 4; do
	(curl -sS --max-time 20 --cacert "$W/certs/ca.crt" "${urls[@]}" | grep -o '"allowed": false' | wc -l >"$W/par.$i") &
	pids+=($!)
done
wait "${pids[@]}"
for f in "$W"/par.*; do [ "$(cat "$f")" = 50 ] || ok_parallel=0; done
check "4 parallel keep-alive clients x 50 requests all decided" test "$ok_parallel" = 1

# ---- metrics ----
CURL "$(URL /metrics)" >"$W/metrics"
check "metrics: requests by path and code" grep -q '^bulkhead_http_requests_total{path="/validate",code="400"} [1-9]' "$W/metrics"
check "metrics: decisions" grep -q '^bulkhead_admission_decisions_total{decision="deny"} [1-9]' "$W/metrics"
check "metrics: rule hits by action" grep -q '^bulkhead_admission_rule_hits_total{rule="BH0001",name="privileged-container",action="deny"} [1-9]' "$W/metrics"
check "metrics: latency histogram ends in +Inf = count" \
	awk '/_bucket\{le="\+Inf"\}/ {inf=$2} /^bulkhead_admission_duration_seconds_count/ {c=$2} END {exit !(inf == c && c > 0)}' "$W/metrics"
check "metrics: errors by kind" grep -q '^bulkhead_errors_total{kind="too_large"} [1-9]' "$W/metrics"
check "metrics: certificate expiry" grep -q '^bulkhead_certificate_expiry_timestamp_seconds [1-9]' "$W/metrics"

# ---- config reload: on change and on SIGHUP; a broken config keeps the previous one ----
cat >"$W/config.yaml" <<'EOF'
serve:
  actions: {critical: warn, high: warn}
EOF
sleep 1.5
post "$W/deny.json" >/dev/null
check "config change is picked up: critical now warns" J '.response.allowed == true and (.response.warnings[0] | test("BH0001"))' "$W/body"
printf 'serve: [unclosed\n' >"$W/config.yaml"
sleep 1.5
post "$W/deny.json" >/dev/null
check "broken config is refused; the previous one stays" J '.response.allowed == true' "$W/body"
check "failed config reload is logged with file:line" grep -q '"event": "reload".*config not reloaded.*config.yaml:' "$W/log"
check "failed config reload is counted" test "$(metric 'bulkhead_reloads_total{what="config",result="failed"}')" -ge 1
printf 'serve:\n  actions: {critical: deny}\n' >"$W/config.yaml"
touch -d '2001-01-01' "$W/config.yaml" # same size class, odd mtime: SIGHUP must reload regardless
kill -HUP "$PID"
sleep 0.5
post "$W/deny.json" >/dev/null
check "SIGHUP reloads the config" J '.response.allowed == false' "$W/body"
printf 'serve:\n  actions: {critical: warn, high: warn}\n' >"$W/config.yaml"
kill -HUP "$PID"
sleep 0.5
printf '# emptied\n---\n' >"$W/config.yaml"
kill -HUP "$PID"
sleep 0.5
post "$W/deny.json" >/dev/null
check "an emptied config is refused on reload; the running one stays (critical still warns)" J '.response.allowed == true' "$W/body"
check "... and the log says why" grep -q 'config not reloaded.*empty' "$W/log"
printf 'serve:\n  actions: {critical: deny}\n' >"$W/config.yaml"
kill -HUP "$PID"
sleep 0.5
check "JSON log lines parse" bash -c "jq -e . '$W/log' >/dev/null"
check "denials are logged with uid, decision and rules (or why the object was not evaluated whole)" \
	bash -c "jq -s -e '[.[] | select(.event == \"request\" and .decision == \"deny\")] | length > 0 and
		all(.uid and (.rules or (.msg | test(\"not evaluated whole\"))))' '$W/log' >/dev/null"

check "SIGTERM: clean exit 0" stop_server
bad=$("$BH" serve --tls-cert "$W/nope.crt" --tls-key "$W/certs/tls.key" --listen 127.0.0.1:0 2>&1; echo "rc=$?")
check "missing certificate: exit 2 with a message" bash -c "echo '$bad' | grep -q 'rc=2' && echo '$bad' | grep -q nope.crt"
certs "$W/other"
bad=$("$BH" serve --tls-cert "$W/certs/tls.crt" --tls-key "$W/other/tls.key" --listen 127.0.0.1:0 2>&1; echo "rc=$?")
check "key of another certificate: exit 2" bash -c "echo '$bad' | grep -q 'rc=2' && echo '$bad' | grep -q 'does not hold the private key'"
bad=$("$BH" serve 2>&1; echo "rc=$?")
check "no certificate options: usage error 2" bash -c "echo '$bad' | grep -q 'rc=2'"
check "serve --help lists the paths" bash -c "'$BH' serve --help | grep -q /validate"
finish
