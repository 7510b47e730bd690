/* Paths: for each target family (a Node, cluster-admin) a breadth-first search backwards from the targets,
 * once per severity threshold (critical edges only, then high and up, …): a source keeps the first path
 * it gets, so its path is the most severe one and, among those, the shortest. Severity of a path is that
 * of its weakest step. Every step is rendered with its evidence; relay vertices (per-namespace) are folded
 * into the step that reaches them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

enum { FAM_NODE = 0, FAM_ADMIN, FAM_N };
#define MAX_STEPS 24

struct bfs {
	uint32_t *rstart, *redge; /* reverse adjacency: edges into v are redge[rstart[v]..rstart[v+1]) */
	int8_t *sev;              /* per vertex: path severity found, -1 none */
	uint32_t *next;           /* edge to take from v */
	uint32_t *queue;
};

static int reverse_index(const struct bh_cl_graph *g, struct bfs *b)
{
	b->rstart = calloc(g->nv + 1, sizeof(*b->rstart));
	b->redge = malloc((g->ne + 1) * sizeof(*b->redge));
	if (!b->rstart || !b->redge)
		return -ENOMEM;
	for (size_t i = 0; i < g->ne; i++)
		b->rstart[g->e[i].to + 1]++;
	for (size_t v = 0; v < g->nv; v++)
		b->rstart[v + 1] += b->rstart[v];
	uint32_t *fill = malloc((g->nv + 1) * sizeof(*fill));
	if (!fill)
		return -ENOMEM;
	memcpy(fill, b->rstart, (g->nv + 1) * sizeof(*fill));
	for (size_t i = 0; i < g->ne; i++)
		b->redge[fill[g->e[i].to]++] = (uint32_t)i;
	free(fill);
	return 0;
}

static bool is_target(const struct cl_vertex *v, int fam)
{
	return fam == FAM_ADMIN ? v->kind == CV_ADMIN : (v->kind == CV_NODE || v->kind == CV_NODE_ANY);
}

/* one BFS over edges of severity >= s; vertices without a path yet take this one */
static void bfs_pass(const struct bh_cl_graph *g, struct bfs *b, int fam, int s, uint8_t *seen)
{
	size_t qh = 0, qt = 0;
	memset(seen, 0, g->nv);
	for (size_t v = 0; v < g->nv; v++)
		if (is_target(&g->v[v], fam)) {
			b->queue[qt++] = (uint32_t)v;
			seen[v] = 1;
			b->sev[v] = BH_SEV_CRITICAL;
		}
	while (qh < qt) {
		uint32_t u = b->queue[qh++];
		for (uint32_t k = b->rstart[u]; k < b->rstart[u + 1]; k++) {
			const struct cl_edge *e = &g->e[b->redge[k]];
			if (e->sev < s || seen[e->from] || (fam == FAM_NODE && e->kind == CE_NODE_TOKEN))
				continue;
			seen[e->from] = 1;
			b->queue[qt++] = e->from;
			if (b->sev[e->from] < 0) {
				b->sev[e->from] = (int8_t)s;
				b->next[e->from] = b->redge[k];
			}
		}
	}
}

static bool relay(const struct cl_vertex *v)
{
	return v->kind >= CV_NS_CREATE;
}

static void vref(const struct bh_cluster *c, const struct cl_vertex *v, struct bh_cl_ref *r)
{
	static const char *const kinds[] = {[CV_USER] = "User", [CV_GROUP] = "Group", [CV_SA] = "ServiceAccount",
					    [CV_NODE] = "Node", [CV_NODE_ANY] = "Node", [CV_ADMIN] = "ClusterAdmin"};
	if (v->kind == CV_POD) {
		*r = c->pods[v->obj].ref;
		return;
	}
	if (v->kind == CV_SA && c->sas[v->obj].seen) {
		*r = c->sas[v->obj].ref;
		return;
	}
	if (v->kind == CV_NODE && v->obj != UINT32_MAX) {
		*r = c->nodes[v->obj].ref;
		return;
	}
	if (relay(v)) {
		*r = v->obj < c->nnss ? c->nss[v->obj].ref : (struct bh_cl_ref){.kind = "Namespace", .name = v->ns};
		return;
	}
	*r = (struct bh_cl_ref){.kind = kinds[v->kind], .ns = v->ns, .name = v->name};
}

/* the path from source v in family fam, steps rendered into the paths arena */
static int draw(struct bh_cluster *c, const struct bfs *b, uint32_t v, int fam, struct bh_cl_path *out)
{
	struct bh_cl_graph *g = c->g;
	const struct cl_edge *es[MAX_STEPS * 2];
	uint32_t n = 0, u = v;
	while (!is_target(&g->v[u], fam) && n < MAX_STEPS * 2) {
		es[n++] = &g->e[b->next[u]];
		u = es[n - 1]->to;
	}
	if (!is_target(&g->v[u], fam))
		return 0;
	out->steps = bh_arena_alloc(&g->pa, n * sizeof(*out->steps));
	if (!out->steps)
		return -ENOMEM;
	out->nsteps = 0;
	for (uint32_t i = 0; i < n; i++) {
		const struct cl_edge *in = NULL;
		if (es[i]->kind == CE_ANY_NODE)
			continue; /* "any node" → N: the next step names the node */
		if (i + 1 < n && relay(&g->v[es[i]->to]))
			in = es[i++]; /* grant into a relay + the relay's fan-out: one step */
		if (bh_cl_step(c, in, es[i], &out->steps[out->nsteps++]) < 0)
			return -ENOMEM;
	}
	out->sev = (enum bh_sev)b->sev[v];
	vref(c, &g->v[v], &out->from);
	out->to_kind = fam == FAM_ADMIN ? "ClusterAdmin" : "Node";
	out->to_name = g->v[u].kind == CV_NODE ? g->v[u].name : "*";
	return 1;
}

static bool source(const struct cl_vertex *v)
{
	return v->kind == CV_USER || v->kind == CV_GROUP || v->kind == CV_SA || v->kind == CV_POD;
}

static int cmp_path(const void *pa, const void *pb)
{
	const struct bh_cl_path *a = pa, *b = pb;
	if (a->sev != b->sev)
		return a->sev > b->sev ? -1 : 1;
	if (a->nsteps != b->nsteps)
		return a->nsteps < b->nsteps ? -1 : 1;
	int r = strcmp(a->to_kind, b->to_kind);
	if (r)
		return -r; /* Node before ClusterAdmin */
	r = strcmp(a->from.kind ? a->from.kind : "", b->from.kind ? b->from.kind : "");
	if (!r)
		r = strcmp(a->from.ns ? a->from.ns : "", b->from.ns ? b->from.ns : "");
	return r ? r : strcmp(a->from.name ? a->from.name : "", b->from.name ? b->from.name : "");
}

static int family(struct bh_cluster *c, struct bfs *b, int fam, uint8_t *seen)
{
	struct bh_cl_graph *g = c->g;
	memset(b->sev, -1, g->nv);
	for (int s = BH_SEV_CRITICAL; s >= BH_SEV_LOW; s--)
		bfs_pass(g, b, fam, s, seen);
	for (size_t v = 0; v < g->nv; v++) {
		if (!source(&g->v[v]) || b->sev[v] < 0 || is_target(&g->v[v], fam))
			continue;
		if (bh_cl_grow((void **)&g->paths.v, &g->paths.cap, g->paths.n, sizeof(*g->paths.v)) < 0)
			return -ENOMEM;
		int rc = draw(c, b, (uint32_t)v, fam, &g->paths.v[g->paths.n]);
		if (rc < 0)
			return rc;
		g->paths.n += (size_t)rc;
	}
	return 0;
}

int bh_cl_paths_draw(struct bh_cluster *c)
{
	struct bh_cl_graph *g = c->g;
	struct bfs b = {0};
	uint8_t *seen = malloc(g->nv + 1);
	b.sev = malloc(g->nv + 1);
	b.next = malloc((g->nv + 1) * sizeof(*b.next));
	b.queue = malloc((g->nv + 1) * sizeof(*b.queue));
	int rc = seen && b.sev && b.next && b.queue ? reverse_index(g, &b) : -ENOMEM;
	for (int fam = 0; rc == 0 && fam < FAM_N; fam++)
		rc = family(c, &b, fam, seen);
	if (rc == 0 && g->paths.n)
		qsort(g->paths.v, g->paths.n, sizeof(*g->paths.v), cmp_path);
	free(seen);
	free(b.sev);
	free(b.next);
	free(b.queue);
	free(b.rstart);
	free(b.redge);
	return rc;
}

const struct bh_cl_paths *bh_cluster_paths(const struct bh_cluster *c)
{
	static const struct bh_cl_paths none;
	return c->g ? &c->g->paths : &none;
}
