/* Building the escape graph from the facts: RBAC grants become edges from subjects to namespace relays or
 * straight to a target, relays fan out to the pods / service accounts / nodes of their namespace, pods
 * lead to their node (escape avenue, CVE) and to their service account (token), nodes to the service
 * accounts of the pods they run. Edges PSA or the bulkhead webhook would refuse are never added. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

static const char *const vk_tag[CV_NKINDS] = {"U", "G", "S", "P", "N", "*", "A", "c", "e", "h", "f", "s", "t"};

static uint32_t vertex_by_key(struct bh_cluster *c, enum cl_vkind k, const char *ns, const char *name, uint32_t obj);

static uint32_t *cached(struct bh_cl_graph *g, enum cl_vkind k, uint32_t obj)
{
	if (k == CV_USER || k == CV_GROUP || k == CV_NODE_ANY || k == CV_ADMIN || obj == UINT32_MAX)
		return NULL;
	if (obj >= g->ncache[k]) {
		size_t n = g->ncache[k] ? g->ncache[k] : 1024;
		while (n <= obj)
			n *= 2;
		uint32_t *v = realloc(g->cache[k], n * sizeof(*v));
		if (!v)
			return NULL;
		memset(v + g->ncache[k], 0, (n - g->ncache[k]) * sizeof(*v));
		g->cache[k] = v;
		g->ncache[k] = n;
	}
	return &g->cache[k][obj];
}

uint32_t bh_cl_vertex(struct bh_cluster *c, enum cl_vkind k, const char *ns, const char *name, uint32_t obj)
{
	struct bh_cl_graph *g = c->g;
	uint32_t *slot = cached(g, k, obj);
	if (slot && *slot)
		return *slot - 1;
	uint32_t v = vertex_by_key(c, k, ns, name, obj);
	if (slot && v != UINT32_MAX)
		*slot = v + 1;
	return v;
}

static uint32_t vertex_by_key(struct bh_cluster *c, enum cl_vkind k, const char *ns, const char *name, uint32_t obj)
{
	struct bh_cl_graph *g = c->g;
	char key[600];
	bh_cl_key(key, sizeof(key), vk_tag[k], ns, name);
	uint32_t i = bh_cl_map_get(&g->vmap, key);
	if (i != UINT32_MAX)
		return i;
	if (bh_cl_grow((void **)&g->v, &g->capv, g->nv, sizeof(*g->v)) < 0)
		return UINT32_MAX;
	const char *k2 = bh_arena_strndup(&g->keys, key, strlen(key));
	if (!k2 || bh_cl_map_put(&g->vmap, k2, (uint32_t)g->nv) < 0)
		return UINT32_MAX;
	g->v[g->nv] = (struct cl_vertex){.kind = k, .ns = ns, .name = name, .obj = obj};
	return (uint32_t)g->nv++;
}

int bh_cl_edge(struct bh_cluster *c, uint32_t from, uint32_t to, enum cl_ekind k, enum bh_sev sev, uint32_t ev,
	       uint32_t aux)
{
	struct bh_cl_graph *g = c->g;
	if (from == UINT32_MAX || to == UINT32_MAX || from == to)
		return 0;
	if (bh_cl_grow((void **)&g->e, &g->cape, g->ne, sizeof(*g->e)) < 0)
		return -ENOMEM;
	g->e[g->ne++] = (struct cl_edge){.from = from, .to = to, .ev = ev, .aux = aux, .kind = k, .sev = sev};
	return 0;
}

static uint32_t sa_vertex(struct bh_cluster *c, const struct bh_cl_sa *sa)
{
	return bh_cl_vertex(c, CV_SA, sa->ns, sa->name, (uint32_t)(sa - c->sas));
}

static uint32_t subject_vertex(struct bh_cluster *c, const struct bh_cl_subject *s)
{
	if (!strcmp(s->kind, "User"))
		return bh_cl_vertex(c, CV_USER, NULL, s->name, 0);
	if (!strcmp(s->kind, "Group"))
		return bh_cl_vertex(c, CV_GROUP, NULL, s->name, 0);
	if (!strcmp(s->kind, "ServiceAccount")) {
		struct bh_cl_sa *sa = bh_cl_sa_get(c, s->ns ? s->ns : "default", s->name);
		return sa ? sa_vertex(c, sa) : UINT32_MAX;
	}
	return UINT32_MAX;
}

static bool user_exempt(const struct bh_cluster *c, const struct bh_cl_subject *s)
{
	for (uint32_t i = 0; i < c->adm.nex_users; i++)
		if (!strcmp(s->kind, "User") && !strcmp(c->adm.ex_users[i], s->name))
			return true;
	return false;
}

/* the relay (or target) a grant leads to in namespace ns; UINT32_MAX when none */
static uint32_t grant_target(struct bh_cluster *c, const struct bh_cl_grant *gr, const struct bh_cl_ns *ns)
{
	static const enum cl_vkind relay[CL_NCAPS] = {
		[CL_CREATE_PODS] = CV_NS_CREATE, [CL_WORKLOADS] = CV_NS_CREATE, [CL_EXEC] = CV_NS_EXEC,
		[CL_ATTACH] = CV_NS_EXEC, [CL_EPHEMERAL] = CV_NS_EPHEM, [CL_PORTFORWARD] = CV_NS_PF,
		[CL_SA_TOKEN] = CV_NS_SATOKEN, [CL_SECRETS] = CV_NS_SECRETS, [CL_BIND] = CV_NS_CREATE,
		[CL_ESCALATE] = CV_NS_CREATE, [CL_IMPERSONATE] = CV_NS_SATOKEN,
	};
	enum cl_vkind k = relay[gr->cap];
	if (!k)
		return UINT32_MAX;
	return bh_cl_vertex(c, k, ns->name, ns->name, (uint32_t)(ns - c->nss));
}

/* a grant with resourceNames: straight to the named pods / service accounts / secrets' accounts */
static int named_edges(struct bh_cluster *c, uint32_t from, uint32_t gi, const struct bh_cl_grant *gr)
{
	const struct bh_cl_prule *r = gr->rule;
	for (size_t i = 0; i < c->npods && (gr->cap == CL_EXEC || gr->cap == CL_ATTACH || gr->cap == CL_EPHEMERAL); i++) {
		const struct bh_cl_pod *p = &c->pods[i];
		if (!p->is_pod || (gr->scope && strcmp(gr->scope, p->ns)))
			continue;
		for (uint16_t k = 0; k < r->nnames; k++)
			if (!strcmp(r->names[k], p->name) &&
			    bh_cl_edge(c, from, bh_cl_vertex(c, CV_POD, p->ns, p->name, (uint32_t)i), CE_GRANT,
				       BH_SEV_CRITICAL, gi, 0) < 0)
				return -ENOMEM;
	}
	for (size_t i = 0; i < c->nsas && (gr->cap == CL_SA_TOKEN || gr->cap == CL_IMPERSONATE); i++) {
		const struct bh_cl_sa *sa = &c->sas[i];
		for (uint16_t k = 0; k < r->nnames && (!gr->scope || !strcmp(gr->scope, sa->ns)); k++)
			if (!strcmp(r->names[k], sa->name) &&
			    bh_cl_edge(c, from, sa_vertex(c, sa), CE_GRANT, BH_SEV_CRITICAL, gi, 0) < 0)
				return -ENOMEM;
	}
	for (size_t i = 0; i < c->nsecrets && gr->cap == CL_SECRETS; i++) {
		const struct bh_cl_secret *s = &c->secrets[i];
		struct bh_cl_sa *sa = NULL;
		for (uint16_t k = 0; k < r->nnames && (!gr->scope || !strcmp(gr->scope, s->ref.ns)); k++)
			if (!strcmp(r->names[k], s->ref.name) && (sa = bh_cl_sa_get(c, s->ref.ns, s->sa)) &&
			    bh_cl_edge(c, from, sa_vertex(c, sa), CE_GRANT, BH_SEV_CRITICAL, gi, (uint32_t)i + 1) < 0)
				return -ENOMEM;
	}
	return 0;
}

/* cluster-scoped permissions: straight to a target */
static int cluster_edge(struct bh_cluster *c, uint32_t from, uint32_t gi, const struct bh_cl_grant *gr)
{
	struct bh_cl_graph *g = c->g;
	bool names = gr->rule->nnames > 0;
	switch (gr->cap) {
	case CL_ADMIN: return bh_cl_edge(c, from, g->admin, CE_GRANT, BH_SEV_CRITICAL, gi, 0);
	case CL_BIND:
	case CL_ESCALATE: return gr->scope ? 1 : bh_cl_edge(c, from, g->admin, CE_GRANT, BH_SEV_CRITICAL, gi, 0);
	case CL_IMPERSONATE:
		if (names)
			return 1;
		return gr->scope ? 1 : bh_cl_edge(c, from, g->admin, CE_GRANT, BH_SEV_CRITICAL, gi, 0);
	case CL_NODES_PROXY:
		if (gr->scope)
			return 0; /* nodes are cluster-scoped: a RoleBinding cannot grant them */
		if (!names)
			return bh_cl_edge(c, from, g->any_node, CE_GRANT, BH_SEV_CRITICAL, gi, 0);
		for (uint16_t k = 0; k < gr->rule->nnames; k++) {
			uint32_t n = bh_cl_map_get(&c->nodemap, gr->rule->names[k]);
			if (n != UINT32_MAX && bh_cl_edge(c, from, bh_cl_vertex(c, CV_NODE, NULL, c->nodes[n].name, n),
							  CE_GRANT, BH_SEV_CRITICAL, gi, 0) < 0)
				return -ENOMEM;
		}
		return 0;
	case CL_CSR_APPROVE:
	case CL_WEBHOOKS: return gr->scope ? 0 : bh_cl_edge(c, from, g->any_node, CE_GRANT, BH_SEV_HIGH, gi, 0);
	default: return 1;
	}
}

static int grant_edges(struct bh_cluster *c, size_t gi)
{
	const struct bh_cl_grant *gr = &c->grants[gi];
	uint32_t from = subject_vertex(c, gr->subj);
	if (from == UINT32_MAX)
		return 0;
	int rc = cluster_edge(c, from, (uint32_t)gi, gr);
	if (rc <= 0)
		return rc;
	if (gr->cap == CL_PORTFORWARD || gr->cap == CL_WORKLOADS || gr->cap == CL_CREATE_PODS || gr->cap == CL_BIND ||
	    gr->cap == CL_ESCALATE) {
		if (gr->rule->nnames && (gr->cap == CL_WORKLOADS || gr->cap == CL_PORTFORWARD))
			return 0; /* patching named workloads / forwarding to named pods: not modelled (docs/cluster.md) */
	} else if (gr->rule->nnames)
		return named_edges(c, from, (uint32_t)gi, gr);
	if ((gr->cap == CL_CREATE_PODS || gr->cap == CL_WORKLOADS) && user_exempt(c, gr->subj) &&
	    bh_cl_edge(c, from, c->g->any_node, CE_EXEMPT, BH_SEV_CRITICAL, (uint32_t)gi, 0) < 0)
		return -ENOMEM;
	/* a namespaced grant: its namespace only (looked up, not searched: 10k bindings × 1k namespaces) */
	uint32_t only = gr->scope ? bh_cl_map_get(&c->nsmap, gr->scope) : UINT32_MAX;
	if (gr->scope && only == UINT32_MAX)
		return 0;
	for (size_t i = gr->scope ? only : 0; i < (gr->scope ? (size_t)only + 1 : c->nnss); i++) {
		const struct bh_cl_ns *ns = &c->nss[i];
		uint32_t to = grant_target(c, gr, ns);
		enum bh_sev sev = gr->cap == CL_PORTFORWARD ? BH_SEV_MEDIUM : BH_SEV_CRITICAL;
		if (to != UINT32_MAX && bh_cl_edge(c, from, to, CE_GRANT, sev, (uint32_t)gi, 0) < 0)
			return -ENOMEM;
	}
	return 0;
}

static enum bh_sev cve_sev(const struct bh_cl_cvehit *h, int reach)
{
	if (reach == 0)
		return BH_SEV_NONE;
	if (h->maybe || reach < 0)
		return BH_SEV_MEDIUM; /* back-ports possible, or a precondition only the node can tell */
	return h->cve->sev < BH_SEV_HIGH ? h->cve->sev : BH_SEV_HIGH; /* a CVE is one more step than a setting */
}

static int cve_reach(const struct bh_cl_cvehit *h, const struct bh_cl_pod *p, const struct bh_cl_ns *ns,
		     const struct bh_cl_node *node)
{
	const char *s = h->cve->needs ? h->cve->needs : "none";
	int all = 1;
	while (*s) {
		size_t n = strcspn(s, " ");
		int term = 0; /* "a|b": holds when either does */
		for (const char *t = s; t < s + n;) {
			size_t m = strcspn(t, "| ");
			char tok[32];
			snprintf(tok, sizeof(tok), "%.*s", (int)m, t);
			int v = bh_cl_cve_token(tok, p, ns, node);
			term = v > 0 || term > 0 ? 1 : (v < 0 || term < 0 ? -1 : 0);
			t += m + (t[m] == '|');
		}
		all = term == 0 || all == 0 ? 0 : (term < 0 || all < 0 ? -1 : 1);
		s += n + (s[n] == ' ');
	}
	return all;
}

/* the node's CVE that gives the most severe step for pod p (or a pod creator in ns): one edge per pair */
static uint32_t best_cve(const struct bh_cl_node *n, const struct bh_cl_pod *p, const struct bh_cl_ns *ns,
			 enum bh_sev *sev)
{
	uint32_t best = UINT32_MAX;
	*sev = BH_SEV_NONE;
	for (uint32_t k = 0; k < n->ncves; k++) {
		enum bh_sev s = cve_sev(&n->cves[k], cve_reach(&n->cves[k], p, ns, n));
		if (s != BH_SEV_NONE && (best == UINT32_MAX || s > *sev))
			best = k, *sev = s;
	}
	return best;
}

int bh_cl_cve_token(const char *tok, const struct bh_cl_pod *p, const struct bh_cl_ns *ns, const struct bh_cl_node *n)
{
	const struct bh_cl_noderep *r = n ? n->node_report : NULL;
	bool priv = p ? p->sys_admin : ns->allows_privileged;
	if (!strcmp(tok, "none"))
		return 1;
	if (!strcmp(tok, "root"))
		return p ? p->root : ns->allows_root;
	if (!strcmp(tok, "cap_net_raw"))
		return p ? p->net_raw : ns->allows_net_raw;
	if (!strcmp(tok, "cap_sys_admin") || !strcmp(tok, "cap_net_admin"))
		return priv;
	if (!strcmp(tok, "host_net"))
		return p ? p->host_net : ns->allows_privileged;
	/* the node's settings: known only from its `bulkhead node` report */
	if (r && !strcmp(tok, "userns"))
		return r->userns;
	if (r && !strcmp(tok, "cgroup_v1"))
		return r->cgroup_v1;
	if (r && !strcmp(tok, "no_lsm"))
		return r->no_lsm;
	return -1;
}

static int ns_edges(struct bh_cluster *c, size_t i)
{
	const struct bh_cl_ns *ns = &c->nss[i];
	uint32_t cr = bh_cl_vertex(c, CV_NS_CREATE, ns->name, ns->name, (uint32_t)i);
	if (ns->allows_privileged &&
	    (bh_cl_edge(c, cr, c->g->any_node, CE_NS_PRIV, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0))
		return -ENOMEM;
	for (size_t n = 0; n < c->nnodes; n++) {
		enum bh_sev s;
		uint32_t k = best_cve(&c->nodes[n], NULL, ns, &s);
		uint32_t nv = k != UINT32_MAX ? bh_cl_vertex(c, CV_NODE, NULL, c->nodes[n].name, (uint32_t)n) : 0;
		if (k != UINT32_MAX && bh_cl_edge(c, cr, nv, CE_NS_CVE, s, (uint32_t)n, k) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int sa_edges(struct bh_cluster *c, size_t i)
{
	const struct bh_cl_sa *sa = &c->sas[i];
	uint32_t v = sa_vertex(c, sa);
	uint32_t nsi = bh_cl_map_get(&c->nsmap, sa->ns);
	uint32_t cr = bh_cl_vertex(c, CV_NS_CREATE, sa->ns, sa->ns, nsi);
	uint32_t tk = bh_cl_vertex(c, CV_NS_SATOKEN, sa->ns, sa->ns, nsi);
	char *g1 = bh_arena_printf(&c->a, "system:serviceaccounts:%s", sa->ns);
	if (bh_cl_edge(c, cr, v, CE_NS_SA, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0 ||
	    bh_cl_edge(c, tk, v, CE_NS_SA, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0 || !g1)
		return -ENOMEM;
	const char *groups[] = {g1, "system:serviceaccounts", "system:authenticated"};
	for (int k = 0; k < 3; k++) {
		char key[600];
		uint32_t existing = bh_cl_map_get(&c->g->vmap, bh_cl_key(key, sizeof(key), "G", NULL, groups[k]));
		if (existing != UINT32_MAX && bh_cl_edge(c, v, existing, CE_MEMBER, BH_SEV_CRITICAL, 0, 0) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int secret_edges(struct bh_cluster *c, size_t i)
{
	const struct bh_cl_secret *s = &c->secrets[i];
	struct bh_cl_sa *sa = bh_cl_sa_get(c, s->ref.ns, s->sa);
	uint32_t rv = bh_cl_vertex(c, CV_NS_SECRETS, s->ref.ns, s->ref.ns, bh_cl_map_get(&c->nsmap, s->ref.ns));
	return sa ? bh_cl_edge(c, rv, sa_vertex(c, sa), CE_NS_SECRET, BH_SEV_CRITICAL, (uint32_t)i, 0) : 0;
}

static uint32_t node_of(struct bh_cluster *c, const struct bh_cl_pod *p)
{
	uint32_t n = p->node ? bh_cl_map_get(&c->nodemap, p->node) : UINT32_MAX;
	if (n != UINT32_MAX)
		return bh_cl_vertex(c, CV_NODE, NULL, c->nodes[n].name, n);
	if (p->node) /* scheduled on a node the snapshot does not hold */
		return bh_cl_vertex(c, CV_NODE, NULL, p->node, UINT32_MAX);
	return c->g->any_node;
}

/* a pod's way to its node: the escape avenue, a reachable CVE of its node */
static int pod_node_edges(struct bh_cluster *c, size_t i, uint32_t pv, uint32_t nv)
{
	const struct bh_cl_pod *p = &c->pods[i];
	if (p->avenue >= 0 &&
	    bh_cl_edge(c, pv, nv, CE_POD_ESCAPE, c->eng.findings.v[p->avenue].sev, (uint32_t)i, 0) < 0)
		return -ENOMEM;
	uint32_t n = p->node ? bh_cl_map_get(&c->nodemap, p->node) : UINT32_MAX;
	enum bh_sev s;
	uint32_t k = n != UINT32_MAX ? best_cve(&c->nodes[n], p, NULL, &s) : UINT32_MAX;
	if (k != UINT32_MAX && bh_cl_edge(c, pv, nv, CE_POD_CVE, s, (uint32_t)i, k) < 0)
		return -ENOMEM;
	/* the node's cloud credentials: high, one more step to the node (the rubric's, and bulkhead netpol's
	 * BH0900); whether the platform hides them from pods (GKE metadata server, IMDSv2 hop limit 1) the
	 * snapshot does not show */
	if (p->meta_reach == BH_CL_REACH_YES && bh_cl_edge(c, pv, nv, CE_POD_METADATA, BH_SEV_HIGH, (uint32_t)i, 0) < 0)
		return -ENOMEM;
	return 0;
}

static int pod_edges(struct bh_cluster *c, size_t i)
{
	struct bh_cl_pod *p = &c->pods[i];
	uint32_t nsi = bh_cl_map_get(&c->nsmap, p->ns);
	const struct bh_cl_ns *ns = nsi != UINT32_MAX ? &c->nss[nsi] : NULL;
	uint32_t pv = bh_cl_vertex(c, CV_POD, p->ns, p->is_pod ? p->name : bh_arena_printf(&c->a, "%s/%s", p->ref.kind, p->name),
				   (uint32_t)i);
	uint32_t nv = node_of(c, p);
	struct bh_cl_sa *sa = bh_cl_sa_get(c, p->ns, p->sa);
	p->token = p->automount != 0 && !(p->automount < 0 && sa && sa->automount == 0);
	p->sa_grants = p->token && sa && sa->grants;
	if (pod_node_edges(c, i, pv, nv) < 0)
		return -ENOMEM;
	if (p->token && sa) {
		uint32_t sv = bh_cl_vertex(c, CV_SA, sa->ns, sa->name, (uint32_t)(sa - c->sas));
		/* the token is used against the API server (or, with nodes/proxy rights, a kubelet): a pod that
		 * reaches neither under NetworkPolicy needs another way out first (reach.c) */
		uint32_t cut = p->api_reach != BH_CL_REACH_NO ? 0 : p->kubelets ? 2 : 1;
		if (bh_cl_edge(c, pv, sv, CE_POD_TOKEN, cut == 1 ? BH_SEV_LOW : BH_SEV_CRITICAL, (uint32_t)i, cut) < 0 ||
		    (p->node && bh_cl_edge(c, nv, sv, CE_NODE_TOKEN, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0))
			return -ENOMEM;
	}
	if (!p->is_pod)
		return 0;
	uint32_t ex = bh_cl_vertex(c, CV_NS_EXEC, p->ns, p->ns, nsi), ep = bh_cl_vertex(c, CV_NS_EPHEM, p->ns, p->ns, nsi);
	if (bh_cl_edge(c, ex, pv, CE_NS_PODS, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0 ||
	    bh_cl_edge(c, ep, pv, CE_NS_PODS, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0)
		return -ENOMEM;
	if (ns && ns->allows_privileged && bh_cl_edge(c, ep, nv, CE_EPHEM_NODE, BH_SEV_CRITICAL, (uint32_t)i, 0) < 0)
		return -ENOMEM;
	if (p->host_net && bh_cl_edge(c, bh_cl_vertex(c, CV_NS_PF, p->ns, p->ns, nsi), nv, CE_PF_NODE, BH_SEV_MEDIUM,
				      (uint32_t)i, 0) < 0)
		return -ENOMEM;
	return 0;
}

/* groups every identity belongs to, system:masters, "any node" → each node */
static int fixed_edges(struct bh_cluster *c)
{
	struct bh_cl_graph *g = c->g;
	char key[600];
	uint32_t auth = bh_cl_map_get(&g->vmap, bh_cl_key(key, sizeof(key), "G", NULL, "system:authenticated"));
	uint32_t masters = bh_cl_map_get(&g->vmap, bh_cl_key(key, sizeof(key), "G", NULL, "system:masters"));
	if (masters != UINT32_MAX && bh_cl_edge(c, masters, g->admin, CE_MASTERS, BH_SEV_CRITICAL, 0, 0) < 0)
		return -ENOMEM;
	for (size_t v = 0; v < g->nv && auth != UINT32_MAX; v++)
		if (g->v[v].kind == CV_USER && bh_cl_edge(c, (uint32_t)v, auth, CE_MEMBER, BH_SEV_CRITICAL, 0, 0) < 0)
			return -ENOMEM;
	for (size_t n = 0; n < c->nnodes; n++)
		if (bh_cl_edge(c, g->any_node, bh_cl_vertex(c, CV_NODE, NULL, c->nodes[n].name, (uint32_t)n), CE_ANY_NODE,
			       BH_SEV_CRITICAL, (uint32_t)n, 0) < 0)
			return -ENOMEM;
	return 0;
}

void bh_cl_graph_free(struct bh_cl_graph *g)
{
	if (!g)
		return;
	free(g->v);
	free(g->e);
	for (int k = 0; k < CV_NKINDS; k++)
		free(g->cache[k]);
	free(g->paths.v);
	bh_cl_map_free(&g->vmap);
	bh_arena_release(&g->keys);
	bh_arena_release(&g->pa);
	free(g);
}

int bh_cl_graph_build(struct bh_cluster *c)
{
	bh_cl_graph_free(c->g);
	struct bh_cl_graph *g = c->g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	bh_arena_init(&g->keys, 0);
	bh_arena_init(&g->pa, 0);
	g->admin = bh_cl_vertex(c, CV_ADMIN, NULL, "*", 0);
	g->any_node = bh_cl_vertex(c, CV_NODE_ANY, NULL, "*", 0);
	for (size_t i = 0; i < c->ngrants; i++)
		if (grant_edges(c, i) < 0)
			return -ENOMEM;
	/* pods first: they add the service accounts they use */
	for (size_t i = 0; i < c->npods; i++)
		if (pod_edges(c, i) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < c->nsecrets; i++)
		if (secret_edges(c, i) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < c->nnss; i++)
		if (ns_edges(c, i) < 0)
			return -ENOMEM;
	for (size_t i = 0; i < c->nsas; i++)
		if (sa_edges(c, i) < 0)
			return -ENOMEM;
	return fixed_edges(c);
}
