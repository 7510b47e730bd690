/* `node` rules (BH0600–BH0649): one row per escape-relevant node setting, and the evaluation of probed
 * node facts. Severities follow the project's rubric: critical = on its own a public, reliable path to
 * root on the node; high = one more step; medium = a gap that widens an escape; low = hygiene; info =
 * context and mitigations. CIS ids are those of the CIS Kubernetes Benchmark v1.8 as kube-bench numbers
 * them (cfg/cis-1.8/node.yaml). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/node.h"
#include "host/node_int.h"

#define T1611 "T1611"
#define T1068 "T1068"
#define REF_KUBELET "https://kubernetes.io/docs/reference/config-api/kubelet-config.v1beta1/"
#define REF_AUTHN "https://kubernetes.io/docs/reference/access-authn-authz/kubelet-authn-authz/"
#define REF_SYSCTL "https://docs.kernel.org/admin-guide/sysctl/kernel.html"


#define EX(what, why, how, fix) \
	"What:\n" what "\n\nWhy it leads to escape:\n" why "\n\nHow it is exploited:\n" how "\n\nFix:\n" fix


static const char ex_BH0600[] = EX(
	"The running kernel is in the range of a kernel CVE that has been used to leave containers, and the "
	"distribution's own data does not show the fix installed. bulkhead reads the kernel release, the "
	"distribution (os-release) and the kernel package version (dpkg status, the Debian /proc/version banner, "
	"Ubuntu's /proc/version_signature, or a RHEL release string, which is the package's version-release), then "
	"compares the package version with the distribution's fixed version from its advisory (DSA, USN, RHSA). "
	"Where the data file has no entry for the distribution, the finding says \"in range by upstream version\" "
	"and is lowered one step: distributions back-port fixes without changing the upstream version.",
	"Every container shares the node's kernel. A kernel bug reachable from inside a container turns code "
	"execution in any pod into root on the node, whatever the pod's securityContext says; namespaces, "
	"capabilities and cgroups are all enforced by the code being attacked.",
	"An attacker in any pod runs a public exploit: Dirty Pipe (CVE-2022-0847) overwrites read-only files such "
	"as the runc binary or setuid programs through the page cache; CVE-2022-0492 sets a cgroup v1 "
	"release_agent that the kernel runs as root on the node; nf_tables bugs (CVE-2022-1015, CVE-2024-1086) "
	"give kernel code execution from a user namespace. The evidence lists which preconditions hold on this "
	"node for a default pod.",
	"Install the fixed kernel package named in the finding and reboot (a package installed but not booted "
	"does not count: bulkhead reads the running release). Until then close the preconditions: disable "
	"unprivileged user namespaces, enforce seccompDefault and an LSM, move to cgroup v2.");

static const char ex_BH0601[] = EX(
	"A container runtime (runc, crun, containerd, CRI-O, Docker) or the kubelet on the node is a version with a "
	"known escape CVE. The version comes from the executable's --version output when bulkhead runs on the "
	"node's own root, otherwise from the package database; a distribution package is checked against the "
	"distribution's fixed version first (e.g. Debian's runc 1.1.5+ds1-1+deb12u1 carries the fix for "
	"CVE-2024-21626).",
	"The runtime sets up every container: its bugs are escapes by construction. runc CVE-2019-5736 lets a "
	"container overwrite the host's runc binary; CVE-2024-21626 (Leaky Vessels) leaks a host directory file "
	"descriptor into the container; containerd CVE-2022-23648 copies arbitrary host files into a container "
	"through an image's volume definition; CRI-O CVE-2022-0811 sets kernel parameters of the node.",
	"An attacker who can start a pod with a crafted image or working directory, or who already runs in a "
	"container, triggers the bug and reaches the node's filesystem or runs code as root on the node.",
	"Upgrade the runtime package to the fixed version named in the finding and restart it (containers keep "
	"running with the old shim until restarted).");

static const char ex_BH0602[] = EX(
	"The sysctls allow an unprivileged process to create a user namespace: kernel.unprivileged_userns_clone "
	"is 1 (Debian/Ubuntu kernels) or absent, and user.max_user_namespaces is above 0.",
	"Inside a new user namespace a process holds CAP_SYS_ADMIN and CAP_NET_ADMIN over it, which opens kernel "
	"code that is otherwise privileged: nf_tables, traffic control, mount of some filesystems, cgroup v1. Most "
	"kernel escape exploits of recent years start with unshare(CLONE_NEWUSER).",
	"From a pod without a seccomp profile, an attacker creates a user namespace and triggers an nf_tables or "
	"fs_context bug (CVE-2022-1015, CVE-2022-0185, CVE-2024-1086) for kernel code execution.",
	"Set user.max_user_namespaces=0 on nodes that do not run pods with hostUsers: false, or keep "
	"seccompDefault (RuntimeDefault blocks unshare(CLONE_NEWUSER) for unprivileged processes).");

static const char ex_BH0603[] = EX(
	"kernel.unprivileged_bpf_disabled is 0: any process may load BPF socket-filter programs.",
	"The BPF verifier is a large, bug-prone attack surface; verifier bugs (CVE-2021-3490, CVE-2021-31440, "
	"CVE-2022-23222) give arbitrary kernel read/write to unprivileged processes, i.e. to any container.",
	"An attacker in a pod loads a crafted BPF program that passes a buggy verifier and overwrites their "
	"credentials in kernel memory.",
	"Set kernel.unprivileged_bpf_disabled=2 (or 1) and keep RuntimeDefault seccomp, which blocks bpf(2).");

static const char ex_BH0604[] = EX(
	"kernel.io_uring_disabled is 0 or absent: every process may create io_uring instances.",
	"io_uring has been a steady source of local privilege-escalation bugs, and its operations bypass "
	"syscall-based monitoring. Google disabled it in ChromeOS and its production servers for this reason.",
	"An attacker in a pod exploits an io_uring bug for kernel code execution, or uses io_uring to perform "
	"file operations that syscall-based detectors do not see.",
	"Set kernel.io_uring_disabled=2 (kernel 6.6 and later); RuntimeDefault seccomp profiles of recent "
	"runtimes also block io_uring_setup.");

static const char ex_BH0605[] = EX(
	"kernel.kptr_restrict is 0, kernel.dmesg_restrict is 0, or kernel.perf_event_paranoid is below 2: kernel "
	"pointers, the kernel log or kernel profiling are available to unprivileged processes.",
	"Kernel exploits need kernel addresses to defeat KASLR; the log and /proc/kallsyms give them away, and "
	"perf events are both an address leak and an attack surface.",
	"An attacker reads kernel addresses from dmesg or kallsyms and makes an otherwise unreliable kernel "
	"exploit reliable.",
	"Set kernel.kptr_restrict=1, kernel.dmesg_restrict=1 and kernel.perf_event_paranoid=2 (3 on kernels "
	"that support it).");

static const char ex_BH0606[] = EX(
	"kernel.yama.ptrace_scope is 0 (or Yama is absent): a process may ptrace any process of the same uid.",
	"Containers of one uid and node processes of that uid become reachable by ptrace when PID namespaces are "
	"shared (hostPID, shareProcessNamespace); Yama scope 1 limits ptrace to descendants.",
	"An attacker in a hostPID pod attaches to a node process running as the same uid and injects code.",
	"Set kernel.yama.ptrace_scope=1 (2 restricts ptrace to CAP_SYS_PTRACE).");

static const char ex_BH0607[] = EX(
	"kernel.modules_disabled is 0: kernel modules can still be loaded.",
	"A container given CAP_SYS_MODULE (or a privileged one) loads code into the node's kernel. Most nodes "
	"need module loading at boot, so this is context rather than a fault.",
	"An attacker in a privileged pod runs insmod with a module of their own: a rootkit on the node.",
	"Where the module set is fixed after boot, set kernel.modules_disabled=1 at the end of boot; never give "
	"pods CAP_SYS_MODULE.");

static const char ex_BH0608[] = EX(
	"One of fs.protected_symlinks, fs.protected_hardlinks, fs.protected_fifos or fs.protected_regular is 0.",
	"These protections stop the classic link and FIFO tricks in world-writable sticky directories (/tmp). "
	"Host paths shared with pods, such as hostPath volumes under /tmp or /var/log, then let a container plant "
	"a link that a node process follows as root.",
	"An attacker with a hostPath volume on a shared directory creates a symlink or hardlink that a root "
	"process on the node writes through, overwriting a node file.",
	"Set fs.protected_symlinks=1, fs.protected_hardlinks=1, fs.protected_fifos=1 and fs.protected_regular=1 "
	"(the systemd defaults).");

static const char ex_BH0609[] = EX(
	"/proc/cgroups shows controllers bound to cgroup v1 hierarchies: the node runs cgroup v1 or hybrid mode.",
	"Every cgroup v1 hierarchy root has a release_agent file whose program the kernel runs as root in the "
	"node's namespaces when a cgroup empties. A container that can write it, or mount a new hierarchy "
	"(CAP_SYS_ADMIN without seccomp and LSM, or CVE-2022-0492 on unpatched kernels), escapes.",
	"An attacker with CAP_SYS_ADMIN mounts a v1 hierarchy in a pod, sets notify_on_release and release_agent "
	"to a script in the container's root seen from the host, and empties the cgroup.",
	"Boot nodes with cgroup v2 only (systemd.unified_cgroup_hierarchy=1; Kubernetes supports v2 since 1.25); "
	"keep pods without CAP_SYS_ADMIN and confined by seccomp and an LSM.");

static const char ex_BH0610[] = EX(
	"Neither AppArmor with loaded profiles nor SELinux in enforcing mode is active on the node "
	"(/sys/kernel/security/lsm, /sys/module/apparmor/parameters/enabled, AppArmor's profile list, "
	"/sys/fs/selinux/enforce).",
	"The runtime's default AppArmor profile and SELinux's container_t type are the second wall behind "
	"capabilities: they deny mount, writes to /proc/sys and /sys, and access to node files. They stopped "
	"CVE-2022-0492 and several runc escapes where capabilities alone did not.",
	"An attacker with CAP_SYS_ADMIN in a pod mounts a cgroup v1 hierarchy or writes kernel knobs that the LSM "
	"profile would have denied.",
	"Enable AppArmor (Debian/Ubuntu) or SELinux in enforcing mode (RHEL family), keep the runtime's default "
	"profile, and set pods' appArmorProfile/seLinuxOptions to the runtime default.");

static const char ex_BH0611[] = EX(
	"The kernel does not list seccomp filter actions (/proc/sys/kernel/seccomp/actions_avail) and processes "
	"show no Seccomp field: seccomp filtering is not available.",
	"Without seccomp, RuntimeDefault profiles silently do nothing: every syscall of every container reaches "
	"the kernel, including unshare, keyctl, bpf and mount.",
	"An attacker uses any syscall-level kernel bug from any pod.",
	"Run a kernel built with CONFIG_SECCOMP and CONFIG_SECCOMP_FILTER (every mainstream distribution kernel).");

static const char ex_BH0612[] = EX(
	"The kubelet accepts anonymous requests on its API port (10250): authentication.anonymous.enabled is true, "
	"or --anonymous-auth is true, or the kubelet runs without a config file and without the flag (the flag "
	"defaults to true). CIS Kubernetes Benchmark 4.2.1.",
	"Anonymous requests are then authorized as system:anonymous. With Webhook authorization that user usually "
	"has no rights; with AlwaysAllow (BH0613) it may run commands in every container on the node.",
	"An attacker who reaches port 10250 from a pod or the network calls /pods, /exec, /run or /attach as "
	"anonymous; tools such as kubeletctl automate it.",
	"Set authentication.anonymous.enabled: false in the kubelet config (or --anonymous-auth=false) and "
	"restart the kubelet.");

static const char ex_BH0613[] = EX(
	"The kubelet's authorization.mode (or --authorization-mode) is AlwaysAllow: every authenticated request, "
	"and every anonymous one when anonymous auth is on, may use every kubelet API. This is the flag default "
	"when the kubelet runs without a config file. CIS 4.2.2.",
	"The kubelet API runs commands in containers (/exec, /run), attaches to them and reads their logs. "
	"Whoever reaches it runs code in every pod of the node, including privileged ones, which is root on the "
	"node.",
	"An attacker in any pod sends POST /run/<namespace>/<pod>/<container> to the node's port 10250 and runs "
	"commands in a privileged pod.",
	"Set authorization.mode: Webhook (and authentication.webhook.enabled: true) so the API server decides "
	"through SubjectAccessReview.");

static const char ex_BH0614[] = EX(
	"The kubelet's read-only port (readOnlyPort / --read-only-port, default 10255 when no config file is "
	"used) is open. It serves /pods, /spec and /stats without authentication or authorization. CIS 4.2.4.",
	"Every pod spec on the node, with environment variables, images, volumes and service-account names, is "
	"readable by anyone who reaches the node, which is the reconnaissance for an escape or for stealing "
	"secrets passed through the environment.",
	"An attacker in any pod reads http://NODE:10255/pods and picks the privileged pods, hostPath mounts and "
	"credentials to target.",
	"Set readOnlyPort: 0 (--read-only-port=0); scrape metrics through the authenticated port.");

static const char ex_BH0615[] = EX(
	"The kubelet has no client CA file (authentication.x509.clientCAFile / --client-ca-file), so it cannot "
	"verify client certificates. CIS 4.2.3.",
	"Without it the API server's client certificate cannot authenticate to the kubelet and operators tend to "
	"fall back to anonymous access or AlwaysAllow; the kubelet also cannot tell the API server from anyone "
	"else presenting a certificate.",
	"An attacker relies on the weaker authentication that remains (anonymous, tokens) to reach exec and run "
	"endpoints.",
	"Set authentication.x509.clientCAFile to the cluster CA (kubeadm: /etc/kubernetes/pki/ca.crt).");

static const char ex_BH0616[] = EX(
	"seccompDefault is false (the default): pods that do not set a seccompProfile run with no seccomp filter "
	"at all (Unconfined).",
	"RuntimeDefault blocks the syscalls most kernel escapes start with (unshare with CLONE_NEWUSER, keyctl, "
	"bpf, mount). Without seccompDefault each workload must opt in, and most do not.",
	"An attacker in an ordinary pod creates a user namespace and reaches nf_tables or other kernel code "
	"with a known bug.",
	"Set seccompDefault: true in the kubelet config (--seccomp-default), after testing workloads with "
	"RuntimeDefault.");

static const char ex_BH0617[] = EX(
	"protectKernelDefaults is false: the kubelet adjusts kernel tunables it depends on instead of failing when "
	"they differ. kube-bench's earlier CIS profiles checked it as 4.2.6.",
	"A kubelet that silently changes sysctls can undo hardening the node's administrators applied; with "
	"protectKernelDefaults the node's own settings win and deviations are visible.",
	"An attacker benefits indirectly: hardening sysctls set by configuration management may not be in effect.",
	"Set protectKernelDefaults: true and set vm.overcommit_memory=1, vm.panic_on_oom=0, kernel.panic=10, "
	"kernel.panic_on_oops=1 on the node.");

static const char ex_BH0618[] = EX(
	"rotateCertificates or serverTLSBootstrap is off: the kubelet's client certificate or serving certificate "
	"is not renewed through the API server. CIS 4.2.10 and 4.2.11.",
	"Long-lived kubelet credentials on disk are what an attacker takes after an escape; rotation bounds how "
	"long a stolen credential works, and a bootstrapped serving certificate lets clients verify the kubelet.",
	"An attacker who read /var/lib/kubelet/pki from a hostPath mount keeps using the node's identity for the "
	"certificate's full lifetime.",
	"Set rotateCertificates: true and serverTLSBootstrap: true, and approve kubelet-serving CSRs.");

static const char ex_BH0619[] = EX(
	"A kubelet file is group- or world-accessible beyond 0600, or not owned by root: the kubelet config "
	"(CIS 4.1.9/4.1.10), its kubeconfig (4.1.5/4.1.6), the client CA (4.1.7/4.1.8) or the systemd drop-in "
	"(4.1.1/4.1.2).",
	"Whoever can write the kubelet's config or service file decides its authentication and authorization, "
	"and a readable kubeconfig hands out the node's credentials. Write access for a non-root user is root on "
	"the node at the next kubelet restart.",
	"An attacker with a foothold as an unprivileged node user, or a pod with a hostPath of /var/lib/kubelet, "
	"reads the node credentials or turns on anonymous access.",
	"chmod 600 and chown root:root each file named in the finding.");

static const char ex_BH0620[] = EX(
	"The runtime's configuration switches off the default confinement for every container: containerd's "
	"disable_apparmor = true or unset_seccomp_profile, CRI-O's seccomp_profile pointing at an unconfined "
	"profile, or Docker's \"seccomp-profile\": \"unconfined\".",
	"Pods that ask for RuntimeDefault then get no seccomp filter or no AppArmor profile, while their manifests "
	"look compliant: admission and static scans cannot see it.",
	"An attacker in a pod that declares RuntimeDefault still reaches unshare, mount and keyctl.",
	"Remove the setting from the runtime configuration and restart the runtime.");

static const char ex_BH0621[] = EX(
	"containerd's enable_unprivileged_ports or enable_unprivileged_icmp is true: every pod's network namespace "
	"gets net.ipv4.ip_unprivileged_port_start=0 or ping_group_range open to all.",
	"Small in itself: it removes one of the reasons workloads keep CAP_NET_BIND_SERVICE or NET_RAW, but also "
	"lets any process in a pod bind ports below 1024 and open ICMP sockets.",
	"An attacker binds a privileged port inside the pod to impersonate a service on the pod network.",
	"Leave both unset unless a workload needs them.");

static const char ex_BH0622[] = EX(
	"Part of the node could not be read: files missing under --root, permissions (not root), no kubelet "
	"process, an rpm database bulkhead has no reader for, or executables not run because the root is not /.",
	"Unread facts are not \"fine\": a kernel package that could not be read may be vulnerable, a kubelet "
	"config that could not be found may have anonymous auth on.",
	"Attackers do not care what the scanner could see.",
	"Run bulkhead node as root with the host's / mounted read-only at /host (deploy/node/), or give "
	"--kubelet-config / --kubelet-flags.");

static const char ex_BH0623[] = EX(
	"Mitigations seen on the node: an enforcing LSM, cgroup v2 only, user namespaces disabled, unprivileged "
	"BPF disabled, seccompDefault, kernel CVEs fixed by distribution back-ports.",
	"They close or narrow escape paths that other findings describe.",
	"They make exploits that depend on them fail.",
	"Nothing to fix.");

const struct bh_rule bh_node_rule_table[R_N] = {
	[R_KERNEL_CVE] = {"BH0600", "node-kernel-escape-cve", BH_SEV_HIGH,
			  "The node's kernel package carries a known container-escape CVE", T1068, NULL, NULL,
			  "Install the distribution's fixed kernel package named in the finding and reboot the node.",
			  "https://www.cve.org/ https://security-tracker.debian.org/tracker/ https://ubuntu.com/security/cves "
			  "https://access.redhat.com/security/security-updates/cve", NULL, ex_BH0600},
	[R_RUNTIME_CVE] = {"BH0601", "node-runtime-escape-cve", BH_SEV_HIGH,
			   "A container runtime or the kubelet has a known escape CVE", T1611, NULL, NULL,
			   "Upgrade the runtime package to the fixed version named in the finding; restart it.",
			   "https://github.com/opencontainers/runc/security/advisories "
			   "https://github.com/containerd/containerd/security/advisories", NULL, ex_BH0601},
	[R_USERNS] = {"BH0602", "node-unprivileged-userns", BH_SEV_MEDIUM,
		      "Unprivileged user namespaces can be created on the node", T1068, NULL, NULL,
		      "Set user.max_user_namespaces=0 (or kernel.unprivileged_userns_clone=0) where pods do not use "
		      "user namespaces; keep seccompDefault so pods cannot call unshare(CLONE_NEWUSER).",
		      "https://man7.org/linux/man-pages/man7/user_namespaces.7.html", NULL, ex_BH0602},
	[R_BPF] = {"BH0603", "node-unprivileged-bpf", BH_SEV_MEDIUM, "Unprivileged BPF is allowed on the node",
		   T1068, NULL, NULL, "Set kernel.unprivileged_bpf_disabled=1 (or 2).", REF_SYSCTL, NULL, ex_BH0603},
	[R_IO_URING] = {"BH0604", "node-io-uring-enabled", BH_SEV_LOW, "io_uring is available to every process",
			T1068, NULL, NULL, "Set kernel.io_uring_disabled=2 (or 1 with a trusted group) on kernels >= 6.6.",
			REF_SYSCTL, NULL, ex_BH0604},
	[R_INFO_LEAK] = {"BH0605", "node-kernel-info-leak", BH_SEV_LOW,
			 "Kernel addresses or logs are readable without privilege", T1068, NULL, NULL,
			 "Set kernel.kptr_restrict=1, kernel.dmesg_restrict=1, kernel.perf_event_paranoid=2 (or 3).",
			 REF_SYSCTL, NULL, ex_BH0605},
	[R_PTRACE] = {"BH0606", "node-ptrace-unrestricted", BH_SEV_LOW, "Yama does not restrict ptrace", T1611, NULL,
		      NULL, "Set kernel.yama.ptrace_scope=1 (or 2).",
		      "https://docs.kernel.org/admin-guide/LSM/Yama.html", NULL, ex_BH0606},
	[R_MODULES] = {"BH0607", "node-modules-loadable", BH_SEV_INFO, "Kernel modules can still be loaded", T1611,
		       NULL, NULL, "Where the module set is fixed after boot, set kernel.modules_disabled=1.",
		       REF_SYSCTL, NULL, ex_BH0607},
	[R_FS_PROT] = {"BH0608", "node-fs-protections-off", BH_SEV_LOW,
		       "Symlink, hardlink, FIFO or regular-file protections are off", T1611, NULL, NULL,
		       "Set fs.protected_symlinks=1, fs.protected_hardlinks=1, fs.protected_fifos=1 (or 2), "
		       "fs.protected_regular=1 (or 2).", "https://docs.kernel.org/admin-guide/sysctl/fs.html", NULL,
		       ex_BH0608},
	[R_CGROUP_V1] = {"BH0609", "node-cgroup-v1", BH_SEV_MEDIUM,
			 "The node uses cgroup v1: every hierarchy root has a release_agent", T1611, NULL, NULL,
			 "Move the node to cgroup v2 only (systemd.unified_cgroup_hierarchy=1); keep pods without "
			 "CAP_SYS_ADMIN and with RuntimeDefault seccomp and an LSM profile.",
			 "https://www.cve.org/CVERecord?id=CVE-2022-0492 https://kubernetes.io/docs/concepts/architecture/cgroups/",
			 NULL, ex_BH0609},
	[R_NO_LSM] = {"BH0610", "node-no-lsm", BH_SEV_HIGH,
		      "No enforcing AppArmor or SELinux on the node: pods get no LSM confinement", T1611, NULL, NULL,
		      "Enable AppArmor (with the runtime's default profile) or SELinux in enforcing mode.",
		      "https://kubernetes.io/docs/tutorials/security/apparmor/", NULL, ex_BH0610},
	[R_NO_SECCOMP] = {"BH0611", "node-no-seccomp", BH_SEV_HIGH, "The kernel does not offer seccomp filters",
			  T1611, NULL, NULL, "Run a kernel built with CONFIG_SECCOMP_FILTER.",
			  "https://docs.kernel.org/userspace-api/seccomp_filter.html", NULL, ex_BH0611},
	[R_ANON] = {"BH0612", "kubelet-anonymous-auth", BH_SEV_HIGH,
		    "The kubelet API accepts anonymous requests (CIS 4.2.1)", T1611, NULL, NULL,
		    "Set authentication.anonymous.enabled: false (--anonymous-auth=false).", REF_AUTHN, NULL, ex_BH0612},
	[R_ALWAYS_ALLOW] = {"BH0613", "kubelet-authorization-always-allow", BH_SEV_CRITICAL,
			    "The kubelet authorizes every request: AlwaysAllow (CIS 4.2.2)", T1611, NULL, NULL,
			    "Set authorization.mode: Webhook (--authorization-mode=Webhook).", REF_AUTHN, NULL, ex_BH0613},
	[R_RO_PORT] = {"BH0614", "kubelet-read-only-port", BH_SEV_MEDIUM,
		       "The kubelet's unauthenticated read-only port is open (CIS 4.2.4)", T1611, NULL, NULL,
		       "Set readOnlyPort: 0 (--read-only-port=0).", REF_KUBELET, NULL, ex_BH0614},
	[R_NO_CLIENT_CA] = {"BH0615", "kubelet-no-client-ca", BH_SEV_MEDIUM,
			    "The kubelet has no client CA: client certificates are not verified (CIS 4.2.3)", T1611,
			    NULL, NULL, "Set authentication.x509.clientCAFile (--client-ca-file) to the cluster CA.",
			    REF_AUTHN, NULL, ex_BH0615},
	[R_SECCOMP_DEFAULT] = {"BH0616", "kubelet-seccomp-default-off", BH_SEV_MEDIUM,
			       "Pods without a seccomp profile run Unconfined (seccompDefault is off)", T1611, NULL,
			       NULL, "Set seccompDefault: true (--seccomp-default).",
			       "https://kubernetes.io/docs/tutorials/security/seccomp/#enable-the-use-of-runtimedefault-as-the-default-seccomp-profile-for-all-workloads",
			       NULL, ex_BH0616},
	[R_PKD] = {"BH0617", "kubelet-protect-kernel-defaults-off", BH_SEV_LOW,
		   "The kubelet may change kernel tunables (protectKernelDefaults is off)", T1611, NULL, NULL,
		   "Set protectKernelDefaults: true and set the sysctls the kubelet expects on the node.", REF_KUBELET,
		   NULL, ex_BH0617},
	[R_ROTATION] = {"BH0618", "kubelet-certificate-rotation-off", BH_SEV_LOW,
			"Kubelet certificates are not rotated (CIS 4.2.10/4.2.11)", "T1552", NULL, NULL,
			"Set rotateCertificates: true and serverTLSBootstrap: true (approve the serving CSRs).",
			"https://kubernetes.io/docs/reference/access-authn-authz/kubelet-tls-bootstrapping/", NULL,
			ex_BH0618},
	[R_FILE_PERMS] = {"BH0619", "kubelet-file-permissions", BH_SEV_MEDIUM,
			  "A kubelet configuration or credential file is too open (CIS 4.1.x)", T1611, NULL, NULL,
			  "chmod 600 and chown root:root the file (kubelet config, kubeconfig, client CA, service drop-in).",
			  "https://www.cisecurity.org/benchmark/kubernetes", NULL, ex_BH0619},
	[R_RT_UNCONFINED] = {"BH0620", "runtime-default-unconfined", BH_SEV_HIGH,
			     "The container runtime's default seccomp or AppArmor profile is switched off", T1611, NULL,
			     NULL, "Remove disable_apparmor / unset_seccomp_profile (containerd), seccomp_profile "
			     "\"unconfined\" (CRI-O) or \"seccomp-profile\": \"unconfined\" (Docker).",
			     "https://github.com/containerd/containerd/blob/main/docs/cri/config.md", NULL, ex_BH0620},
	[R_RT_UNPRIV_PORTS] = {"BH0621", "runtime-unprivileged-ports", BH_SEV_LOW,
			       "Pods may bind low ports / open ICMP sockets without capabilities", T1611, NULL, NULL,
			       "Leave enable_unprivileged_ports and enable_unprivileged_icmp unset unless needed.",
			       "https://github.com/containerd/containerd/blob/main/docs/cri/config.md", NULL, ex_BH0621},
	[R_UNREAD] = {"BH0622", "node-facts-unread", BH_SEV_INFO, "Part of the node could not be read", NULL, NULL,
		      NULL, "Run `bulkhead node` as root with the host's / mounted read-only (deploy/node/).", NULL,
		      NULL, ex_BH0622},
	[R_MITIGATIONS] = {"BH0623", "node-mitigations", BH_SEV_INFO, "Mitigations seen on the node", NULL, NULL,
			   NULL, "Nothing to fix.", NULL, NULL, ex_BH0623},
};

const struct bh_rule *bh_node_rules(size_t *n)
{
	*n = R_N;
	return bh_node_rule_table;
}

