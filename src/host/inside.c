/* bh_inside_probe: read-only fact collection for `bulkhead inside`.
 *
 * Everything is read through o->root so that unit tests run on fixture trees. The live-only probes are
 * harmless by construction: open(O_RDONLY) of device nodes (closed at once), connect() to unix sockets
 * (closed at once, nothing sent), access(W_OK) (no write), and a child that calls unshare(CLONE_NEWUSER)
 * and exits. Peers' checks this mirrors and corrects are in shared/research/runtime-anchors.md §3. */
#include "inside.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define READ_MAX (256 * 1024)

struct probe {
	struct bh_inside *f;
	char root[512];
};

/* root-relative path into buf */
static const char *P(const struct probe *p, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", p->root, path);
	return buf;
}

/* Reads a small file (procfs files have no size) into a malloc'ed NUL-terminated buffer; NULL if absent. */
static char *slurp(const struct probe *p, const char *path, size_t *lenp)
{
	char full[1024];
	int fd = open(P(p, path, full, sizeof(full)), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	size_t cap = 4096, n = 0;
	char *b = malloc(cap + 1);
	while (b) {
		if (n == cap) {
			if (cap >= READ_MAX)
				break;
			char *nb = realloc(b, cap * 2 + 1);
			if (!nb) {
				free(b);
				b = NULL;
				break;
			}
			b = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (b) {
		b[n] = 0;
		if (lenp)
			*lenp = n;
	}
	return b;
}

static void chomp(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = 0;
}

/* "Key:\tvalue" in a /proc status-like buffer */
static const char *field(const char *buf, const char *key)
{
	size_t kl = strlen(key);
	for (const char *l = buf; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ':') {
			l += kl + 1;
			while (*l == ' ' || *l == '\t')
				l++;
			return l;
		}
	return NULL;
}

static void probe_status(struct probe *p)
{
	struct bh_inside *f = p->f;
	char *s = slurp(p, "/proc/self/status", NULL);
	if (!s)
		return;
	const char *v;
	if ((v = field(s, "Uid")))
		sscanf(v, "%d %d", &f->uid, &f->euid);
	if ((v = field(s, "Gid")))
		sscanf(v, "%d", &f->gid);
	unsigned long long x;
	int got = 0;
	if ((v = field(s, "CapInh")) && sscanf(v, "%llx", &x) == 1)
		f->cap_inh = x, got++;
	if ((v = field(s, "CapPrm")) && sscanf(v, "%llx", &x) == 1)
		f->cap_prm = x, got++;
	if ((v = field(s, "CapEff")) && sscanf(v, "%llx", &x) == 1)
		f->cap_eff = x, got++;
	if ((v = field(s, "CapBnd")) && sscanf(v, "%llx", &x) == 1)
		f->cap_bnd = x, got++;
	if ((v = field(s, "CapAmb")) && sscanf(v, "%llx", &x) == 1)
		f->cap_amb = x;
	f->caps_known = got == 4;
	if ((v = field(s, "NoNewPrivs")))
		f->nnp = atoi(v);
	if ((v = field(s, "Seccomp")))
		f->seccomp = atoi(v);
	if ((v = field(s, "Seccomp_filters")))
		f->seccomp_filters = atoi(v);
	free(s);
	char *last = slurp(p, "/proc/sys/kernel/cap_last_cap", NULL);
	if (last) {
		f->cap_last = atoi(last);
		free(last);
	}
}

static void probe_userns(struct probe *p)
{
	struct bh_inside *f = p->f;
	char *m = slurp(p, "/proc/self/uid_map", NULL);
	if (!m)
		return;
	unsigned long in, out, cnt;
	/* the initial user namespace maps everything: "0 0 4294967295" */
	if (sscanf(m, "%lu %lu %lu", &in, &out, &cnt) == 3) {
		f->in_userns = !(in == 0 && out == 0 && cnt == 4294967295UL);
		f->host_uid_of_root = out;
	}
	char *nl;
	for (char *s = m; (nl = strchr(s, '\n')); s = nl + 1)
		*nl = *(nl + 1) ? ';' : 0;
	/* collapse runs of spaces for a readable one-line map */
	char *w = m;
	for (char *r = m; *r; r++)
		if (*r != ' ' || (w > m && w[-1] != ' ' && w[-1] != ';'))
			*w++ = *r;
	*w = 0;
	snprintf(f->uid_map, sizeof(f->uid_map), "%s", m);
	free(m);
}

static void probe_lsm(struct probe *p)
{
	struct bh_inside *f = p->f;
	/* the AppArmor-specific file exists on kernels with LSM stacking; fall back to the shared one */
	char *l = slurp(p, "/proc/self/attr/apparmor/current", NULL);
	if (!l)
		l = slurp(p, "/proc/self/attr/current", NULL);
	snprintf(f->lsm_name, sizeof(f->lsm_name), "none");
	if (!l || !*l) {
		/* EINVAL on read: no LSM that keeps a task label (no AppArmor, no SELinux) */
		f->lsm_confined = 0;
		snprintf(f->lsm_label, sizeof(f->lsm_label), "(no label)");
		free(l);
		return;
	}
	chomp(l);
	for (char *c = l; *c; c++)
		if (*c == '\0' || (unsigned char)*c < 0x20)
			*c = ' ';
	snprintf(f->lsm_label, sizeof(f->lsm_label), "%s", l);
	if (strchr(l, ':') && strstr(l, "_t")) {
		snprintf(f->lsm_name, sizeof(f->lsm_name), "selinux");
		/* spc_t (super privileged container) and unconfined_t are not confined */
		f->lsm_confined = !(strstr(l, ":spc_t") || strstr(l, ":unconfined_t") || strstr(l, ":kernel_t"));
	} else {
		snprintf(f->lsm_name, sizeof(f->lsm_name), "apparmor");
		f->lsm_confined = strcmp(l, "unconfined") && !strstr(l, "(complain)") && !strstr(l, "(unconfined)");
	}
	free(l);
}

static const char *const ns_names[BH_NS_N] = {"pid", "net", "ipc", "uts", "cgroup", "mnt", "user"};

/* Namespaces the kernel creates at boot have fixed proc inode numbers below PROC_DYNAMIC_FIRST (0xF0000000,
 * include/linux/proc_ns.h); every namespace created later gets one above. Since Linux 6.18 this also holds
 * for net and mnt. So an inode below 0xF0000000 means "the host's namespace" without comparing with pid 1,
 * which the container may not even see. */
#define PROC_DYNAMIC_FIRST 0xF0000000UL

static void probe_ns(struct probe *p)
{
	struct bh_inside *f = p->f;
	for (int i = 0; i < BH_NS_N; i++) {
		struct bh_inside_ns *n = &f->ns[i];
		n->host = -1;
		char path[64], full[1024], link[64];
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns_names[i]);
		ssize_t r = readlink(P(p, path, full, sizeof(full)), link, sizeof(link) - 1);
		if (r <= 0) {
			snprintf(n->evidence, sizeof(n->evidence), "%s unreadable", path);
			continue;
		}
		link[r] = 0;
		const char *br = strchr(link, '[');
		if (!br)
			continue;
		n->ino = strtoul(br + 1, NULL, 10);
		if (n->ino && n->ino < PROC_DYNAMIC_FIRST) {
			n->host = 1;
			snprintf(n->evidence, sizeof(n->evidence), "%s -> %s: a boot-time namespace (inode below 0xF0000000)",
				 path, link);
		} else if (i == BH_NS_NET || i == BH_NS_MNT) {
			/* before 6.18 the host's net/mnt namespaces had dynamic inodes too: decided below */
			snprintf(n->evidence, sizeof(n->evidence), "%s -> %s", path, link);
		} else {
			n->host = 0;
			snprintf(n->evidence, sizeof(n->evidence), "%s -> %s: a namespace created after boot", path, link);
		}
	}
	/* host network without a static inode: node-only interfaces are visible (CNI bridges, other pods' veths) */
	if (f->ns[BH_NS_NET].host < 0) {
		static const char *const node_ifs[] = {"docker0", "cni0", "cbr0", "flannel", "cali", "vxlan.calico",
						       "weave", "kube-ipvs0", "cilium_", "veth", "virbr", "tunl0",
						       "kube-bridge", NULL};
		char *d = slurp(p, "/proc/net/dev", NULL);
		const char *hit = NULL;
		for (const char *const *n = node_ifs; d && *n && !hit; n++) {
			const char *s = strstr(d, *n);
			if (s)
				hit = *n;
		}
		if (d) {
			f->ns[BH_NS_NET].host = hit ? 1 : 0;
			size_t l = strlen(f->ns[BH_NS_NET].evidence);
			snprintf(f->ns[BH_NS_NET].evidence + l, sizeof(f->ns[BH_NS_NET].evidence) - l,
				 hit ? "; node interface '%s*' visible in /proc/net/dev" : "%s; no node interfaces in /proc/net/dev",
				 hit ? hit : "");
		}
		free(d);
	}
}

static void unescape_octal(char *s)
{
	/* mountinfo escapes space, tab, newline and backslash as \ooo */
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && isdigit((unsigned char)r[1]) && isdigit((unsigned char)r[2]) &&
		    isdigit((unsigned char)r[3])) {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else
			*w++ = *r;
	}
	*w = 0;
}

static bool opt_has(const char *opts, const char *o)
{
	size_t ol = strlen(o);
	for (const char *s = opts; s && *s;) {
		size_t n = strcspn(s, ",");
		if (n == ol && !strncmp(s, o, ol))
			return true;
		s += n;
		if (*s)
			s++;
	}
	return false;
}

/* Host paths whose exposure DESIGN §4 rates critical when writable (and high when read-only). Matched
 * against the mount's root inside its filesystem, which is the host path when the filesystem is the
 * node's root filesystem. */
static const char *const sensitive[] = {
	"/etc", "/root", "/proc", "/sys", "/dev", "/boot", "/var/lib/kubelet", "/etc/kubernetes", "/var/run",
	"/run", "/var/lib/docker", "/var/lib/containerd", "/var/lib/containers", "/var/log", "/home", "/usr",
	"/lib", "/bin", "/sbin", "/var/lib/etcd", NULL,
};

static int sensitivity(const char *root)
{
	if (!strcmp(root, "/"))
		return 2;
	for (const char *const *s = sensitive; *s; s++) {
		size_t n = strlen(*s);
		if (!strcmp(root, *s) || (!strncmp(root, *s, n) && root[n] == '/' && !strcmp(*s, "/etc")))
			return 1;
		if (!strncmp(root, *s, n) && root[n] == '/' &&
		    (!strcmp(*s, "/var/lib/kubelet") || !strcmp(*s, "/etc/kubernetes") || !strcmp(*s, "/root")))
			return 1;
	}
	return 0;
}

/* Files the runtime itself binds from the node into every container; not an avenue. */
static bool runtime_managed(const char *mp)
{
	static const char *const files[] = {"/etc/hosts", "/etc/hostname", "/etc/resolv.conf", "/dev/termination-log",
					    "/run/.containerenv", "/.dockerenv", NULL};
	for (const char *const *x = files; *x; x++)
		if (!strcmp(mp, *x))
			return true;
	return !strncmp(mp, "/var/run/secrets/", 17) || !strncmp(mp, "/run/secrets/", 13);
}

/* Volumes the kubelet or runtime created for the pod (emptyDir, configMap, secret, projected, CSI/PVC, Docker
 * named volumes) live under their state directories; a hostPath volume shows the node path itself. */
static bool managed_volume(const char *root)
{
	return (strstr(root, "/pods/") && strstr(root, "/volumes/")) || strstr(root, "/volume-subpaths/") ||
	       (strstr(root, "/docker/volumes/") && strstr(root, "/_data"));
}

static bool disk_fs(const char *t)
{
	static const char *const fs[] = {"ext2", "ext3", "ext4", "xfs", "btrfs", "zfs", "f2fs", "vfat", "virtiofs",
					 "9p", "nfs", "nfs4", "fuse.lxcfs", "ntfs", "bcachefs", "reiserfs", "jfs", NULL};
	for (const char *const *x = fs; *x; x++)
		if (!strcmp(t, *x))
			return true;
	return false;
}

struct mi {
	char mp[256], root[256], fstype[32], source[128], opts[256], sopts[256];
};

static int parse_mountinfo_line(char *line, struct mi *m)
{
	/* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
	char *dash = strstr(line, " - ");
	if (!dash)
		return -1;
	*dash = 0;
	char root[256], mp[256], opts[256];
	if (sscanf(line, "%*s %*s %*s %255s %255s %255s", root, mp, opts) != 3)
		return -1;
	char fstype[32] = "", source[128] = "", sopts[256] = "";
	if (sscanf(dash + 3, "%31s %127s %255s", fstype, source, sopts) < 2)
		return -1;
	unescape_octal(root);
	unescape_octal(mp);
	snprintf(m->mp, sizeof(m->mp), "%s", mp);
	snprintf(m->root, sizeof(m->root), "%s", root);
	snprintf(m->fstype, sizeof(m->fstype), "%s", fstype);
	snprintf(m->source, sizeof(m->source), "%s", source);
	snprintf(m->opts, sizeof(m->opts), "%s", opts);
	snprintf(m->sopts, sizeof(m->sopts), "%s", sopts);
	return 0;
}

/* The mount that covers path (the last, longest matching mountpoint), or NULL. */
static const struct mi *covering(const struct mi *v, size_t n, const char *path)
{
	const struct mi *best = NULL;
	size_t bl = 0;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i].mp);
		bool match = !strcmp(v[i].mp, "/") ? true
						  : !strncmp(path, v[i].mp, l) && (path[l] == 0 || path[l] == '/');
		if (match && (l >= bl)) {
			best = &v[i];
			bl = l;
		}
	}
	return best;
}

static bool mi_ro(const struct mi *m)
{
	return opt_has(m->opts, "ro") || opt_has(m->sopts, "ro");
}

static bool is_socket(const struct probe *p, const char *path)
{
	char full[1024];
	struct stat st;
	return !stat(P(p, path, full, sizeof(full)), &st) && S_ISSOCK(st.st_mode);
}

static void add_socket(struct probe *p, const char *path, const char *how)
{
	struct bh_inside *f = p->f;
	for (size_t i = 0; i < f->nsockets; i++)
		if (!strcmp(f->sockets[i].path, path))
			return;
	if (f->nsockets == BH_INSIDE_MAX_ITEMS)
		return;
	struct bh_inside_socket *s = &f->sockets[f->nsockets++];
	snprintf(s->path, sizeof(s->path), "%s", path);
	snprintf(s->how, sizeof(s->how), "%s", how);
	s->answers = -1;
	if (!f->live || path[0] != '/')
		return;
	/* connect() and close: nothing is sent, so the runtime sees an empty connection at most */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0) {
		s->answers = 1;
		snprintf(s->detail, sizeof(s->detail), "connect() succeeded");
	} else {
		s->answers = 0;
		snprintf(s->detail, sizeof(s->detail), "connect(): %s", strerror(errno));
	}
	close(fd);
}

/* mountinfo lines as parsed records (malloc'ed; NULL when unreadable) */
static struct mi *read_mountinfo(struct probe *p, size_t *np)
{
	char *buf = slurp(p, "/proc/self/mountinfo", NULL);
	*np = 0;
	if (!buf)
		return NULL;
	size_t cap = 64, n = 0;
	struct mi *v = malloc(cap * sizeof(*v));
	char *save = NULL;
	for (char *line = strtok_r(buf, "\n", &save); line && v; line = strtok_r(NULL, "\n", &save)) {
		if (n == cap) {
			if (cap >= 8192)
				break;
			struct mi *nv = realloc(v, cap * 2 * sizeof(*v));
			if (!nv)
				break;
			v = nv;
			cap *= 2;
		}
		if (!parse_mountinfo_line(line, &v[n]))
			n++;
	}
	free(buf);
	*np = n;
	return v;
}

static void mount_root(struct bh_inside *f, const struct mi *m)
{
	f->root_ro = mi_ro(m);
	/* before 6.18 the host mount namespace has a dynamic inode: a container's "/" is an
	 * overlay or a bind of a subdirectory (its rootfs), the node's is a filesystem root */
	struct bh_inside_ns *mn = &f->ns[BH_NS_MNT];
	if (mn->host < 0 && (strcmp(m->root, "/") || !strcmp(m->fstype, "overlay") || !strcmp(m->fstype, "aufs"))) {
		mn->host = 0;
		size_t l = strlen(mn->evidence);
		snprintf(mn->evidence + l, sizeof(mn->evidence) - l, "; / is %s %.80s (a container rootfs)", m->fstype,
			 m->root);
	}
	/* the runtime's own bookkeeping says who made this container */
	if (strstr(m->root, "/containerd/") && !f->runtime[0])
		snprintf(f->runtime, sizeof(f->runtime), "containerd");
}

static void mount_cgroup(struct probe *p, const struct mi *m)
{
	struct bh_inside *f = p->f;
	struct bh_inside_cgroup *c = &f->cgroups[f->ncgroups++];
	snprintf(c->mountpoint, sizeof(c->mountpoint), "%s", m->mp);
	const char *ctl = m->sopts;
	if (!strncmp(ctl, "rw,", 3) || !strncmp(ctl, "ro,", 3))
		ctl += 3;
	snprintf(c->controllers, sizeof(c->controllers), "%s", ctl);
	c->ro = mi_ro(m);
	char ra[320], full[1024];
	snprintf(ra, sizeof(ra), "%s/release_agent", m->mp);
	struct stat st;
	c->release_agent = !stat(P(p, ra, full, sizeof(full)), &st);
	c->writable = !c->release_agent ? 0 : c->ro ? 0 : -1;
	if (c->release_agent && f->live && !c->ro)
		c->writable = access(ra, W_OK) == 0;
}

/* the runtime's per-container files (/etc/hostname, /etc/hosts) name it (and the container) */
static void mount_runtime_hint(struct bh_inside *f, const struct mi *m)
{
	static const struct {
		const char *needle, *runtime;
	} st[] = {{"/io.containerd.grpc.v1.cri/sandboxes/", "containerd"},
		  {"/docker/containers/", "docker"},
		  {"/overlay-containers/", "cri-o"}};
	for (size_t k = 0; k < sizeof(st) / sizeof(st[0]); k++) {
		if (!strstr(m->root, st[k].needle))
			continue;
		if (!f->runtime[0])
			snprintf(f->runtime, sizeof(f->runtime), "%s", st[k].runtime);
		if (!f->mount_hint[0])
			snprintf(f->mount_hint, sizeof(f->mount_hint), "%s", m->root);
	}
	if (strstr(m->root, "/kubelet/pods/"))
		f->kubernetes = true;
}

/* a node path or socket bind-mounted into the container */
static void mount_host_path(struct probe *p, const struct mi *m)
{
	struct bh_inside *f = p->f;
	bool sock = is_socket(p, m->mp) || strstr(m->mp, ".sock") != NULL;
	if (sock)
		add_socket(p, m->mp, "bind-mounted from the node");
	if ((!disk_fs(m->fstype) && !sock) || f->nmounts == BH_INSIDE_MAX_ITEMS)
		return;
	struct bh_inside_mount *hm = &f->mounts[f->nmounts++];
	snprintf(hm->mountpoint, sizeof(hm->mountpoint), "%s", m->mp);
	snprintf(hm->root, sizeof(hm->root), "%s", m->root);
	snprintf(hm->fstype, sizeof(hm->fstype), "%s", m->fstype);
	snprintf(hm->source, sizeof(hm->source), "%s", m->source);
	hm->ro = mi_ro(m);
	hm->socket = sock;
	hm->sensitive = sensitivity(m->root);
}

/* /proc/sys and /sys: mount flags decide in fixtures; access(W_OK) decides live (it also sees
 * capability and sysctl permission checks) */
static void probe_kernel_knobs(struct probe *p, const struct mi *v, size_t n)
{
	struct bh_inside *f = p->f;
	static const char core[] = "/proc/sys/kernel/core_pattern";
	const struct mi *c = covering(v, n, core);
	if (c) {
		f->proc_sys_writable = !mi_ro(c);
		snprintf(f->proc_sys_evidence, sizeof(f->proc_sys_evidence), "%s is on %s (%s, %s)", core, c->mp,
			 c->fstype, mi_ro(c) ? "ro" : "rw");
	}
	if (f->live && f->proc_sys_writable == 1) {
		f->proc_sys_writable = access(core, W_OK) == 0;
		size_t l = strlen(f->proc_sys_evidence);
		snprintf(f->proc_sys_evidence + l, sizeof(f->proc_sys_evidence) - l, "; access(W_OK) %s",
			 f->proc_sys_writable ? "succeeds" : "fails");
	}
	c = covering(v, n, "/proc/sysrq-trigger");
	if (c)
		f->sysrq_writable = !mi_ro(c) && (!f->live || access("/proc/sysrq-trigger", W_OK) == 0);
	c = covering(v, n, "/sys/kernel");
	if (c && (!strcmp(c->fstype, "sysfs"))) {
		f->sys_writable = !mi_ro(c);
		snprintf(f->sys_evidence, sizeof(f->sys_evidence), "/sys is sysfs mounted %s", mi_ro(c) ? "ro" : "rw");
		f->uevent_helper_writable = f->sys_writable ? -1 : 0;
		char full[1024];
		struct stat st;
		if (f->sys_writable && stat(P(p, "/sys/kernel/uevent_helper", full, sizeof(full)), &st))
			f->uevent_helper_writable = 0;
		if (f->live && f->sys_writable)
			f->uevent_helper_writable = access("/sys/kernel/uevent_helper", W_OK) == 0;
	} else if (c) {
		f->sys_writable = 0;
		snprintf(f->sys_evidence, sizeof(f->sys_evidence), "/sys/kernel is covered by %s (%s)", c->mp, c->fstype);
	}
}

static void probe_mounts(struct probe *p)
{
	struct bh_inside *f = p->f;
	f->root_ro = -1;
	f->proc_sys_writable = f->sys_writable = f->sysrq_writable = f->uevent_helper_writable = -1;
	size_t n;
	struct mi *v = read_mountinfo(p, &n);
	if (!v)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct mi *m = &v[i];
		if (!strcmp(m->mp, "/")) {
			mount_root(f, m);
			continue;
		}
		if (!strcmp(m->fstype, "cgroup") && f->ncgroups < 16) {
			mount_cgroup(p, m);
			continue;
		}
		if (!strcmp(m->mp, "/etc/hostname") || !strcmp(m->mp, "/etc/hosts"))
			mount_runtime_hint(f, m);
		if (!runtime_managed(m->mp) && !managed_volume(m->root))
			mount_host_path(p, m);
	}
	probe_kernel_knobs(p, v, n);
	free(v);
}

static void probe_sockets(struct probe *p)
{
	/* Runtime and kubelet API sockets at their usual paths (the bind target a manifest would choose). */
	static const char *const known[] = {
		"/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock",
		"/var/run/containerd/containerd.sock", "/run/k3s/containerd/containerd.sock", "/run/crio/crio.sock",
		"/var/run/crio/crio.sock", "/run/podman/podman.sock", "/var/run/podman/podman.sock",
		"/var/run/dockershim.sock", "/run/cri-dockerd.sock", "/var/run/cri-dockerd.sock",
		"/run/buildkit/buildkitd.sock", "/var/lib/kubelet/pod-resources/kubelet.sock", NULL,
	};
	for (const char *const *k = known; *k; k++)
		if (is_socket(p, *k))
			add_socket(p, *k, "runtime socket path");
	/* containerd-shim's abstract socket is reachable from the host network namespace (CVE-2020-15257) */
	char *u = slurp(p, "/proc/net/unix", NULL);
	for (char *s = u ? strstr(u, "@/containerd-shim/") : NULL; s; s = strstr(s + 1, "@/containerd-shim/")) {
		char name[160];
		size_t l = strcspn(s, " \n");
		snprintf(name, sizeof(name), "%.*s", (int)(l < sizeof(name) - 1 ? l : sizeof(name) - 1), s);
		add_socket(p, name, "abstract socket in /proc/net/unix");
		break;
	}
	free(u);
}

static void probe_devices(struct probe *p)
{
	struct bh_inside *f = p->f;
	char full[1024];
	DIR *d = opendir(P(p, "/dev", full, sizeof(full)));
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && f->ndevs < BH_INSIDE_MAX_ITEMS) {
		if (e->d_name[0] == '.')
			continue;
		char path[300];
		snprintf(path, sizeof(path), "/dev/%s", e->d_name);
		struct stat st;
		if (lstat(P(p, path, full, sizeof(full)), &st))
			continue;
		bool memdev = S_ISCHR(st.st_mode) && (!strcmp(e->d_name, "mem") || !strcmp(e->d_name, "kmem") ||
						      !strcmp(e->d_name, "port") || !strcmp(e->d_name, "kmsg"));
		if (!S_ISBLK(st.st_mode) && !memdev)
			continue;
		struct bh_inside_dev *dv = &f->devs[f->ndevs++];
		snprintf(dv->path, sizeof(dv->path), "%s", path);
		dv->type = S_ISBLK(st.st_mode) ? 'b' : 'c';
		dv->major = major(st.st_rdev);
		dv->minor = minor(st.st_rdev);
		dv->openable = -1;
		if (f->live) {
			/* read-only, non-blocking, closed at once: no data is read */
			int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
			dv->openable = fd >= 0;
			dv->err = fd >= 0 ? 0 : errno;
			if (fd >= 0)
				close(fd);
		}
	}
	closedir(d);
}

static void probe_cgroup_v1(struct probe *p)
{
	struct bh_inside *f = p->f;
	f->cgroup_v1 = -1;
	/* /proc/self/cgroup: "N:controllers:/path" with N > 0 is a v1 hierarchy; "0::/path" is v2 */
	char *c = slurp(p, "/proc/self/cgroup", NULL);
	if (c) {
		int v1 = 0;
		for (char *l = c; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
			if (isdigit((unsigned char)*l) && atoi(l) > 0)
				v1++;
		f->cgroup_v1 = v1 > 0;
		if (v1)
			snprintf(f->cgroup_evidence, sizeof(f->cgroup_evidence),
				 "/proc/self/cgroup lists %d cgroup v1 hierarchies", v1);
		else
			snprintf(f->cgroup_evidence, sizeof(f->cgroup_evidence), "/proc/self/cgroup lists only cgroup v2");
		free(c);
	}
	if (f->cgroup_v1 != 1) {
		/* a v2-only node can still get a new v1 hierarchy mounted while the kernel registers the type */
		char *fs = slurp(p, "/proc/filesystems", NULL);
		if (fs) {
			bool has = false;
			for (char *l = fs; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
				const char *t = strchr(l, '\t');
				if (t && !strncmp(t + 1, "cgroup\n", 7))
					has = true;
			}
			if (has) {
				f->cgroup_v1 = 1;
				size_t l = strlen(f->cgroup_evidence);
				snprintf(f->cgroup_evidence + l, sizeof(f->cgroup_evidence) - l,
					 "%s/proc/filesystems registers cgroup (v1)", l ? "; " : "");
			}
			free(fs);
		}
	}
}

static void probe_userns_create(struct probe *p, const struct bh_inside_opts *o)
{
	struct bh_inside *f = p->f;
	f->userns_create = -1;
	char *mx = slurp(p, "/proc/sys/user/max_user_namespaces", NULL);
	char *uc = slurp(p, "/proc/sys/kernel/unprivileged_userns_clone", NULL);
	if (mx)
		chomp(mx);
	if (uc)
		chomp(uc);
	snprintf(f->userns_evidence, sizeof(f->userns_evidence), "user.max_user_namespaces=%s%s%s",
		 mx ? mx : "?", uc ? ", kernel.unprivileged_userns_clone=" : "", uc ? uc : "");
	if (mx && atol(mx) == 0)
		f->userns_create = 0;
	free(mx);
	free(uc);
	if (!f->live || o->no_userns_test || f->userns_create == 0)
		return;
	/* The child only asks the kernel for a user namespace and exits: nothing runs inside it. */
	pid_t pid = fork();
	if (pid < 0)
		return;
	if (pid == 0)
		_exit(unshare(CLONE_NEWUSER) == 0 ? 0 : (errno & 0x7f) ? (errno & 0x7f) : 127);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st)) {
		int code = WEXITSTATUS(st);
		f->userns_create = code == 0;
		size_t l = strlen(f->userns_evidence);
		snprintf(f->userns_evidence + l, sizeof(f->userns_evidence) - l, "; a child's unshare(CLONE_NEWUSER) %s%s",
			 code == 0 ? "succeeded" : "failed: ", code == 0 ? "" : strerror(code));
	}
}

static void probe_kernel(struct probe *p)
{
	struct bh_inside *f = p->f;
	char *rel = slurp(p, "/proc/sys/kernel/osrelease", NULL);
	char *ver = slurp(p, "/proc/version", NULL);
	char *sig = slurp(p, "/proc/version_signature", NULL);
	struct bh_err err = {0};
	if (rel) {
		chomp(rel);
		f->kernel_known = bh_kernel_parse(&f->kernel, rel, ver, sig, &err) == 0;
	}
	free(rel);
	free(ver);
	free(sig);
}

static void probe_hostname(struct probe *p)
{
	char *h = slurp(p, "/proc/sys/kernel/hostname", NULL);
	if (!h)
		h = slurp(p, "/etc/hostname", NULL);
	if (h) {
		chomp(h);
		snprintf(p->f->hostname, sizeof(p->f->hostname), "%s", h);
		free(h);
	}
}

/* cgroup paths name the runtime: kubepods…/cri-containerd-<id>.scope, /docker/<id>, crio-<id> */
static const char *identity_cgroup(struct probe *p)
{
	struct bh_inside *f = p->f;
	const char *how = NULL;
	char *cg = slurp(p, "/proc/self/cgroup", NULL);
	static const struct {
		const char *needle, *runtime;
	} marks[] = {{"cri-containerd-", "containerd"}, {"crio-", "cri-o"}, {"/docker/", "docker"},
		     {"docker-", "docker"}, {"libpod-", "podman"}, {"/lxc/", "lxc"}, {"/kubepods", "kubernetes"},
		     {"kubepods.slice", "kubernetes"}};
	for (size_t i = 0; cg && i < sizeof(marks) / sizeof(marks[0]); i++) {
		const char *s = strstr(cg, marks[i].needle);
		if (!s)
			continue;
		if (!f->runtime[0] || !strcmp(f->runtime, "kubernetes"))
			snprintf(f->runtime, sizeof(f->runtime), "%s", marks[i].runtime);
		if (!strcmp(marks[i].runtime, "kubernetes"))
			f->kubernetes = true;
		/* container id: the 64-hex run after the marker */
		const char *idp = s + strlen(marks[i].needle);
		size_t l = strspn(idp, "0123456789abcdef");
		if (l >= 12 && !f->container_id[0])
			snprintf(f->container_id, sizeof(f->container_id), "%.*s", (int)(l > 64 ? 64 : l), idp);
		how = "/proc/self/cgroup";
	}
	free(cg);
	return how;
}

/* runtime marker files, then $container and KUBERNETES_SERVICE_HOST in the environment */
static const char *identity_markers(struct probe *p, const char *how)
{
	struct bh_inside *f = p->f;
	char full[1024];
	struct stat st;
	if (!stat(P(p, "/.dockerenv", full, sizeof(full)), &st)) {
		if (!f->runtime[0])
			snprintf(f->runtime, sizeof(f->runtime), "docker");
		how = how ? how : "/.dockerenv";
	}
	if (!stat(P(p, "/run/.containerenv", full, sizeof(full)), &st)) {
		if (!f->runtime[0])
			snprintf(f->runtime, sizeof(f->runtime), "podman");
		how = how ? how : "/run/.containerenv";
	}
	if (!how && f->mount_hint[0])
		how = "mountinfo (runtime state path of /etc/hostname)";
	size_t envlen = 0;
	char *env = slurp(p, "/proc/self/environ", &envlen);
	for (size_t i = 0; env && i < envlen; i += strlen(env + i) + 1) {
		if (!strncmp(env + i, "KUBERNETES_SERVICE_HOST=", 24))
			f->kubernetes = true;
		if (!strncmp(env + i, "container=", 10) && !f->runtime[0]) {
			snprintf(f->runtime, sizeof(f->runtime), "%s", env + i + 10);
			how = how ? how : "$container";
		}
	}
	free(env);
	return how;
}

static void probe_identity(struct probe *p)
{
	struct bh_inside *f = p->f;
	probe_hostname(p);
	const char *how = identity_markers(p, identity_cgroup(p));
	bool ns_private = false;
	for (int i = 0; i < BH_NS_N; i++)
		if (f->ns[i].host == 0 && i != BH_NS_USER)
			ns_private = true;
	f->in_container = how != NULL || ns_private || f->in_userns == 1;
	if (!f->runtime[0])
		snprintf(f->runtime, sizeof(f->runtime), "%s", f->in_container ? "unknown" : "none");
	snprintf(f->runtime_evidence, sizeof(f->runtime_evidence), "%s%s%s", how ? how : "",
		 how && ns_private ? "; " : "", ns_private ? "own namespaces (see ns evidence)" : "");
	if (!how && !ns_private)
		snprintf(f->runtime_evidence, sizeof(f->runtime_evidence), "every namespace is a boot-time one");
	if (f->kubernetes && strcmp(f->runtime, "kubernetes")) {
		size_t l = strlen(f->runtime);
		snprintf(f->runtime + l, sizeof(f->runtime) - l, " (kubernetes)");
	}
}

static void probe_sa(struct probe *p)
{
	struct bh_inside *f = p->f;
	static const char *const dirs[] = {"/var/run/secrets/kubernetes.io/serviceaccount",
					   "/run/secrets/kubernetes.io/serviceaccount", NULL};
	for (const char *const *d = dirs; *d; d++) {
		char path[200], full[1024];
		struct stat st;
		snprintf(path, sizeof(path), "%s/token", *d);
		if (stat(P(p, path, full, sizeof(full)), &st))
			continue;
		f->sa_token = 1;
		snprintf(f->sa_token_path, sizeof(f->sa_token_path), "%s", path);
		snprintf(path, sizeof(path), "%s/namespace", *d);
		char *ns = slurp(p, path, NULL);
		if (ns) {
			chomp(ns);
			snprintf(f->sa_namespace, sizeof(f->sa_namespace), "%s", ns);
			free(ns);
		}
		return;
	}
}

int bh_inside_probe(const struct bh_inside_opts *o, struct bh_inside *f, struct bh_err *err)
{
	memset(f, 0, sizeof(*f));
	struct probe p = {.f = f};
	const char *root = o && o->root ? o->root : "/";
	struct stat st;
	if (stat(root, &st) || !S_ISDIR(st.st_mode))
		return bh_err_set(err, -ENOENT, 0, 0, "--root %s: not a directory", root);
	f->root = root;
	f->live = !strcmp(root, "/");
	/* "/" + "/proc/…" would give "//proc"; keep paths exact */
	snprintf(p.root, sizeof(p.root), "%s", f->live ? "" : root);
	size_t rl = strlen(p.root);
	while (rl && p.root[rl - 1] == '/')
		p.root[--rl] = 0;
	f->uid = f->euid = f->gid = -1;
	f->in_userns = -1;
	f->cap_last = -1;
	f->nnp = f->seccomp = f->seccomp_filters = -1;
	f->lsm_confined = -1;
	f->sa_token = 0;
	struct bh_inside_opts none = {0};
	probe_status(&p);
	probe_userns(&p);
	probe_lsm(&p);
	probe_ns(&p);
	probe_mounts(&p);
	probe_sockets(&p);
	probe_devices(&p);
	probe_cgroup_v1(&p);
	probe_userns_create(&p, o ? o : &none);
	probe_kernel(&p);
	probe_identity(&p);
	probe_sa(&p);
	return 0;
}
