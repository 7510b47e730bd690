/* Compact reporter: one line per finding, `file:line:col: SEVERITY RULE name: message`, the convention of
 * compilers and kube-linter that editors and CI problem matchers parse. Diagnostics and the summary line
 * go to standard error (the summary line is the command's to print), so that standard output holds nothing
 * but finding lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

static void upper(FILE *out, const char *s)
{
	for (; *s; s++)
		putc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, out);
}

/* the message on one line: control characters (newlines of a multi-line value) become spaces */
static void one_line(FILE *out, const char *s)
{
	for (; s && *s; s++)
		putc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

int bh_report_compact(FILE *out, const struct bh_report *r)
{
	if (!r->diags_shown)
		bh_report_diags(stderr, r);
	for (size_t i = 0; r->findings && i < r->findings->n; i++) {
		const struct bh_finding *f = &r->findings->v[i];
		if (f->suppressed && !r->show_suppressed)
			continue;
		/* a finding without its own position points at its object */
		bh_report_pos(out, f->obj.file, f->line ? f->line : f->obj.line, f->line ? f->col : f->obj.col);
		fputs(": ", out);
		upper(out, bh_sev_name(f->sev));
		fprintf(out, " %s %s: ", f->rule ? f->rule->id : "-", f->rule ? f->rule->name : "-");
		one_line(out, f->message);
		if (f->suppressed) {
			fputs(" (suppressed: ", out);
			one_line(out, f->suppress_reason ? f->suppress_reason : "");
			fputs(")", out);
		}
		putc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}
