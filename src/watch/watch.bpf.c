// SPDX-License-Identifier: GPL-2.0
/* bulkhead watch: the in-kernel half of the escape sensor.
 *
 * Tracepoints only (this project's target kernels may lack kprobes): BTF tracepoints (tp_btf) for the
 * scheduler's exec/fork/exit, classic syscall tracepoints for the syscalls the rules need. User space turns
 * off (autoload=false) every program whose rules are disabled, so an unneeded syscall is never traced.
 *
 * Filtering happens here, before the ring buffer:
 *  - "container" tasks are tracked in `tasks`: a task is marked when it execs while its mount or PID
 *    namespace differs from the host's (the runtime's own set-up before the entrypoint exec is therefore
 *    never reported, the "container started" rule of Tracee), and children inherit the mark at fork;
 *  - everything from unmarked tasks is dropped unless include_host is set;
 *  - opens are reported only for pseudo-filesystem files opened for write (proc, sysfs, cgroup) and for
 *    memory/block devices, classified by superblock magic and the path inside that filesystem, so that a
 *    procfs mounted at an odd place or reached through a relative path or symlink is still recognised.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "watch.h"

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader through read-only data before load. */
const volatile __u32 host_ns[BHW_NS_MAX] = {};
const volatile __u32 include_host = 0;
const volatile __u32 self_tgid = 0;
const volatile __u64 wakeup_bytes = 64 * 1024; /* the loader sets 1/16 of the ring buffer */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20); /* resized by the loader (--ringbuf-mb) */
} events SEC(".maps");

/* tid -> BHW_F_* flags of tracked (container) tasks */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u32);
} tasks SEC(".maps");

/* tid -> syscall arguments kept from sys_enter to sys_exit (setns) */
struct stash {
	__u64 a0, a1, mask;
	__u32 ns[BHW_NS_MAX];
};
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 8192);
	__type(key, __u32);
	__type(value, struct stash);
} stash SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BHW_C_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

#define PROC_SUPER_MAGIC 0x9fa0
#define SYSFS_MAGIC 0x62656572
#define CGROUP_SUPER_MAGIC 0x27e0eb
#define CGROUP2_SUPER_MAGIC 0x63677270
#define FMODE_WRITE 0x2
#define S_IFMT 00170000
#define S_IFBLK 0060000
#define S_IFCHR 0020000
#define AF_UNIX 1
#define BPF_PROG_LOAD_CMD 5

/* kernfs_node.parent became __parent in Linux 6.15 */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &idx);
	if (v)
		*v += 1;
}

/* t is a BTF pointer (bpf_get_current_task_btf or a tp_btf argument): plain dereferences compile to
 * fault-tolerant loads, much cheaper than one bpf_probe_read_kernel call per field. Only an array indexed at
 * run time (pid->numbers[level], css_set->subsys[id], the fd table) still needs a probe read. */
static __always_inline __u32 ns_inum_pid(struct task_struct *t)
{
	struct pid *p = t->thread_pid;
	unsigned int level = p->level;
	struct upid up = {};
	bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[level & 31]);
	return BPF_CORE_READ(up.ns, ns.inum);
}

static __always_inline void read_ns(struct task_struct *t, __u32 ns[BHW_NS_MAX])
{
	struct nsproxy *np = t->nsproxy;
	ns[BHW_NS_MNT] = np->mnt_ns->ns.inum;
	ns[BHW_NS_PID] = ns_inum_pid(t);
	ns[BHW_NS_NET] = np->net_ns->ns.inum;
	ns[BHW_NS_UTS] = np->uts_ns->ns.inum;
	ns[BHW_NS_IPC] = np->ipc_ns->ns.inum;
	ns[BHW_NS_USER] = t->cred->user_ns->ns.inum;
	ns[BHW_NS_CGROUP] = np->cgroup_ns->ns.inum;
}

static __always_inline __u32 host_mask_of(const __u32 ns[BHW_NS_MAX])
{
	__u32 m = 0;
	for (int i = 0; i < BHW_NS_MAX; i++)
		if (ns[i] == host_ns[i])
			m |= 1u << i;
	return m;
}

/* kn: any kernel pointer (probe reads) */
static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	struct kernfs_node___old *old = (void *)kn;
	return BPF_CORE_READ(old, parent);
}

/* kn: a BTF pointer (plain loads) */
static __always_inline struct kernfs_node *kn_parent_btf(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return kn->__parent;
	struct kernfs_node___old *old = (void *)kn;
	return old->parent;
}

static __always_inline void read_cgroup(struct task_struct *t, struct bhw_event *e)
{
	struct css_set *cs = t->cgroups;
	struct kernfs_node *kn = cs->dfl_cgrp->kn;
	struct kernfs_node *parent = kn ? kn_parent_btf(kn) : NULL;
	if (!parent) {
		/* cgroup v1/hybrid host: the unified hierarchy is unused, the memory controller's is not */
		int id = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
		struct cgroup_subsys_state *css = NULL;
		bpf_probe_read_kernel(&css, sizeof(css), &cs->subsys[id & 15]);
		if (css) {
			kn = BPF_CORE_READ(css, cgroup, kn);
			parent = kn ? kn_parent(kn) : NULL;
		}
	}
	e->cgroup[0][0] = 0;
	e->cgroup[1][0] = 0;
	if (!kn || !parent)
		return; /* root cgroup: no name worth reporting */
	/* kn and parent are BTF pointers, or plain ones from the cgroup v1 path just above */
	bpf_probe_read_kernel_str(e->cgroup[0], BHW_CGNAME, BPF_CORE_READ(kn, name));
	if (kn_parent(parent))
		bpf_probe_read_kernel_str(e->cgroup[1], BHW_CGNAME, BPF_CORE_READ(parent, name));
}

static __always_inline void fill_task(struct bhw_event *e, struct task_struct *t, __u16 type, __u32 flags,
				      __u32 size)
{
	__u64 pt = bpf_get_current_pid_tgid();
	e->type = type;
	e->version = BHW_EVENT_VERSION;
	e->flags = flags & BHW_F_CONTAINER;
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = pt >> 32;
	e->tid = (__u32)pt;
	struct task_struct *p = t->real_parent;
	e->ppid = p->tgid;
	const struct cred *cr = t->cred;
	e->uid = cr->uid.val;
	e->gid = cr->gid.val;
	e->euid = cr->euid.val;
	e->cap_eff = 0;
	bpf_probe_read_kernel(&e->cap_eff, sizeof(e->cap_eff), &cr->cap_effective);
	struct nsproxy *np = t->nsproxy;
	e->ns[BHW_NS_MNT] = np->mnt_ns->ns.inum;
	e->ns[BHW_NS_PID] = ns_inum_pid(t);
	e->ns[BHW_NS_NET] = np->net_ns->ns.inum;
	e->ns[BHW_NS_UTS] = np->uts_ns->ns.inum;
	e->ns[BHW_NS_IPC] = np->ipc_ns->ns.inum;
	e->ns[BHW_NS_USER] = cr->user_ns->ns.inum;
	e->ns[BHW_NS_CGROUP] = np->cgroup_ns->ns.inum;
	e->host_mask = host_mask_of(e->ns);
	e->cgroup_id = bpf_get_current_cgroup_id();
	e->ret = 0;
	e->a[0] = e->a[1] = e->a[2] = e->a[3] = 0;
	bpf_get_current_comm(e->comm, sizeof(e->comm));

	int i;
	for (i = 0; i < BHW_CHAIN; i++) {
		__u32 pid = p->tgid;
		e->chain[i].pid = pid;
		bpf_probe_read_kernel(e->chain[i].comm, BHW_COMM, p->comm);
		if (pid <= 1)
			break;
		p = p->real_parent;
	}
	if (i == BHW_CHAIN)
		e->flags |= BHW_F_CHAIN_TRUNC;
	for (i = i + 1; i < BHW_CHAIN; i++) {
		e->chain[i].pid = 0;
		e->chain[i].comm[0] = 0;
	}
	read_cgroup(t, e);
	/* only the string slots this record has (size: see begin()) */
	if (size > BHW_SZ_NOSTR)
		e->s[0][0] = 0;
	if (size > BHW_SZ_S0)
		e->s[1][0] = 0;
	if (size > BHW_SZ_S1)
		e->s[2][0] = 0;
}

/* The common gate: returns the task's flags, or -1 when the event must be dropped. */
static __always_inline int gate(void)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt;
	count(BHW_C_SEEN);
	if ((pt >> 32) == self_tgid) {
		count(BHW_C_FILTERED);
		return -1;
	}
	__u32 *f = bpf_map_lookup_elem(&tasks, &tid);
	if (f)
		return (int)*f;
	/* io_uring's worker and SQPOLL threads (iou-wrk-*, iou-sqp-*) join the submitter's thread group through
	 * create_io_thread(), which fires no fork tracepoint: they act for the group leader */
	__u32 tgid = pt >> 32;
	if (tgid != tid && (f = bpf_map_lookup_elem(&tasks, &tgid)))
		return (int)*f;
	if (include_host)
		return 0;
	count(BHW_C_FILTERED);
	return -1;
}

/* size (a constant at each call site): the event up to the last string slot its type uses (watch.h,
 * BHW_SZ_*). A connect record is 736 bytes instead of 1248: less ring buffer written and copied per event,
 * more events per wake-up batch and per MiB of buffer. */
static __always_inline struct bhw_event *begin(__u16 type, int flags, __u32 size)
{
	struct bhw_event *e = bpf_ringbuf_reserve(&events, size, 0);
	if (!e) {
		count(BHW_C_DROPPED);
		return NULL;
	}
	fill_task(e, bpf_get_current_task_btf(), type, (__u32)flags, size);
	return e;
}

/* Waking the reader costs far more than an event: an irq_work (a self-IPI), then an IPI to the reader's CPU,
 * each a VM exit on a virtual machine. Each event used to force a wake-up while 64 KiB or more were waiting:
 * one irq_work per ~6 events at 130 k events/s. Now a CPU wakes the reader only when wakeup_bytes (1/16 of
 * the ring buffer, 512 KiB by default) or more are waiting AND the stream has moved on by wakeup_bytes since
 * that CPU's own last wake-up: a sleeping reader with a batch waiting is woken by the next event of any CPU,
 * a busy one is not woken again and again, and there is at most one wake-up per CPU per wakeup_bytes of
 * events (~700 connect events). The reader also polls every 200 ms, which bounds alert latency. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64); /* producer position at this CPU's last forced wake-up */
} wake_pos SEC(".maps");

static __always_inline void submit(struct bhw_event *e)
{
	count(BHW_C_SENT);
	long flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes) {
		__u64 prod = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);
		__u32 zero = 0;
		__u64 *last = bpf_map_lookup_elem(&wake_pos, &zero);
		if (last && prod - *last >= wakeup_bytes) {
			*last = prod;
			flags = BPF_RB_FORCE_WAKEUP;
		}
	}
	bpf_ringbuf_submit(e, flags);
}

/* ---- splice of a read-only file into a pipe (Dirty Pipe, CVE-2022-0847) ----
 * splice(2) and IORING_OP_SPLICE are rare: at their completion a container task's splice from a regular file
 * opened without write access into a pipe is kept in `spliced` (by process) with the pipe's ring head and the
 * filled buffer's length. Whether the pipe got more data afterwards (a write: the head moves on a fixed
 * kernel, the buffer's length grows on a vulnerable one, where the write lands in the file's page cache) is
 * looked at when the process execs, splices again or exits: no program on write(2), nothing on the hot path
 * of tasks that never spliced such a file. A buffer still flagged mergeable right after the splice is the
 * vulnerable kernel itself: reported at once. */
#define PIPE_BUF_FLAG_CAN_MERGE_ 0x10
#define S_IFIFO_ 0010000
#define S_IFREG_SPLICE 0100000
#define SPLICE_F_FD_IN_FIXED_ (1u << 31)

struct spliced_v {
	__u64 file_out, pipe, pipe_ino, ino;
	__u32 dev, head, len, how;
	char name[32];
};
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32); /* tgid */
	__type(value, struct spliced_v);
} spliced SEC(".maps");
volatile __u32 splice_armed = 0;

static __always_inline void splice_event(struct spliced_v *v, int f, __u64 added, __u32 how)
{
	struct bhw_event *e = begin(BHW_EV_SPLICE, f, BHW_SZ_S0);
	if (!e)
		return;
	e->a[0] = v->ino;
	e->a[1] = v->dev;
	e->a[2] = added;
	e->a[3] = v->how | how;
	__builtin_memcpy(e->s[0], v->name, sizeof(v->name));
	e->s[0][31] = 0;
	submit(e);
}

/* Did the pipe of this process's last read-only splice get more data since? (the pipe still open: the file's
 * inode is the one recorded) */
static __always_inline void splice_check(int f, __u32 how)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct spliced_v *v = bpf_map_lookup_elem(&spliced, &tgid);
	if (!v)
		return;
	struct spliced_v c = *v;
	bpf_map_delete_elem(&spliced, &tgid);
	struct file *out = (struct file *)c.file_out;
	struct pipe_inode_info *pipe = (void *)c.pipe;
	if (BPF_CORE_READ(out, f_inode, i_ino) != c.pipe_ino || BPF_CORE_READ(out, private_data) != pipe)
		return;
	__u32 head = BPF_CORE_READ(pipe, head), mask = BPF_CORE_READ(pipe, ring_size) - 1;
	struct pipe_buffer *bufs = BPF_CORE_READ(pipe, bufs);
	__u32 len = 0;
	bpf_probe_read_kernel(&len, sizeof(len), &bufs[(c.head - 1) & mask & 0xff].len);
	if (head != c.head)
		splice_event(&c, f, head - c.head, how);
	else if (len > c.len)
		splice_event(&c, f, len - c.len, how);
}

/* in: the spliced file, out: the pipe's file; keeps the splice when `in` is a regular file opened read-only */
static __always_inline void splice_keep(struct file *in, struct file *out, int f, __u32 how)
{
	if (!in || !out)
		return;
	struct inode *ii = BPF_CORE_READ(in, f_inode), *oi = BPF_CORE_READ(out, f_inode);
	if ((BPF_CORE_READ(ii, i_mode) & S_IFMT) != S_IFREG_SPLICE || (BPF_CORE_READ(oi, i_mode) & S_IFMT) != S_IFIFO_ ||
	    (BPF_CORE_READ(in, f_mode) & FMODE_WRITE))
		return;
	struct pipe_inode_info *pipe = BPF_CORE_READ(out, private_data);
	struct spliced_v v = {.file_out = (__u64)out, .pipe = (__u64)pipe, .pipe_ino = BPF_CORE_READ(oi, i_ino),
			      .ino = BPF_CORE_READ(ii, i_ino), .dev = BPF_CORE_READ(ii, i_sb, s_dev), .how = how};
	v.head = BPF_CORE_READ(pipe, head);
	__u32 mask = BPF_CORE_READ(pipe, ring_size) - 1, flags = 0;
	struct pipe_buffer *bufs = BPF_CORE_READ(pipe, bufs);
	bpf_probe_read_kernel(&v.len, sizeof(v.len), &bufs[(v.head - 1) & mask & 0xff].len);
	bpf_probe_read_kernel(&flags, sizeof(flags), &bufs[(v.head - 1) & mask & 0xff].flags);
	bpf_probe_read_kernel_str(v.name, sizeof(v.name), BPF_CORE_READ(in, f_path.dentry, d_name.name));
	if (flags & PIPE_BUF_FLAG_CAN_MERGE_) {
		splice_event(&v, f, 0, BHW_SPLICE_MERGEABLE);
		return;
	}
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	bpf_map_update_elem(&spliced, &tgid, &v, BPF_ANY);
	splice_armed = 1;
}

static __always_inline struct file *fd_file(__u64 fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds = t->files->fdt->fd;
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xfffff]);
	return file;
}

/* ---- process lifecycle ---- */

SEC("tp_btf/sched_process_exec")
int BPF_PROG(on_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 *fp = bpf_map_lookup_elem(&tasks, &tid);
	__u32 flags = fp ? *fp : 0;
	count(BHW_C_SEEN);
	if (!fp) {
		__u32 mnt = BPF_CORE_READ(p, nsproxy, mnt_ns, ns.inum);
		__u32 pidns = ns_inum_pid(p);
		if (mnt != host_ns[BHW_NS_MNT] || pidns != host_ns[BHW_NS_PID]) {
			flags = BHW_F_CONTAINER;
			if (bpf_map_update_elem(&tasks, &tid, &flags, BPF_ANY))
				count(BHW_C_STATE_FULL);
		}
	}
	if ((!flags && !include_host) || (bpf_get_current_pid_tgid() >> 32) == self_tgid) {
		count(BHW_C_FILTERED);
		return 0;
	}
	if (splice_armed && flags)
		splice_check((int)flags, 0);
	struct bhw_event *e = begin(BHW_EV_EXEC, (int)flags, BHW_SZ_S2);
	if (!e)
		return 0;
	bpf_probe_read_kernel_str(e->s[0], BHW_STR, BPF_CORE_READ(bprm, filename));

	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	unsigned long as = BPF_CORE_READ(mm, arg_start), ae = BPF_CORE_READ(mm, arg_end);
	unsigned long n = ae > as ? ae - as : 0;
	if (n >= BHW_STR) {
		n = BHW_STR - 1;
		e->flags |= BHW_F_TRUNC_ARGS;
	}
	if (n && bpf_probe_read_user(e->s[1], n & (BHW_STR - 1), (void *)as) == 0)
		e->a[0] = n;
	e->s[1][BHW_STR - 1] = 0;

	struct file *exe = BPF_CORE_READ(bprm, file);
	const unsigned char *dname = BPF_CORE_READ(exe, f_path.dentry, d_name.name);
	char head[8] = {};
	bpf_probe_read_kernel_str(head, sizeof(head), dname);
	__u64 xf = 0;
	if (head[0] == 'm' && head[1] == 'e' && head[2] == 'm' && head[3] == 'f' && head[4] == 'd' &&
	    head[5] == ':')
		xf |= BHW_EXEC_MEMFD;
	if (BPF_CORE_READ(exe, f_inode, i_nlink) == 0)
		xf |= BHW_EXEC_UNLINKED;
	e->a[1] = xf;
	if (xf & BHW_EXEC_MEMFD) /* the file name is "/dev/fd/N"; the dentry says which memfd */
		bpf_probe_read_kernel_str(e->s[2], BHW_STR, dname);
	submit(e);
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(on_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptid = BPF_CORE_READ(parent, pid);
	__u32 *f = bpf_map_lookup_elem(&tasks, &ptid);
	if (!f)
		return 0;
	__u32 ctid = BPF_CORE_READ(child, pid), flags = *f;
	if (bpf_map_update_elem(&tasks, &ctid, &flags, BPF_ANY))
		count(BHW_C_STATE_FULL);
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(on_exit, struct task_struct *p)
{
	__u64 pt = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)pt;
	__u32 *f = bpf_map_lookup_elem(&tasks, &tid);
	if (!f)
		return 0;
	__u32 flags = *f;
	bpf_map_delete_elem(&tasks, &tid);
	bpf_map_delete_elem(&stash, &tid);
	if ((pt >> 32) != tid) /* only the thread-group leader's exit ends the process */
		return 0;
	if (splice_armed) /* its files are still open here (exit_files comes later) */
		splice_check((int)flags, BHW_SPLICE_EXIT);
	count(BHW_C_SEEN);
	struct bhw_event *e = begin(BHW_EV_EXIT, (int)flags, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = (__u64)BPF_CORE_READ(p, exit_code);
	submit(e);
	return 0;
}

/* ---- mounts ---- */

SEC("tp/syscalls/sys_enter_mount")
int on_mount(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MOUNT, f, BHW_SZ_S2);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[0], BHW_STR, (void *)ctx->args[0]);
	bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[1]);
	bpf_probe_read_user_str(e->s[2], BHW_STR, (void *)ctx->args[2]);
	e->a[0] = ctx->args[3];
	submit(e);
	/* the option string too: release_agent= given as a mount option arms the escape without any open */
	if (!ctx->args[4])
		return 0;
	e = begin(BHW_EV_MOUNT_PARAM, f, BHW_SZ_S2);
	if (!e)
		return 0;
	__builtin_memcpy(e->s[0], "data", 5);
	bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[4]);
	bpf_probe_read_user_str(e->s[2], BHW_STR, (void *)ctx->args[2]);
	e->a[1] = 2;
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_umount")
int on_umount(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_UMOUNT, f, BHW_SZ_S1);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[0]);
	e->a[0] = ctx->args[1];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_fsopen")
int on_fsopen(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_FSOPEN, f, BHW_SZ_S2);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[2], BHW_STR, (void *)ctx->args[0]);
	e->a[0] = ctx->args[1];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_fsmount")
int on_fsmount(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_FSMOUNT, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	e->a[1] = ctx->args[1];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_move_mount")
int on_move_mount(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MOVE_MOUNT, f, BHW_SZ_S1);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	e->a[1] = ctx->args[2];
	bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[3]);
	submit(e);
	return 0;
}

/* ---- namespaces ---- */

SEC("tp/syscalls/sys_enter_setns")
int on_setns_enter(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash s = {.a0 = ctx->args[0], .a1 = ctx->args[1]};
	read_ns(bpf_get_current_task_btf(), s.ns);
	s.mask = host_mask_of(s.ns);
	bpf_map_update_elem(&stash, &tid, &s, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_setns")
int on_setns_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash *s = bpf_map_lookup_elem(&stash, &tid);
	if (!s)
		return 0;
	struct stash copy = *s;
	bpf_map_delete_elem(&stash, &tid);
	__u32 *fp = bpf_map_lookup_elem(&tasks, &tid);
	struct bhw_event *e = begin(BHW_EV_SETNS, fp ? (int)*fp : 0, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = copy.a0;
	e->a[1] = copy.a1;
	e->a[2] = copy.mask; /* host namespaces shared before the call; host_mask is after */
	__u32 changed = 0;
	for (int i = 0; i < BHW_NS_MAX; i++)
		if (copy.ns[i] != e->ns[i])
			changed |= 1u << i;
	e->a[3] = changed; /* namespaces the call really changed (0: joined one it was already in) */
	e->ret = ctx->ret;
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_unshare")
int on_unshare(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_UNSHARE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_pivot_root")
int on_pivot_root(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_PIVOT_ROOT, f, BHW_SZ_S1);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[0], BHW_STR, (void *)ctx->args[0]);
	bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[1]);
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_chroot")
int on_chroot(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_CHROOT, f, BHW_SZ_S0);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[0], BHW_STR, (void *)ctx->args[0]);
	submit(e);
	return 0;
}

/* ---- other processes, the kernel ---- */

SEC("tp/syscalls/sys_enter_ptrace")
int on_ptrace(struct trace_event_raw_sys_enter *ctx)
{
	long req = (long)ctx->args[0];
	/* ATTACH, SEIZE, POKETEXT/DATA/USER, SETREGS, SETFPREGS, SETREGSET: control or write another process */
	if (!(req == 16 || req == 0x4206 || req == 4 || req == 5 || req == 6 || req == 13 || req == 15 ||
	      req == 0x4205))
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_PTRACE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	e->a[1] = ctx->args[1];
	submit(e);
	return 0;
}

/* process_vm_writev: writes another process's memory without ptrace(2) or /proc/<pid>/mem */
SEC("tp/syscalls/sys_enter_process_vm_writev")
int on_vm_writev(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_PROC_ACCESS, f, BHW_SZ_S0);
	if (!e)
		return 0;
	e->a[0] = 2; /* PTRACE_MODE_ATTACH, as the kernel checks it */
	e->a[1] = ctx->args[0];
	e->a[3] = 311;
	submit(e);
	return 0;
}

/* clone/clone3 with namespace flags (CLONE_NEWUSER above all): what unshare does, at process creation.
 * Every fork on the node passes here: the flag test comes before anything else. */
#define CLONE_NS_FLAGS (0x00020000ull | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | \
			0x40000000 | 0x00000080)

static __always_inline int clone_event(__u64 flags, __u64 nr)
{
	if (!(flags & CLONE_NS_FLAGS))
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_UNSHARE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = flags & 0xffffffffull;
	e->a[1] = nr;
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_clone")
int on_clone(struct trace_event_raw_sys_enter *ctx)
{
	return clone_event(ctx->args[0], 56);
}

SEC("tp/syscalls/sys_enter_clone3")
int on_clone3(struct trace_event_raw_sys_enter *ctx)
{
	__u64 flags = 0;
	bpf_probe_read_user(&flags, sizeof(flags), (void *)ctx->args[0]); /* struct clone_args.flags */
	return clone_event(flags, 435);
}

SEC("tp/syscalls/sys_enter_init_module")
int on_init_module(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MODULE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = 0;
	e->a[1] = ctx->args[1];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_finit_module")
int on_finit_module(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MODULE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = 1;
	e->a[1] = ctx->args[0];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_bpf")
int on_bpf(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[0] != BPF_PROG_LOAD_CMD)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_BPF, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	__u32 ptype = 0;
	bpf_probe_read_user(&ptype, sizeof(ptype), (void *)ctx->args[1]);
	e->a[0] = ctx->args[0];
	e->a[1] = ptype;
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_userfaultfd")
int on_userfaultfd(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_USERFAULTFD, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_open_by_handle_at")
int on_open_by_handle(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_OPEN_BY_HANDLE, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = ctx->args[0];
	e->a[1] = ctx->args[2];
	submit(e);
	return 0;
}

/* add_key, request_key, keyctl: the kernel keyring is not namespaced (Docker's default seccomp profile blocks
 * the three calls, so a call that reaches this tracepoint was not filtered). A CVE-2016-0728-style loop makes
 * millions of calls: one event per process per second at most. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);   /* tgid */
	__type(value, __u64); /* time of its last keyring event */
} keyring_seen SEC(".maps");

static __always_inline int keyring_event(struct trace_event_raw_sys_enter *ctx, __u64 nr)
{
	int f = gate();
	if (f < 0)
		return 0;
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	__u64 now = bpf_ktime_get_ns(), *last = bpf_map_lookup_elem(&keyring_seen, &tgid);
	if (last && now - *last < 1000000000ull) {
		count(BHW_C_FILTERED);
		return 0;
	}
	bpf_map_update_elem(&keyring_seen, &tgid, &now, BPF_ANY);
	struct bhw_event *e = begin(BHW_EV_KEYRING, f, BHW_SZ_S0);
	if (!e)
		return 0;
	e->a[0] = nr;
	e->a[1] = ctx->args[0];
	if (nr != 250) /* add_key/request_key: the key type */
		bpf_probe_read_user_str(e->s[0], 32, (void *)ctx->args[0]);
	submit(e);
	return 0;
}

SEC("tp/syscalls/sys_enter_add_key")
int on_add_key(struct trace_event_raw_sys_enter *ctx)
{
	return keyring_event(ctx, 248);
}

SEC("tp/syscalls/sys_enter_request_key")
int on_request_key(struct trace_event_raw_sys_enter *ctx)
{
	return keyring_event(ctx, 249);
}

SEC("tp/syscalls/sys_enter_keyctl")
int on_keyctl(struct trace_event_raw_sys_enter *ctx)
{
	return keyring_event(ctx, 250);
}

/* ---- sockets ---- */

static __always_inline int unix_peer_event(struct sock *other, int f);

/* cgroup id -> when a process of that cgroup read a foreign ServiceAccount token (judge_file arms it) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, __u64);
} token_cg SEC(".maps");
volatile __u32 token_armed = 0; /* set once any foreign token was read: before that, inet connects cost one load */

#define AF_INET_ 2
#define AF_INET6_ 10

/* A TCP connect to the API server's ports (443, 6443) from a container that read a foreign token. */
/* port in host order, family, IPv4 address (network order; 0 for IPv6); f: the task's flags from gate() */
static __always_inline int api_event(__u16 port, __u16 family, __u32 addr, int f)
{
	if (port != 443 && port != 6443)
		return 0;
	__u64 cg = bpf_get_current_cgroup_id();
	__u64 *when = bpf_map_lookup_elem(&token_cg, &cg);
	if (!when)
		return 0;
	__u64 since = bpf_ktime_get_ns() - *when;
	struct bhw_event *e = begin(BHW_EV_API_CONNECT, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->a[0] = port;
	e->a[1] = family;
	e->a[2] = since;
	e->a[3] = addr;
	submit(e);
	return 0;
}

static __always_inline int api_connect(struct trace_event_raw_sys_enter *ctx, __u32 head)
{
	__u16 port = (__u16)((head >> 24) | ((head >> 8) & 0xff00)); /* sin_port, network order */
	if (port != 443 && port != 6443)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	__u32 addr = 0;
	if ((head & 0xffff) == AF_INET_)
		bpf_probe_read_user(&addr, sizeof(addr), (char *)ctx->args[1] + 4);
	return api_event(port, head & 0xffff, addr, f);
}

/* Unix connects are judged after the kernel found the listener (the socket object, see unix_peer_event):
 * enter keeps the fd of an AF_UNIX connect, exit judges the connected socket's peer. Failed connects (no such
 * socket) end in the kernel. */
SEC("tp/syscalls/sys_enter_connect")
int on_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u32 head = 0; /* sa_family and, for inet, the port */
	bpf_probe_read_user(&head, sizeof(head), (void *)ctx->args[1]);
	__u16 family = head & 0xffff;
	if (family != AF_UNIX) {
		if (token_armed && (family == AF_INET_ || family == AF_INET6_))
			return api_connect(ctx, head);
		return 0;
	}
	int f = gate();
	if (f < 0)
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash st = {.a0 = ctx->args[0], .a1 = (__u64)f};
	bpf_map_update_elem(&stash, &tid, &st, BPF_ANY);
	return 0;
}

/* The same inet branch for the object modes, where on_connect is not loaded (Unix connects are judged by
 * the LSM/fentry hook there). */
SEC("tp/syscalls/sys_enter_connect")
int on_connect_api(struct trace_event_raw_sys_enter *ctx)
{
	if (!token_armed)
		return 0;
	__u32 head = 0;
	bpf_probe_read_user(&head, sizeof(head), (void *)ctx->args[1]);
	if ((head & 0xffff) == AF_INET_ || (head & 0xffff) == AF_INET6_)
		return api_connect(ctx, head);
	return 0;
}

SEC("tp/syscalls/sys_exit_connect")
int on_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash *st = bpf_map_lookup_elem(&stash, &tid);
	if (!st)
		return 0;
	__u64 fd = st->a0;
	int f = (int)st->a1;
	bpf_map_delete_elem(&stash, &tid);
	if (ctx->ret < 0) {
		count(BHW_C_FILTERED);
		return 0;
	}
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds = t->files->fdt->fd;
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[fd & 0xfffff]);
	struct socket *sock = file ? BPF_CORE_READ(file, private_data) : NULL;
	struct sock *sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk)
		return 0;
	return unix_peer_event(BPF_CORE_READ((struct unix_sock *)sk, peer), f);
}

/* ---- opens: classified on the struct file the kernel really opened ---- */

#define BINFMTFS_MAGIC 0x42494e4d
#define S_IROTH 0004

/* Sensitive host directories by inode (user space fills it: /etc/cron.d, /root/.ssh, kubelet PKI, …): a file
 * whose ancestor is one of them, on the host's root filesystem, is reported whatever path reached it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct sens_key);
	__type(value, __u32); /* enum bhw_sens */
} sensitive SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u64); /* inode number of a runtime socket on the host */
	__type(value, __u32);
} runtime_socks SEC(".maps");

const volatile __u32 host_root_dev = 0; /* s_dev of the host's root filesystem (0: no sensitive-file checks) */
const volatile __u32 object_hooks = 0;  /* 1: the open decision runs at file_open (LSM or fentry) */

static __always_inline __u32 sensitive_class(struct dentry *d, __u32 dev)
{
	struct sens_key k = {.dev = dev};
	for (int i = 0; i < 10; i++) { /* the file itself (/etc/shadow), then its directories */
		k.ino = BPF_CORE_READ(d, d_inode, i_ino);
		__u32 *c = bpf_map_lookup_elem(&sensitive, &k);
		if (c)
			return *c;
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d)
			break;
		d = parent;
	}
	return 0;
}

/* The mount namespace the file's mount belongs to, when it is not the caller's own: /proc/<pid>/root/…,
 * a detached fsmount()/open_tree() mount. Internal mounts (nsfs, pipes) carry no namespace. */
static __always_inline struct mnt_namespace *foreign_mnt_ns(struct file *file)
{
	struct vfsmount *vm = BPF_CORE_READ(file, f_path.mnt);
	struct mount *m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	struct mnt_namespace *mns = BPF_CORE_READ(m, mnt_ns);
	if ((unsigned long)mns < 4096 || (unsigned long)mns >= (unsigned long)-4095L) /* MNT_NS_INTERNAL is ERR_PTR(-EINVAL) */
		return NULL;
	struct task_struct *t = bpf_get_current_task_btf();
	if (mns == t->nsproxy->mnt_ns)
		return NULL;
	return mns;
}

#define TMPFS_MAGIC_ 0x01021994
#define S_IFREG_ 0100000

/* A file named "token" on a tmpfs: a ServiceAccount token unless it is the caller's own serviceaccount
 * mount. Decided by the volume's mountpoint: "serviceaccount" (the container's own mount, or another
 * container's through /proc/<pid>/root when the mount is in another namespace) or a directory under the
 * kubelet's "kubernetes.io~projected" / "kubernetes.io~secret" (another pod's volume through a hostPath).
 * Two dentry names read, only for tmpfs files of container tasks named token. */
static __always_inline int token_interest(struct file *file)
{
	struct vfsmount *vm = BPF_CORE_READ(file, f_path.mnt);
	struct mount *m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
	struct dentry *mp = BPF_CORE_READ(m, mnt_mountpoint);
	char n[16] = {}, pn[16] = {};
	bpf_probe_read_kernel_str(n, sizeof(n), BPF_CORE_READ(mp, d_name.name));
	bpf_probe_read_kernel_str(pn, sizeof(pn), BPF_CORE_READ(mp, d_parent, d_name.name));
	struct mnt_namespace *mns = foreign_mnt_ns(file);
	int fl = BHW_F_SA_TOKEN;
	if (mns) {
		fl |= BHW_F_FOREIGN_MNT;
		if (BPF_CORE_READ(mns, ns.inum) == host_ns[BHW_NS_MNT])
			fl |= BHW_F_HOST_MNT;
	}
	/* "serviceaccount\0" */
	if (n[0] == 's' && n[1] == 'e' && n[2] == 'r' && n[3] == 'v' && n[7] == 'a' && n[13] == 't' && !n[14])
		return mns ? fl : -1;
	/* "kubernetes.io~" */
	if (pn[0] == 'k' && pn[1] == 'u' && pn[2] == 'b' && pn[10] == '.' && pn[11] == 'i' && pn[13] == '~')
		return fl;
	return -1;
}

static __always_inline void arm_token(void)
{
	__u64 cg = bpf_get_current_cgroup_id(), now = bpf_ktime_get_ns();
	bpf_map_update_elem(&token_cg, &cg, &now, BPF_ANY);
	token_armed = 1;
}

/* A tmpfs regular file: a memfd opened by path, or a token (see token_interest); -1 when neither. */
static __always_inline int tmpfs_interest(struct file *file, int wr)
{
	char head[8] = {};
	bpf_probe_read_kernel_str(head, sizeof(head), BPF_CORE_READ(file, f_path.dentry, d_name.name));
	if (head[0] == 'm' && head[1] == 'e' && head[2] == 'm' && head[3] == 'f' && head[4] == 'd' &&
	    head[5] == ':')
		return BHW_F_MEMFD_OPEN;
	if (!wr && head[0] == 't' && head[1] == 'o' && head[2] == 'k' && head[3] == 'e' && head[4] == 'n' &&
	    !head[5])
		return token_interest(file);
	return -1;
}

/* Returns the BHW_F_* flags the event gets, or -1 when the file is of no interest. */
static __always_inline int file_interest(struct file *file, struct inode *ino, __u32 mode, __u32 *sens)
{
	__u32 type = mode & S_IFMT;
	if (type == S_IFBLK)
		return 0; /* any open of a block device: reading one is enough to read the host's disk */
	if (type == S_IFCHR) {
		__u32 rdev = BPF_CORE_READ(ino, i_rdev);
		if ((rdev >> 20) == 1 && ((rdev & 0xfffff) == 1 || (rdev & 0xfffff) == 2 || (rdev & 0xfffff) == 4))
			return 0; /* /dev/mem, /dev/kmem, /dev/port */
	}
	int wr = (BPF_CORE_READ(file, f_mode) & FMODE_WRITE) != 0;
	struct super_block *sb = BPF_CORE_READ(ino, i_sb);
	unsigned long magic = BPF_CORE_READ(sb, s_magic);
	if (wr && (magic == PROC_SUPER_MAGIC || magic == SYSFS_MAGIC || magic == CGROUP_SUPER_MAGIC ||
		   magic == CGROUP2_SUPER_MAGIC || magic == BINFMTFS_MAGIC))
		return 0;
	/* a memfd opened again by path (/proc/self/fd/N): what `ld.so /proc/self/fd/N` does before it maps the
	 * payload executable; execve of a memfd is seen at exec. A tmpfs file named token: see token_interest. */
	if (magic == TMPFS_MAGIC_ && type == S_IFREG_) {
		int t = tmpfs_interest(file, wr);
		if (t >= 0)
			return t;
	}

	/* where the file lies matters for writes and for files not everyone may read (keys, tokens, shadow): a
	 * world-readable file read by a container is out here, after five loads (most opens) */
	if (!wr && (mode & S_IROTH))
		return -1;
	int fl = -1;
	struct mnt_namespace *mns = foreign_mnt_ns(file);
	if (mns) {
		fl = BHW_F_FOREIGN_MNT;
		if (BPF_CORE_READ(mns, ns.inum) == host_ns[BHW_NS_MNT])
			fl |= BHW_F_HOST_MNT;
	}
	/* host files by inode (the walk up to ten directories) */
	if (host_root_dev && BPF_CORE_READ(sb, s_dev) == host_root_dev) {
		*sens = sensitive_class(BPF_CORE_READ(file, f_path.dentry), host_root_dev);
		if (*sens)
			fl = (fl < 0 ? 0 : fl) | BHW_F_SENSITIVE;
	}
	return fl;
}

static __always_inline int judge_file(struct file *file, long ret, int f, __u32 xflags)
{
	struct inode *ino = BPF_CORE_READ(file, f_inode);
	__u32 mode = BPF_CORE_READ(ino, i_mode), sens = 0;
	int fl = file_interest(file, ino, mode, &sens);
	if (fl < 0) {
		count(BHW_C_FILTERED);
		return 0;
	}
	struct bhw_event *e = begin(BHW_EV_OPEN_WRITE, f, BHW_SZ_S1);
	if (!e)
		return 0;
	e->flags |= (__u32)fl | xflags;
	e->a[0] = BPF_CORE_READ(ino, i_sb, s_magic);
	e->a[1] = mode | ((__u64)sens << 32);
	e->a[2] = BPF_CORE_READ(ino, i_rdev);
	e->a[3] = BPF_CORE_READ(file, f_flags) | ((__u64)(BPF_CORE_READ(file, f_mode) & FMODE_WRITE) << 32);
	e->ret = ret;
	/* the path inside this filesystem, leaf first, one 32-byte slot per component */
	char(*comp)[BHW_COMP_LEN] = (void *)e->s;
	struct dentry *d = BPF_CORE_READ(file, f_path.dentry);
	/* a token's path goes on across its volume's mountpoint (…/pods/<uid>/volumes/…/token names the pod) */
	int cross = (fl & BHW_F_SA_TOKEN) != 0;
	int i = 0;
	for (int it = 0; it < BHW_PATH_COMPS + 1 && i < BHW_PATH_COMPS; it++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);
		if (!parent || parent == d) {
			if (!cross)
				break;
			struct vfsmount *vm = BPF_CORE_READ(file, f_path.mnt);
			struct mount *m = (void *)vm - bpf_core_field_offset(struct mount, mnt);
			d = BPF_CORE_READ(m, mnt_mountpoint);
			cross = 0;
			continue;
		}
		bpf_probe_read_kernel_str(comp[i & (BHW_PATH_COMPS - 1)], BHW_COMP_LEN,
					  BPF_CORE_READ(d, d_name.name));
		d = parent;
		i++;
	}
	if (fl & BHW_F_SA_TOKEN)
		arm_token();
	if (i == 0 && (fl & BHW_F_MEMFD_OPEN)) { /* a pseudo file is its own root: its name is all there is */
		bpf_probe_read_kernel_str(comp[0], BHW_COMP_LEN, BPF_CORE_READ(d, d_name.name));
		i = 1;
	}
	if (i == BHW_PATH_COMPS)
		e->flags |= BHW_F_TRUNC_ARGS;
	else
		comp[i & (BHW_PATH_COMPS - 1)][0] = 0;
	submit(e);
	return 0;
}

static __always_inline int open_exit(long ret)
{
	if (ret < 0)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	/* the fd table through BTF loads; the slot itself is indexed at run time: one probe read */
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds = t->files->fdt->fd;
	struct file *file = NULL;
	bpf_probe_read_kernel(&file, sizeof(file), &fds[ret & 0xfffff]);
	if (!file)
		return 0;
	return judge_file(file, ret, f, 0);
}

SEC("tp/syscalls/sys_exit_openat")
int on_openat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_openat2")
int on_openat2_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_open")
int on_open_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_exit_creat")
int on_creat_exit(struct trace_event_raw_sys_exit *ctx)
{
	return open_exit(ctx->ret);
}

SEC("tp/syscalls/sys_enter_splice")
int on_splice_enter(struct trace_event_raw_sys_enter *ctx)
{
	int f = gate();
	if (f < 0)
		return 0;
	if (splice_armed) /* data added since this process's last read-only splice (before this one adds its own) */
		splice_check(f, 0);
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash st = {.a0 = ctx->args[0], .a1 = ctx->args[2], .mask = (__u64)f};
	bpf_map_update_elem(&stash, &tid, &st, BPF_ANY);
	return 0;
}

SEC("tp/syscalls/sys_exit_splice")
int on_splice_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stash *st = bpf_map_lookup_elem(&stash, &tid);
	if (!st)
		return 0;
	__u64 in = st->a0, out = st->a1;
	int f = (int)st->mask;
	bpf_map_delete_elem(&stash, &tid);
	if (ctx->ret <= 0)
		return 0;
	splice_keep(fd_file(in), fd_file(out), f, 0);
	return 0;
}

/* io_uring requests bypass the syscall tracepoints. At completion the request still holds its target: the
 * file a READ/WRITE used (fixed-file slots included), the socket a CONNECT connected, the fd an OPENAT
 * installed in the submitter's table (an open into a fixed slot is judged at the first read or write). */
#define IORING_OP_READV_ 1
#define IORING_OP_WRITEV_ 2
#define IORING_OP_READ_FIXED_ 4
#define IORING_OP_WRITE_FIXED_ 5
#define IORING_OP_CONNECT_ 16
#define IORING_OP_OPENAT_ 18
#define IORING_OP_READ_ 22
#define IORING_OP_WRITE_ 23
#define IORING_OP_OPENAT2_ 28
#define IORING_OP_SPLICE_ 30

/* IORING_OP_SPLICE: the request's file is the output (the pipe); the input is still an fd number of the
 * submitter's table (a fixed-file input is not followed) */
static __always_inline int uring_splice(struct io_kiocb *r, int res)
{
	if (res <= 0)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct io_splice *sp = (void *)r;
	if (BPF_CORE_READ(sp, flags) & SPLICE_F_FD_IN_FIXED_)
		return 0;
	splice_keep(fd_file((__u32)BPF_CORE_READ(sp, splice_fd_in)), BPF_CORE_READ(r, file), f, BHW_SPLICE_URING);
	return 0;
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(on_uring_complete, struct io_ring_ctx *rctx, void *req, struct io_uring_cqe *cqe)
{
	struct io_kiocb *r = req;
	__u8 op = BPF_CORE_READ(r, opcode);
	int rw = op == IORING_OP_READV_ || op == IORING_OP_WRITEV_ || op == IORING_OP_READ_FIXED_ ||
		 op == IORING_OP_WRITE_FIXED_ || op == IORING_OP_READ_ || op == IORING_OP_WRITE_;
	int open = op == IORING_OP_OPENAT_ || op == IORING_OP_OPENAT2_;
	if (op == IORING_OP_SPLICE_)
		return uring_splice(r, BPF_CORE_READ(cqe, res));
	if (!rw && !open && op != IORING_OP_CONNECT_)
		return 0;
	int res = BPF_CORE_READ(cqe, res);
	if (open)
		return open_exit(res);
	int f = gate();
	if (f < 0)
		return 0;
	struct file *file = BPF_CORE_READ(r, file);
	if (!file)
		return 0;
	if (rw)
		return judge_file(file, -1, f, BHW_F_OBJECT);
	if (res < 0)
		return 0;
	struct socket *sock = BPF_CORE_READ(file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	__u16 family = sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0;
	if (token_armed && (family == AF_INET_ || family == AF_INET6_)) { /* the connected socket's peer */
		__u16 dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
		return api_event((__u16)((dport >> 8) | (dport << 8)), family,
				 family == AF_INET_ ? BPF_CORE_READ(sk, __sk_common.skc_daddr) : 0, f);
	}
	if (family != AF_UNIX)
		return 0;
	/* the client's peer is the server's new socket, which carries the listener's address and path */
	return unix_peer_event(BPF_CORE_READ((struct unix_sock *)sk, peer), f);
}

/* fsconfig(): release_agent and source as parameters of the new mount API; the filesystem type from the
 * fs_context behind the fd (an object, not the name the caller gave fsopen) */
#define FSCONFIG_SET_STRING_ 1
#define FSCONFIG_SET_FD_ 5

SEC("tp/syscalls/sys_enter_fsconfig")
int on_fsconfig(struct trace_event_raw_sys_enter *ctx)
{
	__u32 cmd = (__u32)ctx->args[1];
	if (cmd > FSCONFIG_SET_FD_ || !ctx->args[2])
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MOUNT_PARAM, f, BHW_SZ_S2);
	if (!e)
		return 0;
	bpf_probe_read_user_str(e->s[0], BHW_STR, (void *)ctx->args[2]);
	e->a[1] = cmd == FSCONFIG_SET_STRING_ ? 2 : cmd == FSCONFIG_SET_FD_ ? 5 : cmd;
	if (cmd == FSCONFIG_SET_STRING_ || cmd == 3 /* FSCONFIG_SET_PATH */)
		bpf_probe_read_user_str(e->s[1], BHW_STR, (void *)ctx->args[3]);
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds = t->files->fdt->fd;
	struct file *fcf = NULL, *vf = NULL;
	bpf_probe_read_kernel(&fcf, sizeof(fcf), &fds[ctx->args[0] & 0xfffff]);
	if (cmd == FSCONFIG_SET_FD_) {
		bpf_probe_read_kernel(&vf, sizeof(vf), &fds[ctx->args[4] & 0xfffff]);
		struct inode *vi = BPF_CORE_READ(vf, f_inode);
		e->a[2] = vi ? BPF_CORE_READ(vi, i_mode) : 0;
		e->a[3] = vi ? BPF_CORE_READ(vi, i_rdev) : 0;
	}
	struct fs_context *fc = fcf ? BPF_CORE_READ(fcf, private_data) : NULL;
	struct file_system_type *fst = fc ? BPF_CORE_READ(fc, fs_type) : NULL;
	if (fst) {
		bpf_probe_read_kernel_str(e->s[2], BHW_STR, BPF_CORE_READ(fst, name));
		e->a[0] = BPF_CORE_READ(fst, fs_flags);
	}
	submit(e);
	return 0;
}

/* fsmount() returns a mount fd: its superblock says which block device, if any, was mounted */
SEC("tp/syscalls/sys_exit_fsmount")
int on_fsmount_exit(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;
	if (ret < 0)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	struct file **fds = t->files->fdt->fd;
	struct file *mf = NULL;
	bpf_probe_read_kernel(&mf, sizeof(mf), &fds[ret & 0xfffff]);
	if (!mf)
		return 0;
	struct super_block *sb = BPF_CORE_READ(mf, f_path.mnt, mnt_sb);
	struct block_device *bdev = BPF_CORE_READ(sb, s_bdev);
	struct bhw_event *e = begin(BHW_EV_SB_MOUNT, f, BHW_SZ_S2);
	if (!e)
		return 0;
	e->a[0] = bdev ? BPF_CORE_READ(bdev, bd_dev) : 0;
	e->a[1] = BPF_CORE_READ(sb, s_magic);
	e->a[2] = BPF_CORE_READ(sb, s_type, fs_flags);
	bpf_probe_read_kernel_str(e->s[2], BHW_STR, BPF_CORE_READ(sb, s_type, name));
	submit(e);
	return 0;
}

/* ---- object hooks: BPF LSM (lsm/…) or fentry on the security_* function (fentry/…), one body each.
 * Every path to the object converges here: syscalls, io_uring (in the submitter or an io-wq worker),
 * /proc/<pid>/root, links, O_PATH reopen, fresh procfs mounts. The loader attaches one flavour. ---- */

static __always_inline int h_file_open(struct file *file)
{
	int f = gate();
	if (f < 0)
		return 0;
	return judge_file(file, -1, f, BHW_F_OBJECT);
}

SEC("lsm/file_open")
int BPF_PROG(lsm_file_open, struct file *file)
{
	h_file_open(file);
	return 0;
}

SEC("fentry/security_file_open")
int BPF_PROG(fe_file_open, struct file *file)
{
	return h_file_open(file);
}

/* Mount options and fsconfig(): release_agent=, source=; observed with fentry in both object modes (an LSM
 * program here would have to return -ENOPARAM, or the filesystem would never see the option). */
#define FS_VALUE_IS_STRING 2
#define FS_VALUE_IS_FILENAME 4
#define FS_VALUE_IS_FILE 5

SEC("fentry/security_fs_context_parse_param")
int BPF_PROG(fe_parse_param, struct fs_context *fc, struct fs_parameter *param)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MOUNT_PARAM, f, BHW_SZ_S2);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	bpf_probe_read_kernel_str(e->s[0], BHW_STR, param->key);
	__u32 vt = BPF_CORE_READ_BITFIELD(param, type);
	e->a[1] = vt;
	if (vt == FS_VALUE_IS_STRING) {
		bpf_probe_read_kernel_str(e->s[1], BHW_STR, param->string);
	} else if (vt == FS_VALUE_IS_FILENAME) {
		bpf_probe_read_kernel_str(e->s[1], BHW_STR, BPF_CORE_READ(param->name, name));
	} else if (vt == FS_VALUE_IS_FILE) {
		struct inode *ino = BPF_CORE_READ(param->file, f_inode);
		e->a[2] = BPF_CORE_READ(ino, i_mode);
		e->a[3] = BPF_CORE_READ(ino, i_rdev);
	}
	struct file_system_type *fst = fc->fs_type;
	bpf_probe_read_kernel_str(e->s[2], BHW_STR, fst->name);
	e->a[0] = fst->fs_flags;
	submit(e);
	return 0;
}

/* A superblock a container got hold of (mount(2) or fsconfig(FSCONFIG_CMD_CREATE)): its block device by
 * device number, whatever the source was called (a mknod'd node, a symlink, a loop device). */
SEC("fexit/vfs_get_tree")
int BPF_PROG(fx_get_tree, struct fs_context *fc, int ret)
{
	if (ret)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_SB_MOUNT, f, BHW_SZ_S2);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	struct super_block *sb = fc->root->d_sb;
	struct block_device *bdev = sb->s_bdev;
	e->a[0] = bdev ? bdev->bd_dev : 0;
	e->a[1] = sb->s_magic;
	e->a[2] = fc->fs_type->fs_flags;
	bpf_probe_read_kernel_str(e->s[0], BHW_STR, fc->source);
	bpf_probe_read_kernel_str(e->s[2], BHW_STR, fc->fs_type->name);
	submit(e);
	return 0;
}

static __always_inline int h_move_mount(const struct path *from, const struct path *to)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_SB_MOUNT, f, BHW_SZ_S2);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	struct super_block *sb = BPF_CORE_READ(from, mnt, mnt_sb);
	struct block_device *bdev = BPF_CORE_READ(sb, s_bdev);
	e->a[0] = bdev ? BPF_CORE_READ(bdev, bd_dev) : 0;
	e->a[1] = BPF_CORE_READ(sb, s_magic);
	e->a[2] = BPF_CORE_READ(sb, s_type, fs_flags);
	e->a[3] = 1;
	bpf_probe_read_kernel_str(e->s[2], BHW_STR, BPF_CORE_READ(sb, s_type, name));
	bpf_probe_read_kernel_str(e->s[1], BHW_STR, BPF_CORE_READ(to, dentry, d_name.name));
	submit(e);
	return 0;
}

SEC("lsm/move_mount")
int BPF_PROG(lsm_move_mount, const struct path *from, const struct path *to)
{
	h_move_mount(from, to);
	return 0;
}

SEC("fentry/security_move_mount")
int BPF_PROG(fe_move_mount, const struct path *from, const struct path *to)
{
	return h_move_mount(from, to);
}

/* Unix stream connect, after the kernel found the listening socket: judged by the peer object (its bound
 * name and inode, its network namespace), so hard links, symlinks, renamed mounts and io_uring connects
 * all resolve to the same socket. Failed lookups never get here (nothing to filter in user space). */

static __always_inline int unix_peer_event(struct sock *other, int f)
{
	if (!other)
		return 0;
	struct bhw_event *e = begin(BHW_EV_CONNECT, f, BHW_SZ_S0);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	struct unix_sock *u = (void *)other;
	struct inode *ino = BPF_CORE_READ(u, path.dentry, d_inode);
	__u64 ino_nr = ino ? BPF_CORE_READ(ino, i_ino) : 0;
	e->a[1] = ino_nr;
	e->a[2] = ino ? BPF_CORE_READ(ino, i_sb, s_dev) : 0;
	__u32 peer_net = BPF_CORE_READ(other, __sk_common.skc_net.net, ns.inum), bits = 0;
	if (peer_net != e->ns[BHW_NS_NET])
		bits |= BHW_PEER_OTHER_NET;
	if (peer_net == host_ns[BHW_NS_NET])
		bits |= BHW_PEER_HOST_NET;
	if (ino_nr && bpf_map_lookup_elem(&runtime_socks, &ino_nr))
		bits |= BHW_PEER_RUNTIME;
	e->a[3] = bits;
	e->a[0] = (__u64)-1;
	struct unix_address *addr = BPF_CORE_READ(u, addr);
	char *path = addr ? (char *)addr + bpf_core_field_offset(struct unix_address, name) + 2 : NULL;
	char first = 0;
	if (path)
		bpf_probe_read_kernel(&first, 1, path);
	if (first) {
		bpf_probe_read_kernel_str(e->s[0], 109, path);
	} else if (path) { /* abstract socket: shown with a leading '@' */
		e->s[0][0] = '@';
		bpf_probe_read_kernel_str(&e->s[0][1], 108, path + 1);
	}
	submit(e);
	return 0;
}

static __always_inline int h_unix_connect(struct sock *other)
{
	int f = gate();
	if (f < 0)
		return 0;
	return unix_peer_event(other, f);
}

SEC("lsm/unix_stream_connect")
int BPF_PROG(lsm_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk)
{
	h_unix_connect(other);
	return 0;
}

SEC("fentry/security_unix_stream_connect")
int BPF_PROG(fe_unix_connect, struct sock *sock, struct sock *other, struct sock *newsk)
{
	return h_unix_connect(other);
}

/* Access to another process that needs attach rights: ptrace attach, process_vm_readv/writev,
 * /proc/<pid>/mem and /proc/<pid>/task/<tid>/mem, pidfd_getfd. Read-mode checks (ps, /proc/<pid>/stat) are
 * left out in the kernel. */
#define PTRACE_MODE_ATTACH 0x02

static __always_inline int h_ptrace_access(struct task_struct *child, unsigned int mode)
{
	if (!(mode & PTRACE_MODE_ATTACH))
		return 0;
	struct task_struct *t = bpf_get_current_task_btf();
	if (child->tgid == t->tgid)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_PROC_ACCESS, f, BHW_SZ_S0);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	e->a[0] = mode;
	e->a[1] = child->tgid;
	__u32 ns[BHW_NS_MAX];
	read_ns(child, ns);
	e->a[2] = host_mask_of(ns);
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	e->a[3] = regs ? BPF_CORE_READ(regs, orig_ax) : (__u64)-1;
	bpf_probe_read_kernel_str(e->s[0], BHW_COMM, child->comm);
	submit(e);
	return 0;
}

SEC("lsm/ptrace_access_check")
int BPF_PROG(lsm_ptrace_access, struct task_struct *child, unsigned int mode)
{
	h_ptrace_access(child, mode);
	return 0;
}

SEC("fentry/security_ptrace_access_check")
int BPF_PROG(fe_ptrace_access, struct task_struct *child, unsigned int mode)
{
	return h_ptrace_access(child, mode);
}

/* Executable mappings of a memfd or an unlinked file: `ld.so /proc/self/fd/N` runs a memfd without execve
 * of it (the loader mmaps it PROT_EXEC). Shared-memory files are the only ones looked at further. */
#define PROT_EXEC 0x4
#define TMPFS_MAGIC 0x01021994
#define HUGETLBFS_MAGIC 0x958458f6

static __always_inline int h_mmap_file(struct file *file, unsigned long prot)
{
	if (!file || !(prot & PROT_EXEC))
		return 0;
	struct inode *ino = file->f_inode;
	unsigned long magic = ino->i_sb->s_magic;
	__u32 nlink = ino->__i_nlink;
	if (magic != TMPFS_MAGIC && magic != HUGETLBFS_MAGIC && nlink)
		return 0;
	const unsigned char *dname = file->f_path.dentry->d_name.name;
	char head[8] = {};
	bpf_probe_read_kernel_str(head, sizeof(head), dname);
	int memfd = head[0] == 'm' && head[1] == 'e' && head[2] == 'm' && head[3] == 'f' && head[4] == 'd' &&
		    head[5] == ':';
	if (!memfd && nlink)
		return 0;
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_MMAP_EXEC, f, BHW_SZ_S0);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	e->a[0] = prot;
	e->a[1] = nlink;
	e->a[2] = memfd;
	bpf_probe_read_kernel_str(e->s[0], BHW_STR, dname);
	submit(e);
	return 0;
}

SEC("lsm/mmap_file")
int BPF_PROG(lsm_mmap_file, struct file *file, unsigned long reqprot, unsigned long prot, unsigned long flags)
{
	h_mmap_file(file, prot);
	return 0;
}

SEC("fentry/security_mmap_file")
int BPF_PROG(fe_mmap_file, struct file *file, unsigned long prot, unsigned long flags)
{
	/* security_mmap_file(file, prot, flags): the caller's prot (reqprot of the LSM hook) */
	return h_mmap_file(file, prot);
}

/* A new user namespace, whichever call made it: unshare, clone, clone3 (CLONE_NEWUSER). */
static __always_inline int h_userns_create(void)
{
	int f = gate();
	if (f < 0)
		return 0;
	struct bhw_event *e = begin(BHW_EV_USERNS, f, BHW_SZ_NOSTR);
	if (!e)
		return 0;
	e->flags |= BHW_F_OBJECT;
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	e->a[0] = regs ? BPF_CORE_READ(regs, orig_ax) : (__u64)-1;
	submit(e);
	return 0;
}

SEC("lsm/userns_create")
int BPF_PROG(lsm_userns_create, const struct cred *cred)
{
	h_userns_create();
	return 0;
}

SEC("fentry/create_user_ns")
int BPF_PROG(fe_userns_create, struct cred *cred)
{
	return h_userns_create();
}
