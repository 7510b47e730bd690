// SPDX-License-Identifier: GPL-2.0
/* watch --profile: which syscalls and capabilities one container really uses.
 *
 * The container is one cgroup v2 (its id, the inode number of its directory, in the `cfg` map, written by
 * user space as soon as the cgroup exists); bpf_get_current_cgroup_id() filters in the kernel. Within it only
 * *armed* tasks count: a task is armed by an exec while its mount namespace is not the host's (the
 * container's entrypoint, or a `kubectl exec` command), and its children inherit that at fork. So the
 * runtime's own set-up in the container's cgroup (runc init: mount, pivot_root, sethostname, setns, capset)
 * is counted as `unarmed`, never put into the profile: the runtime makes those calls before the seccomp
 * filter is loaded (see profile_out.c for the calls made after it).
 *
 * Nothing goes through a ring buffer: each syscall entry sets one bit in a bitmap (read, then an atomic OR
 * only when the bit is new), each capability check sets bits in three 64-bit masks. User space reads the
 * target's map value at the end. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "profile.h"

char LICENSE[] SEC("license") = "GPL";

const volatile __u32 host_mnt = 0; /* the host's mount namespace inode */

/* per cgroup id: the target's once it is known; before that (watch started first, the container's cgroup
 * does not exist yet) every container cgroup with armed tasks gets one, so the target's start-up is kept
 * from its first exec on, whenever user space finds the cgroup */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, BHP_PENDING_CGROUPS);
	__type(key, __u64);
	__type(value, struct bhp_state);
} state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); /* a zeroed value to create entries from (too big for the stack) */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bhp_state);
} zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bhp_cfg);
} cfg SEC(".maps");

/* armed tasks (tid) */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH); /* while the target is pending it holds other containers' tasks */
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} armed SEC(".maps");

#define TS_COMPAT_X86 0x0002 /* arch/x86/include/asm/thread_info.h: a 32-bit syscall is active */
#define X32_SYSCALL_BIT 0x40000000

/* The state to count into for the current task, or NULL: its cgroup is not the target (any cgroup while
 * the target is pending and armed is set), or the task is not armed and the target is pending. */
static __always_inline struct bhp_state *target_state(int *is_armed)
{
	__u32 z = 0;
	struct bhp_cfg *c = bpf_map_lookup_elem(&cfg, &z);
	__u64 cg = bpf_get_current_cgroup_id();
	if (!c || (c->cgroup_id && cg != c->cgroup_id))
		return 0;
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	*is_armed = bpf_map_lookup_elem(&armed, &tid) != 0;
	if (!*is_armed && !c->cgroup_id)
		return 0;
	struct bhp_state *s = bpf_map_lookup_elem(&state, &cg);
	if (s)
		return s;
	struct bhp_state *zv = bpf_map_lookup_elem(&zero, &z);
	if (!zv)
		return 0;
	bpf_map_update_elem(&state, &cg, zv, BPF_NOEXIST);
	return bpf_map_lookup_elem(&state, &cg);
}

static __always_inline int compat_syscall(void)
{
#ifdef __TARGET_ARCH_x86
	struct task_struct *t = bpf_get_current_task_btf();
	if (bpf_core_field_exists(t->thread_info.status))
		return (BPF_CORE_READ(t, thread_info.status) & TS_COMPAT_X86) != 0;
#endif
	return 0; /* other architectures: compat calls land in the native bitmap (documented) */
}

static __always_inline void set_bit(__u64 *words, __u64 nr)
{
	__u64 bit = 1ull << (nr & 63);
	__u64 *w = &words[(nr >> 6) & (BHP_WORDS - 1)];
	if (!(*w & bit))
		__sync_fetch_and_or(w, bit);
}

SEC("tp_btf/sys_enter")
int BPF_PROG(prof_sys_enter, struct pt_regs *regs, long id)
{
	int is_armed = 0;
	struct bhp_state *s = target_state(&is_armed);
	if (!s)
		return 0;
	if (!is_armed) {
		__sync_fetch_and_add(&s->unarmed, 1);
		return 0;
	}
	__sync_fetch_and_add(&s->syscalls, 1);
	if (id < 0)
		return 0;
	if (id & X32_SYSCALL_BIT) {
		__sync_fetch_and_add(&s->x32, 1);
		__sync_fetch_and_add(&s->out_of_range, 1);
		return 0;
	}
	if (id >= BHP_NR_BITS) {
		__sync_fetch_and_add(&s->out_of_range, 1);
		return 0;
	}
	set_bit(compat_syscall() ? s->sys32 : s->sys64, (__u64)id);
	return 0;
}

/* cap_capable fires for every check, granted or not, including the "noaudit" probes the kernel makes on
 * its own (e.g. CAP_SYS_ADMIN for a higher limit); `granted` is what the task held and used. */
SEC("tp_btf/cap_capable")
int BPF_PROG(prof_cap, const struct cred *cred, struct user_namespace *targ_ns,
	     const struct user_namespace *capable_ns, int cap, int ret)
{
	int is_armed = 0;
	if (cap < 0 || cap > 63)
		return 0;
	struct bhp_state *s = target_state(&is_armed);
	if (!s || !is_armed)
		return 0;
	__u64 bit = 1ull << cap;
	if (!(s->cap_checked & bit))
		__sync_fetch_and_or(&s->cap_checked, bit);
	__u64 *m = ret == 0 ? &s->cap_granted : &s->cap_denied;
	if (!(*m & bit))
		__sync_fetch_and_or(m, bit);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(prof_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	__u32 z = 0;
	struct bhp_cfg *c = bpf_map_lookup_elem(&cfg, &z);
	/* before the target's cgroup exists (watch started first) every container exec is armed: the
	 * container's first exec may come before user space has seen its cgroup appear */
	if (!c || (c->cgroup_id && bpf_get_current_cgroup_id() != c->cgroup_id))
		return 0;
	if (BPF_CORE_READ(p, nsproxy, mnt_ns, ns.inum) == host_mnt)
		return 0; /* the runtime's own exec (runc init) before it enters the container */
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u8 one = 1;
	if (bpf_map_update_elem(&armed, &tid, &one, BPF_ANY)) {
		int is_armed;
		struct bhp_state *s = target_state(&is_armed);
		if (s)
			__sync_fetch_and_add(&s->tasks_full, 1);
	}
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(prof_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptid = BPF_CORE_READ(parent, pid);
	if (!bpf_map_lookup_elem(&armed, &ptid))
		return 0;
	__u32 ctid = BPF_CORE_READ(child, pid);
	__u8 one = 1;
	if (bpf_map_update_elem(&armed, &ctid, &one, BPF_ANY)) {
		int is_armed;
		struct bhp_state *s = target_state(&is_armed);
		if (s)
			__sync_fetch_and_add(&s->tasks_full, 1);
	}
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(prof_exit, struct task_struct *p)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	bpf_map_delete_elem(&armed, &tid);
	return 0;
}
