/* The bulkhead config file (YAML; documented in docs/config.md with an example), one loader for every
 * section: rules to disable, severity overrides, trusted registries, exemptions with a required reason and
 * an optional expiry, extra pod-template paths for CRDs, the admission webhook's actions, and the sections
 * of rule areas with their own commands (watch:). Unknown keys are errors with line:col in every section.
 * The annotation `bulkhead.io/ignore: "BH0001,BH0002 reason text"` on an object exempts it too. Which file
 * a command uses is bh_config_discover's answer (--config, $BULKHEAD_CONFIG, .bulkhead.yaml). */
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

/* A position in the config file, for errors found after loading (e.g. rule ids of an area whose table
 * lives above config/, such as watch). */
struct bh_cfg_ref {
	const char *s;
	uint32_t line, col;
};

/* One exemption model for every area (top-level `exemptions:` for manifests and admission, `watch.allow:`,
 * and the same shape for the coming node/cluster/audit sections): a required reason, an optional expiry,
 * and selectors. Which selector keys an area accepts is in config.c (an unknown key is an error).
 * An expired exemption has no effect and is reported as a warning naming file:line. */
struct bh_exemption {
	const char **rules;   /* ids or names (`rules: [..]` or `rule: X`); NULL/0 = every rule */
	size_t nrules;
	const char *namespace, *name, *kind; /* shell-style globs (fnmatch); NULL = any */
	const char **label_keys, **label_vals;
	size_t nlabels;
	const char *service_account; /* serve: the requesting service account, "namespace/name" glob */
	const char *exe, *comm, *container; /* watch: process path (prefix with a trailing '*'), comm,
	                                       container id prefix */
	const char *user, *group; /* audit: the requesting user (or the impersonated one) and any of its groups (globs) */
	const char *field, *node; /* node: the finding's field (a CVE id, a sysctl, a kubelet setting) and the node's
	                             name (globs) */
	const char *reason;   /* required */
	time_t expires;       /* 0 = never; an exemption expires at the end of its day (UTC) */
	const char *expires_text;
	unsigned line;        /* where it is in the config file */
	unsigned col;
	uint32_t rules_line, rules_col; /* where its rules are (checked later for areas above config/) */
};

/* The settings of one rule area's own section (today `watch:`): rules to disable, severity overrides,
 * exemptions. Rule ids are kept with their position: the area's layer checks them. */
struct bh_area_config {
	bool present;
	struct bh_cfg_ref *disabled;
	size_t ndisabled;
	struct bh_cfg_ref *sev_rule;
	enum bh_sev *sev_value;
	size_t nsev;
	struct bh_exemption *exemptions; /* watch: the `allow:` list */
	size_t nexemptions;
};

/* imageSignatures: the public keys (PEM files) an image's signature must verify with, per repository
 * ("HOST/REPOSITORY", a glob: "registry.example.com/team/ followed by a star"); read by bulkhead image --verify. */
struct bh_image_keys {
	const char *repository;
	const char **keys;
	size_t nkeys;
	bool on_error_warn;     /* onError: warn (the image could not be verified: a warning, not a denial) */
};

struct bh_config {
	const char *file;
	bool empty;             /* the file held no document (empty or comments only): built-in defaults */
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
	bool serve_honor_ignore; /* serve.honorIgnoreAnnotation (default false): whoever writes an object also
	                            writes its annotations, so a cluster may refuse self-exemption at admission */
	size_t nexempt_users, nexempt_groups, nexempt_namespaces;
	struct bh_image_keys *image_keys; /* imageSignatures */
	size_t nimage_keys;
	bool serve_verify_images;          /* serve.verifyImages: signatures checked at admission */
	unsigned serve_verify_timeout_ms;  /* serve.imageVerifyTimeoutMs (default 500) */
	struct bh_area_config watch; /* the `watch:` section, read by bulkhead watch (src/watch/config.c) */
	struct bh_area_config audit; /* the `audit:` section (rule ids checked here: audit rules only) */
	struct bh_area_config node;  /* the `node:` section (node rules only; allow by rules) */
	uint8_t *rule_state; /* per row of bh_rules: a severity override, BH_SEV_NONE + 1 (none) or 0xff (disabled) */
	void *priv; /* owned memory */
};

/* Built-in defaults (no file). */
const struct bh_config *bh_config_default(void);
/* Loads and validates path. Errors (unknown keys in any section, an exemption without a reason, a bad date
 * or severity) fill err with line:col and return a negative errno (-EINVAL for content, -ENOENT etc. for
 * the file); *out is then NULL. On success *out is set and the return value is
 *   0                a config was read;
 *   BH_CONFIG_EMPTY  the file holds no document (empty or comments only): *out is the built-in defaults
 *                    with ->empty set. A caller that must not silently fall back to defaults (serve on
 *                    reload: a half-written file) refuses it. */
#define BH_CONFIG_EMPTY 1
int bh_config_load(const char *path, struct bh_config **out, struct bh_err *err);
/* The same from a buffer (copied); name is used as the file name. */
int bh_config_parse(const char *name, const char *buf, size_t len, struct bh_config **out, struct bh_err *err);
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

/* The same with every knob in one place; user is the requesting user at admission ("system:serviceaccount:
 * NS:NAME" for a service account), for exemptions with a serviceAccount selector; NULL elsewhere (such
 * exemptions then never match). */
struct bh_apply_opts {
	time_t now;
	bh_config_note_cb note;
	void *ctx;
	unsigned flags;
	const char *user;
};
void bh_config_apply_opts(const struct bh_config *c, const struct bh_object *o, struct bh_findings *f, size_t first,
			  const struct bh_apply_opts *opt);

/* The warning for an expired exemption: "exemption at FILE:LINE expired on DATE and no longer applies
 * (reason was: …)". */
void bh_config_expired_msg(const struct bh_config *c, const struct bh_exemption *x, char *buf, size_t size);
/* Calls cb for every exemption of area exemptions[0..n) that has expired at now; returns how many. Commands
 * that do not see the objects an exemption would match (watch) report these at start. */
typedef void (*bh_config_expired_cb)(const struct bh_config *c, const struct bh_exemption *x, void *ctx);
size_t bh_config_each_expired(const struct bh_config *c, const struct bh_exemption *x, size_t n, time_t now,
			      bh_config_expired_cb cb, void *ctx);

/* Config discovery, first match wins:
 *   1. explicit (--config FILE);            4. .bulkhead.yaml at the git repository root: the nearest
 *   2. $BULKHEAD_CONFIG (when not empty);      directory upward from the working directory that holds
 *   3. .bulkhead.yaml in the working dir;      .git (a directory, or a file in a worktree).
 * 1 and 2 are returned as given, without checking that they exist: loading a missing file the user named
 * is an error (exit 2). 3 and 4 are returned only when the file exists. path gets the file ("" for none). */
enum bh_config_source { BH_CONFIG_NONE = 0, BH_CONFIG_OPTION, BH_CONFIG_ENV, BH_CONFIG_CWD, BH_CONFIG_REPO };
enum bh_config_source bh_config_discover(const char *explicit_path, char *path, size_t size);
/* "--config", "$BULKHEAD_CONFIG", "working directory", "repository root", "none" */
const char *bh_config_source_name(enum bh_config_source s);

bool bh_config_rule_disabled(const struct bh_config *c, const struct bh_rule *r);
/* An area section (watch:, audit:) for rule r: disabled there; the severity it gives (sev when none). */
bool bh_area_rule_disabled(const struct bh_area_config *ac, const struct bh_rule *r);
enum bh_sev bh_area_severity(const struct bh_area_config *ac, const struct bh_rule *r, enum bh_sev sev);
/* whether exemption x of an area section names rule r (no rules: every rule) */
bool bh_exemption_names_rule(const struct bh_exemption *x, const struct bh_rule *r);
/* Applies an area section (node:) to findings: disabled ones are dropped, severities replaced, those an
 * unexpired allow entry selects (its rules, field and node globs against the finding's field and object
 * name) are suppressed with its reason. */
void bh_area_apply(const struct bh_config *c, const struct bh_area_config *ac, struct bh_findings *fs, time_t now);
bool bh_config_trusted_registry(const struct bh_config *c, const char *image);
enum bh_action bh_config_action(const struct bh_config *c, enum bh_sev s);
/* serve: is this request's user (or one of its groups, or its namespace) exempt? Also true when an
 * unexpired exemption for every rule selects the user's service account (and the namespace, if it names one). */
bool bh_config_exempt_request(const struct bh_config *c, const char *user, const char *const *groups, size_t ngroups,
			      const char *namespace);

#endif
