#!/usr/bin/env bash
# Lab test (root + BPF) for the Kubernetes identity of `bulkhead watch` alerts and for --metrics-listen:
# real runc containers whose cgroup paths are the ones a kubelet gives (systemd driver + containerd:
# kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod<uid_>.slice/cri-containerd-<id>.scope;
# cgroupfs driver: kubepods/burstable/pod<uid>/<id>), a fake --root with the kubelet's log directories
# (var/log/pods/<ns>_<name>_<uid>/<container>/, var/log/containers/<name>_<ns>_<container>-<id>.log), an
# existing technique (unshare -U: BH0514), and the alert must carry namespace, pod name, container name, pod
# UID, QoS class and node. /metrics is read with curl while the sensor runs, with a client that never sends
# its request holding a connection open. Without root/runc/BPF the test says why and skips.
set -u
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/lab/lab.sh"

# usage errors need no privileges
"$BH" watch --replay "$TOP/tests/fixtures/watch/userns.bhw" --metrics-listen nonsense:port >/dev/null 2>"${TMPDIR:-/tmp}/bh-id.$$"
rc=$?; [ $rc = 2 ] && grep -q 'metrics-listen' "${TMPDIR:-/tmp}/bh-id.$$" && ok "--metrics-listen with a bad address: exit 2 with the reason" ||
	fail "--metrics-listen bad address: rc $rc $(cat "${TMPDIR:-/tmp}/bh-id.$$")"
"$BH" watch --replay "$TOP/tests/fixtures/watch/userns.bhw" --node-name 'Bad_Node' >/dev/null 2>"${TMPDIR:-/tmp}/bh-id.$$"
rc=$?; [ $rc = 2 ] && ok "--node-name that is no Kubernetes name: exit 2" || fail "--node-name Bad_Node: rc $rc"
rm -f "${TMPDIR:-/tmp}/bh-id.$$"
# every alert has the keys docs/schema/watch-alert.schema.json requires (a replay: no privileges needed)
if command -v jq >/dev/null; then
	miss=$("$BH" watch --replay "$TOP/tests/fixtures/watch/release-agent.bhw" --format json --fail-on none 2>/dev/null |
		jq -rs --slurpfile s "$TOP/docs/schema/watch-alert.schema.json" '$s[0] as $s | [.[] |
		($s.required - keys) + ($s.properties.container.required - (.container | keys)) +
		($s.properties.pod.required - (.pod | keys))] | add // ["no alert"] | unique | join(" ")')
	check "replayed alerts have every key the alert schema requires (missing:${miss:- none})" test -z "$miss"
fi

reason_file=$(mktemp "${TMPDIR:-/tmp}/bulkhead-idlab.XXXXXX")
if ! lab_init >"$reason_file"; then
	skip "identity lab: $(cat "$reason_file")"; rm -f "$reason_file"; finish; exit
fi
rm -f "$reason_file"
CGDIRS=()
cleanup() {
	[ -n "${hold_pid:-}" ] && kill "$hold_pid" 2>/dev/null
	lab_cleanup
	# the cgroups runc made for the kubelet-like paths (leaves are gone with the containers; parents stay)
	local d
	for d in "${CGDIRS[@]}"; do
		find /sys/fs/cgroup -mindepth 1 -maxdepth 7 -depth -type d \( -path "/sys/fs/cgroup/$d" -o -path "/sys/fs/cgroup/*/$d" \) -exec rmdir {} + 2>/dev/null
	done
}
trap cleanup EXIT
if ! probe=$("$BH" watch --duration 0.2 2>&1 >/dev/null); then
	skip "identity lab: the sensor cannot load here: $probe"; finish; exit
fi
command -v curl >/dev/null || { skip "identity lab: curl not installed"; finish; exit; }

hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
uid1=$(cat /proc/sys/kernel/random/uuid); id1=$(hex64)
uid2=$(cat /proc/sys/kernel/random/uuid); id2=$(hex64)
HR=$LAB_DIR/hostroot
mkdir -p "$HR/var/log/pods/team_evil-7f9c_$uid1/shell" "$HR/var/log/containers" \
	"$HR/var/log/pods/other_twin-0_$uid2/app" "$HR/var/log/pods/other_twin-0_$uid2/sidecar"
ln -s "/var/log/pods/other_twin-0_$uid2/sidecar/0.log" "$HR/var/log/containers/twin-0_other_sidecar-$id2.log"

# systemd driver + containerd (the task's example), and cgroupfs driver (bare id under pod<uid>)
p1="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid1//-/_}.slice/cri-containerd-$id1.scope"
p2="/kubepods/burstable/pod$uid2/$id2"
CGDIRS=("kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid1//-/_}.slice/cri-containerd-$id1.scope"
	"kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${uid1//-/_}.slice"
	"kubepods/burstable/pod$uid2/$id2" "kubepods/burstable/pod$uid2"
	# and the QoS and root levels when nothing else uses them (rmdir leaves a non-empty cgroup alone)
	kubepods.slice/kubepods-besteffort.slice kubepods.slice kubepods/burstable kubepods)
lab_bundle pod1 || { fail "lab_bundle pod1"; finish; exit; }
lab_bundle pod2 || { fail "lab_bundle pod2"; finish; exit; }
_lab_jq "$LAB_DIR/pod1/config.json" --arg p "$p1" '.linux.cgroupsPath = $p' || fail "cgroupsPath pod1"
_lab_jq "$LAB_DIR/pod2/config.json" --arg p "$p2" '.linux.cgroupsPath = $p' || fail "cgroupsPath pod2"

OUT=$LAB_DIR/alerts.json ERR=$LAB_DIR/watch.err
port=$((20000 + RANDOM % 20000))
"$BH" watch --format json --output "$OUT" --fail-on none --root "$HR" --node-name lab-node-1 \
	--metrics-listen "127.0.0.1:$port" 2>"$ERR" &
wpid=$!
for i in $(seq 1 300); do curl -fs "http://127.0.0.1:$port/metrics" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 0.5
# a client that connects and never sends its request: the sensor and the other clients go on
exec 7<>/dev/tcp/127.0.0.1/$port && hold_pid=1
lab_run pod1 sh -c 'unshare -U true; sleep 1' >"$LAB_DIR/pod1.out" 2>&1 || true
lab_run pod2 sh -c 'unshare -U true; sleep 1' >"$LAB_DIR/pod2.out" 2>&1 || true
sleep 1.5 # the /metrics snapshot is refreshed every second
curl -fsS -m 5 -D "$LAB_DIR/hdr" "http://127.0.0.1:$port/metrics" >"$LAB_DIR/metrics" 2>"$LAB_DIR/curl.err"; crc=$?
code404=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")
code405=$(curl -s -m 5 -o /dev/null -w '%{http_code}' -X POST --data x "http://127.0.0.1:$port/metrics")
exec 7>&- ; hold_pid=
kill -INT $wpid; wait $wpid; wrc=$?
[ $wrc = 0 ] && ok "watch ran and stopped cleanly (exit 0)" || fail "watch exit $wrc: $(head -c 300 "$ERR")"

# BH_ID_KEEP=DIR keeps the alerts (tests/respond/alerts/watch-identity-pod.json was made that way)
[ -n "${BH_ID_KEEP:-}" ] && cp "$OUT" "$BH_ID_KEEP/identity-alerts.json"
a1=$(jq -c --arg id "$id1" 'select(.rule == "BH0514" and .container.id == $id)' "$OUT" | head -1)
a2=$(jq -c --arg id "$id2" 'select(.rule == "BH0514" and .container.id == $id)' "$OUT" | head -1)
echo "# alert 1 identity: $(jq -c '[.container, .pod, .node]' <<<"${a1:-null}")"
echo "# alert 2 identity: $(jq -c '[.container, .pod, .node]' <<<"${a2:-null}")"
got1=$(jq -r '[.pod.namespace, .pod.name, .container.name, .pod.uid, .container.pod_uid, .container.runtime, .container.qos_class, .node] | join(" ")' <<<"${a1:-null}" 2>/dev/null)
want1="team evil-7f9c shell $uid1 $uid1 containerd besteffort lab-node-1"
[ "$got1" = "$want1" ] && ok "systemd/containerd pod: the alert names team/evil-7f9c, container shell, uid, containerd, besteffort, node" ||
	fail "systemd/containerd pod: got '$got1', want '$want1'"
got2=$(jq -r '[.pod.namespace, .pod.name, .container.name, .pod.uid, .container.qos_class, .node] | join(" ")' <<<"${a2:-null}" 2>/dev/null)
want2="other twin-0 sidecar $uid2 burstable lab-node-1"
[ "$got2" = "$want2" ] && ok "cgroupfs pod with two containers: the /var/log/containers link names the container; QoS from the full path" ||
	fail "cgroupfs pod: got '$got2', want '$want2'"
cp2=$(jq -r '.container.cgroup_path // ""' <<<"${a2:-null}" 2>/dev/null)
case $cp2 in */kubepods/burstable/pod$uid2/$id2) ok "the full cgroup path was read from /proc ($cp2)" ;;
*) fail "cgroup_path '$cp2' is not the container's" ;; esac

# the runbook from the live alert: respond names the pod (no lookup by UID left to do)
if [ -n "$a1" ]; then
	echo "$a1" >"$LAB_DIR/a1.json"
	"$BH" respond --format json "$LAB_DIR/a1.json" >"$LAB_DIR/plan.json" 2>&1
	[ "$(jq -r '.plans[0].target | "\(.namespace)/\(.pod) \(.node)"' "$LAB_DIR/plan.json" 2>/dev/null)" = "team/evil-7f9c lab-node-1" ] &&
		ok "respond takes namespace, pod and node from the live alert" || fail "respond: $(head -c 300 "$LAB_DIR/plan.json")"
fi

# /metrics
[ $crc = 0 ] && ok "GET /metrics answered while a silent client held a connection" || fail "curl: $(cat "$LAB_DIR/curl.err")"
grep -qi '^content-type: text/plain; version=0.0.4' "$LAB_DIR/hdr" && ok "/metrics is the Prometheus text format 0.0.4" ||
	fail "content type: $(grep -i content-type "$LAB_DIR/hdr")"
n=$(sed -n 's/^bulkhead_watch_alerts_total{rule="BH0514",name="[^"]*"} \([0-9]*\)$/\1/p' "$LAB_DIR/metrics")
[ "${n:-0}" -ge 2 ] && ok "/metrics counts the BH0514 alerts ($n)" || fail "BH0514 count '${n:-}' in /metrics"
for m in 'bulkhead_watch_events_total{stage="seen"}' 'bulkhead_watch_events_total{stage="dropped"}' 'bulkhead_watch_hooks{mode=' \
	'bulkhead_watch_programs ' '# TYPE bulkhead_watch_alerts_total counter'; do
	grep -qF "$m" "$LAB_DIR/metrics" && ok "/metrics has $m" || fail "/metrics lacks $m"
done
[ "$code404" = 404 ] && [ "$code405" = 405 ] && ok "other paths 404, other methods 405" || fail "codes $code404 $code405"
ss -ltn 2>/dev/null | grep -q "127.0.0.1:$port " && fail "the metrics port is still open after exit" || ok "the metrics port is closed after exit"
finish
