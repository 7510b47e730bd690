/* The event the sensor (watch.bpf.c) sends to user space through the ring buffer, and that --record writes
 * and --replay reads back. Shared by BPF C and C11: fixed-width types, no pointers, no padding holes.
 * Change BHW_EVENT_VERSION whenever the layout changes: recorded files carry it. */
#ifndef BH_WATCH_H
#define BH_WATCH_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BHW_EVENT_VERSION 2
#define BHW_COMM 16
#define BHW_CHAIN 4      /* ancestors recorded with each event */
#define BHW_STR 256      /* each of the three string slots */
#define BHW_CGNAME 128   /* cgroup directory names (leaf and parent): "cri-containerd-<64 hex>.scope" is 85 */
#define BHW_PATH_COMPS 16 /* open events: path components, leaf first, in s[0..1] as 16 x 32 bytes */
#define BHW_COMP_LEN 32

enum bhw_type {
	BHW_EV_NONE = 0,
	BHW_EV_EXEC,        /* s0 filename, s1 argv (NUL-separated, a0 = bytes), a1 = flags BHW_EXEC_* */
	BHW_EV_EXIT,        /* a0 = exit code */
	BHW_EV_MOUNT,       /* s0 source, s1 target, s2 fstype, a0 flags */
	BHW_EV_UMOUNT,      /* s1 target, a0 flags */
	BHW_EV_FSOPEN,      /* s2 fstype */
	BHW_EV_FSMOUNT,     /* a0 fs fd, a1 flags */
	BHW_EV_MOVE_MOUNT,  /* s1 target path, a0 from fd, a1 to fd */
	BHW_EV_SETNS,       /* a0 fd, a1 nstype, a2 host_mask before, a3 namespaces changed, ret; host_mask
			       is after the call */
	BHW_EV_UNSHARE,     /* a0 flags */
	BHW_EV_PTRACE,      /* a0 request, a1 target pid */
	BHW_EV_MODULE,      /* a0 = 0 init_module, 1 finit_module; a1 fd */
	BHW_EV_BPF,         /* a0 cmd, a1 prog type */
	BHW_EV_OPEN_WRITE,  /* s0..s1 path components (see BHW_PATH_COMPS), a0 sb magic, a1 i_mode, a2 rdev,
			       a3 open flags, ret fd; only for pseudo files and devices (see watch.bpf.c) */
	BHW_EV_CONNECT,     /* s0 AF_UNIX path ('@' first for abstract), a0 fd */
	BHW_EV_PIVOT_ROOT,  /* s0 new_root, s1 put_old */
	BHW_EV_CHROOT,      /* s0 path */
	BHW_EV_USERFAULTFD, /* a0 flags */
	BHW_EV_OPEN_BY_HANDLE, /* a0 mount fd, a1 flags */
	/* from the object hooks (BPF LSM or fentry on security_*; see watch.bpf.c), added in layout 2 */
	BHW_EV_MOUNT_PARAM, /* fs_context_parse_param (mount -o, fsconfig): s0 key, s1 string value, s2 fstype,
			       a0 fstype fs_flags, a1 value type, a2 i_mode of a file value, a3 its rdev */
	BHW_EV_SB_MOUNT,    /* a filesystem instance about to be attached (sb_kern_mount, move_mount): s0 source,
			       s2 fstype, a0 s_dev of its block device (0: none), a1 sb magic, a2 fs_flags,
			       a3 1 = move_mount (s1 target) */
	BHW_EV_PROC_ACCESS, /* ptrace_access_check: a0 mode, a1 target tgid, a2 target's host_mask, a3 syscall nr;
			       s0 target comm */
	BHW_EV_MMAP_EXEC,   /* executable mapping of a memfd or deleted file: s0 dentry name, a0 prot, a1 i_nlink */
	BHW_EV_USERNS,      /* userns_create: a0 syscall nr */
	BHW_EV_URING,       /* io_uring submission (tracepoint fallback): a0 opcode, a1 sqe flags */
	/* added without a layout change (version 2 recordings stay readable) */
	BHW_EV_KEYRING,     /* add_key/request_key/keyctl: a0 syscall nr, a1 keyctl operation (first argument) */
	BHW_EV_API_CONNECT, /* TCP connect to port 443/6443 after a foreign token read in the same cgroup: a0 port,
			       a1 family, a2 ns since the read, a3 IPv4 address (network order; 0 for IPv6) */
	BHW_EV_SPLICE,      /* read-only file spliced into a pipe that then got more data: a0 inode, a1 s_dev,
			       a2 bytes/buffers added after the splice, a3 BHW_SPLICE_*; s0 the file's name */
	BHW_EV_MAX
};

/* flags */
#define BHW_F_CONTAINER   0x1u  /* task descends from an exec inside non-host namespaces */
#define BHW_F_TRUNC_ARGS  0x2u
#define BHW_F_CHAIN_TRUNC 0x4u
#define BHW_F_FOREIGN_MNT 0x8u  /* open: the file's mount belongs to another mount namespace */
#define BHW_F_HOST_MNT    0x10u /*   ... to the host's (with BHW_F_FOREIGN_MNT) */
#define BHW_F_OBJECT      0x20u /* event from an object hook (LSM/fentry), not a syscall tracepoint */
#define BHW_F_SENSITIVE   0x40u /* open: the file lies under a host directory of the sensitive set (a1 >> 32 = class) */
#define BHW_F_MEMFD_OPEN  0x80u /* open: a memfd opened again by path (/proc/<pid>/fd/N), as a loader does */
#define BHW_F_SA_TOKEN    0x100u /* open: a "token" file on a tmpfs volume that is not the caller's own
				    serviceaccount mount; the path continues across the mountpoint */

/* a3 of BHW_EV_SPLICE */
#define BHW_SPLICE_URING     0x1u /* the splice was an io_uring IORING_OP_SPLICE */
#define BHW_SPLICE_MERGEABLE 0x2u /* the spliced page-cache buffer was left mergeable (a vulnerable kernel) */
#define BHW_SPLICE_EXIT      0x4u /* found at the process's exit (else at exec or its next splice) */

/* BHW_EV_CONNECT from unix_stream_connect (BHW_F_OBJECT): a1 peer socket inode, a2 peer s_dev,
 * a3 bit 0: the peer's network namespace differs from the caller's, bit 1: the peer's is the host's,
 * bit 2: the peer inode is a known runtime socket (set by user space from the inode table) */
#define BHW_PEER_OTHER_NET 0x1u
#define BHW_PEER_HOST_NET  0x2u
#define BHW_PEER_RUNTIME   0x4u

/* classes of the sensitive host directories (the `sensitive` map, user space fills it by inode) */
enum bhw_sens { BHW_SENS_NONE, BHW_SENS_CRON, BHW_SENS_SSH, BHW_SENS_KUBELET_PKI, BHW_SENS_SHADOW,
		BHW_SENS_SA_TOKENS, BHW_SENS_RUNTIME_SOCK, BHW_SENS_MAX };
struct sens_key {
	__u64 ino;
	__u32 dev; /* the kernel's s_dev (MKDEV: major << 20 | minor) */
	__u32 pad;
};

/* a1 of BHW_EV_EXEC */
#define BHW_EXEC_MEMFD    0x1u  /* executable is a memfd ("memfd:" dentry on an unlinked shmem inode) */
#define BHW_EXEC_UNLINKED 0x2u  /* executable file has no links left */

/* host_mask bits: the task shares this namespace with the host (init) */
enum bhw_ns { BHW_NS_MNT, BHW_NS_PID, BHW_NS_NET, BHW_NS_UTS, BHW_NS_IPC, BHW_NS_USER, BHW_NS_CGROUP,
	      BHW_NS_MAX };

struct bhw_ancestor {
	__u32 pid;
	char comm[BHW_COMM];
};

struct bhw_event {
	__u16 type;          /* enum bhw_type */
	__u16 version;       /* BHW_EVENT_VERSION */
	__u32 flags;         /* BHW_F_* */
	__u64 ts_ns;         /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 pid, tid, ppid;
	__u32 uid, gid, euid;
	__u64 cap_eff;       /* effective capability set */
	__u32 ns[BHW_NS_MAX];
	__u32 host_mask;     /* bit per enum bhw_ns */
	__u64 cgroup_id;
	__s64 ret;
	__u64 a[4];
	char comm[BHW_COMM];
	struct bhw_ancestor chain[BHW_CHAIN];
	char cgroup[2][BHW_CGNAME]; /* [0] leaf cgroup dir name, [1] its parent (pod UID lives there) */
	char s[3][BHW_STR];
};

/* Ring-buffer records may stop after the last string slot their type uses (the sensor reserves only that
 * much); the reader zero-fills the rest, so user space and recordings always see a whole struct bhw_event. */
#define BHW_SZ_NOSTR (sizeof(struct bhw_event) - 3 * BHW_STR) /* no string slot */
#define BHW_SZ_S0    (sizeof(struct bhw_event) - 2 * BHW_STR) /* s[0] */
#define BHW_SZ_S1    (sizeof(struct bhw_event) - BHW_STR)     /* s[0], s[1] */
#define BHW_SZ_S2    sizeof(struct bhw_event)

/* Kernel-side counters (per-CPU array, summed by user space). */
enum bhw_counter {
	BHW_C_SEEN = 0,   /* tracepoint hits that reached a decision */
	BHW_C_FILTERED,   /* dropped in the kernel: host namespaces, uninteresting file, own process */
	BHW_C_SENT,       /* written to the ring buffer */
	BHW_C_DROPPED,    /* ring buffer full */
	BHW_C_STATE_FULL, /* task table full: a container task could not be tracked */
	BHW_C_MAX
};

#endif
