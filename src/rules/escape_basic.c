/* First escape rules: privileged containers, host namespaces, hostPath volumes, added capabilities.
 * Severity follows DESIGN §4. */
#include <stdio.h>
#include <string.h>

#include "rules.h"

/* privileged: every device, all capabilities, no seccomp/AppArmor confinement — mount the host disk or
 * load a module. https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline */
void bh_rule_privileged(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_privileged(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged))
			bh_emit_field(out, r, r->sev, p, c, "securityContext.privileged", c->sc.privileged.n,
				      "container \"%s\" runs privileged: it sees every host device and holds every capability",
				      c->name.s);
	}
}

static void host_ns(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out, const struct bh_fbool *f,
		    const char *field, const char *what)
{
	if (BH_TRUE(*f))
		bh_emit_field(out, r, r->sev, p, NULL, field, f->n, "the pod shares the node's %s", what);
}

void bh_rule_host_pid(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_host_pid(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	host_ns(r, p, out, &p->host_pid, "hostPID",
		"PID namespace: its processes can see, signal and (with CAP_SYS_PTRACE) enter host processes");
}

void bh_rule_host_ipc(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_host_ipc(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	host_ns(r, p, out, &p->host_ipc, "hostIPC", "IPC namespace: shared memory and message queues of host processes");
}

void bh_rule_host_network(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_host_network(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	host_ns(r, p, out, &p->host_network,
		"hostNetwork", "network namespace: node-local services (kubelet, metadata endpoints, loopback ports) are reachable");
}

/* Host paths whose exposure hands over the node (DESIGN §4 critical list). A prefix entry covers the
 * tree below it. */
static const char *const critical_paths[] = {
	"/", "/etc", "/root", "/proc", "/sys", "/dev", "/boot", "/var/lib/kubelet", "/etc/kubernetes", "/var/run", "/run",
};
static const char *const sockets[] = {
	"/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock", "/run/crio/crio.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
	"/var/run/podman/podman.sock", "/run/podman/podman.sock",
};

static bool path_is_or_under(const char *p, const char *base)
{
	size_t l = strlen(base);
	if (!strcmp(base, "/"))
		return !strcmp(p, "/");
	return !strncmp(p, base, l) && (p[l] == 0 || p[l] == '/');
}

void bh_rule_host_path(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_host_path(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	for (uint32_t i = 0; i < p->nv; i++) {
		const struct bh_volume *v = &p->v[i];
		if (!v->host_path)
			continue;
		char buf[4096];
		const char *path = bh_path_norm(v->host_path_path.s, v->host_path_path.len, buf, sizeof(buf));
		bool sock = false, sensitive = false;
		for (size_t k = 0; k < sizeof(sockets) / sizeof(sockets[0]); k++)
			sock |= !strcmp(path, sockets[k]);
		for (size_t k = 0; k < sizeof(critical_paths) / sizeof(critical_paths[0]); k++)
			sensitive |= path_is_or_under(path, critical_paths[k]);
		/* writable if any container mounts it without readOnly: true */
		bool mounted = false, writable = false;
		for (uint32_t j = 0; j < p->nc; j++)
			for (uint32_t m = 0; m < p->c[j].nmounts; m++) {
				const struct bh_mount *mt = &p->c[j].mounts[m];
				if (mt->name.len == v->name.len && !memcmp(mt->name.s, v->name.s, v->name.len)) {
					mounted = true;
					writable |= !BH_TRUE(mt->read_only);
				}
			}
		enum bh_sev sev = BH_SEV_MEDIUM;
		const char *why = "a directory of the node is shared with the pod";
		if (sock) {
			/* connect() on a Unix socket needs no write access to the mount: read-only does not help */
			sev = BH_SEV_CRITICAL;
			why = "the container runtime's socket: whoever connects can start a privileged container on the node";
		} else if (sensitive && (writable || !mounted)) {
			sev = BH_SEV_CRITICAL;
			why = "a sensitive tree of the node is mounted writable";
		} else if (sensitive) {
			sev = BH_SEV_HIGH;
			why = "a sensitive tree of the node is mounted read-only: secrets and host state are readable";
		}
		bh_emit(out, r, sev, NULL,
			bh_arena_printf(out->a, "%s.volumes[%u].hostPath.path", p->spec_path, v->index),
			v->host_path_path.n ? v->host_path_path.n->line : v->host_path->line,
			v->host_path_path.n ? v->host_path_path.n->col : v->host_path->col,
			"volume \"%s\" mounts host path \"%s\": %s", v->name.s, v->host_path_path.s, why);
	}
}

/* Container runtimes' default capability set (containerd/CRI-O/Docker) and what PSA baseline allows. */
static const char *const crit_caps[] = {"SYS_ADMIN", "SYS_MODULE", "ALL"};
static const char *const high_caps[] = {"SYS_PTRACE", "DAC_READ_SEARCH", "NET_ADMIN", "BPF", "PERFMON", "SYS_RAWIO", "SYS_BOOT"};
static const char *const default_caps[] = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
					  "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};

static bool in_list(const char *s, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, l[i]))
			return true;
	return false;
}
#define IN(s, l) in_list(s, l, sizeof(l) / sizeof(l[0]))

void bh_rule_caps_added(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out);
void bh_rule_caps_added(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out)
{
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
			const struct bh_fstr *cap = &c->sc.cap_add.v[k];
			if (cap->r != BH_OK)
				continue;
			char nb[64];
			const char *name = bh_cap_norm(cap->s, cap->len, nb, sizeof(nb));
			enum bh_sev sev;
			if (IN(name, crit_caps))
				sev = BH_SEV_CRITICAL;
			else if (IN(name, high_caps))
				sev = BH_SEV_HIGH;
			else if (IN(name, default_caps))
				continue; /* already in the runtime's default set */
			else
				sev = BH_SEV_MEDIUM;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%u]", k);
			bh_emit_field(out, r, sev, p, c, suffix, cap->n, "container \"%s\" adds capability %s", c->name.s, name);
		}
	}
}
