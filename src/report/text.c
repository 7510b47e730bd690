/* Text reporter: grouped by object, worst object first, findings worst first; colour on a terminal. */
#include <stdlib.h>
#include <string.h>

#include "report.h"

static const char *const sev_color[] = {"\033[2m", "\033[36m", "\033[33m", "\033[31m", "\033[1;31m", ""};

struct group {
	size_t start, n;
	enum bh_sev worst;
	size_t order;
};

static const struct bh_finding *g_f;

static bool same_obj(const struct bh_finding *a, const struct bh_finding *b)
{
	return a->obj.line == b->obj.line && a->obj.col == b->obj.col &&
	       (a->obj.file == b->obj.file || (a->obj.file && b->obj.file && !strcmp(a->obj.file, b->obj.file)));
}

static int cmp_group(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	if (a->worst != b->worst)
		return a->worst > b->worst ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int cmp_idx(const void *x, const void *y)
{
	const struct bh_finding *a = &g_f[*(const size_t *)x], *b = &g_f[*(const size_t *)y];
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	return *(const size_t *)x < *(const size_t *)y ? -1 : 1;
}

static void upper(FILE *out, const char *s)
{
	for (; *s; s++)
		putc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s, out);
}

/* Findings shown (idx), grouped by consecutive object (g); counts of the unsuppressed per severity.
 * Returns the number of groups. */
static size_t group(const struct bh_report *r, const struct bh_finding *f, size_t n, struct group *g, size_t *idx,
		    size_t *counts, size_t *suppressed)
{
	size_t ng = 0, k = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].suppressed) {
			++*suppressed;
			if (!r->show_suppressed)
				continue;
		} else
			counts[f[i].sev]++;
		if (!ng || !same_obj(&f[idx[g[ng - 1].start]], &f[i])) {
			g[ng] = (struct group){.start = k, .worst = BH_SEV_INFO, .order = ng};
			ng++;
		}
		idx[k++] = i;
		g[ng - 1].n++;
		if (f[i].sev > g[ng - 1].worst && !f[i].suppressed)
			g[ng - 1].worst = f[i].sev;
	}
	return ng;
}

static void print_finding(FILE *out, const struct bh_report *r, const struct bh_finding *x)
{
	const char *reset = r->color ? "\033[0m" : "";
	fputs("  ", out);
	if (r->color)
		fputs(sev_color[x->sev], out);
	upper(out, bh_sev_name(x->sev));
	fprintf(out, "%s %s %s", reset, x->rule ? x->rule->id : "-", x->rule ? x->rule->name : "-");
	if (x->suppressed)
		fprintf(out, " (suppressed: %s)", x->suppress_reason ? x->suppress_reason : "");
	if (x->line)
		fprintf(out, "  line %u", x->line);
	fprintf(out, "\n    %s\n", x->message);
	if (x->field)
		fprintf(out, "    field: %s\n", x->field);
	if (x->pss_check)
		fprintf(out, "    pss: %s/%s\n", x->pss_level, x->pss_check);
	if (x->evidence)
		fprintf(out, "    evidence: %s\n", x->evidence);
	if (x->rule && x->rule->remediation)
		fprintf(out, "    fix: %s\n", x->rule->remediation);
}

/* one object: its heading, then its findings worst first */
static void print_group(FILE *out, const struct bh_report *r, const struct bh_finding *f, size_t *idx)
{
	const char *reset = r->color ? "\033[0m" : "", *bold = r->color ? "\033[1m" : "";
	const struct bh_finding *h = &f[idx[0]];
	if (h->obj.file) /* host-facing jobs (inside, node) have no file */
		fprintf(out, "%s%s:%u%s  ", bold, h->obj.file, h->obj.line, reset);
	fprintf(out, "%s%s %s%s%s\n", h->obj.file ? "" : bold, h->obj.kind ? h->obj.kind : "(object)",
		h->obj.namespace ? h->obj.namespace : "", h->obj.namespace ? "/" : "", h->obj.name ? h->obj.name : "(unnamed)");
	if (!h->obj.file)
		fputs(reset, out);
}

static void print_summary(FILE *out, const struct bh_report *r, const size_t *counts, size_t suppressed)
{
	if (r->files || !r->command || !strcmp(r->command, "scan"))
		fprintf(out, "%zu file%s, ", r->files, r->files == 1 ? "" : "s");
	fprintf(out, "%zu object%s: %zu critical, %zu high, %zu medium, %zu low, %zu info", r->objects,
		r->objects == 1 ? "" : "s", counts[BH_SEV_CRITICAL], counts[BH_SEV_HIGH], counts[BH_SEV_MEDIUM],
		counts[BH_SEV_LOW], counts[BH_SEV_INFO]);
	if (suppressed)
		fprintf(out, " (%zu suppressed)", suppressed);
	if (r->nerrors)
		fprintf(out, "; %zu input error%s", r->nerrors, r->nerrors == 1 ? "" : "s");
	fputs("\n", out);
}

void bh_report_summary(FILE *out, const struct bh_report *r)
{
	size_t counts[BH_SEV_NONE] = {0}, suppressed = 0;
	for (size_t i = 0; r->findings && i < r->findings->n; i++) {
		const struct bh_finding *f = &r->findings->v[i];
		if (f->suppressed)
			suppressed++;
		else if (f->sev < BH_SEV_NONE)
			counts[f->sev]++;
	}
	print_summary(out, r, counts, suppressed);
}

int bh_report_text(FILE *out, const struct bh_report *r)
{
	if (!r->diags_shown)
		bh_report_diags(stderr, r);
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	struct group *g = calloc(n ? n : 1, sizeof(*g));
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx));
	if (!g || !idx) {
		free(g);
		free(idx);
		return -1;
	}
	size_t counts[BH_SEV_NONE] = {0}, suppressed = 0;
	size_t ng = group(r, f, n, g, idx, counts, &suppressed);
	qsort(g, ng, sizeof(*g), cmp_group);
	g_f = f;
	for (size_t gi = 0; gi < ng && !r->summary_only; gi++) {
		qsort(idx + g[gi].start, g[gi].n, sizeof(*idx), cmp_idx);
		print_group(out, r, f, idx + g[gi].start);
		for (size_t j = 0; j < g[gi].n; j++)
			print_finding(out, r, &f[idx[g[gi].start + j]]);
		fputs("\n", out);
	}
	if (r->rule_summary)
		bh_report_rule_table(out, r);
	print_summary(out, r, counts, suppressed);
	free(g);
	free(idx);
	return ferror(out) ? -1 : 0;
}
