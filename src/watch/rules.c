/* Watch rules: one row per escape technique (metadata, BH0500–BH0599) and one small classifier per event
 * type that decides which row an event matches. The classifiers are pure functions of one event; state
 * (process cache, de-duplication, allow-list) lives in detector.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "rules_int.h"

#define T1611 "https://attack.mitre.org/techniques/T1611/"

/* Index order = BHW_R_* in rules_int.h. */
static const struct bh_rule rules[BHW_R_MAX] = {
	[BHW_R_MEMFD_EXEC] = {.id = "BH0500", .name = "fileless-exec", .sev = BH_SEV_CRITICAL,
		.title = "Container executed a program from memory (memfd) or a deleted file",
		.technique = "T1620",
		.remediation = "Kill the process and inspect the container; fileless binaries avoid image scanning. "
			       "Make the root filesystem read-only and drop the capabilities the payload needed.",
		.references = "https://attack.mitre.org/techniques/T1620/ https://man7.org/linux/man-pages/man2/memfd_create.2.html",
		.explain = "What: A process in a container executed a file that exists only in memory (memfd_create + execveat) or a file deleted after it started.\n\nWhy it leads to escape: Droppers run kernel exploits and escape tools this way: nothing on disk, nothing an image scan saw, nothing left to inspect.\n\nHow it is exploited: Download a payload, write it into memfd_create(\"x\"), execveat(fd, \"\", AT_EMPTY_PATH). runc itself re-executes from a memfd, but before the container starts, so the sensor never reports it.\n\nFix: "
			   "Kill the process and inspect the container; fileless binaries avoid image scanning. "
			       "Make the root filesystem read-only and drop the capabilities the payload needed."},
	[BHW_R_HOST_DEV_MOUNT] = {.id = "BH0501", .name = "host-device-mount", .sev = BH_SEV_CRITICAL,
		.title = "Container mounted a block device (the node's disk)",
		.technique = "T1611",
		.remediation = "Treat the node as compromised. Do not run privileged containers; never add host block "
			       "devices to a container (spec.containers[].securityContext.privileged, volumeDevices).",
		.references = T1611,
		.explain = "What: mount(2) of a /dev/ block device inside a container.\n\nWhy it leads to escape: A privileged container sees the node's disks under /dev; mounting one gives read-write access to every host file: kubelet credentials, /etc/shadow, cron, SSH keys.\n\nHow it is exploited: `mount /dev/sda1 /mnt && chroot /mnt` then add a cron job or an SSH key on the node.\n\nFix: "
			   "Treat the node as compromised. Do not run privileged containers; never add host block "
			       "devices to a container (spec.containers[].securityContext.privileged, volumeDevices)."},
	[BHW_R_CGROUP_MOUNT] = {.id = "BH0502", .name = "cgroup-mount", .sev = BH_SEV_HIGH,
		.title = "Container mounted a cgroup filesystem (release_agent escape preparation)",
		.technique = "T1611",
		.remediation = "Drop CAP_SYS_ADMIN, keep the runtime's seccomp and AppArmor profiles, and use cgroup v2 "
			       "with cgroup namespaces; patch CVE-2022-0492.",
		.references = T1611 " https://nvd.nist.gov/vuln/detail/CVE-2022-0492",
		.explain = "What: A container mounted a cgroup (v1) hierarchy or opened one with fsopen.\n\nWhy it leads to escape: It is the first step of the release_agent escape: the kernel runs a cgroup v1 hierarchy's release_agent as root in the host's namespaces.\n\nHow it is exploited: `mount -t cgroup -o rdma cgroup /tmp/cg; mkdir /tmp/cg/x; echo 1 > /tmp/cg/x/notify_on_release; echo /path/on/host > /tmp/cg/release_agent` (CVE-2022-0492 allowed it without CAP_SYS_ADMIN in the host user namespace).\n\nFix: "
			   "Drop CAP_SYS_ADMIN, keep the runtime's seccomp and AppArmor profiles, and use cgroup v2 "
			       "with cgroup namespaces; patch CVE-2022-0492."},
	[BHW_R_MOUNT] = {.id = "BH0503", .name = "container-mount", .sev = BH_SEV_MEDIUM,
		.title = "Container called mount, umount or the new mount API",
		.technique = "T1611",
		.remediation = "Containers should not need to mount; drop CAP_SYS_ADMIN and keep the default seccomp "
			       "profile, which blocks mount(2).",
		.references = T1611,
		.explain = "What: A container called mount, umount, fsopen, fsmount or move_mount.\n\nWhy it leads to escape: Ordinary workloads do not mount. Mounting reaches host resources (procfs, devices, cgroups); unmounting removes the masks the runtime put over /proc paths.\n\nHow it is exploited: `umount /proc/kcore` or `mount -t proc proc /mnt` to get an unmasked procfs, then write its sysctls.\n\nFix: "
			   "Containers should not need to mount; drop CAP_SYS_ADMIN and keep the default seccomp "
			       "profile, which blocks mount(2)."},
	[BHW_R_RELEASE_AGENT] = {.id = "BH0504", .name = "cgroup-release-agent-write", .sev = BH_SEV_CRITICAL,
		.title = "Container opened a cgroup release_agent for writing",
		.technique = "T1611",
		.remediation = "Treat the node as compromised: release_agent runs a program as root on the host. Drop "
			       "CAP_SYS_ADMIN, keep AppArmor/seccomp, move to cgroup v2.",
		.references = T1611 " https://nvd.nist.gov/vuln/detail/CVE-2022-0492",
		.explain = "What: A container opened release_agent of a cgroup v1 hierarchy for writing.\n\nWhy it leads to escape: release_agent names a program the kernel runs as root, in the host's namespaces, when a cgroup with notify_on_release becomes empty.\n\nHow it is exploited: Write the overlay path of a script in the container (from /etc/mtab's upperdir) into release_agent, empty a child cgroup, and the script runs on the node.\n\nFix: "
			   "Treat the node as compromised: release_agent runs a program as root on the host. Drop "
			       "CAP_SYS_ADMIN, keep AppArmor/seccomp, move to cgroup v2."},
	[BHW_R_NOTIFY_ON_RELEASE] = {.id = "BH0505", .name = "cgroup-notify-on-release-write", .sev = BH_SEV_HIGH,
		.title = "Container opened a cgroup notify_on_release for writing",
		.technique = "T1611",
		.remediation = "Part of the release_agent escape: drop CAP_SYS_ADMIN and keep AppArmor/seccomp.",
		.references = T1611,
		.explain = "What: A container opened notify_on_release of a cgroup v1 hierarchy for writing.\n\nWhy it leads to escape: It arms the release_agent escape: when the cgroup empties, the kernel runs release_agent on the host.\n\nHow it is exploited: `echo 1 > /tmp/cg/x/notify_on_release; sh -c 'echo $$ > /tmp/cg/x/cgroup.procs'`.\n\nFix: "
			   "Part of the release_agent escape: drop CAP_SYS_ADMIN and keep AppArmor/seccomp."},
	[BHW_R_CORE_PATTERN] = {.id = "BH0506", .name = "core-pattern-write", .sev = BH_SEV_CRITICAL,
		.title = "Container opened /proc/sys/kernel/core_pattern for writing",
		.technique = "T1611",
		.remediation = "core_pattern is not namespaced: a pipe handler there runs as root on the host at the "
			       "next crash. Never run privileged containers; keep /proc/sys read-only.",
		.references = T1611 " https://man7.org/linux/man-pages/man5/core.5.html",
		.explain = "What: A container opened /proc/sys/kernel/core_pattern for writing.\n\nWhy it leads to escape: core_pattern is global, not namespaced: a `|program` there is run by the kernel as root in the host's namespaces at the next crash of any process on the node.\n\nHow it is exploited: `echo '|/var/lib/docker/overlay2/<id>/diff/x' > /proc/sys/kernel/core_pattern`, then crash a process.\n\nFix: "
			   "core_pattern is not namespaced: a pipe handler there runs as root on the host at the "
			       "next crash. Never run privileged containers; keep /proc/sys read-only."},
	[BHW_R_PROC_SYS] = {.id = "BH0507", .name = "proc-sys-write", .sev = BH_SEV_HIGH,
		.title = "Container opened a /proc/sys file for writing",
		.technique = "T1611",
		.remediation = "Set sysctls through the pod's securityContext.sysctls (safe, namespaced ones only); keep "
			       "/proc/sys read-only (no privileged, no procMount: Unmasked).",
		.references = T1611 " https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/",
		.explain = "What: A container opened a file under /proc/sys for writing.\n\nWhy it leads to escape: Most kernel.* and vm.* sysctls are global: they change the node for every tenant, and kernel.modprobe names a program the kernel runs as root. net.* ones are per network namespace.\n\nHow it is exploited: `echo /tmp/x > /proc/sys/kernel/modprobe`, then trigger a module request (an unknown binary format or socket family).\n\nFix: "
			   "Set sysctls through the pod's securityContext.sysctls (safe, namespaced ones only); keep "
			       "/proc/sys read-only (no privileged, no procMount: Unmasked)."},
	[BHW_R_SYSRQ] = {.id = "BH0508", .name = "sysrq-trigger-write", .sev = BH_SEV_HIGH,
		.title = "Container opened /proc/sysrq-trigger for writing",
		.technique = "T1529",
		.remediation = "sysrq-trigger can reboot or crash the node. Never run privileged containers.",
		.references = "https://attack.mitre.org/techniques/T1529/ https://docs.kernel.org/admin-guide/sysrq.html",
		.explain = "What: A container opened /proc/sysrq-trigger for writing.\n\nWhy it leads to escape: One byte reboots, crashes or freezes the node for every tenant on it.\n\nHow it is exploited: `echo c > /proc/sysrq-trigger` crashes the kernel; `echo b` reboots.\n\nFix: "
			   "sysrq-trigger can reboot or crash the node. Never run privileged containers."},
	[BHW_R_SYS_KERNEL] = {.id = "BH0509", .name = "sys-kernel-write", .sev = BH_SEV_HIGH,
		.title = "Container opened a file under /sys/kernel for writing",
		.technique = "T1611",
		.remediation = "/sys/kernel/uevent_helper and friends run host programs as root. Keep /sys read-only "
			       "(no privileged containers).",
		.references = T1611,
		.explain = "What: A container opened a file under /sys/kernel for writing.\n\nWhy it leads to escape: /sys/kernel/uevent_helper names a program the kernel runs as root on the host at the next device event; other files change kernel behaviour for the whole node.\n\nHow it is exploited: `echo /overlay/path/x > /sys/kernel/uevent_helper; echo change > /sys/class/mem/null/uevent`.\n\nFix: "
			   "/sys/kernel/uevent_helper and friends run host programs as root. Keep /sys read-only "
			       "(no privileged containers)."},
	[BHW_R_KMEM] = {.id = "BH0510", .name = "kernel-memory-device", .sev = BH_SEV_CRITICAL,
		.title = "Container opened /dev/mem, /dev/kmem or /dev/port",
		.technique = "T1611",
		.remediation = "Raw kernel memory and I/O ports: treat the node as compromised. Never run privileged "
			       "containers or pass these devices.",
		.references = T1611,
		.explain = "What: A container opened /dev/mem, /dev/kmem or /dev/port.\n\nWhy it leads to escape: Raw physical memory or I/O port access is enough to read secrets out of the kernel or patch it.\n\nHow it is exploited: Read or write kernel structures through /dev/mem on kernels without STRICT_DEVMEM, or program hardware through /dev/port.\n\nFix: "
			   "Raw kernel memory and I/O ports: treat the node as compromised. Never run privileged "
			       "containers or pass these devices."},
	[BHW_R_BLOCK_DEV] = {.id = "BH0511", .name = "host-block-device-open", .sev = BH_SEV_CRITICAL,
		.title = "Container opened a block device",
		.technique = "T1006",
		.remediation = "Reading the node's disk reads every secret on it (debugfs, dd). Never run privileged "
			       "containers or add host block devices.",
		.references = "https://attack.mitre.org/techniques/T1006/",
		.explain = "What: A container opened a block device.\n\nWhy it leads to escape: Reading the node's disk directly bypasses every file permission; writing it corrupts or backdoors the host.\n\nHow it is exploited: `debugfs /dev/sda1` then `cat /etc/shadow` or `dump` the kubelet's credentials.\n\nFix: "
			   "Reading the node's disk reads every secret on it (debugfs, dd). Never run privileged "
			       "containers or add host block devices."},
	[BHW_R_HOST_NS_ENTRY] = {.id = "BH0512", .name = "host-namespace-entry", .sev = BH_SEV_CRITICAL,
		.title = "Container process joined a host namespace (setns, nsenter -t 1)",
		.technique = "T1611",
		.remediation = "Treat the node as compromised. Remove hostPID and privileged; a container that can "
			       "open /proc/1/ns/* and holds CAP_SYS_ADMIN is root on the node.",
		.references = T1611 " https://man7.org/linux/man-pages/man1/nsenter.1.html",
		.explain = "What: A container process called setns and now shares a namespace with the host's init.\n\nWhy it leads to escape: Joining the host's mount and PID namespaces is being on the node: its files, its processes, its network.\n\nHow it is exploited: In a hostPID container with CAP_SYS_ADMIN: `nsenter -t 1 -m -u -i -n -p sh` is a root shell on the node.\n\nFix: "
			   "Treat the node as compromised. Remove hostPID and privileged; a container that can "
			       "open /proc/1/ns/* and holds CAP_SYS_ADMIN is root on the node."},
	[BHW_R_SETNS] = {.id = "BH0513", .name = "container-setns", .sev = BH_SEV_MEDIUM,
		.title = "Container process called setns",
		.technique = "T1611",
		.remediation = "Allow-list the agent if this is expected (CNI, service mesh); otherwise drop "
			       "CAP_SYS_ADMIN and keep the default seccomp profile.",
		.references = T1611,
		.explain = "What: A container process called setns.\n\nWhy it leads to escape: setns moves a process between namespaces: legitimate for CNI and mesh agents, elsewhere a way to reach other containers or the host.\n\nHow it is exploited: `nsenter -t <pid of another container> -n` to sniff its traffic, or a step towards the host's namespaces.\n\nFix: "
			   "Allow-list the agent if this is expected (CNI, service mesh); otherwise drop "
			       "CAP_SYS_ADMIN and keep the default seccomp profile."},
	[BHW_R_UNSHARE] = {.id = "BH0514", .name = "container-unshare", .sev = BH_SEV_MEDIUM,
		.title = "Container process created namespaces (unshare)",
		.technique = "T1611",
		.remediation = "New user namespaces expose kernel attack surface (CVE-2022-0492, CVE-2023-0386 and "
			       "many more). Keep the default seccomp profile; set user.max_user_namespaces=0 on "
			       "nodes that do not need them.",
		.references = T1611 " https://man7.org/linux/man-pages/man2/unshare.2.html",
		.explain = "What: A container process created new namespaces.\n\nWhy it leads to escape: A new user namespace makes the caller root there and unlocks kernel interfaces (mount, netfilter, cgroups, BPF) behind many escape CVEs.\n\nHow it is exploited: `unshare -Urm` then mount a cgroup v1 hierarchy (CVE-2022-0492) or use netfilter bugs (CVE-2022-25636, CVE-2023-32233).\n\nFix: "
			   "New user namespaces expose kernel attack surface (CVE-2022-0492, CVE-2023-0386 and "
			       "many more). Keep the default seccomp profile; set user.max_user_namespaces=0 on "
			       "nodes that do not need them."},
	[BHW_R_PTRACE] = {.id = "BH0515", .name = "ptrace-attach", .sev = BH_SEV_HIGH,
		.title = "Container process attached to or wrote into another process",
		.technique = "T1055.008",
		.remediation = "Drop CAP_SYS_PTRACE, do not combine it with hostPID, keep kernel.yama.ptrace_scope >= 1.",
		.references = "https://attack.mitre.org/techniques/T1055/008/",
		.explain = "What: A container process attached to or wrote into another process (PTRACE_ATTACH, SEIZE, POKE*, /proc/PID/mem).\n\nWhy it leads to escape: With hostPID that includes host processes: code injected into a root daemon runs on the node.\n\nHow it is exploited: In a hostPID container with CAP_SYS_PTRACE: attach to a host root process and write shellcode into it.\n\nFix: "
			   "Drop CAP_SYS_PTRACE, do not combine it with hostPID, keep kernel.yama.ptrace_scope >= 1."},
	[BHW_R_MODULE] = {.id = "BH0516", .name = "kernel-module-load", .sev = BH_SEV_CRITICAL,
		.title = "Container loaded a kernel module",
		.technique = "T1547.006",
		.remediation = "Treat the node as compromised. Drop CAP_SYS_MODULE; set kernel.modules_disabled=1 "
			       "after boot where possible.",
		.references = "https://attack.mitre.org/techniques/T1547/006/",
		.explain = "What: A container loaded a kernel module.\n\nWhy it leads to escape: A module is code in the kernel: the end of all isolation.\n\nHow it is exploited: With CAP_SYS_MODULE: `insmod rootkit.ko` from inside the container.\n\nFix: "
			   "Treat the node as compromised. Drop CAP_SYS_MODULE; set kernel.modules_disabled=1 "
			       "after boot where possible."},
	[BHW_R_BPF] = {.id = "BH0517", .name = "bpf-program-load", .sev = BH_SEV_HIGH,
		.title = "Container loaded a BPF program",
		.technique = "T1611",
		.remediation = "BPF programs can read kernel memory and hide activity. Drop CAP_BPF and CAP_SYS_ADMIN; "
			       "keep kernel.unprivileged_bpf_disabled=2.",
		.references = T1611,
		.explain = "What: A container loaded a BPF program.\n\nWhy it leads to escape: With CAP_BPF or CAP_SYS_ADMIN, BPF reads kernel and other processes' memory and tampers with syscalls (bpf_probe_write_user); verifier bugs have been escapes.\n\nHow it is exploited: Load a tracing program that steals secrets from the host's processes, or a verifier exploit.\n\nFix: "
			   "BPF programs can read kernel memory and hide activity. Drop CAP_BPF and CAP_SYS_ADMIN; "
			       "keep kernel.unprivileged_bpf_disabled=2."},
	[BHW_R_RUNTIME_SOCKET] = {.id = "BH0518", .name = "runtime-socket-connect", .sev = BH_SEV_CRITICAL,
		.title = "Container connected to a container-runtime or kubelet socket",
		.technique = "T1610",
		.remediation = "Whoever talks to the runtime can start a privileged container on the node. Remove the "
			       "hostPath volume of the socket (a read-only mount does not protect a socket).",
		.references = "https://attack.mitre.org/techniques/T1610/ https://nvd.nist.gov/vuln/detail/CVE-2020-15257",
		.explain = "What: A container connected to a container runtime or kubelet socket (docker, containerd, CRI-O, podman, kubelet, containerd-shim abstract sockets).\n\nWhy it leads to escape: The API behind the socket starts containers: a privileged one with the host's / mounted is an escape in one request. A read-only mount does not protect a socket.\n\nHow it is exploited: `docker -H unix:///var/run/docker.sock run -v /:/host --privileged alpine chroot /host`, or ctr/crictl against containerd.sock.\n\nFix: "
			   "Whoever talks to the runtime can start a privileged container on the node. Remove the "
			       "hostPath volume of the socket (a read-only mount does not protect a socket)."},
	[BHW_R_PIVOT_CHROOT] = {.id = "BH0519", .name = "container-chroot", .sev = BH_SEV_MEDIUM,
		.title = "Container process changed its root (chroot, pivot_root)",
		.technique = "T1611",
		.remediation = "chroot into a mounted host disk is the last step of many escapes; drop CAP_SYS_CHROOT "
			       "and CAP_SYS_ADMIN if the workload does not need them.",
		.references = T1611,
		.explain = "What: A container process called chroot or pivot_root after start.\n\nWhy it leads to escape: chroot into a mounted host disk or a host path is the last step of the device-mount and hostPath escapes.\n\nHow it is exploited: `mount /dev/sda1 /mnt && chroot /mnt sh`.\n\nFix: "
			   "chroot into a mounted host disk is the last step of many escapes; drop CAP_SYS_CHROOT "
			       "and CAP_SYS_ADMIN if the workload does not need them."},
	[BHW_R_USERFAULTFD] = {.id = "BH0520", .name = "unprivileged-userfaultfd", .sev = BH_SEV_HIGH,
		.title = "Unprivileged container process created a userfaultfd",
		.technique = "T1068",
		.remediation = "userfaultfd widens kernel race windows for exploits; set vm.unprivileged_userfaultfd=0 "
			       "and keep the default seccomp profile.",
		.references = "https://attack.mitre.org/techniques/T1068/",
		.explain = "What: A process without CAP_SYS_PTRACE created a userfaultfd.\n\nWhy it leads to escape: Kernel exploits use it to pause the kernel in the middle of a copy from user memory and win races (many use-after-free LPEs).\n\nHow it is exploited: Register a userfaultfd on a page passed to a vulnerable syscall, stall the fault, swap the object, resume.\n\nFix: "
			   "userfaultfd widens kernel race windows for exploits; set vm.unprivileged_userfaultfd=0 "
			       "and keep the default seccomp profile."},
	[BHW_R_OPEN_BY_HANDLE] = {.id = "BH0521", .name = "open-by-handle", .sev = BH_SEV_CRITICAL,
		.title = "Container called open_by_handle_at (Shocker host file access)",
		.technique = "T1611",
		.remediation = "Drop CAP_DAC_READ_SEARCH: with it, open_by_handle_at opens any file of the host "
			       "filesystem by inode number.",
		.references = T1611,
		.explain = "What: A container called open_by_handle_at.\n\nWhy it leads to escape: With CAP_DAC_READ_SEARCH it opens files of the host's filesystem by handle, outside the container's mount namespace.\n\nHow it is exploited: The 2014 Shocker exploit brute-forces inode handles from the root of the container's filesystem to open the host's /etc/shadow.\n\nFix: "
			   "Drop CAP_DAC_READ_SEARCH: with it, open_by_handle_at opens any file of the host "
			       "filesystem by inode number."},
	[BHW_R_FOREIGN_WRITE] = {.id = "BH0522", .name = "foreign-mount-namespace-write", .sev = BH_SEV_CRITICAL,
		.title = "Container wrote a file through another mount namespace (/proc/<pid>/root)",
		.technique = "T1611",
		.remediation = "Treat the node as compromised when the namespace is the host's. Remove hostPID or "
			       "CAP_SYS_PTRACE (either closes /proc/<pid>/root of host processes).",
		.references = T1611 " https://man7.org/linux/man-pages/man5/proc.5.html",
		.explain = "What: A container process opened a file for writing whose mount belongs to another mount namespace: the host's (critical) or another container's (high).\n\nWhy it leads to escape: /proc/<pid>/root of a host process is the host's root directory; writing through it needs no setns, no mount and no device, so mount- and setns-based detection never sees it.\n\nHow it is exploited: In a hostPID container running as root: `echo '* * * * * root sh -c ...' > /proc/1/root/etc/cron.d/x`.\n\nFix: "
			   "Treat the node as compromised when the namespace is the host's. Remove hostPID or "
			       "CAP_SYS_PTRACE (either closes /proc/<pid>/root of host processes)."},
	[BHW_R_FOREIGN_READ] = {.id = "BH0523", .name = "foreign-mount-namespace-read", .sev = BH_SEV_HIGH,
		.title = "Container read a file through another mount namespace (/proc/<pid>/root)",
		.technique = "T1552.001",
		.remediation = "Remove hostPID, or CAP_SYS_PTRACE, from the pod; a container should only read its own files.",
		.references = "https://attack.mitre.org/techniques/T1552/001/",
		.explain = "What: A container process opened a file whose mount belongs to another mount namespace, the host's (high) or another container's (medium).\n\nWhy it leads to escape: Host credentials (kubelet keys, tokens of other pods, SSH keys) read this way are one step from the node.\n\nHow it is exploited: `cat /proc/1/root/var/lib/kubelet/pki/kubelet-client-current.pem` from a hostPID container.\n\nFix: "
			   "Remove hostPID, or CAP_SYS_PTRACE, from the pod; a container should only read its own files."},
	[BHW_R_HOST_FILE_WRITE] = {.id = "BH0524", .name = "host-persistence-file-write", .sev = BH_SEV_CRITICAL,
		.title = "Container wrote a host file that runs or admits code (cron, SSH keys, shadow, kubelet credentials)",
		.technique = "T1611",
		.remediation = "Treat the node as compromised. Remove the hostPath volume (/, /etc, /root, /var/lib/kubelet); "
			       "mount only the directory the workload needs, read-only.",
		.references = T1611 " https://attack.mitre.org/techniques/T1053/003/",
		.explain = "What: A container process opened for writing a file on the node's root filesystem under /etc/cron.d, /var/spool/cron, /root/.ssh, /etc/ssh, /etc/shadow, /etc/sudoers or the kubelet's credentials, identified by inode, whatever path the container used.\n\nWhy it leads to escape: cron runs what is written there as root; an authorized_keys entry is an SSH login to the node.\n\nHow it is exploited: A hostPath of / mounted at /host: `echo '* * * * * root /host-payload' > /host/etc/cron.d/x`.\n\nFix: "
			   "Treat the node as compromised. Remove the hostPath volume (/, /etc, /root, /var/lib/kubelet); "
			       "mount only the directory the workload needs, read-only."},
	[BHW_R_HOST_SECRET_READ] = {.id = "BH0525", .name = "host-credential-read", .sev = BH_SEV_HIGH,
		.title = "Container read node credentials (kubelet PKI, shadow, SSH keys, other pods' tokens)",
		.technique = "T1552.001",
		.remediation = "Remove the hostPath volume that exposes them; rotate the kubelet's certificate and the "
			       "tokens if the read was not expected.",
		.references = "https://attack.mitre.org/techniques/T1552/001/",
		.explain = "What: A container process opened for reading a file that is not world-readable on the node's root filesystem, under the kubelet's PKI, /etc/shadow, /root/.ssh or /var/lib/kubelet/pods (identified by inode).\n\nWhy it leads to escape: The kubelet's client certificate is the node's identity to the API server; other pods' tokens are other tenants' identities.\n\nHow it is exploited: `cat /host/var/lib/kubelet/pki/kubelet-client-current.pem` then talk to the API server as the node.\n\nFix: "
			   "Remove the hostPath volume that exposes them; rotate the kubelet's certificate and the "
			       "tokens if the read was not expected."},
	[BHW_R_BINFMT] = {.id = "BH0526", .name = "binfmt-misc-write", .sev = BH_SEV_CRITICAL,
		.title = "Container wrote to binfmt_misc (registers an interpreter the host runs)",
		.technique = "T1611",
		.remediation = "binfmt_misc is global: a handler registered there runs for every matching exec on the "
			       "node, as the caller of exec. Never run privileged containers.",
		.references = T1611 " https://docs.kernel.org/admin-guide/binfmt-misc.html",
		.explain = "What: A container opened a binfmt_misc file (register, status or a handler) for writing.\n\nWhy it leads to escape: A registered handler (with the credentials flag) is executed by the kernel when any process on the node executes a matching file, including root processes of the host.\n\nHow it is exploited: `mount -t binfmt_misc none /mnt; echo ':x:M::\\\\x7fELF::/overlay/path/payload:C' > /mnt/register`.\n\nFix: "
			   "binfmt_misc is global: a handler registered there runs for every matching exec on the "
			       "node, as the caller of exec. Never run privileged containers."},
	[BHW_R_HOST_SOCKET] = {.id = "BH0527", .name = "host-socket-connect", .sev = BH_SEV_MEDIUM,
		.title = "Container connected to a Unix socket served from the host's network namespace",
		.technique = "T1610",
		.remediation = "Check which host daemon owns the socket; remove the hostPath that exposes it unless the "
			       "workload needs exactly that daemon.",
		.references = "https://attack.mitre.org/techniques/T1610/",
		.explain = "What: A container process with its own network namespace connected to a Unix stream socket whose listener lives in the host's network namespace (judged on the listening socket, not on the name used).\n\nWhy it leads to escape: Host daemons behind Unix sockets (runtimes, agents, D-Bus) often trust their callers; reaching one is reaching the node.\n\nHow it is exploited: A hostPath of /run mounted in a pod, then a connect to a daemon's socket under another name (a hard link or a symlink).\n\nFix: "
			   "Check which host daemon owns the socket; remove the hostPath that exposes it unless the "
			       "workload needs exactly that daemon."},
};

const struct bh_rule *bhw_rules(size_t *n)
{
	*n = BHW_R_MAX;
	return rules;
}

const struct bh_rule *bhw_rule_find(const char *s)
{
	for (size_t i = 0; i < BHW_R_MAX; i++)
		if (!strcasecmp(rules[i].id, s) || !strcmp(rules[i].name, s))
			return &rules[i];
	return NULL;
}

const char *bhw_rule_explain(const struct bh_rule *r)
{
	if (r < rules || r >= rules + BHW_R_MAX)
		return NULL;
	return r->explain;
}

const struct bh_rule *bhw_rule_at(int idx)
{
	return idx >= 0 && idx < BHW_R_MAX ? &rules[idx] : NULL;
}

/* Which event types feed each rule (exec is always traced: it tracks container processes). The object hooks
 * (watch.bpf.c) produce mount_param, sb_mount, proc_access, mmap_exec, userns_create; the tracepoint
 * fallback io_uring. */
static const unsigned char rule_types[BHW_R_MAX][BHW_RULE_TYPES] = {
	[BHW_R_MEMFD_EXEC] = {BHW_EV_EXEC, BHW_EV_MMAP_EXEC},
	[BHW_R_HOST_DEV_MOUNT] = {BHW_EV_MOUNT, BHW_EV_MOUNT_PARAM, BHW_EV_SB_MOUNT},
	[BHW_R_CGROUP_MOUNT] = {BHW_EV_MOUNT, BHW_EV_FSOPEN, BHW_EV_SB_MOUNT},
	[BHW_R_MOUNT] = {BHW_EV_MOUNT, BHW_EV_UMOUNT, BHW_EV_FSOPEN, BHW_EV_FSMOUNT, BHW_EV_MOVE_MOUNT,
			 BHW_EV_SB_MOUNT},
	[BHW_R_RELEASE_AGENT] = {BHW_EV_OPEN_WRITE, BHW_EV_MOUNT_PARAM},
	[BHW_R_NOTIFY_ON_RELEASE] = {BHW_EV_OPEN_WRITE},
	[BHW_R_CORE_PATTERN] = {BHW_EV_OPEN_WRITE},
	[BHW_R_PROC_SYS] = {BHW_EV_OPEN_WRITE},
	[BHW_R_SYSRQ] = {BHW_EV_OPEN_WRITE},
	[BHW_R_SYS_KERNEL] = {BHW_EV_OPEN_WRITE},
	[BHW_R_KMEM] = {BHW_EV_OPEN_WRITE},
	[BHW_R_BLOCK_DEV] = {BHW_EV_OPEN_WRITE},
	[BHW_R_HOST_NS_ENTRY] = {BHW_EV_SETNS},
	[BHW_R_SETNS] = {BHW_EV_SETNS},
	[BHW_R_UNSHARE] = {BHW_EV_UNSHARE, BHW_EV_USERNS},
	[BHW_R_PTRACE] = {BHW_EV_PTRACE, BHW_EV_OPEN_WRITE, BHW_EV_PROC_ACCESS},
	[BHW_R_MODULE] = {BHW_EV_MODULE},
	[BHW_R_BPF] = {BHW_EV_BPF},
	[BHW_R_RUNTIME_SOCKET] = {BHW_EV_CONNECT},
	[BHW_R_PIVOT_CHROOT] = {BHW_EV_PIVOT_ROOT, BHW_EV_CHROOT},
	[BHW_R_USERFAULTFD] = {BHW_EV_USERFAULTFD},
	[BHW_R_OPEN_BY_HANDLE] = {BHW_EV_OPEN_BY_HANDLE},
	[BHW_R_FOREIGN_WRITE] = {BHW_EV_OPEN_WRITE},
	[BHW_R_FOREIGN_READ] = {BHW_EV_OPEN_WRITE},
	[BHW_R_HOST_FILE_WRITE] = {BHW_EV_OPEN_WRITE},
	[BHW_R_HOST_SECRET_READ] = {BHW_EV_OPEN_WRITE},
	[BHW_R_BINFMT] = {BHW_EV_OPEN_WRITE},
	[BHW_R_HOST_SOCKET] = {BHW_EV_CONNECT},
};

int bhw_rule_event_types(size_t idx, unsigned *types, int max)
{
	int n = 0;
	for (int i = 0; idx < BHW_R_MAX && i < BHW_RULE_TYPES && rule_types[idx][i] && n < max; i++)
		types[n++] = rule_types[idx][i];
	return n;
}

void bhw_rules_needed(const bool *enabled, bool need[BHW_EV_MAX])
{
	memset(need, 0, BHW_EV_MAX * sizeof(bool));
	need[BHW_EV_EXEC] = need[BHW_EV_EXIT] = true;
	for (int r = 0; r < BHW_R_MAX; r++)
		if (!enabled || enabled[r])
			for (int i = 0; i < BHW_RULE_TYPES && rule_types[r][i]; i++)
				need[rule_types[r][i]] = true;
}

/* ---- classification ---- */

#define PROC_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define CGROUP1_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270
#define BINFMT_MAGIC 0x42494e4d
#define CAP_SYS_PTRACE 19

void bhw_open_path(const struct bhw_event *ev, char *buf, size_t len)
{
	const char(*comp)[BHW_COMP_LEN] = (const void *)ev->s;
	int n = 0;
	while (n < BHW_PATH_COMPS && comp[n][0])
		n++;
	size_t o = 0;
	buf[0] = 0;
	for (int i = n - 1; i >= 0 && o + 1 < len; i--) {
		int w = snprintf(buf + o, len - o, "/%.*s", BHW_COMP_LEN, comp[i]);
		if (w < 0)
			break;
		o += (size_t)w;
		if (o >= len)
			o = len - 1;
	}
	if (!n)
		snprintf(buf, len, "/");
}

static int hit(struct bhw_hit *h, int n, int max, int rule, enum bh_sev sev, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static int hit(struct bhw_hit *h, int n, int max, int rule, enum bh_sev sev, const char *fmt, ...)
{
	if (n >= max)
		return n;
	h[n].rule = rule;
	h[n].sev = sev == BH_SEV_NONE ? rules[rule].sev : sev;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(h[n].message, sizeof(h[n].message), fmt, ap);
	va_end(ap);
	return n + 1;
}

static bool starts(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static bool is_pid_dir(const char *s)
{
	if (!strcmp(s, "self") || !strcmp(s, "thread-self"))
		return true;
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static const char *basename_of(const char *p)
{
	const char *b = strrchr(p, '/');
	return b ? b + 1 : p;
}

static bool is_mem_path(const char (*comp)[BHW_COMP_LEN])
{
	/* /proc/<pid>/mem or /proc/<pid>/task/<tid>/mem (leaf first) */
	if (strcmp(comp[0], "mem") || !comp[1][0] || !is_pid_dir(comp[1]))
		return false;
	if (!comp[2][0])
		return true;
	return !strcmp(comp[2], "task") && is_pid_dir(comp[3]) && !comp[4][0];
}

static int classify_proc(const struct bhw_event *ev, const char *path, struct bhw_hit *h, int max)
{
	const char(*comp)[BHW_COMP_LEN] = (const void *)ev->s;
	if (!strcmp(path, "/sys/kernel/core_pattern"))
		return hit(h, 0, max, BHW_R_CORE_PATTERN, BH_SEV_NONE, "opened /proc/sys/kernel/core_pattern for writing");
	if (!strcmp(path, "/sysrq-trigger"))
		return hit(h, 0, max, BHW_R_SYSRQ, BH_SEV_NONE, "opened /proc/sysrq-trigger for writing");
	if (starts(path, "/sys/")) {
		/* host-wide program hooks are as bad as core_pattern; net.* is per network namespace */
		enum bh_sev sev = BH_SEV_NONE;
		if (!strcmp(path, "/sys/kernel/modprobe") || !strcmp(path, "/sys/kernel/hotplug"))
			sev = BH_SEV_CRITICAL;
		else if (starts(path, "/sys/net/"))
			sev = BH_SEV_MEDIUM;
		return hit(h, 0, max, BHW_R_PROC_SYS, sev, "opened /proc%s for writing", path);
	}
	/* /proc/<pid>/mem write: the ptrace-free way to inject code */
	if (is_mem_path(comp))
		return hit(h, 0, max, BHW_R_PTRACE, BH_SEV_NONE, "opened /proc%s for writing", path);
	return 0;
}

/* What the file is, by type, device number and filesystem (the kernel sent only candidates). */
static int classify_file(const struct bhw_event *ev, const char *path, bool wr, struct bhw_hit *h, int max)
{
	const char *leaf = ((const char(*)[BHW_COMP_LEN])(const void *)ev->s)[0];
	uint64_t magic = ev->a[0];
	uint32_t mode = (uint32_t)ev->a[1], rdev = (uint32_t)ev->a[2];
	uint32_t type = mode & 0170000, maj = rdev >> 20, min = rdev & 0xfffff;
	const char *acc = wr ? "for writing" : "for reading";
	if (type == 0060000)
		return hit(h, 0, max, BHW_R_BLOCK_DEV, BH_SEV_NONE, "opened block device %u:%u (%s) %s", maj, min,
			   leaf, acc);
	if (type == 0020000 && maj == 1 && (min == 1 || min == 2 || min == 4))
		return hit(h, 0, max, BHW_R_KMEM, BH_SEV_NONE, "opened %s (char %u:%u) %s",
			   min == 1 ? "/dev/mem" : min == 2 ? "/dev/kmem" : "/dev/port", maj, min, acc);
	if (!wr)
		return 0;
	if (magic == CGROUP1_MAGIC || magic == CGROUP2_MAGIC) {
		if (!strcmp(leaf, "release_agent"))
			return hit(h, 0, max, BHW_R_RELEASE_AGENT, BH_SEV_NONE,
				   "opened cgroup%s release_agent for writing: %s", magic == CGROUP2_MAGIC ? "2" : "",
				   path);
		if (!strcmp(leaf, "notify_on_release"))
			return hit(h, 0, max, BHW_R_NOTIFY_ON_RELEASE, BH_SEV_NONE,
				   "opened cgroup notify_on_release for writing: %s", path);
		return 0;
	}
	if (magic == PROC_MAGIC)
		return classify_proc(ev, path, h, max);
	if (magic == SYSFS_MAGIC && starts(path, "/kernel/")) {
		enum bh_sev sev = !strcmp(path, "/kernel/uevent_helper") ? BH_SEV_CRITICAL : BH_SEV_NONE;
		return hit(h, 0, max, BHW_R_SYS_KERNEL, sev, "opened /sys%s for writing", path);
	}
	if (magic == BINFMT_MAGIC)
		return hit(h, 0, max, BHW_R_BINFMT, BH_SEV_NONE, "opened binfmt_misc %s for writing", path);
	return 0;
}

static const char *const sens_names[BHW_SENS_MAX] = {
	[BHW_SENS_CRON] = "cron", [BHW_SENS_SSH] = "SSH", [BHW_SENS_KUBELET_PKI] = "kubelet credentials",
	[BHW_SENS_SHADOW] = "password/sudo", [BHW_SENS_SA_TOKENS] = "pod volume (tokens)",
	[BHW_SENS_RUNTIME_SOCK] = "runtime socket"};

/* Where the file lies: another mount namespace (/proc/<pid>/root), a sensitive host directory (by inode). */
static int classify_place(const struct bhw_event *ev, const char *path, bool wr, struct bhw_hit *h, int n, int max)
{
	if (ev->flags & BHW_F_FOREIGN_MNT) {
		bool host = (ev->flags & BHW_F_HOST_MNT) != 0;
		const char *whose = host ? "the host's" : "another";
		if (wr)
			n = hit(h, n, max, BHW_R_FOREIGN_WRITE, host ? BH_SEV_NONE : BH_SEV_HIGH,
				"opened %s for writing on a mount of %s mount namespace", path, whose);
		else
			n = hit(h, n, max, BHW_R_FOREIGN_READ, host ? BH_SEV_NONE : BH_SEV_MEDIUM,
				"opened %s on a mount of %s mount namespace", path, whose);
	}
	unsigned cls = (unsigned)(ev->a[1] >> 32);
	if ((ev->flags & BHW_F_SENSITIVE) && cls > 0 && cls < BHW_SENS_MAX) {
		if (wr)
			n = hit(h, n, max, BHW_R_HOST_FILE_WRITE, BH_SEV_NONE,
				"opened host file %s (%s) for writing", path, sens_names[cls]);
		else if (cls != BHW_SENS_CRON)
			n = hit(h, n, max, BHW_R_HOST_SECRET_READ, BH_SEV_NONE, "read host file %s (%s)", path,
				sens_names[cls]);
	}
	return n;
}

static int classify_open(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	char path[BHW_PATH_COMPS * (BHW_COMP_LEN + 1) + 2];
	bhw_open_path(ev, path, sizeof(path));
	bool wr = (ev->a[3] & 3) != 0; /* O_WRONLY or O_RDWR */
	int n = classify_file(ev, path, wr, h, max);
	return classify_place(ev, path, wr, h, n, max);
}

/* Pseudo filesystems a container may mount without touching a host device. */
static bool pseudo_fs(const char *t)
{
	static const char *const fs[] = {"proc", "sysfs", "tmpfs", "devpts", "mqueue", "cgroup", "cgroup2",
					 "devtmpfs", "overlay", "ramfs", "securityfs", "debugfs", "tracefs",
					 "bpf", "binfmt_misc", "fusectl", "configfs", "hugetlbfs", "pstore",
					 "nsfs", "autofs", NULL};
	for (int i = 0; fs[i]; i++)
		if (!strcmp(t, fs[i]))
			return true;
	return false;
}

/* Filesystem types that live on a block device (FS_REQUIRES_DEV in the kernel) */
static bool block_fs(const char *t)
{
	static const char *const fs[] = {"ext2", "ext3", "ext4", "xfs", "btrfs", "vfat", "msdos", "exfat",
					 "ntfs", "ntfs3", "f2fs", "jfs", "reiserfs", "hfsplus", "iso9660",
					 "udf", "squashfs", "erofs", "minix", "nilfs2", NULL};
	for (int i = 0; fs[i]; i++)
		if (!strcmp(t, fs[i]))
			return true;
	return false;
}

static bool is_cgroup_fs(const char *fs)
{
	return !strcmp(fs, "cgroup") || !strcmp(fs, "cgroup2");
}

static const char *const runtime_sockets[] = {
	"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "dockershim.sock", "podman.sock",
	"kubelet.sock", "frakti.sock", "rktlet.sock", "containerd-shim.sock", "cri-containerd.sock", NULL};

static int classify_mount(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	const char *src = ev->s[0], *dst = ev->s[1], *fs = ev->s[2];
	uint64_t a0 = ev->a[0];
	bool bind = (a0 & 0x1000) != 0; /* MS_BIND */
	if (is_cgroup_fs(fs))
		return hit(h, 0, max, BHW_R_CGROUP_MOUNT, BH_SEV_NONE, "mounted %s (options via data) on %s", fs, dst);
	/* by what the filesystem needs, not by the source's name: a mknod'd node or a symlink works as well */
	if (!bind && block_fs(fs))
		return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE, "mounted %s (%s, a block-device filesystem) on %s",
			   src, fs, dst);
	if (starts(src, "/dev/") && !bind && !pseudo_fs(fs) && strcmp(src, "/dev/null"))
		return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE, "mounted %s (%s) on %s", src, *fs ? fs : "auto",
			   dst);
	return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "mount(%s, %s, %s, 0x%llx)", src, dst, *fs ? fs : "-",
		   (unsigned long long)a0);
}

#define FS_REQUIRES_DEV 1
#define FS_VALUE_IS_FILE 5

/* One mount option or fsconfig() parameter (the filesystem's own parser sees the same). */
static int classify_mount_param(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	const char *key = ev->s[0], *val = ev->s[1], *fs = ev->s[2];
	if (!strcmp(key, "data")) { /* mount(2)'s option string: "rw,release_agent=/x,name=y" */
		const char *ra = strstr(val, "release_agent=");
		if (ra && (ra == val || ra[-1] == ','))
			return hit(h, 0, max, BHW_R_RELEASE_AGENT, BH_SEV_NONE, "set %.*s as a %s mount option",
				   (int)strcspn(ra, ","), ra, *fs ? fs : "cgroup");
		return 0;
	}
	if (!strcmp(key, "release_agent"))
		return hit(h, 0, max, BHW_R_RELEASE_AGENT, BH_SEV_NONE, "set release_agent=%s as a %s mount option", val,
			   fs);
	if (strcmp(key, "source"))
		return 0;
	if (ev->a[1] == FS_VALUE_IS_FILE && (ev->a[2] & 0170000) == 0060000)
		return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE, "%s source is block device %u:%u (by fd)", fs,
			   (unsigned)(ev->a[3] >> 20), (unsigned)(ev->a[3] & 0xfffff));
	if (ev->a[0] & FS_REQUIRES_DEV)
		return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE,
			   "source %s given to %s, a filesystem that lives on a block device", val, fs);
	return 0;
}

/* A superblock the container obtained (mount(2), fsconfig create) or attached (move_mount). */
static int classify_sb_mount(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	const char *fs = ev->s[2];
	unsigned maj = (unsigned)(ev->a[0] >> 20), min = (unsigned)(ev->a[0] & 0xfffff);
	const char *how = ev->a[3] ? "move_mount attached" : "created";
	if (ev->a[0])
		return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE, "%s a %s mount of block device %u:%u (source %s)",
			   how, fs, maj, min, ev->s[0][0] ? ev->s[0] : "-");
	if (is_cgroup_fs(fs))
		return hit(h, 0, max, BHW_R_CGROUP_MOUNT, BH_SEV_NONE, "%s a %s mount", how, fs);
	return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "%s a %s mount%s%s", how, fs, ev->a[3] ? " on " : "",
		   ev->a[3] ? ev->s[1] : "");
}

static const char *const ns_names[BHW_NS_MAX] = {"mnt", "pid", "net", "uts", "ipc", "user", "cgroup"};

static int classify_setns(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	uint32_t gained = ev->host_mask & ~(uint32_t)ev->a[2];
	if (ev->ret == 0 && gained) {
		char names[64] = "";
		for (unsigned i = 0; i < BHW_NS_MAX; i++)
			if (gained & (1u << i)) {
				size_t o = strlen(names);
				snprintf(names + o, sizeof(names) - o, "%s%s", o ? "," : "", ns_names[i]);
			}
		return hit(h, 0, max, BHW_R_HOST_NS_ENTRY, BH_SEV_NONE, "setns(fd %lld, 0x%llx) joined the host's %s namespace",
			   (long long)ev->a[0], (unsigned long long)ev->a[1], names);
	}
	if (ev->ret == 0 && !ev->a[3])
		return 0; /* joined a namespace it was already in (nsenter -p in a hostPID container) */
	return hit(h, 0, max, BHW_R_SETNS, BH_SEV_NONE, "setns(fd %lld, 0x%llx) = %lld", (long long)ev->a[0],
		   (unsigned long long)ev->a[1], (long long)ev->ret);
}

static int classify_ptrace(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	static const struct { uint64_t req; const char *name; } rq[] = {
		{16, "PTRACE_ATTACH"}, {0x4206, "PTRACE_SEIZE"}, {4, "PTRACE_POKETEXT"},
		{5, "PTRACE_POKEDATA"}, {6, "PTRACE_POKEUSER"}, {13, "PTRACE_SETREGS"},
		{15, "PTRACE_SETFPREGS"}, {0x4205, "PTRACE_SETREGSET"}};
	const char *name = "PTRACE_?";
	for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++)
		if (rq[i].req == ev->a[0])
			name = rq[i].name;
	return hit(h, 0, max, BHW_R_PTRACE, BH_SEV_NONE, "ptrace(%s, pid %lld)", name, (long long)ev->a[1]);
}

/* x86-64 syscall numbers of the calls that need attach rights on another process */
static const char *attach_call(uint64_t nr)
{
	switch (nr) {
	case 101: return "ptrace";
	case 310: return "process_vm_readv";
	case 311: return "process_vm_writev";
	case 438: return "pidfd_getfd";
	case 0: case 1: case 2: case 17: case 18: case 19: case 20: case 257: case 437: return "/proc/<pid>/mem";
	default: return "an attach-mode access";
	}
}

static int classify_proc_access(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	bool host = (ev->a[2] & (1u << BHW_NS_PID)) && (ev->a[2] & (1u << BHW_NS_MNT));
	return hit(h, 0, max, BHW_R_PTRACE, host ? BH_SEV_CRITICAL : BH_SEV_NONE,
		   "%s on pid %llu (%s)%s", attach_call(ev->a[3]), (unsigned long long)ev->a[1], ev->s[0],
		   host ? ", a process in the host's namespaces" : "");
}

static int classify_connect(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	const char *p = ev->s[0];
	bool object = (ev->flags & BHW_F_OBJECT) != 0;
	const char *via = object ? " (the listening socket's own address)" : "";
	if (p[0] == '@') { /* abstract: containerd-shim's API before CVE-2020-15257's fix */
		if (strstr(p, "containerd-shim"))
			return hit(h, 0, max, BHW_R_RUNTIME_SOCKET, BH_SEV_NONE,
				   "connected to abstract socket %s (containerd-shim)", p);
		return 0;
	}
	if (object && (ev->a[3] & BHW_PEER_RUNTIME))
		return hit(h, 0, max, BHW_R_RUNTIME_SOCKET, BH_SEV_NONE, "connected to runtime socket %s (inode %llu)",
			   p, (unsigned long long)ev->a[1]);
	const char *b = basename_of(p);
	for (int i = 0; runtime_sockets[i]; i++)
		if (!strcmp(b, runtime_sockets[i]))
			return hit(h, 0, max, BHW_R_RUNTIME_SOCKET, BH_SEV_NONE, "connected to %s%s", p, via);
	if (object && (ev->a[3] & BHW_PEER_HOST_NET) && (ev->a[3] & BHW_PEER_OTHER_NET))
		return hit(h, 0, max, BHW_R_HOST_SOCKET, BH_SEV_NONE,
			   "connected to %s, served from the host's network namespace", p[0] ? p : "an unnamed socket");
	return 0;
}

static int classify_exec(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	if (ev->a[1] & BHW_EXEC_MEMFD)
		return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_NONE, "executed %s from a memfd (%s)", ev->s[0], ev->s[2]);
	if (ev->a[1] & BHW_EXEC_UNLINKED)
		return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_HIGH, "executed %s, a deleted file", ev->s[0]);
	return 0;
}

static int classify_mmap(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	if (ev->a[2])
		return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_NONE, "mapped memfd %s executable (a loader running it)",
			   ev->s[0]);
	return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_HIGH, "mapped deleted file %s executable", ev->s[0]);
}

/* Events with nothing to judge but the call itself. */
static int classify_simple(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	uint64_t a0 = ev->a[0];
	switch (ev->type) {
	case BHW_EV_UMOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "umount(%s)", ev->s[1]);
	case BHW_EV_FSOPEN:
		return hit(h, 0, max, is_cgroup_fs(ev->s[2]) ? BHW_R_CGROUP_MOUNT : BHW_R_MOUNT, BH_SEV_NONE, "fsopen(%s)",
			   ev->s[2]);
	case BHW_EV_FSMOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "fsmount(fd %lld)", (long long)a0);
	case BHW_EV_MOVE_MOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "move_mount to %s", ev->s[1]);
	case BHW_EV_MODULE:
		return hit(h, 0, max, BHW_R_MODULE, BH_SEV_NONE, "%s", a0 ? "finit_module" : "init_module");
	case BHW_EV_BPF:
		return hit(h, 0, max, BHW_R_BPF, BH_SEV_NONE, "bpf(BPF_PROG_LOAD, type %llu)", (unsigned long long)ev->a[1]);
	case BHW_EV_PIVOT_ROOT:
		return hit(h, 0, max, BHW_R_PIVOT_CHROOT, BH_SEV_NONE, "pivot_root(%s, %s)", ev->s[0], ev->s[1]);
	case BHW_EV_CHROOT:
		return hit(h, 0, max, BHW_R_PIVOT_CHROOT, BH_SEV_NONE, "chroot(%s)", ev->s[0]);
	case BHW_EV_USERFAULTFD:
		if (ev->cap_eff & (1ull << CAP_SYS_PTRACE))
			return 0;
		return hit(h, 0, max, BHW_R_USERFAULTFD, BH_SEV_NONE, "userfaultfd(0x%llx) without CAP_SYS_PTRACE",
			   (unsigned long long)a0);
	case BHW_EV_OPEN_BY_HANDLE:
		return hit(h, 0, max, BHW_R_OPEN_BY_HANDLE, BH_SEV_NONE, "open_by_handle_at(mount fd %lld)", (long long)a0);
	case BHW_EV_USERNS:
		return hit(h, 0, max, BHW_R_UNSHARE, BH_SEV_HIGH, "created a user namespace (syscall %lld)", (long long)a0);
	default:
		return 0;
	}
}

static int classify_unshare(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	const uint64_t ns_flags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 |
				  0x40000000 | 0x00000080; /* NEWNS..NEWNET, NEWTIME */
	uint64_t a0 = ev->a[0];
	if (!(a0 & ns_flags))
		return 0;
	const char *call = ev->a[1] == 56 ? "clone" : ev->a[1] == 435 ? "clone3" : "unshare";
	return hit(h, 0, max, BHW_R_UNSHARE, (a0 & 0x10000000) ? BH_SEV_HIGH : BH_SEV_NONE, "%s(0x%llx)%s", call,
		   (unsigned long long)a0, (a0 & 0x10000000) ? ": new user namespace" : "");
}

int bhw_classify(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	switch (ev->type) {
	case BHW_EV_EXEC: return classify_exec(ev, h, max);
	case BHW_EV_MOUNT: return classify_mount(ev, h, max);
	case BHW_EV_MOUNT_PARAM: return classify_mount_param(ev, h, max);
	case BHW_EV_SB_MOUNT: return classify_sb_mount(ev, h, max);
	case BHW_EV_SETNS: return classify_setns(ev, h, max);
	case BHW_EV_UNSHARE: return classify_unshare(ev, h, max);
	case BHW_EV_PTRACE: return classify_ptrace(ev, h, max);
	case BHW_EV_PROC_ACCESS: return classify_proc_access(ev, h, max);
	case BHW_EV_OPEN_WRITE: return classify_open(ev, h, max);
	case BHW_EV_CONNECT: return classify_connect(ev, h, max);
	case BHW_EV_MMAP_EXEC: return classify_mmap(ev, h, max);
	default: return classify_simple(ev, h, max);
	}
}
