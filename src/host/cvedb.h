/* The escape knowledge base (data/escape-cves.txt): loader, version matching, precondition evaluation.
 * The file is compiled into the binary (src/host/cvedata.c); a file given at run time replaces it. */
#ifndef BH_CVEDB_H
#define BH_CVEDB_H
#include <stddef.h>
#include <stdint.h>

#include "host/kver.h"
#include "rules/finding.h"
#include "util/arena.h"
#include "util/err.h"

#define BH_CVE_MAX_FIXED 16
#define BH_CVE_MAX_REFS 6
#define BH_CVE_MAX_DISTFIX 24

/* A distribution's own verdict for its package ("distfix" lines of the data file): the package version
 * that carries the fix (or "not-affected"), and the advisory that says so. */
struct bh_cve_distfix {
	const char *distro;   /* debian | ubuntu | rhel */
	const char *release;  /* "11", "20.04", "8" */
	const char *package;  /* source package: linux, kernel, runc, containerd … */
	const char *version;  /* dpkg / rpm version string, or "not-affected" */
	const char *ref;      /* DSA / USN / RHSA URL */
};

struct bh_cve {
	const char *id;          /* "CVE-2022-0847" */
	const char *component;   /* kernel | runc | containerd | cri-o | docker | kubelet */
	const char *name;
	const char *distro;      /* NULL = upstream code; "ubuntu" = that distribution's kernels only */
	const char *needs;       /* "cgroup_v1 no_lsm cap_sys_admin|userns" */
	const char *summary;
	enum bh_sev sev;
	int has_introduced;
	struct bh_ver introduced;
	struct bh_ver fixed[BH_CVE_MAX_FIXED];
	unsigned nfixed;
	const char *refs[BH_CVE_MAX_REFS];
	unsigned nrefs;
	struct bh_cve_distfix distfix[BH_CVE_MAX_DISTFIX];
	unsigned ndistfix;
	uint32_t line;           /* where the record starts in the data file */
};

struct bh_cvedb {
	struct bh_arena arena;
	struct bh_cve *v;
	size_t n;
};

/* Parses buf (not necessarily NUL-terminated). name is used in error messages. 0, or negative errno with err
 * naming the line. The db must be released even after an error. */
int bh_cvedb_load(struct bh_cvedb *db, const char *buf, size_t len, const char *name, struct bh_err *err);
/* The copy compiled into the binary. */
int bh_cvedb_load_builtin(struct bh_cvedb *db, struct bh_err *err);
void bh_cvedb_release(struct bh_cvedb *db);

enum bh_cve_match {
	BH_CVE_NOT_AFFECTED = 0,
	BH_CVE_AFFECTED,
	BH_CVE_MAYBE,   /* version in range, but the distribution may have back-ported the fix */
};

/* Kernel records only (component "kernel"); distro-only records match only that distribution. */
enum bh_cve_match bh_cve_match_kernel(const struct bh_cve *c, const struct bh_kernel *k);
/* Any component, an exact upstream version (runc 1.1.5, kubelet 1.28.3). */
enum bh_cve_match bh_cve_match_version(const struct bh_cve *c, const struct bh_ver *v);

/* Precondition probe: 1 holds, 0 does not, -1 unknown. */
typedef int (*bh_cve_probe_fn)(const char *token, void *ctx);
/* Evaluates c->needs: every space-separated term must hold; a term "a|b" holds when either does.
 * Returns 1 / 0 / -1 (unknown); why gets "userns=yes cap_net_admin=no" (may be NULL). */
int bh_cve_needs_eval(const struct bh_cve *c, bh_cve_probe_fn probe, void *ctx, char *why, size_t whylen);
enum bh_distfix_verdict {
	BH_DISTFIX_UNKNOWN = 0, /* no entry for this distribution release and branch */
	BH_DISTFIX_FIXED,       /* installed >= the distribution's fixed version */
	BH_DISTFIX_AFFECTED,    /* installed < the distribution's fixed version */
	BH_DISTFIX_NOT_AFFECTED,/* the distribution says its package never had the bug */
};
/* The distribution's verdict for an installed package version. distro/release from os-release ("debian",
 * "11"; a release "8.6" matches an entry "8"); package the source package name, or NULL for any; kernel
 * entries match only the installed version's X.Y branch. *which (may be NULL) gets the entry used. */
enum bh_distfix_verdict bh_cve_distfix(const struct bh_cve *c, const char *distro, const char *release,
				       const char *package, const char *installed, const struct bh_cve_distfix **which);

/* 1 when token is a precondition the data file may use. */
int bh_cve_token_known(const char *token, size_t len);

#endif
