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

/* Which event types feed each rule (exec is always traced: it tracks container processes). */
static const unsigned char rule_types[BHW_R_MAX][4] = {
	[BHW_R_MEMFD_EXEC] = {BHW_EV_EXEC},
	[BHW_R_HOST_DEV_MOUNT] = {BHW_EV_MOUNT},
	[BHW_R_CGROUP_MOUNT] = {BHW_EV_MOUNT, BHW_EV_FSOPEN},
	[BHW_R_MOUNT] = {BHW_EV_MOUNT, BHW_EV_UMOUNT, BHW_EV_FSOPEN, BHW_EV_FSMOUNT},
	[BHW_R_RELEASE_AGENT] = {BHW_EV_OPEN_WRITE},
	[BHW_R_NOTIFY_ON_RELEASE] = {BHW_EV_OPEN_WRITE},
	[BHW_R_CORE_PATTERN] = {BHW_EV_OPEN_WRITE},
	[BHW_R_PROC_SYS] = {BHW_EV_OPEN_WRITE},
	[BHW_R_SYSRQ] = {BHW_EV_OPEN_WRITE},
	[BHW_R_SYS_KERNEL] = {BHW_EV_OPEN_WRITE},
	[BHW_R_KMEM] = {BHW_EV_OPEN_WRITE},
	[BHW_R_BLOCK_DEV] = {BHW_EV_OPEN_WRITE},
	[BHW_R_HOST_NS_ENTRY] = {BHW_EV_SETNS},
	[BHW_R_SETNS] = {BHW_EV_SETNS},
	[BHW_R_UNSHARE] = {BHW_EV_UNSHARE},
	[BHW_R_PTRACE] = {BHW_EV_PTRACE, BHW_EV_OPEN_WRITE},
	[BHW_R_MODULE] = {BHW_EV_MODULE},
	[BHW_R_BPF] = {BHW_EV_BPF},
	[BHW_R_RUNTIME_SOCKET] = {BHW_EV_CONNECT},
	[BHW_R_PIVOT_CHROOT] = {BHW_EV_PIVOT_ROOT, BHW_EV_CHROOT},
	[BHW_R_USERFAULTFD] = {BHW_EV_USERFAULTFD},
	[BHW_R_OPEN_BY_HANDLE] = {BHW_EV_OPEN_BY_HANDLE},
};

void bhw_rules_needed(const bool *enabled, bool need[BHW_EV_MAX])
{
	memset(need, 0, BHW_EV_MAX * sizeof(bool));
	need[BHW_EV_EXEC] = need[BHW_EV_EXIT] = true;
	for (int r = 0; r < BHW_R_MAX; r++)
		if (!enabled || enabled[r])
			for (int i = 0; i < 4 && rule_types[r][i]; i++)
				need[rule_types[r][i]] = true;
	if (need[BHW_EV_MOUNT]) /* the new mount API is one technique with mount(2) */
		need[BHW_EV_MOVE_MOUNT] = need[BHW_EV_FSMOUNT] = need[BHW_EV_FSOPEN] = true;
}

/* ---- classification ---- */

#define PROC_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define CGROUP1_MAGIC 0x27e0eb
#define CGROUP2_MAGIC 0x63677270
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

static int classify_open(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	char path[BHW_PATH_COMPS * (BHW_COMP_LEN + 1) + 2];
	bhw_open_path(ev, path, sizeof(path));
	const char *leaf = ((const char(*)[BHW_COMP_LEN])(const void *)ev->s)[0];
	uint64_t magic = ev->a[0];
	uint32_t mode = (uint32_t)ev->a[1], rdev = (uint32_t)ev->a[2];
	uint32_t type = mode & 0170000, maj = rdev >> 20, min = rdev & 0xfffff;
	bool wr = (ev->a[3] & 3) != 0; /* O_WRONLY or O_RDWR */
	const char *acc = wr ? "for writing" : "for reading";
	int n = 0;

	if (type == 0060000)
		return hit(h, n, max, BHW_R_BLOCK_DEV, BH_SEV_NONE, "opened block device %u:%u (%s) %s", maj, min,
			   leaf, acc);
	if (type == 0020000 && maj == 1 && (min == 1 || min == 2 || min == 4))
		return hit(h, n, max, BHW_R_KMEM, BH_SEV_NONE, "opened %s (char %u:%u) %s",
			   min == 1 ? "/dev/mem" : min == 2 ? "/dev/kmem" : "/dev/port", maj, min, acc);
	if (!wr)
		return 0;
	if (magic == CGROUP1_MAGIC || magic == CGROUP2_MAGIC) {
		if (!strcmp(leaf, "release_agent"))
			return hit(h, n, max, BHW_R_RELEASE_AGENT, BH_SEV_NONE,
				   "opened cgroup%s release_agent for writing: %s", magic == CGROUP2_MAGIC ? "2" : "",
				   path);
		if (!strcmp(leaf, "notify_on_release"))
			return hit(h, n, max, BHW_R_NOTIFY_ON_RELEASE, BH_SEV_NONE,
				   "opened cgroup notify_on_release for writing: %s", path);
		return 0;
	}
	if (magic == PROC_MAGIC) {
		if (!strcmp(path, "/sys/kernel/core_pattern"))
			return hit(h, n, max, BHW_R_CORE_PATTERN, BH_SEV_NONE,
				   "opened /proc/sys/kernel/core_pattern for writing");
		if (!strcmp(path, "/sysrq-trigger"))
			return hit(h, n, max, BHW_R_SYSRQ, BH_SEV_NONE, "opened /proc/sysrq-trigger for writing");
		if (starts(path, "/sys/")) {
			/* host-wide program hooks are as bad as core_pattern; net.* is per network namespace */
			enum bh_sev sev = BH_SEV_NONE;
			if (!strcmp(path, "/sys/kernel/modprobe") || !strcmp(path, "/sys/kernel/hotplug"))
				sev = BH_SEV_CRITICAL;
			else if (starts(path, "/sys/net/"))
				sev = BH_SEV_MEDIUM;
			return hit(h, n, max, BHW_R_PROC_SYS, sev, "opened /proc%s for writing", path);
		}
		/* /proc/<pid>/mem write: the ptrace-free way to inject code */
		const char(*comp)[BHW_COMP_LEN] = (const void *)ev->s;
		if (!strcmp(leaf, "mem") && comp[1][0] && is_pid_dir(comp[1]) && !comp[2][0])
			return hit(h, n, max, BHW_R_PTRACE, BH_SEV_NONE, "opened /proc/%s/mem for writing", comp[1]);
		return 0;
	}
	if (magic == SYSFS_MAGIC && starts(path, "/kernel/")) {
		enum bh_sev sev = !strcmp(path, "/kernel/uevent_helper") ? BH_SEV_CRITICAL : BH_SEV_NONE;
		return hit(h, n, max, BHW_R_SYS_KERNEL, sev, "opened /sys%s for writing", path);
	}
	return 0;
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

static const char *const runtime_sockets[] = {
	"docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock", "dockershim.sock", "podman.sock",
	"kubelet.sock", "frakti.sock", "rktlet.sock", "containerd-shim.sock", "cri-containerd.sock", NULL};

int bhw_classify(const struct bhw_event *ev, struct bhw_hit *h, int max)
{
	uint64_t a0 = ev->a[0];
	switch (ev->type) {
	case BHW_EV_EXEC:
		if (ev->a[1] & BHW_EXEC_MEMFD)
			return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_NONE, "executed %s from a memfd (%s)",
				   ev->s[0], ev->s[2]);
		if (ev->a[1] & BHW_EXEC_UNLINKED)
			return hit(h, 0, max, BHW_R_MEMFD_EXEC, BH_SEV_HIGH, "executed %s, a deleted file", ev->s[0]);
		return 0;
	case BHW_EV_MOUNT: {
		const char *src = ev->s[0], *dst = ev->s[1], *fs = ev->s[2];
		bool bind = (a0 & 0x1000) != 0; /* MS_BIND */
		if (!strcmp(fs, "cgroup") || !strcmp(fs, "cgroup2"))
			return hit(h, 0, max, BHW_R_CGROUP_MOUNT, BH_SEV_NONE, "mounted %s (options via data) on %s",
				   fs, dst);
		if (starts(src, "/dev/") && !bind && !pseudo_fs(fs) && strcmp(src, "/dev/null"))
			return hit(h, 0, max, BHW_R_HOST_DEV_MOUNT, BH_SEV_NONE, "mounted %s (%s) on %s", src,
				   *fs ? fs : "auto", dst);
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "mount(%s, %s, %s, 0x%llx)", src, dst,
			   *fs ? fs : "-", (unsigned long long)a0);
	}
	case BHW_EV_UMOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "umount(%s)", ev->s[1]);
	case BHW_EV_FSOPEN:
		if (!strcmp(ev->s[2], "cgroup") || !strcmp(ev->s[2], "cgroup2"))
			return hit(h, 0, max, BHW_R_CGROUP_MOUNT, BH_SEV_NONE, "fsopen(%s)", ev->s[2]);
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "fsopen(%s)", ev->s[2]);
	case BHW_EV_FSMOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "fsmount(fd %lld)", (long long)a0);
	case BHW_EV_MOVE_MOUNT:
		return hit(h, 0, max, BHW_R_MOUNT, BH_SEV_NONE, "move_mount to %s", ev->s[1]);
	case BHW_EV_SETNS: {
		uint32_t gained = ev->host_mask & ~(uint32_t)ev->a[2];
		if (ev->ret == 0 && gained) {
			char names[64] = "";
			for (unsigned i = 0; i < BHW_NS_MAX; i++)
				if (gained & (1u << i)) {
					size_t o = strlen(names);
					snprintf(names + o, sizeof(names) - o, "%s%s", o ? "," : "",
						 i == 0 ? "mnt" : i == 1 ? "pid" : i == 2 ? "net" : i == 3 ? "uts" :
						 i == 4 ? "ipc" : i == 5 ? "user" : "cgroup");
				}
			return hit(h, 0, max, BHW_R_HOST_NS_ENTRY, BH_SEV_NONE,
				   "setns(fd %lld, 0x%llx) joined the host's %s namespace", (long long)a0,
				   (unsigned long long)ev->a[1], names);
		}
		if (ev->ret == 0 && !ev->a[3])
			return 0; /* joined a namespace it was already in (nsenter -p in a hostPID container) */
		return hit(h, 0, max, BHW_R_SETNS, BH_SEV_NONE, "setns(fd %lld, 0x%llx) = %lld", (long long)a0,
			   (unsigned long long)ev->a[1], (long long)ev->ret);
	}
	case BHW_EV_UNSHARE: {
		const uint64_t ns_flags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 |
					  0x20000000 | 0x40000000 | 0x00000080; /* NEWNS..NEWNET, NEWTIME */
		if (!(a0 & ns_flags))
			return 0;
		return hit(h, 0, max, BHW_R_UNSHARE, (a0 & 0x10000000) ? BH_SEV_HIGH : BH_SEV_NONE,
			   "unshare(0x%llx)%s", (unsigned long long)a0,
			   (a0 & 0x10000000) ? ": new user namespace" : "");
	}
	case BHW_EV_PTRACE: {
		static const struct { uint64_t req; const char *name; } rq[] = {
			{16, "PTRACE_ATTACH"}, {0x4206, "PTRACE_SEIZE"}, {4, "PTRACE_POKETEXT"},
			{5, "PTRACE_POKEDATA"}, {6, "PTRACE_POKEUSER"}, {13, "PTRACE_SETREGS"},
			{15, "PTRACE_SETFPREGS"}, {0x4205, "PTRACE_SETREGSET"}};
		const char *name = "PTRACE_?";
		for (size_t i = 0; i < sizeof(rq) / sizeof(rq[0]); i++)
			if (rq[i].req == a0)
				name = rq[i].name;
		return hit(h, 0, max, BHW_R_PTRACE, BH_SEV_NONE, "ptrace(%s, pid %lld)", name, (long long)ev->a[1]);
	}
	case BHW_EV_MODULE:
		return hit(h, 0, max, BHW_R_MODULE, BH_SEV_NONE, "%s", a0 ? "finit_module" : "init_module");
	case BHW_EV_BPF:
		return hit(h, 0, max, BHW_R_BPF, BH_SEV_NONE, "bpf(BPF_PROG_LOAD, type %llu)",
			   (unsigned long long)ev->a[1]);
	case BHW_EV_OPEN_WRITE:
		return classify_open(ev, h, max);
	case BHW_EV_CONNECT: {
		const char *p = ev->s[0];
		if (p[0] == '@') { /* abstract: containerd-shim's API before CVE-2020-15257's fix */
			if (strstr(p, "containerd-shim"))
				return hit(h, 0, max, BHW_R_RUNTIME_SOCKET, BH_SEV_NONE,
					   "connected to abstract socket %s (containerd-shim)", p);
			return 0;
		}
		const char *b = basename_of(p);
		for (int i = 0; runtime_sockets[i]; i++)
			if (!strcmp(b, runtime_sockets[i]))
				return hit(h, 0, max, BHW_R_RUNTIME_SOCKET, BH_SEV_NONE, "connected to %s", p);
		return 0;
	}
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
		return hit(h, 0, max, BHW_R_OPEN_BY_HANDLE, BH_SEV_NONE, "open_by_handle_at(mount fd %lld)",
			   (long long)a0);
	default:
		return 0;
	}
}
