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
#include <sys/sysmacros.h>
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
	/* the first warning of an attempt names the program and the reason; later ones only repeat the failure */
	if (n && !libbpf_last[0])
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
	struct bhw_hook_status hs;
	uint32_t host_root_dev;
};

/* Which hook flavour a program belongs to (the loader picks one mode; see bhw_hook_mode) */
#define M_TP 0x1u   /* tracepoint mode only: what the object hooks replace */
#define M_LSM 0x2u  /* BPF LSM mode */
#define M_FE 0x4u   /* fentry-on-security_* mode */
#define M_OBJ (M_LSM | M_FE)
#define M_ALL (M_TP | M_LSM | M_FE)

/* program, the event type it produces, its syscall tracepoint (existence check; NULL = none), modes */
struct prog_row {
	size_t off; /* offsetof(struct watch_bpf, progs.X) */
	unsigned type;
	const char *tp;
	unsigned modes;
	const char *attach; /* for --status */
};

#define P(name) offsetof(struct watch_bpf, progs.name)
static const struct prog_row prog_rows[] = {
	{P(on_exec), BHW_EV_EXEC, NULL, M_ALL, "tp_btf/sched_process_exec"},
	{P(on_fork), BHW_EV_EXEC, NULL, M_ALL, "tp_btf/sched_process_fork"},
	{P(on_exit), BHW_EV_EXEC, NULL, M_ALL, "tp_btf/sched_process_exit"},
	{P(on_mount), BHW_EV_MOUNT, "sys_enter_mount", M_ALL, "tp/syscalls/sys_enter_mount"},
	{P(on_umount), BHW_EV_UMOUNT, "sys_enter_umount", M_ALL, "tp/syscalls/sys_enter_umount"},
	{P(on_fsopen), BHW_EV_FSOPEN, "sys_enter_fsopen", M_ALL, "tp/syscalls/sys_enter_fsopen"},
	{P(on_fsmount), BHW_EV_FSMOUNT, "sys_enter_fsmount", M_ALL, "tp/syscalls/sys_enter_fsmount"},
	{P(on_move_mount), BHW_EV_MOVE_MOUNT, "sys_enter_move_mount", M_ALL, "tp/syscalls/sys_enter_move_mount"},
	{P(on_setns_enter), BHW_EV_SETNS, "sys_enter_setns", M_ALL, "tp/syscalls/sys_enter_setns"},
	{P(on_setns_exit), BHW_EV_SETNS, "sys_exit_setns", M_ALL, "tp/syscalls/sys_exit_setns"},
	{P(on_unshare), BHW_EV_UNSHARE, "sys_enter_unshare", M_ALL, "tp/syscalls/sys_enter_unshare"},
	{P(on_pivot_root), BHW_EV_PIVOT_ROOT, "sys_enter_pivot_root", M_ALL, "tp/syscalls/sys_enter_pivot_root"},
	{P(on_chroot), BHW_EV_CHROOT, "sys_enter_chroot", M_ALL, "tp/syscalls/sys_enter_chroot"},
	{P(on_ptrace), BHW_EV_PTRACE, "sys_enter_ptrace", M_ALL, "tp/syscalls/sys_enter_ptrace"},
	{P(on_vm_writev), BHW_EV_PROC_ACCESS, "sys_enter_process_vm_writev", M_TP,
	 "tp/syscalls/sys_enter_process_vm_writev"},
	{P(on_clone), BHW_EV_UNSHARE, "sys_enter_clone", M_TP, "tp/syscalls/sys_enter_clone"},
	{P(on_clone3), BHW_EV_UNSHARE, "sys_enter_clone3", M_TP, "tp/syscalls/sys_enter_clone3"},
	{P(on_init_module), BHW_EV_MODULE, "sys_enter_init_module", M_ALL, "tp/syscalls/sys_enter_init_module"},
	{P(on_finit_module), BHW_EV_MODULE, "sys_enter_finit_module", M_ALL, "tp/syscalls/sys_enter_finit_module"},
	{P(on_bpf), BHW_EV_BPF, "sys_enter_bpf", M_ALL, "tp/syscalls/sys_enter_bpf"},
	{P(on_userfaultfd), BHW_EV_USERFAULTFD, "sys_enter_userfaultfd", M_ALL, "tp/syscalls/sys_enter_userfaultfd"},
	{P(on_open_by_handle), BHW_EV_OPEN_BY_HANDLE, "sys_enter_open_by_handle_at", M_ALL,
	 "tp/syscalls/sys_enter_open_by_handle_at"},
	{P(on_connect), BHW_EV_CONNECT, "sys_enter_connect", M_TP, "tp/syscalls/sys_enter_connect"},
	{P(on_openat_exit), BHW_EV_OPEN_WRITE, "sys_exit_openat", M_TP, "tp/syscalls/sys_exit_openat"},
	{P(on_openat2_exit), BHW_EV_OPEN_WRITE, "sys_exit_openat2", M_TP, "tp/syscalls/sys_exit_openat2"},
	{P(on_open_exit), BHW_EV_OPEN_WRITE, "sys_exit_open", M_TP, "tp/syscalls/sys_exit_open"},
	{P(on_creat_exit), BHW_EV_OPEN_WRITE, "sys_exit_creat", M_TP, "tp/syscalls/sys_exit_creat"},
	{P(on_uring_complete), BHW_EV_OPEN_WRITE, NULL, M_TP, "tp_btf/io_uring_complete"},
	{P(on_connect_api), BHW_EV_API_CONNECT, "sys_enter_connect", M_OBJ, "tp/syscalls/sys_enter_connect"},
	{P(on_add_key), BHW_EV_KEYRING, "sys_enter_add_key", M_ALL, "tp/syscalls/sys_enter_add_key"},
	{P(on_request_key), BHW_EV_KEYRING, "sys_enter_request_key", M_ALL, "tp/syscalls/sys_enter_request_key"},
	{P(on_keyctl), BHW_EV_KEYRING, "sys_enter_keyctl", M_ALL, "tp/syscalls/sys_enter_keyctl"},
	{P(on_splice_enter), BHW_EV_SPLICE, "sys_enter_splice", M_ALL, "tp/syscalls/sys_enter_splice"},
	{P(on_splice_exit), BHW_EV_SPLICE, "sys_exit_splice", M_ALL, "tp/syscalls/sys_exit_splice"},
	{P(on_connect_exit), BHW_EV_CONNECT, "sys_exit_connect", M_TP, "tp/syscalls/sys_exit_connect"},
	{P(on_fsconfig), BHW_EV_MOUNT_PARAM, "sys_enter_fsconfig", M_ALL, "tp/syscalls/sys_enter_fsconfig"},
	{P(on_fsmount_exit), BHW_EV_SB_MOUNT, "sys_exit_fsmount", M_ALL, "tp/syscalls/sys_exit_fsmount"},
	{P(lsm_file_open), BHW_EV_OPEN_WRITE, NULL, M_LSM, "lsm/file_open"},
	{P(fe_file_open), BHW_EV_OPEN_WRITE, NULL, M_FE, "fentry/security_file_open"},
	{P(fe_parse_param), BHW_EV_MOUNT_PARAM, NULL, M_OBJ, "fentry/security_fs_context_parse_param"},
	{P(fx_get_tree), BHW_EV_SB_MOUNT, NULL, M_OBJ, "fexit/vfs_get_tree"},
	{P(lsm_move_mount), BHW_EV_SB_MOUNT, NULL, M_LSM, "lsm/move_mount"},
	{P(fe_move_mount), BHW_EV_SB_MOUNT, NULL, M_FE, "fentry/security_move_mount"},
	{P(lsm_unix_connect), BHW_EV_CONNECT, NULL, M_LSM, "lsm/unix_stream_connect"},
	{P(fe_unix_connect), BHW_EV_CONNECT, NULL, M_FE, "fentry/security_unix_stream_connect"},
	{P(lsm_ptrace_access), BHW_EV_PROC_ACCESS, NULL, M_LSM, "lsm/ptrace_access_check"},
	{P(fe_ptrace_access), BHW_EV_PROC_ACCESS, NULL, M_FE, "fentry/security_ptrace_access_check"},
	{P(lsm_mmap_file), BHW_EV_MMAP_EXEC, NULL, M_LSM, "lsm/mmap_file"},
	{P(fe_mmap_file), BHW_EV_MMAP_EXEC, NULL, M_FE, "fentry/security_mmap_file"},
	{P(lsm_userns_create), BHW_EV_USERNS, NULL, M_LSM, "lsm/userns_create"},
	{P(fe_userns_create), BHW_EV_USERNS, NULL, M_FE, "fentry/create_user_ns"},
};
#undef P
#define NROWS (sizeof(prog_rows) / sizeof(prog_rows[0]))

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

/* "bpf" among the active LSMs? securityfs is read where it is mounted, else from a private mount that is
 * removed again (a BPF LSM program attaches even when the bpf LSM is off, and then never runs). */
static int lsm_listed(char *list, size_t len)
{
	list[0] = 0;
	FILE *f = fopen("/sys/kernel/security/lsm", "r");
	char dir[] = "/tmp/bh-securityfs.XXXXXX";
	int mounted = 0;
	if (!f && mkdtemp(dir)) {
		if (mount("securityfs", dir, "securityfs", MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) == 0) {
			mounted = 1;
			char p[64];
			snprintf(p, sizeof(p), "%s/lsm", dir);
			f = fopen(p, "r");
		}
		if (!mounted)
			rmdir(dir);
	}
	if (f) {
		if (!fgets(list, (int)len, f))
			list[0] = 0;
		fclose(f);
	}
	if (mounted) {
		umount2(dir, MNT_DETACH);
		rmdir(dir);
	}
	if (!list[0])
		return -1;
	list[strcspn(list, "\n")] = 0;
	char tmp[160];
	snprintf(tmp, sizeof(tmp), ",%s,", list);
	return strstr(tmp, ",bpf,") != NULL;
}

static uint32_t kdev(dev_t d)
{
	return (uint32_t)(major(d) << 20 | minor(d)); /* the kernel's internal dev_t (MKDEV) */
}

/* Host paths judged by inode: the sensitive set and the runtime sockets (seen through PID 1's root, so a
 * DaemonSet with hostPID sees the node's files). */
static const struct bhw_path_class default_paths[] = {
	{BHW_SENS_CRON, "/etc/cron.d"}, {BHW_SENS_CRON, "/etc/crontab"}, {BHW_SENS_CRON, "/var/spool/cron"},
	{BHW_SENS_CRON, "/etc/cron.hourly"}, {BHW_SENS_CRON, "/etc/cron.daily"},
	{BHW_SENS_SSH, "/root/.ssh"}, {BHW_SENS_SSH, "/etc/ssh"},
	{BHW_SENS_KUBELET_PKI, "/var/lib/kubelet/pki"}, {BHW_SENS_KUBELET_PKI, "/etc/kubernetes/pki"},
	{BHW_SENS_KUBELET_PKI, "/etc/kubernetes/kubelet.conf"}, {BHW_SENS_KUBELET_PKI, "/etc/kubernetes/admin.conf"},
	{BHW_SENS_KUBELET_PKI, "/var/lib/kubelet/kubeconfig"},
	{BHW_SENS_SHADOW, "/etc/shadow"}, {BHW_SENS_SHADOW, "/etc/gshadow"}, {BHW_SENS_SHADOW, "/etc/sudoers"},
	{BHW_SENS_SHADOW, "/etc/sudoers.d"},
	{BHW_SENS_SA_TOKENS, "/var/lib/kubelet/pods"},
	{BHW_SENS_RUNTIME_SOCK, "/run/containerd/containerd.sock"}, {BHW_SENS_RUNTIME_SOCK, "/var/run/docker.sock"},
	{BHW_SENS_RUNTIME_SOCK, "/run/docker.sock"}, {BHW_SENS_RUNTIME_SOCK, "/run/crio/crio.sock"},
	{BHW_SENS_RUNTIME_SOCK, "/var/run/crio/crio.sock"}, {BHW_SENS_RUNTIME_SOCK, "/run/podman/podman.sock"},
	{BHW_SENS_RUNTIME_SOCK, "/run/cri-dockerd.sock"},
	{BHW_SENS_RUNTIME_SOCK, "/var/lib/kubelet/pod-resources/kubelet.sock"},
	{BHW_SENS_RUNTIME_SOCK, "/var/lib/kubelet/device-plugins/kubelet.sock"},
};

static void add_path(struct bhw_source *s, const struct bhw_path_class *pc)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "/proc/1/root%s", pc->path);
	if (stat(p, &st) < 0 && stat(pc->path, &st) < 0)
		return;
	if (pc->cls == BHW_SENS_RUNTIME_SOCK) {
		uint64_t ino = st.st_ino;
		uint32_t one = 1;
		if (S_ISSOCK(st.st_mode) &&
		    !bpf_map_update_elem(bpf_map__fd(s->skel->maps.runtime_socks), &ino, &one, BPF_ANY))
			s->hs.runtime_sockets++;
		return;
	}
	struct sens_key k = {.ino = st.st_ino, .dev = kdev(st.st_dev)};
	uint32_t cls = pc->cls;
	if (k.dev == s->host_root_dev &&
	    !bpf_map_update_elem(bpf_map__fd(s->skel->maps.sensitive), &k, &cls, BPF_ANY))
		s->hs.sensitive++;
}

static void fill_maps(struct bhw_source *s, const struct bhw_source_opts *o)
{
	s->hs.sensitive = s->hs.runtime_sockets = 0;
	for (size_t i = 0; i < sizeof(default_paths) / sizeof(default_paths[0]); i++)
		add_path(s, &default_paths[i]);
	for (size_t i = 0; i < o->nextra && i < BHW_EXTRA_MAX; i++)
		add_path(s, &o->extra[i]);
}

static void set_autoload(struct bhw_source *s, const struct bhw_source_opts *o, unsigned mode, const char *tfs)
{
	s->hs.nprogs = 0;
	for (size_t i = 0; i < NROWS; i++) {
		const struct prog_row *r = &prog_rows[i];
		struct bpf_program *p = *(struct bpf_program **)((char *)s->skel + r->off);
		unsigned t = r->type;
		bool on = (r->modes & mode) && (t == BHW_EV_EXEC || o->need[t]);
		if (on && r->tp) {
			char path[160];
			snprintf(path, sizeof(path), "%s/events/syscalls/%s", tfs, r->tp);
			on = access(path, F_OK) == 0;
		}
		bpf_program__set_autoload(p, on);
		if (on && s->hs.nprogs < BHW_STATUS_PROGS) {
			s->hs.attach[s->hs.nprogs] = r->attach;
			s->hs.type[s->hs.nprogs++] = t;
		}
	}
}

/* Before a full load in LSM or fentry mode: does one program of that flavour load at all? (This kernel
 * refuses both with EPERM; finding out from the full object costs seconds of verification.) */
static int probe_mode(unsigned mode, struct bh_err *err)
{
	struct watch_bpf *sk = watch_bpf__open();
	if (!sk)
		return bh_err_set(err, -errno, 0, 0, "cannot open the BPF object: %s", libbpf_last);
	struct bpf_program *want = mode == M_LSM ? sk->progs.lsm_file_open : sk->progs.fe_file_open;
	struct bpf_program *p;
	bpf_object__for_each_program(p, sk->obj)
		bpf_program__set_autoload(p, p == want);
	int rc = 0;
	if (watch_bpf__load(sk)) {
		rc = -errno;
		bh_err_set(err, rc, 0, 0, "%s does not load: %s%s%s", bpf_program__section_name(want), strerror(-rc),
			   libbpf_last[0] ? ": " : "", libbpf_last);
	}
	watch_bpf__destroy(sk);
	return rc;
}

/* One attempt in one hook mode: open, configure, load, fill the maps, mark running containers, attach. */
static int load_mode(struct bhw_source *s, const struct bhw_source_opts *o, unsigned mode, const char *tfs,
		     struct bh_err *err)
{
	int rc;
	libbpf_last[0] = 0;
	s->skel = watch_bpf__open();
	if (!s->skel)
		return bh_err_set(err, -errno, 0, 0, "cannot open the BPF object: %s", libbpf_last);
	for (int i = 0; i < BHW_NS_MAX; i++)
		s->skel->rodata->host_ns[i] = s->host_ns[i];
	s->skel->rodata->include_host = o->include_host;
	s->skel->rodata->self_tgid = (uint32_t)getpid();
	s->skel->rodata->object_hooks = mode != M_TP;
	s->skel->rodata->host_root_dev = s->host_root_dev;
	unsigned mb = o->ringbuf_mb ? o->ringbuf_mb : 8;
	bpf_map__set_max_entries(s->skel->maps.events, mb << 20);
	/* the kernel side wakes the reader per batch of 1/16 of the ring buffer (watch.bpf.c, submit()) */
	s->skel->rodata->wakeup_bytes = ((uint64_t)mb << 20) / 16;
	set_autoload(s, o, mode, tfs);
	if (watch_bpf__load(s->skel)) {
		rc = -errno;
		return bh_err_set(err, rc, 0, 0, "cannot load the BPF programs: %s%s%s", strerror(-rc),
				  libbpf_last[0] ? ": " : "", libbpf_last);
	}
	fill_maps(s, o);
	if ((rc = mark_existing(s)) < 0)
		return bh_err_set(err, rc, 0, 0, "cannot scan /proc: %s", strerror(-rc));
	if (watch_bpf__attach(s->skel)) {
		rc = -errno;
		return bh_err_set(err, rc, 0, 0, "cannot attach the BPF programs: %s%s%s", strerror(-rc),
				  libbpf_last[0] ? ": " : "", libbpf_last);
	}
	return 0;
}

static int live_open(struct bhw_source **out, const struct bhw_source_opts *o, struct bh_err *err)
{
	int rc;
	libbpf_set_print(libbpf_capture);
	libbpf_last[0] = 0;
	unsigned mb = o->ringbuf_mb ? o->ringbuf_mb : 8;
	if (mb & (mb - 1) || mb > 1024)
		return bh_err_set(err, -EINVAL, 0, 0, "ring buffer size must be a power of two up to 1024 MiB");
	struct bhw_source *s = calloc(1, sizeof(*s));
	if (!s)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	s->ncpu = libbpf_num_possible_cpus();
	if ((rc = bhw_host_ns(s->host_ns, err)) < 0)
		goto fail;
	s->mono_to_real = bhw_mono_to_real();
	struct stat rs;
	if (stat("/proc/1/root/", &rs) == 0 || stat("/", &rs) == 0)
		s->host_root_dev = kdev(rs.st_dev);
	const char *tfs = tracefs_dir();
	if (!tfs) {
		rc = bh_err_set(err, -ENOENT, 0, 0, "tracefs is not mounted and could not be mounted at "
				"/sys/kernel/tracing (syscall tracepoints are needed)");
		goto fail;
	}
	s->hs.lsm_listed = lsm_listed(s->hs.lsm_list, sizeof(s->hs.lsm_list));
	static const unsigned order[] = {M_LSM, M_FE, M_TP};
	static const char *const names[] = {"lsm", "fentry", "tracepoint"};
	for (int i = 0; i < 3; i++) {
		if (o->hooks && o->hooks != (enum bhw_hook_mode)(i + 1))
			continue;
		if (order[i] == M_LSM && s->hs.lsm_listed != 1) {
			snprintf(s->hs.tried[s->hs.ntried++], sizeof(s->hs.tried[0]), "lsm: %s",
				 s->hs.lsm_listed < 0 ? "the active LSM list is unreadable (securityfs)"
						      : "\"bpf\" is not an active LSM (lsm= boot parameter)");
			rc = bh_err_set(err, -EOPNOTSUPP, 0, 0, "%s", s->hs.tried[s->hs.ntried - 1]);
			continue;
		}
		libbpf_last[0] = 0;
		rc = order[i] == M_TP ? 0 : probe_mode(order[i], err);
		if (rc == 0)
			rc = load_mode(s, o, order[i], tfs, err);
		if (rc == 0) {
			s->hs.mode = names[i];
			break;
		}
		snprintf(s->hs.tried[s->hs.ntried++], sizeof(s->hs.tried[0]), "%s: %s", names[i], err->msg);
		watch_bpf__destroy(s->skel);
		s->skel = NULL;
	}
	if (!s->skel)
		goto fail;
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

static void live_status(struct bhw_source *s, struct bhw_hook_status *st)
{
	*st = s->hs;
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
	.origin = live_origin, .close = live_close, .status = live_status,
};
