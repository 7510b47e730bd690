/* Version numbers of kernels and runtimes, and what a kernel release string says about its distribution.
 *
 * A distribution kernel's release string often does not carry the upstream stable level: Debian's
 * "5.10.0-28-amd64" and RHEL's "4.18.0-513.el8.x86_64" keep ".0" and count their own builds, and all of them
 * back-port fixes. Comparisons therefore say how much the version can be trusted (exact, backports). */
#ifndef BH_KVER_H
#define BH_KVER_H
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

/* "5.10.0-28", "1.0.0-rc93", "1.4.0-rc.3", "6.8-rc2", "18.09.2" */
struct bh_ver {
	unsigned n[3];  /* major.minor.patch; missing parts are 0 */
	unsigned pre;   /* release candidate number (-rcN, -rc.N); 0 = a release. Sorts before the release */
	unsigned abi;   /* numeric build/ABI after '-' ("28" in 5.10.0-28-amd64); 0 = none */
};

/* Parses a version at the start of s. Returns 0 and sets *end (may be NULL) past what was read, or -EINVAL. */
int bh_ver_parse(const char *s, struct bh_ver *v, const char **end);
/* <0, 0, >0 on major.minor.patch then pre-release (release > any rc); abi is ignored. */
int bh_ver_cmp(const struct bh_ver *a, const struct bh_ver *b);
/* The same, then abi (for distribution-specific fixed versions such as Ubuntu "6.2.0-26"). */
int bh_ver_cmp_abi(const struct bh_ver *a, const struct bh_ver *b);
/* Same major.minor (stable branch). */
bool bh_ver_same_branch(const struct bh_ver *a, const struct bh_ver *b);
/* "5.10.102", "1.0.0-rc93", "6.2.0-26" into buf. */
const char *bh_ver_str(const struct bh_ver *v, char *buf, size_t len);

enum bh_distro {
	BH_DISTRO_UPSTREAM = 0, /* no distribution recognised: the release is taken as the upstream level */
	BH_DISTRO_DEBIAN,
	BH_DISTRO_UBUNTU,
	BH_DISTRO_RHEL,         /* RHEL and rebuilds (CentOS, Rocky, Alma): ".elN" */
	BH_DISTRO_ORACLE_UEK,
	BH_DISTRO_AMAZON,
	BH_DISTRO_SUSE,
	BH_DISTRO_FEDORA,
	BH_DISTRO_FLATCAR,
	BH_DISTRO_COS,          /* Container-Optimized OS: "5.15.133+" */
};
const char *bh_distro_name(enum bh_distro d);
/* Where to confirm whether a distribution kernel carries the fix for cve (one line, no newline). */
const char *bh_distro_confirm(enum bh_distro d, const char *cve, char *buf, size_t len);

struct bh_kernel {
	char release[128];      /* uname -r */
	struct bh_ver ver;      /* upstream level as far as known */
	struct bh_ver rel;      /* the version as spelled in the release (distribution ABI kept) */
	enum bh_distro distro;
	char flavour[48];       /* "amd64", "cloud-amd64", "aws", "el8.x86_64" … */
	bool exact;             /* ver.n[2] is a real upstream stable level (a lower bound of the fixes present) */
	bool backports;         /* the vendor back-ports fixes, so a lower level may still be fixed */
	char upstream_from[64]; /* where an upstream level beyond the release string came from, or "" */
};

/* release: uname -r (required). proc_version: contents of /proc/version and version_signature: contents of
 * /proc/version_signature (Ubuntu), both optional (NULL), used to recognise the distribution and its real
 * upstream level ("Debian 5.10.209-2", "Ubuntu 5.15.0-91.101-generic 5.15.131"). 0 or -EINVAL (err filled). */
int bh_kernel_parse(struct bh_kernel *k, const char *release, const char *proc_version,
		    const char *version_signature, struct bh_err *err);

#endif
