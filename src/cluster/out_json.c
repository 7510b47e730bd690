/* JSON output of bulkhead cluster (docs/schema/cluster.schema.json): paths, findings in scan's shape,
 * nodes, namespaces, permissions, tokens, errors, summary. SARIF: each path becomes a result of its first
 * step's rule, followed by the findings. */
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "report/report.h"
#include "util/version.h"

/* A JSON string written in runs: the paths' texts are most of a large report, and bh_json_str's per-byte
 * putc was a fifth of the run time at 100k pods (bench/cluster.sh); escapes go through bh_json_strn. */
static void jstr(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	putc('"', out);
	for (;;) {
		size_t n = 0;
		while (s[n] && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20 && s[n] != 0x7f)
			n++;
		fwrite_unlocked(s, 1, n, out);
		s += n;
		if (!*s)
			break;
		char one[2] = {*s, 0};
		/* bh_json_strn quotes: write its inside only */
		char buf[16];
		FILE *m = fmemopen(buf, sizeof(buf), "w");
		if (m) {
			bh_json_strn(m, one, 1);
			long len = ftell(m);
			fclose(m);
			fwrite_unlocked(buf + 1, 1, (size_t)(len - 2), out);
		}
		s++;
	}
	putc('"', out);
}

static void ref_json(FILE *out, const struct bh_cl_ref *r, bool where)
{
	fputs("{\"kind\": ", out);
	jstr(out, r->kind);
	fputs(", \"namespace\": ", out);
	jstr(out, r->ns);
	fputs(", \"name\": ", out);
	jstr(out, r->name);
	if (where && r->file)
		fprintf(out, ", \"file\": "), jstr(out, r->file), fprintf(out, ", \"line\": %u, \"column\": %u", r->line, r->col);
	fputc('}', out);
}

static void step_json(FILE *out, const struct bh_cl_step *s)
{
	fputs("{\"rule\": ", out);
	jstr(out, s->rule);
	fprintf(out, ", \"severity\": \"%s\", \"text\": ", bh_sev_name(s->sev));
	jstr(out, s->text);
	fputs(", \"object\": ", out);
	ref_json(out, &s->obj, true);
	if (s->via.kind) {
		fputs(", \"evidence\": ", out);
		ref_json(out, &s->via, true);
		fputs(", \"field\": ", out);
		jstr(out, s->field);
	}
	fputc('}', out);
}

static void paths_json(FILE *out, const struct bh_cl_paths *ps)
{
	fputs("\"paths\": [", out);
	for (size_t i = 0; i < ps->n; i++) {
		const struct bh_cl_path *p = &ps->v[i];
		fprintf(out, "%s\n  {\"severity\": \"%s\", \"from\": ", i ? "," : "", bh_sev_name(p->sev));
		ref_json(out, &p->from, false);
		fputs(", \"to\": {\"kind\": ", out);
		jstr(out, p->to_kind);
		fputs(", \"name\": ", out);
		jstr(out, p->to_name);
		fputs("}, \"steps\": [", out);
		for (uint32_t k = 0; k < p->nsteps; k++) {
			fputs(k ? ",\n    " : "\n    ", out);
			step_json(out, &p->steps[k]);
		}
		fputs("]}", out);
	}
	fputs("]", out);
}

static void psa_json(FILE *out, const struct bh_cl_psa *p)
{
	fprintf(out, "{\"level\": \"%s\", ", bh_pss_level_name(p->level));
	if (p->minor == BH_PSS_LATEST)
		fputs("\"version\": \"latest\"}", out);
	else
		fprintf(out, "\"version\": \"v1.%d\"}", p->minor);
}

static void ns_json(FILE *out, const struct bh_cluster *c)
{
	fputs(",\n\"namespaces\": [", out);
	for (size_t i = 0; i < c->nnss; i++) {
		const struct bh_cl_ns *ns = &c->nss[i];
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
		jstr(out, ns->name);
		fputs(", \"enforce\": ", out);
		psa_json(out, &ns->enforce);
		fputs(", \"audit\": ", out);
		psa_json(out, &ns->audit);
		fputs(", \"warn\": ", out);
		psa_json(out, &ns->warn);
		fputs(", \"source\": ", out);
		jstr(out, ns->psa_source);
		fprintf(out, ", \"exempt\": %s, \"webhook\": {\"bulkhead\": ", ns->exempt ? "true" : "false");
		jstr(out, ns->bulkhead_hook);
		fprintf(out, ", \"failOpen\": %s, \"others\": ", ns->bulkhead_fail_open ? "true" : "false");
		jstr(out, ns->other_hooks);
		fprintf(out, "}, \"privilegedAllowed\": %s, \"rootAllowed\": %s}", ns->allows_privileged ? "true" : "false",
			ns->allows_root ? "true" : "false");
	}
	fputs("]", out);
}

static void perms_json(FILE *out, const struct bh_cluster *c)
{
	fputs(",\n\"permissions\": [", out);
	for (size_t i = 0; i < c->ngrants; i++) {
		const struct bh_cl_grant *g = &c->grants[i];
		struct bh_cl_ref s = {.kind = g->subj->kind, .ns = g->subj->ns, .name = g->subj->name};
		fputs(i ? ",\n  {\"subject\": " : "\n  {\"subject\": ", out);
		ref_json(out, &s, false);
		fputs(", \"permission\": ", out);
		jstr(out, bh_cl_cap_name[g->cap]);
		fputs(", \"scope\": ", out);
		jstr(out, g->scope ? g->scope : "*");
		fputs(", \"resourceNames\": [", out);
		for (uint16_t k = 0; k < g->rule->nnames; k++)
			fputs(k ? ", " : "", out), jstr(out, g->rule->names[k]);
		fputs("], \"binding\": ", out);
		ref_json(out, &g->bind->ref, true);
		fputs(", \"role\": ", out);
		ref_json(out, &g->role->ref, true);
		fprintf(out, ", \"rule\": %u}", g->rule->index);
	}
	fputs("]", out);
}

static void nodes_json(FILE *out, const struct bh_cluster *c)
{
	fputs(",\n\"nodes\": [", out);
	for (size_t i = 0; i < c->nnodes; i++) {
		const struct bh_cl_node *n = &c->nodes[i];
		fputs(i ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
		jstr(out, n->name);
		fputs(", \"kernelVersion\": ", out);
		jstr(out, n->kernel);
		fputs(", \"osImage\": ", out);
		jstr(out, n->os);
		fputs(", \"containerRuntimeVersion\": ", out);
		jstr(out, n->runtime);
		fputs(", \"kubeletVersion\": ", out);
		jstr(out, n->kubelet);
		fputs(", \"nodeReport\": ", out);
		jstr(out, n->node_report ? n->node_report->file : NULL);
		fputs(", \"cves\": [", out);
		for (uint32_t k = 0; k < n->ncves; k++) {
			const struct bh_cl_cvehit *h = &n->cves[k];
			fputs(k ? ", {\"id\": " : "{\"id\": ", out);
			jstr(out, h->cve->id);
			fputs(", \"name\": ", out);
			jstr(out, h->cve->name);
			fputs(", \"component\": ", out);
			jstr(out, h->component);
			fputs(", \"version\": ", out);
			jstr(out, h->version);
			fprintf(out, ", \"severity\": \"%s\", \"match\": \"%s\", \"needs\": ", bh_sev_name(h->cve->sev),
				h->maybe ? "in-range-upstream" : "affected");
			jstr(out, h->cve->needs);
			fputs(", \"caveat\": ", out);
			jstr(out, h->maybe ? bh_cl_backport_caveat : NULL);
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("]", out);
}

static void tokens_json(FILE *out, const struct bh_cluster *c)
{
	fputs(",\n\"tokens\": [", out);
	bool first = true;
	for (size_t i = 0; i < c->npods; i++) {
		const struct bh_cl_pod *p = &c->pods[i];
		if (!p->token)
			continue;
		fputs(first ? "\n  {\"workload\": " : ",\n  {\"workload\": ", out);
		first = false;
		ref_json(out, &p->ref, false);
		fputs(", \"node\": ", out);
		jstr(out, p->node);
		fputs(", \"serviceAccount\": {\"namespace\": ", out);
		jstr(out, p->ns);
		fputs(", \"name\": ", out);
		jstr(out, p->sa);
		fputc('}', out);
		if (p->api_reach != BH_CL_REACH_UNKNOWN)
			fprintf(out, ", \"apiServerReachable\": %s, \"kubeletsReachable\": %u",
				p->api_reach == BH_CL_REACH_YES ? "true" : "false", p->kubelets);
		fputc('}', out);
	}
	fputs("]", out);
}

/* what the NetworkPolicy evaluator decided (reach.c) */
static void netpol_json(FILE *out, const struct bh_cluster *c)
{
	const struct bh_cl_reachsum *r = &c->reach;
	fprintf(out, ",\n\"networkPolicy\": {\"evaluated\": %s, \"policies\": %u, \"adminPolicies\": %u, "
		"\"cniPoliciesNotEvaluated\": %u, \"pods\": %u, \"apiServerBlocked\": %u, \"metadataReachable\": %u, \"kubeletReachable\": %u}",
		r->evaluated ? "true" : "false", r->policies, r->admin_policies, r->cni_policies, r->pods, r->api_blocked,
		r->metadata_reachable, r->kubelet_reachable);
}

static void summary_json(FILE *out, const struct bh_cluster *c)
{
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	size_t pc[BH_SEV_NONE + 1] = {0}, fc[BH_SEV_NONE + 1] = {0}, tonode = 0;
	for (size_t i = 0; i < ps->n; i++)
		pc[ps->v[i].sev]++, tonode += !strcmp(ps->v[i].to_kind, "Node");
	for (size_t i = 0; i < c->eng.findings.n; i++)
		if (!c->eng.findings.v[i].suppressed)
			fc[c->eng.findings.v[i].sev]++;
	fprintf(out, ",\n\"summary\": {\"paths\": {\"total\": %zu, \"toNode\": %zu, \"toClusterAdmin\": %zu, "
		"\"critical\": %zu, \"high\": %zu, \"medium\": %zu, \"low\": %zu},\n  \"files\": %zu, \"objects\": %zu, "
		"\"workloads\": %zu, \"namespaces\": %zu, \"nodes\": %zu, \"serviceAccounts\": %zu, \"roles\": %zu, "
		"\"bindings\": %zu, \"permissions\": %zu,\n  \"findings\": {\"critical\": %zu, \"high\": %zu, "
		"\"medium\": %zu, \"low\": %zu, \"info\": %zu}}}\n",
		ps->n, tonode, ps->n - tonode, pc[BH_SEV_CRITICAL], pc[BH_SEV_HIGH], pc[BH_SEV_MEDIUM], pc[BH_SEV_LOW],
		c->eng.files, c->eng.objects + c->ignored, c->npods, c->nnss, c->nnodes, c->nsas, c->nroles, c->nbinds,
		c->ngrants, fc[BH_SEV_CRITICAL], fc[BH_SEV_HIGH], fc[BH_SEV_MEDIUM], fc[BH_SEV_LOW], fc[BH_SEV_INFO]);
}

int bh_cluster_json(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o)
{
	fprintf(out, "{\"tool\": {\"name\": \"bulkhead\", \"version\": \"%s\"},\n", BH_VERSION);
	paths_json(out, bh_cluster_paths(c));
	fputs(",\n\"findings\": [", out);
	bool first = true;
	for (size_t i = 0; i < c->eng.findings.n; i++) {
		if ((c->eng.findings.v[i].suppressed && !o->show_suppressed) || c->eng.findings.v[i].sev < o->min_finding)
			continue;
		fputs(first ? "\n  " : ",\n  ", out);
		first = false;
		bh_json_finding(out, &c->eng.findings.v[i]);
	}
	fputs("]", out);
	nodes_json(out, c);
	ns_json(out, c);
	perms_json(out, c);
	tokens_json(out, c);
	netpol_json(out, c);
	fputs(",\n\"errors\": [", out);
	for (size_t i = 0; i < c->eng.errors.n; i++) {
		const struct bh_input_error *e = &c->eng.errors.v[i];
		fputs(i ? ", {\"file\": " : "{\"file\": ", out);
		jstr(out, e->file);
		fprintf(out, ", \"line\": %u, \"column\": %u, \"message\": ", e->line, e->col);
		jstr(out, e->message);
		fputc('}', out);
	}
	fputs("]", out);
	summary_json(out, c);
	return ferror(out) ? -1 : 0;
}

static const struct bh_rule *rule_by_id(const char *id)
{
	for (size_t i = 0; i < BH_RULES_COUNT; i++)
		if (!strcmp(bh_rules[i].id, id))
			return &bh_rules[i];
	return CL_RULE(POD_ESCAPE);
}

int bh_cluster_sarif(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o)
{
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	struct bh_arena a;
	struct bh_findings f;
	bh_arena_init(&a, 0);
	bh_findings_init(&f, &a);
	for (size_t i = 0; i < ps->n; i++) {
		const struct bh_cl_path *p = &ps->v[i];
		const struct bh_cl_step *s = &p->steps[0];
		f.cur = (struct bh_objref){.kind = p->from.kind, .namespace = p->from.ns, .name = p->from.name,
					   .file = s->via.file ? s->via.file : s->obj.file};
		bh_emit(&f, rule_by_id(s->rule), p->sev, NULL, s->field, s->via.file ? s->via.line : s->obj.line,
			s->via.file ? s->via.col : s->obj.col, "escape path to %s %s in %u steps: %s%s", p->to_kind,
			p->to_name, p->nsteps, s->text, p->nsteps > 1 ? " …" : "");
	}
	for (size_t i = 0; i < c->eng.findings.n; i++) {
		const struct bh_finding *x = &c->eng.findings.v[i];
		if ((x->suppressed && !o->show_suppressed) || x->sev < o->min_finding)
			continue;
		f.cur = x->obj;
		struct bh_finding *y = bh_emit(&f, x->rule, x->sev, x->container, x->field, x->line, x->col, "%s", x->message);
		if (y)
			y->evidence = x->evidence;
	}
	struct bh_report r = {.command = "cluster", .findings = &f, .files = c->eng.files};
	int rc = bh_report_sarif(out, &r);
	bh_findings_release(&f);
	bh_arena_release(&a);
	return rc;
}
