/* Escape rules of the first hour: privileged containers, host namespaces, hostPath volumes by target,
 * added capabilities not covered by a rule of their own, Windows HostProcess. Severity follows the
 * DESIGN §4 rubric; rows and explanations are in manifest.def. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* privileged: every device, every capability, no seccomp/AppArmor confinement — mount the host disk or
 * load a module. https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline
 * https://bishopfox.com/blog/kubernetes-pod-privilege-escalation (badPods "priv") */
void bh_rule_privileged(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (!BH_TRUE(c->sc.privileged))
			continue;
		enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_HIGH);
		bh_emit_field(out, r, sev, p, c, "securityContext.privileged", c->sc.privileged.n,
			      "container \"%s\" runs privileged: it sees every host device and holds every capability%s",
			      c->name.s, sev < r->sev ? BH_USERNS_NOTE " (host devices stay owned by unmapped users)" : "");
	}
}

static void host_ns(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out, const struct bh_fbool *f,
		    const char *field, const char *what)
{
	if (BH_TRUE(*f))
		bh_emit_field(out, r, r->sev, p, NULL, field, f->n, "the pod shares the node's %s", what);
}

/* hostPID: host processes are visible and signalable; /proc/<pid>/environ and, with CAP_SYS_PTRACE,
 * ptrace/nsenter into PID 1 (see combo.c). */
void bh_rule_host_pid(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	host_ns(r, p, out, &p->host_pid, "hostPID",
		"PID namespace: its processes can see, signal and (with CAP_SYS_PTRACE) enter host processes");
}

/* hostIPC: System V shared memory and POSIX message queues of host processes (/dev/shm). */
void bh_rule_host_ipc(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	host_ns(r, p, out, &p->host_ipc, "hostIPC", "IPC namespace: shared memory and message queues of host processes");
}

/* hostNetwork: loopback-only node services, the cloud metadata endpoint without hop limits, abstract
 * Unix sockets (CVE-2020-15257), sniffing of the node's traffic. */
void bh_rule_host_network(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	host_ns(r, p, out, &p->host_network,
		"hostNetwork", "network namespace: node-local services (kubelet, metadata endpoints, loopback ports) are reachable");
}

/* hostPath by target (escape_util.c has the table): runtime sockets → sibling privileged container;
 * /, /etc, /root → cron/systemd/SSH; /var/lib/kubelet → every pod's tokens; /var/log → the kubelet
 * log-symlink read of any host file (Aqua, "Kubernetes Pod Escape Using Log Mounts"); /lib/modules →
 * planted module. A read-only mount lowers a tree to its read-only severity, never a socket.
 * https://kubernetes.io/docs/concepts/storage/volumes/#hostpath */
/* The worst mount of one hostPath volume. */
struct hp_worst {
	struct bh_hp_class k;
	const struct bh_container *c;
	const struct bh_mount *m;
	bool any, all_ro;
};

static void hp_mount(const struct bh_pod *p, const struct bh_container *c, const struct bh_mount *mt,
		     const struct bh_volume *v, struct hp_worst *w)
{
	char buf[4096];
	const char *path = bh_hp_mount_path(v, mt, buf, sizeof(buf));
	bool wr = !BH_TRUE(mt->read_only);
	struct bh_hp_class k;
	bh_hp_classify(path, wr, bh_may_run_as_root(p, c), &k);
	if (!w->any)
		w->all_ro = true;
	w->all_ro &= !wr;
	if (!w->any || k.sev > w->k.sev || (k.sev == w->k.sev && k.sev_rw > w->k.sev_rw)) {
		w->k = k;
		w->c = c;
		w->m = mt;
	}
	w->any = true;
}

static void hp_emit(const struct bh_rule *r, const struct bh_pod *p, const struct bh_volume *v,
		    const struct hp_worst *hw, struct bh_findings *out)
{
	struct bh_hp_class worst = hw->k;
	const struct bh_container *wc = hw->c;
	const struct bh_mount *wm = hw->m;
	bool all_ro = hw->any && hw->all_ro;
	char wpath[4096];
	if (!hw->any) {
		/* an unmounted volume is read as a writable mount by root (an ephemeral container added later,
		 * e.g. by kubectl debug, may mount it) */
		bh_hp_mount_path(v, NULL, wpath, sizeof(wpath));
		bh_hp_classify(wpath, true, true, &worst);
	} else
		bh_hp_mount_path(v, wm, wpath, sizeof(wpath));
	char where[512];
	if (!wc)
		snprintf(where, sizeof(where), "no container mounts it yet (an ephemeral container can)");
	else if (wm->sub_path.r == BH_OK && wm->sub_path.len)
		snprintf(where, sizeof(where), "container \"%s\" mounts its subPath \"%s\" (%s)%s", wc->name.s,
			 wm->sub_path.s, wpath, BH_TRUE(wm->read_only) ? " read-only" : "");
	else
		snprintf(where, sizeof(where), "container \"%s\" mounts it%s", wc->name.s,
			 BH_TRUE(wm->read_only) ? " read-only" : "");
	char note[400] = "";
	if (worst.socket && worst.sev < BH_SEV_CRITICAL)
		snprintf(note, sizeof(note), "; only root can connect to the socket and the container cannot run as "
			 "root — one setuid binary or group grant away");
	else if (worst.socket && all_ro)
		snprintf(note, sizeof(note), "; readOnly does not help: connect() on a Unix socket needs no write "
			 "access to the mount");
	else if (all_ro && worst.sev < worst.sev_rw)
		snprintf(note, sizeof(note), "; lowered from %s because every mount is readOnly", bh_sev_name(worst.sev_rw));
	if (worst.sock_nonroot) {
		size_t l = strlen(note);
		snprintf(note + l, sizeof(note) - l, "; %s is below it, but only root can connect and the container "
			 "cannot run as root", worst.sock_nonroot);
	}
	bh_emit(out, r, worst.sev, NULL, bh_arena_printf(out->a, "%s.volumes[%u].hostPath.path", p->spec_path, v->index),
		v->host_path_path.n ? v->host_path_path.n->line : v->host_path->line,
		v->host_path_path.n ? v->host_path_path.n->col : v->host_path->col,
		"volume \"%s\" mounts host path \"%s\" — %s%s; %s%s", v->name.s, v->host_path_path.s, worst.what,
		worst.below ? " (below this directory)" : "", where, note);
}

void bh_rule_host_path(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	bool any_hp = false;
	for (uint32_t i = 0; i < p->nv && !any_hp; i++)
		any_hp = p->v[i].host_path != NULL;
	if (!any_hp)
		return;
	struct bh_hp_index x = {0};
	struct hp_worst *w = calloc(p->nv, sizeof(*w));
	if (!w || bh_hp_index_build(&x, p) < 0) {
		out->oom = 1;
		goto done;
	}
	/* the worst mount of each volume decides, in container then mount order (first of equals wins) */
	for (uint32_t j = 0; j < p->nc; j++)
		for (uint32_t m = 0; m < p->c[j].nmounts; m++) {
			const struct bh_mount *mt = &p->c[j].mounts[m];
			if (mt->name.r != BH_OK)
				continue;
			for (uint32_t vi = bh_hp_index_find(&x, p, &mt->name); vi; vi = x.next[vi - 1])
				hp_mount(p, &p->c[j], mt, &p->v[vi - 1], &w[vi - 1]);
		}
	for (uint32_t i = 0; i < p->nv; i++)
		if (p->v[i].host_path)
			hp_emit(r, p, &p->v[i], &w[i], out);
done:
	bh_hp_index_free(&x);
	free(w);
}

/* Capabilities with a rule of their own (escape_caps.c); BH0006 reports the rest. */
static const char *const own_rule[] = {"SYS_ADMIN", "SYS_MODULE", "ALL", "SYS_PTRACE", "DAC_READ_SEARCH",
				       "DAC_OVERRIDE", "NET_ADMIN", "NET_RAW", "BPF", "PERFMON", "SYS_RAWIO",
				       "SYS_BOOT", "MAC_ADMIN", "MAC_OVERRIDE"};
/* Every capability name the kernel knows (capability.h, Linux 6.x); others are typos the runtime rejects
 * or ignores. */
static const char *const known_caps[] = {
	"CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID", "SETPCAP",
	"LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW", "IPC_LOCK", "IPC_OWNER",
	"SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT", "SYS_ADMIN", "SYS_BOOT", "SYS_NICE",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD", "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP",
	"MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG", "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF",
	"CHECKPOINT_RESTORE"};

static bool in_list(const char *s, const char *const *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(s, l[i]))
			return true;
	return false;
}
#define IN(s, l) in_list(s, l, sizeof(l) / sizeof(l[0]))

/* Other capabilities outside the runtime default set (SYS_TIME, SYS_RESOURCE, LINUX_IMMUTABLE, …): each
 * widens what the container may do to the node's kernel. man 7 capabilities. */
void bh_rule_caps_added(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
			const struct bh_fstr *cap = &c->sc.cap_add.v[k];
			if (cap->r != BH_OK)
				continue;
			char nb[64];
			const char *name = bh_cap_norm(cap->s, cap->len, nb, sizeof(nb));
			if (IN(name, own_rule) || bh_cap_default(name))
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%u]", k);
			enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_LOW);
			if (IN(name, known_caps))
				bh_emit_field(out, r, sev, p, c, suffix, cap->n,
					      "container \"%s\" adds capability %s, outside the runtime's default set%s",
					      c->name.s, name, sev < r->sev ? BH_USERNS_NOTE : "");
			else
				bh_emit_field(out, r, sev, p, c, suffix, cap->n,
					      "container \"%s\" adds \"%s\", which is no Linux capability: the runtime rejects "
					      "or ignores it, and the intended capability may be another",
					      c->name.s, cap->s);
		}
	}
}

/* Windows HostProcess: the container is a process on the node with the node's (SYSTEM or chosen) account
 * and the host network — no isolation at all.
 * https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/ */
void bh_rule_windows_host_process(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	bool pod_reported = false;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		bool from_pod;
		const struct bh_fbool *hp = bh_eff_host_process(p, c, &from_pod);
		if (!BH_TRUE(*hp))
			continue;
		if (from_pod) {
			if (pod_reported)
				continue;
			pod_reported = true;
			bh_emit_at(out, r, r->sev, p, NULL, true, "securityContext.windowsOptions.hostProcess", hp->n,
				   "the pod runs its containers as Windows HostProcess containers: processes on the node itself");
		} else {
			bh_emit_field(out, r, r->sev, p, c, "securityContext.windowsOptions.hostProcess", hp->n,
				      "container \"%s\" is a Windows HostProcess container: a process on the node itself",
				      c->name.s);
		}
	}
}
