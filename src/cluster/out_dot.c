/* The paths as a graph: DOT (Graphviz) and Mermaid flowcharts. Vertices are the objects along the paths
 * (identities, workloads, namespaces, service accounts, nodes, cluster-admin), edges the steps labelled
 * with their rule; the same edge used by several paths is drawn once. */
#include <stdlib.h>
#include <string.h>

#include "graph.h"

struct dgraph {
	struct bh_cl_map ids;
	struct bh_arena a;
	struct bh_cl_map edges;
	FILE *out;
	bool mermaid;
	uint32_t n;
};

static const char *label_of(struct dgraph *d, const struct bh_cl_ref *r)
{
	return bh_arena_printf(&d->a, "%s %s%s%s", r->kind ? r->kind : "?", r->ns ? r->ns : "", r->ns ? "/" : "",
			       r->name ? r->name : "*");
}

static void esc(FILE *out, const char *s, bool mermaid)
{
	for (; *s; s++) {
		if (*s == '"')
			fputs(mermaid ? "#quot;" : "\\\"", out);
		else if (*s == '\\' && !mermaid)
			fputs("\\\\", out);
		else if (mermaid && (*s == '<' || *s == '>'))
			fputs(*s == '<' ? "#lt;" : "#gt;", out);
		else
			fputc(*s, out);
	}
}

static const char *shape(const char *kind, bool mermaid)
{
	if (!strcmp(kind, "Node") || !strcmp(kind, "ClusterAdmin"))
		return mermaid ? "{{" : "doubleoctagon";
	if (!strcmp(kind, "User") || !strcmp(kind, "Group") || !strcmp(kind, "ServiceAccount"))
		return mermaid ? "([" : "ellipse";
	return mermaid ? "[" : "box";
}

static uint32_t vid(struct dgraph *d, const struct bh_cl_ref *r)
{
	const char *l = label_of(d, r);
	uint32_t id = l ? bh_cl_map_get(&d->ids, l) : UINT32_MAX;
	if (id != UINT32_MAX || !l)
		return id;
	id = d->n++;
	bh_cl_map_put(&d->ids, l, id);
	const char *k = r->kind ? r->kind : "?";
	bool target = !strcmp(k, "Node") || !strcmp(k, "ClusterAdmin");
	if (d->mermaid) {
		const char *o = shape(k, true), *cl = !strcmp(o, "{{") ? "}}" : !strcmp(o, "([") ? "])" : "]";
		fprintf(d->out, "  n%u%s\"", id, o);
		esc(d->out, l, true);
		fprintf(d->out, "\"%s\n", cl);
		if (target)
			fprintf(d->out, "  style n%u fill:#fdd,stroke:#c00\n", id);
	} else {
		fprintf(d->out, "  n%u [label=\"", id);
		esc(d->out, l, false);
		fprintf(d->out, "\", shape=%s%s];\n", shape(k, false), target ? ", style=filled, fillcolor=\"#ffdddd\"" : "");
	}
	return id;
}

static const char *color(enum bh_sev s)
{
	return s >= BH_SEV_CRITICAL ? "#c00000" : s >= BH_SEV_HIGH ? "#e06000" : s >= BH_SEV_MEDIUM ? "#b0a000" : "#707070";
}

static void edge(struct dgraph *d, uint32_t a, uint32_t b, const struct bh_cl_step *s)
{
	char key[128];
	snprintf(key, sizeof(key), "%u-%u-%s", a, b, s->rule);
	if (bh_cl_map_get(&d->edges, key) != UINT32_MAX)
		return;
	bh_cl_map_put(&d->edges, bh_arena_strndup(&d->a, key, strlen(key)), 1);
	if (d->mermaid)
		fprintf(d->out, "  n%u -->|%s| n%u\n", a, s->rule, b);
	else
		fprintf(d->out, "  n%u -> n%u [label=\"%s\", color=\"%s\", fontcolor=\"%s\"];\n", a, b, s->rule,
			color(s->sev), color(s->sev));
}

int bh_cluster_dot(FILE *out, struct bh_cluster *c, bool mermaid)
{
	return bh_cl_dot_n(out, c, mermaid, 0);
}

int bh_cl_dot_n(FILE *out, struct bh_cluster *c, bool mermaid, size_t max)
{
	struct dgraph d = {.out = out, .mermaid = mermaid};
	bh_arena_init(&d.a, 0);
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	fputs(mermaid ? "flowchart LR\n"
		      : "digraph bulkhead_cluster {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
			"  edge [fontname=\"Helvetica\", fontsize=9];\n",
	      out);
	for (size_t i = 0; i < ps->n && (!max || i < max); i++) {
		const struct bh_cl_path *p = &ps->v[i];
		uint32_t prev = vid(&d, &p->from);
		for (uint32_t k = 0; k < p->nsteps; k++) {
			const struct bh_cl_step *s = &p->steps[k];
			struct bh_cl_ref to = s->obj;
			if (k + 1 == p->nsteps)
				to = (struct bh_cl_ref){.kind = p->to_kind, .name = p->to_name};
			uint32_t v = vid(&d, &to);
			edge(&d, prev, v, s);
			prev = v;
		}
	}
	if (!mermaid)
		fputs("}\n", out);
	bh_cl_map_free(&d.ids);
	bh_cl_map_free(&d.edges);
	bh_arena_release(&d.a);
	return ferror(out) ? -1 : 0;
}
