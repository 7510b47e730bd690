/* Internal to src/host/node*.c: the rule indices of `node` and their table (node_rules.c). */
#ifndef BH_HOST_NODE_INT_H
#define BH_HOST_NODE_INT_H
#include "rules/finding.h"

enum {
	R_KERNEL_CVE, R_RUNTIME_CVE, R_USERNS, R_BPF, R_IO_URING, R_INFO_LEAK, R_PTRACE, R_MODULES, R_FS_PROT,
	R_CGROUP_V1, R_NO_LSM, R_NO_SECCOMP, R_ANON, R_ALWAYS_ALLOW, R_RO_PORT, R_NO_CLIENT_CA, R_SECCOMP_DEFAULT,
	R_PKD, R_ROTATION, R_FILE_PERMS, R_RT_UNCONFINED, R_RT_UNPRIV_PORTS, R_UNREAD, R_MITIGATIONS, R_N
};

extern const struct bh_rule bh_node_rule_table[R_N];

#endif
