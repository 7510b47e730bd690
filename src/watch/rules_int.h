/* Internal to src/watch/: rule indexes and the per-event classifier. */
#ifndef BH_WATCH_RULES_INT_H
#define BH_WATCH_RULES_INT_H
#include "../rules/finding.h"
#include "watch.h"

enum {
	BHW_R_MEMFD_EXEC, BHW_R_HOST_DEV_MOUNT, BHW_R_CGROUP_MOUNT, BHW_R_MOUNT, BHW_R_RELEASE_AGENT,
	BHW_R_NOTIFY_ON_RELEASE, BHW_R_CORE_PATTERN, BHW_R_PROC_SYS, BHW_R_SYSRQ, BHW_R_SYS_KERNEL,
	BHW_R_KMEM, BHW_R_BLOCK_DEV, BHW_R_HOST_NS_ENTRY, BHW_R_SETNS, BHW_R_UNSHARE, BHW_R_PTRACE,
	BHW_R_MODULE, BHW_R_BPF, BHW_R_RUNTIME_SOCKET, BHW_R_PIVOT_CHROOT, BHW_R_USERFAULTFD,
	BHW_R_OPEN_BY_HANDLE, BHW_R_FOREIGN_WRITE, BHW_R_FOREIGN_READ, BHW_R_HOST_FILE_WRITE,
	BHW_R_HOST_SECRET_READ, BHW_R_BINFMT, BHW_R_HOST_SOCKET,
	BHW_R_MAX
};

struct bhw_hit {
	int rule;          /* BHW_R_* */
	enum bh_sev sev;
	char message[320];
};

/* Up to max rule hits for one event (0 when it matches nothing). */
int bhw_classify(const struct bhw_event *ev, struct bhw_hit *h, int max);
const struct bh_rule *bhw_rule_at(int idx);

#endif
