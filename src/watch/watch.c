/* The live engine: loads watch.bpf.c through its skeleton, tells it the host's namespaces through read-only
 * data, turns off the programs no enabled rule needs (and those whose tracepoint this kernel lacks, e.g.
 * init_module without CONFIG_MODULES), marks the container processes that already run, and reads the ring
 * buffer. Library code: errors go to struct bh_err, libbpf's own messages are captured, never printed. */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engine.h"
#include "watch.skel.h"

static __thread char libbpf_last[256];

static int libbpf_capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	char tmp[256];
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	size_t n = strlen(tmp);
	while (n && (tmp[n - 1] == '\n' || tmp[n - 1] == ' '))
		tmp[--n] = 0;
	if (n)
		memcpy(libbpf_last, tmp, n + 1);
	return 0;
}

struct bhw_source {
	struct watch_bpf *skel;
	struct ring_buffer *rb;
	bhw_event_cb cb;
	void *ctx;
	int delivered;
	int stop;
	struct bhw_stats st;
	uint32_t host_ns[BHW_NS_MAX];
	int64_t mono_to_real;
	int ncpu;
};

/* program, the event type it produces, its tracepoint (for the existence check; NULL = BTF tracepoint) */
struct prog_row {
	size_t off; /* offsetof(struct watch_bpf, progs.X) */
	unsigned type;
	const char *tp;
};

#define P(name) offsetof(struct watch_bpf, progs.name)
static const struct prog_row prog_rows[] = {
	{P(on_exec), BHW_EV_EXEC, NULL},
	{P(on_fork), BHW_EV_EXEC, NULL},
	{P(on_exit), BHW_EV_EXEC, NULL},
	{P(on_mount), BHW_EV_MOUNT, "sys_enter_mount"},
	{P(on_umount), BHW_EV_UMOUNT, "sys_enter_umount"},
	{P(on_fsopen), BHW_EV_FSOPEN, "sys_enter_fsopen"},
	{P(on_fsmount), BHW_EV_FSMOUNT, "sys_enter_fsmount"},
	{P(on_move_mount), BHW_EV_MOVE_MOUNT, "sys_enter_move_mount"},
	{P(on_setns_enter), BHW_EV_SETNS, "sys_enter_setns"},
	{P(on_setns_exit), BHW_EV_SETNS, "sys_exit_setns"},
	{P(on_unshare), BHW_EV_UNSHARE, "sys_enter_unshare"},
	{P(on_pivot_root), BHW_EV_PIVOT_ROOT, "sys_enter_pivot_root"},
	{P(on_chroot), BHW_EV_CHROOT, "sys_enter_chroot"},
	{P(on_ptrace), BHW_EV_PTRACE, "sys_enter_ptrace"},
	{P(on_init_module), BHW_EV_MODULE, "sys_enter_init_module"},
	{P(on_finit_module), BHW_EV_MODULE, "sys_enter_finit_module"},
	{P(on_bpf), BHW_EV_BPF, "sys_enter_bpf"},
	{P(on_userfaultfd), BHW_EV_USERFAULTFD, "sys_enter_userfaultfd"},
	{P(on_open_by_handle), BHW_EV_OPEN_BY_HANDLE, "sys_enter_open_by_handle_at"},
	{P(on_connect), BHW_EV_CONNECT, "sys_enter_connect"},
	{P(on_openat_exit), BHW_EV_OPEN_WRITE, "sys_exit_openat"},
	{P(on_openat2_exit), BHW_EV_OPEN_WRITE, "sys_exit_openat2"},
	{P(on_open_exit), BHW_EV_OPEN_WRITE, "sys_exit_open"},
	{P(on_creat_exit), BHW_EV_OPEN_WRITE, "sys_exit_creat"},
};
#undef P

static const char *tracefs_dir(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	for (int i = 0; i < 2; i++) {
		char p[96];
		snprintf(p, sizeof(p), "%s/events/syscalls", dirs[i]);
		if (access(p, F_OK) == 0)
			return dirs[i];
	}
	/* libbpf finds syscall tracepoints through tracefs; a DaemonSet's /sys often lacks the mount */
	if (mount("nodev", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    access("/sys/kernel/tracing/events/syscalls", F_OK) == 0)
		return "/sys/kernel/tracing";
	return NULL;
}

static int mark_existing(struct bhw_source *s)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -errno;
	int fd = bpf_map__fd(s->skel->maps.tasks);
	pid_t self = getpid();
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid == self)
			continue;
		char p[96];
		struct stat mnt, pidns;
		snprintf(p, sizeof(p), "/proc/%ld/ns/mnt", pid);
		if (stat(p, &mnt) < 0)
			continue;
		snprintf(p, sizeof(p), "/proc/%ld/ns/pid", pid);
		if (stat(p, &pidns) < 0)
			continue;
		if (mnt.st_ino == s->host_ns[BHW_NS_MNT] && pidns.st_ino == s->host_ns[BHW_NS_PID])
			continue;
		snprintf(p, sizeof(p), "/proc/%ld/task", pid);
		DIR *td = opendir(p);
		if (!td)
			continue;
		struct dirent *te;
		while ((te = readdir(td))) {
			long tid = strtol(te->d_name, &end, 10);
			if (*end || tid <= 0)
				continue;
			uint32_t key = (uint32_t)tid, flags = BHW_F_CONTAINER;
			bpf_map_update_elem(fd, &key, &flags, BPF_NOEXIST);
		}
		closedir(td);
	}
	closedir(d);
	return 0;
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct bhw_source *s = ctx;
	struct bhw_event ev;
	if (size < BHW_SZ_NOSTR || size > sizeof(ev)) {
		s->st.invalid++;
		return 0;
	}
	/* records stop after the last string slot their type uses (watch.h, BHW_SZ_*) */
	memcpy(&ev, data, size);
	memset((char *)&ev + size, 0, sizeof(ev) - size);
	if (bhw_event_sanitize(&ev) < 0) {
		s->st.invalid++;
		return 0;
	}
	s->st.received++;
	s->delivered++;
	if (s->cb(s->ctx, &ev)) {
		s->stop = 1;
		return 1;
	}
	return 0;
}

static void live_close(struct bhw_source *s)
{
	if (!s)
		return;
	ring_buffer__free(s->rb);
	watch_bpf__destroy(s->skel);
	free(s);
}

static int live_open(struct bhw_source **out, const struct bhw_source_opts *o, struct bh_err *err)
{
	int rc;
	libbpf_set_print(libbpf_capture);
	libbpf_last[0] = 0;
	struct bhw_source *s = calloc(1, sizeof(*s));
	if (!s)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	s->ncpu = libbpf_num_possible_cpus();
	if ((rc = bhw_host_ns(s->host_ns, err)) < 0)
		goto fail;
	s->mono_to_real = bhw_mono_to_real();
	const char *tfs = tracefs_dir();
	if (!tfs) {
		rc = bh_err_set(err, -ENOENT, 0, 0, "tracefs is not mounted and could not be mounted at "
				"/sys/kernel/tracing (syscall tracepoints are needed)");
		goto fail;
	}
	s->skel = watch_bpf__open();
	if (!s->skel) {
		rc = bh_err_set(err, -errno, 0, 0, "cannot open the BPF object: %s", libbpf_last);
		goto fail;
	}
	for (int i = 0; i < BHW_NS_MAX; i++)
		s->skel->rodata->host_ns[i] = s->host_ns[i];
	s->skel->rodata->include_host = o->include_host;
	s->skel->rodata->self_tgid = (uint32_t)getpid();
	unsigned mb = o->ringbuf_mb ? o->ringbuf_mb : 8;
	if (mb & (mb - 1) || mb > 1024) {
		rc = bh_err_set(err, -EINVAL, 0, 0, "ring buffer size must be a power of two up to 1024 MiB");
		goto fail;
	}
	bpf_map__set_max_entries(s->skel->maps.events, mb << 20);
	/* the kernel side wakes the reader per batch of 1/16 of the ring buffer (watch.bpf.c, submit()) */
	s->skel->rodata->wakeup_bytes = ((uint64_t)mb << 20) / 16;
	for (size_t i = 0; i < sizeof(prog_rows) / sizeof(prog_rows[0]); i++) {
		struct bpf_program *p = *(struct bpf_program **)((char *)s->skel + prog_rows[i].off);
		bool on = prog_rows[i].type == BHW_EV_EXEC || o->need[prog_rows[i].type];
		if (on && prog_rows[i].tp) {
			char path[160];
			snprintf(path, sizeof(path), "%s/events/syscalls/%s", tfs, prog_rows[i].tp);
			on = access(path, F_OK) == 0;
		}
		bpf_program__set_autoload(p, on);
	}
	if (watch_bpf__load(s->skel)) {
		rc = -errno;
		bh_err_set(err, rc, 0, 0, "cannot load the BPF programs: %s%s%s", strerror(-rc),
			   libbpf_last[0] ? ": " : "", libbpf_last);
		goto fail;
	}
	if ((rc = mark_existing(s)) < 0) {
		bh_err_set(err, rc, 0, 0, "cannot scan /proc: %s", strerror(-rc));
		goto fail;
	}
	if (watch_bpf__attach(s->skel)) {
		rc = -errno;
		bh_err_set(err, rc, 0, 0, "cannot attach the BPF programs: %s%s%s", strerror(-rc),
			   libbpf_last[0] ? ": " : "", libbpf_last);
		goto fail;
	}
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.events), on_sample, s, NULL);
	if (!s->rb) {
		rc = -errno;
		bh_err_set(err, rc, 0, 0, "cannot map the ring buffer: %s", strerror(-rc));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	live_close(s);
	return rc;
}

static int live_poll(struct bhw_source *s, int timeout_ms, bhw_event_cb cb, void *ctx)
{
	s->cb = cb;
	s->ctx = ctx;
	s->delivered = 0;
	s->stop = 0;
	/* the kernel side wakes us only per batch (watch.bpf.c, submit()): after the wait, take what is
	 * there even without a wake-up, which bounds alert latency by timeout_ms */
	int rc = ring_buffer__poll(s->rb, timeout_ms);
	if (rc < 0 && rc != -EINTR && !s->stop)
		return rc;
	if (!s->stop) {
		rc = ring_buffer__consume(s->rb);
		if (rc < 0 && rc != -EINTR && !s->stop)
			return rc;
	}
	return s->delivered;
}

static void live_stats(struct bhw_source *s, struct bhw_stats *st)
{
	*st = s->st;
	int fd = bpf_map__fd(s->skel->maps.counters);
	uint64_t *v = calloc((size_t)(s->ncpu > 0 ? s->ncpu : 1), sizeof(uint64_t));
	if (!v)
		return;
	for (uint32_t k = 0; k < BHW_C_MAX; k++) {
		if (bpf_map_lookup_elem(fd, &k, v))
			continue;
		for (int c = 0; c < s->ncpu; c++)
			st->k[k] += v[c];
	}
	free(v);
}

static void live_origin(struct bhw_source *s, uint32_t host_ns[BHW_NS_MAX], int64_t *off)
{
	memcpy(host_ns, s->host_ns, sizeof(s->host_ns));
	*off = s->mono_to_real;
}

const struct bhw_engine bhw_engine_live = {
	.name = "live", .open = live_open, .poll = live_poll, .stats = live_stats,
	.origin = live_origin, .close = live_close,
};
