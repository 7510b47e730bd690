/* Rendering one step of a path: its rule, a sentence, the object it acts on and the evidence (the binding
 * and role rule that allow it, the workload finding, the node version). */
#include <stdarg.h>
#include <string.h>

#include "graph.h"

struct sctx {
	struct bh_cluster *c;
	struct bh_cl_step *s;
};

static const char *txt(struct bh_cluster *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static const char *txt(struct bh_cluster *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return bh_arena_strndup(&c->g->pa, buf, strlen(buf));
}

static const char *nsn(const char *ns, const char *name)
{
	static char buf[4][300];
	static int k;
	k = (k + 1) & 3;
	snprintf(buf[k], sizeof(buf[k]), "%s%s%s", ns ? ns : "", ns ? "/" : "", name ? name : "");
	return buf[k];
}

/* evidence of a grant: via = the binding; field = the role's rule; returns "(binding → role rules[i])" */
static const char *grant_ev(struct sctx *x, uint32_t gi)
{
	const struct bh_cl_grant *g = &x->c->grants[gi];
	x->s->via = g->bind->ref;
	x->s->field = txt(x->c, "%s %s rules[%u]", g->role->ref.kind, nsn(g->role->ref.ns, g->role->ref.name),
			  g->rule->index);
	return txt(x->c, "%s %s → %s", g->bind->ref.kind, nsn(g->bind->ref.ns, g->bind->ref.name), x->s->field);
}

static const char *cve_text(struct bh_cluster *c, const struct bh_cl_node *n, const struct bh_cl_cvehit *h)
{
	return txt(c, "%s (%s) in %s %s on node %s, needs: %s%s%s", h->cve->id, h->cve->name, h->component,
		   h->version, n->name, h->cve->needs ? h->cve->needs : "none", h->maybe ? "; " : "",
		   h->maybe ? bh_cl_backport_caveat : "");
}

/* a grant into a namespace relay, then the relay's fan-out edge e */
static void relayed(struct sctx *x, uint32_t gi, const struct cl_edge *e, enum cl_vkind rk)
{
	struct bh_cluster *c = x->c;
	const struct bh_cl_grant *g = &c->grants[gi];
	const char *ev = grant_ev(x, gi), *cap = bh_cl_cap_name[g->cap];
	/* pod edges only: e->ev indexes another array for the others */
	bool pod_edge = e->kind == CE_EPHEM_NODE || e->kind == CE_PF_NODE || e->kind == CE_NS_PODS;
	const struct bh_cl_pod *p = pod_edge ? &c->pods[e->ev] : NULL;
	switch (e->kind) {
	case CE_NS_PRIV: {
		const struct bh_cl_ns *ns = &c->nss[e->ev];
		x->s->rule = CL_RULE(CREATE_PRIVILEGED_POD)->id;
		x->s->obj = ns->ref;
		x->s->text = txt(c, "may %s in namespace %s (%s); Pod Security there lets through %s", cap, ns->name, ev,
				 ns->avenue ? ns->avenue : "privileged pods");
		return;
	}
	case CE_NS_SA: {
		const struct bh_cl_sa *sa = &c->sas[e->ev];
		x->s->rule = rk == CV_NS_CREATE ? CL_RULE(CREATE_POD_SA)->id
			     : g->cap == CL_IMPERSONATE ? CL_RULE(IMPERSONATE)->id : CL_RULE(SA_TOKEN)->id;
		x->s->obj = sa->ref;
		x->s->text = rk == CV_NS_CREATE
				     ? txt(c, "may %s in namespace %s (%s): a pod with serviceAccountName: %s mounts its token",
					   cap, sa->ns, ev, sa->name)
				     : txt(c, "may act as ServiceAccount %s (%s, %s)", nsn(sa->ns, sa->name), cap, ev);
		return;
	}
	case CE_NS_SECRET: {
		const struct bh_cl_secret *s = &c->secrets[e->ev];
		x->s->rule = CL_RULE(READ_SECRETS)->id;
		x->s->obj = s->ref;
		x->s->text = txt(c, "may read Secret %s (%s), the token of ServiceAccount %s", nsn(s->ref.ns, s->ref.name),
				 ev, s->sa);
		return;
	}
	case CE_NS_CVE: {
		const struct bh_cl_node *n = &c->nodes[e->ev];
		x->s->rule = CL_RULE(NODE_CVE)->id;
		x->s->obj = n->ref;
		x->s->text = txt(c, "may %s in namespace %s (%s) and pin one to node %s (spec.nodeName): %s", cap,
				 g->scope ? g->scope : "any", ev, n->name, cve_text(c, n, &n->cves[e->aux]));
		return;
	}
	case CE_EPHEM_NODE:
		x->s->rule = CL_RULE(EPHEMERAL)->id;
		x->s->obj = p->ref;
		x->s->text = txt(c, "may add a privileged ephemeral container to pod %s on node %s (%s); Pod Security "
				 "there lets it through", nsn(p->ns, p->name), p->node ? p->node : "?", ev);
		return;
	case CE_PF_NODE:
		x->s->rule = CL_RULE(PORT_FORWARD)->id;
		x->s->obj = p->ref;
		x->s->text = txt(c, "may port-forward into hostNetwork pod %s (%s): node %s's loopback services",
				 nsn(p->ns, p->name), ev, p->node ? p->node : "?");
		return;
	default:
		x->s->rule = rk == CV_NS_EPHEM ? CL_RULE(EPHEMERAL)->id : CL_RULE(EXEC_POD)->id;
		if (!p) { /* no other edge leaves a relay (graph.c) */
			x->s->text = txt(c, "may %s (%s)", cap, ev);
			return;
		}
		x->s->obj = p->ref;
		x->s->text = txt(c, "may %s pod %s (%s)", rk == CV_NS_EPHEM ? "add an ephemeral container to" : "exec into",
				 nsn(p->ns, p->name), ev);
	}
}

/* a grant straight to a target or a named object */
static void direct(struct sctx *x, const struct cl_edge *e)
{
	struct bh_cluster *c = x->c;
	const struct bh_cl_grant *g = &c->grants[e->ev];
	const char *ev = grant_ev(x, e->ev);
	const struct cl_vertex *to = &c->g->v[e->to];
	static const uint8_t rule_of[CL_NCAPS] = {
		[CL_ADMIN] = CL_R_CLUSTER_ADMIN, [CL_BIND] = CL_R_ESCALATE_BIND, [CL_ESCALATE] = CL_R_ESCALATE_BIND,
		[CL_IMPERSONATE] = CL_R_IMPERSONATE, [CL_NODES_PROXY] = CL_R_NODES_PROXY, [CL_CSR_APPROVE] = CL_R_CSR_APPROVE,
		[CL_WEBHOOKS] = CL_R_WEBHOOKS, [CL_EXEC] = CL_R_EXEC_POD, [CL_ATTACH] = CL_R_EXEC_POD,
		[CL_EPHEMERAL] = CL_R_EPHEMERAL, [CL_SA_TOKEN] = CL_R_SA_TOKEN, [CL_SECRETS] = CL_R_READ_SECRETS,
		[CL_CREATE_PODS] = CL_R_CREATE_PRIVILEGED_POD, [CL_WORKLOADS] = CL_R_CREATE_PRIVILEGED_POD,
	};
	static const char *const what[CL_NCAPS] = {
		[CL_ADMIN] = "holds every verb on every resource cluster-wide",
		[CL_BIND] = "may bind any ClusterRole cluster-wide, cluster-admin included",
		[CL_ESCALATE] = "may escalate ClusterRoles cluster-wide: write any rule into a bound role",
		[CL_IMPERSONATE] = "may impersonate any user or group, system:masters included",
		[CL_NODES_PROXY] = "may use nodes/proxy: the kubelet API (exec in any pod on the node, outside the audit log)",
		[CL_CSR_APPROVE] = "may approve CSRs: a client certificate for system:node:NAME or any user",
		[CL_WEBHOOKS] = "may change admission webhooks: a mutating webhook makes any new pod privileged",
	};
	x->s->rule = bh_rules[BH_RULES_CLUSTER_FIRST + rule_of[g->cap]].id;
	x->s->obj = (struct bh_cl_ref){.kind = to->kind == CV_ADMIN ? "ClusterAdmin" : "Node", .name = to->name};
	if (to->kind == CV_POD || to->kind == CV_SA) {
		x->s->obj = to->kind == CV_POD ? c->pods[to->obj].ref : c->sas[to->obj].ref;
		x->s->text = txt(c, "may %s %s (%s, named in resourceNames)", bh_cl_cap_name[g->cap],
				 nsn(to->ns, to->name), ev);
	} else if (e->kind == CE_EXEMPT) {
		x->s->text = txt(c, "may %s and is exempt from Pod Security (AdmissionConfiguration exemptions.usernames): "
				 "a privileged pod on any node (%s)", bh_cl_cap_name[g->cap], ev);
	} else
		x->s->text = txt(c, "%s%s%s (%s)", what[g->cap] ? what[g->cap] : bh_cl_cap_name[g->cap],
				 to->kind == CV_NODE ? ", on node " : "", to->kind == CV_NODE ? to->name : "", ev);
}

static void pod_step(struct sctx *x, const struct cl_edge *e)
{
	struct bh_cluster *c = x->c;
	const struct bh_cl_pod *p = &c->pods[e->ev];
	x->s->obj = p->ref;
	x->s->via = p->ref;
	if (e->kind == CE_POD_ESCAPE) {
		const struct bh_finding *f = &c->eng.findings.v[p->avenue];
		x->s->rule = f->rule->id;
		x->s->field = f->field;
		x->s->via.line = f->line;
		x->s->via.col = f->col;
		x->s->obj = (struct bh_cl_ref){.kind = "Node", .name = p->node ? p->node : "*"};
		x->s->text = txt(c, "%s %s escapes to %s: %s", p->ref.kind, nsn(p->ns, p->name),
				 p->node ? p->node : "any node it is scheduled on", f->message);
	} else if (e->kind == CE_POD_CVE) {
		const struct bh_cl_node *n = &c->nodes[bh_cl_map_get(&c->nodemap, p->node)];
		x->s->rule = CL_RULE(NODE_CVE)->id;
		x->s->obj = n->ref;
		x->s->via = n->ref;
		x->s->field = "status.nodeInfo";
		x->s->text = txt(c, "pod %s can use %s", nsn(p->ns, p->name), cve_text(c, n, &n->cves[e->aux]));
	} else if (e->kind == CE_POD_TOKEN) {
		x->s->obj = c->sas[c->g->v[e->to].obj].ref;
		x->s->rule = CL_RULE(POD_TOKEN)->id;
		x->s->field = "spec.automountServiceAccountToken";
		x->s->text = txt(c, "%s %s mounts the token of ServiceAccount %s%s", p->ref.kind, nsn(p->ns, p->name),
				 nsn(p->ns, p->sa),
				 e->aux == 1 ? "; the API server is not reachable from the pod under NetworkPolicy (the "
					       "token must leave the pod another way first)"
				 : e->aux == 2 ? "; the API server is not reachable from the pod under NetworkPolicy, but "
						 "the kubelet port of a node is (nodes/proxy rights work there)"
					       : "");
	} else if (e->kind == CE_POD_METADATA) {
		x->s->rule = CL_RULE(METADATA)->id;
		x->s->obj = (struct bh_cl_ref){.kind = "Node", .name = p->node ? p->node : "*"};
		x->s->field = "status.podIPs";
		x->s->text = txt(c, "pod %s can connect to the cloud metadata address 169.254.169.254:80 under "
				 "NetworkPolicy: the credentials of node %s", nsn(p->ns, p->name), p->node ? p->node : "?");
	} else {
		x->s->obj = c->sas[c->g->v[e->to].obj].ref;
		x->s->rule = CL_RULE(NODE_TOKENS)->id;
		x->s->text = txt(c, "node %s holds the token of pod %s (ServiceAccount %s)", p->node, nsn(p->ns, p->name),
				 nsn(p->ns, p->sa));
	}
}

int bh_cl_step(struct bh_cluster *c, const struct cl_edge *in, const struct cl_edge *e, struct bh_cl_step *out)
{
	struct sctx x = {c, out};
	*out = (struct bh_cl_step){0};
	out->sev = (enum bh_sev)(in && in->sev < e->sev ? in->sev : e->sev);
	const struct cl_vertex *from = &c->g->v[e->from];
	if (in)
		relayed(&x, in->ev, e, (enum cl_vkind)from->kind);
	else if (e->kind == CE_GRANT || e->kind == CE_EXEMPT)
		direct(&x, e);
	else if (e->kind >= CE_POD_ESCAPE && e->kind <= CE_POD_METADATA)
		pod_step(&x, e);
	else if (e->kind == CE_MEMBER) {
		out->rule = CL_RULE(GROUP_MEMBER)->id;
		out->obj = (struct bh_cl_ref){.kind = "Group", .name = c->g->v[e->to].name};
		out->text = txt(c, "is a member of group %s", c->g->v[e->to].name);
	} else if (e->kind == CE_MASTERS) {
		out->rule = CL_RULE(CLUSTER_ADMIN)->id;
		out->obj = (struct bh_cl_ref){.kind = "ClusterAdmin", .name = "*"};
		out->text = "group system:masters is authorised for everything before RBAC is asked";
	} else {
		out->rule = CL_RULE(NODE_TOKENS)->id;
		out->obj = c->nodes[e->ev].ref;
		out->text = txt(c, "chooses node %s", c->nodes[e->ev].name);
	}
	return out->text ? 0 : -1;
}
