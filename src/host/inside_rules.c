/* `inside` rules (BH0400–BH0499): one row per escape avenue, and the evaluation of probed facts.
 * Severities follow DESIGN §4; combinations raise them and real mitigations (a user namespace) lower them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/inside.h"

#define T1611 "T1611"
#define REF_CAPS "https://man7.org/linux/man-pages/man7/capabilities.7.html"
#define REF_NS "https://man7.org/linux/man-pages/man7/namespaces.7.html"
#define REF_PSS "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

enum {
	R_RUNTIME, R_ALL_CAPS, R_CRIT_CAP, R_HIGH_CAP, R_CAPS_NOT_DROPPED, R_NNP, R_SECCOMP, R_LSM, R_HOST_PID,
	R_HOST_NET, R_HOST_IPC, R_HOST_UTS, R_HOST_CGROUPNS, R_HOST_MNT, R_HOST_ROOT, R_USERNS, R_SOCKET,
	R_HOST_PATH, R_DEVICE, R_PROC_SYS, R_SYS, R_RELEASE_AGENT, R_CGROUP_MOUNT, R_USERNS_CREATE,
	R_KERNEL_CVE, R_SA_TOKEN, R_WRITABLE_ROOT, R_READONLY_ROOT, R_SECCOMP_ON, R_NOT_CONTAINER, R_N
};

/* `bulkhead explain` texts of the inside rules: what the probe observed, why it leads out of the container,
 * how attackers use it (in words — no exploit code), and the fix, with the exact securityContext fields. */
#define EX(what, why, how, fix) \
	"What:\n" what "\n\nWhy it leads to escape:\n" why "\n\nHow it is exploited:\n" how "\n\nFix:\n" fix
#define EXS(what, why, how, fix, snippet) EX(what, why, how, fix "\n\n" snippet)

static const char ex_BH0400[] = EX(
	"bulkhead found evidence that it runs inside a container and names the runtime and the evidence: a "
	"runtime or kubepods path in /proc/self/cgroup, /.dockerenv or /run/.containerenv, the runtime's state "
	"directory behind /etc/hostname in /proc/self/mountinfo, a container= environment variable, namespaces "
	"created after boot, or a user namespace.",
	"On its own it does not: it is the context for every other finding. A container is a set of namespaces, "
	"cgroups, capabilities and filters around processes that share the node's kernel, so the boundary is only "
	"as strong as the weakest of those settings.",
	"Attackers fingerprint the container the same way first: the runtime decides which sockets, paths and "
	"runtime CVEs (runc, containerd-shim, CRI-O) are worth trying.",
	"Nothing to fix. Read the findings that follow; the runtime name and container id identify the workload.");

static const char ex_BH0401[] = EXS(
	"The process's effective capability set (CapEff in /proc/self/status) holds every capability the kernel "
	"knows (compared with /proc/sys/kernel/cap_last_cap), or all but at most two together with CAP_SYS_ADMIN. "
	"That is what privileged: true (docker run --privileged) gives; privileged also lifts the device cgroup, "
	"mounts /sys and /proc/sys read-write and usually runs without seccomp and AppArmor/SELinux.",
	"Without a user namespace these capabilities are checked against the node's initial user namespace, so "
	"the kernel lets the container do what root on the node can: mount filesystems and devices, load kernel "
	"modules, write global sysctls, enter other namespaces. Namespaces alone then separate it from the node.",
	"An attacker mounts or raw-writes the node's root disk, sets a usermode helper the kernel runs as root on "
	"the node (core_pattern, a cgroup v1 release_agent, uevent_helper), or loads a kernel module. With a user "
	"namespace the capabilities are namespaced and the finding is lowered.",
	"Do not run privileged; drop every capability and add back only what is needed (PSS baseline, check "
	"privileged):",
	"    securityContext:\n"
	"      privileged: false\n"
	"      allowPrivilegeEscalation: false\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]");

static const char ex_BH0402[] = EXS(
	"CAP_SYS_ADMIN or CAP_SYS_MODULE is in the effective capability set, usually from "
	"securityContext.capabilities.add.",
	"CAP_SYS_ADMIN is the catch-all administration capability: mount(2) and umount, setns/unshare into or out "
	"of namespaces, cgroup v1 hierarchies with their release_agent, bpf(2) on older kernels, quota, swap and "
	"many device ioctls. CAP_SYS_MODULE loads code into the node's kernel, which no namespace covers. In the "
	"node's initial user namespace either one is, by itself, enough to leave the container.",
	"With CAP_SYS_ADMIN and no confining seccomp/LSM profile, an attacker mounts a cgroup v1 hierarchy and "
	"points its release_agent at a program in the container's filesystem, or mounts a host block device if "
	"the device cgroup allows it. With CAP_SYS_MODULE they load a module of their own, which runs as kernel "
	"code on the node. In a user namespace these checks fail and the finding is lowered.",
	"Remove both from securityContext.capabilities.add and drop the rest:",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]");

static const char ex_BH0403[] = EX(
	"One of CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH, CAP_NET_ADMIN, CAP_BPF, CAP_PERFMON, CAP_SYS_RAWIO or "
	"CAP_SYS_BOOT is effective. None is in the runtimes' default set; each was added on purpose.",
	"Each is one step from the node. CAP_SYS_PTRACE attaches to any process the container can see, which with "
	"hostPID means node processes. CAP_DAC_READ_SEARCH allows open_by_handle_at(2), which opens files of a "
	"mounted node filesystem by inode handle, outside the bind-mounted directory. CAP_NET_ADMIN reaches "
	"nf_tables and traffic-control code with a long CVE record. CAP_BPF and CAP_PERFMON load BPF programs "
	"and trace the kernel. CAP_SYS_RAWIO allows raw device and I/O-port access. CAP_SYS_BOOT allows kexec_load, "
	"and reboot(2), which restarts the node when the PID namespace is the host's.",
	"Attackers inject code into a node process by ptrace, read /etc/shadow or kubelet keys of the node by "
	"file handle (the 2014 shocker exploit), or exploit a netfilter bug such as CVE-2022-1015 or "
	"CVE-2024-1086 to run code in the kernel.",
	"Remove the capability from securityContext.capabilities.add and use a narrower mechanism; keep "
	"capabilities.drop: [\"ALL\"].");

static const char ex_BH0404[] = EXS(
	"The container keeps effective capabilities beyond NET_BIND_SERVICE and runs without a user namespace. "
	"Runtimes grant a default set unless it is dropped: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, SETGID, "
	"SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, MKNOD, AUDIT_WRITE and SETFCAP.",
	"None of them escapes alone, but they widen every other avenue. DAC_OVERRIDE ignores file permissions on "
	"mounted node paths; NET_RAW opens packet sockets (spoofing on the pod network, AF_PACKET kernel bugs "
	"such as CVE-2020-14386); SETUID, SETGID and SETFCAP let a process change identity and grant file "
	"capabilities; MKNOD creates device nodes, leaving only the device cgroup to refuse them.",
	"An attacker uses DAC_OVERRIDE to edit a root-only file on a hostPath mount, or a raw socket to reach a "
	"vulnerable kernel path or intercept other pods' traffic.",
	"Drop all capabilities and add back only what is needed (PSS restricted, check capabilities_restricted):",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n"
	"        add: [\"NET_BIND_SERVICE\"]");

static const char ex_BH0405[] = EXS(
	"/proc/self/status shows NoNewPrivs: 0: the no_new_privs flag is not set, so execve() may still raise "
	"privileges through setuid/setgid binaries and file capabilities.",
	"A process that starts unprivileged can become uid 0 or gain capabilities (up to the bounding set) by "
	"running a setuid-root program in the image. Without a user namespace uid 0 in the container is uid 0 "
	"on the node, the precondition of most escape avenues.",
	"An attacker with code execution as a non-root user runs a setuid-root helper with a local bug (pkexec, "
	"CVE-2021-4034) or a permissive sudo rule, becomes root in the container, then uses writable host "
	"mounts, sockets or capabilities.",
	"Set allowPrivilegeEscalation: false (PSS restricted). Kubernetes forces it to true when the container is "
	"privileged or adds CAP_SYS_ADMIN, so remove those as well:",
	"    securityContext:\n"
	"      allowPrivilegeEscalation: false");

static const char ex_BH0406[] = EXS(
	"/proc/self/status shows Seccomp: 0: no seccomp filter, so every system call reaches the kernel. "
	"Kubernetes runs containers Unconfined unless seccompProfile is set or the kubelet's seccompDefault is "
	"enabled.",
	"The runtime's default profile denies or capability-gates the calls most escapes need: unshare and clone "
	"with CLONE_NEWUSER, mount, keyctl and add_key (keyrings are not namespaced), bpf, perf_event_open, "
	"open_by_handle_at, kexec_load and module loading. Without it, kernel attack surface such as user "
	"namespaces, nf_tables and fs_context (CVE-2022-0185) is reachable from an unprivileged process.",
	"An attacker creates a user namespace to gain namespaced CAP_SYS_ADMIN/CAP_NET_ADMIN and triggers a "
	"kernel bug from it, or uses the cgroup v1 release_agent path of CVE-2022-0492.",
	"Set a seccomp profile on the pod (PSS restricted, check seccompProfile); enable seccompDefault on "
	"kubelets:",
	"    securityContext:\n"
	"      seccompProfile:\n"
	"        type: RuntimeDefault");

static const char ex_BH0407[] = EXS(
	"The process has no confining AppArmor or SELinux label: AppArmor reports unconfined or a complain-mode "
	"profile, SELinux reports spc_t or unconfined_t, or no LSM labels tasks at all.",
	"The runtime's default profiles are a second wall behind capabilities: AppArmor's default profile denies "
	"mount and writes to most of /proc/sys, /proc/sysrq-trigger and /sys; SELinux's container_t cannot "
	"write node files that are not labelled for containers. They blocked CVE-2022-0492 and limited several "
	"runc escapes. privileged: true removes them.",
	"An attacker with CAP_SYS_ADMIN mounts a cgroup v1 hierarchy and sets release_agent, or writes kernel "
	"knobs under /proc, actions the profile would deny.",
	"Use the runtime default profile (PSS baseline, check appArmorProfile; before Kubernetes 1.30 the "
	"container.apparmor.security.beta.kubernetes.io annotation) and keep seLinuxOptions.type at container_t, "
	"never spc_t:",
	"    securityContext:\n"
	"      appArmorProfile:\n"
	"        type: RuntimeDefault");

static const char ex_BH0408[] = EXS(
	"/proc/self/ns/pid has a boot-time inode number (below 0xF0000000): the container shares the node's PID "
	"namespace (spec.hostPID: true, docker --pid=host) and sees every process of the node and other pods.",
	"Node processes become reachable: their command lines and, where ptrace access checks allow, their "
	"environments, open files and /proc/PID/root, which is the node's root filesystem for PID 1. Signals "
	"reach them too. With CAP_SYS_PTRACE or CAP_SYS_ADMIN the finding is raised to critical: given ptrace rights "
	"over PID 1 (a privileged container has them), /proc/1/root or setns into PID 1's namespaces is a "
	"complete escape.",
	"An attacker reads credentials from host process arguments and environments, kills security agents, or "
	"with ptrace rights enters PID 1's mount namespace and gets a shell on the node.",
	"Remove hostPID (PSS baseline, check hostNamespaces) and do not add SYS_PTRACE:",
	"    spec:\n"
	"      hostPID: false");

static const char ex_BH0409[] = EXS(
	"The network namespace is the node's (spec.hostNetwork: true, docker --network=host), seen from its "
	"boot-time inode number or from node-only interfaces (cni0, docker0, veth pairs): the node's interfaces, "
	"ports and abstract sockets are the container's.",
	"Services that trust local callers become reachable: ports bound to 127.0.0.1 on the node, and abstract "
	"Unix sockets, which belong to the network namespace and have no file permissions. containerd-shim's "
	"abstract API socket (CVE-2020-15257, fixed in 1.3.9/1.4.3) let uid 0 in a host-network container start "
	"processes as root on the node. NetworkPolicy no longer applies, and the cloud metadata endpoint answers "
	"as it does to the node.",
	"An attacker talks to node-local APIs, fetches cloud credentials from the metadata endpoint, and with "
	"NET_RAW or NET_ADMIN sniffs or rewrites the node's traffic and firewall rules.",
	"Remove hostNetwork (PSS baseline, check hostNamespaces); in Kubernetes it also shares the node's UTS "
	"namespace:",
	"    spec:\n"
	"      hostNetwork: false");

static const char ex_BH0410[] = EXS(
	"The IPC namespace is the node's (spec.hostIPC: true, docker --ipc=host): System V shared memory, "
	"semaphores and message queues, and POSIX message queues of the node are visible.",
	"Host processes that coordinate through shared memory (databases, agents, some runtimes) expose their "
	"data and control structures. Access follows the objects' mode bits, so root in a container without a "
	"user namespace matches root-owned segments. It rarely yields the node alone but leaks and corrupts "
	"node-side state.",
	"An attacker lists the node's IPC objects, attaches to a shared segment of a host process to read "
	"secrets or alter its state, or exhausts IPC limits to disturb the node.",
	"Remove hostIPC (PSS baseline, check hostNamespaces); containers of one pod that must share memory can "
	"share an emptyDir with medium: Memory:",
	"    spec:\n"
	"      hostIPC: false");

static const char ex_BH0411[] = EX(
	"The UTS namespace (hostname and NIS domain name) is the node's. In Kubernetes this comes with "
	"hostNetwork: true; with Docker, --uts=host.",
	"It is not an escape path by itself: the node's hostname leaks, and with CAP_SYS_ADMIN sethostname(2) "
	"changes the name of the node, which logs and agents use to identify it. It usually shows that other "
	"host namespaces are shared as well.",
	"An attacker reads the node name for reconnaissance, or with CAP_SYS_ADMIN renames the node to confuse "
	"logging and monitoring or hide their activity.",
	"Give the container its own UTS namespace, the runtime default: remove hostNetwork: true (Kubernetes has "
	"no separate UTS field) or --uts=host, and do not add CAP_SYS_ADMIN.");

static const char ex_BH0412[] = EX(
	"The cgroup namespace is the node's: /proc/self/cgroup shows full node paths (kubepods slices, pod UIDs, "
	"container ids) instead of \"/\". Docker on cgroup v1 and --cgroupns=host do this; cgroup v2 runtimes "
	"default to a private one.",
	"It leaks the node's cgroup layout and, more importantly, the kernel creates new cgroup v1 hierarchies "
	"only from the initial cgroup namespace. Combined with CAP_SYS_ADMIN and no seccomp/LSM filter, the "
	"container can mount a fresh v1 hierarchy whose root has a writable release_agent (BH0422); a private "
	"namespace roots cgroup mounts at the container's own cgroup, where release_agent does not appear.",
	"An attacker maps other pods' cgroups for reconnaissance, or uses the host namespace as the enabling "
	"condition for the release_agent escape.",
	"Use a private cgroup namespace: cgroup v2 nodes with containerd or CRI-O, or docker --cgroupns=private. "
	"Kubernetes has no field for it.");

static const char ex_BH0413[] = EX(
	"The mount namespace is the node's (a boot-time inode number, or a / that is the node's root "
	"filesystem): the process sees the node's filesystem as its own. "
	"Containers always get a mount namespace of their own, so this means the process was started on the "
	"node or entered the node's namespace (nsenter, setns into PID 1).",
	"There is no filesystem boundary left. Files are protected only by uid and capabilities, and a process "
	"running as uid 0 without a user namespace can read and change every file of the node: kubelet "
	"credentials, runtime state, systemd units, /etc.",
	"An attacker who reaches such a process, often a node agent or debug pod that enters the host namespaces "
	"(privileged plus hostPID), reads kubelet and cloud credentials, installs persistence in cron or systemd, "
	"and changes other containers' filesystems.",
	"Run workloads in containers with their own mount namespace. Node agents that need host files should "
	"mount narrow paths read-only instead of entering the node's namespace, and such pods belong in an "
	"admission-controlled namespace.");

static const char ex_BH0414[] = EXS(
	"The process runs as uid 0 and /proc/self/uid_map is the identity map \"0 0 4294967295\": there is no "
	"user namespace, so root in the container is the node's root user.",
	"Every other weakness turns into node root. Node files on hostPath mounts are owned by the same uid 0, "
	"the kernel checks capabilities against the node's user namespace, and runtime escapes such as runc's "
	"/proc/self/exe overwrite (CVE-2019-5736) need uid 0 in the container to rewrite the runtime binary.",
	"An attacker who has a second avenue (a writable hostPath, a runtime bug, a capability) gets the node's "
	"root rather than an unprivileged uid; files they drop on host mounts are root-owned on the node.",
	"Run as a non-root uid (PSS restricted, check runAsNonRoot), or give the pod a user namespace with "
	"spec.hostUsers: false:",
	"    securityContext:\n"
	"      runAsNonRoot: true\n"
	"      runAsUser: 10001");

static const char ex_BH0415[] = EX(
	"A mitigation: /proc/self/uid_map is not the identity map, so the container runs in its own user "
	"namespace and its uid 0 is an unprivileged uid on the node (spec.hostUsers: false, or a rootless "
	"runtime).",
	"It closes many avenues. Capabilities count only over namespaces this user namespace owns: loading "
	"modules, opening host devices, writing global sysctls, core_pattern or release_agent, and mounting most "
	"filesystem types all need capabilities in the node's initial user namespace. Files reached through "
	"mounts are accessed as the mapped uid, so bulkhead lowers capability findings one step.",
	"What remains is the kernel: namespaced CAP_SYS_ADMIN and CAP_NET_ADMIN still reach mount, nf_tables and "
	"other code with known memory-corruption bugs (BH0423, BH0424), and files owned by the mapped uid stay "
	"writable.",
	"Nothing to fix. Keep hostUsers: false and a RuntimeDefault seccomp profile, and patch node kernels.");

static const char ex_BH0416[] = EX(
	"A container-runtime or kubelet API socket is reachable from the container: docker.sock, "
	"containerd.sock, crio.sock, podman.sock, cri-dockerd or buildkitd sockets bind-mounted from the node or "
	"at their usual paths, the kubelet's pod-resources socket, or containerd-shim's abstract socket visible "
	"in /proc/net/unix.",
	"These daemons run as root on the node and do what any client asks. The Docker, Podman, containerd "
	"and CRI APIs create containers with any setting: privileged, the node's root directory mounted, host "
	"namespaces. A read-only bind mount does not help, because connect() needs no write access to the "
	"socket file. The pod-resources socket only lists device assignments, but the others are the node.",
	"An attacker uses the API to start a privileged container that mounts the node's / and enters its "
	"namespaces, or execs into other containers to take their secrets.",
	"Remove the hostPath volume of the socket (PSS baseline, check hostPathVolumes). Build images with "
	"rootless BuildKit or kaniko instead of the node's daemon, and put any needed runtime API behind a proxy "
	"with authorization.");

static const char ex_BH0417[] = EXS(
	"A directory or file from the node's filesystem is bind-mounted into the container (a hostPath volume or "
	"-v /path). Severity follows the path: the node's /, /etc, /root, /var/lib/kubelet, /etc/kubernetes, "
	"/var/run, runtime state and log directories rate critical when writable and high when read-only.",
	"The mount is the node's own file, not a copy. Writable system paths let the container change what the "
	"node executes; read-only ones still leak credentials such as kubelet client certificates, admin "
	"kubeconfigs and other pods' secrets.",
	"An attacker writes a cron job, systemd unit or SSH key, drops a static pod manifest into "
	"/etc/kubernetes/manifests for the kubelet to run privileged, or plants a symlink in /var/log that the "
	"kubelet follows when serving logs to read any node file.",
	"Remove the hostPath volume (PSS baseline, check hostPathVolumes); use emptyDir, configMap, secret or "
	"PVC volumes. If one is unavoidable, mount a narrow, non-sensitive directory read-only:",
	"    volumeMounts:\n"
	"    - name: data\n"
	"      mountPath: /data\n"
	"      readOnly: true");

static const char ex_BH0418[] = EX(
	"A node block device (disk, partition, loop or device-mapper node) in /dev can be opened, or a memory "
	"device is present: /dev/mem, /dev/kmem or /dev/port, or a readable /dev/kmsg. A privileged container "
	"gets every node device; otherwise a device was passed in or the device cgroup was opened up.",
	"The device cgroup is what normally stops a container opening the node's disks. With a disk open, files "
	"on it are only blocks: permissions, mounts and namespaces do not apply. /dev/mem and /dev/port expose "
	"physical memory and I/O ports as far as the kernel's STRICT_DEVMEM allows; /dev/kmsg can leak kernel "
	"addresses that defeat KASLR for kernel exploits.",
	"An attacker mounts the node's root partition (with CAP_SYS_ADMIN) or edits it in place with a "
	"filesystem debugger, adding an SSH key, cron job or modified binary, or copies kubelet credentials from "
	"it.",
	"Do not run privileged (PSS baseline, check privileged) and do not pass host devices; give workloads "
	"storage through CSI or PVC volumes, not raw node disks.");

static const char ex_BH0419[] = EX(
	"/proc/sys/kernel/core_pattern is writable: /proc/sys is mounted read-write (privileged, procMount: "
	"Unmasked, or a hostPath of /proc), and on a live system access(W_OK) succeeded. The message also "
	"says when /proc/sysrq-trigger is writable.",
	"Most sysctls under /proc/sys/kernel are global, not namespaced. When core_pattern starts with a pipe, "
	"the kernel runs the named program on every crash as root, in the node's namespaces; kernel.modprobe "
	"is another such usermode helper. sysrq-trigger can crash or reboot the node. In a user namespace "
	"these writes fail, so the finding is lowered.",
	"An attacker finds the container's overlay upper directory on the node from /proc/self/mountinfo, puts "
	"a program there, points core_pattern at it and crashes a process: the kernel starts the program as root "
	"on the node. CVE-2022-0811 (cr8escape) reached the same knob through CRI-O's sysctl handling.",
	"Keep /proc/sys read-only: no privileged, procMount: Default (PSS baseline, check procMount), no hostPath "
	"of /proc; set only namespaced sysctls through securityContext.sysctls.");

static const char ex_BH0420[] = EX(
	"/sys is sysfs mounted read-write, which runtimes only do for privileged containers. The finding is "
	"critical when /sys/kernel/uevent_helper exists and is writable.",
	"sysfs exposes the node's devices, drivers, module parameters and kernel settings; none of it is "
	"namespaced. /sys/kernel/uevent_helper (kernels built with CONFIG_UEVENT_HELPER) names a program the "
	"kernel runs as root in the node's namespaces for every device event, the same usermode-helper pattern "
	"as core_pattern and release_agent.",
	"An attacker writes the node-side path of a program in the container's filesystem into uevent_helper and "
	"triggers a device event by writing to a device's uevent file; the kernel runs the program as root on "
	"the node. Without the helper they can unbind devices or change driver and kernel parameters.",
	"Do not run privileged (PSS baseline, check privileged): runtimes otherwise mount /sys read-only. Do not "
	"mount /sys from the node with hostPath; node agents that need sysfs should mount it read-only.");

static const char ex_BH0421[] = EX(
	"The release_agent file at the root of a cgroup v1 hierarchy is on a read-write mount and access(W_OK) "
	"succeeded (privileged containers get cgroupfs read-write).",
	"When a cgroup with notify_on_release set loses its last task, the kernel runs the program named in "
	"release_agent as root in the node's initial namespaces. The kernel once failed to check that the writer "
	"held CAP_SYS_ADMIN over the node's user namespace (CVE-2022-0492, fixed in 5.17-rc3); patched kernels "
	"check it, but a privileged container passes that check. cgroup v2 has no release_agent.",
	"An attacker writes the node-side path of a program in the container's overlay upper directory (from "
	"/proc/self/mountinfo) to release_agent, creates a child cgroup with notify_on_release, and lets a "
	"short-lived process in it exit: the kernel runs the program as root on the node.",
	"Do not run privileged or add CAP_SYS_ADMIN; keep cgroupfs read-only (the runtime default); keep an "
	"AppArmor or SELinux profile; move nodes to cgroup v2.");

static const char ex_BH0422[] = EX(
	"A prediction, not a test: the kernel registers the cgroup v1 filesystem, and the container holds "
	"CAP_SYS_ADMIN over the node's user namespace, shares the node's cgroup namespace, has no seccomp filter "
	"and no confining AppArmor/SELinux profile. Nothing was mounted.",
	"With these conditions mount(2) can create a new cgroup v1 hierarchy, and its root carries a writable "
	"release_agent that the kernel runs as root on the node (BH0421). The other conditions are walls: "
	"AppArmor's default profile denies mount, a private cgroup namespace forbids new hierarchies, without "
	"initial-namespace CAP_SYS_ADMIN the release_agent write is refused, and a seccomp filter may deny mount "
	"(the runtime default allows it once CAP_SYS_ADMIN is granted).",
	"An attacker mounts a controller that is not yet mounted, or a named hierarchy, sets release_agent to a "
	"program in the container's overlay upper directory and empties a cgroup with notify_on_release set.",
	"Drop CAP_SYS_ADMIN, set seccompProfile.type: RuntimeDefault and appArmorProfile.type: RuntimeDefault, and "
	"use a private cgroup namespace. cgroup v2 nodes alone do not help while the kernel still offers v1.");

static const char ex_BH0423[] = EXS(
	"A child process created a new user namespace: unshare(CLONE_NEWUSER) succeeded (the evidence names "
	"user.max_user_namespaces and, on Debian/Ubuntu, kernel.unprivileged_userns_clone). The child exited "
	"at once; nothing ran inside.",
	"Inside its own user namespace an unprivileged process holds every capability over namespaces it "
	"creates: CAP_NET_ADMIN over a new network namespace reaches nf_tables and traffic control, and "
	"CAP_SYS_ADMIN over a new mount namespace reaches fs_context, overlayfs and, on unpatched cgroup v1 kernels, "
	"release_agent (CVE-2022-0492). Many kernel escapes since 2021 start this way.",
	"An attacker creates a user and network namespace and triggers a memory-corruption bug such as "
	"CVE-2022-0185, CVE-2022-32250 or CVE-2024-1086, overwrites their credentials and namespaces in kernel "
	"memory, and leaves the container; or uses GameOver(lay) on Ubuntu kernels.",
	"Set a seccomp profile: RuntimeDefault denies unshare and clone with CLONE_NEWUSER unless the container "
	"has CAP_SYS_ADMIN. Nodes without rootless tools or hostUsers: false pods can also set "
	"user.max_user_namespaces=0 (Debian/Ubuntu: kernel.unprivileged_userns_clone=0).",
	"    securityContext:\n"
	"      seccompProfile:\n"
	"        type: RuntimeDefault");

static const char ex_BH0424[] = EX(
	"The kernel release in /proc/sys/kernel/osrelease lies in the affected range of a known container-escape "
	"CVE in bulkhead's knowledge base. Distribution kernels may carry back-ported fixes, in which case the "
	"finding is lowered and says how to confirm; preconditions (user namespaces, capabilities, cgroup v1, "
	"LSM, host network) are checked here, and the finding drops to info when one does not hold.",
	"Every container shares the node's kernel. A kernel bug that gives code execution or a write into kernel "
	"memory lets the attacker replace their credentials and namespaces with the node's, and seccomp, "
	"capabilities and namespaces no longer bind them. Logic bugs such as Dirty Pipe (CVE-2022-0847) "
	"overwrite read-only files, including image files shared with other containers and the node.",
	"An attacker runs a public exploit for the matching CVE from inside the container, often after creating "
	"a user namespace for namespaced CAP_NET_ADMIN.",
	"Upgrade the node kernel to the fixed version of its branch or distribution and reboot (or live-patch). "
	"Until then close the preconditions: RuntimeDefault seccomp, no added capabilities, no user-namespace "
	"creation.");

static const char ex_BH0425[] = EXS(
	"A Kubernetes service-account token is mounted at its usual path "
	"(/var/run/secrets/kubernetes.io/serviceaccount/token); the namespace file next to it names the account's "
	"namespace. Pods get one unless automountServiceAccountToken is false.",
	"The token authenticates to the API server with the account's RBAC rights. If those include creating "
	"pods or workloads, pods/exec, or reading secrets, and the namespace does not enforce Pod Security "
	"Admission, the container can schedule a privileged pod with the node's / mounted on a chosen node.",
	"An attacker reads the token, checks their rights with a SelfSubjectRulesReview, then creates a pod with "
	"privileged: true, hostPID and a hostPath of / pinned to a node with nodeName, or steals secrets of "
	"more powerful accounts.",
	"Do not mount the token unless the workload calls the API, and bind least-privilege RBAC to a dedicated "
	"service account; enforce PSS baseline or restricted on the namespace.",
	"    spec:\n"
	"      automountServiceAccountToken: false");

static const char ex_BH0426[] = EXS(
	"The container's root filesystem is mounted read-write.",
	"It is not an escape by itself, but it supplies one ingredient most escapes need: a file the attacker "
	"controls. Usermode-helper escapes (core_pattern, release_agent, uevent_helper) need a program at a path "
	"the node can see, and the container's overlay upper directory, named in /proc/self/mountinfo, is such "
	"a path. A writable root also lets attackers replace the application's binaries and configuration.",
	"An attacker downloads tools and exploit binaries into the image's directories, persists by modifying "
	"the application, and points a kernel helper at a file they wrote.",
	"Make the root filesystem read-only and mount emptyDir volumes only where the application writes; this "
	"does not stop execution from writable volumes or memfd, so keep the other controls:",
	"    securityContext:\n"
	"      readOnlyRootFilesystem: true");

static const char ex_BH0427[] = EX(
	"A mitigation: the container's root filesystem is mounted read-only "
	"(securityContext.readOnlyRootFilesystem: true, docker --read-only).",
	"Escapes that make the kernel run a program (core_pattern, release_agent, uevent_helper) need a file the "
	"attacker wrote at a path the node can see, usually in the container's overlay upper directory. A "
	"read-only root removes that place, and stops attackers from replacing the application's binaries or "
	"dropping tools into the image.",
	"What remains: writable volumes (emptyDir, /dev/shm, /tmp mounts) still accept files, most of them "
	"with a path on the node, and memfd_create runs code without any file, so the finding is defence in depth, "
	"not a boundary.",
	"Nothing to fix. Keep writable mounts few and small, and keep the other controls.");

static const char ex_BH0428[] = EX(
	"A mitigation: /proc/self/status shows Seccomp: 2 (filter mode) with at least one filter, or 1 (strict "
	"mode). The evidence gives the number of stacked filters.",
	"A seccomp filter cuts kernel attack surface: the runtime default denies unshare and clone with "
	"CLONE_NEWUSER, mount, keyctl, bpf, open_by_handle_at, module loading and kexec unless the matching "
	"capability is granted. That closes the user-namespace route to most kernel exploits and the mount "
	"routes to release_agent. bulkhead sees that a filter is installed, not what it allows.",
	"What remains: a permissive custom profile looks the same here, allowed syscalls still carry kernel bugs, "
	"and added capabilities re-open the calls the default profile gates on them.",
	"Nothing to fix. Prefer RuntimeDefault or a narrower Localhost profile, set in the pod-level "
	"securityContext.seccompProfile, and enable seccompDefault on kubelets.");

static const char ex_BH0429[] = EX(
	"No container was detected: every namespace of this process is a boot-time one, and no runtime marks "
	"were found in cgroups, mountinfo, the environment or marker files. The other findings describe a "
	"process on the node.",
	"There is no boundary to escape: a process here already has the node's filesystem, processes and "
	"network, limited only by its uid and capabilities. If it was meant to be a container, the workload "
	"shares every host namespace (privileged with hostPID and hostNetwork plus an nsenter into PID 1) and is "
	"equivalent to the node.",
	"An attacker who gets code execution in such a process needs no escape technique; as root they own the "
	"node and the credentials of the kubelet and runtime.",
	"Run bulkhead inside in the container you want to assess; on a node, use bulkhead node. If this was "
	"supposed to be a container, remove the host namespaces and privileged mode.");

static const struct bh_rule rules[R_N] = {
	[R_RUNTIME] = {"BH0400", "container-detected", BH_SEV_INFO, "Running in a container", NULL, NULL, NULL,
		       "Nothing to fix: this names the runtime and the evidence used.", REF_NS, NULL, ex_BH0400},
	[R_ALL_CAPS] = {"BH0401", "all-capabilities", BH_SEV_CRITICAL,
			"The container holds (nearly) every capability: privileged", T1611, "baseline", "privileged",
			"Do not run privileged; drop ALL capabilities and add back only what the workload needs "
			"(securityContext.privileged: false, capabilities.drop: [ALL]).",
			REF_CAPS " " REF_PSS, NULL, ex_BH0401},
	[R_CRIT_CAP] = {"BH0402", "critical-capability", BH_SEV_CRITICAL,
			"A capability that leads to the node on its own", T1611, "baseline", "capabilities_baseline",
			"Remove CAP_SYS_ADMIN / CAP_SYS_MODULE from securityContext.capabilities.add.", REF_CAPS, NULL, ex_BH0402},
	[R_HIGH_CAP] = {"BH0403", "dangerous-capability", BH_SEV_HIGH,
			"A capability one step from the node or other tenants", T1611, "baseline",
			"capabilities_baseline",
			"Remove the capability from securityContext.capabilities.add; prefer a narrower mechanism.",
			REF_CAPS, NULL, ex_BH0403},
	[R_CAPS_NOT_DROPPED] = {"BH0404", "capabilities-not-dropped", BH_SEV_MEDIUM,
				"Default capabilities were not dropped", T1611, "restricted", "capabilities_restricted",
				"Set securityContext.capabilities.drop: [ALL] (add back NET_BIND_SERVICE if needed).",
				REF_CAPS " " REF_PSS, NULL, ex_BH0404},
	[R_NNP] = {"BH0405", "no-new-privs-unset", BH_SEV_MEDIUM,
		   "NoNewPrivs is off: setuid binaries and file capabilities can raise privileges", "T1548",
		   "restricted", "allowPrivilegeEscalation",
		   "Set securityContext.allowPrivilegeEscalation: false.",
		   "https://docs.kernel.org/userspace-api/no_new_privs.html", NULL, ex_BH0405},
	[R_SECCOMP] = {"BH0406", "seccomp-unconfined", BH_SEV_HIGH,
		       "No seccomp filter: every syscall (unshare, mount, bpf, keyctl…) reaches the kernel", T1611,
		       "restricted", "seccompProfile",
		       "Set securityContext.seccompProfile.type: RuntimeDefault (or the kubelet's seccompDefault).",
		       "https://kubernetes.io/docs/tutorials/security/seccomp/", NULL, ex_BH0406},
	[R_LSM] = {"BH0407", "lsm-unconfined", BH_SEV_HIGH,
		   "No AppArmor/SELinux confinement of the container process", T1611, "baseline", "appArmorProfile",
		   "Run with the runtime's default AppArmor profile or an SELinux container type (container_t); "
		   "on nodes without an LSM, enable one.",
		   "https://kubernetes.io/docs/tutorials/security/apparmor/", NULL, ex_BH0407},
	[R_HOST_PID] = {"BH0408", "host-pid-namespace", BH_SEV_HIGH, "The container shares the host PID namespace",
			T1611, "baseline", "hostNamespaces",
			"Remove hostPID: true; node processes (and their /proc/PID/root, environ, fds) become reachable.",
			REF_NS, NULL, ex_BH0408},
	[R_HOST_NET] = {"BH0409", "host-network-namespace", BH_SEV_HIGH,
			"The container shares the host network namespace", T1611, "baseline", "hostNamespaces",
			"Remove hostNetwork: true; node-local services (kubelet, runtime shim sockets, metadata) become reachable.",
			REF_NS, NULL, ex_BH0409},
	[R_HOST_IPC] = {"BH0410", "host-ipc-namespace", BH_SEV_HIGH, "The container shares the host IPC namespace",
			T1611, "baseline", "hostNamespaces", "Remove hostIPC: true.", REF_NS, NULL, ex_BH0410},
	[R_HOST_UTS] = {"BH0411", "host-uts-namespace", BH_SEV_LOW, "The container shares the host UTS namespace",
			T1611, NULL, NULL, "Give the container its own UTS namespace (the runtime default).", REF_NS,
			NULL, ex_BH0411},
	[R_HOST_CGROUPNS] = {"BH0412", "host-cgroup-namespace", BH_SEV_LOW,
			     "The container shares the host cgroup namespace", T1611, NULL, NULL,
			     "Use a private cgroup namespace (cgroup v2 nodes; Docker --cgroupns=private).", REF_NS,
			     NULL, ex_BH0412},
	[R_HOST_MNT] = {"BH0413", "host-mount-namespace", BH_SEV_CRITICAL,
			"The process runs in the host mount namespace: the node's filesystem is its filesystem", T1611,
			NULL, NULL, "Run workloads in containers with their own mount namespace.", REF_NS, NULL, ex_BH0413},
	[R_HOST_ROOT] = {"BH0414", "runs-as-host-root", BH_SEV_MEDIUM,
			 "Root in the container is root on the node (no user namespace)", T1611, "restricted",
			 "runAsNonRoot",
			 "Set runAsNonRoot: true with a non-zero runAsUser, or hostUsers: false (user namespaces).",
			 REF_PSS, NULL, ex_BH0414},
	[R_USERNS] = {"BH0415", "user-namespace", BH_SEV_INFO,
		      "Mitigation: the container runs in its own user namespace", NULL, NULL, NULL,
		      "Nothing to fix: capabilities here are namespaced and uid 0 maps to an unprivileged node uid.",
		      "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/", NULL, ex_BH0415},
	[R_SOCKET] = {"BH0416", "runtime-socket", BH_SEV_CRITICAL,
		      "A container-runtime or kubelet API socket is reachable", T1611, "baseline", "hostPathVolumes",
		      "Remove the hostPath volume of the socket; a read-only mount does not help (connect() needs no "
		      "write access). Use a narrower API (e.g. the CRI through a proxy with authorization).",
		      "https://docs.docker.com/engine/security/#docker-daemon-attack-surface", NULL, ex_BH0416},
	[R_HOST_PATH] = {"BH0417", "host-path-mount", BH_SEV_HIGH, "A node filesystem path is mounted", T1611,
			 "baseline", "hostPathVolumes",
			 "Remove the hostPath volume, or mount a narrow non-sensitive directory read-only.",
			 "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", NULL, ex_BH0417},
	[R_DEVICE] = {"BH0418", "host-device", BH_SEV_CRITICAL,
		      "A node block device or memory device can be opened", T1611, "baseline", "privileged",
		      "Do not run privileged and do not pass host devices; use CSI volumes instead of raw disks.",
		      REF_PSS, NULL, ex_BH0418},
	[R_PROC_SYS] = {"BH0419", "writable-proc-sys", BH_SEV_CRITICAL,
			"/proc/sys is writable: kernel.core_pattern runs a program on the node", T1611, "baseline",
			"procMount",
			"Keep /proc/sys read-only (default procMount, not privileged); allow only namespaced sysctls.",
			"https://man7.org/linux/man-pages/man5/core.5.html", NULL, ex_BH0419},
	[R_SYS] = {"BH0420", "writable-sys", BH_SEV_HIGH, "/sys is mounted read-write", T1611, "baseline",
		   "privileged", "Do not run privileged; the runtime mounts /sys read-only otherwise.",
		   "https://docs.kernel.org/admin-guide/sysfs-rules.html", NULL, ex_BH0420},
	[R_RELEASE_AGENT] = {"BH0421", "cgroup-release-agent", BH_SEV_CRITICAL,
			     "A cgroup v1 release_agent is writable: the kernel runs it on the node as root", T1611,
			     "baseline", "privileged",
			     "Do not run privileged or with CAP_SYS_ADMIN; move nodes to cgroup v2; keep cgroupfs "
			     "read-only.",
			     "https://www.cve.org/CVERecord?id=CVE-2022-0492 https://docs.kernel.org/admin-guide/cgroup-v1/cgroups.html",
			     NULL, ex_BH0421},
	[R_CGROUP_MOUNT] = {"BH0422", "cgroup-v1-mountable", BH_SEV_CRITICAL,
			    "A cgroup v1 hierarchy could be mounted, exposing its release_agent", T1611, "baseline",
			    "capabilities_baseline",
			    "Drop CAP_SYS_ADMIN, keep the RuntimeDefault seccomp profile and an LSM profile; use a "
			    "private cgroup namespace.",
			    "https://github.com/PaloAltoNetworks/can-ctr-escape-cve-2022-0492", NULL, ex_BH0422},
	[R_USERNS_CREATE] = {"BH0423", "user-namespace-creation", BH_SEV_MEDIUM,
			     "New user namespaces can be created: namespaced CAP_SYS_ADMIN/CAP_NET_ADMIN opens kernel "
			     "attack surface (nf_tables, mount, cgroup v1)", "T1068", "restricted", "seccompProfile",
			     "Keep RuntimeDefault seccomp (it blocks unshare/clone with CLONE_NEWUSER), or set "
			     "user.max_user_namespaces=0 on nodes that do not need them.",
			     "https://man7.org/linux/man-pages/man7/user_namespaces.7.html", NULL, ex_BH0423},
	[R_KERNEL_CVE] = {"BH0424", "kernel-escape-cve", BH_SEV_HIGH,
			  "The node's kernel is in the range of a known container-escape CVE", "T1068", NULL, NULL,
			  "Upgrade the node kernel to a fixed version (see the CVE record); until then close the "
			  "preconditions listed.",
			  "https://www.cve.org/", NULL, ex_BH0424},
	[R_SA_TOKEN] = {"BH0425", "service-account-token", BH_SEV_LOW,
			"A Kubernetes service-account token is mounted", "T1528", NULL, NULL,
			"Set automountServiceAccountToken: false unless the workload calls the API; bind least-privilege RBAC.",
			"https://kubernetes.io/docs/concepts/security/service-accounts/", NULL, ex_BH0425},
	[R_WRITABLE_ROOT] = {"BH0426", "writable-root-filesystem", BH_SEV_LOW,
			     "The root filesystem is writable: tools and payloads can be dropped", "T1105", NULL, NULL,
			     "Set securityContext.readOnlyRootFilesystem: true and mount writable emptyDirs where needed.",
			     REF_PSS, NULL, ex_BH0426},
	[R_READONLY_ROOT] = {"BH0427", "read-only-root-filesystem", BH_SEV_INFO,
			     "Mitigation: the root filesystem is read-only", NULL, NULL, NULL, "Nothing to fix.", REF_PSS,
			     NULL, ex_BH0427},
	[R_SECCOMP_ON] = {"BH0428", "seccomp-filtering", BH_SEV_INFO, "Mitigation: a seccomp filter is active",
			  NULL, NULL, NULL, "Nothing to fix.", "https://kubernetes.io/docs/tutorials/security/seccomp/",
			  NULL, ex_BH0428},
	[R_NOT_CONTAINER] = {"BH0429", "not-in-container", BH_SEV_INFO,
			     "No container detected: this process runs with the host's namespaces", NULL, NULL, NULL,
			     "Run `bulkhead inside` in the container to assess; on a node use `bulkhead node`.", REF_NS,
			     NULL, ex_BH0429},
};

const struct bh_rule *bh_inside_rules(size_t *n)
{
	*n = R_N;
	return rules;
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *bh_cap_name(unsigned cap)
{
	return cap < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[cap] : NULL;
}

enum { CAP_NET_BIND_SERVICE_ = 10, CAP_NET_ADMIN_ = 12, CAP_NET_RAW_ = 13, CAP_SYS_MODULE_ = 16,
       CAP_SYS_RAWIO_ = 17, CAP_SYS_PTRACE_ = 19, CAP_SYS_ADMIN_ = 21, CAP_SYS_BOOT_ = 22,
       CAP_DAC_READ_SEARCH_ = 2, CAP_PERFMON_ = 38, CAP_BPF_ = 39 };

static bool has_cap(const struct bh_inside *f, unsigned c)
{
	return f->caps_known && c < 64 && (f->cap_eff >> c & 1);
}

static void caps_str(uint64_t set, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned c = 0; c < 64; c++) {
		if (!(set >> c & 1))
			continue;
		const char *n = bh_cap_name(c);
		char tmp[24];
		if (!n) {
			snprintf(tmp, sizeof(tmp), "cap_%u", c);
			n = tmp;
		}
		int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", n);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

struct ev {
	const struct bh_inside *f;
	struct bh_findings *out;
	const char *who;   /* container column: the container id or hostname */
	int oom;
};

/* a user namespace makes capabilities namespaced: lower one step, as DESIGN §4 asks for real mitigations */
static enum bh_sev lower(enum bh_sev s)
{
	return s > BH_SEV_INFO ? s - 1 : s;
}

static struct bh_finding *emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence,
			       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct bh_finding *emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence,
			       const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_finding *x = bh_emit(e->out, &rules[r], sev, e->who, field, 0, 0, "%s", msg);
	if (!x) {
		e->oom = 1;
		return NULL;
	}
	if (evidence && *evidence) {
		x->evidence = bh_arena_strndup(e->out->a, evidence, strlen(evidence));
		if (!x->evidence)
			e->oom = 1;
	}
	return x;
}

static void eval_caps(struct ev *e)
{
	const struct bh_inside *f = e->f;
	if (!f->caps_known)
		return;
	char ev[700], names[600];
	int last = f->cap_last >= 0 ? f->cap_last : 40;
	uint64_t full = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
	uint64_t missing = full & ~f->cap_eff;
	int nmissing = __builtin_popcountll(missing);
	bool ns = f->in_userns == 1;
	caps_str(f->cap_eff, names, sizeof(names));
	snprintf(ev, sizeof(ev), "CapEff=%016llx CapBnd=%016llx cap_last_cap=%d", (unsigned long long)f->cap_eff,
		 (unsigned long long)f->cap_bnd, f->cap_last);
	/* Full set decided against cap_last_cap, not a fixed mask (CDK's "3fffffffff" misses 41-cap kernels).
	 * A runtime that itself runs with a reduced bounding set cannot give the last few: count as privileged
	 * when at most two are missing and CAP_SYS_ADMIN is there. */
	if (has_cap(f, CAP_SYS_ADMIN_) && nmissing <= 2) {
		char miss[200] = "";
		caps_str(missing, miss, sizeof(miss));
		enum bh_sev s = ns ? lower(BH_SEV_CRITICAL) : BH_SEV_CRITICAL;
		emit(e, R_ALL_CAPS, s, "CapEff", ev, "%d of %d capabilities are effective%s%s%s%s", last + 1 - nmissing,
		     last + 1, nmissing ? " (missing: " : " (the full set)", miss, nmissing ? ")" : "",
		     ns ? "; namespaced by a user namespace" : "");
		return;
	}
	static const unsigned crit[] = {CAP_SYS_ADMIN_, CAP_SYS_MODULE_};
	static const unsigned high[] = {CAP_SYS_PTRACE_, CAP_DAC_READ_SEARCH_, CAP_NET_ADMIN_, CAP_BPF_, CAP_PERFMON_,
					CAP_SYS_RAWIO_, CAP_SYS_BOOT_};
	static const char *const why[64] = {
		[CAP_SYS_ADMIN_] = "mount, cgroup release_agent, BPF, namespaces: the classic escape capability",
		[CAP_SYS_MODULE_] = "loads kernel modules: code in the node's kernel",
		[CAP_SYS_PTRACE_] = "attaches to processes it can see (with hostPID: node processes)",
		[CAP_DAC_READ_SEARCH_] = "open_by_handle_at() reads any file on a mounted node filesystem (shocker)",
		[CAP_NET_ADMIN_] = "configures the network stack: nf_tables and tc kernel attack surface",
		[CAP_BPF_] = "loads BPF programs: kernel attack surface and node-wide tracing",
		[CAP_PERFMON_] = "perf and BPF tracing of the node",
		[CAP_SYS_RAWIO_] = "raw I/O on devices and ports",
		[CAP_SYS_BOOT_] = "reboots the node, kexec",
	};
	for (size_t i = 0; i < sizeof(crit) / sizeof(crit[0]); i++)
		if (has_cap(f, crit[i]))
			emit(e, R_CRIT_CAP, ns ? lower(BH_SEV_CRITICAL) : BH_SEV_CRITICAL, bh_cap_name(crit[i]), ev,
			     "%s is effective: %s%s", bh_cap_name(crit[i]), why[crit[i]],
			     ns ? " (namespaced by a user namespace)" : "");
	for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
		if (has_cap(f, high[i]))
			emit(e, R_HIGH_CAP, ns ? lower(BH_SEV_HIGH) : BH_SEV_HIGH, bh_cap_name(high[i]), ev,
			     "%s is effective: %s%s", bh_cap_name(high[i]), why[high[i]],
			     ns ? " (namespaced by a user namespace)" : "");
	uint64_t rest = f->cap_eff & ~(1ULL << CAP_NET_BIND_SERVICE_);
	if (rest && !ns)
		emit(e, R_CAPS_NOT_DROPPED, BH_SEV_MEDIUM, "CapEff", ev, "effective capabilities: %s", names);
}

static void eval_ns(struct ev *e)
{
	const struct bh_inside *f = e->f;
	static const struct {
		int ns, rule;
	} map[] = {{BH_NS_PID, R_HOST_PID}, {BH_NS_NET, R_HOST_NET}, {BH_NS_IPC, R_HOST_IPC},
		   {BH_NS_UTS, R_HOST_UTS}, {BH_NS_CGROUP, R_HOST_CGROUPNS}, {BH_NS_MNT, R_HOST_MNT}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct bh_inside_ns *n = &f->ns[map[i].ns];
		if (n->host != 1)
			continue;
		enum bh_sev s = rules[map[i].rule].sev;
		const char *extra = "";
		if (map[i].ns == BH_NS_PID && (has_cap(f, CAP_SYS_PTRACE_) || has_cap(f, CAP_SYS_ADMIN_))) {
			/* DESIGN §4: hostPID + SYS_PTRACE (or privileged) → nsenter -t 1 / /proc/1/root */
			s = BH_SEV_CRITICAL;
			extra = " together with CAP_SYS_PTRACE/CAP_SYS_ADMIN: `nsenter -t 1` or /proc/1/root reach the node";
		}
		if (map[i].ns == BH_NS_NET && f->euid == 0 && !f->in_userns)
			extra = " as uid 0: abstract unix sockets of the node (containerd-shim, CVE-2020-15257) are reachable";
		emit(e, map[i].rule, s, NULL, n->evidence, "shares the node's %s namespace%s",
		     map[i].ns == BH_NS_MNT ? "mount" : map[i].ns == BH_NS_NET ? "network" : map[i].ns == BH_NS_PID ? "PID"
		     : map[i].ns == BH_NS_IPC ? "IPC" : map[i].ns == BH_NS_UTS ? "UTS" : "cgroup",
		     extra);
	}
}

static void eval_host_mounts(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->nmounts; i++) {
		const struct bh_inside_mount *m = &f->mounts[i];
		if (m->socket)
			continue; /* reported as a socket */
		snprintf(ev, sizeof(ev), "mountinfo: %s on %s (%s %s, %s)", m->root, m->mountpoint, m->fstype, m->source,
			 m->ro ? "ro" : "rw");
		enum bh_sev s;
		const char *what;
		if (m->sensitive == 2) {
			s = m->ro ? BH_SEV_HIGH : BH_SEV_CRITICAL;
			what = "the root directory of a node filesystem";
		} else if (m->sensitive == 1) {
			s = m->ro ? BH_SEV_HIGH : BH_SEV_CRITICAL;
			what = "a sensitive node path";
		} else {
			s = m->ro ? BH_SEV_LOW : BH_SEV_MEDIUM;
			what = "a node directory";
		}
		emit(e, R_HOST_PATH, s, m->mountpoint, ev, "%s: %s %s is mounted %s at %s", m->mountpoint, what, m->root,
		     m->ro ? "read-only" : "read-write", m->mountpoint);
	}
}

static void eval_sockets(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->nsockets; i++) {
		const struct bh_inside_socket *k = &f->sockets[i];
		snprintf(ev, sizeof(ev), "%s (%s)%s%s", k->path, k->how, k->detail[0] ? "; " : "", k->detail);
		emit(e, R_SOCKET, BH_SEV_CRITICAL, k->path, ev, "%s is reachable%s: whoever can talk to it can start a "
		     "privileged container on the node", k->path,
		     k->answers == 1 ? " and answers" : k->answers == 0 ? " (it did not answer now)" : "");
	}
}

static void eval_block_devices(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	/* block devices: one finding for the set (a privileged container sees every disk and loop device) */
	char list[400] = "", denied[200] = "";
	size_t nblk = 0, nopen = 0;
	for (size_t i = 0; i < f->ndevs; i++) {
		const struct bh_inside_dev *d = &f->devs[i];
		if (d->type == 'b' && d->openable == 0) {
			/* present but refused (device cgroup, LSM): said in the evidence, not an avenue */
			size_t l = strlen(denied);
			if (l < sizeof(denied) - 1)
				snprintf(denied + l, sizeof(denied) - l, "%s%s (%s)", l ? ", " : "", d->path,
					 strerror(d->err));
			continue;
		}
		if (d->type != 'b')
			continue;
		nblk++;
		nopen += d->openable == 1;
		size_t l = strlen(list);
		if (l < sizeof(list) - 1)
			snprintf(list + l, sizeof(list) - l, "%s%s %u:%u%s", l ? ", " : "", d->path, d->major, d->minor,
				 d->openable == 1 ? " (opened)" : "");
	}
	if (nblk) {
		snprintf(ev, sizeof(ev), "block devices in /dev: %s; open(O_RDONLY|O_NONBLOCK) %s%s%s", list,
			 nopen ? "succeeded" : "not tried (offline)", denied[0] ? "; refused: " : "", denied);
		emit(e, R_DEVICE, nopen ? BH_SEV_CRITICAL : BH_SEV_HIGH, "/dev", ev,
		     "%zu node block device%s %s: the node's disks can be read and written raw, or mounted",
		     nblk, nblk == 1 ? "" : "s", nopen ? "can be opened" : "are present");
	}
}

static void eval_char_devices(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->ndevs; i++) {
		const struct bh_inside_dev *d = &f->devs[i];
		if (d->type != 'c' || d->openable == 0)
			continue;
		bool kmsg = !strcmp(d->path, "/dev/kmsg");
		if (kmsg && d->openable != 1)
			continue;
		snprintf(ev, sizeof(ev), "%s c %u:%u; open(O_RDONLY) %s", d->path, d->major, d->minor,
			 d->openable == 1 ? "succeeded" : "not tried (offline)");
		emit(e, R_DEVICE, kmsg ? BH_SEV_MEDIUM : BH_SEV_CRITICAL, d->path, ev, "%s%s", d->path,
		     kmsg ? " (kernel log) can be opened: kernel addresses and node events leak"
			  : " (physical memory / I/O ports) is present");
	}
}

static void eval_knobs(struct ev *e)
{
	const struct bh_inside *f = e->f;
	if (f->proc_sys_writable == 1)
		emit(e, R_PROC_SYS, f->in_userns == 1 ? BH_SEV_HIGH : BH_SEV_CRITICAL, "/proc/sys", f->proc_sys_evidence,
		     "/proc/sys/kernel/core_pattern is writable%s", f->sysrq_writable == 1 ? "; so is /proc/sysrq-trigger" : "");
	if (f->sys_writable == 1)
		emit(e, R_SYS, f->uevent_helper_writable == 1 ? BH_SEV_CRITICAL : BH_SEV_HIGH, "/sys", f->sys_evidence,
		     "%s", f->uevent_helper_writable == 1
				   ? "/sys is read-write and /sys/kernel/uevent_helper is writable: the kernel runs it on the node"
				   : "/sys is read-write: device, module and kernel settings of the node are exposed");
	if (f->root_ro == 1)
		emit(e, R_READONLY_ROOT, BH_SEV_INFO, "/", "mountinfo: / is mounted ro", "the root filesystem is read-only");
	else if (f->root_ro == 0)
		emit(e, R_WRITABLE_ROOT, BH_SEV_LOW, "/", "mountinfo: / is mounted rw", "the root filesystem is writable");
}

static void eval_fs(struct ev *e)
{
	eval_host_mounts(e);
	eval_sockets(e);
	eval_block_devices(e);
	eval_char_devices(e);
	eval_knobs(e);
}

static bool seccomp_allows_mount(const struct bh_inside *f)
{
	return f->seccomp == 0;
}

static void eval_cgroups(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[600];
	bool reported = false;
	for (size_t i = 0; i < f->ncgroups; i++) {
		const struct bh_inside_cgroup *c = &f->cgroups[i];
		if (!c->release_agent || c->writable == 0)
			continue;
		snprintf(ev, sizeof(ev), "%s/release_agent on cgroup v1 (%s) mounted %s; access(W_OK) %s", c->mountpoint,
			 c->controllers, c->ro ? "ro" : "rw", c->writable == 1 ? "succeeds" : "not tried");
		emit(e, R_RELEASE_AGENT, c->writable == 1 ? BH_SEV_CRITICAL : BH_SEV_HIGH, c->mountpoint, ev,
		     "%s/release_agent is %s", c->mountpoint, c->writable == 1 ? "writable" : "visible on a rw mount");
		reported = true;
		break;
	}
	if (reported || f->cgroup_v1 != 1)
		return;
	/* Could a new cgroup v1 hierarchy be mounted here? Predicted, never tried (mounting would change the
	 * node's state): CAP_SYS_ADMIN over the initial user namespace, the host cgroup namespace (a new
	 * hierarchy cannot be made from another), no seccomp filter (runtime defaults block mount) and no
	 * confining LSM (AppArmor's docker-default denies mount). */
	bool sysadmin = has_cap(f, CAP_SYS_ADMIN_) && f->in_userns != 1;
	bool hostcg = f->ns[BH_NS_CGROUP].host == 1;
	bool sc = seccomp_allows_mount(f);
	bool lsm = f->lsm_confined == 0;
	snprintf(ev, sizeof(ev), "%s; CAP_SYS_ADMIN(init userns)=%s host-cgroupns=%s seccomp=%d lsm=%s(%s)",
		 f->cgroup_evidence, sysadmin ? "yes" : "no", hostcg ? "yes" : "no", f->seccomp, f->lsm_name,
		 f->lsm_confined == 1 ? "confined" : "unconfined");
	if (sysadmin && hostcg && sc && lsm)
		emit(e, R_CGROUP_MOUNT, BH_SEV_CRITICAL, NULL, ev,
		     "a new cgroup v1 hierarchy could be mounted here and its release_agent set: the kernel would run "
		     "it on the node as root");
}

struct pctx {
	const struct bh_inside *f;
};

static int precond(const char *tok, void *ctx)
{
	const struct bh_inside *f = ((struct pctx *)ctx)->f;
	if (!strcmp(tok, "userns"))
		return f->userns_create;
	if (!strcmp(tok, "cap_sys_admin"))
		return f->caps_known ? has_cap(f, CAP_SYS_ADMIN_) : -1;
	if (!strcmp(tok, "cap_net_admin"))
		return f->caps_known ? has_cap(f, CAP_NET_ADMIN_) : -1;
	if (!strcmp(tok, "cap_net_raw"))
		return f->caps_known ? has_cap(f, CAP_NET_RAW_) : -1;
	if (!strcmp(tok, "root"))
		return f->euid < 0 ? -1 : f->euid == 0;
	if (!strcmp(tok, "cgroup_v1"))
		return f->cgroup_v1;
	if (!strcmp(tok, "no_lsm"))
		return f->lsm_confined < 0 ? -1 : !f->lsm_confined;
	if (!strcmp(tok, "host_net"))
		return f->ns[BH_NS_NET].host;
	return -1;
}

static void eval_kernel(struct ev *e, const struct bh_cvedb *db)
{
	const struct bh_inside *f = e->f;
	if (!db || !f->kernel_known)
		return;
	const struct bh_kernel *k = &f->kernel;
	for (size_t i = 0; i < db->n; i++) {
		const struct bh_cve *c = &db->v[i];
		enum bh_cve_match m = bh_cve_match_kernel(c, k);
		if (m == BH_CVE_NOT_AFFECTED)
			continue;
		char why[300], ev[900], confirm[300], vb[40];
		struct pctx pc = {f};
		int need = bh_cve_needs_eval(c, precond, &pc, why, sizeof(why));
		enum bh_sev s = c->sev;
		if (m == BH_CVE_MAYBE)
			s = lower(s);
		if (need < 0)
			s = lower(s);
		if (need == 0)
			s = BH_SEV_INFO;
		snprintf(ev, sizeof(ev), "kernel %s (%s, %s level %s%s%s); needs: %s%s%s; ref %s", k->release,
			 bh_distro_name(k->distro), k->exact ? "upstream" : "branch", bh_ver_str(&k->ver, vb, sizeof(vb)),
			 k->upstream_from[0] ? " from " : "", k->upstream_from, c->needs, why[0] ? " → " : "", why,
			 c->refs[0]);
		if (m == BH_CVE_MAYBE)
			bh_distro_confirm(k->distro, c->id, confirm, sizeof(confirm));
		emit(e, R_KERNEL_CVE, s, c->id, ev, "%s (%s): %s — %s%s%s%s", c->id, c->name ? c->name : "",
		     m == BH_CVE_AFFECTED ? "the kernel version is affected" : "the version is in range but the "
		     "distribution may have back-ported the fix",
		     need == 1 ? "its preconditions hold here" : need == 0 ? "not reachable from this container (a "
		     "precondition does not hold)" : "some preconditions could not be checked",
		     c->summary ? ". " : "", c->summary ? c->summary : "",
		     m == BH_CVE_MAYBE ? "" : "");
		if (m == BH_CVE_MAYBE && e->out->n) {
			/* append how to confirm to the evidence of the finding just emitted */
			struct bh_finding *x = &e->out->v[e->out->n - 1];
			char both[1300];
			snprintf(both, sizeof(both), "%s; confirm: %s", x->evidence ? x->evidence : "", confirm);
			x->evidence = bh_arena_strndup(e->out->a, both, strlen(both));
		}
	}
}

int bh_inside_evaluate(const struct bh_inside *f, const struct bh_cvedb *db, struct bh_findings *out)
{
	struct ev e = {.f = f, .out = out};
	e.who = f->container_id[0] ? f->container_id : f->hostname[0] ? f->hostname : NULL;
	/* the "object" of a host finding is the container itself */
	struct bh_objref saved = out->cur;
	out->cur.kind = "Container";
	out->cur.name = e.who ? bh_arena_strndup(out->a, e.who, strlen(e.who)) : NULL;
	char ev[600];
	if (f->in_container) {
		snprintf(ev, sizeof(ev), "%s", f->runtime_evidence);
		emit(&e, R_RUNTIME, BH_SEV_INFO, NULL, ev, "container runtime: %s%s%s", f->runtime,
		     f->container_id[0] ? ", id " : "", f->container_id);
	} else {
		emit(&e, R_NOT_CONTAINER, BH_SEV_INFO, NULL, f->runtime_evidence,
		     "no container detected; the findings below describe this host process");
	}
	eval_caps(&e);
	if (f->nnp == 0)
		emit(&e, R_NNP, BH_SEV_MEDIUM, "NoNewPrivs", "/proc/self/status NoNewPrivs: 0",
		     "NoNewPrivs is 0: setuid-root binaries and file capabilities still raise privileges");
	if (f->seccomp == 0)
		emit(&e, R_SECCOMP, BH_SEV_HIGH, "Seccomp", "/proc/self/status Seccomp: 0",
		     "no seccomp filter: unshare, mount, keyctl, bpf and every other syscall reach the kernel");
	else if (f->seccomp > 0) {
		snprintf(ev, sizeof(ev), "/proc/self/status Seccomp: %d, Seccomp_filters: %d", f->seccomp,
			 f->seccomp_filters);
		emit(&e, R_SECCOMP_ON, BH_SEV_INFO, "Seccomp", ev, "seccomp mode %s with %d filter%s",
		     f->seccomp == 2 ? "filter" : "strict", f->seccomp_filters, f->seccomp_filters == 1 ? "" : "s");
	}
	if (f->lsm_confined == 0) {
		snprintf(ev, sizeof(ev), "%s label: %s", f->lsm_name, f->lsm_label);
		emit(&e, R_LSM, BH_SEV_HIGH, NULL, ev, "%s", !strcmp(f->lsm_name, "none")
				 ? "no AppArmor or SELinux label: the process is not confined by an LSM"
				 : "the LSM profile does not confine the process");
	}
	eval_ns(&e);
	if (f->in_userns == 1) {
		snprintf(ev, sizeof(ev), "/proc/self/uid_map: %s", f->uid_map);
		emit(&e, R_USERNS, BH_SEV_INFO, NULL, ev, "user namespace: uid 0 here is uid %lu on the node",
		     f->host_uid_of_root);
	} else if (f->in_userns == 0 && f->euid == 0 && f->in_container) {
		snprintf(ev, sizeof(ev), "/proc/self/uid_map: %s; euid 0", f->uid_map);
		emit(&e, R_HOST_ROOT, BH_SEV_MEDIUM, NULL, ev, "runs as uid 0 without a user namespace: root here is root "
		     "on the node once any other avenue opens");
	}
	eval_fs(&e);
	eval_cgroups(&e);
	if (f->userns_create == 1)
		emit(&e, R_USERNS_CREATE, BH_SEV_MEDIUM, NULL, f->userns_evidence,
		     "a new user namespace can be created: namespaced CAP_SYS_ADMIN/CAP_NET_ADMIN reach nf_tables, "
		     "mount and other kernel code used by escape exploits");
	eval_kernel(&e, db);
	if (f->sa_token == 1) {
		snprintf(ev, sizeof(ev), "%s (namespace %s)", f->sa_token_path, f->sa_namespace[0] ? f->sa_namespace : "?");
		emit(&e, R_SA_TOKEN, BH_SEV_LOW, f->sa_token_path, ev,
		     "a service-account token for namespace '%s' is mounted: its RBAC rights are this container's",
		     f->sa_namespace[0] ? f->sa_namespace : "?");
	}
	out->cur = saved;
	return e.oom || out->oom ? -ENOMEM : 0;
}
