/* JUnit XML for CI test reports: one testcase per object (classname = file, name = Kind namespace/name),
 * one <failure> per unsuppressed finding; suppressed ones are listed in <system-out>; input errors are
 * testcases with an <error>. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util/version.h"

static void xml(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&apos;", out); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputs("?", out); /* not representable in XML 1.0 */
			else
				putc(c, out);
		}
	}
}

static bool same(const struct bh_objref *a, const struct bh_objref *b)
{
	return a->line == b->line && a->col == b->col && a->file && b->file && !strcmp(a->file, b->file);
}

static void name(FILE *out, const struct bh_objref *o)
{
	xml(out, o->kind ? o->kind : "object");
	fputs(" ", out);
	if (o->namespace) {
		xml(out, o->namespace);
		fputs("/", out);
	}
	xml(out, o->name ? o->name : "(unnamed)");
}

int bh_report_junit(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	size_t failures = 0, failed_objs = 0;
	for (size_t i = 0; i < n; i++)
		failures += !f[i].suppressed;
	/* findings are in object order, objects in input order: walk both together */
	for (size_t o = 0, i = 0; o < r->nobjlist; o++) {
		bool bad = false;
		for (; i < n && same(&f[i].obj, &r->objlist[o]); i++)
			bad |= !f[i].suppressed;
		failed_objs += bad;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		     "<testsuites name=\"bulkhead %s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n"
		     " <testsuite name=\"bulkhead %s\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
		r->command ? r->command : "scan", r->nobjlist + r->nerrors, failed_objs, r->nerrors,
		r->command ? r->command : "scan", r->nobjlist + r->nerrors, failed_objs, r->nerrors);
	size_t i = 0;
	for (size_t o = 0; o < r->nobjlist; o++) {
		const struct bh_objref *ob = &r->objlist[o];
		fputs("  <testcase classname=\"", out);
		xml(out, ob->file ? ob->file : "-");
		fputs("\" name=\"", out);
		name(out, ob);
		fprintf(out, " (line %u)\">\n", ob->line);
		size_t start = i;
		for (; i < n && same(&f[i].obj, ob); i++) {
			if (f[i].suppressed)
				continue;
			fputs("   <failure type=\"", out);
			xml(out, f[i].rule->id);
			fputs("\" message=\"", out);
			xml(out, bh_sev_name(f[i].sev));
			fputs(": ", out);
			xml(out, f[i].rule->title);
			fputs("\">", out);
			bh_report_pos(out, f[i].obj.file, f[i].line, f[i].col);
			fputs(" ", out);
			xml(out, f[i].rule->name);
			fputs("\n", out);
			xml(out, f[i].message);
			if (f[i].field) {
				fputs("\nfield: ", out);
				xml(out, f[i].field);
			}
			if (f[i].rule->remediation) {
				fputs("\nfix: ", out);
				xml(out, f[i].rule->remediation);
			}
			fputs("</failure>\n", out);
		}
		bool sup = false;
		for (size_t k = start; k < i; k++)
			if (f[k].suppressed) {
				if (!sup)
					fputs("   <system-out>", out);
				sup = true;
				fputs("suppressed ", out);
				xml(out, f[k].rule->id);
				fputs(": ", out);
				xml(out, f[k].suppress_reason ? f[k].suppress_reason : "");
				fputs("\n", out);
			}
		if (sup)
			fputs("</system-out>\n", out);
		fputs("  </testcase>\n", out);
	}
	for (size_t e = 0; e < r->nerrors; e++) {
		fputs("  <testcase classname=\"", out);
		xml(out, r->errors[e].file ? r->errors[e].file : "-");
		fputs("\" name=\"input\">\n   <error type=\"input\" message=\"", out);
		xml(out, r->errors[e].message);
		fputs("\">", out);
		bh_report_pos(out, r->errors[e].file, r->errors[e].line, r->errors[e].col);
		fputs("</error>\n  </testcase>\n", out);
	}
	fputs(" </testsuite>\n</testsuites>\n", out);
	return ferror(out) ? -1 : 0;
}
