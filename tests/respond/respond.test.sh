#!/usr/bin/env bash
# bulkhead respond: recorded alerts (tests/respond/alerts/: watch alerts replayed from tests/fixtures/watch,
# audit jsonl lines written by `bulkhead audit` from its own cases; watch-release-agent-pod.json is the
# release-agent recording with a containerd id and a pod UID put in) → the runbook (NAME.runbook) and the JSON
# plan (NAME.plan.json), compared with the goldens; every command parses (bash -n); the runbook is then run
# against a recording kubectl/crictl stub, which checks that the steps happen in order and do what they say;
# crafted alerts that would inject shell are refused. UPDATE=1 rewrites the goldens.
. "$(dirname "$0")/../lib.sh"
A=$TOP/tests/respond/alerts
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
command -v jq >/dev/null || { skip "jq is not installed"; finish; exit; }

order='target quarantine cordon evidence revoke hunt eradicate'
for f in "$A"/*.json "$A"/*.jsonl; do
	case $f in *.plan.json) continue ;; esac
	n=$(basename "${f%.*}")
	"$BH" respond "$f" >"$T/rb" 2>"$T/err"; rc1=$?
	"$BH" respond --format json "$f" >"$T/plan" 2>>"$T/err"; rc2=$?
	if [ -n "${UPDATE:-}" ]; then cp "$T/rb" "$A/$n.runbook"; jq -S . "$T/plan" >"$A/$n.plan.json"; fi
	[ $rc1 = 0 ] && [ $rc2 = 0 ] && ok "$n: a plan (exit 0)" || fail "$n: exit $rc1/$rc2: $(cat "$T/err")"
	cmp -s "$T/rb" "$A/$n.runbook" && ok "$n: runbook equals $n.runbook" || { fail "$n: runbook differs"; diff "$A/$n.runbook" "$T/rb" | head; }
	if jq -S . "$T/plan" >"$T/plan.s" 2>/dev/null; then
		cmp -s "$T/plan.s" "$A/$n.plan.json" && ok "$n: JSON plan equals $n.plan.json" || fail "$n: JSON plan differs"
		[ "$(jq -r '[.plans[0].steps[].id] | join(" ")' "$T/plan")" = "$order" ] && ok "$n: steps in order: $order" ||
			fail "$n: step order $(jq -r '[.plans[0].steps[].id] | join(" ")' "$T/plan")"
		jq -r '.plans[0].steps[].commands[]' "$T/plan" >"$T/cmds.sh"
		bash -n "$T/cmds.sh" 2>"$T/bashn" && ok "$n: every command parses (bash -n)" || fail "$n: bash -n: $(head -3 "$T/bashn")"
	else
		fail "$n: --format json is not JSON"
	fi
done

# ---- the JSON shape of docs/schema/respond.schema.json ----
"$BH" respond --format json "$A/watch-nsenter-host.json" >"$T/s.json"
miss=$(jq -r --slurpfile s "$TOP/docs/schema/respond.schema.json" '$s[0].properties.plans.items as $p |
	(($s[0].required - keys) + ($p.required - (.plans[0] | keys)) +
	 ([.plans[0].steps[] | $p.properties.steps.items.required - keys] | add)) | join(" ")' "$T/s.json")
check "respond JSON has every key docs/schema/respond.schema.json requires (missing:${miss:- none})" test -z "$miss"

# ---- the runbook run against a recording stub of kubectl and crictl ----
mkdir -p "$T/bin" "$T/run"
cat >"$T/bin/kubectl" <<'EOF'
#!/usr/bin/env bash
echo "kubectl $*" >>"$STUBLOG"
case "$*" in
*apply*) cat >>"$STUBLOG.stdin" ;;
*'{.spec.nodeName}'*) echo node-1 ;;
*'{.spec.serviceAccountName}'*) echo "" ;;
*'{.spec.containers[0].name}'*) echo shell ;;
*ownerReferences*) echo / ;;
*'imageID}'*) echo "docker.io/library/busybox@sha256:1111" ;;
*'uid=="'*) echo "team evil" ;;
"get secret -n team -o json")
	echo '{"items":[{"type":"kubernetes.io/service-account-token","metadata":{"name":"legacy-tok","annotations":{"kubernetes.io/service-account.name":"default"}}},{"type":"Opaque","metadata":{"name":"app-config"}}]}' ;;
"get pod -n team evil -o json") echo '{"status":{"containerStatuses":[{"name":"shell","containerID":"containerd://3f2a9c1e5b7d4a6c8e0f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"}]}}' ;;
"get pods -A -o json"|get\ pods,deployments*) cat "$STUBDIR/pods.json" ;;
*) : ;;
esac
EOF
cat >"$T/bin/crictl" <<'EOF'
#!/usr/bin/env bash
echo "crictl $*" >>"$STUBLOG"
echo '{"status":{"labels":{"io.kubernetes.pod.namespace":"team","io.kubernetes.pod.name":"evil"}}}'
EOF
cat >"$T/pods.json" <<'EOF'
{"apiVersion": "v1", "kind": "List", "items": [
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "evil", "namespace": "team"},
  "spec": {"hostPID": true, "nodeName": "node-1", "containers": [{"name": "shell", "image": "busybox", "securityContext": {"privileged": true}}]},
  "status": {"containerStatuses": [{"name": "shell", "imageID": "docker.io/library/busybox@sha256:1111"}]}},
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "twin", "namespace": "other"},
  "spec": {"hostPID": true, "nodeName": "node-2", "containers": [{"name": "c", "image": "busybox", "securityContext": {"privileged": true}}]},
  "status": {"containerStatuses": [{"name": "c", "imageID": "docker.io/library/busybox@sha256:1111"}]}},
 {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "clean", "namespace": "other"},
  "spec": {"nodeName": "node-2", "containers": [{"name": "c", "image": "nginx"}]},
  "status": {"containerStatuses": [{"name": "c", "imageID": "docker.io/library/nginx@sha256:2222"}]}}]}
EOF
chmod +x "$T/bin/kubectl" "$T/bin/crictl"
mkdir -p "$T/bin2" && ln -s "$BH" "$T/bin2/bulkhead"
for n in watch-release-agent-pod audit-workload-pod watch-nsenter-host; do
	"$BH" respond --format json "$A/$n."json* | jq -r '.plans[0].steps[] | select(.id != "evidence" or true) | .commands[]' |
		grep -v '^P=\|^cat /proc\|^ps -eo' >"$T/run/runbook.sh" # node-side /proc commands need the node
	export STUBLOG=$T/run/$n.log STUBDIR=$T
	: >"$STUBLOG"
	(cd "$T/run" && PATH="$T/bin:$T/bin2:$PATH" bash -e "$T/run/runbook.sh" >/dev/null 2>"$T/run/$n.err")
	log=$STUBLOG
	want=("label pod -n team evil bulkhead.io/quarantine=true" "apply -n team -f -" "cordon node-1" "logs -n team evil"
	      "get events -n team" "delete secret -n team legacy-tok" "delete sa -n team default" "create sa -n team default"
	      "delete pod -n team evil" "uncordon node-1")
	last=0 okorder=1
	for w in "${want[@]}"; do
		l=$(grep -nF "kubectl $w" "$log" | head -1 | cut -d: -f1)
		if [ -z "$l" ] || [ "$l" -lt "$last" ]; then okorder=0; echo "# $n: '$w' missing or out of order"; fi
		last=${l:-$last}
	done
	[ $okorder = 1 ] && ok "$n: run against the stub: quarantine, cordon, evidence, revocation, removal in order" ||
		fail "$n: the runbook's kubectl calls: $(tr '\n' ';' <"$log" | head -c 600) $(head -c 300 "$T/run/$n.err")"
	grep -q 'policyTypes: \[Ingress, Egress\]' "$log.stdin" && ! grep -q 'ingress:\|egress:' "$log.stdin" &&
		ok "$n: the NetworkPolicy applied denies all ingress and egress" || fail "$n: NetworkPolicy"
	! grep -q 'delete secret.*app-config' "$log" && ok "$n: only the service account's token Secret is deleted" || fail "$n: other secrets deleted"
	ev=$(ls -d "$T"/run/evidence/team-evil-* 2>/dev/null | head -1)
	[ -s "$ev/same-avenue.txt" ] && grep -q 'other/twin' "$ev/same-avenue.txt" && ! grep -q clean "$ev/same-avenue.txt" &&
		ok "$n: the hunt finds the other pod with the same avenue (other/twin), not the clean one" ||
		fail "$n: same-avenue: $(cat "$ev/same-avenue.txt" 2>&1 | head -3)"
	grep -q 'other/twin node-2' "$ev/same-image.txt" 2>/dev/null && ok "$n: the hunt finds the same image on node-2" ||
		fail "$n: same-image: $(cat "$ev/same-image.txt" 2>&1 | head -3)"
	rm -rf "$T/run/evidence" "$T/run/$n.log.stdin"
done

# ---- a watch alert with the pod's identity (watch --root on the node: tests/watch/identity.test.sh recorded it) ----
"$BH" respond --format json "$A/watch-identity-pod.json" >"$T/id.json" 2>"$T/err"
[ "$(jq -r '.plans[0].target | "\(.namespace)/\(.pod) \(.container) \(.node) \(.podUID)"' "$T/id.json")" = \
  "team/evil-7f9c shell lab-node-1 $(jq -r .pod.uid "$A/watch-identity-pod.json")" ] &&
	ok "watch alert with identity: the plan targets team/evil-7f9c, container shell, node lab-node-1, its UID" ||
	fail "identity plan target: $(jq -c .plans[0].target "$T/id.json" 2>&1 | head -c 300)"
jq -r '.plans[0].steps[0].commands[]' "$T/id.json" | grep -q "^CONTAINER='shell'$" && ! jq -r '.plans[0].steps[0].commands[]' "$T/id.json" | grep -q 'uid=="' &&
	ok "watch alert with identity: no lookup left in the target step (NS, POD, NODE, CONTAINER given)" || fail "identity target step"
# --apply without the namespace and name: says what is missing, contacts no cluster (no kubeconfig here)
KUBECONFIG=$T/none "$BH" respond --apply --kubeconfig "$T/none" "$A/watch-release-agent-pod.json" >"$T/out" 2>"$T/err"; rc=$?
uid=$(jq -r .container.pod_uid "$A/watch-release-agent-pod.json")
[ $rc = 2 ] && grep -q "names only pod UID $uid" "$T/err" && grep -q -- '--root' "$T/err" && [ ! -s "$T/out" ] &&
	ok "--apply on an alert with only a pod UID: exit 2, names the UID, how to find the pod, and --root" || fail "uid-only --apply: rc=$rc $(cat "$T/err")"
KUBECONFIG=$T/none "$BH" respond --apply --kubeconfig "$T/none" "$A/watch-nsenter-host.json" >"$T/out" 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "names only container" "$T/err" && ok "--apply on an alert with only a container: exit 2, says so" || fail "container-only --apply: rc=$rc $(cat "$T/err")"

# ---- crafted alerts and bad input ----
jq -c '.pod = {"namespace": "team;touch /tmp/pwned", "name": "evil"}' "$A/watch-nsenter-host.json" >"$T/inject1.json"
jq -c '.container.id = "abc'"'"'$(id)"' "$A/watch-nsenter-host.json" >"$T/inject2.json"
jq -c '.event.escapes = "BH0001,$(reboot)"' "$A/audit-workload-pod.jsonl" >"$T/inject3.json"
jq -c '.container.name = "shell`id`"' "$A/watch-identity-pod.json" >"$T/inject4.json"
for i in 1 2 3 4; do
	"$BH" respond "$T/inject$i.json" >"$T/out" 2>"$T/err"; rc=$?
	[ $rc = 2 ] && grep -q 'refusing to write it into commands' "$T/err" && [ ! -s "$T/out" ] &&
		ok "crafted alert $i (shell in a name) is refused, exit 2, no plan" || fail "crafted alert $i: rc=$rc $(cat "$T/err")"
done
echo '{"hello": 1}' >"$T/other.json"
"$BH" respond "$T/other.json" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q 'other.json:1:1:' "$T/err" && ok "a JSON object that is no alert: file:line:col, exit 2" || fail "non-alert: $rc $(cat "$T/err")"
printf '{"rule": "BH0512", "container": {"id": "x"}\n' >"$T/broken.json"
"$BH" respond "$T/broken.json" >/dev/null 2>"$T/err"; [ $? = 2 ] && grep -q 'broken.json:1:' "$T/err" && ok "a truncated alert: exit 2 with its position" || fail "truncated alert"
"$BH" respond team/web >"$T/out" 2>&1 && grep -q "NS='team' POD='web'" "$T/out" && ok "a pod reference team/web gives its plan" || fail "pod reference"
"$BH" respond 'Team/web$(id)' >/dev/null 2>&1; [ $? = 2 ] && ok "an invalid pod reference exits 2" || fail "invalid pod reference"
# straight from the producers: watch replaying a lab recording, audit reading its own cases
if "$BH" watch --replay "$TOP/tests/fixtures/watch/runtime-socket.bhw" --format json 2>/dev/null | "$BH" respond --format json - >"$T/w.json" 2>"$T/err"; then
	[ "$(jq -r '.plans[0].alert.rule + " " + (.plans[0].avenue | join(","))' "$T/w.json")" = "BH0518 BH0203,BH0005" ] &&
		ok "watch --replay | respond: the runtime-socket alert's plan hunts BH0203 and BH0005" || fail "watch | respond: $(head -c 300 "$T/w.json")"
else fail "watch --replay | respond failed: $(cat "$T/err")"; fi
if "$BH" help audit >/dev/null 2>&1 && [ -f "$TOP/tests/audit/cases/workload-pos.jsonl" ]; then
	"$BH" audit --format jsonl "$TOP/tests/audit/cases/workload-pos.jsonl" 2>/dev/null | "$BH" respond --format json - >"$T/a.json" 2>"$T/err"
	[ "$(jq -r '[.plans[] | .target.pod // .target.object][0:3] | join(" ")' "$T/a.json")" = "evil deployments/builder evil2" ] &&
		[ "$(jq -r '.plans[0].avenue | join(",")' "$T/a.json")" = "BH0001,BH0002,BH0201" ] &&
		ok "audit | respond: a plan per alert, the avenue from the audited object's escapes" || fail "audit | respond: $(head -c 300 "$T/a.json") $(cat "$T/err")"
else skip "bulkhead audit is not in this build"; fi
cat "$A/watch-nsenter-host.json" "$A/audit-ephemeral.jsonl" | "$BH" respond --format json - >"$T/two" 2>/dev/null &&
	[ "$(jq '.plans | length' "$T/two")" = 2 ] && ok "stdin with two alerts gives two plans" || fail "two alerts on stdin"
finish
