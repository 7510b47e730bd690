/* `bulkhead node`: is this node open to known escapes — kernel, runtimes, LSM, sysctls, kubelet.
 *
 * Like `inside`, two steps so that evaluation runs on fixture trees: bh_node_probe() reads facts through a
 * root directory (the host's / mounted at /host in a DaemonSet, or / itself; read-only: it opens files and,
 * only when the root is "/", runs `runtime --version` with a clean environment and a time limit);
 * bh_node_evaluate() turns facts into findings (rules BH0600–BH0649 in node_rules.c). Everything that could
 * not be read is recorded in `unread`, and the report says so. */
#ifndef BH_HOST_NODE_H
#define BH_HOST_NODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "host/cvedb.h"
#include "host/kver.h"
#include "rules/finding.h"
#include "util/err.h"

#define BH_NODE_MAX_UNREAD 24
#define BH_NODE_MAX_KERNELS 8

/* the escape-relevant sysctls, in the order of bh_node_sysctl_names[] */
enum bh_node_sysctl {
	BH_SC_USERNS_CLONE, BH_SC_MAX_USERNS, BH_SC_UNPRIV_BPF, BH_SC_IO_URING, BH_SC_KPTR, BH_SC_PERF,
	BH_SC_PTRACE, BH_SC_DMESG, BH_SC_MODULES, BH_SC_PROT_SYMLINKS, BH_SC_PROT_HARDLINKS, BH_SC_PROT_FIFOS,
	BH_SC_PROT_REGULAR, BH_SC_N
};
extern const char *const bh_node_sysctl_names[BH_SC_N];

enum bh_node_rt { BH_RT_RUNC, BH_RT_CRUN, BH_RT_CONTAINERD, BH_RT_CRIO, BH_RT_DOCKER, BH_RT_KUBELET, BH_RT_N };

struct bh_node_runtime {
	const char *name;          /* "runc", … (component name of the CVE data) */
	char path[160];            /* executable found under the root, or "" */
	char version[64];          /* upstream version ("1.1.5"), or "" */
	char raw[160];             /* first line of `--version`, or the package's version */
	char pkg[48], pkg_version[96]; /* distribution package and its version, or "" */
	char from[48];             /* "--version", "dpkg status", … */
};

/* tri-state settings: 1 yes, 0 no, -1 not known */
struct bh_node_kubelet {
	bool found;                /* a kubelet process or config file was seen */
	char config[200];          /* config file path (as given; read under the root) */
	char cmdline_from[48];     /* "/proc/1234/cmdline", "--kubelet-flags", or "" */
	char flags[1024];          /* the command line (arguments joined by spaces) */
	int anonymous;             /* authentication.anonymous.enabled / --anonymous-auth */
	int webhook_authn;         /* authentication.webhook.enabled */
	char client_ca[200];       /* authentication.x509.clientCAFile */
	char authz_mode[32];       /* authorization.mode / --authorization-mode */
	long read_only_port;       /* readOnlyPort / --read-only-port; -1 unknown */
	int seccomp_default, protect_kernel_defaults, rotate_certs, server_tls_bootstrap;
	int rotate_server_gate;    /* featureGates RotateKubeletServerCertificate: 1/0/-1 (unset) */
	char feature_gates[300];
	char where[7][80];         /* where each setting came from (default / file:line / flag) */
	/* file permissions (CIS 4.1.x): mode, owner, 0 when unknown */
	struct bh_node_file { char path[200]; unsigned mode; long uid, gid; const char *cis; } files[4];
	size_t nfiles;
	char config_error[240];    /* the config could not be decoded: file:line:col message */
	unsigned config_error_line, config_error_col;
	char config_error_msg[200];
};

struct bh_node_runtime_cfg {
	char containerd_path[160];
	int containerd_unpriv_ports; /* enable_unprivileged_ports: 1/0/-1 */
	int containerd_unpriv_icmp;
	char snapshotter[32];
	int containerd_no_apparmor;  /* disable_apparmor = true */
	int containerd_unset_seccomp;/* unset_seccomp_profile set to a value */
	char crio_path[160];
	char crio_seccomp[160];      /* seccomp_profile */
	char crio_apparmor[64];      /* apparmor_profile */
	int crio_drops_net_raw;      /* default_capabilities without NET_RAW: 1/0/-1 */
	char docker_path[160];
	char docker_seccomp[160];    /* daemon.json seccomp-profile */
	int docker_userns;           /* userns-remap set */
};

struct bh_nodefacts {
	const char *root;
	bool live;                   /* root is "/": /proc is this host's and binaries may be run */
	bool as_root;                /* euid 0 */
	char hostname[72];
	/* os-release */
	char os_id[32], os_like[64], os_version_id[32], os_pretty[128];
	char distro[16];             /* debian | ubuntu | rhel | other */
	/* kernel */
	bool kernel_known;
	struct bh_kernel kernel;
	char kernel_pkg[96], kernel_pkg_version[96], kernel_pkg_from[80];
	char kernels_installed[BH_NODE_MAX_KERNELS][96]; /* names under /usr/lib/modules */
	size_t nkernels;
	bool kernel_config;          /* /boot/config-RELEASE present */
	char kernel_pkgs[BH_NODE_MAX_KERNELS][2][96]; /* dpkg: installed linux-image-* packages and versions */
	size_t nkernel_pkgs;
	/* sysctls: value text, "" when absent */
	char sysctl[BH_SC_N][24];
	bool sysctl_present[BH_SC_N];
	/* cgroups */
	int cgroup_v1;               /* v1 hierarchies mounted or listed as enabled: 1/0/-1 */
	int cgroup_v2;
	char cgroup_evidence[240];
	/* LSM */
	char lsm_list[128];          /* /sys/kernel/security/lsm */
	int apparmor;                /* enabled: 1/0/-1 */
	int apparmor_profiles, apparmor_enforce; /* counts, -1 unknown */
	int selinux;                 /* enabled: 1/0/-1 */
	int selinux_enforcing;       /* 1/0/-1 */
	int seccomp;                 /* the kernel supports seccomp filters: 1/0/-1 */
	char seccomp_evidence[120];
	/* runtimes and kubelet */
	struct bh_node_runtime rt[BH_RT_N];
	struct bh_node_runtime_cfg rtcfg;
	struct bh_node_kubelet kubelet;
	/* what could not be read, one line each */
	char unread[BH_NODE_MAX_UNREAD][256];
	size_t nunread;
};

struct bh_node_opts {
	const char *root;            /* NULL = "/" */
	const char *kubelet_config;  /* --kubelet-config FILE (under the root), or NULL */
	const char *kubelet_flags;   /* --kubelet-flags "…" instead of a process's command line, or NULL */
	bool no_exec;                /* never run `--version` */
};

/* Fills facts. Only a bad root is an error (-errno, err filled). */
int bh_node_probe(const struct bh_node_opts *o, struct bh_nodefacts *n, struct bh_err *err);
/* Appends findings. db may be NULL. 0 or -ENOMEM. */
int bh_node_evaluate(const struct bh_nodefacts *n, const struct bh_cvedb *db, struct bh_findings *out);
/* The node facts as one JSON object (the "node" member of `node --format json`). */
void bh_node_json(FILE *out, const struct bh_nodefacts *n, const struct bh_cvedb *db);
/* The rule rows of `node` (for `bulkhead rules` / `explain`). */
const struct bh_rule *bh_node_rules(size_t *n);

/* internal, shared by node*.c */
void bh_node_unread(struct bh_nodefacts *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int bh_node_read(const struct bh_nodefacts *n, const char *path, char *buf, size_t len); /* 0 / -errno */
/* path under the root into buf ("/host/etc/…"; the path itself when the root is "/") */
const char *bh_node_path(const struct bh_nodefacts *n, const char *path, char *buf, size_t len);
void bh_node_probe_kubelet(const struct bh_node_opts *o, struct bh_nodefacts *n);
void bh_node_probe_runtimes(const struct bh_node_opts *o, struct bh_nodefacts *n);
/* The kernel CVE's verdict on this node: 0 not affected/fixed, 1 affected, 2 in range (maybe); why filled. */
int bh_node_kernel_cve(const struct bh_nodefacts *n, const struct bh_cve *c, char *why, size_t len);
int bh_node_runtime_cve(const struct bh_nodefacts *n, const struct bh_node_runtime *r, const struct bh_cve *c,
			char *why, size_t len);

#endif
