/* watch --profile: what the profiler (profile.bpf.c) records for one container, shared by BPF C and C11.
 * One map value holds everything: a bitmap of the native syscall numbers entered, one of the 32-bit
 * (compat, int 0x80/sysenter) numbers, and per capability whether it was checked, granted and refused. */
#ifndef BH_WATCH_PROFILE_H
#define BH_WATCH_PROFILE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BHP_NR_BITS 1024 /* syscall numbers recorded: x86_64 ends at 467 today (unistd_64.h) */
#define BHP_WORDS (BHP_NR_BITS / 64)
#define BHP_PENDING_CGROUPS 1024 /* container cgroups followed while the target does not exist yet */

struct bhp_state {
	__u64 sys64[BHP_WORDS];  /* native ABI */
	__u64 sys32[BHP_WORDS];  /* 32-bit compat ABI (x86: TS_COMPAT set for the syscall) */
	__u64 cap_checked;       /* bit per capability number: cap_capable ran for it */
	__u64 cap_granted;       /*   ... and returned 0 (the task had it in the namespace asked about) */
	__u64 cap_denied;        /*   ... and returned an error */
	__u64 syscalls;          /* syscall entries counted (armed tasks of the target cgroup) */
	__u64 unarmed;           /* entries in the target cgroup before the task's exec (runtime set-up) */
	__u64 out_of_range;      /* numbers >= BHP_NR_BITS, and x32-ABI numbers (bit 30 set) */
	__u64 x32;               /* of those: x32 ABI */
	__u64 tasks_full;        /* task table full: a task could not be armed */
};

/* the `cfg` map: the target, written by user space once the cgroup exists; the `state` map holds one
 * struct bhp_state per cgroup id */
struct bhp_cfg {
	__u64 cgroup_id; /* cgroup v2 id (the inode number of its directory); 0 = nothing yet */
};

#endif
