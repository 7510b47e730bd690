#!/usr/bin/env bash
# Lab test for `bulkhead watch --profile` (root + BPF): least privilege from evidence.
#  1. the profiler starts before a real runc container (the target does not exist yet), records its workload
#     (a shell loop that opens, writes and sleeps) and writes a seccomp profile that holds what the workload
#     must use and none of what it never does (mount, bpf, ptrace, unshare);
#  2. the same container started again with that profile as its runc linux.seccomp (converted from the
#     kubelet's Localhost format to the OCI runtime-spec's, as containerd does) keeps running and working
#     (its marker file is still updated), while a call it never made (unshare) now fails with EPERM — and
#     succeeds in the same container without the profile (the control);
#  3. a second profile of the running container, by pid, in JSON, says that its start-up was missed.
# fix --profile's golden case lives in tests/fix/cases/profile.* (run by tests/fix/fix.test.sh).
set -u
. "$(dirname "$0")/../lib.sh"
jqe() { jq -e "$@" >/dev/null 2>&1; }
. "$TOP/tests/lab/lab.sh"

# ---- without root: the CLI contract ----
T0=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-profcli.XXXXXX")
"$BH" watch --profile-out "$T0/p.json" --duration 1 >/dev/null 2>"$T0/e"; rc=$?
check "--profile-out without --profile is a usage error (exit $rc)" test $rc = 2
"$BH" watch --profile x --replay /dev/null >/dev/null 2>&1; rc=$?
check "--profile with --replay is a usage error (exit $rc)" test $rc = 2
"$BH" watch --profile x --format json --duration 1 >"$T0/o" 2>/dev/null; rc=$?
check "watch --profile errors are JSON with --format json (exit $rc)" jqe '.error' "$T0/o"
echo '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}' >"$T0/seccomp.json"
"$BH" fix --profile "$T0/seccomp.json" "$TOP/tests/fix/cases/evidence.yaml" >/dev/null 2>"$T0/e"; rc=$?
check "fix --profile given the seccomp profile itself: exit 2 with file:line:col ($(head -c 160 "$T0/e"))" \
	bash -c "test $rc = 2 && grep -q 'seccomp.json:1:1:.*summary' '$T0/e'"
printf '{"profile":{"seccomp":{"localhostProfile":"../../etc/x"},"capabilities":{"add":[]}}}' >"$T0/bad.json"
"$BH" fix --profile "$T0/bad.json" "$TOP/tests/fix/cases/evidence.yaml" >/dev/null 2>"$T0/e"; rc=$?
check "fix --profile refuses a localhostProfile outside the kubelet's directory (exit $rc)" \
	bash -c "test $rc = 2 && grep -q 'bad.json:1:' '$T0/e'"
"$BH" fix --profile-container app "$TOP/tests/fix/cases/evidence.yaml" >/dev/null 2>&1; rc=$?
check "--profile-container without --profile is a usage error (exit $rc)" test $rc = 2
rm -rf "$T0"

reason_file=$(mktemp "${TMPDIR:-/tmp}/bulkhead-proflab.XXXXXX")
if ! lab_init >"$reason_file"; then
	skip "profile lab: $(cat "$reason_file")"
	rm -f "$reason_file"
	finish
	exit
fi
rm -f "$reason_file"
wpid=
cleanup() {
	[ -n "$wpid" ] && kill "$wpid" 2>/dev/null
	lab_cleanup
}
trap cleanup EXIT
if ! probe=$("$BH" watch --profile /sys/fs/cgroup/bh-none-$$ --duration 0.2 2>&1 >/dev/null) &&
	! grep -q "no such container" <<<"$probe"; then
	skip "profile lab: the profiler cannot load here: $probe"
	finish
	exit
fi
W=$LAB_DIR/prof
mkdir -p "$W"
# the 32-bit ABI: a 64-bit helper making one i386 call (waitpid) through int $0x80, run once at start
compat=0
if cc -static -O1 -o "$LAB_DIR/rootfs/bin/bh-compat32" "$TOP/tests/watch/compat32.c" 2>"$W/cc.err" &&
	"$LAB_DIR/rootfs/bin/bh-compat32"; then compat=1
else skip "32-bit ABI: no helper or no IA32 emulation here: $(head -c 200 "$W/cc.err")"; fi
# the workload: open and write files, read /proc, sleep; the marker's content changes every round
# (chown to another user needs CAP_CHOWN: the one capability it uses)
# (sync once at its very start: the start-up is recorded even before user space has found the new cgroup)
WORK='sync; [ -x /bin/bh-compat32 ] && /bin/bh-compat32 && echo ok >/tmp/compat.$1; i=0; while true; do i=$((i+1)); cat /etc/passwd >/tmp/copy.$1; chown 65534 /tmp/copy.$1; echo $i >/tmp/marker.$1; ls /proc >/dev/null; sleep 0.2; done'

# runc spec's default capabilities are AUDIT_WRITE, KILL, NET_BIND_SERVICE: give it CHOWN, which it uses
lab_bundle plain --cap chown || { fail "lab_bundle plain"; finish; exit; }
# 1. record from before the container exists
"$BH" watch --profile "$(lab_id plain)" --duration 5 --profile-out "$W/p.json" --output "$W/summary.txt" 2>"$W/watch.err" &
wpid=$!
for _ in $(seq 1 200); do grep -q "profiling" "$W/watch.err" 2>/dev/null && break; sleep 0.1; done
lab_start plain sh -c "$WORK" sh one || fail "lab_start plain: $(cat "$LAB_DIR/plain.log")"
wait "$wpid"; wrc=$?; wpid=
check "watch --profile exits 0 (got $wrc: $(head -c 300 "$W/watch.err"))" test "$wrc" = 0
if ! jq -e . "$W/p.json" >/dev/null 2>&1; then
	fail "the profile is not JSON: $(head -c 300 "$W/p.json")"
	finish
	exit
fi
echo "# summary: $(tr '\n' ' ' <"$W/summary.txt" | head -c 900)"
check "the profile is the kubelet's Localhost format (defaultAction SCMP_ACT_ERRNO, x86_64, one ALLOW rule)" \
	jqe '.defaultAction == "SCMP_ACT_ERRNO" and (.architectures | index("SCMP_ARCH_X86_64")) and
		(.syscalls | length == 1) and .syscalls[0].action == "SCMP_ACT_ALLOW"' "$W/p.json"
has() { jq -e --arg s "$1" '.syscalls[0].names | index($s)' "$W/p.json" >/dev/null; }
for s in openat write execve; do
	has "$s" && ok "the profile allows $s (the workload uses it)" || fail "the profile lacks $s"
done
has nanosleep || has clock_nanosleep && ok "the profile allows a sleep call (nanosleep/clock_nanosleep)" ||
	fail "no sleep call in the profile"
if [ $compat = 1 ]; then
	check "the 32-bit call is recorded on its ABI: architectures list SCMP_ARCH_X86, names list waitpid" \
		jqe '(.architectures | index("SCMP_ARCH_X86")) and (.syscalls[0].names | index("waitpid"))' "$W/p.json"
fi
has sync && ok "the profile allows sync, called once at the workload's very start" || fail "the start-up call sync is missing"
for s in mount bpf ptrace unshare pivot_root setns init_module; do
	has "$s" && fail "the profile allows $s, which the workload never calls" || ok "the profile does not allow $s"
done
n=$(jq '.syscalls[0].names | length' "$W/p.json")
caps=$(sed -n 's/^capabilities used (capabilities.add): //p' "$W/summary.txt")
check "the capabilities used are exactly CHOWN (got: $caps)" test "$caps" = CHOWN
check "the profile is small: $n syscalls allowed (under 80 of the 360 the kernel has)" test "$n" -lt 80

# control: without a profile, unshare(CLONE_NEWUSER) works in this container
if lab_exec plain unshare -U true >"$W/ctl.out" 2>&1; then ctl=1; ok "control: unshare -U succeeds without the profile"
else ctl=0; skip "control: unshare -U fails even without the profile here: $(head -c 200 "$W/ctl.out")"; fi

# 3. the running container, by pid, JSON summary: its start-up was not seen
pid=$(lab_pid plain)
"$BH" watch --profile "$pid" --duration 1.5 --format json >"$W/summary.json" 2>"$W/watch2.err"
check "a profile of the running container by pid: JSON says complete=false, preexisting tasks > 0, cgroup found, CHOWN used" \
	jqe '.profile.complete == false and .profile.preexisting_tasks > 0 and (.profile.cgroup | endswith("'"$(lab_id plain)"'"))
		and (.profile.syscalls | map(.name) | index("openat")) and .profile.capabilities.add == ["CHOWN"]' "$W/summary.json"
# the same container by its cgroup v2 path: the same cgroup id
cg=$(jq -r .profile.cgroup "$W/summary.json")
"$BH" watch --profile "$cg" --duration 1 --format json >"$W/summary-cg.json" 2>/dev/null
check "by cgroup path ($cg): the same cgroup id as by pid" \
	test "$(jq .profile.cgroup_id "$W/summary-cg.json" 2>/dev/null)" = "$(jq .profile.cgroup_id "$W/summary.json")"
miss=$(jq -r --slurpfile s "$TOP/docs/schema/watch-profile.schema.json" '($s[0].required - keys) +
	((.profile | keys) as $k | $s[0].properties.profile.required - $k) | join(" ")' "$W/summary.json" 2>&1)
check "the JSON summary has every key docs/schema/watch-profile.schema.json requires (missing:${miss:- none})" test -z "$miss"
lab_kill plain

# 2. apply: the kubelet/docker profile format -> OCI runtime-spec linux.seccomp (what the kubelet asks the
# runtime to do with a Localhost profile); runtime-spec: defaultErrnoRet unset means EPERM
lab_bundle confined || { fail "lab_bundle confined"; finish; exit; }
c=$LAB_DIR/confined/config.json
# and capabilities: drop ALL, add what was used (runc: every set holds exactly the recorded ones)
jq --slurpfile p "$W/p.json" --arg caps "$caps" '.linux.seccomp = ($p[0] | {defaultAction, architectures,
	syscalls: [.syscalls[] | {names, action}]})
	| .process.capabilities = ([$caps | split(" ")[] | select(. != "none") | "CAP_" + .] as $c
		| {bounding: $c, effective: $c, permitted: $c})' "$c" >"$c.new" && mv "$c.new" "$c"
check "the confined bundle carries the recorded profile and capabilities (noNewPrivileges true)" \
	jqe '.linux.seccomp.defaultAction == "SCMP_ACT_ERRNO" and .process.noNewPrivileges == true and
		.process.capabilities.effective == ["CAP_CHOWN"]' "$c"
lab_start confined sh -c "$WORK" sh two || fail "lab_start confined: $(cat "$LAB_DIR/confined.log")"
sleep 1
m1=$(cat "$LAB_DIR/rootfs/tmp/marker.two" 2>/dev/null)
sleep 2
m2=$(cat "$LAB_DIR/rootfs/tmp/marker.two" 2>/dev/null)
st=$(runc --root "$LAB_DIR/state" state "$(lab_id confined)" 2>/dev/null | jq -r .status)
check "the container still runs under the recorded profile after 3 s (status: ${st:-gone})" test "$st" = running
check "its workload still works: the marker went from ${m1:-nothing} to ${m2:-nothing}" \
	test -n "$m1" -a -n "$m2" -a "${m2:-0}" -gt "${m1:-0}"
if [ $compat = 1 ]; then
	check "the 32-bit call still works under the profile (SCMP_ARCH_X86 listed)" test -s "$LAB_DIR/rootfs/tmp/compat.two"
fi
lab_exec confined unshare -U true >"$W/unshare.out" 2>&1; urc=$?
if [ $urc != 0 ] && grep -q "not permitted" "$W/unshare.out"; then
	ok "unshare, never used by the workload, now fails with EPERM ($(head -c 120 "$W/unshare.out"))"
else
	fail "unshare under the profile: exit $urc, $(head -c 200 "$W/unshare.out")"
fi
[ "$ctl" = 1 ] && ok "the EPERM comes from the profile: the same call worked without it"
lab_kill confined
rm -f "$LAB_DIR/rootfs/tmp/marker."* "$LAB_DIR/rootfs/tmp/copy."* "$LAB_DIR/rootfs/tmp/compat."*
finish
