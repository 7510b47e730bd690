/* Reporters: they print, they never decide. One struct carries what any job hands them. */
#ifndef BH_REPORT_H
#define BH_REPORT_H
#include <stdio.h>

#include "../rules/finding.h"

struct bh_input_error {
	const char *file;
	uint32_t line, col;
	const char *message;
};

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
};

enum bh_format { BH_FMT_TEXT = 0, BH_FMT_JSON, BH_FMT_SARIF, BH_FMT_JUNIT, BH_FMT_POLICYREPORT };
int bh_format_parse(const char *s); /* -1 if unknown */

int bh_report_text(FILE *out, const struct bh_report *r);
int bh_report_json(FILE *out, const struct bh_report *r);
int bh_report_sarif(FILE *out, const struct bh_report *r);
int bh_report_junit(FILE *out, const struct bh_report *r);
int bh_report_policyreport(FILE *out, const struct bh_report *r);
/* Dispatches on format (enum bh_format). */
int bh_report_write(FILE *out, int format, const struct bh_report *r);

/* JSON helpers shared by every JSON writer in the project */
void bh_json_str(FILE *out, const char *s);           /* quoted, escaped, or null */
void bh_json_strn(FILE *out, const char *s, size_t n);
/* One finding as a JSON object in the documented shape (docs/schema/findings.schema.json). */
void bh_json_finding(FILE *out, const struct bh_finding *f);

#endif
