#!/usr/bin/env bash
# bulkhead respond --apply against the real kube-apiserver lab (tests/e2e/lab.sh): a privileged pod on a Node
# object, the alert of its creation recorded by `bulkhead audit` from the lab's own audit log, then
# `respond --apply --dry-run` (every request dryRun=All: nothing stored) and `respond --apply` (the label, the
# deny-all NetworkPolicy, the cordon, the ServiceAccount recreated with a new UID), checked with kubectl; a watch alert carrying the pod's namespace, name and node (the recorded live one) passes the dry run, and one whose pod UID is not the live pod's is refused.
# Skips (with the reason) without etcd, kube-apiserver or kubectl, like the other e2e tests.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/e2e/lib-e2e.sh"
e2e_prereqs
e2e_lab --namespaces team
cat >"$W/objs.yaml" <<'EOF'
apiVersion: v1
kind: Node
metadata: {name: node-1}
---
apiVersion: v1
kind: Pod
metadata: {name: evil, namespace: team}
spec:
  nodeName: node-1
  containers:
  - name: shell
    image: busybox:1.36
    securityContext: {privileged: true}
EOF
KA apply -f "$W/objs.yaml" >/dev/null || { fail "lab: the Node and the pod were not created"; finish; exit 1; }
uid0=$(KA get sa -n team default -o jsonpath='{.metadata.uid}')

# the alert: bulkhead audit on the lab's audit log (the pod's creation)
"$BH" audit --format jsonl "$LAB_AUDIT_LOG" 2>/dev/null | jq -c 'select(.event.objectRef.name == "evil")' | head -1 >"$W/alert.jsonl"
if [ -s "$W/alert.jsonl" ]; then ok "audit recorded the alert of the privileged pod's creation"
else fail "no audit alert for team/evil"; cp /dev/null "$W/alert.jsonl"; fi

"$BH" respond --apply --dry-run --format json --kubeconfig "$KUBECONFIG" "$W/alert.jsonl" >"$W/dry.json" 2>"$W/err"; rc=$?
echo "# dry-run record: $(jq -c '[.requests[] | "\(.step) \(.method) \(.dryRunStatus)"]' "$W/dry.json" 2>/dev/null)"
[ $rc = 0 ] && [ "$(jq '[.requests[] | select(.dryRunStatus >= 200 and .dryRunStatus < 300 or .dryRunStatus == 409)] | length' "$W/dry.json")" = 5 ] &&
	ok "--dry-run: all five writes pass the API server's dry run (dryRun=All)" || fail "--dry-run: rc=$rc $(cat "$W/err") $(head -c 400 "$W/dry.json")"
[ -z "$(KA get pod -n team evil -o jsonpath='{.metadata.labels.bulkhead\.io/quarantine}')" ] &&
	! KA get networkpolicy -n team bulkhead-quarantine >/dev/null 2>&1 &&
	[ "$(KA get node node-1 -o jsonpath='{.spec.unschedulable}')" != true ] &&
	[ "$(KA get sa -n team default -o jsonpath='{.metadata.uid}')" = "$uid0" ] &&
	ok "--dry-run stored nothing (no label, no policy, node schedulable, same ServiceAccount)" || fail "--dry-run changed the cluster"

# a watch alert with the pod's identity (the recorded live one, pointed at this lab's pod): --dry-run from it
poduid=$(KA get pod -n team evil -o jsonpath='{.metadata.uid}')
jq -c --arg u "$poduid" '.pod = {uid: $u, namespace: "team", name: "evil"} | .container.pod_uid = $u | .container.name = "shell" | .node = "node-1"' \
	"$TOP/tests/respond/alerts/watch-identity-pod.json" >"$W/watch.json"
"$BH" respond --apply --dry-run --format json --kubeconfig "$KUBECONFIG" "$W/watch.json" >"$W/wdry.json" 2>"$W/err"; rc=$?
[ $rc = 0 ] && [ "$(jq '[.requests[] | select(.dryRunStatus >= 200 and .dryRunStatus < 300 or .dryRunStatus == 409)] | length' "$W/wdry.json")" = 5 ] &&
	ok "watch alert with namespace/name/node: --apply --dry-run passes all five writes" || fail "watch --dry-run: rc=$rc $(cat "$W/err") $(head -c 300 "$W/wdry.json")"
jq -c '.pod.uid = "00000000-1111-2222-3333-444455556666" | .container.pod_uid = .pod.uid' "$W/watch.json" >"$W/watch-old.json"
"$BH" respond --apply --dry-run --kubeconfig "$KUBECONFIG" "$W/watch-old.json" >"$W/out" 2>"$W/err"; rc=$?
[ $rc = 2 ] && grep -q 'was replaced' "$W/err" && ok "a watch alert whose pod UID is not the live pod's: exit 2, nothing sent" ||
	fail "UID mismatch: rc=$rc $(cat "$W/err")"

"$BH" respond --apply --kubeconfig "$KUBECONFIG" "$W/alert.jsonl" >"$W/apply.txt" 2>"$W/err"; rc=$?
sed 's/^/# /' "$W/apply.txt"
[ $rc = 0 ] && ok "--apply: every request applied (exit 0)" || fail "--apply: rc=$rc $(cat "$W/err")"
[ "$(KA get pod -n team evil -o jsonpath='{.metadata.labels.bulkhead\.io/quarantine}')" = true ] &&
	ok "the pod carries bulkhead.io/quarantine=true" || fail "no quarantine label"
KA get networkpolicy -n team bulkhead-quarantine -o json >"$W/np.json" 2>/dev/null &&
	[ "$(jq -c '[.spec.policyTypes, .spec.podSelector.matchLabels, .spec.ingress, .spec.egress]' "$W/np.json")" = '[["Ingress","Egress"],{"bulkhead.io/quarantine":"true"},null,null]' ] &&
	ok "the NetworkPolicy selects the quarantine label and allows no ingress and no egress" || fail "NetworkPolicy: $(cat "$W/np.json" 2>&1 | head -c 300)"
[ "$(KA get node node-1 -o jsonpath='{.spec.unschedulable}')" = true ] && ok "node-1 is cordoned" || fail "node not cordoned"
uid1=$(KA get sa -n team default -o jsonpath='{.metadata.uid}')
[ -n "$uid1" ] && [ "$uid1" != "$uid0" ] && ok "the ServiceAccount was recreated (new UID: its bound tokens no longer validate)" ||
	fail "ServiceAccount uid $uid0 -> $uid1"
"$BH" respond --apply --kubeconfig "$KUBECONFIG" team/evil >/dev/null 2>&1 && ok "a second --apply is idempotent (exit 0; the policy already exists)" ||
	fail "second --apply failed"
"$BH" respond --apply --kubeconfig "$KUBECONFIG" team/absent >/dev/null 2>"$W/err"; [ $? = 2 ] && ok "--apply on a missing pod exits 2" || fail "missing pod"
KUBECONFIG=$LAB_TENANT_KUBECONFIG "$BH" respond --apply --kubeconfig "$LAB_TENANT_KUBECONFIG" team/evil >"$W/t.txt" 2>&1; rc=$?
[ $rc = 1 ] && grep -q 'cordon.*dry-run: 403' "$W/t.txt" && ok "as the tenant (no node rights) the cordon's dry run is refused (403), recorded, exit 1" ||
	fail "tenant: rc=$rc $(head -c 400 "$W/t.txt")"
finish
