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

reason_file=$(mktemp "${TMPDIR:-/tmp}/bulkhead-watchlab.XXXXXX")
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
	for m in "${tok_mounts[@]}"; do umount "$m" 2>/dev/null; done
	lab_cleanup
}
tok_mounts=()
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
# a stand-in for the node's /etc and kubelet PKI (the sensor is told their inodes with --sensitive)
mkdir -p "$LAB_DIR/hostetc/cron.d" "$LAB_DIR/hostetc/pki"
echo "not a key" >"$LAB_DIR/hostetc/pki/kubelet.key"; chmod 600 "$LAB_DIR/hostetc/pki/kubelet.key"
lab_bundle hostpath --bind "$LAB_DIR/hostetc:/host-etc" || { fail "lab_bundle hostpath"; finish; exit; }

# watch_case NAME "EXPECTED RULES" BUNDLE CMD...: run CMD in BUNDLE under the sensor, compare rule sets
# (WATCH_EXTRA: more sensor options)
# (BH_WATCH_ONLY=REGEX runs only the cases whose name matches: re-recording a few fixtures)
WATCH_EXTRA=()
# techniques whose rule is medium in the rubric (a write to the container's own network namespace's sysctls,
# a chroot inside the container): every other alerting case must reach high or critical
WATCH_MEDIUM="proc-sys-write chroot"
watch_case() {
	local name=$1 want=$2 bundle=$3; shift 3
	if [ -n "${BH_WATCH_ONLY:-}" ] && ! [[ $name =~ $BH_WATCH_ONLY ]]; then return 0; fi
	local out=$LAB_DIR/$name.json err=$LAB_DIR/$name.err rec=$LAB_DIR/$name.bhw
	# lab_run names its container "$(lab_id BUNDLE)-$$-RANDOM": keep only our container's events (other
	# containers on this host, another run of this suite included, are watched too)
	local prefix
	prefix="$(lab_id "$bundle")-$$-"
	"$BH" watch --format json --output "$out" --record "$rec" --fail-on none --container "$prefix" \
		"${WATCH_EXTRA[@]}" 2>"$err" &
	local wpid=$!
	# the sensor prints nothing in JSON mode until exit: wait for its ring buffer to exist instead
	local i
	# (the recording's header is written once the programs are attached; loading takes seconds on a busy
	# machine: verification of every program)
	for i in $(seq 1 300); do
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
	local got sevs top
	got=$(jq -r '.rule' "$out" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//')
	sevs=$(jq -r '"\(.rule):\(.severity)"' "$out" 2>/dev/null | sort -u | tr '\n' ' ' | sed 's/ $//')
	# the highest severity raised: a technique of the issue's table must reach high or critical (the rubric:
	# a step to the node or to other tenants); only the cases named in WATCH_MEDIUM stop at medium by design
	top=$(jq -r '.severity' "$out" 2>/dev/null | grep -cE '^(critical|high)$')
	if [ "$wrc" != 0 ]; then
		fail "$name: watch exited $wrc: $(head -c 300 "$err")"
	elif [ "$got" = "$want" ] && [ -n "$want" ] && [ "$top" = 0 ] && ! [[ " $WATCH_MEDIUM " == *" $name "* ]]; then
		fail "$name: alerts {${sevs}}: none at high or critical"
	elif [ "$got" = "$want" ]; then
		ok "$name: alerts {${sevs}} (container exit $rc)"
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
# the same payload run by the dynamic loader (ld.so /proc/self/fd/N): no execve of the memfd
interp=$(readelf -l "$BH" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]/\1/p')
if [ -n "$interp" ] && [ -e "$LAB_DIR/rootfs$interp" ] && [ -e "$LAB_DIR/rootfs/usr/local/bin/bulkhead" ]; then
	# the payload is the bulkhead under test; built with ASan+UBSan (BUILD=build-san), its LeakSanitizer
	# suspends the threads at exit with ptrace, which the sensor rightly reports (BH0515): not this technique
	watch_case memfd-ldso "BH0500" plain /bin/env ASAN_OPTIONS=detect_leaks=0 /bin/bh-technique memfd-ldso \
		/usr/local/bin/bulkhead "$interp"
else
	skip "memfd-ldso: no dynamic loader in the lab root filesystem (readelf missing or a static bulkhead)"
fi
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
	# the same disk under names that are not /dev/…: a mknod'd node, a symlink; the new mount API;
	# a raw read through io_uring
	majmin=$(stat -c '%t %T' "$loopdev")
	watch_case host-device-mknod "BH0501" privdev sh -c \
		"mknod /tmp/d b \$((0x${majmin% *})) \$((0x${majmin#* })) && mount -t ext2 -o ro /tmp/d /mnt"
	watch_case host-device-symlink "BH0501" privdev sh -c "ln -s $loopdev /tmp/l && mount -t ext2 -o ro /tmp/l /mnt"
	watch_case host-device-fsmount "BH0501 BH0503" privdev /bin/bh-technique fsmount-dev ext2 "$loopdev"
	watch_case block-read-uring "BH0511" privdev /bin/bh-technique uring-read "$loopdev"
else
	skip "host-device-mount: no loop device here"
fi
watch_case nsenter-host "BH0512" privpid nsenter -t "$host_pid" -m -u -i -n -p true
watch_case bpf-load "BH0517" priv /bin/bh-technique bpf
"$TECH" serve "$LAB_DIR/sock/containerd.sock" 4 & serve_pid=$!
sleep 0.2
watch_case runtime-socket "BH0518" sock /bin/bh-technique connect /run/containerd/containerd.sock
# the same socket under other names and through io_uring: judged by the listening socket, not the name
watch_case runtime-socket-hardlink "BH0518" sock sh -c \
	'ln /run/containerd/containerd.sock /run/containerd/innocent && /bin/bh-technique connect /run/containerd/innocent; rm -f /run/containerd/innocent'
watch_case runtime-socket-symlink "BH0518" sock sh -c \
	'ln -s /run/containerd/containerd.sock /tmp/innocent && /bin/bh-technique connect /tmp/innocent'
watch_case runtime-socket-uring "BH0518" sock /bin/bh-technique uring-connect /run/containerd/containerd.sock
watch_case userns "BH0514" plain unshare -U true
watch_case userfaultfd "BH0520" plain /bin/bh-technique userfaultfd
watch_case chroot "BH0519" plain chroot / /bin/true

# ---- variants that walked around path- and syscall-based rules (issue 13): same rules, same severities ----
# core_pattern opened for writing through io_uring, in the submitting task and in an io-wq worker thread
watch_case core-pattern-uring "BH0506" priv /bin/bh-technique uring-open /proc/sys/kernel/core_pattern
watch_case core-pattern-uring-async "BH0506" priv /bin/bh-technique uring-open /proc/sys/kernel/core_pattern async
# cgroup v1 release_agent: the new mount API (fsopen/fsconfig/fsmount) and an io_uring open through the
# detached mount; and release_agent given as a mount option (never written, no notify_on_release: inert)
watch_case release-agent-fsmount "BH0502 BH0503 BH0504" priv /bin/bh-technique fsconfig-cgroup "bhfs$$" /bin/true
watch_case release-agent-option "BH0502 BH0504" priv sh -c \
	"mkdir -p /tmp/cg && mount -t cgroup -o none,name=bhopt$$,release_agent=/bin/true cgroup /tmp/cg"
watch_case sys-kernel-uring "BH0509" priv /bin/bh-technique uring-open /sys/kernel/mm/transparent_hugepage/enabled
# binfmt_misc: register opened for writing (nothing registered)
watch_case binfmt-misc "BH0503 BH0526" priv sh -c \
	'mkdir -p /tmp/bf && mount -t binfmt_misc none /tmp/bf && exec 3>>/tmp/bf/register'
# hostPID: a write through /proc/<pid>/root of a host process (a marker file in the test's directory)
watch_case proc-root-write "BH0522" privpid sh -c "echo marker > /proc/$host_pid/root$LAB_DIR/proc-root-marker"
[ -e "$LAB_DIR/proc-root-write.out" ] && check "proc-root-write: the marker reached the host" grep -q marker "$LAB_DIR/proc-root-marker"
# … and a read of a key-like (mode 0600) host file that way; world-readable host files read that way are not
# reported (a hostPID container's tools read /proc/<pid>/… all the time)
watch_case proc-root-read "BH0523" privpid sh -c \
	"cat /proc/$host_pid/root$LAB_DIR/hostetc/pki/kubelet.key /proc/$host_pid/root/etc/hostname >/dev/null"
# another process's memory without ptrace(2): process_vm_writev, /proc/<pid>/task/<tid>/mem (own child)
watch_case vm-writev "BH0515" priv /bin/bh-technique vm-write
watch_case task-mem-write "BH0515" priv /bin/bh-technique mem-write
# user namespace made by clone3 instead of unshare
watch_case clone-userns "BH0514" plain /bin/bh-technique clone-userns
# hostPath: a cron file written and a kubelet key read, judged by the inode of the node's directory
WATCH_EXTRA=(--sensitive "cron=$LAB_DIR/hostetc/cron.d" --sensitive "kubelet-pki=$LAB_DIR/hostetc/pki")
watch_case hostpath-cron-write "BH0524" hostpath sh -c 'echo "# marker" > /host-etc/cron.d/bh-marker'
watch_case hostpath-pki-read "BH0525" hostpath cat /host-etc/pki/kubelet.key
watch_case hostpath-benign "" hostpath sh -c 'ls /host-etc; cat /host-etc/cron.d/bh-marker >/dev/null'
WATCH_EXTRA=()

# ---- the last rows of issue 13: ServiceAccount tokens, keyring, LSM labels, splice (Dirty Pipe) ----
# A node's kubelet directory with another pod's projected token (a tmpfs volume, as the kubelet mounts it)
# and a container's own serviceaccount mount (its own token: never reported)
puid=0a1b2c3d-1111-2222-3333-444455556666
tokdir=$LAB_DIR/kubelet/pods/$puid/volumes/kubernetes.io~projected/kube-api-access-bh
owndir=$LAB_DIR/secrets/kubernetes.io/serviceaccount
mkdir -p "$tokdir" "$owndir"
for d in "$tokdir" "$owndir"; do
	mount -t tmpfs -o size=64k bhtok "$d" && tok_mounts+=("$d") && echo "not-a-real-token" >"$d/token"
done
lab_bundle podvol --bind "$LAB_DIR/kubelet:/host-kubelet" || fail "lab_bundle podvol"
lab_bundle satok --bind "$owndir:/run/secrets/kubernetes.io/serviceaccount" || fail "lab_bundle satok"
ctok=/host-kubelet/pods/$puid/volumes/kubernetes.io~projected/kube-api-access-bh/token
watch_case sa-token-hostpath "BH0528" podvol cat "$ctok"
watch_case sa-token-uring "BH0528" podvol /bin/bh-technique uring-read "$ctok"
# read, then connect to the API server's port (refused here: the attempt is the step)
watch_case sa-token-api "BH0528 BH0529" podvol sh -c "cat $ctok >/dev/null; /bin/bh-technique tcp-connect 127.0.0.1 6443"
# … and through io_uring: the token read by IORING_OP_OPENAT/READ, the connect by IORING_OP_CONNECT (to a
# listener the technique opens on port 6443 in the container's own network namespace)
watch_case sa-token-api-uring "BH0528 BH0529" podvol sh -c \
	"/bin/bh-technique uring-read $ctok >/dev/null; /bin/bh-technique uring-tcp 127.0.0.1 6443 $ctok"
# another container's own token through /proc/<pid>/root of a process in another mount namespace
watch_case sa-token-proc-root "BH0528" privpid cat "/proc/$host_pid/root$owndir/token"
# its own token (also through /proc/self/root), a tmpfs file merely named token, an API connect: nothing
watch_case sa-token-own "" satok sh -c 'cat /run/secrets/kubernetes.io/serviceaccount/token /proc/self/root/run/secrets/kubernetes.io/serviceaccount/token >/dev/null
	echo x > /dev/shm/token; cat /dev/shm/token >/dev/null; /bin/bh-technique tcp-connect 127.0.0.1 443'
# the kernel keyring: keyctl and add_key (a key in the process keyring, gone at exit); under the runtime's
# default seccomp profile the calls never reach the kernel
watch_case keyring-keyctl "BH0530" plain /bin/bh-technique keyring get
watch_case keyring-add-key "BH0530" plain /bin/bh-technique keyring add
lab_bundle seccomp --seccomp-default || fail "lab_bundle seccomp"
watch_case keyring-seccomp "" seccomp /bin/bh-technique keyring add
# the LSM label: /proc/self/attr/current opened for writing (nothing written), /proc/thread-self/attr/exec
# through io_uring; reading the label is normal
watch_case lsm-attr-write "BH0531" plain sh -c 'exec 3>>/proc/self/attr/current'
watch_case lsm-attr-uring "BH0531" plain /bin/bh-technique uring-open /proc/thread-self/attr/exec
watch_case lsm-attr-read "" plain cat /proc/self/attr/current
# Dirty Pipe's sequence on the test's own read-only file (unchanged on this fixed kernel: checked by the
# technique's exit code), by splice(2) and IORING_OP_SPLICE; a writable file's splice and a read-only splice
# without a later write raise nothing
watch_case splice-readonly "BH0532" plain /bin/bh-technique splice /tmp/bh-ro ro
[ -e "$LAB_DIR/splice-readonly.out" ] && check "splice-readonly: the file is unchanged" grep -q "after the splice: bulkhead" "$LAB_DIR/splice-readonly.out"
watch_case splice-readonly-uring "BH0532" plain /bin/bh-technique uring-splice /tmp/bh-ro
watch_case splice-benign "" plain sh -c '/bin/bh-technique splice /tmp/bh-rw rw && /bin/bh-technique splice /tmp/bh-ro ro nowrite'

# the host itself is not reported without --include-host
out=$LAB_DIR/host.json
"$BH" watch --format json --output "$out" --fail-on none --record "$LAB_DIR/host.bhw" 2>"$LAB_DIR/host.err" &
wpid=$!
for i in $(seq 1 300); do [ -s "$LAB_DIR/host.bhw" ] && break; sleep 0.1; done # recording header: loaded
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

# --status: which hooks the probe picked, and every rule fed by at least one attached program (the module
# rule only where the kernel has modules)
"$BH" watch --status --format json >"$LAB_DIR/status.json" 2>"$LAB_DIR/status.err"; rc=$?
check "--status: exit 0" test "$rc" = 0
check "--status: a hook mode" jq -e '.status.hooks | IN("lsm", "fentry", "tracepoint")' "$LAB_DIR/status.json"
uncovered=$(jq -r '.status.rules[] | select(.covered | not) | .id' "$LAB_DIR/status.json" | tr '\n' ' ')
if [ -e /proc/modules ]; then want_unc=""; else want_unc="BH0516 "; fi
check "--status: rules without a hook: {${uncovered}} (expected {${want_unc}})" test "$uncovered" = "$want_unc"
"$BH" watch --status >"$LAB_DIR/status.txt" 2>&1
check "--status text names the mode" grep -Eq '^hooks: (lsm|fentry|tracepoint)' "$LAB_DIR/status.txt"
"$BH" watch --hooks tracepoint --status --format json >"$LAB_DIR/status-tp.json" 2>/dev/null
check "--hooks tracepoint is honoured" jq -e '.status.hooks == "tracepoint"' "$LAB_DIR/status-tp.json"
# a forced flavour the kernel refuses is an error that says why (exit 2), not a silent fallback
mode=$(jq -r .status.hooks "$LAB_DIR/status.json")
if [ "$mode" = tracepoint ]; then
	"$BH" watch --hooks fentry --duration 0.1 >/dev/null 2>"$LAB_DIR/fe.err"; rc=$?
	check "--hooks fentry on a kernel that refuses it: exit 2 with the reason" \
		sh -c "test $rc = 2 && grep -q 'fentry' '$LAB_DIR/fe.err'"
fi

finish
