# Container lab: real runc containers on a busybox-static root filesystem, for `bulkhead inside` and
# `bulkhead watch` tests. Source it (after tests/lib.sh); every function returns non-zero on failure.
#
#   lab_init                      0 when root, runc, jq and a static busybox are usable; sets LAB_DIR to a fresh
#                                 temp dir and builds $LAB_DIR/rootfs with bulkhead at /usr/local/bin/bulkhead
#                                 (the dynamic binary is copied with the libraries ldd names). 1 + a reason.
#   lab_bundle NAME [--privileged] [--cap CAP]... [--hostpid] [--hostnet] [--hostipc]
#              [--bind SRC:DST[:ro]]... [--readonly] [--seccomp-default] [--cgroupns private|host]
#                                 writes the OCI bundle $LAB_DIR/NAME (runc spec, then jq)
#   lab_run NAME CMD [ARG...]     runs CMD in a fresh container (runc run, no terminal), stdio passed through;
#                                 returns CMD's exit status; the container is always deleted
#   lab_start NAME CMD [ARG...]   starts a detached container (output in $LAB_DIR/NAME.log)
#   lab_exec NAME CMD [ARG...]    runs CMD inside the started container; returns its status
#   lab_pid NAME                  prints the host pid of the started container's init
#   lab_id NAME                   prints the runc container id
#   lab_kill NAME                 kills and deletes the started container
#   lab_cleanup                   deletes every lab container and LAB_DIR
#
# Containers use their own runc state directory ($LAB_DIR/state), so they never mix with a real runtime's.
# The default container resembles a Kubernetes pod under containerd: new pid/net/ipc/uts/mount namespaces
# (cgroup too on cgroup v2 hosts), runc's default capabilities, masked /proc paths, read-only /sys, no-new-privileges, no network
# but loopback. --privileged resembles `privileged: true`: every capability, no seccomp, no masked paths,
# rw /sys and cgroupfs, the host's block devices, every device allowed.

: "${TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${BUILD:=build}"
: "${BH:=$TOP/$BUILD/bulkhead}"
LAB_DIR=${LAB_DIR:-}
LAB_BUSYBOX=${LAB_BUSYBOX:-$(command -v busybox 2>/dev/null || echo /bin/busybox)}

_lab_runc() { runc --root "$LAB_DIR/state" "$@"; }

_lab_copy_with_libs() { # SRC DST-IN-ROOTFS
	local src=$1 dst=$2 lib
	mkdir -p "$LAB_DIR/rootfs$(dirname "$dst")" || return 1
	cp -L "$src" "$LAB_DIR/rootfs$dst" || return 1
	# ldd prints "name => /path (addr)" and "/lib64/ld-linux-x86-64.so.2 (addr)"
	for lib in $(ldd "$src" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'); do
		mkdir -p "$LAB_DIR/rootfs$(dirname "$lib")" && cp -L "$lib" "$LAB_DIR/rootfs$lib" || return 1
	done
}

lab_init() {
	if [ "$(id -u)" != 0 ]; then echo "lab: needs root (runc containers)"; return 1; fi
	if ! command -v runc >/dev/null 2>&1; then echo "lab: runc not found (Debian package runc)"; return 1; fi
	if ! command -v jq >/dev/null 2>&1; then echo "lab: jq not found"; return 1; fi
	if [ ! -x "$LAB_BUSYBOX" ]; then echo "lab: busybox not found (Debian package busybox-static)"; return 1; fi
	if ldd "$LAB_BUSYBOX" >/dev/null 2>&1; then
		echo "lab: $LAB_BUSYBOX is dynamically linked (install busybox-static)"; return 1
	fi
	if [ ! -x "$BH" ]; then echo "lab: $BH not built (run make)"; return 1; fi
	LAB_DIR=$(mktemp -d "${TMPDIR:-/tmp}/bulkhead-lab.XXXXXX") || { echo "lab: mktemp failed"; return 1; }
	chmod 755 "$LAB_DIR"
	local r=$LAB_DIR/rootfs a
	mkdir -p "$r"/bin "$r"/proc "$r"/sys "$r"/dev "$r"/tmp "$r"/etc "$r"/root "$r"/mnt "$r"/run \
		"$LAB_DIR/state" || return 1
	chmod 1777 "$r/tmp"
	cp "$LAB_BUSYBOX" "$r/bin/busybox" || return 1
	for a in $("$r/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$r/bin/$a"
	done
	printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	_lab_copy_with_libs "$BH" /usr/local/bin/bulkhead || { echo "lab: could not copy $BH"; lab_cleanup; return 1; }
	# sanity: the container runtime works here at all
	lab_bundle _probe >/dev/null || { echo "lab: could not write a bundle"; lab_cleanup; return 1; }
	if ! lab_run _probe /bin/true >/dev/null 2>"$LAB_DIR/probe.err"; then
		echo "lab: runc cannot start a container here: $(head -c 300 "$LAB_DIR/probe.err")"
		lab_cleanup
		return 1
	fi
	return 0
}

# Capability names by number (linux/capability.h); lab_bundle --privileged takes 0..cap_last_cap.
_LAB_CAPS=(CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE
	NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT
	SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE
	AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ
	PERFMON BPF CHECKPOINT_RESTORE)

_lab_jq() { # FILE FILTER [jq args...]: edits FILE in place
	local f=$1; shift
	jq "$@" <"$f" >"$f.new" && mv "$f.new" "$f"
}

lab_bundle() {
	local name=$1; shift
	[ -n "$LAB_DIR" ] && [ -n "$name" ] || { echo "lab_bundle: lab_init first, and a NAME" >&2; return 1; }
	local b=$LAB_DIR/$name priv=0 hostpid=0 hostnet=0 hostipc=0 ro=0 seccomp=0 cgns= caps=() binds=()
	while [ $# -gt 0 ]; do
		case $1 in
		--privileged) priv=1 ;;
		--cap) caps+=("$2"); shift ;;
		--hostpid) hostpid=1 ;;
		--hostnet) hostnet=1 ;;
		--hostipc) hostipc=1 ;;
		--bind) binds+=("$2"); shift ;;
		--readonly) ro=1 ;;
		--seccomp-default) seccomp=1 ;;
		--cgroupns) cgns=$2; shift ;;
		*) echo "lab_bundle: unknown option $1" >&2; return 1 ;;
		esac
		shift
	done
	rm -rf "$b" && mkdir -p "$b" || return 1
	runc spec --bundle "$b" || return 1
	local c=$b/config.json
	_lab_jq "$c" --arg root "$LAB_DIR/rootfs" --arg host "$name" --argjson ro "$ro" '
		.process.terminal = false | .process.args = ["/bin/true"] | .process.cwd = "/"
		| .process.env = ["PATH=/usr/local/bin:/bin", "HOME=/root"]
		| .root = {path: $root, readonly: ($ro == 1)} | .hostname = ("lab-" + $host)' || return 1
	# Runtimes give a container its own cgroup namespace on cgroup v2 hosts and share the host's on
	# v1/hybrid hosts (containerd CRI, Docker's default cgroupns mode); do the same.
	[ -z "$cgns" ] && { [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ] && cgns=private || cgns=host; }
	if [ "$cgns" = private ]; then _lab_jq "$c" '.linux.namespaces += [{type: "cgroup"}]' || return 1; fi
	[ $hostpid = 1 ] && { _lab_jq "$c" '.linux.namespaces |= map(select(.type != "pid"))' || return 1; }
	[ $hostnet = 1 ] && { _lab_jq "$c" '.linux.namespaces |= map(select(.type != "network"))' || return 1; }
	[ $hostipc = 1 ] && { _lab_jq "$c" '.linux.namespaces |= map(select(.type != "ipc"))' || return 1; }
	local cap all=() last i
	for cap in "${caps[@]}"; do
		cap=$(echo "$cap" | tr a-z A-Z); cap=CAP_${cap#CAP_}
		_lab_jq "$c" --arg c "$cap" '.process.capabilities |= with_entries(.value = ((.value + [$c]) | unique))' \
			|| return 1
	done
	if [ $priv = 1 ]; then
		# every capability this process may still grant (its bounding set), as Docker does; a runtime that
		# itself runs with a reduced bounding set cannot give more
		local bnd
		bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
		last=$(cat /proc/sys/kernel/cap_last_cap 2>/dev/null || echo 40)
		for ((i = 0; i <= last && i < ${#_LAB_CAPS[@]}; i++)); do
			(((0x$bnd >> i) & 1)) && all+=("CAP_${_LAB_CAPS[i]}")
		done
		local devs='[]' d maj min
		# the host's block devices, as containerd's privileged mode adds every host device
		for d in /dev/*; do
			[ -b "$d" ] || continue
			maj=$((0x$(stat -c %t "$d"))); min=$((0x$(stat -c %T "$d")))
			devs=$(jq -c --arg p "$d" --argjson ma "$maj" --argjson mi "$min" \
				'. + [{path: $p, type: "b", major: $ma, minor: $mi, fileMode: 432, uid: 0, gid: 0}]' <<<"$devs")
		done
		_lab_jq "$c" --argjson devs "$devs" --args '
			.process.capabilities = {bounding: $ARGS.positional, effective: $ARGS.positional,
				permitted: $ARGS.positional, ambient: $ARGS.positional}
			| .process.noNewPrivileges = false
			| del(.linux.seccomp) | del(.process.apparmorProfile) | del(.process.selinuxLabel)
			| .linux.maskedPaths = [] | .linux.readonlyPaths = []
			| .mounts |= map(if .type == "sysfs" or .type == "cgroup" then .options -= ["ro"] else . end)
			| .linux.resources.devices = [{allow: true, access: "rwm"}]
			| .linux.devices = ((.linux.devices // []) + $devs)' -- "${all[@]}" || return 1
	fi
	local spec src dst opt
	for spec in "${binds[@]}"; do
		IFS=: read -r src dst opt <<<"$spec"
		[ -n "$src" ] && [ -n "$dst" ] || { echo "lab_bundle: bad --bind $spec" >&2; return 1; }
		_lab_jq "$c" --arg s "$src" --arg d "$dst" --arg o "$opt" '
			.mounts += [{destination: $d, type: "bind", source: $s,
				options: (["rbind", "rprivate"] + (if $o == "ro" then ["ro"] else [] end))}]' || return 1
	done
	if [ $seccomp = 1 ]; then
		# The escape-relevant part of the runtime default profiles (moby profiles/seccomp/default.json):
		# namespace, mount, keyring, BPF, module, kexec, ptrace and handle syscalls fail with EPERM, and so
		# does clone() with CLONE_NEWUSER (0x10000000).
		_lab_jq "$c" '.linux.seccomp = {defaultAction: "SCMP_ACT_ALLOW", architectures: ["SCMP_ARCH_X86_64",
			"SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"], syscalls: [
			{names: ["unshare", "setns", "mount", "umount2", "pivot_root", "bpf", "keyctl", "add_key",
				"request_key", "kexec_load", "kexec_file_load", "init_module", "finit_module",
				"delete_module", "open_by_handle_at", "userfaultfd", "perf_event_open", "ptrace",
				"fsopen", "fsmount", "fsconfig", "move_mount", "open_tree", "mount_setattr"],
			 action: "SCMP_ACT_ERRNO", errnoRet: 1},
			{names: ["clone3"], action: "SCMP_ACT_ERRNO", errnoRet: 38},
			{names: ["clone"], action: "SCMP_ACT_ERRNO", errnoRet: 1,
			 args: [{index: 0, value: 268435456, valueTwo: 268435456, op: "SCMP_CMP_MASKED_EQ"}]}]}' \
			|| return 1
	fi
	return 0
}

_lab_set_args() { # NAME CMD...
	local c=$LAB_DIR/$1/config.json; shift
	[ -f "$c" ] || { echo "lab: no bundle $c (lab_bundle first)" >&2; return 1; }
	# "--" so that arguments such as --format reach the container instead of jq
	_lab_jq "$c" --args '.process.args = $ARGS.positional' -- "$@"
}

lab_id() { echo "bhlab-$1-$(basename "$LAB_DIR" | tr -dc 'a-zA-Z0-9')"; }

lab_run() {
	local name=$1; shift
	_lab_set_args "$name" "$@" || return 1
	local id
	id="$(lab_id "$name")-$$-$RANDOM"
	_lab_runc run --bundle "$LAB_DIR/$name" "$id" </dev/null
	local rc=$?
	_lab_runc delete -f "$id" >/dev/null 2>&1
	return $rc
}

lab_start() {
	local name=$1; shift
	_lab_set_args "$name" "$@" || return 1
	_lab_runc run -d --bundle "$LAB_DIR/$name" "$(lab_id "$name")" </dev/null >"$LAB_DIR/$name.log" 2>&1
}

lab_exec() {
	local name=$1; shift
	_lab_runc exec "$(lab_id "$name")" "$@" </dev/null
}

lab_pid() { _lab_runc state "$(lab_id "$1")" | jq -r .pid; }

lab_kill() {
	_lab_runc kill "$(lab_id "$1")" KILL >/dev/null 2>&1
	_lab_runc delete -f "$(lab_id "$1")" >/dev/null 2>&1
	return 0
}

lab_cleanup() {
	[ -n "$LAB_DIR" ] && [ -d "$LAB_DIR" ] || return 0
	local id
	for id in $(_lab_runc list -q 2>/dev/null); do
		_lab_runc delete -f "$id" >/dev/null 2>&1
	done
	case $LAB_DIR in
	*/bulkhead-lab.*) rm -rf "$LAB_DIR" ;;
	esac
	LAB_DIR=
}
