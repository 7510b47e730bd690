/* `bulkhead inside`: what this container can really do to its node, seen from inside.
 *
 * Two steps, so that evaluation is testable on fixture trees: bh_inside_probe() collects facts from a root
 * directory (read-only: it changes nothing and runs no exploit); bh_inside_evaluate() turns facts into
 * findings using the rule rows of rules/inside.def (BH0400–BH0499). "Live" probes (opening devices,
 * connect() to sockets, access(W_OK), the user-namespace child) run only when the root is "/" of the
 * running process. */
#ifndef BH_INSIDE_H
#define BH_INSIDE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "host/cvedb.h"
#include "host/kver.h"
#include "rules/finding.h"
#include "util/err.h"

#define BH_INSIDE_MAX_ITEMS 32

enum bh_ns_kind { BH_NS_PID, BH_NS_NET, BH_NS_IPC, BH_NS_UTS, BH_NS_CGROUP, BH_NS_MNT, BH_NS_USER, BH_NS_N };

struct bh_inside_ns {
	unsigned long ino;   /* 0 = unknown */
	int host;            /* 1 shares the initial (host) namespace, 0 own namespace, -1 unknown */
	char evidence[240];
};

struct bh_inside_mount {
	char mountpoint[160];
	char root[160];      /* path inside the source filesystem (mountinfo field 4) */
	char fstype[24];
	char source[64];
	bool ro;
	int sensitive;       /* 0 no, 1 sensitive host path, 2 the host's root directory */
	bool socket;         /* the mount is a unix socket */
};

struct bh_inside_socket {
	char path[160];
	char how[48];        /* "known path", "bind mount", "abstract" */
	int answers;         /* 1 connect() succeeded, 0 refused/failed, -1 not tried */
	char detail[64];
};

struct bh_inside_dev {
	char path[300];
	char type;           /* 'b' block, 'c' char (/dev/mem-like) */
	unsigned major, minor;
	int openable;        /* 1 open(O_RDONLY) succeeded, 0 no, -1 not tried */
	int err;             /* errno of the failed open */
};

struct bh_inside_cgroup {
	char mountpoint[160];
	char controllers[64];
	bool ro;
	int release_agent;   /* 1 visible, 0 not */
	int writable;        /* release_agent: 1 writable, 0 no, -1 unknown */
};

struct bh_inside {
	const char *root;    /* "/" or the fixture directory */
	bool live;
	/* identity */
	bool in_container;
	char runtime[32];            /* docker, containerd, cri-o, podman, kubernetes, lxc, unknown, none */
	char runtime_evidence[200];
	char container_id[80];
	char hostname[72];
	bool kubernetes;
	char mount_hint[160];        /* runtime state path seen in mountinfo */
	/* credentials */
	int uid, euid, gid;          /* -1 unknown */
	char uid_map[96];
	int in_userns;               /* 1 mapped user namespace, 0 initial, -1 unknown */
	unsigned long host_uid_of_root; /* first uid_map line's host id when in_userns */
	/* capabilities */
	bool caps_known;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int cap_last;                /* /proc/sys/kernel/cap_last_cap, -1 unknown */
	int nnp, seccomp, seccomp_filters; /* -1 unknown */
	/* LSM */
	char lsm_label[128];
	int lsm_confined;            /* 1 confined (enforcing profile / SELinux container type), 0 unconfined/none, -1 unknown */
	char lsm_name[16];           /* apparmor, selinux, none */
	/* namespaces */
	struct bh_inside_ns ns[BH_NS_N];
	/* filesystem */
	int root_ro;                 /* -1 unknown */
	struct bh_inside_mount mounts[BH_INSIDE_MAX_ITEMS];
	size_t nmounts;
	struct bh_inside_socket sockets[BH_INSIDE_MAX_ITEMS];
	size_t nsockets;
	struct bh_inside_dev devs[BH_INSIDE_MAX_ITEMS];
	size_t ndevs;
	int proc_sys_writable;       /* 1/0/-1 */
	char proc_sys_evidence[400];
	int sysrq_writable;
	int sys_writable;
	int uevent_helper_writable;
	char sys_evidence[400];
	/* cgroups */
	int cgroup_v1;               /* the kernel has active cgroup v1 hierarchies / supports them: 1/0/-1 */
	char cgroup_evidence[160];
	struct bh_inside_cgroup cgroups[16];
	size_t ncgroups;
	/* user namespaces */
	int userns_create;           /* 1 a child could create one, 0 not, -1 not tested */
	char userns_evidence[160];
	/* kernel */
	bool kernel_known;
	struct bh_kernel kernel;
	/* Kubernetes */
	int sa_token;                /* 1 present */
	char sa_token_path[200];
	char sa_namespace[64];
};

struct bh_inside_opts {
	const char *root;            /* NULL = "/" (live) */
	bool no_userns_test;         /* skip the child that tries unshare(CLONE_NEWUSER) */
};

/* Fills facts. Missing files leave fields unknown; only a bad root is an error (-errno, err filled). */
int bh_inside_probe(const struct bh_inside_opts *o, struct bh_inside *facts, struct bh_err *err);

/* Appends one finding per open avenue (and info findings for mitigations seen). db may be NULL (no CVE
 * matching). Returns 0, or -ENOMEM when the findings list ran out of memory. */
int bh_inside_evaluate(const struct bh_inside *facts, const struct bh_cvedb *db, struct bh_findings *out);

/* Capability name by number ("CAP_SYS_ADMIN"), NULL beyond the known set. */
const char *bh_cap_name(unsigned cap);
/* The rule rows of `inside` (for `bulkhead rules` / `explain`). */
const struct bh_rule *bh_inside_rules(size_t *n);

#endif
