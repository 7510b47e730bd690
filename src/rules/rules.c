/* The rule table. A new rule is one function and one row here, plus a golden case and its explanation. */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void bh_rule_privileged(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_pid(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_ipc(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_network(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_path(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_caps_added(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);

#define PSS_REF "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

const struct bh_rule bh_rules[] = {
	{"BH0001", "privileged-container", BH_SEV_CRITICAL, "Privileged container", "T1611", "baseline", "privileged",
	 "Remove securityContext.privileged or set it to false; grant the single capability the workload needs instead.",
	 PSS_REF " https://attack.mitre.org/techniques/T1611/", bh_rule_privileged},
	{"BH0002", "host-pid", BH_SEV_HIGH, "Pod shares the host PID namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostPID or set it to false.", PSS_REF, bh_rule_host_pid},
	{"BH0003", "host-ipc", BH_SEV_HIGH, "Pod shares the host IPC namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostIPC or set it to false.", PSS_REF, bh_rule_host_ipc},
	{"BH0004", "host-network", BH_SEV_HIGH, "Pod shares the host network namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostNetwork or set it to false; expose the workload through a Service.", PSS_REF,
	 bh_rule_host_network},
	{"BH0005", "host-path-volume", BH_SEV_MEDIUM, "hostPath volume", "T1611", "baseline", "hostPathVolumes",
	 "Replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir; if it must stay, "
	 "mount the narrowest path readOnly and never a runtime socket.",
	 PSS_REF " https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", bh_rule_host_path},
	{"BH0006", "capabilities-added", BH_SEV_MEDIUM, "Container adds Linux capabilities", "T1611", "baseline",
	 "capabilities_baseline",
	 "Remove the capability from securityContext.capabilities.add; drop ALL and add back only NET_BIND_SERVICE "
	 "if needed.",
	 PSS_REF " https://man7.org/linux/man-pages/man7/capabilities.7.html", bh_rule_caps_added},
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

struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char field[512];
	snprintf(field, sizeof(field), "%s.%s", c ? c->path : p->spec_path, suffix);
	const struct bh_node *loc = at ? at : (c ? c->n : p->spec);
	return bh_emit(out, r, sev, c ? c->name.s : NULL, field, loc ? loc->line : 0, loc ? loc->col : 0, "%s", msg);
}
