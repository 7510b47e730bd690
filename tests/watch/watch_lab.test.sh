#!/usr/bin/env bash
# Lab tests for `bulkhead watch` (root): start the sensor, perform one escape technique in a real runc
# container, stop the sensor, and compare the set of rules that fired with the expected set, exactly.
# A benign workload (package-manager-like file churn, shell scripts) must raise nothing.
# Nothing here changes the host: sysctl writes go to the container's own network namespace, core_pattern,
# sysrq-trigger and release_agent are only opened (never written), the cgroup hierarchy is a new named one
# in the container's mount namespace, the mounted device is a loop device on the test's own image file.
#
# BH_WATCH_FIXTURES=DIR keeps each technique's recording in DIR (tests/fixtures/watch/ is made that way).
set -u
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/lab/lab.sh"

reason_file=$(mktemp)
if ! lab_init >"$reason_file"; then
	skip "watch lab: $(cat "$reason_file")"
	rm -f "$reason_file"
	finish
	exit
fi
cleanup() {
	[ -n "${serve_pid:-}" ] && kill "$serve_pid" 2>/dev/null
	[ -n "${host_pid:-}" ] && kill "$host_pid" 2>/dev/null
	[ -n "${loopdev:-}" ] && losetup -d "$loopdev" 2>/dev/null
	lab_cleanup
}
trap cleanup EXIT
rm -f "$reason_file"

# the sensor must load here at all (BPF, BTF, tracefs)
if ! probe=$("$BH" watch --duration 0.2 2>&1 >/dev/null); then
	skip "watch lab: the sensor cannot load here: $probe"
	finish
	exit
fi
if ! cc -static -O1 -o "$LAB_DIR/rootfs/bin/bh-technique" "$TOP/tests/watch/technique.c" 2>"$LAB_DIR/cc.err"; then
	skip "watch lab: cannot build the technique helper: $(head -c 200 "$LAB_DIR/cc.err")"
	finish
	exit
fi
TECH=$LAB_DIR/rootfs/bin/bh-technique

# The host-side pieces: a loop device on our own image (for the device mount), a process in the host's
# namespaces (nsenter target: PID 1 itself may be out of reach in a sandbox), a test runtime socket.
loopdev=
truncate -s 8M "$LAB_DIR/disk.img" && loopdev=$(losetup -f --show "$LAB_DIR/disk.img" 2>/dev/null) &&
	{ busybox mke2fs -q "$loopdev" >/dev/null 2>&1 || { losetup -d "$loopdev"; loopdev=; }; }
sleep 600 & host_pid=$!
mkdir -p "$LAB_DIR/sock"

lab_bundle plain || { fail "lab_bundle plain"; finish; exit; }
lab_bundle priv --privileged || { fail "lab_bundle priv"; finish; exit; }
lab_bundle privpid --privileged --hostpid || { fail "lab_bundle privpid"; finish; exit; }
lab_bundle sock --bind "$LAB_DIR/sock:/run/containerd" || { fail "lab_bundle sock"; finish; exit; }

# watch_case NAME "EXPECTED RULES" BUNDLE CMD...: run CMD in BUNDLE under the sensor, compare rule sets
watch_case() {
	local name=$1 want=$2 bundle=$3; shift 3
	local out=$LAB_DIR/$name.json err=$LAB_DIR/$name.err rec=$LAB_DIR/$name.bhw
	# lab_run names its container "$(lab_id BUNDLE)-$$-RANDOM": keep only our container's events (other
	# containers on this host, another run of this suite included, are watched too)
	local prefix
	prefix="$(lab_id "$bundle")-$$-"
	"$BH" watch --format json --output "$out" --record "$rec" --fail-on none --container "$prefix" 2>"$err" &
	local wpid=$!
	# the sensor prints nothing in JSON mode until exit: wait for its ring buffer to exist instead
	local i
	for i in $(seq 1 50); do
		grep -q "bulkhead watch" "$err" 2>/dev/null && break
		[ -s "$rec" ] && break
		sleep 0.1
	done
	sleep 0.3
	lab_run "$bundle" "$@" >"$LAB_DIR/$name.out" 2>&1
	local rc=$?
	sleep 0.5
	kill -INT "$wpid"
	wait "$wpid"
	local wrc=$?
	local got
	got=$(jq -r '.rule' "$out" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//')
	if [ "$wrc" != 0 ]; then
		fail "$name: watch exited $wrc: $(head -c 300 "$err")"
	elif [ "$got" = "$want" ]; then
		ok "$name: alerts {${got}} (container exit $rc)"
	else
		fail "$name: expected {${want}}, got {${got}} (container exit $rc; $(head -c 200 "$LAB_DIR/$name.out"))"
	fi
	if grep -q '"dropped":[1-9]' "$err"; then fail "$name: sensor dropped events: $(cat "$err")"; fi
	if [ -n "${BH_WATCH_FIXTURES:-}" ]; then
		cp "$rec" "$BH_WATCH_FIXTURES/$name.bhw"
		echo "$want" >"$BH_WATCH_FIXTURES/$name.expected"
	fi
}

watch_case benign "" plain sh -c '
	mkdir -p /tmp/pkg /tmp/x && cd /tmp/pkg
	for i in $(seq 1 40); do mkdir -p d$i; echo "file $i" > d$i/f; cp d$i/f d$i/g; done
	tar -cf /tmp/p.tar . && gzip /tmp/p.tar && gunzip /tmp/p.tar.gz && tar -xf /tmp/p.tar -C /tmp/x
	find /tmp/x -name f | xargs cat | sed s/file/line/ | grep -c line >/dev/null
	cat /proc/self/status /proc/cpuinfo >/dev/null; ls /proc /sys /dev >/dev/null
	rm -rf /tmp/pkg /tmp/x /tmp/p.tar'
watch_case memfd-exec "BH0500" plain /bin/bh-technique memfd
watch_case release-agent "BH0502 BH0504 BH0505" priv sh -c \
	'mkdir -p /tmp/cg && mount -t cgroup -o none,name=bhlab cgroup /tmp/cg && exec 3>>/tmp/cg/release_agent 4>>/tmp/cg/notify_on_release'
watch_case proc-sys-write "BH0507" priv sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
watch_case core-pattern "BH0506" priv sh -c 'exec 3>>/proc/sys/kernel/core_pattern'
if [ -e /proc/sysrq-trigger ]; then
	watch_case sysrq-trigger "BH0508" priv sh -c 'exec 3>>/proc/sysrq-trigger'
else
	skip "sysrq-trigger: this kernel has no /proc/sysrq-trigger (CONFIG_MAGIC_SYSRQ=n)"
fi
if [ -n "$loopdev" ]; then
	lab_bundle privdev --privileged || fail "lab_bundle privdev"
	watch_case host-device-mount "BH0501" privdev sh -c "mount -t ext2 -o ro $loopdev /mnt"
else
	skip "host-device-mount: no loop device here"
fi
watch_case nsenter-host "BH0512" privpid nsenter -t "$host_pid" -m -u -i -n -p true
watch_case bpf-load "BH0517" priv /bin/bh-technique bpf
"$TECH" serve "$LAB_DIR/sock/containerd.sock" & serve_pid=$!
sleep 0.2
watch_case runtime-socket "BH0518" sock /bin/bh-technique connect /run/containerd/containerd.sock
watch_case userns "BH0514" plain unshare -U true
watch_case userfaultfd "BH0520" plain /bin/bh-technique userfaultfd
watch_case chroot "BH0519" plain chroot / /bin/true

# the host itself is not reported without --include-host
out=$LAB_DIR/host.json
"$BH" watch --format json --output "$out" --fail-on none --record "$LAB_DIR/host.bhw" 2>"$LAB_DIR/host.err" &
wpid=$!
for i in $(seq 1 50); do [ -s "$LAB_DIR/host.bhw" ] && break; sleep 0.1; done # recording header: loaded
kill -USR1 $wpid
sleep 0.4
check "SIGUSR1 prints the counters while running" grep -q '"stats"' "$LAB_DIR/host.err"
sh -c 'echo $$ >"$1"; exec 3>>/proc/sys/kernel/core_pattern' sh "$LAB_DIR/host.pid" 2>/dev/null
sleep 0.4
kill -INT $wpid; wait $wpid; rc=$?
check "SIGINT: clean exit 0" test "$rc" = 0
check "counters printed at exit" test "$(grep -c '"stats"' "$LAB_DIR/host.err")" = 2
check "host activity is filtered in the kernel" \
	test "$(jq -r --argjson p "$(cat "$LAB_DIR/host.pid")" 'select(.process.pid == $p) | .rule' "$out" | wc -l)" = 0

finish
