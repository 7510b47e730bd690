/* RBAC as the authorizer evaluates it (k8s.io/kubernetes pkg/apis/rbac/v1/evaluation_helpers.go): a rule
 * allows a request when a verb, an apiGroup and a resource match and resourceNames is empty or names the
 * object; "*" matches everything, "pods/exec" the subresource exactly and "*\/exec" that subresource of any
 * resource (a plain "pods" does not include "pods/exec"). ClusterRoles with an aggregationRule get the
 * rules of every ClusterRole their selectors match, as the controller-manager's aggregation controller
 * fills them in (a live cluster already carries them; a hand-written snapshot may not). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

const char *const bh_cl_cap_name[CL_NCAPS] = {
	[CL_ADMIN] = "* on * (cluster-admin)",
	[CL_CREATE_PODS] = "create pods",
	[CL_WORKLOADS] = "create/patch workloads",
	[CL_EXEC] = "pods/exec",
	[CL_ATTACH] = "pods/attach",
	[CL_EPHEMERAL] = "pods/ephemeralcontainers",
	[CL_PORTFORWARD] = "pods/portforward",
	[CL_NODES_PROXY] = "nodes/proxy",
	[CL_BIND] = "bind roles",
	[CL_ESCALATE] = "escalate roles",
	[CL_IMPERSONATE] = "impersonate",
	[CL_SA_TOKEN] = "serviceaccounts/token create",
	[CL_SECRETS] = "read secrets",
	[CL_CSR_APPROVE] = "approve certificatesigningrequests",
	[CL_WEBHOOKS] = "change admission webhooks",
};

static bool has(const char **v, uint16_t n, const char *s)
{
	for (uint16_t i = 0; i < n; i++)
		if (!strcmp(v[i], "*") || !strcmp(v[i], s))
			return true;
	return false;
}

static bool star(const char **v, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (!strcmp(v[i], "*"))
			return true;
	return false;
}

static bool res_match(const struct bh_cl_prule *r, const char *res)
{
	const char *sub = strchr(res, '/');
	for (uint16_t i = 0; i < r->nres; i++) {
		const char *x = r->res[i];
		if (!strcmp(x, "*") || !strcmp(x, res))
			return true;
		if (sub && x[0] == '*' && x[1] == '/' && !strcmp(x + 2, sub + 1))
			return true;
	}
	return false;
}

bool bh_cl_rule_allows(const struct bh_cl_prule *r, const char *verb, const char *group, const char *res,
		       const char *name)
{
	if (!has(r->verbs, r->nverbs, verb) || !has(r->groups, r->ngroups, group) || !res_match(r, res))
		return false;
	if (!r->nnames)
		return true;
	if (!name)
		return false; /* create (and list) name no object: resourceNames cannot allow them */
	for (uint16_t i = 0; i < r->nnames; i++)
		if (!strcmp(r->names[i], name))
			return true;
	return false;
}

/* any of verbs on any of the group/resource pairs; names restrict to objects (NULL = "any object": a rule
 * with resourceNames counts, the edge then goes only to the named objects) */
static bool any(const struct bh_cl_prule *r, const char *const *verbs, const char *const *gr)
{
	for (const char *const *v = verbs; *v; v++)
		for (const char *const *g = gr; *g; g += 2) {
			if (!has(r->verbs, r->nverbs, *v) || !has(r->groups, r->ngroups, g[0]) || !res_match(r, g[1]))
				continue;
			if (!r->nnames || strcmp(*v, "create") || strchr(g[1], '/'))
				return true; /* create of a top-level resource cannot be limited by name */
		}
	return false;
}

#define V(...) ((const char *const[]){__VA_ARGS__, NULL})
static bool cap_match(const struct bh_cl_prule *r, enum bh_cl_cap cap)
{
	switch (cap) {
	case CL_ADMIN:
		return star(r->verbs, r->nverbs) && star(r->groups, r->ngroups) && star(r->res, r->nres) && !r->nnames;
	case CL_CREATE_PODS: return any(r, V("create"), V("", "pods"));
	case CL_WORKLOADS:
		return any(r, V("create", "patch", "update"),
			   V("apps", "deployments", "apps", "daemonsets", "apps", "statefulsets", "apps", "replicasets",
			     "batch", "jobs", "batch", "cronjobs", "", "replicationcontrollers"));
	case CL_EXEC: return any(r, V("create", "get"), V("", "pods/exec"));
	case CL_ATTACH: return any(r, V("create", "get"), V("", "pods/attach"));
	case CL_EPHEMERAL: return any(r, V("patch", "update"), V("", "pods/ephemeralcontainers"));
	case CL_PORTFORWARD: return any(r, V("create", "get"), V("", "pods/portforward"));
	case CL_NODES_PROXY: return any(r, V("get", "create"), V("", "nodes/proxy"));
	case CL_BIND:
		return any(r, V("bind"), V("rbac.authorization.k8s.io", "clusterroles", "rbac.authorization.k8s.io", "roles"));
	case CL_ESCALATE:
		return any(r, V("escalate"),
			   V("rbac.authorization.k8s.io", "clusterroles", "rbac.authorization.k8s.io", "roles"));
	case CL_IMPERSONATE:
		return any(r, V("impersonate"), V("", "users", "", "groups", "", "serviceaccounts"));
	case CL_SA_TOKEN: return any(r, V("create"), V("", "serviceaccounts/token"));
	case CL_SECRETS: return any(r, V("get", "list", "watch"), V("", "secrets"));
	case CL_CSR_APPROVE:
		return any(r, V("update", "patch"), V("certificates.k8s.io", "certificatesigningrequests/approval"));
	case CL_WEBHOOKS:
		return any(r, V("create", "update", "patch", "delete"),
			   V("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "admissionregistration.k8s.io",
			     "validatingwebhookconfigurations"));
	default: return false;
	}
}
#undef V

static const struct bh_cl_role *find_role(struct bh_cluster *c, const char *kind, const char *ns, const char *name)
{
	char key[512];
	uint32_t i = bh_cl_map_get(&c->rolemap, bh_cl_key(key, sizeof(key), kind, ns, name));
	return i == UINT32_MAX ? NULL : &c->roles[i];
}

/* one pass of aggregation: eff = own rules + the eff (or own) rules of every matching ClusterRole */
static int aggregate(struct bh_cluster *c, struct bh_cl_role *r)
{
	size_t n = r->nrules;
	for (size_t j = 0; j < c->nroles; j++) {
		const struct bh_cl_role *o = &c->roles[j];
		for (uint32_t s = 0; o != r && o->ref.kind && !strcmp(o->ref.kind, "ClusterRole") && s < r->nagg; s++)
			if (bh_cl_sel_match(&r->agg[s], o->labels, o->nlabels, NULL, NULL)) {
				n += o->eff ? o->neff : o->nrules;
				break;
			}
	}
	struct bh_cl_prule **eff = bh_arena_alloc(&c->a, (n + 1) * sizeof(*eff));
	const struct bh_cl_role **from = bh_arena_alloc(&c->a, (n + 1) * sizeof(*from));
	if (!eff || !from)
		return -ENOMEM;
	uint32_t k = 0;
	for (uint32_t i = 0; i < r->nrules; i++)
		eff[k] = &r->rules[i], from[k++] = r;
	for (size_t j = 0; j < c->nroles; j++) {
		const struct bh_cl_role *o = &c->roles[j];
		for (uint32_t s = 0; o != r && o->ref.kind && !strcmp(o->ref.kind, "ClusterRole") && s < r->nagg; s++)
			if (bh_cl_sel_match(&r->agg[s], o->labels, o->nlabels, NULL, NULL)) {
				for (uint32_t i = 0; i < (o->eff ? o->neff : o->nrules) && k < n; i++)
					eff[k] = o->eff ? o->eff[i] : &o->rules[i], from[k++] = o->eff ? o->from[i] : o;
				break;
			}
	}
	r->eff = eff;
	r->from = from;
	r->neff = k;
	return 0;
}

static int grant(struct bh_cluster *c, const struct bh_cl_binding *b, const struct bh_cl_subject *s,
		 enum bh_cl_cap cap, const struct bh_cl_prule *r, const struct bh_cl_role *from)
{
	struct bh_cl_grant *g = BH_CL_PUSH(c, grants);
	if (!g)
		return -ENOMEM;
	*g = (struct bh_cl_grant){.subj = s, .scope = b->ref.ns, .cap = cap, .rule = r, .bind = b, .role = from};
	return 0;
}

static int bind_grants(struct bh_cluster *c, struct bh_cl_binding *b)
{
	const char *kind = b->role_kind ? b->role_kind : "ClusterRole";
	b->role = find_role(c, kind, !strcmp(kind, "Role") ? b->ref.ns : NULL, b->role_name);
	const struct bh_cl_role *r = b->role;
	if (!r)
		return 0;
	uint32_t n = r->eff ? r->neff : r->nrules;
	for (uint32_t i = 0; i < n; i++) {
		const struct bh_cl_prule *p = r->eff ? r->eff[i] : &r->rules[i];
		const struct bh_cl_role *from = r->eff ? r->from[i] : r;
		for (int cap = 0; cap < CL_NCAPS; cap++) {
			if (cap == CL_ADMIN && b->ref.ns)
				continue; /* * on * in one namespace: the other caps say what it gives */
			if (!cap_match(p, (enum bh_cl_cap)cap))
				continue;
			for (uint32_t k = 0; k < b->nsubj; k++)
				if (grant(c, b, &b->subj[k], (enum bh_cl_cap)cap, p, from) < 0)
					return -ENOMEM;
		}
	}
	return 0;
}

int bh_cl_analyse_rbac(struct bh_cluster *c)
{
	for (int pass = 0; pass < 2; pass++) /* two passes: an aggregated role may aggregate another */
		for (size_t i = 0; i < c->nroles; i++)
			if (c->roles[i].nagg && aggregate(c, &c->roles[i]) < 0)
				return -ENOMEM;
	c->ngrants = 0;
	for (size_t i = 0; i < c->nbinds; i++)
		if (bind_grants(c, &c->binds[i]) < 0)
			return -ENOMEM;
	return 0;
}
