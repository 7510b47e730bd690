/* Watch rules: one row per escape technique (metadata, BH0500–BH0599) and one small classifier per event
 * type that decides which row an event matches (the rows: rules/watch.def). The classifiers are pure functions of one event; state
 * (process cache, de-duplication, allow-list) lives in detector.c. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "detect.h"
#include "rules_int.h"

/* The rows are in rules/watch.def (the registry); index order = BHW_R_* in rules_int.h. */
static const struct bh_rule *const rules = &bh_rules[BH_RULES_WATCH_FIRST];
_Static_assert(BHW_R_MAX <= 100, "watch rule numbers 500-599 index bhw_config.disabled");

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
	return r->what;
}

const struct bh_rule *bhw_rule_at(int idx)
{
	return idx >= 0 && idx < BHW_R_MAX ? &rules[idx] : NULL;
}

/* Which event types feed each rule (exec is always traced: it tracks container processes). The object hooks
 * (watch.bpf.c) produce mount_param, sb_mount, proc_access, mmap_exec, userns_create; the tracepoint
 * fallback io_uring. */
static const unsigned char rule_types[BHW_R_MAX][BHW_RULE_TYPES] = {
	[BHW_R_MEMFD_EXEC] = {BHW_EV_EXEC, BHW_EV_MMAP_EXEC, BHW_EV_OPEN_WRITE},
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
	[BHW_R_SA_TOKEN_READ] = {BHW_EV_OPEN_WRITE},
	[BHW_R_SA_TOKEN_API] = {BHW_EV_API_CONNECT, BHW_EV_CONNECT, BHW_EV_OPEN_WRITE},
	[BHW_R_KEYRING] = {BHW_EV_KEYRING},
	[BHW_R_LSM_ATTR] = {BHW_EV_OPEN_WRITE},
	[BHW_R_DIRTY_PIPE] = {BHW_EV_SPLICE},
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

/* /proc/<pid>/attr/<leaf>, /proc/<pid>/attr/<lsm>/<leaf>, /proc/<pid>/task/<tid>/attr/… (self and
 * thread-self count as pid directories): the leaf's index, or -1 */
static int attr_leaf(const char (*comp)[BHW_COMP_LEN])
{
	for (int a = 1; a <= 2; a++) {
		if (strcmp(comp[a], "attr") || !is_pid_dir(comp[a + 1]))
			continue;
		if (!comp[a + 2][0])
			return 0;
		if (!strcmp(comp[a + 2], "task") && is_pid_dir(comp[a + 3]) && !comp[a + 4][0])
			return 0;
	}
	return -1;
}

/* Writing the LSM label (AppArmor changeprofile/changehat, an SELinux context): current and exec change
 * what confines the process; the SELinux create contexts only label new objects. */
static int classify_attr(const char (*comp)[BHW_COMP_LEN], const char *path, struct bhw_hit *h, int max)
{
	const char *leaf = comp[0];
	bool label = !strcmp(leaf, "current") || !strcmp(leaf, "exec");
	return hit(h, 0, max, BHW_R_LSM_ATTR, label ? BH_SEV_NONE : BH_SEV_MEDIUM,
		   "opened /proc%s for writing (%s)", path,
		   label ? "changes the process's LSM label" : "an LSM create context");
}

static int classify_proc(const struct bhw_event *ev, const char *path, struct bhw_hit *h, int max)
{
	const char(*comp)[BHW_COMP_LEN] = (const void *)ev->s;
	if (attr_leaf(comp) == 0)
		return classify_attr(comp, path, h, max);
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

/* The pod UID in a kubelet volume path (…/pods/<uid>/volumes/…); "" when the path has none. */
static void path_pod_uid(const char *path, char *uid, size_t len)
{
	const char *p = strstr(path, "/pods/");
	uid[0] = 0;
	if (!p || !strstr(p, "/volumes/"))
		return;
	p += 6;
	size_t n = strcspn(p, "/");
	snprintf(uid, len, "%.*s", (int)n, p);
}

/* A ServiceAccount token that is not the caller's own mount of its own (the kernel dropped that one): the
 * path runs across the volume's mountpoint, so a kubelet path names the pod the token belongs to. */
static int classify_token(const struct bhw_event *ev, const char *path, struct bhw_hit *h, int max)
{
	char id[BHW_CGNAME], own[40], tok[64];
	const char *rt;
	bhw_container_of(ev, id, sizeof(id), &rt, own, sizeof(own));
	path_pod_uid(path, tok, sizeof(tok));
	bool foreign_ns = (ev->flags & BHW_F_FOREIGN_MNT) != 0;
	/* path components hold 31 bytes: a 36-character UID arrives as its first 31 */
	if (!foreign_ns && own[0] && tok[0] && !strncmp(own, tok, strlen(tok)))
		return 0; /* its own pod's volume, through the kubelet directory */
	const char *via = foreign_ns ? ((ev->flags & BHW_F_HOST_MNT) ? " through the host's mount namespace"
								  : " through another mount namespace")
				     : tok[0] ? " through the kubelet's pod directory" : "";
	return hit(h, 0, max, BHW_R_SA_TOKEN_READ, BH_SEV_NONE, "read ServiceAccount token %s%s%s%s", path, via,
		   tok[0] ? " of pod " : "", tok);
}

static int classify_open(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	char path[BHW_PATH_COMPS * (BHW_COMP_LEN + 1) + 2];
	bhw_open_path(ev, path, sizeof(path));
	if (ev->flags & BHW_F_SA_TOKEN)
		return classify_token(ev, path, h, max);
	if (ev->flags & BHW_F_MEMFD_OPEN) /* the dynamic loader (or anything) about to run a memfd */
		return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_NONE, "opened memfd %s again by path (a loader "
			   "running it: ld.so /proc/self/fd/N)", path + 1);
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

static const char *keyctl_op(uint64_t op)
{
	static const char *const ops[] = {"GET_KEYRING_ID", "JOIN_SESSION_KEYRING", "UPDATE", "REVOKE", "CHOWN",
					  "SETPERM", "DESCRIBE", "CLEAR", "LINK", "UNLINK", "SEARCH", "READ",
					  "INSTANTIATE", "NEGATE", "SET_REQKEY_KEYRING", "SET_TIMEOUT",
					  "ASSUME_AUTHORITY"};
	return op < sizeof(ops) / sizeof(ops[0]) ? ops[op] : "?";
}

/* x86-64: add_key 248, request_key 249, keyctl 250 */
static int classify_keyring(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	if (ev->a[0] == 250)
		return hit(h, 0, max, BHW_R_KEYRING, BH_SEV_NONE, "keyctl(KEYCTL_%s): the node's kernel keyring",
			   keyctl_op(ev->a[1]));
	return hit(h, 0, max, BHW_R_KEYRING, BH_SEV_NONE, "%s(\"%s\"): the node's kernel keyring",
		   ev->a[0] == 248 ? "add_key" : "request_key", ev->s[0]);
}

static int classify_api_connect(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	uint32_t a = (uint32_t)ev->a[3];
	const uint8_t *b = (const uint8_t *)&a;
	char addr[40] = "an IPv6 address";
	if (ev->a[1] == 2)
		snprintf(addr, sizeof(addr), "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return hit(h, 0, max, BHW_R_SA_TOKEN_API, BH_SEV_NONE,
		   "connected to %s port %llu %.1f s after this container read another pod's ServiceAccount token",
		   addr, (unsigned long long)ev->a[0], (double)ev->a[2] / 1e9);
}

static int classify_splice(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	uint64_t fl = ev->a[3];
	return hit(h, 0, max, BHW_R_DIRTY_PIPE, BH_SEV_NONE,
		   "%s of read-only file %s (inode %llu) into a pipe, then %s into that pipe%s",
		   (fl & BHW_SPLICE_URING) ? "io_uring splice" : "splice", ev->s[0], (unsigned long long)ev->a[0],
		   (fl & BHW_SPLICE_MERGEABLE) ? "the page-cache buffer left mergeable (a kernel vulnerable to "
						 "CVE-2022-0847)" : "data written",
		   (fl & BHW_SPLICE_EXIT) ? " (seen at exit)" : "");
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
	case BHW_EV_KEYRING:
		return classify_keyring(ev, h, max);
	case BHW_EV_API_CONNECT:
		return classify_api_connect(ev, h, max);
	case BHW_EV_SPLICE:
		return classify_splice(ev, h, max);
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
