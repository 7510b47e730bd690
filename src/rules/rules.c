/* The rule table. A new rule is one function and one row here, plus a golden case and its explanation. */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "escape.h"

void bh_rule_privileged(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_pid(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_ipc(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_network(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_path(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_caps_added(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_sys_admin(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_sys_module(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_all(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_sys_ptrace(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_dac_read_search(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_dac_override(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_net_admin(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_net_raw(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_bpf(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_perfmon(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_sys_rawio(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_sys_boot(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_mac_admin(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_cap_mac_override(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_seccomp_unconfined(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_seccomp_not_set(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_apparmor_unconfined(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_selinux(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_proc_mount(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_unsafe_sysctl(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_allow_priv_esc(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_run_as_root(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_caps_not_dropped(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_writable_rootfs(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_sa_token(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_share_pid(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_port(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_windows_host_process(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_volume_types(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_user_namespace(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_combo_sys_admin_unconfined(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_combo_privileged_host_pid(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_combo_host_pid_ptrace(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_combo_runtime_socket(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_combo_host_network_services(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_image_latest(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_image_no_tag(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_image_no_digest(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_image_untrusted_registry(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);

#define PSS_REF "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

const struct bh_rule bh_rules[] = {
	/* Escape rules (escape_*.c): BH0001–BH0099. Severity is the default; rules with "by target" or a
	 * mitigation emit other severities and say why in the message. */
#define ATT(t) " https://attack.mitre.org/techniques/" t "/"
#define CAPS_REF "https://man7.org/linux/man-pages/man7/capabilities.7.html"
#define ROW(id, name, sev, title, tech, lvl, chk, fix, refs, fn) \
	{#id, name, sev, title, tech, lvl, chk, fix, refs, bh_rule_##fn, bh_explain_##id}
	ROW(BH0001, "privileged-container", BH_SEV_CRITICAL, "Privileged container", "T1611", "baseline", "privileged",
	    "Remove securityContext.privileged or set it to false; grant the single capability the workload needs instead.",
	    PSS_REF ATT("T1611") " https://github.com/BishopFox/badPods", privileged),
	ROW(BH0002, "host-pid", BH_SEV_HIGH, "Pod shares the host PID namespace", "T1611", "baseline", "hostNamespaces",
	    "Remove spec.hostPID or set it to false.", PSS_REF ATT("T1611"), host_pid),
	ROW(BH0003, "host-ipc", BH_SEV_HIGH, "Pod shares the host IPC namespace", "T1611", "baseline", "hostNamespaces",
	    "Remove spec.hostIPC or set it to false.", PSS_REF ATT("T1611"), host_ipc),
	ROW(BH0004, "host-network", BH_SEV_HIGH, "Pod shares the host network namespace", "T1611", "baseline",
	    "hostNamespaces", "Remove spec.hostNetwork or set it to false; expose the workload through a Service.",
	    PSS_REF ATT("T1611") " https://nvd.nist.gov/vuln/detail/CVE-2020-15257", host_network),
	ROW(BH0005, "host-path-volume", BH_SEV_CRITICAL, "hostPath volume (severity by target)", "T1611", "baseline",
	    "hostPathVolumes",
	    "Replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir; if it must stay, "
	    "mount the narrowest path readOnly and never a runtime socket or a directory above one.",
	    PSS_REF " https://kubernetes.io/docs/concepts/storage/volumes/#hostpath"
	    " https://www.aquasec.com/blog/kubernetes-security-pod-escape-log-mounts/" ATT("T1611"), host_path),
	ROW(BH0006, "capabilities-added", BH_SEV_MEDIUM, "Container adds a capability outside the runtime's default set",
	    "T1611", "baseline", "capabilities_baseline",
	    "Remove the capability from securityContext.capabilities.add; drop ALL and add back only what the process "
	    "needs (usually NET_BIND_SERVICE at most).",
	    PSS_REF " " CAPS_REF, caps_added),
	ROW(BH0007, "cap-sys-admin", BH_SEV_CRITICAL, "Container adds CAP_SYS_ADMIN", "T1611", "baseline",
	    "capabilities_baseline", "Remove SYS_ADMIN from capabilities.add; use a CSI driver or a device plugin for mounts and devices.",
	    CAPS_REF " https://nvd.nist.gov/vuln/detail/CVE-2022-0492" ATT("T1611"), cap_sys_admin),
	ROW(BH0008, "cap-sys-module", BH_SEV_CRITICAL, "Container adds CAP_SYS_MODULE", "T1611", "baseline",
	    "capabilities_baseline", "Remove SYS_MODULE; load the modules the node needs from the node's own configuration.",
	    CAPS_REF ATT("T1611"), cap_sys_module),
	ROW(BH0009, "cap-all", BH_SEV_CRITICAL, "Container adds ALL capabilities", "T1611", "baseline",
	    "capabilities_baseline", "Replace add: [ALL] with the single capabilities the process needs, after drop: [ALL].",
	    CAPS_REF ATT("T1611"), cap_all),
	ROW(BH0010, "cap-sys-ptrace", BH_SEV_HIGH, "Container adds CAP_SYS_PTRACE", "T1055.008", "baseline",
	    "capabilities_baseline", "Remove SYS_PTRACE; debug with an ephemeral container when needed, not in the workload.",
	    CAPS_REF ATT("T1055/008") ATT("T1611"), cap_sys_ptrace),
	ROW(BH0011, "cap-dac-read-search", BH_SEV_HIGH, "Container adds CAP_DAC_READ_SEARCH", "T1611", "baseline",
	    "capabilities_baseline", "Remove DAC_READ_SEARCH; give the process files it may read through volumes instead.",
	    CAPS_REF " https://man7.org/linux/man-pages/man2/open_by_handle_at.2.html" ATT("T1611"), cap_dac_read_search),
	ROW(BH0012, "cap-dac-override", BH_SEV_MEDIUM, "Container adds CAP_DAC_OVERRIDE", "T1611", NULL, NULL,
	    "Remove DAC_OVERRIDE from capabilities.add and fix file ownership (fsGroup, runAsUser) instead.",
	    CAPS_REF ATT("T1611"), cap_dac_override),
	ROW(BH0013, "cap-net-admin", BH_SEV_HIGH, "Container adds CAP_NET_ADMIN", "T1068", "baseline",
	    "capabilities_baseline", "Remove NET_ADMIN; leave network set-up to the CNI plugin or an init step on the node.",
	    CAPS_REF " https://nvd.nist.gov/vuln/detail/CVE-2022-1015" ATT("T1068"), cap_net_admin),
	ROW(BH0014, "cap-net-raw", BH_SEV_MEDIUM, "Container adds CAP_NET_RAW", "T1557.002", "baseline",
	    "capabilities_baseline", "Remove NET_RAW; for ping, set the safe sysctl net.ipv4.ping_group_range instead.",
	    CAPS_REF " https://nvd.nist.gov/vuln/detail/CVE-2020-14386" ATT("T1557/002"), cap_net_raw),
	ROW(BH0015, "cap-bpf", BH_SEV_HIGH, "Container adds CAP_BPF", "T1068", "baseline", "capabilities_baseline",
	    "Remove BPF; run BPF-based agents as node components reviewed as such.", CAPS_REF ATT("T1068"), cap_bpf),
	ROW(BH0016, "cap-perfmon", BH_SEV_HIGH, "Container adds CAP_PERFMON", "T1068", "baseline", "capabilities_baseline",
	    "Remove PERFMON; profile with node-level tooling.", CAPS_REF ATT("T1068"), cap_perfmon),
	ROW(BH0017, "cap-sys-rawio", BH_SEV_HIGH, "Container adds CAP_SYS_RAWIO", "T1611", "baseline",
	    "capabilities_baseline", "Remove SYS_RAWIO; use a device plugin for the device the workload needs.",
	    CAPS_REF ATT("T1611"), cap_sys_rawio),
	ROW(BH0018, "cap-sys-boot", BH_SEV_HIGH, "Container adds CAP_SYS_BOOT", "T1611", "baseline", "capabilities_baseline",
	    "Remove SYS_BOOT; node reboots belong to node maintenance tooling (kured, the node's own agent).",
	    CAPS_REF " https://man7.org/linux/man-pages/man2/kexec_load.2.html" ATT("T1611"), cap_sys_boot),
	ROW(BH0019, "cap-mac-admin", BH_SEV_MEDIUM, "Container adds CAP_MAC_ADMIN", "T1562.001", "baseline",
	    "capabilities_baseline", "Remove MAC_ADMIN; load LSM policy from the node (e.g. the security-profiles-operator with review).",
	    CAPS_REF ATT("T1562/001"), cap_mac_admin),
	ROW(BH0020, "cap-mac-override", BH_SEV_MEDIUM, "Container adds CAP_MAC_OVERRIDE", "T1562.001", "baseline",
	    "capabilities_baseline", "Remove MAC_OVERRIDE.", CAPS_REF ATT("T1562/001"), cap_mac_override),
	ROW(BH0021, "seccomp-profile-unconfined", BH_SEV_HIGH, "Seccomp profile Unconfined", "T1068", "baseline",
	    "seccompProfile_baseline", "Set seccompProfile.type: RuntimeDefault (or a reviewed Localhost profile).",
	    PSS_REF " https://kubernetes.io/docs/tutorials/security/seccomp/" ATT("T1068"), seccomp_unconfined),
	ROW(BH0022, "seccomp-not-set", BH_SEV_MEDIUM, "No seccomp profile", "T1068", "restricted",
	    "seccompProfile_restricted", "Set spec.securityContext.seccompProfile.type: RuntimeDefault.",
	    PSS_REF " https://kubernetes.io/docs/tutorials/security/seccomp/" ATT("T1068"), seccomp_not_set),
	ROW(BH0023, "apparmor-unconfined", BH_SEV_HIGH, "AppArmor profile Unconfined", "T1611", "baseline",
	    "appArmorProfile", "Remove the Unconfined AppArmor profile (field or annotation); use RuntimeDefault or Localhost.",
	    PSS_REF " https://kubernetes.io/docs/tutorials/security/apparmor/" ATT("T1611"), apparmor_unconfined),
	ROW(BH0024, "selinux-unconfined", BH_SEV_HIGH, "SELinux type outside the container policy, or custom user/role",
	    "T1611", "baseline", "seLinuxOptions",
	    "Remove seLinuxOptions.type (or use container_t), user and role; let the runtime pick the level.",
	    PSS_REF " https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container"
	    ATT("T1611"), selinux),
	ROW(BH0025, "proc-mount-unmasked", BH_SEV_HIGH, "Unmasked /proc (procMount: Unmasked)", "T1611", "baseline",
	    "procMount", "Remove securityContext.procMount or set it to Default.",
	    PSS_REF " https://kubernetes.io/docs/concepts/security/linux-kernel-security-constraints/" ATT("T1611"), proc_mount),
	ROW(BH0026, "unsafe-sysctl", BH_SEV_HIGH, "Sysctl outside the safe set", "T1499", "baseline", "sysctls",
	    "Remove the sysctl or set it on the node; keep pod sysctls to the safe set of the Pod Security Standards.",
	    PSS_REF " https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/" ATT("T1499"), unsafe_sysctl),
	ROW(BH0027, "allow-privilege-escalation", BH_SEV_MEDIUM, "allowPrivilegeEscalation not false", "T1548.001",
	    "restricted", "allowPrivilegeEscalation", "Set securityContext.allowPrivilegeEscalation: false on every container.",
	    PSS_REF " https://www.kernel.org/doc/html/latest/userspace-api/no_new_privs.html" ATT("T1548/001"), allow_priv_esc),
	ROW(BH0028, "run-as-root", BH_SEV_MEDIUM, "Container may run as root (UID 0 or group 0)", "T1611", "restricted",
	    "runAsNonRoot", "Set runAsNonRoot: true and a non-zero runAsUser/runAsGroup on the pod securityContext.",
	    PSS_REF ATT("T1611"), run_as_root),
	ROW(BH0029, "capabilities-drop-all-missing", BH_SEV_MEDIUM, "Capabilities not dropped (no drop: [ALL])", "T1611",
	    "restricted", "capabilities_restricted",
	    "Set securityContext.capabilities.drop: [ALL] and add back only what the process needs.",
	    PSS_REF " " CAPS_REF ATT("T1611"), caps_not_dropped),
	ROW(BH0030, "root-filesystem-writable", BH_SEV_LOW, "Writable root filesystem", "T1105", NULL, NULL,
	    "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write.",
	    "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/" ATT("T1105"), writable_rootfs),
	ROW(BH0031, "service-account-token-automount", BH_SEV_LOW, "Service-account token mounted", "T1552.001", NULL, NULL,
	    "Set automountServiceAccountToken: false on the pod (or its ServiceAccount) unless it calls the API server.",
	    "https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/" ATT("T1552/001"), sa_token),
	ROW(BH0032, "share-process-namespace", BH_SEV_LOW, "Containers share one PID namespace", "T1055", NULL, NULL,
	    "Remove spec.shareProcessNamespace unless a sidecar truly needs to see the other processes.",
	    "https://kubernetes.io/docs/tasks/configure-pod-container/share-process-namespace/" ATT("T1055"), share_pid),
	ROW(BH0033, "host-port", BH_SEV_MEDIUM, "Container port bound on the node (hostPort)", "T1599", "baseline",
	    "hostPorts", "Remove ports[*].hostPort; expose the port through a Service (NodePort or LoadBalancer if needed).",
	    PSS_REF ATT("T1599"), host_port),
	ROW(BH0034, "windows-host-process", BH_SEV_CRITICAL, "Windows HostProcess container", "T1611", "baseline",
	    "windowsHostProcess", "Remove windowsOptions.hostProcess (pod and containers) or set it to false.",
	    PSS_REF " https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/" ATT("T1611"),
	    windows_host_process),
	ROW(BH0035, "volume-type-not-restricted", BH_SEV_MEDIUM, "Volume type outside the Restricted set", "T1611",
	    "restricted", "restrictedVolumes",
	    "Use a persistentVolumeClaim (CSI) instead of in-line node or network storage; never gitRepo (clone in an init container).",
	    PSS_REF " https://nvd.nist.gov/vuln/detail/CVE-2024-10220" ATT("T1611"), volume_types),
	ROW(BH0036, "host-users-false", BH_SEV_INFO, "Mitigation: pod runs in a user namespace (hostUsers: false)", "T1611",
	    NULL, NULL, "Keep hostUsers: false.",
	    "https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/" ATT("T1611"), user_namespace),
	/* Combinations (combo.c): BH0200–BH0249 */
	ROW(BH0200, "sys-admin-cgroup-release-agent", BH_SEV_CRITICAL,
	    "CAP_SYS_ADMIN without seccomp/AppArmor: cgroup release_agent escape", "T1611", NULL, NULL,
	    "Remove SYS_ADMIN; if it cannot go yet, keep seccompProfile RuntimeDefault and the AppArmor RuntimeDefault profile.",
	    "https://nvd.nist.gov/vuln/detail/CVE-2022-0492 https://man7.org/linux/man-pages/man7/cgroups.7.html" ATT("T1611"),
	    combo_sys_admin_unconfined),
	ROW(BH0201, "privileged-host-pid-nsenter", BH_SEV_CRITICAL, "Privileged container with hostPID: nsenter into PID 1",
	    "T1611", NULL, NULL, "Remove hostPID and privileged; neither is needed by an application container.",
	    "https://github.com/BishopFox/badPods/tree/main/manifests/priv-and-hostpid" ATT("T1611"),
	    combo_privileged_host_pid),
	ROW(BH0202, "host-pid-ptrace-inject", BH_SEV_CRITICAL, "hostPID with CAP_SYS_PTRACE: inject into host processes",
	    "T1611", NULL, NULL, "Remove SYS_PTRACE or hostPID (both, for an application).",
	    "https://man7.org/linux/man-pages/man2/ptrace.2.html" ATT("T1055/008") ATT("T1611"), combo_host_pid_ptrace),
	ROW(BH0203, "runtime-socket-sibling-container", BH_SEV_CRITICAL,
	    "Container runtime socket reachable by root: start a privileged sibling container", "T1610", NULL, NULL,
	    "Remove the socket mount; build images with rootless BuildKit/kaniko, read container metadata from the kubelet API.",
	    "https://kubernetes.io/docs/concepts/storage/volumes/#hostpath" ATT("T1610") ATT("T1611"),
	    combo_runtime_socket),
	ROW(BH0204, "host-network-node-services", BH_SEV_CRITICAL,
	    "hostNetwork with root and NET_RAW/NET_ADMIN: the node's traffic and local services", "T1040", NULL, NULL,
	    "Remove hostNetwork; if it must stay, run as non-root and drop ALL capabilities (add back only NET_BIND_SERVICE).",
	    "https://nvd.nist.gov/vuln/detail/CVE-2020-15257" ATT("T1040") ATT("T1557") ATT("T1552/005"),
	    combo_host_network_services),
	/* Image rules (image.c): BH0250–BH0299 */
	ROW(BH0250, "image-latest-tag", BH_SEV_LOW, "Image tagged latest", "T1525", NULL, NULL,
	    "Pin the image by digest (name:tag@sha256:…), or at least by an immutable version tag.",
	    "https://kubernetes.io/docs/concepts/containers/images/#image-names" ATT("T1525"), image_latest),
	ROW(BH0251, "image-no-tag", BH_SEV_LOW, "Image without tag or digest", "T1525", NULL, NULL,
	    "Pin the image by digest (name:tag@sha256:…).",
	    "https://kubernetes.io/docs/concepts/containers/images/#image-names" ATT("T1525"), image_no_tag),
	ROW(BH0252, "image-no-digest", BH_SEV_LOW, "Image referenced by tag without digest", "T1525", NULL, NULL,
	    "Add the digest: name:tag@sha256:… (tools such as crane digest or kustomize images print it).",
	    "https://kubernetes.io/docs/concepts/containers/images/#image-names" ATT("T1525"), image_no_digest),
	ROW(BH0253, "image-untrusted-registry", BH_SEV_MEDIUM, "Image from a registry outside the trusted list",
	    "T1195.002", NULL, NULL,
	    "Mirror the image into a trusted registry, or add its registry to trustedRegistries: in the bulkhead config after review.",
	    "https://attack.mitre.org/techniques/T1195/002/" ATT("T1525"), image_untrusted_registry),
#undef ROW
#undef CAPS_REF
#undef ATT
	/* Pod Security Standards: one row per Pod Security Admission check (src/rules/pss.c evaluates them
	 * with their version gates; `bulkhead scan` reports them when no escape rule above already covers
	 * the same field). */
#define PSS(id, name, sev, title, level, check, fix, why)                                            \
	{id, name, sev, title, "T1611", level, check, fix,                                                  \
	 PSS_REF " https://github.com/kubernetes/pod-security-admission", NULL,                              \
	 "What:\n" title ": Pod Security Admission check " check " (" level " level) rejects this pod. "      \
	 "`bulkhead pss` gives PSA's exact verdict for each policy version.\n\n"                               \
	 "Why it leads to escape:\n" why "\n\n"                                                                 \
	 "How it is exploited:\nAn attacker who can create or modify this workload, or who compromises its "   \
	 "process, uses the relaxed setting as the first step towards the node; a namespace that enforces the " \
	 level " level would have refused the pod.\n\n"                                                        \
	 "Fix:\n" fix}
	PSS("BH0100", "pss-apparmor-profile", BH_SEV_HIGH, "AppArmor profile other than RuntimeDefault or Localhost",
	    "baseline", "appArmorProfile",
	    "Remove appArmorProfile type Unconfined (and unconfined AppArmor annotations); use RuntimeDefault or Localhost.",
	    "Without AppArmor confinement the container may mount, ptrace and write to /proc and /sys paths that the runtime's default profile denies."),
	PSS("BH0101", "pss-capabilities-baseline", BH_SEV_MEDIUM, "Capability outside the runtime's default set added",
	    "baseline", "capabilities_baseline",
	    "Add only capabilities of the default set, spelled exactly (\"CHOWN\", not \"CAP_CHOWN\" or \"chown\").",
	    "Extra capabilities widen the kernel attack surface; names outside the default set (or misspelt ones the runtime may still accept) grant powers such as SYS_ADMIN or NET_RAW."),
	PSS("BH0102", "pss-host-namespaces", BH_SEV_HIGH, "Host network, PID or IPC namespace shared", "baseline",
	    "hostNamespaces", "Remove spec.hostNetwork, spec.hostPID and spec.hostIPC or set them to false.",
	    "Sharing the node's network, PID or IPC namespace exposes node-local services, host processes and shared memory to the container."),
	PSS("BH0103", "pss-host-path-volumes", BH_SEV_MEDIUM, "hostPath volume", "baseline", "hostPathVolumes",
	    "Replace hostPath volumes with persistentVolumeClaim, configMap, secret, emptyDir or projected volumes.",
	    "A hostPath volume puts a directory of the node inside the container: runtime sockets, kubelet credentials or /etc hand over the node."),
	PSS("BH0104", "pss-host-ports", BH_SEV_MEDIUM, "Container port bound on the node (hostPort)", "baseline",
	    "hostPorts", "Remove ports[*].hostPort (or set it to 0); expose the port through a Service.",
	    "A hostPort binds on the node's network interface, bypassing NetworkPolicy and reaching the node's address."),
	PSS("BH0105", "pss-host-probes-lifecycle", BH_SEV_MEDIUM, "Probe or lifecycle handler aimed at another host",
	    "baseline", "hostProbesAndHostLifecycle",
	    "Remove host from httpGet/tcpSocket probes and lifecycle handlers: the kubelet then targets the pod itself.",
	    "A probe or lifecycle host makes the kubelet connect to an arbitrary address from the node's network position (server-side request forgery)."),
	PSS("BH0106", "pss-privileged", BH_SEV_CRITICAL, "Privileged container", "baseline", "privileged",
	    "Remove securityContext.privileged or set it to false.",
	    "A privileged container sees every host device and holds every capability; mounting the host disk or loading a kernel module takes the node."),
	PSS("BH0107", "pss-proc-mount", BH_SEV_HIGH, "Unmasked /proc", "baseline", "procMount",
	    "Remove securityContext.procMount or set it to Default.",
	    "An unmasked /proc exposes kernel interfaces (sysrq-trigger, kcore, sysctl writes) that the default masks hide."),
	PSS("BH0108", "pss-selinux-options", BH_SEV_HIGH, "Custom SELinux type, user or role", "baseline", "seLinuxOptions",
	    "Use only the container_t family of SELinux types and set neither user nor role.",
	    "A custom SELinux type such as spc_t, or a custom user or role, turns off the confinement that keeps a container away from host files."),
	PSS("BH0109", "pss-seccomp-baseline", BH_SEV_HIGH, "Seccomp profile Unconfined", "baseline",
	    "seccompProfile_baseline", "Set seccompProfile.type to RuntimeDefault or Localhost, never Unconfined.",
	    "An Unconfined seccomp profile lets the container make every system call, including the rare ones behind most kernel escape exploits."),
	PSS("BH0110", "pss-sysctls", BH_SEV_HIGH, "Sysctl outside the safe set", "baseline", "sysctls",
	    "Set only the namespaced, safe sysctls listed by the Pod Security Standards for the target version.",
	    "Unsafe sysctls change kernel settings for the whole node, not just the pod."),
	PSS("BH0111", "pss-windows-host-process", BH_SEV_CRITICAL, "Windows HostProcess container", "baseline",
	    "windowsHostProcess", "Remove windowsOptions.hostProcess or set it to false.",
	    "A Windows HostProcess container runs directly on the node with host privileges."),
	PSS("BH0112", "pss-allow-privilege-escalation", BH_SEV_MEDIUM, "allowPrivilegeEscalation not set to false",
	    "restricted", "allowPrivilegeEscalation",
	    "Set securityContext.allowPrivilegeEscalation: false on every container.",
	    "Without no_new_privs, setuid binaries and file capabilities let a process gain privileges inside the container."),
	PSS("BH0113", "pss-capabilities-restricted", BH_SEV_MEDIUM, "Capabilities not dropped", "restricted",
	    "capabilities_restricted",
	    "Set securityContext.capabilities.drop: [\"ALL\"] on every container and add at most NET_BIND_SERVICE.",
	    "Capabilities left in the bounding set are the raw material of most container escapes."),
	PSS("BH0114", "pss-proc-mount-restricted", BH_SEV_HIGH, "Unmasked /proc (restricted)", "restricted",
	    "procMount_restricted", "Remove securityContext.procMount or set it to Default, also with hostUsers: false.",
	    "An unmasked /proc exposes kernel interfaces; restricted forbids it even in a user namespace."),
	PSS("BH0115", "pss-restricted-volumes", BH_SEV_MEDIUM, "Volume type outside the restricted set", "restricted",
	    "restrictedVolumes",
	    "Use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected or "
	    "secret volumes.",
	    "Volume types outside the restricted set reach node or network storage with the node's identity."),
	PSS("BH0116", "pss-run-as-non-root", BH_SEV_MEDIUM, "May run as root (runAsNonRoot not true)", "restricted",
	    "runAsNonRoot", "Set securityContext.runAsNonRoot: true on the pod (and false on no container).",
	    "Root in the container is root on the node's kernel objects; one runtime or kernel flaw away from the node."),
	PSS("BH0117", "pss-run-as-user-root", BH_SEV_MEDIUM, "Runs as UID 0 (runAsUser: 0)", "restricted", "runAsUser",
	    "Set runAsUser to a non-zero UID, or leave it unset and use an image with a non-root USER.",
	    "UID 0 in the container is UID 0 on the node unless user namespaces are used."),
	PSS("BH0118", "pss-seccomp-restricted", BH_SEV_MEDIUM, "No seccomp profile", "restricted",
	    "seccompProfile_restricted", "Set spec.securityContext.seccompProfile.type: RuntimeDefault (or Localhost).",
	    "Without a seccomp profile every system call is allowed, including those behind most kernel escape exploits."),
#undef PSS
};
const size_t bh_nrules = sizeof(bh_rules) / sizeof(bh_rules[0]);

const struct bh_rule *bh_rule_find(const char *s)
{
	for (size_t i = 0; i < bh_nrules; i++)
		if (!strcasecmp(bh_rules[i].id, s) || !strcmp(bh_rules[i].name, s))
			return &bh_rules[i];
	return NULL;
}

void bh_rules_eval(const struct bh_pod *p, struct bh_findings *out)
{
	for (size_t i = 0; i < bh_nrules; i++)
		if (bh_rules[i].check)
			bh_rules[i].check(&bh_rules[i], p, out);
}

const char *bh_cap_norm(const char *s, size_t len, char *buf, size_t size)
{
	if (len >= 4 && !strncasecmp(s, "CAP_", 4)) {
		s += 4;
		len -= 4;
	}
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < size; i++) {
		char c = s[i];
		buf[k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	buf[k] = 0;
	return buf;
}

const char *bh_path_norm(const char *s, size_t len, char *buf, size_t size)
{
	/* segments are pushed onto buf; ".." pops one (it cannot climb above "/") */
	size_t k = 0;
	buf[0] = 0;
	size_t i = 0;
	bool abs = len && s[0] == '/';
	while (i < len) {
		while (i < len && s[i] == '/')
			i++;
		size_t st = i;
		while (i < len && s[i] != '/')
			i++;
		size_t l = i - st;
		if (l == 0 || (l == 1 && s[st] == '.'))
			continue;
		if (l == 2 && s[st] == '.' && s[st + 1] == '.') {
			while (k > 0 && buf[k - 1] != '/')
				k--;
			if (k > 0)
				k--;
			buf[k] = 0;
			continue;
		}
		if (k + l + 2 >= size)
			break;
		if (k > 0 || abs)
			buf[k++] = '/';
		memcpy(buf + k, s + st, l);
		k += l;
		buf[k] = 0;
	}
	if (k == 0 && abs) {
		buf[0] = '/';
		buf[1] = 0;
	}
	return buf;
}

struct bh_finding *bh_vemit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				  const struct bh_pod *p, const struct bh_container *c, bool pod_field, const char *suffix,
				  const struct bh_node *at, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char field[512];
	snprintf(field, sizeof(field), "%s.%s", (c && !pod_field) ? c->path : p->spec_path, suffix);
	const struct bh_node *loc = at ? at : (c ? c->n : p->spec);
	return bh_emit(out, r, sev, c ? c->name.s : NULL, field, loc ? loc->line : 0, loc ? loc->col : 0, "%s", msg);
}

struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct bh_finding *f = bh_vemit_field(out, r, sev, p, c, false, suffix, at, fmt, ap);
	va_end(ap);
	return f;
}
