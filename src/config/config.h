/* The bulkhead config file (--config FILE, YAML; documented in docs/config.md with an example):
 * rules to disable, severity overrides, trusted registries, exemptions with a required reason and an
 * optional expiry, extra pod-template paths for CRDs, and the admission webhook's actions. The
 * annotation `bulkhead.io/ignore: "BH0001,BH0002 reason text"` on an object exempts it too. */
#ifndef BH_CONFIG_H
#define BH_CONFIG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "objects/objects.h"
#include "rules/finding.h"
#include "util/err.h"

enum bh_action { BH_ACT_NONE = 0, BH_ACT_AUDIT, BH_ACT_WARN, BH_ACT_DENY };
const char *bh_action_name(enum bh_action a);

struct bh_exemption {
	const char **rules;   /* ids or names; NULL/0 = every rule */
	size_t nrules;
	const char *namespace, *name, *kind; /* shell-style globs (fnmatch); NULL = any */
	const char **label_keys, **label_vals;
	size_t nlabels;
	const char *reason;   /* required */
	time_t expires;       /* 0 = never; an exemption expires at the end of its day (UTC) */
	const char *expires_text;
	unsigned line;        /* where it is in the config file */
};

struct bh_config {
	const char *file;
	const char **disabled;  /* rule ids or names */
	size_t ndisabled;
	const char **sev_rule;  /* severity overrides: rule id/name → severity */
	enum bh_sev *sev_value;
	size_t nsev;
	const char **registries; /* trusted image registries ("registry.example.com", "ghcr.io/acme") */
	size_t nregistries;
	struct bh_exemption *exemptions;
	size_t nexemptions;
	struct bh_podpath *podpaths; /* CRDs with pod templates (podTemplatePaths) */
	size_t npodpaths;
	/* serve */
	enum bh_action actions[BH_SEV_NONE]; /* by severity: default critical,high → deny; medium → warn; low → audit */
	const char **exempt_users, **exempt_groups, **exempt_namespaces; /* globs */
	bool serve_honor_ignore; /* serve.honorIgnoreAnnotation (default true): whoever writes an object also
	                            writes its annotations, so a cluster may refuse self-exemption at admission */
	size_t nexempt_users, nexempt_groups, nexempt_namespaces;
	uint8_t *rule_state; /* per row of bh_rules: a severity override, BH_SEV_NONE + 1 (none) or 0xff (disabled) */
	void *priv; /* owned memory */
};

/* Built-in defaults (no file). */
const struct bh_config *bh_config_default(void);
/* Loads and validates path. Errors (unknown keys, an exemption without a reason, a bad date or severity)
 * fill err with line:col and return -EINVAL; the config is then not usable. */
int bh_config_load(const char *path, struct bh_config **out, struct bh_err *err);
void bh_config_free(struct bh_config *c);

/* Applies the config to findings[first..n) of one object: drops disabled rules, overrides severities,
 * marks suppressed findings (exemptions, the bulkhead.io/ignore annotation) with their reason.
 * Expired exemptions that would have matched do not suppress and are reported through note (once per
 * exemption and object), as is an ignore annotation without a reason. now = time(NULL) normally; tests
 * pass a fixed time. */
typedef void (*bh_config_note_cb)(const struct bh_object *o, const char *msg, void *ctx);
void bh_config_apply(const struct bh_config *c, const struct bh_object *o, struct bh_findings *f, size_t first,
		     time_t now, bh_config_note_cb note, void *ctx);
/* The same; with BH_APPLY_NO_ANNOTATION the bulkhead.io/ignore annotation is not honoured. */
#define BH_APPLY_NO_ANNOTATION 0x1
void bh_config_apply_flags(const struct bh_config *c, const struct bh_object *o, struct bh_findings *f, size_t first,
			   time_t now, bh_config_note_cb note, void *ctx, unsigned flags);

bool bh_config_rule_disabled(const struct bh_config *c, const struct bh_rule *r);
bool bh_config_trusted_registry(const struct bh_config *c, const char *image);
enum bh_action bh_config_action(const struct bh_config *c, enum bh_sev s);
/* serve: is this request's user (or one of its groups, or its namespace) exempt? */
bool bh_config_exempt_request(const struct bh_config *c, const char *user, const char *const *groups, size_t ngroups,
			      const char *namespace);

#endif
