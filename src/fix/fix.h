/* bulkhead fix: safe mechanical fixes of pod security settings, written as minimal textual edits of the
 * source bytes (positions from the decoder), or as kustomize strategic-merge patches for rendered input.
 *
 * Two steps. The plan (plan.c) reads each pod view and decides, per field, the value to write, or why the
 * field is left alone (the workload needs it: a CNI's hostNetwork, a CSI driver's privileged). The writer
 * (edit.c) applies the plan to the source lines: a scalar value is replaced in place, missing keys are
 * inserted as new lines at the mapping's own indentation; every line it does not name is copied unchanged.
 * What it cannot edit without rewriting (flow style, anchors and merge keys, quoted values, duplicate or
 * case-variant keys, JSON insertions) is reported as "not fixed" with the reason. */
#ifndef BH_FIX_H
#define BH_FIX_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

enum bh_fix_level { BH_FIX_BASELINE = 0, BH_FIX_RESTRICTED = 1 };

/* One line of the report: a field fixed, or not fixed and why (with the exemption to write instead). */
struct bh_fix_note {
	bool fixed;
	const char *rule;      /* "BH0027" */
	const char *object;    /* "Deployment demo/web" */
	const char *field;     /* "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation" */
	const char *value;     /* what was written ("false"), NULL when not fixed */
	const char *why;       /* not fixed: the reason */
	const char *exemption; /* not fixed because the workload needs it: a config snippet, else NULL */
	uint32_t line, col;    /* where the field (or its closest existing parent) is */
};

/* A replacement of old lines [line, line + ndel) (0-based) by text (whole lines with their ends). */
struct bh_fix_edit {
	uint32_t line, ndel;
	const char *text;
	size_t len;
	uint32_t indent; /* insertions at one line: the deeper block first (it ends the mapping above) */
	uint32_t seq;    /* order of creation: remaining ties keep it */
};

struct bh_fix_result {
	struct bh_arena a; /* every string below */
	struct bh_fix_note *notes;
	size_t nnotes, capnotes;
	struct bh_fix_edit *edits;
	size_t nedits, capedits;
	char *patch;       /* --patch: the strategic-merge patches (YAML stream), malloc'ed */
	size_t patchlen, patchcap;
	char *out;         /* the fixed bytes (bh_fix_apply), malloc'ed */
	size_t outlen;
	uint32_t objects, errors;
	char errmsg[320];  /* first decode error: "file:line:col: error: message" */
};

/* fix --profile: the evidence `bulkhead watch --profile --format json` recorded (src/fix/profile.c) */
#define BH_FIX_PROFILE_CAPS 64
struct bh_fix_profile {
	const char *localhost;                /* seccompProfile.localhostProfile */
	const char *caps[BH_FIX_PROFILE_CAPS]; /* capabilities used ("CHOWN"): capabilities.add */
	uint32_t ncaps;
	const char *container;                /* the container it applies to (--profile-container), or NULL */
};

struct bh_fix_opts {
	enum bh_fix_level level;
	bool patch; /* plan only and render patches: no text edits */
	const struct bh_fix_profile *profile; /* fix --profile, or NULL */
};

struct bh_err;
/* Reads a watch --profile JSON summary into p (strings in a). 0, or <0 with err (line and column). */
int bh_fix_profile_load(struct bh_fix_profile *p, struct bh_arena *a, const char *file, const char *buf,
			size_t len, struct bh_err *err);

/* Plans and (unless opts->patch) edits one input. 0, or <0 when out of memory. Decode errors are counted in
 * r->errors (the first in r->errmsg); the other documents are still fixed. */
int bh_fix_buffer(struct bh_fix_result *r, const struct bh_fix_opts *opts, const char *file, const char *buf,
		  size_t len);
/* Applies r's edits to buf into r->out. 0 or -ENOMEM. */
int bh_fix_apply(struct bh_fix_result *r, const char *buf, size_t len);
/* A unified diff of buf against r->out (labels a/NAME, b/NAME), 3 lines of context; malloc'ed, NUL-ended. */
char *bh_fix_diff(const struct bh_fix_result *r, const char *name, const char *buf, size_t len);
void bh_fix_init(struct bh_fix_result *r);
void bh_fix_release(struct bh_fix_result *r);

/* ---- inside src/fix/ ---- */
struct bh_pod;
struct bh_doc;
struct fx_pend;
/* pending values for one mapping: a tree of keys */
struct fx_pend {
	const char *key;
	const char *scalar;   /* key: scalar */
	struct fx_pend *kids; /* key: (mapping of kids) */
	const char **items;   /* key: sequence; append these scalar items */
	uint32_t nitems;
	struct fx_pend **mitems; /* key: sequence; append these mappings */
	uint32_t nmitems;
	const char *rule, *field; /* the note this value answers */
	struct fx_pend *next;
};
enum fx_base { FX_POD = 0, FX_CONTAINER, FX_MOUNT };
struct fx_target {
	enum fx_base kind;
	uint32_t ci, mi;              /* container index in the view, mount index in the container */
	const struct bh_node *map;    /* the mapping the keys go into */
	struct fx_pend *root;
	struct fx_target *next;
};
struct fx_ctx {
	struct bh_fix_result *r;
	const struct bh_fix_opts *o;
	const struct bh_doc *doc;
	const struct bh_pod *p;
	const char *buf;
	size_t len;
	const char *objname;
	struct fx_target *targets;
	uint32_t step; /* indentation step of the document */
	const size_t *ls; /* offsets of line starts in buf; nls lines */
	uint32_t nls;
	int oom;
};
int fx_note(struct fx_ctx *x, bool fixed, const char *rule, const char *field, const char *value, const char *why,
	    const char *exemption, uint32_t line, uint32_t col);
int fx_plan_pod(struct fx_ctx *x);
struct bh_container;
/* fix --profile for container c (plan.c calls it for every regular container) */
int fx_plan_profile(struct fx_ctx *x, const struct bh_container *c);
/* plan.c's helpers, shared with profile.c */
int fx_want(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *value, const char *rule);
int fx_refuse(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *rule,
	      const struct bh_node *at, const char *why);
struct fx_pend *fx_pend_at(struct fx_ctx *x, const struct bh_container *c, const char *path);
int fx_edit_targets(struct fx_ctx *x);
int fx_patch_targets(struct fx_ctx *x);
int fx_add_edit(struct bh_fix_result *r, uint32_t line, uint32_t ndel, uint32_t indent, const char *text,
		size_t len);
/* the order edits are applied in (line, insertions before a replaced line, deeper first, creation) */
int fx_edit_cmp(const void *a, const void *b);

#endif
