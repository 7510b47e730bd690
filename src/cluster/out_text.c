/* Text output of bulkhead cluster: the paths first (worst and shortest first, each step with its rule and
 * evidence), then the facts they were drawn from. */
#include <string.h>

#include "graph.h"

int bh_cl_format_parse(const char *s)
{
	static const char *const names[] = {"text", "json", "sarif", "dot", "mermaid", "html"};
	for (int i = 0; i < 6; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static const char *sevc(enum bh_sev s, bool color)
{
	if (!color)
		return "";
	return s >= BH_SEV_CRITICAL ? "\033[1;31m" : s >= BH_SEV_HIGH ? "\033[31m" : s >= BH_SEV_MEDIUM ? "\033[33m" : "";
}

void bh_cl_ref_text(FILE *out, const struct bh_cl_ref *r)
{
	fprintf(out, "%s %s%s%s", r->kind ? r->kind : "?", r->ns ? r->ns : "", r->ns ? "/" : "", r->name ? r->name : "?");
}

static void where(FILE *out, const struct bh_cl_ref *r)
{
	if (r->file && r->line)
		fprintf(out, " (%s:%u)", r->file, r->line);
}

static void path_text(FILE *out, const struct bh_cl_path *p, size_t i, bool color)
{
	fprintf(out, "%zu. %s%-8s%s ", i + 1, sevc(p->sev, color), bh_sev_name(p->sev), color ? "\033[0m" : "");
	bh_cl_ref_text(out, &p->from);
	fprintf(out, " → %s %s  (%u step%s)\n", p->to_kind, p->to_name, p->nsteps, p->nsteps == 1 ? "" : "s");
	for (uint32_t k = 0; k < p->nsteps; k++) {
		const struct bh_cl_step *s = &p->steps[k];
		fprintf(out, "   %u) [%s %s] %s\n", k + 1, s->rule, bh_sev_name(s->sev), s->text);
		fprintf(out, "      object: ");
		bh_cl_ref_text(out, &s->obj);
		where(out, &s->obj);
		if (s->via.kind) {
			fprintf(out, "; evidence: ");
			bh_cl_ref_text(out, &s->via);
			if (s->field)
				fprintf(out, " %s", s->field);
			where(out, &s->via);
		}
		fputc('\n', out);
	}
}

static const char *psa_str(const struct bh_cl_psa *p, char *buf, size_t n)
{
	char v[16];
	if (p->minor == BH_PSS_LATEST)
		snprintf(v, sizeof(v), "latest");
	else
		snprintf(v, sizeof(v), "v1.%d", p->minor);
	snprintf(buf, n, "%s:%s", bh_pss_level_name(p->level), v);
	return buf;
}

static void ns_text(FILE *out, const struct bh_cluster *c)
{
	fprintf(out, "\nNamespaces (Pod Security enforce / audit / warn; webhooks on pod creation):\n");
	for (size_t i = 0; i < c->nnss; i++) {
		const struct bh_cl_ns *ns = &c->nss[i];
		char a[40], b[40], d[40];
		fprintf(out, "  %-20s enforce %s (%s), audit %s, warn %s; bulkhead webhook: %s%s%s%s%s\n", ns->name,
			psa_str(&ns->enforce, a, sizeof(a)), ns->psa_source, psa_str(&ns->audit, b, sizeof(b)),
			psa_str(&ns->warn, d, sizeof(d)), ns->bulkhead_hook ? ns->bulkhead_hook : "none",
			ns->bulkhead_fail_open ? " (failurePolicy Ignore: fails open)" : "",
			ns->other_hooks ? "; other: " : "", ns->other_hooks ? ns->other_hooks : "",
			ns->allows_privileged ? "; privileged pods get through" : "");
	}
}

static void perms_text(FILE *out, const struct bh_cluster *c)
{
	fprintf(out, "\nEscape-relevant permissions (subject: permission, scope, from):\n");
	for (size_t i = 0; i < c->ngrants; i++) {
		const struct bh_cl_grant *g = &c->grants[i];
		fprintf(out, "  %s %s%s%s: %s in %s", g->subj->kind, g->subj->ns ? g->subj->ns : "", g->subj->ns ? "/" : "",
			g->subj->name, bh_cl_cap_name[g->cap], g->scope ? g->scope : "all namespaces (cluster-wide)");
		for (uint16_t k = 0; k < g->rule->nnames; k++)
			fprintf(out, "%s%s", k ? "," : " only ", g->rule->names[k]);
		fprintf(out, " (%s %s%s%s → %s %s rules[%u])\n", g->bind->ref.kind, g->bind->ref.ns ? g->bind->ref.ns : "",
			g->bind->ref.ns ? "/" : "", g->bind->ref.name, g->role->ref.kind, g->role->ref.name, g->rule->index);
	}
}

static void nodes_text(FILE *out, const struct bh_cluster *c)
{
	fprintf(out, "\nNodes (status.nodeInfo against the escape CVE table):\n");
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct bh_cl_node *n = &c->nodes[i];
		fprintf(out, "  %-20s kernel %s, %s, runtime %s, kubelet %s: %u CVE%s\n", n->name, n->kernel ? n->kernel : "?",
			n->os ? n->os : "?", n->runtime ? n->runtime : "?", n->kubelet ? n->kubelet : "?", n->ncves,
			n->ncves == 1 ? "" : "s");
		if (n->node_report)
			fprintf(out, "    (joined with the bulkhead node report %s)\n", n->node_report->file);
		for (uint32_t k = 0; k < n->ncves; k++)
			fprintf(out, "    %s %s (%s) in %s %s%s%s\n", bh_sev_name(n->cves[k].maybe ? BH_SEV_MEDIUM : n->cves[k].cve->sev),
				n->cves[k].cve->id, n->cves[k].cve->name, n->cves[k].component, n->cves[k].version,
				n->cves[k].maybe ? ": " : "", n->cves[k].maybe ? bh_cl_backport_caveat : "");
	}
}

static void workloads_text(FILE *out, const struct bh_cluster *c, bool color)
{
	fprintf(out, "\nWorkloads (escape avenue from bulkhead scan's rules; token of a service account that holds an "
		"escape-relevant permission):\n");
	for (size_t i = 0; i < c->npods; i++) {
		const struct bh_cl_pod *p = &c->pods[i];
		bool tok = p->token && p->sa_grants;
		if (p->avenue < 0 && !tok)
			continue;
		fprintf(out, "  %s %s/%s", p->ref.kind, p->ns, p->name);
		if (p->node)
			fprintf(out, " on %s", p->node);
		if (p->avenue >= 0) {
			const struct bh_finding *f = &c->eng.findings.v[p->avenue];
			fprintf(out, ": %s%s%s %s %s", sevc(f->sev, color), bh_sev_name(f->sev), color ? "\033[0m" : "",
				f->rule->id, f->message);
		}
		if (tok)
			fprintf(out, "%s mounts the token of ServiceAccount %s/%s", p->avenue >= 0 ? ";" : ":", p->ns, p->sa);
		fputc('\n', out);
	}
}

int bh_cluster_text(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o)
{
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	size_t counts[BH_SEV_NONE + 1] = {0}, tonode = 0;
	for (size_t i = 0; i < ps->n; i++) {
		counts[ps->v[i].sev]++;
		tonode += !strcmp(ps->v[i].to_kind, "Node");
	}
	fprintf(out, "Escape paths (%zu: %zu to a node, %zu to cluster-admin):\n", ps->n, tonode, ps->n - tonode);
	for (size_t i = 0; i < ps->n && (!o->max_paths || i < o->max_paths); i++)
		path_text(out, &ps->v[i], i, o->color);
	if (o->max_paths && ps->n > o->max_paths)
		fprintf(out, "… %zu more paths (--max-paths 0 shows all)\n", ps->n - o->max_paths);
	if (!ps->n)
		fprintf(out, "  none: no identity or workload in the snapshot reaches a node or cluster-admin\n");
	ns_text(out, c);
	perms_text(out, c);
	nodes_text(out, c);
	workloads_text(out, c, o->color);
	if (c->reach.evaluated)
		fprintf(out, "\nNetworkPolicy (%u policies, %u admin policies; %u pods decided): %u cannot reach the API "
			"server, %u reach a kubelet port, %u reach the cloud metadata address\n", c->reach.policies,
			c->reach.admin_policies, c->reach.pods, c->reach.api_blocked, c->reach.kubelet_reachable,
			c->reach.metadata_reachable);
	for (size_t i = 0; i < c->eng.errors.n; i++)
		fprintf(out, "error: %s:%u:%u: %s\n", c->eng.errors.v[i].file ? c->eng.errors.v[i].file : "-",
			c->eng.errors.v[i].line, c->eng.errors.v[i].col, c->eng.errors.v[i].message);
	fprintf(out, "\n%zu paths (%zu critical, %zu high, %zu medium, %zu low); %zu workloads, %zu namespaces, "
		"%zu nodes, %zu bindings, %zu roles; %zu findings; %zu input errors\n",
		ps->n, counts[BH_SEV_CRITICAL], counts[BH_SEV_HIGH], counts[BH_SEV_MEDIUM], counts[BH_SEV_LOW], c->npods,
		c->nnss, c->nnodes, c->nbinds, c->nroles, c->eng.findings.n, c->eng.errors.n);
	return 0;
}
