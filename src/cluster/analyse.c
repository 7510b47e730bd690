/* The analysis in order: every service account a binding, pod or Secret names exists as a vertex, Pod
 * Security and webhooks per namespace, node CVEs, RBAC grants, cluster findings (namespaces without Pod
 * Security, node CVEs), then the graph and its paths. */
#include <errno.h>
#include <string.h>

#include "graph.h"

static void referenced_sas(struct bh_cluster *c)
{
	for (size_t i = 0; i < c->nbinds; i++)
		for (uint32_t k = 0; k < c->binds[i].nsubj; k++) {
			const struct bh_cl_subject *s = &c->binds[i].subj[k];
			if (!strcmp(s->kind, "ServiceAccount"))
				bh_cl_sa_get(c, s->ns ? s->ns : "default", s->name);
		}
	for (size_t i = 0; i < c->npods; i++)
		bh_cl_sa_get(c, c->pods[i].ns, c->pods[i].sa);
	for (size_t i = 0; i < c->nsecrets; i++)
		bh_cl_sa_get(c, c->secrets[i].ref.ns, c->secrets[i].sa);
}

static void set_cur(struct bh_cluster *c, const struct bh_cl_ref *r, const char *api)
{
	c->eng.findings.cur = (struct bh_objref){.api_version = api, .kind = r->kind, .namespace = r->ns,
						 .name = r->name, .file = r->file, .line = r->line, .col = r->col};
}

static void findings(struct bh_cluster *c)
{
	for (size_t i = 0; i < c->nnss; i++) {
		const struct bh_cl_ns *ns = &c->nss[i];
		if (!ns->allows_privileged || !ns->seen)
			continue;
		set_cur(c, &ns->ref, "v1");
		bh_emit(&c->eng.findings, CL_RULE(NS_UNENFORCED), CL_RULE(NS_UNENFORCED)->sev, NULL,
			"metadata.labels", ns->ref.line, ns->ref.col,
			"namespace %s lets privileged pods through: Pod Security enforce is %s (%s) and no bulkhead "
			"webhook covers it", ns->name, bh_pss_level_name(ns->enforce.level), ns->psa_source);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct bh_cl_node *n = &c->nodes[i];
		set_cur(c, &n->ref, "v1");
		for (uint32_t k = 0; k < n->ncves; k++) {
			const struct bh_cl_cvehit *h = &n->cves[k];
			enum bh_sev sev = h->maybe ? BH_SEV_MEDIUM : h->cve->sev;
			bh_emit(&c->eng.findings, CL_RULE(NODE_CVE), sev, NULL, "status.nodeInfo", n->ref.line, n->ref.col,
				"%s %s is affected by %s (%s): %s%s%s", h->component, h->version, h->cve->id, h->cve->name,
				h->cve->summary ? h->cve->summary : "", h->maybe ? "; " : "",
				h->maybe ? bh_cl_backport_caveat : "");
		}
	}
}

/* which service accounts hold an escape-relevant permission, directly or through their groups */
static void sa_grants(struct bh_cluster *c)
{
	for (size_t i = 0; i < c->ngrants; i++) {
		const struct bh_cl_subject *s = c->grants[i].subj;
		if (!strcmp(s->kind, "ServiceAccount")) {
			struct bh_cl_sa *sa = bh_cl_sa_get(c, s->ns ? s->ns : "default", s->name);
			if (sa)
				sa->grants = true;
			continue;
		}
		if (strcmp(s->kind, "Group"))
			continue;
		bool all = !strcmp(s->name, "system:serviceaccounts") || !strcmp(s->name, "system:authenticated");
		const char *ns = !strncmp(s->name, "system:serviceaccounts:", 23) ? s->name + 23 : NULL;
		for (size_t k = 0; k < c->nsas && (all || ns); k++)
			if (all || !strcmp(c->sas[k].ns, ns))
				c->sas[k].grants = true;
	}
}

int bh_cluster_analyse(struct bh_cluster *c)
{
	referenced_sas(c);
	bh_cl_analyse_psa(c);
	bh_cl_analyse_nodes(c);
	if (bh_cl_analyse_rbac(c) < 0)
		return -ENOMEM;
	sa_grants(c);
	findings(c);
	if (bh_cl_np_analyse(c) < 0 || bh_cl_graph_build(c) < 0)
		return -ENOMEM;
	return bh_cl_paths_draw(c);
}
