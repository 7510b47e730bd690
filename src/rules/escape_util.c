/* Helpers of the escape rules: capabilities, effective user, mitigations and the host-path classifier.
 * Pure functions over the pod view; nothing here allocates outside the findings arena. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "pss.h"

bool bh_pod_windows(const struct bh_pod *p)
{
	return BH_STREQ(p->os_name, "windows");
}

bool bh_pod_userns(const struct bh_pod *p)
{
	return BH_FALSE(p->host_users);
}

int bh_cap_add_index(const struct bh_container *c, const char *cap, bool all)
{
	for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
		const struct bh_fstr *f = &c->sc.cap_add.v[k];
		if (f->r != BH_OK)
			continue;
		char nb[64];
		const char *n = bh_cap_norm(f->s, f->len, nb, sizeof(nb));
		if (!strcmp(n, cap) || (all && !strcmp(n, "ALL")))
			return (int)k;
	}
	return -1;
}

bool bh_cap_dropped(const struct bh_container *c, const char *cap)
{
	for (uint32_t k = 0; k < c->sc.cap_drop.len; k++) {
		const struct bh_fstr *f = &c->sc.cap_drop.v[k];
		if (f->r != BH_OK)
			continue;
		char nb[64];
		const char *n = bh_cap_norm(f->s, f->len, nb, sizeof(nb));
		if (!strcmp(n, "ALL") || (cap && !strcmp(n, cap)))
			return true;
	}
	return false;
}

/* containerd/CRI-O/Docker defaults: identical to PSA baseline's allowed list (check_capabilities_baseline.go),
 * so the PSS table is the one source. NET_RAW is in Docker's and older containerd's defaults too, but not
 * in PSA's list. */
bool bh_cap_default(const char *cap)
{
	return bh_pss_cap_allowed(cap);
}

bool bh_may_run_as_root(const struct bh_pod *p, const struct bh_container *c)
{
	if (bh_pod_windows(p))
		return false;
	const struct bh_fint *u = bh_eff_run_as_user(p, c, NULL);
	if (BH_SET(*u))
		return u->v == 0 && !BH_TRUE(*bh_eff_run_as_non_root(p, c, NULL));
	return !BH_TRUE(*bh_eff_run_as_non_root(p, c, NULL));
}

enum bh_sev bh_userns_lower(const struct bh_pod *p, enum bh_sev from, enum bh_sev to)
{
	return bh_pod_userns(p) && from > to ? to : from;
}

struct bh_finding *bh_emit_at(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev, const struct bh_pod *p,
			      const struct bh_container *c, bool pod_field, const char *suffix, const struct bh_node *at,
			      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct bh_finding *f = bh_vemit_field(out, r, sev, p, c, pod_field, suffix, at, fmt, ap);
	va_end(ap);
	return f;
}

/* ---- host paths ----
 * What a hostPath hands over depends on where it points. Entries are matched on the normalised path:
 *  - a socket entry is critical whether the mount is read-only or not: connect() on a Unix socket needs
 *    write permission on the socket inode, not a writable mount (verified on Linux 6.18), so readOnly does
 *    not protect it (DESIGN §4);
 *  - a tree entry covers the path and everything below it (the longest matching entry wins); an exact
 *    entry only the path itself (/run is dangerous as a whole, /run/calico is not);
 *  - a mount of a directory *above* an entry exposes that entry too (mounting /var exposes
 *    /var/lib/kubelet; mounting / or /run exposes the runtime sockets).
 * "/var/run" is a symlink to "/run" on every systemd distribution and is matched as "/run". */
struct hp_entry {
	const char *path;
	enum bh_hp_kind kind;
	enum bh_sev rw, ro;
	const char *what;
};

#define C BH_SEV_CRITICAL
#define H BH_SEV_HIGH
#define M BH_SEV_MEDIUM
static const struct hp_entry hp_table[] = {
	/* sockets: whoever connects controls the runtime (starts a privileged container), systemd (starts a
	 * unit as root) or the kubelet's device-plugin registry (injects host mounts and devices into pods) */
	{"/run/docker.sock", BH_HP_SOCKET, C, C, "the Docker API socket"},
	{"/run/containerd/containerd.sock", BH_HP_SOCKET, C, C, "containerd's API socket"},
	{"/run/k3s/containerd/containerd.sock", BH_HP_SOCKET, C, C, "k3s' containerd API socket"},
	{"/run/crio/crio.sock", BH_HP_SOCKET, C, C, "CRI-O's API socket"},
	{"/run/cri-dockerd.sock", BH_HP_SOCKET, C, C, "cri-dockerd's CRI socket"},
	{"/run/dockershim.sock", BH_HP_SOCKET, C, C, "the dockershim CRI socket"},
	{"/run/podman/podman.sock", BH_HP_SOCKET, C, C, "the Podman API socket"},
	{"/run/buildkit/buildkitd.sock", BH_HP_SOCKET, C, C, "BuildKit's API socket (privileged builds)"},
	{"/run/dbus/system_bus_socket", BH_HP_NODESOCK, C, C, "the D-Bus system bus (systemd starts units for UID 0)"},
	{"/run/systemd/private", BH_HP_NODESOCK, C, C, "systemd's private control socket"},
	{"/var/lib/kubelet/device-plugins/kubelet.sock", BH_HP_NODESOCK, C, C,
	 "the kubelet's device-plugin registration socket (a fake plugin injects host mounts and devices into pods)"},
	/* trees: {writable, read-only} */
	{"/", BH_HP_EXACT, C, H, "the node's root filesystem"},
	{"/run", BH_HP_EXACT, C, M, "the node's /run (runtime state and sockets)"},
	{"/etc", BH_HP_TREE, C, H, "the node's /etc (cron, systemd units, passwd, kubelet configuration)"},
	{"/etc/kubernetes", BH_HP_TREE, C, H, "/etc/kubernetes (kubeconfigs, PKI, static pod manifests)"},
	{"/etc/cni/net.d", BH_HP_TREE, H, M, "the CNI configuration of every pod on the node"},
	{"/etc/ssl/certs", BH_HP_TREE, H, M, "the node's trusted CA certificates"},
	{"/etc/pki", BH_HP_TREE, H, M, "the node's trusted CA certificates"},
	{"/etc/ca-certificates", BH_HP_TREE, H, M, "the node's trusted CA certificates"},
	{"/etc/localtime", BH_HP_TREE, M, M, "the node's time zone file"},
	{"/etc/timezone", BH_HP_TREE, M, M, "the node's time zone file"},
	{"/etc/machine-id", BH_HP_TREE, M, M, "the node's machine id"},
	{"/root", BH_HP_TREE, C, H, "root's home directory (SSH keys, credentials)"},
	{"/home", BH_HP_TREE, H, H, "users' home directories (SSH keys, kubeconfigs)"},
	{"/proc", BH_HP_TREE, C, H, "the node's /proc (host processes, kernel settings)"},
	{"/sys", BH_HP_TREE, C, H, "the node's /sys (kernel and device settings, uevent_helper)"},
	{"/sys/fs/cgroup", BH_HP_TREE, C, H, "the node's cgroup tree (cgroup v1 release_agent runs as root)"},
	{"/sys/fs/bpf", BH_HP_TREE, H, M, "pinned BPF maps and programs (the CNI's eBPF dataplane)"},
	{"/dev", BH_HP_TREE, C, H, "the node's devices"},
	{"/boot", BH_HP_TREE, C, H, "the node's kernel and boot loader"},
	{"/usr", BH_HP_TREE, C, M, "programs and libraries the node runs as root"},
	{"/bin", BH_HP_TREE, C, M, "programs the node runs as root"},
	{"/sbin", BH_HP_TREE, C, M, "programs the node runs as root"},
	{"/lib", BH_HP_TREE, C, M, "libraries the node loads as root"},
	{"/lib64", BH_HP_TREE, C, M, "libraries the node loads as root"},
	{"/lib/modules", BH_HP_TREE, C, M, "kernel modules the node loads on demand"},
	{"/usr/lib/modules", BH_HP_TREE, C, M, "kernel modules the node loads on demand"},
	{"/opt/cni/bin", BH_HP_TREE, C, M, "CNI plugins the runtime runs as root for every pod"},
	{"/var/lib/kubelet", BH_HP_TREE, C, H, "the kubelet's state (its client key, every pod's secrets and tokens)"},
	{"/var/lib/kubelet/pods", BH_HP_TREE, C, H, "every pod's volumes, secrets and service-account tokens"},
	{"/var/lib/kubelet/pki", BH_HP_TREE, C, H, "the kubelet's client certificate and key"},
	{"/var/lib/kubelet/plugins", BH_HP_TREE, H, M, "CSI drivers' sockets (impersonating a driver receives volume secrets)"},
	{"/var/lib/kubelet/plugins_registry", BH_HP_TREE, H, M, "the kubelet's plugin registration directory"},
	{"/var/lib/kubelet/pod-resources", BH_HP_TREE, M, M, "the kubelet's pod-resources API (a read-only listing)"},
	{"/var/lib/docker", BH_HP_TREE, C, H, "Docker's storage (every container's filesystem and config)"},
	{"/var/lib/containerd", BH_HP_TREE, C, H, "containerd's storage (every container's filesystem)"},
	{"/var/lib/containers", BH_HP_TREE, C, H, "CRI-O/Podman storage (every container's filesystem)"},
	{"/var/lib/etcd", BH_HP_TREE, C, H, "etcd's data (every Secret of the cluster)"},
	{"/var/lib/rancher", BH_HP_TREE, C, H, "k3s/RKE2 state (server token, containerd)"},
	{"/var/spool/cron", BH_HP_TREE, C, H, "crontabs the node runs"},
	{"/var/log/pods", BH_HP_TREE, H, M,
	 "pod logs (the kubelet follows symlinks there when serving kubectl logs: the /var/log escape)"},
};
#undef C
#undef H
#undef M

static bool is_or_under(const char *p, const char *base)
{
	if (!strcmp(base, "/"))
		return p[0] == '/';
	size_t l = strlen(base);
	return !strncmp(p, base, l) && (p[l] == 0 || p[l] == '/');
}

static bool strictly_above(const char *p, const char *entry)
{
	if (!strcmp(p, "/"))
		return strcmp(entry, "/") != 0;
	size_t l = strlen(p);
	return !strncmp(entry, p, l) && entry[l] == '/';
}

void bh_hp_classify(const char *path, bool writable, bool root, struct bh_hp_class *out)
{
	char canon[4096];
	/* /var/run → /run */
	if (is_or_under(path, "/var/run")) {
		snprintf(canon, sizeof(canon), "/run%s", path + 8);
		path = canon;
	}
	memset(out, 0, sizeof(*out));
	out->sev = out->sev_rw = BH_SEV_MEDIUM;
	out->what = "a directory of the node";
	/* longest tree entry at or above the path, or the socket itself */
	size_t best = 0;
	for (size_t i = 0; i < sizeof(hp_table) / sizeof(hp_table[0]); i++) {
		const struct hp_entry *e = &hp_table[i];
		size_t l = strlen(e->path);
		bool hit = e->kind == BH_HP_TREE ? is_or_under(path, e->path) : !strcmp(path, e->path);
		if (!hit || l < best)
			continue;
		best = l;
		out->sev = writable ? e->rw : e->ro;
		out->sev_rw = e->rw;
		out->socket = e->kind >= BH_HP_SOCKET;
		out->runtime = e->kind == BH_HP_SOCKET;
		out->what = e->what;
	}
	/* entries below the mounted directory are exposed through it */
	const char *sock_below = NULL;
	bool sock_below_rt = false;
	for (size_t i = 0; i < sizeof(hp_table) / sizeof(hp_table[0]); i++) {
		const struct hp_entry *e = &hp_table[i];
		if (!strictly_above(path, e->path))
			continue;
		enum bh_sev s, srw;
		bool sock = e->kind >= BH_HP_SOCKET;
		if (sock) {
			/* the socket is owned by root (0660): a container that cannot be root cannot connect */
			s = srw = root ? BH_SEV_CRITICAL : BH_SEV_HIGH;
			if (!sock_below || (e->kind == BH_HP_SOCKET && !sock_below_rt)) {
				sock_below = e->what;
				sock_below_rt = e->kind == BH_HP_SOCKET;
			}
		} else {
			s = writable ? e->rw : e->ro;
			srw = e->rw;
		}
		/* at equal severity a reachable runtime socket is the better explanation; another socket only
		 * when the mount is read-only (writable, the tree itself says more: /var/lib/kubelet) */
		bool prefer = root && sock &&
			      (e->kind == BH_HP_SOCKET ? !out->runtime : (!writable && !out->socket));
		if (s > out->sev || (s == out->sev && prefer)) {
			out->sev = s;
			out->socket = sock;
			out->runtime = e->kind == BH_HP_SOCKET;
			out->what = e->what;
		}
		if (srw > out->sev_rw)
			out->sev_rw = srw;
	}
	if (out->sev_rw < out->sev)
		out->sev_rw = out->sev;
	if (sock_below && out->socket)
		out->below = true;
	else if (sock_below && !root)
		out->sock_nonroot = sock_below;
}

const char *bh_hp_mount_path(const struct bh_volume *v, const struct bh_mount *m, char *buf, size_t size)
{
	char joined[4096];
	if (m && m->sub_path.r == BH_OK && m->sub_path.len)
		snprintf(joined, sizeof(joined), "%s/%s", v->host_path_path.s, m->sub_path.s);
	else
		snprintf(joined, sizeof(joined), "%s", v->host_path_path.s);
	return bh_path_norm(joined, strlen(joined), buf, size);
}

/* The hostPath volume index (escape.h): open addressing over the volume names with a per-process seed
 * (the names are the user's). */
static uint64_t hp_hash(const char *s, size_t n, uint64_t seed)
{
	uint64_t h = 0xcbf29ce484222325ull ^ seed;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h ^ (h >> 29);
}

static bool hp_same(const struct bh_fstr *a, const struct bh_fstr *b)
{
	return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

int bh_hp_index_build(struct bh_hp_index *x, const struct bh_pod *p)
{
	uint32_t size = 16;
	while (size < 2 * p->nv)
		size *= 2;
	x->slot = calloc(size, sizeof(*x->slot));
	x->next = calloc(p->nv ? p->nv : 1, sizeof(*x->next));
	if (!x->slot || !x->next)
		return -1;
	x->mask = size - 1;
	x->seed = (uint64_t)(uintptr_t)x->slot * 0x9e3779b97f4a7c15ull; /* heap address: differs per process */
	for (uint32_t i = 0; i < p->nv; i++) {
		const struct bh_volume *v = &p->v[i];
		if (!v->host_path || v->name.r != BH_OK)
			continue;
		uint32_t h = (uint32_t)hp_hash(v->name.s, v->name.len, x->seed) & x->mask;
		while (x->slot[h] && !hp_same(&p->v[x->slot[h] - 1].name, &v->name))
			h = (h + 1) & x->mask;
		if (x->slot[h]) { /* same name: append to the chain */
			uint32_t j = x->slot[h] - 1;
			while (x->next[j])
				j = x->next[j] - 1;
			x->next[j] = i + 1;
		} else
			x->slot[h] = i + 1;
	}
	return 0;
}

uint32_t bh_hp_index_find(const struct bh_hp_index *x, const struct bh_pod *p, const struct bh_fstr *name)
{
	uint32_t h = (uint32_t)hp_hash(name->s, name->len, x->seed) & x->mask;
	while (x->slot[h] && !hp_same(&p->v[x->slot[h] - 1].name, name))
		h = (h + 1) & x->mask;
	return x->slot[h];
}

void bh_hp_index_free(struct bh_hp_index *x)
{
	free(x->slot);
	free(x->next);
	x->slot = x->next = NULL;
}
