/* `bulkhead explain` texts of the escape, combination and image rules: what the setting is, why it leads
 * out of the container, how attackers use it (in words — no exploit code), and the fix with a YAML
 * snippet. References are in the rule rows. */
#include "escape.h"

#define EX(what, why, how, fix, yaml)                                                                   \
	"What:\n" what "\n\nWhy it leads to escape:\n" why "\n\nHow it is exploited:\n" how "\n\nFix:\n" fix \
	"\n\n" yaml

const char bh_explain_BH0001[] = EX(
	"securityContext.privileged: true runs the container with every capability, every host device in /dev, "
	"writable /sys and /proc/sys, and without the seccomp and AppArmor/SELinux confinement the runtime "
	"normally applies.",
	"A privileged container is separated from the node by namespaces alone, and it holds the capabilities "
	"that undo them: it can mount the node's disks, load kernel modules, write kernel settings and reach "
	"every device. Only a user namespace (hostUsers: false) keeps host devices and host-owned files out of "
	"reach, which is why the finding is lowered then.",
	"An attacker who runs code in the container mounts the node's root block device and edits it (a cron "
	"job, an SSH key, a systemd unit), or sets a kernel usermode helper such as core_pattern or a cgroup "
	"release_agent to a program of theirs, which the kernel then runs as root on the node.",
	"Remove privileged and grant only the capabilities the process needs; node agents that truly need it "
	"belong in a dedicated, admission-controlled namespace.",
	"    securityContext:\n"
	"      privileged: false\n"
	"      allowPrivilegeEscalation: false\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0002[] = EX(
	"spec.hostPID: true puts the pod's containers in the node's PID namespace.",
	"Every process of the node and of every other pod becomes visible: command lines (often with secrets), "
	"signals, /proc/<pid>/environ of processes running as the same user, and /proc/<pid>/root of their "
	"filesystems where ptrace rules allow it. With CAP_SYS_PTRACE or privileged it is a direct way into the "
	"node (BH0201, BH0202).",
	"The attacker lists host processes, reads credentials from their command lines and environments, kills "
	"security agents, and with ptrace rights enters PID 1's namespaces.",
	"Remove hostPID; monitoring agents can read what they need from the kubelet or cAdvisor APIs.",
	"    spec:\n"
	"      hostPID: false\n");

const char bh_explain_BH0003[] = EX(
	"spec.hostIPC: true puts the pod in the node's IPC namespace: System V shared memory, semaphores and "
	"POSIX message queues of the node.",
	"Host processes that use shared memory (databases, some agents) expose their data and control "
	"structures to the container, which can read and corrupt them.",
	"The attacker lists IPC objects (ipcs), attaches to a shared segment of a host process and reads or "
	"writes it, or fills /dev/shm to starve the node.",
	"Remove hostIPC; pods that must share memory can share an emptyDir with medium: Memory between their "
	"own containers.",
	"    spec:\n"
	"      hostIPC: false\n");

const char bh_explain_BH0004[] = EX(
	"spec.hostNetwork: true puts the pod in the node's network namespace.",
	"The container sees every interface of the node, can bind the node's ports and reaches services that "
	"listen on the node's loopback address or on abstract Unix sockets, which trust local callers: "
	"containerd-shim's abstract socket gave root on the node (CVE-2020-15257), the cloud metadata endpoint "
	"answers with the node's credentials, and NetworkPolicy no longer applies to the pod.",
	"The attacker connects to 127.0.0.1 services of the node (kubelet's local ports, runtime debug "
	"endpoints), fetches cloud credentials of the node from the metadata endpoint, and with raw sockets "
	"sniffs the node's traffic (BH0204).",
	"Remove hostNetwork and expose the workload through a Service; CNI and node agents that need it run in "
	"a dedicated namespace as non-root with capabilities dropped.",
	"    spec:\n"
	"      hostNetwork: false\n");

const char bh_explain_BH0005[] = EX(
	"A hostPath volume mounts a file or directory of the node into the pod. Its severity depends on the "
	"target: a container runtime's socket (Docker, containerd, CRI-O, cri-dockerd, Podman, BuildKit) or a "
	"directory above one (/run, /var/run, /run/containerd, /) is critical even read-only; the node's root "
	"and sensitive trees (/etc, /root, /proc, /sys, /dev, /boot, /var/lib/kubelet, /etc/kubernetes, "
	"/lib/modules, /var/lib/docker, /var/lib/containerd, /usr) are critical writable and high read-only; "
	"/home and /var/log (the kubelet's pod logs) are high; other paths are medium. Paths are normalised "
	"(//, ., .., trailing /), subPath narrows the mounted path, and an unmounted volume counts as writable "
	"because an ephemeral container can mount it later.",
	"The node's filesystem is the node: writing to it changes what the node runs as root, reading it hands "
	"over the kubelet's key and every pod's service-account token. A runtime socket is an API that starts "
	"containers, privileged ones included; connect() on a Unix socket needs no write access to the mount, "
	"so readOnly does not protect it. hostUsers: false does not help either: volumes are idmapped, so root "
	"in the pod writes as root on the host path.",
	"With a writable /etc or / the attacker adds a cron job or systemd unit; with /lib/modules they plant "
	"a module the kernel loads on demand; with a runtime socket they start a privileged container with the "
	"node's / mounted; with writable /var/log they replace a pod's log file by a symlink to /etc/shadow "
	"and ask the API server for that pod's logs, which the kubelet reads as root (the log-mount escape).",
	"Use a persistentVolumeClaim, configMap, secret or emptyDir. If a host path must stay, mount the "
	"narrowest file readOnly, never a socket or a directory above one.",
	"    volumes:\n"
	"    - name: data\n"
	"      persistentVolumeClaim:\n"
	"        claimName: data\n"
	"    # if a host path must stay:\n"
	"    #   volumeMounts: [{name: host-config, mountPath: /etc/app, readOnly: true}]\n");

const char bh_explain_BH0006[] = EX(
	"The container adds a capability outside the runtime's default set that has no rule of its own here "
	"(for example SYS_TIME, SYS_RESOURCE, LINUX_IMMUTABLE, IPC_LOCK, SYSLOG), or a name that is no "
	"capability at all.",
	"Each capability lifts one kernel check for a root process. Those outside the default set are not "
	"needed by ordinary applications and give the container a say over node-wide state (the clock, "
	"resource limits, immutable files, the kernel log).",
	"The attacker uses the extra power against the node: SYS_TIME moves the node's clock (certificate and "
	"token validity), SYSLOG reads kernel addresses that defeat KASLR for a kernel exploit, SYS_RESOURCE "
	"lifts limits that contain a denial of service.",
	"Drop ALL and add back only what the process needs; correct misspelt names (the runtime accepts "
	"\"SYS_TIME\" and \"CAP_SYS_TIME\", nothing else).",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n"
	"        add: [\"NET_BIND_SERVICE\"]\n");

const char bh_explain_BH0007[] = EX(
	"The container adds CAP_SYS_ADMIN (also spelt SYS_ADMIN or sys_admin).",
	"SYS_ADMIN is the \"new root\": mount(2), namespace administration, cgroup management, BPF and many "
	"other operations. Without seccomp and AppArmor it is enough to mount the node's cgroup hierarchy and "
	"have the kernel run a program as root on the node (BH0200); with them it still exposes far more "
	"kernel code to the container.",
	"The attacker mounts a cgroup v1 controller, writes a release_agent that points into the container's "
	"filesystem and empties the cgroup; the kernel then runs the agent as root in the node's namespaces. "
	"Other routes mount the node's devices or abuse kernel bugs reachable only with this capability.",
	"Remove SYS_ADMIN. Mounts belong to CSI drivers, devices to device plugins; FUSE needs /dev/fuse from "
	"a device plugin, not SYS_ADMIN.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0008[] = EX(
	"The container adds CAP_SYS_MODULE.",
	"Kernel modules run in the node's kernel, above every container boundary: one loaded module is full "
	"control of the node.",
	"The attacker builds a module for the node's kernel version and loads it, or places it where the "
	"kernel's module loader will pick it up; its code runs in ring 0.",
	"Remove SYS_MODULE; modules the workload needs are loaded by the node's configuration (modules-load.d) "
	"before pods start.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0009[] = EX(
	"The container adds ALL capabilities.",
	"ALL includes SYS_ADMIN, SYS_MODULE, SYS_PTRACE, DAC_READ_SEARCH and every other capability: the "
	"container is privileged in everything but the device list and the LSM profile.",
	"The attacker has a choice of escapes: load a module, mount a cgroup and set its release_agent, open "
	"host files by handle, or trace host processes when hostPID is set.",
	"Replace ALL with the capabilities the process needs, after dropping ALL.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n"
	"        add: [\"NET_BIND_SERVICE\"]\n");

const char bh_explain_BH0010[] = EX(
	"The container adds CAP_SYS_PTRACE.",
	"ptrace and process_vm_readv/writev across users let the container read and change the memory of any "
	"process it can see. Alone it reaches the pod's other containers when they share a PID namespace; with "
	"hostPID it reaches the node's processes (BH0202).",
	"The attacker attaches to a process that runs as root, injects code into it and runs it with that "
	"process's privileges and namespaces; or reads secrets from its memory.",
	"Remove SYS_PTRACE; debug with kubectl debug (an ephemeral container) when needed, not in the workload.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0011[] = EX(
	"The container adds CAP_DAC_READ_SEARCH.",
	"It allows open_by_handle_at(2), which opens a file by its filesystem handle instead of its path. The "
	"handle does not care which part of the filesystem is mounted in the container: any file on the same "
	"filesystem as a bind mount is reachable.",
	"The attacker guesses handles from a file the container can see (for instance /etc/hosts, which the "
	"kubelet bind-mounts from the node's disk) and walks to the node's root directory, then reads "
	"/etc/shadow or the kubelet's key (the 2014 \"shocker\" escape).",
	"Remove DAC_READ_SEARCH; give the process the files it must read through volumes.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0012[] = EX(
	"The container adds CAP_DAC_OVERRIDE explicitly (it is in the runtime's default set; adding it after "
	"drop: [ALL] is a deliberate grant).",
	"Root with DAC_OVERRIDE ignores file permissions: every host file a mount exposes, whatever its mode, "
	"becomes readable and writable.",
	"Combined with a host mount, the attacker edits root-only files of the node (a 0600 key, a "
	"configuration) that permissions would otherwise protect.",
	"Fix ownership instead (runAsUser, fsGroup) and drop the capability.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n"
	"    # and: spec.securityContext.fsGroup: 2000\n");

const char bh_explain_BH0013[] = EX(
	"The container adds CAP_NET_ADMIN.",
	"It administers the network stack of the pod (or of the node with hostNetwork): firewall, routes, "
	"interfaces, traffic control. It also opens netfilter and other networking code to the container, where "
	"several local privilege escalations to root on the node were found (CVE-2022-1015, CVE-2023-32233).",
	"The attacker rewrites the pod's firewall to escape a service mesh or egress policy, redirects traffic, "
	"or triggers a netfilter bug to gain kernel code execution.",
	"Remove NET_ADMIN; network set-up belongs to the CNI plugin or to an init step run by the node.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0014[] = EX(
	"The container adds CAP_NET_RAW (Docker and containerd 1.x also grant it by default unless dropped).",
	"Raw and packet sockets forge any packet on the pod network: ARP and DNS spoofing of neighbouring pods, "
	"and AF_PACKET code paths with kernel bugs (CVE-2020-14386 gave root on the node).",
	"The attacker answers DNS queries of other pods on the node, poisons ARP caches to intercept their "
	"traffic, or exploits a packet-socket kernel bug.",
	"Remove NET_RAW; ping works through the safe sysctl net.ipv4.ping_group_range.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0015[] = EX(
	"The container adds CAP_BPF.",
	"BPF programs run in the node's kernel; with CAP_BPF (and PERFMON or NET_ADMIN) the container loads "
	"tracing and networking programs that read kernel memory and other processes' data, and every verifier "
	"bug becomes a route to root on the node.",
	"The attacker loads a program that reads secrets from other processes' memory, or one that exploits a "
	"verifier flaw to write kernel memory.",
	"Remove BPF; BPF-based agents are node components and should be reviewed and deployed as such.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0016[] = EX(
	"The container adds CAP_PERFMON.",
	"System-wide performance monitoring observes every process and the kernel of the node, exposes kernel "
	"addresses, and reaches perf subsystem code that has had privilege-escalation bugs.",
	"The attacker profiles other tenants' processes, learns kernel addresses to defeat KASLR, and uses them "
	"in a kernel exploit.",
	"Remove PERFMON; profile from the node.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0017[] = EX(
	"The container adds CAP_SYS_RAWIO.",
	"Raw I/O ports (iopl, ioperm), /dev/mem and /dev/kmem, and raw SCSI commands bypass the kernel's "
	"abstractions: with a device node they read and write the node's memory and disks directly.",
	"With a host device mounted, the attacker writes node memory or disk sectors below every file "
	"permission and every filesystem.",
	"Remove SYS_RAWIO; use a device plugin for the specific device.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0018[] = EX(
	"The container adds CAP_SYS_BOOT.",
	"reboot(2) and kexec_load(2) are node-wide: kexec replaces the running kernel with one the caller "
	"supplies, without firmware or boot loader in between (seccomp's default profile blocks them; without "
	"it nothing does).",
	"The attacker kexecs into a kernel of their own, which then boots the node's disks with no protection, "
	"or simply reboots the node repeatedly.",
	"Remove SYS_BOOT; reboots belong to node maintenance tooling.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0019[] = EX(
	"The container adds CAP_MAC_ADMIN.",
	"It allows changing the node's mandatory access control policy (AppArmor profiles, SELinux policy, "
	"Smack rules) — the layer that confines every container on the node.",
	"Where the policy interface is reachable, the attacker loads a permissive profile or replaces the "
	"runtime's default profile, removing the confinement of their own and other containers.",
	"Remove MAC_ADMIN; load profiles from the node (or through a reviewed operator).",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0020[] = EX(
	"The container adds CAP_MAC_OVERRIDE.",
	"It overrides mandatory access control decisions (Smack) and lifts related limits: the LSM wall "
	"around the container becomes optional.",
	"The attacker accesses objects the MAC policy would deny, as a step to host files or other containers.",
	"Remove MAC_OVERRIDE.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0021[] = EX(
	"seccompProfile.type: Unconfined (pod or container), or the deprecated seccomp annotation with "
	"\"unconfined\".",
	"The runtime's default seccomp profile blocks the rarely needed system calls behind most kernel "
	"escapes (unshare and mount tricks, keyctl, userfaultfd, bpf, kexec). Unconfined lets every one of them "
	"reach the node's kernel.",
	"The attacker runs a public kernel exploit whose first step is a system call the default profile "
	"would have refused, and gains root on the node.",
	"Use RuntimeDefault, or a Localhost profile made for the workload.",
	"    spec:\n"
	"      securityContext:\n"
	"        seccompProfile:\n"
	"          type: RuntimeDefault\n");

const char bh_explain_BH0022[] = EX(
	"No seccomp profile is set on the pod or the container. The kubelet then runs the container "
	"Unconfined unless it was started with seccompDefault, which the manifest cannot show.",
	"As for Unconfined: every system call reaches the kernel, including the ones behind most kernel "
	"escape exploits.",
	"On a node without seccompDefault the attacker runs a kernel exploit that needs unshare, keyctl or "
	"userfaultfd, and the kernel's bug does the rest.",
	"Set RuntimeDefault at pod level so every container inherits it.",
	"    spec:\n"
	"      securityContext:\n"
	"        seccompProfile:\n"
	"          type: RuntimeDefault\n");

const char bh_explain_BH0023[] = EX(
	"appArmorProfile.type: Unconfined (pod or container), or the annotation "
	"container.apparmor.security.beta.kubernetes.io/<name>: unconfined. An absent profile is fine: the "
	"runtime applies its default profile on AppArmor hosts.",
	"The runtime's AppArmor profile denies mount, writes to most of /proc and /sys, and ptrace of processes "
	"outside the container's profile. These denials are what stops SYS_ADMIN from becoming a release_agent "
	"escape and hostPID+SYS_PTRACE from reaching host processes.",
	"With AppArmor off, the attacker's mount of a cgroup hierarchy, write to /proc/sys or ptrace of a host "
	"process succeeds where the default profile would have refused it.",
	"Remove Unconfined; use RuntimeDefault or a Localhost profile.",
	"    securityContext:\n"
	"      appArmorProfile:\n"
	"        type: RuntimeDefault\n");

const char bh_explain_BH0024[] = EX(
	"seLinuxOptions sets a type outside the container policy (spc_t, unconfined_t, or another custom type) "
	"or a custom SELinux user or role.",
	"On SELinux nodes the container_t type is what keeps a container away from host files, sockets and "
	"processes even when it runs as root. spc_t (\"super privileged container\") and unconfined types are not "
	"confined at all; a custom user or role leaves the container policy.",
	"The attacker, root in a container of type spc_t, uses a host mount, a runtime socket or /proc/sys as "
	"if SELinux were off.",
	"Leave seLinuxOptions to the runtime (it picks container_t and a unique level), or set only level.",
	"    securityContext:\n"
	"      seLinuxOptions:\n"
	"        level: \"s0:c123,c456\"\n");

const char bh_explain_BH0025[] = EX(
	"securityContext.procMount: Unmasked asks the runtime not to mask and not to make read-only the "
	"sensitive parts of /proc (/proc/sys, /proc/sysrq-trigger, /proc/kcore, /proc/timer_list…).",
	"/proc/sys holds kernel settings that are not namespaced: kernel.core_pattern names a program the "
	"kernel runs as root on the node when any process crashes. Kubernetes requires hostUsers: false for "
	"Unmasked, and in a user namespace those settings stay read-only — which is why the finding is "
	"lowered then; without it the container's root writes them.",
	"The attacker writes a pipe to a program of theirs into core_pattern, crashes a process, and the node "
	"runs their program as root; or triggers sysrq to crash the node.",
	"Remove procMount (Default masks /proc).",
	"    securityContext:\n"
	"      procMount: Default\n");

const char bh_explain_BH0026[] = EX(
	"spec.securityContext.sysctls sets a sysctl outside the safe set of the Pod Security Standards "
	"(kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, ping_group_range, tcp keepalive and buffer "
	"settings…).",
	"Safe sysctls are namespaced and isolated from other pods. Others are \"unsafe\": the kubelet must be "
	"told to allow them, and they may not be accounted to the pod — they can change kernel behaviour for "
	"the node and its other pods, or exhaust node resources.",
	"The attacker with the power to set such a sysctl weakens kernel limits or protections that other "
	"tenants rely on, or destabilises the node.",
	"Remove the sysctl from the pod; if the node needs it, set it on the node.",
	"    spec:\n"
	"      securityContext:\n"
	"        sysctls:\n"
	"        - name: net.ipv4.ip_local_port_range\n"
	"          value: \"32768 60999\"\n");

const char bh_explain_BH0027[] = EX(
	"allowPrivilegeEscalation is not set to false (it defaults to true).",
	"Without no_new_privs, a non-root process regains privileges through setuid-root binaries (sudo, su, "
	"mount…) or files with capabilities in the image: the runAsNonRoot wall has a door.",
	"The attacker, running as an unprivileged user, executes a setuid binary of the image (or exploits one) "
	"and becomes root in the container, the position every other escape starts from.",
	"Set allowPrivilegeEscalation: false on every container.",
	"    securityContext:\n"
	"      allowPrivilegeEscalation: false\n");

const char bh_explain_BH0028[] = EX(
	"The container may run as root: runAsUser: 0, or neither runAsNonRoot: true nor a non-zero runAsUser "
	"(the image's USER then decides, and most images run as root); or its primary group is 0 "
	"(runAsGroup: 0).",
	"Without user namespaces, UID 0 in the container is UID 0 on the node: root-owned host files, runtime "
	"sockets and kernel interfaces exposed by any other mistake are open to it, and most escapes need it. "
	"Group 0 opens root-group files. With hostUsers: false root maps to an unprivileged node user, and the "
	"finding is lowered.",
	"The attacker who gets code execution starts as root, so a mounted socket, host path or capability "
	"turns directly into control of the node.",
	"Run as a non-root user and group, and make the kubelet enforce it.",
	"    spec:\n"
	"      securityContext:\n"
	"        runAsNonRoot: true\n"
	"        runAsUser: 10001\n"
	"        runAsGroup: 10001\n");

const char bh_explain_BH0029[] = EX(
	"The container does not drop ALL capabilities, so it keeps the runtime's default set (CHOWN, "
	"DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, "
	"SYS_CHROOT, AUDIT_WRITE, and NET_RAW on Docker and containerd 1.x).",
	"These capabilities make root in the container more powerful than it needs to be: DAC_OVERRIDE ignores "
	"file permissions on host mounts, NET_RAW spoofs traffic, SETUID/SETGID switch to any user, MKNOD "
	"creates device nodes.",
	"The attacker uses the default capabilities as building blocks: write a root-only host file through a "
	"mount, spoof a neighbour's DNS, become another user to read that user's files.",
	"Drop ALL and add back only what the process needs.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n");

const char bh_explain_BH0030[] = EX(
	"readOnlyRootFilesystem is not true: the container can write to its image's filesystem.",
	"It is no escape by itself, but it lets an intruder bring and keep tools (scanners, exploits, miners) "
	"inside the container and change the application's own files.",
	"After a first foothold, the attacker downloads an exploit for the node's kernel or runtime into the "
	"container and runs it.",
	"Make the root filesystem read-only and give the process emptyDir volumes where it must write.",
	"    securityContext:\n"
	"      readOnlyRootFilesystem: true\n"
	"    volumeMounts:\n"
	"    - {name: tmp, mountPath: /tmp}\n");

const char bh_explain_BH0031[] = EX(
	"The pod does not set automountServiceAccountToken: false, so a token of its service account is "
	"mounted in every container (unless the ServiceAccount object says false, which a manifest scan "
	"cannot see).",
	"The token is a credential for the API server. If the service account may create pods, exec into pods "
	"or read secrets, the token is the way to a privileged pod on any node.",
	"The attacker reads /var/run/secrets/kubernetes.io/serviceaccount/token and uses it against the API "
	"server: create a privileged pod, exec into a node agent, or read secrets.",
	"Turn automount off for pods that do not call the API server; give those that do a dedicated service "
	"account with minimal RBAC.",
	"    spec:\n"
	"      automountServiceAccountToken: false\n");

const char bh_explain_BH0032[] = EX(
	"spec.shareProcessNamespace: true puts all containers of the pod in one PID namespace.",
	"Each container can see and signal the others' processes and, as the same user, read their "
	"environment and their root filesystem through /proc/<pid>/root — secrets of a sidecar included.",
	"The attacker who compromises the weakest container reads credentials from a sidecar's environment or "
	"files, or with SYS_PTRACE injects into it.",
	"Remove shareProcessNamespace unless a debugging or signalling sidecar needs it.",
	"    spec:\n"
	"      shareProcessNamespace: false\n");

const char bh_explain_BH0033[] = EX(
	"A container port sets hostPort: the port is bound on the node's address.",
	"The pod is reachable on the node's IP outside Services and ingress controls, and it can take a port "
	"that node services or other pods expect, intercepting their clients.",
	"The attacker binds a well-known port on the node's address to receive traffic meant for something "
	"else, or exposes a service past network controls that only cover pod addresses.",
	"Remove hostPort and publish the port through a Service.",
	"    ports:\n"
	"    - containerPort: 8080\n"
	"    # and a Service of type ClusterIP/NodePort/LoadBalancer\n");

const char bh_explain_BH0034[] = EX(
	"windowsOptions.hostProcess: true (pod or container) runs the container as a Windows HostProcess "
	"container.",
	"A HostProcess container is a process on the Windows node itself: host network, host filesystem, and "
	"the account it runs as (SYSTEM, for example). There is no container boundary to escape.",
	"The attacker who controls it controls the node: install services, read the kubelet's credentials, "
	"reach other pods.",
	"Remove hostProcess; node agents that need it belong in a dedicated, admission-controlled namespace.",
	"    securityContext:\n"
	"      windowsOptions:\n"
	"        hostProcess: false\n");

const char bh_explain_BH0035[] = EX(
	"A volume uses a type outside the Restricted profile's set (configMap, csi, downwardAPI, emptyDir, "
	"ephemeral, image, persistentVolumeClaim, projected, secret): nfs, iscsi, rbd, cephfs, flexVolume, "
	"gitRepo and other in-line node or network storage.",
	"These volumes are attached by the kubelet with the node's identity and credentials, sometimes by "
	"running programs on the node with the pod's parameters: gitRepo runs git on the node as root "
	"(CVE-2024-10220 executed the cloned repository's hooks there), flexVolume executes a driver binary.",
	"The attacker points a gitRepo volume at a repository whose hooks run on the node, or mounts network "
	"storage that the node can reach but the pod should not.",
	"Use persistentVolumeClaims backed by CSI drivers; clone repositories in an init container into an "
	"emptyDir.",
	"    volumes:\n"
	"    - name: src\n"
	"      emptyDir: {}\n");

const char bh_explain_BH0036[] = EX(
	"A mitigation: spec.hostUsers: false runs the pod in its own user namespace.",
	"It does not lead to escape — it blocks many: UID 0 in the pod maps to an unprivileged UID range on the "
	"node, and capabilities only count inside the pod's user namespace, so kernel checks against the "
	"node's resources fail. bulkhead lowers capability, privileged, root and procMount findings of such "
	"pods. It does not mitigate hostPath mounts or runtime sockets: volumes are idmapped, so root in the "
	"pod acts as root on the mounted host path.",
	"Attackers need a kernel bug that works from a user namespace instead of a misconfiguration; several "
	"high and critical container escapes were not exploitable with user namespaces.",
	"Keep it, and check that the nodes support it (Linux 6.3+, a runtime with idmap mounts).",
	"    spec:\n"
	"      hostUsers: false\n");

const char bh_explain_BH0200[] = EX(
	"A combination: the container adds CAP_SYS_ADMIN (or ALL) and runs without seccomp or AppArmor "
	"confinement (Unconfined, or no seccomp profile at all).",
	"This is the cgroup release_agent escape: with SYS_ADMIN and nothing filtering mount(2), the "
	"container mounts a cgroup v1 hierarchy whose release_agent file names a program the kernel runs as "
	"root in the node's namespaces when a cgroup becomes empty. The runtime's AppArmor and seccomp defaults "
	"are what normally refuse the mount.",
	"The attacker mounts a cgroup controller, enables notify_on_release on a new cgroup, writes the "
	"node-side path of a script in the container's filesystem into release_agent, and empties the cgroup; "
	"the script runs as root on the node.",
	"Remove SYS_ADMIN; at the very least keep RuntimeDefault seccomp and AppArmor.",
	"    securityContext:\n"
	"      capabilities:\n"
	"        drop: [\"ALL\"]\n"
	"      seccompProfile:\n"
	"        type: RuntimeDefault\n"
	"      appArmorProfile:\n"
	"        type: RuntimeDefault\n");

const char bh_explain_BH0201[] = EX(
	"A combination: a privileged container in a pod with hostPID: true.",
	"With the node's PID namespace the container sees PID 1 (the node's init); privileged gives it the "
	"capabilities to enter that process's namespaces. One command yields a root shell on the node.",
	"The attacker runs nsenter against PID 1 for its mount, UTS, IPC, network and PID namespaces and gets a "
	"root shell that is indistinguishable from one on the node itself.",
	"Remove both; node agents that need host processes should use narrower capabilities and no privileged.",
	"    spec:\n"
	"      hostPID: false\n"
	"      containers:\n"
	"      - name: app\n"
	"        securityContext:\n"
	"          privileged: false\n");

const char bh_explain_BH0202[] = EX(
	"A combination: hostPID: true and a container that adds CAP_SYS_PTRACE (or ALL) and may run as root.",
	"The container sees the node's processes and may trace them: it can write code into a process that "
	"runs as root on the node and make it run. Where the runtime's AppArmor profile is active it restricts "
	"ptrace to processes of the same profile; hosts without AppArmor have no such stop.",
	"The attacker attaches to a root process of the node (a daemon, the container runtime), injects a "
	"payload that spawns a shell or adds a key, and detaches.",
	"Remove SYS_PTRACE and hostPID.",
	"    spec:\n"
	"      hostPID: false\n"
	"      containers:\n"
	"      - name: app\n"
	"        securityContext:\n"
	"          capabilities:\n"
	"            drop: [\"ALL\"]\n");

const char bh_explain_BH0203[] = EX(
	"A combination: a container that may run as root mounts a container runtime's API socket (Docker, "
	"containerd, CRI-O, cri-dockerd, Podman, BuildKit) or a directory that holds one — read-only or not.",
	"The runtime's API starts containers with whatever the client asks: privileged, host namespaces, the "
	"node's / mounted. connect() on the socket needs no write access to the mount, so readOnly does not "
	"help; only the socket's own permissions (root, or the docker group) stand in the way, and root in the "
	"container passes them.",
	"The attacker asks the runtime for a new privileged container with the node's root filesystem mounted "
	"and chroots into it, or execs into other tenants' containers through the same API.",
	"Remove the socket mount. Build images with rootless BuildKit or kaniko; read container metadata from "
	"the kubelet or the API server.",
	"    volumes: []  # no hostPath to /var/run/docker.sock, /run/containerd, /run or /\n");

const char bh_explain_BH0204[] = EX(
	"A combination: hostNetwork: true and a container that may run as root and is granted CAP_NET_RAW or "
	"CAP_NET_ADMIN (capabilities.add; NET_RAW left in some runtimes' default set is reported by BH0029).",
	"In the node's network namespace, root with raw sockets sees and forges every packet of the node, "
	"other pods' traffic included, and reaches services that trust local callers: loopback-only ports and "
	"abstract Unix sockets (containerd-shim's gave root on the node, CVE-2020-15257), and the cloud "
	"metadata endpoint without hop limits. NET_ADMIN adds the node's firewall and routes.",
	"The attacker sniffs credentials from unencrypted traffic of the node, spoofs replies to other pods, "
	"rewrites the node's iptables to redirect Service traffic, or fetches the node's cloud credentials.",
	"Remove hostNetwork; if it must stay, run as non-root and drop ALL capabilities.",
	"    spec:\n"
	"      hostNetwork: true\n"
	"      securityContext:\n"
	"        runAsNonRoot: true\n"
	"        runAsUser: 65534\n"
	"      containers:\n"
	"      - name: agent\n"
	"        securityContext:\n"
	"          capabilities:\n"
	"            drop: [\"ALL\"]\n");

const char bh_explain_BH0250[] = EX(
	"The image is referenced with the tag \"latest\" and no digest.",
	"\"latest\" is whatever was pushed last: the image that runs is not the image that was reviewed, and "
	"it changes between nodes and restarts.",
	"An attacker with push access to the repository (or a compromised CI) pushes an implanted image under "
	"the same tag; every new pod runs it (ATT&CK T1525).",
	"Pin by digest.",
	"    image: registry.example.com/app:1.4.2@sha256:<digest>\n");

const char bh_explain_BH0251[] = EX(
	"The image is referenced without tag or digest, which means \"latest\".",
	"As with latest: the image that runs is whatever the registry serves at pull time.",
	"An attacker with push access replaces the image behind the implicit latest tag.",
	"Pin by digest.",
	"    image: registry.example.com/app:1.4.2@sha256:<digest>\n");

const char bh_explain_BH0252[] = EX(
	"The image is referenced by a tag without a digest.",
	"Tags are mutable: the same name can be pointed at a different image after review, and nodes may run "
	"different images under one tag.",
	"An attacker with push access re-tags an implanted image; pods pull it on the next start.",
	"Add the digest (the tag may stay for readability).",
	"    image: registry.example.com/app:1.4.2@sha256:<digest>\n");

const char bh_explain_BH0253[] = EX(
	"The image comes from a registry that is not in the trusted list of the bulkhead config "
	"(trustedRegistries:). Without a config there is no list and the rule stays silent.",
	"Images from unreviewed registries are unreviewed code running inside the cluster, often as root: a "
	"supply-chain compromise starts there.",
	"An attacker publishes or hijacks an image on a public registry that a manifest pulls, and runs "
	"their code with the pod's privileges.",
	"Mirror the image into a trusted registry (and pin it by digest), or add the registry to the list after "
	"review.",
	"    image: registry.example.com/mirror/app:1.4.2@sha256:<digest>\n");
