#!/usr/bin/env bash
# `bulkhead inside` in real runc containers: each configuration's reported avenues must match its settings.
# Needs root, runc and busybox-static; skips with the reason otherwise.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lab.sh"

# lab_init runs in this shell (not in $(…)), so LAB_DIR is kept and lab_cleanup removes it
if ! lab_init >"${TMPDIR:-/tmp}/bh-lab-reason.$$"; then
	skip "inside lab: $(cat "${TMPDIR:-/tmp}/bh-lab-reason.$$")"
	rm -f "${TMPDIR:-/tmp}/bh-lab-reason.$$"
	finish
	exit
fi
rm -f "${TMPDIR:-/tmp}/bh-lab-reason.$$"
SOCK_PID=
trap '[ -n "$SOCK_PID" ] && kill "$SOCK_PID" 2>/dev/null; lab_cleanup' EXIT

# inside NAME: runs `bulkhead inside --format json` in a fresh container of bundle NAME into $LAB_DIR/NAME.json
inside() {
	lab_run "$1" /usr/local/bin/bulkhead inside --format json >"$LAB_DIR/$1.json" 2>"$LAB_DIR/$1.err"
	echo $? >"$LAB_DIR/$1.rc"
	jq -e . "$LAB_DIR/$1.json" >/dev/null 2>&1
}
# has NAME RULE [SEVERITY [FIELD]]: the report of NAME has a finding RULE (with that severity / field)
has() {
	jq -e --arg r "$2" --arg s "${3:-}" --arg f "${4:-}" \
		'[.findings[] | select(.rule == $r and ($s == "" or .severity == $s) and ($f == "" or .field == $f))] | length > 0' \
		"$LAB_DIR/$1.json" >/dev/null
}
hasnt() { ! has "$@"; }
jqe() { jq -e "$@" >/dev/null; }
rc_of() { cat "$LAB_DIR/$1.rc"; }

cgroup_v2_only=0
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cgroup_v2_only=1

# --- default: runc's defaults (no seccomp profile in `runc spec`), like a pod without a securityContext
lab_bundle default
if inside default; then
	ok "default: valid JSON report (exit $(rc_of default))"
	check "default: container detected" has default BH0400 info
	check "default: not privileged" hasnt default BH0401
	check "default: no critical capability" hasnt default BH0402
	check "default: runc default caps reported as not dropped" has default BH0404 medium CapEff
	check "default: own PID namespace" hasnt default BH0408
	check "default: own network namespace" hasnt default BH0409
	check "default: own IPC namespace" hasnt default BH0410
	check "default: own mount namespace" hasnt default BH0413
	check "default: no node mounts" hasnt default BH0417
	check "default: no runtime socket" hasnt default BH0416
	check "default: no block devices" hasnt default BH0418 critical
	check "default: /proc/sys read-only" hasnt default BH0419
	check "default: /sys read-only" hasnt default BH0420
	check "default: no release_agent" hasnt default BH0421
	check "default: cgroup v1 not mountable" hasnt default BH0422
	check "default: no seccomp profile in runc spec is reported" has default BH0406 high
	check "default: uid 0 without user namespace" has default BH0414 medium
	check "default: writable root reported" has default BH0426 low
	check "default: user namespaces creatable without seccomp" has default BH0423
	check "default: exit 1 (high findings)" test "$(rc_of default)" = 1
	check "default: the finding shape is scan's" jqe '.findings[0] | has("rule") and has("name") and has("severity")
		and has("title") and has("message") and has("technique") and has("evidence") and has("remediation")' \
		"$LAB_DIR/default.json"
else
	fail "default: no JSON report: $(head -c 300 "$LAB_DIR/default.err")"
fi

# --- privileged
lab_bundle privileged --privileged
if inside privileged; then
	check "privileged: all capabilities (critical)" has privileged BH0401 critical
	check "privileged: block devices openable (critical)" has privileged BH0418 critical /dev
	check "privileged: /proc/sys writable (critical)" has privileged BH0419 critical
	check "privileged: /sys writable" has privileged BH0420
	check "privileged: no seccomp" has privileged BH0406 high
	check "privileged: NoNewPrivs off" has privileged BH0405 medium
	if [ $cgroup_v2_only = 0 ]; then
		if has privileged BH0421 || has privileged BH0422 critical; then
			ok "privileged: cgroup v1 release_agent avenue reported"
		else
			fail "privileged: cgroup v1 release_agent avenue not reported"
		fi
	else
		skip "privileged: cgroup v1 check (cgroup v2-only host, private cgroup namespace)"
	fi
else
	fail "privileged: no JSON report: $(head -c 300 "$LAB_DIR/privileged.err")"
fi

# --- added capabilities
lab_bundle capadmin --cap SYS_ADMIN
if inside capadmin; then
	check "cap SYS_ADMIN: critical capability" has capadmin BH0402 critical CAP_SYS_ADMIN
	check "cap SYS_ADMIN: not the full set" hasnt capadmin BH0401
else
	fail "capadmin: no JSON report"
fi
lab_bundle capptrace --cap SYS_PTRACE --cap NET_ADMIN
if inside capptrace; then
	check "cap SYS_PTRACE: high" has capptrace BH0403 high CAP_SYS_PTRACE
	check "cap NET_ADMIN: high" has capptrace BH0403 high CAP_NET_ADMIN
	check "cap SYS_PTRACE: no critical capability" hasnt capptrace BH0402
else
	fail "capptrace: no JSON report"
fi

# --- host namespaces
lab_bundle hostpid --hostpid
if inside hostpid; then
	check "hostPID: reported (high)" has hostpid BH0408 high
	check "hostPID: evidence names the namespace" jqe '[.findings[] | select(.rule == "BH0408")][0].evidence | test("pid:\\[")' \
		"$LAB_DIR/hostpid.json"
	check "hostPID: network still private" hasnt hostpid BH0409
else
	fail "hostpid: no JSON report"
fi
lab_bundle hostpidptrace --hostpid --cap SYS_PTRACE
if inside hostpidptrace; then
	check "hostPID + SYS_PTRACE: critical" has hostpidptrace BH0408 critical
else
	fail "hostpidptrace: no JSON report"
fi
lab_bundle hostnet --hostnet
if inside hostnet; then
	check "hostNetwork: reported" has hostnet BH0409 high
	check "hostNetwork: PID still private" hasnt hostnet BH0408
else
	fail "hostnet: no JSON report"
fi
lab_bundle hostipc --hostipc
if inside hostipc; then
	check "hostIPC: reported" has hostipc BH0410 high
else
	fail "hostipc: no JSON report"
fi

# --- the node's / bind-mounted
lab_bundle hostroot --bind /:/host
if inside hostroot; then
	check "host / rw: critical host-path mount at /host" has hostroot BH0417 critical /host
else
	fail "hostroot: no JSON report"
fi
lab_bundle hostrootro --bind /:/host:ro
if inside hostrootro; then
	check "host / ro: high host-path mount at /host" has hostrootro BH0417 high /host
else
	fail "hostrootro: no JSON report"
fi

# --- a runtime socket (a listening unix socket standing in for containerd's), bind-mounted read-only:
# read-only does not protect a socket, so it stays critical
mkdir -p "$LAB_DIR/node/run"
sock=$LAB_DIR/node/run/containerd.sock
perl -MIO::Socket::UNIX -e '
	my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Local => $ARGV[0], Listen => 8) or die "listen: $!";
	while (my $c = $s->accept) { close $c }' "$sock" &
SOCK_PID=$!
for _ in 1 2 3 4 5 6 7 8 9 10; do [ -S "$sock" ] && break; sleep 0.2; done
if [ -S "$sock" ]; then
	lab_bundle sock --bind "$sock:/run/containerd/containerd.sock:ro"
	if inside sock; then
		check "runtime socket: critical" has sock BH0416 critical /run/containerd/containerd.sock
		check "runtime socket: it answers (connect succeeded through a ro mount)" jqe \
			'[.findings[] | select(.rule == "BH0416")][0].message | test("answers")' "$LAB_DIR/sock.json"
		check "runtime socket: not reported as a plain host path" hasnt sock BH0417
	else
		fail "sock: no JSON report"
	fi
else
	fail "could not create the stand-in runtime socket"
fi

# --- read-only root, default-like seccomp
lab_bundle ro --readonly --seccomp-default
if inside ro; then
	check "read-only root: mitigation reported" has ro BH0427 info
	check "read-only root: no writable-root finding" hasnt ro BH0426
	check "seccomp default: filter reported" has ro BH0428 info
	check "seccomp default: no seccomp-unconfined finding" hasnt ro BH0406
	check "seccomp default: user namespaces blocked" hasnt ro BH0423
else
	fail "ro: no JSON report"
fi

# --- text output works in a container too
lab_bundle text
if lab_run text /usr/local/bin/bulkhead inside >"$LAB_DIR/text.out" 2>&1; [ $? -le 1 ]; then
	check "text: summary line" grep -qE '[0-9]+ critical, [0-9]+ high' "$LAB_DIR/text.out"
	check "text: facts header" grep -q '^bulkhead inside: container' "$LAB_DIR/text.out"
else
	fail "text: bulkhead inside failed: $(head -c 300 "$LAB_DIR/text.out")"
fi
finish
