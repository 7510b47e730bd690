/* The one finding shape shared by every job (scan, pss, serve, inside, node, watch, audit) and the rule
 * metadata row every rule carries. Reporters (src/report/) print these; rules only append them. */
#ifndef BH_FINDING_H
#define BH_FINDING_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "objects/objects.h"
#include "registry.h"
#include "util/arena.h"

enum bh_sev { BH_SEV_INFO = 0, BH_SEV_LOW, BH_SEV_MEDIUM, BH_SEV_HIGH, BH_SEV_CRITICAL, BH_SEV_NONE };
const char *bh_sev_name(enum bh_sev s);
/* "critical".."info", "none"; returns -1 when unknown */
int bh_sev_parse(const char *s);

struct bh_pod;
struct bh_findings;

struct bh_rule_ctx;

/* One row of the rule registry (registry.def: every area's rules, one definition each). Manifest rules
 * have check set; host rules (inside, node, watch…) leave it NULL and emit through their own code with the
 * row as metadata. */
struct bh_rule {
	const char *id;          /* "BH0001": stable, never reused */
	const char *name;        /* "privileged-container" */
	enum bh_sev sev;         /* default severity (DESIGN §4 rubric) */
	const char *title;
	const char *technique;   /* MITRE ATT&CK, e.g. "T1611" */
	const char *pss_level;   /* "baseline" / "restricted" / NULL */
	const char *pss_check;   /* PSA check id, e.g. "privileged" / NULL */
	const char *remediation;
	const char *references;  /* space-separated URLs */
	void (*check)(const struct bh_rule *self, const struct bh_rule_ctx *ctx, struct bh_findings *out);
	/* `bulkhead explain`, in four parts: "What:", "Why it leads to escape:", "How it is exploited:" and
	 * "Fix:" (fix, or the remediation when fix is NULL, then the snippet: YAML indented by 4 spaces). */
	const char *what, *why, *how, *fix, *snippet;
};

/* The registry: BH_RULES_COUNT rows, area by area (registry.h gives the constants). The first bh_nrules rows
 * are the manifest and PSS rules that scan, pss and serve evaluate; bh_areas[] gives every area's slice. */
extern const struct bh_rule bh_rules[BH_RULES_COUNT];
extern const size_t bh_nrules;
/* The rows of an area (a slice of bh_rules) and their number. */
const struct bh_rule *bh_area_rows(enum bh_area a, size_t *n);
/* The area of a row of bh_rules (BH_AREA_N for a row outside the registry). */
enum bh_area bh_rule_area(const struct bh_rule *r);
/* The explanation text of a row (the four parts above), snprintf-style: returns the length it needs. */
size_t bh_rule_explain(const struct bh_rule *r, char *buf, size_t size);

struct bh_finding {
	const struct bh_rule *rule;
	enum bh_sev sev;
	const char *message;
	const char *container; /* NULL: pod/object level */
	const char *field;     /* field path in the object's own layout, or NULL */
	const char *evidence;  /* host-facing jobs: what was observed; NULL for manifests */
	struct bh_objref obj;  /* strings owned by the findings arena */
	uint32_t line, col;    /* location of the field (0 if unknown) */
	const char *pss_level, *pss_check; /* set when the finding is a PSS violation */
	bool suppressed;
	const char *suppress_reason;
	uint32_t more;         /* further findings of the same rule folded into this one (per_rule cap) */
};

/* A growing list of findings whose strings live in one arena. */
struct bh_findings {
	struct bh_arena *a;
	struct bh_finding *v;
	size_t n, cap;
	struct bh_objref cur;   /* object being evaluated: copied into each new finding */
	size_t max;             /* hard cap on n (0 = none); extra findings are counted in dropped */
	size_t dropped;
	int oom;                /* an allocation failed */
	/* per_rule (0 = none): at most this many findings in a row from one rule; the rest are counted in
	 * the last one's `more` (and in folded), so a flood of one low finding cannot crowd out others */
	size_t per_rule, folded;
	const struct bh_rule *run_rule;
	size_t run_n;
};

/* A finding's message is cut at this many bytes (including the NUL). Callers that format long strings into
 * it pass them with a precision (%.*s) of this size, so formatting costs no more than the message keeps. */
#define BH_FINDING_MSG_MAX 1024

void bh_findings_init(struct bh_findings *f, struct bh_arena *a);
void bh_findings_release(struct bh_findings *f);
/* Appends a finding; message is printf-style; strings are copied into f->a. Returns the finding or NULL. */
struct bh_finding *bh_emit(struct bh_findings *f, const struct bh_rule *rule, enum bh_sev sev,
			   const char *container, const char *field, uint32_t line, uint32_t col,
			   const char *fmt, ...) __attribute__((format(printf, 8, 9)));

#endif
