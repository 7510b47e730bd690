/* Pod Security Standards exactly as Pod Security Admission (PSA) decides them: the 19 checks of
 * kubernetes/pod-security-admission policy/check_*.go with their version gates, restricted overrides,
 * the Windows exemption (v1.25+) and the user-namespace relaxation (hostUsers: false, v1.35+).
 * Reasons and details are PSA's own wording, so `bulkhead pss` output reads like the API server's
 * "violates PodSecurity" message. Evaluation is pure: no printing, strings go to the arena it is handed. */
#ifndef BH_PSS_H
#define BH_PSS_H
#include <stdbool.h>
#include <stdint.h>

#include "objects/objects.h"
#include "rules/finding.h"

enum bh_pss_level { BH_PSS_PRIVILEGED = 0, BH_PSS_BASELINE, BH_PSS_RESTRICTED };

#define BH_PSS_MAX_MINOR 37 /* newest MinimumVersion of any check: "latest" */
#define BH_PSS_LATEST (-1)
#define BH_PSS_NCHECKS 19

struct bh_pss_ctx;
struct bh_pss_out;

/* One row per PSA check, in PSA's aggregation order (baseline ids sorted, then restricted ids sorted;
 * policy/registry.go populate()). */
struct bh_pss_check {
	const char *id;               /* PSA check id: "privileged", "capabilities_restricted", … */
	enum bh_pss_level level;
	const char *reason;           /* PSA ForbiddenReason (appArmorProfile pluralises it) */
	const char *rule_id;          /* its row in the rule registry (pss.def): "BH0100".."BH0118" */
	const char *overrides;        /* restricted only: the baseline check it replaces, or NULL */
	uint8_t nvariants;
	uint8_t min_minor[5];         /* MinimumVersion (1.x) of each variant, increasing */
	bool (*fn)(struct bh_pss_ctx *x, struct bh_pss_out *o); /* reads x->minor for the variant */
};

extern const struct bh_pss_check bh_pss_checks[BH_PSS_NCHECKS];

/* Where a violation sits: full field path in the object's own layout, container name (NULL: pod
 * level), and the node for file:line:col. */
struct bh_pss_site {
	const char *field;
	const char *container;
	const struct bh_node *at;
};

struct bh_pss_violation {
	const struct bh_pss_check *check;
	const char *reason, *detail;  /* PSA wording; "reason (detail)" is PSA's aggregated form */
	struct bh_pss_site *sites;
	uint32_t nsites;
};

struct bh_pss_result {
	enum bh_pss_level level;
	int minor;                    /* effective minor version evaluated (latest resolved) */
	bool allowed;
	uint32_t n;
	struct bh_pss_violation v[BH_PSS_NCHECKS];
};

/* Evaluates pod at level and version 1.minor (BH_PSS_LATEST = newest; versions newer than the newest
 * check are evaluated as the newest, like PSA). Strings and sites are allocated in a.
 * Returns 0, or -ENOMEM (result then incomplete). Privileged level: always allowed. */
int bh_pss_eval(const struct bh_pod *p, enum bh_pss_level level, int minor, struct bh_arena *a,
		struct bh_pss_result *out);

/* "baseline" → BH_PSS_BASELINE …; -1 when unknown */
int bh_pss_level_parse(const char *s);
const char *bh_pss_level_name(enum bh_pss_level l);
/* "latest" → BH_PSS_LATEST, "v1.N" → N; -EINVAL when malformed */
int bh_pss_version_parse(const char *s, int *minor);
/* The minor version evaluated for a requested one (latest and newer → BH_PSS_MAX_MINOR). */
int bh_pss_effective_minor(int minor);
/* PSA's data, for rules that share it: the baseline capability allow-list (exact names, which is also the
 * runtimes' default set) and the safe sysctls of version 1.minor. */
bool bh_pss_cap_allowed(const char *cap);
bool bh_pss_sysctl_safe(const char *name, int minor);

/* By PSA id, case-insensitively (fixture file names are lower-case); NULL if unknown. */
const struct bh_pss_check *bh_pss_check_find(const char *id);
/* Is check c evaluated at level/minor? (its level applies, a variant exists, not overridden) */
bool bh_pss_check_active(const struct bh_pss_check *c, enum bh_pss_level level, int minor);
/* The check that evaluates c's concern at level/minor: c itself, the restricted check overriding it,
 * or NULL when neither is active. */
const struct bh_pss_check *bh_pss_check_effective(const struct bh_pss_check *c, enum bh_pss_level level, int minor);
/* Index of the variant used at minor, -1 if none. */
int bh_pss_variant(const struct bh_pss_check *c, int minor);

#endif
