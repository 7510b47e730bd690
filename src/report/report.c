/* The reporter table (curl keeps its TLS and SSH backends the same way): a format is a row, and every
 * command that prints reports looks formats up here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

const struct bh_reporter bh_reporters[BH_FMT_COUNT] = {
	[BH_FMT_TEXT] = {"text", bh_report_text},
	[BH_FMT_JSON] = {"json", bh_report_json},
	[BH_FMT_SARIF] = {"sarif", bh_report_sarif},
	[BH_FMT_JUNIT] = {"junit", bh_report_junit},
	[BH_FMT_POLICYREPORT] = {"policyreport", bh_report_policyreport},
	[BH_FMT_COMPACT] = {"compact", bh_report_compact},
};

int bh_format_parse(const char *s)
{
	for (int i = 0; i < BH_FMT_COUNT; i++)
		if (!strcmp(s, bh_reporters[i].name))
			return i;
	return -1;
}

void bh_format_list(char *buf, size_t len, unsigned mask)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < BH_FMT_COUNT && o < len; i++)
		if (mask & (1u << i)) {
			int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", bh_reporters[i].name);
			if (w < 0)
				break;
			o += (size_t)w;
		}
}

int bh_report_write(FILE *out, int format, const struct bh_report *r)
{
	if (format < 0 || format >= BH_FMT_COUNT)
		format = BH_FMT_TEXT;
	return bh_reporters[format].write(out, r);
}

void bh_report_pos(FILE *out, const char *file, uint32_t line, uint32_t col)
{
	fputs(file ? file : "-", out);
	if (line)
		fprintf(out, ":%u", line);
	if (line && col)
		fprintf(out, ":%u", col);
}

void bh_report_diags(FILE *out, const struct bh_report *r)
{
	for (size_t i = 0; i < r->nerrors + r->nwarnings; i++) {
		const struct bh_input_error *d = i < r->nerrors ? &r->errors[i] : &r->warnings[i - r->nerrors];
		bh_report_pos(out, d->file, d->line, d->col);
		fprintf(out, ": %s: %s\n", i < r->nerrors ? "error" : "warning", d->message);
	}
}

struct rule_count {
	const struct bh_rule *rule;
	enum bh_sev sev;
	size_t n;
};

static int cmp_count(const void *x, const void *y)
{
	const struct rule_count *a = x, *b = y;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->rule->id, b->rule->id);
}

void bh_report_rule_table(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0, nr = 0;
	struct rule_count *c = calloc(n ? n : 1, sizeof(*c));
	if (!c)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct bh_finding *f = &r->findings->v[i];
		if (f->suppressed || !f->rule)
			continue;
		size_t k = 0; /* rules x severities are few: a linear search is enough */
		while (k < nr && (c[k].rule != f->rule || c[k].sev != f->sev))
			k++;
		if (k == nr)
			c[nr++] = (struct rule_count){f->rule, f->sev, 0};
		c[k].n++;
	}
	qsort(c, nr, sizeof(*c), cmp_count);
	fprintf(out, "findings by rule:\n");
	for (size_t k = 0; k < nr; k++)
		fprintf(out, "%6zu  %-8s  %s  %s\n", c[k].n, bh_sev_name(c[k].sev), c[k].rule->id, c[k].rule->name);
	if (!nr)
		fputs("     0\n", out);
	free(c);
}

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (h ^ 0xff) * 1099511628211ull; /* a separator no string holds: ("ab","c") != ("a","bc") */
}

void bh_finding_fingerprint(const struct bh_finding *f, char out[17])
{
	const char *file = f->obj.file;
	while (file && file[0] == '.' && file[1] == '/')
		file += 2;
	uint64_t h = 1469598103934665603ull;
	h = fnv(h, f->rule ? f->rule->id : NULL);
	h = fnv(h, file);
	h = fnv(h, f->obj.kind);
	h = fnv(h, f->obj.namespace);
	h = fnv(h, f->obj.name);
	h = fnv(h, f->container);
	h = fnv(h, f->field);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}
