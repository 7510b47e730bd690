/* PolicyReport (wgpolicyk8s.io/v1alpha2, kubernetes-sigs/wg-policy-prototypes): one PolicyReport per
 * namespace (a namespaced object without one counts in the report's default namespace, `default` unless
 * --policyreport-namespace says otherwise), one ClusterPolicyReport for cluster-scoped objects, printed as a JSON `kind: List` so that
 * `kubectl apply -f -` takes it. A finding is a `fail` result (`skip` when suppressed); objects without
 * findings count as `pass` in the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

/* Kinds without a namespace (the built-in cluster-scoped ones); any other kind without one is namespaced
 * and was meant for the namespace kubectl applies it to. */
static bool cluster_scoped(const char *kind)
{
	static const char *const k[] = {
		"Namespace", "Node", "PersistentVolume", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
		"StorageClass", "PriorityClass", "RuntimeClass", "IngressClass", "CSIDriver", "CSINode", "VolumeAttachment",
		"ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
		"ValidatingAdmissionPolicyBinding", "APIService", "PodSecurityPolicy", "CertificateSigningRequest",
		"FlowSchema", "PriorityLevelConfiguration", "ComponentStatus", "List"};
	for (size_t i = 0; kind && i < sizeof(k) / sizeof(*k); i++)
		if (!strcmp(kind, k[i]))
			return true;
	return !kind;
}

static const char *ns_of(const struct bh_report *r, const struct bh_objref *o)
{
	if (o->namespace || cluster_scoped(o->kind))
		return o->namespace;
	return r->default_namespace ? r->default_namespace : "default";
}

static bool same_obj(const struct bh_objref *a, const struct bh_objref *b)
{
	return a->line == b->line && a->col == b->col && a->file && b->file && !strcmp(a->file, b->file);
}

static void resource(FILE *out, const struct bh_objref *o, const char *ns)
{
	fputs("{\"apiVersion\": ", out);
	bh_json_str(out, o->api_version);
	fputs(", \"kind\": ", out);
	bh_json_str(out, o->kind);
	fputs(", \"name\": ", out);
	bh_json_str(out, o->name);
	if (ns) {
		fputs(", \"namespace\": ", out);
		bh_json_str(out, ns);
	}
	fputs("}", out);
}

/* namespace → index, open addressing; NULL (cluster scope) is index 0 */
struct nsmap {
	const char **names; /* by index */
	size_t n;
	size_t *slots;      /* index + 1 */
	size_t cap;
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static size_t ns_index(struct nsmap *m, const char *ns)
{
	if (!ns)
		return 0;
	size_t h = hash(ns) & (m->cap - 1);
	while (m->slots[h]) {
		if (!strcmp(m->names[m->slots[h] - 1], ns))
			return m->slots[h] - 1;
		h = (h + 1) & (m->cap - 1);
	}
	m->names[m->n] = ns;
	m->slots[h] = ++m->n;
	return m->n - 1;
}

/* findings grouped by namespace: counts per namespace k at cnt[k*4 + 0..3] (pass, fail, skip, results),
 * finding indices of namespace k at order[start[k] .. start[k] + cnt[k*4+3]) */
struct groups {
	struct nsmap m;
	size_t *fns, *cnt, *order, *start;
};

static void groups_free(struct groups *g)
{
	free(g->m.names), free(g->m.slots), free(g->fns), free(g->cnt), free(g->order), free(g->start);
}

static int groups_build(struct groups *g, const struct bh_report *r, const struct bh_finding *f, size_t n)
{
	size_t total = r->nobjlist + n + 1;
	memset(g, 0, sizeof(*g));
	g->m.cap = 16;
	while (g->m.cap < total * 2)
		g->m.cap *= 2;
	g->m.names = calloc(total + 1, sizeof(*g->m.names));
	g->m.slots = calloc(g->m.cap, sizeof(*g->m.slots));
	g->fns = calloc(n + 1, sizeof(*g->fns));         /* namespace of each finding */
	g->cnt = calloc(total + 1, sizeof(*g->cnt) * 4);
	g->order = calloc(n + 1, sizeof(*g->order));
	g->start = calloc(total + 2, sizeof(*g->start));
	if (!g->m.names || !g->m.slots || !g->fns || !g->cnt || !g->order || !g->start) {
		groups_free(g);
		return -1;
	}
	g->m.n = 1; /* index 0: cluster scope */
	/* objects and findings are both in input order: walk them together, once */
	for (size_t o = 0, i = 0; o < r->nobjlist; o++) {
		size_t k = ns_index(&g->m, ns_of(r, &r->objlist[o]));
		bool any = false;
		for (; i < n && same_obj(&f[i].obj, &r->objlist[o]); i++)
			any |= !f[i].suppressed;
		g->cnt[k * 4 + 0] += !any;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = g->fns[i] = ns_index(&g->m, ns_of(r, &f[i].obj));
		g->cnt[k * 4 + (f[i].suppressed ? 2 : 1)]++;
		g->cnt[k * 4 + 3]++;
	}
	for (size_t k = 0; k < g->m.n; k++)
		g->start[k + 1] = g->start[k] + g->cnt[k * 4 + 3];
	for (size_t i = 0; i < n; i++)
		g->order[g->start[g->fns[i]]++] = i;
	for (size_t k = g->m.n; k > 0; k--) /* start[k] now holds where group k+1 begins: shift back */
		g->start[k] = g->start[k - 1];
	g->start[0] = 0;
	return 0;
}

static void write_result(FILE *out, const struct bh_finding *x, const char *nsname, time_t now)
{
	fputs("{\"source\": \"bulkhead\", \"policy\": ", out);
	bh_json_str(out, x->rule->id);
	fputs(", \"rule\": ", out);
	bh_json_str(out, x->rule->name);
	fputs(", \"category\": \"Container escape\", \"severity\": ", out);
	bh_json_str(out, bh_sev_name(x->sev));
	fprintf(out, ", \"result\": \"%s\", \"scored\": true, \"message\": ", x->suppressed ? "skip" : "fail");
	bh_json_str(out, x->message);
	fprintf(out, ", \"timestamp\": {\"seconds\": %lld, \"nanos\": 0}, \"resources\": [", (long long)now);
	resource(out, &x->obj, nsname);
	fputs("], \"properties\": {\"field\": ", out);
	bh_json_str(out, x->field ? x->field : "");
	fputs(", \"container\": ", out);
	bh_json_str(out, x->container ? x->container : "");
	fprintf(out, ", \"location\": \"%s:%u:%u\"", x->obj.file ? x->obj.file : "-", x->line, x->col);
	if (x->rule->technique) {
		fputs(", \"technique\": ", out);
		bh_json_str(out, x->rule->technique);
	}
	if (x->suppressed) {
		fputs(", \"suppressedReason\": ", out);
		bh_json_str(out, x->suppress_reason ? x->suppress_reason : "");
	}
	fputs("}}", out);
}

/* the PolicyReport of namespace k (ClusterPolicyReport for k = 0) */
static void write_item(FILE *out, const struct groups *g, size_t k, const struct bh_finding *f, time_t now)
{
	const char *nsname = g->m.names[k];
	const size_t *cnt = g->cnt + k * 4;
	if (nsname) {
		fputs("{\"apiVersion\": \"wgpolicyk8s.io/v1alpha2\", \"kind\": \"PolicyReport\", \"metadata\": {\"name\": ", out);
		char nm[300];
		snprintf(nm, sizeof(nm), "bulkhead-%s", nsname);
		bh_json_str(out, nm);
		fputs(", \"namespace\": ", out);
		bh_json_str(out, nsname);
	} else
		fputs("{\"apiVersion\": \"wgpolicyk8s.io/v1alpha2\", \"kind\": \"ClusterPolicyReport\", \"metadata\": {\"name\": \"bulkhead-cluster\"", out);
	fputs(", \"labels\": {\"app.kubernetes.io/managed-by\": \"bulkhead\"}}", out);
	fprintf(out, ",\n  \"summary\": {\"pass\": %zu, \"fail\": %zu, \"warn\": 0, \"error\": 0, \"skip\": %zu},\n  \"results\": [",
		cnt[0], cnt[1], cnt[2]);
	for (size_t q = g->start[k]; q < g->start[k] + cnt[3]; q++) {
		fputs(q > g->start[k] ? ",\n   " : "\n   ", out);
		write_result(out, &f[g->order[q]], nsname, now);
	}
	fputs(cnt[3] ? "\n  ]}" : "]}", out);
}

int bh_report_policyreport(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	struct groups g;
	if (groups_build(&g, r, f, n) < 0)
		return -1;
	time_t now = time(NULL);
	fputs("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [", out);
	size_t items = 0;
	/* namespaced reports in order of first appearance, the cluster report last */
	for (size_t kk = 1; kk <= g.m.n; kk++) {
		size_t k = kk == g.m.n ? 0 : kk;
		if (!g.m.names[k] && g.cnt[0] == 0 && g.cnt[3] == 0)
			continue; /* no cluster-scoped objects */
		fputs(items++ ? ",\n " : "\n ", out);
		write_item(out, &g, k, f, now);
	}
	fputs(items ? "\n]}\n" : "]}\n", out);
	groups_free(&g);
	return ferror(out) ? -1 : 0;
}
