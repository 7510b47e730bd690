/* A single-file HTML report: the graph of the paths rendered to inline SVG by Graphviz (libgvc, in
 * process: no dot binary, nothing fetched), the paths with their steps, and the facts. No script, no
 * external resource: it opens anywhere and prints as it is. */
#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "util/version.h"

#define HTML_GRAPH_PATHS 150

#if defined(__SANITIZE_ADDRESS__)
/* Graphviz keeps fontconfig's caches and a few of its own allocations until exit, by design: LeakSanitizer
 * (make SAN=1) is told so here, so that leaks of our own still fail the suite. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\nleak:libgvc.so\nleak:libcgraph.so\n";
}
#endif /* the drawing stays readable; every path is in the table */

static void h(FILE *out, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
}

static void href(FILE *out, const struct bh_cl_ref *r)
{
	h(out, r->kind);
	fputc(' ', out);
	if (r->ns)
		h(out, r->ns), fputc('/', out);
	h(out, r->name ? r->name : "*");
}

/* the SVG of the paths' graph, or a note when Graphviz fails */
static void svg(FILE *out, struct bh_cluster *c)
{
	char *dot = NULL;
	size_t dlen = 0;
	FILE *m = open_memstream(&dot, &dlen);
	if (!m || bh_cl_dot_n(m, c, false, HTML_GRAPH_PATHS) < 0) {
		if (m)
			fclose(m);
		free(dot);
		fputs("<p>graph not rendered: out of memory</p>\n", out);
		return;
	}
	fclose(m);
	GVC_t *gvc = gvContext();
	Agraph_t *g = gvc ? agmemread(dot) : NULL;
	char *data = NULL;
	unsigned int len = 0;
	if (g && gvLayout(gvc, g, "dot") == 0) {
		if (gvRenderData(gvc, g, "svg", &data, &len) == 0 && data) {
			const char *start = strstr(data, "<svg");
			fputs("<div class=\"graph\">", out);
			fwrite(start ? start : data, 1, len - (size_t)(start ? start - data : 0), out);
			fputs("</div>\n", out);
			gvFreeRenderData(data);
		}
		gvFreeLayout(gvc, g);
	} else
		fputs("<p>graph not rendered: Graphviz could not lay it out</p>\n", out);
	if (g)
		agclose(g);
	if (gvc)
		gvFreeContext(gvc);
	free(dot);
}

static void paths_html(FILE *out, const struct bh_cl_paths *ps)
{
	fputs("<h2>Escape paths</h2>\n<ol class=\"paths\">\n", out);
	for (size_t i = 0; i < ps->n; i++) {
		const struct bh_cl_path *p = &ps->v[i];
		fprintf(out, "<li><span class=\"sev %s\">%s</span> <b>", bh_sev_name(p->sev), bh_sev_name(p->sev));
		href(out, &p->from);
		fputs("</b> → ", out);
		h(out, p->to_kind);
		fputc(' ', out);
		h(out, p->to_name);
		fputs("<ol>", out);
		for (uint32_t k = 0; k < p->nsteps; k++) {
			const struct bh_cl_step *s = &p->steps[k];
			fprintf(out, "<li><code>%s</code> ", s->rule);
			h(out, s->text);
			if (s->via.kind) {
				fputs(" <small>evidence: ", out);
				href(out, &s->via);
				if (s->field)
					fputc(' ', out), h(out, s->field);
				if (s->via.file)
					fprintf(out, " ("), h(out, s->via.file), fprintf(out, ":%u)", s->via.line);
				fputs("</small>", out);
			}
			fputs("</li>", out);
		}
		fputs("</ol></li>\n", out);
	}
	fputs("</ol>\n", out);
	if (!ps->n)
		fputs("<p>No identity or workload in the snapshot reaches a node or cluster-admin.</p>\n", out);
}

static void facts_html(FILE *out, const struct bh_cluster *c)
{
	fputs("<h2>Namespaces</h2>\n<table><tr><th>namespace</th><th>Pod Security enforce</th><th>source</th>"
	      "<th>bulkhead webhook</th><th>privileged pods</th></tr>\n", out);
	for (size_t i = 0; i < c->nnss; i++) {
		const struct bh_cl_ns *ns = &c->nss[i];
		fputs("<tr><td>", out);
		h(out, ns->name);
		fprintf(out, "</td><td>%s</td><td>", bh_pss_level_name(ns->enforce.level));
		h(out, ns->psa_source);
		fputs("</td><td>", out);
		h(out, ns->bulkhead_hook ? ns->bulkhead_hook : "none");
		fprintf(out, "</td><td>%s</td></tr>\n", ns->allows_privileged ? "get through" : "refused");
	}
	fputs("</table>\n<h2>Nodes</h2>\n<table><tr><th>node</th><th>kernel</th><th>runtime</th><th>kubelet</th>"
	      "<th>escape CVEs</th></tr>\n", out);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct bh_cl_node *n = &c->nodes[i];
		fputs("<tr><td>", out);
		h(out, n->name);
		fputs("</td><td>", out);
		h(out, n->kernel);
		fputs("</td><td>", out);
		h(out, n->runtime);
		fputs("</td><td>", out);
		h(out, n->kubelet);
		fputs("</td><td>", out);
		for (uint32_t k = 0; k < n->ncves; k++) {
			h(out, n->cves[k].cve->id);
			fputs(n->cves[k].maybe ? " (in range by upstream version; check the distribution's fixed package)<br>" : "<br>", out);
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

int bh_cluster_html(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o)
{
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		"<title>bulkhead cluster: %zu escape paths</title>\n<style>\n"
		"body{font-family:Helvetica,Arial,sans-serif;margin:1.5em;color:#222}"
		"table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;font-size:90%%}"
		".sev{padding:0 4px;border-radius:3px;color:#fff;font-size:85%%}.critical{background:#c00000}"
		".high{background:#e06000}.medium{background:#b0a000}.low{background:#707070}"
		".graph svg{max-width:100%%;height:auto}ol.paths>li{margin-bottom:.6em}small{color:#666}\n"
		"</style></head><body>\n<h1>bulkhead cluster</h1>\n<p>%zu escape paths from identities and workloads "
		"to a node or cluster-admin; %zu workloads, %zu namespaces, %zu nodes, %zu bindings. bulkhead %s.</p>\n",
		ps->n, ps->n, c->npods, c->nnss, c->nnodes, c->nbinds, BH_VERSION);
	if (ps->n)
		svg(out, c);
	if (ps->n > HTML_GRAPH_PATHS)
		fprintf(out, "<p>The drawing shows the first %d paths; the list has all of them.</p>\n", HTML_GRAPH_PATHS);
	paths_html(out, ps);
	facts_html(out, c);
	fputs("</body></html>\n", out);
	(void)o;
	return ferror(out) ? -1 : 0;
}

int bh_cluster_write(FILE *out, int format, struct bh_cluster *c, const struct bh_cl_out *o)
{
	switch (format) {
	case BH_CL_JSON: return bh_cluster_json(out, c, o);
	case BH_CL_SARIF: return bh_cluster_sarif(out, c, o);
	case BH_CL_DOT: return bh_cluster_dot(out, c, false);
	case BH_CL_MERMAID: return bh_cluster_dot(out, c, true);
	case BH_CL_HTML: return bh_cluster_html(out, c, o);
	default: return bh_cluster_text(out, c, o);
	}
}
