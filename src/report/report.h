/* Reporters: they print, they never decide. One struct carries what any job hands them. */
#ifndef BH_REPORT_H
#define BH_REPORT_H
#include <stdio.h>

#include "rules/finding.h"
#include "util/diagnostic.h"
#include "util/json.h"

struct bh_report {
	const char *command;            /* "scan", "inside", … */
	struct bh_findings *findings;   /* may be NULL */
	struct bh_input_error *errors;  /* input problems (file:line:col) */
	size_t nerrors;
	struct bh_input_error *warnings;
	size_t nwarnings;
	size_t files, objects;
	const struct bh_objref *objlist; /* every object evaluated, in input order (junit, policyreport) */
	size_t nobjlist;
	bool show_suppressed;
	bool color;                     /* text only: ANSI colours */
	bool summary_only;              /* text only: just the summary line (--quiet) */
	bool rule_summary;              /* text only: the per-rule table before the summary line (--summary) */
	bool diags_shown;               /* text, compact: the errors and warnings are already on stderr */
	const char *default_namespace;  /* policyreport: for namespaced objects without one (NULL: "default") */
	/* json only: a command's own top-level members, written after "summary" (node's "node", netpol's
	 * "netpol"). The callback writes each as bh_json_member(out, "key") and then the value. */
	void (*json_members)(FILE *out, const void *ctx);
	const void *json_ctx;
};

enum bh_format { BH_FMT_TEXT = 0, BH_FMT_JSON, BH_FMT_SARIF, BH_FMT_JUNIT, BH_FMT_POLICYREPORT, BH_FMT_COMPACT,
		 BH_FMT_COUNT };

/* The reporters, by name (indexed by enum bh_format): the one list of output formats. */
struct bh_reporter {
	const char *name;
	int (*write)(FILE *out, const struct bh_report *r);
};
extern const struct bh_reporter bh_reporters[BH_FMT_COUNT];
int bh_format_parse(const char *s); /* enum bh_format, or -1 if unknown */
/* "text, json, …" for the formats in mask (bit 1 << enum bh_format), for usage messages */
void bh_format_list(char *buf, size_t len, unsigned mask);
#define BH_FMT_ALL ((1u << BH_FMT_COUNT) - 1)
#define BH_FMT_TEXT_JSON ((1u << BH_FMT_TEXT) | (1u << BH_FMT_JSON))

int bh_report_text(FILE *out, const struct bh_report *r);
int bh_report_json(FILE *out, const struct bh_report *r);
int bh_report_sarif(FILE *out, const struct bh_report *r);
int bh_report_junit(FILE *out, const struct bh_report *r);
int bh_report_policyreport(FILE *out, const struct bh_report *r);
int bh_report_compact(FILE *out, const struct bh_report *r);
/* The text reporter's one-line summary ("N files, N objects: N critical, …"), e.g. on stderr when the
 * report goes to a file. */
void bh_report_summary(FILE *out, const struct bh_report *r);
/* Findings per rule (unsuppressed), worst severity first, then most frequent: "count severity id name". */
void bh_report_rule_table(FILE *out, const struct bh_report *r);
/* The input errors and warnings as `file:line:col: error: message` lines. */
void bh_report_diags(FILE *out, const struct bh_report *r);
/* A position as editors and problem matchers take it: "file:line:col", "file:line" when the column is
 * unknown, "file" when the line is (0 = unknown; a NULL file prints "-"). */
void bh_report_pos(FILE *out, const char *file, uint32_t line, uint32_t col);
/* Writes r with the reporter of format (enum bh_format; text when out of range). */
int bh_report_write(FILE *out, int format, const struct bh_report *r);

/* A finding's stable identity, 16 lower-case hex digits: FNV-1a 64 of its rule id, file (without a
 * leading "./"), object kind, namespace and name, container and field — not of its line, so that it
 * survives edits above it. JSON "fingerprint", SARIF partialFingerprints "bulkhead/v1", --baseline. */
void bh_finding_fingerprint(const struct bh_finding *f, char out[17]);

/* JSON strings: bh_json_str, bh_json_strn (util/json.h) */
/* One finding as a JSON object in the documented shape (docs/schema/findings.schema.json). */
void bh_json_finding(FILE *out, const struct bh_finding *f);
/* `, "key": ` — the start of one more top-level member, for bh_report.json_members */
void bh_json_member(FILE *out, const char *key);

#endif
