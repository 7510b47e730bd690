/* PolicyReport (wgpolicyk8s.io/v1alpha2, kubernetes-sigs/wg-policy-prototypes): one PolicyReport per
 * namespace, one ClusterPolicyReport for cluster-scoped objects, printed as a JSON `kind: List` so that
 * `kubectl apply -f -` takes it. A finding is a `fail` result (`skip` when suppressed); objects without
 * findings count as `pass` in the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

static bool same_obj(const struct bh_objref *a, const struct bh_objref *b)
{
	return a->line == b->line && a->col == b->col && a->file && b->file && !strcmp(a->file, b->file);
}

static void resource(FILE *out, const struct bh_objref *o)
{
	fputs("{\"apiVersion\": ", out);
	bh_json_str(out, o->api_version);
	fputs(", \"kind\": ", out);
	bh_json_str(out, o->kind);
	fputs(", \"name\": ", out);
	bh_json_str(out, o->name);
	if (o->namespace) {
		fputs(", \"namespace\": ", out);
		bh_json_str(out, o->namespace);
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

int bh_report_policyreport(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	size_t total = r->nobjlist + n + 1;
	struct nsmap m = {0};
	m.cap = 16;
	while (m.cap < total * 2)
		m.cap *= 2;
	m.names = calloc(total + 1, sizeof(*m.names));
	m.slots = calloc(m.cap, sizeof(*m.slots));
	size_t *fns = calloc(n + 1, sizeof(*fns));          /* namespace of each finding */
	size_t *cnt = calloc(total + 1, sizeof(*cnt) * 4);  /* pass, fail, skip, results per namespace */
	size_t *order = calloc(n + 1, sizeof(*order));      /* findings grouped by namespace */
	size_t *start = calloc(total + 2, sizeof(*start));
	if (!m.names || !m.slots || !fns || !cnt || !order || !start) {
		free(m.names), free(m.slots), free(fns), free(cnt), free(order), free(start);
		return -1;
	}
	m.names[0] = NULL;
	m.n = 1;
	/* objects and findings are both in input order: walk them together, once */
	for (size_t o = 0, i = 0; o < r->nobjlist; o++) {
		size_t k = ns_index(&m, r->objlist[o].namespace);
		bool any = false;
		for (; i < n && same_obj(&f[i].obj, &r->objlist[o]); i++)
			any |= !f[i].suppressed;
		cnt[k * 4 + 0] += !any;
	}
	for (size_t i = 0; i < n; i++) {
		size_t k = fns[i] = ns_index(&m, f[i].obj.namespace);
		cnt[k * 4 + (f[i].suppressed ? 2 : 1)]++;
		cnt[k * 4 + 3]++;
	}
	for (size_t k = 0; k < m.n; k++)
		start[k + 1] = start[k] + cnt[k * 4 + 3];
	for (size_t i = 0; i < n; i++)
		order[start[fns[i]]++] = i;
	for (size_t k = m.n; k > 0; k--) /* start[k] now holds where group k+1 begins: shift back */
		start[k] = start[k - 1];
	start[0] = 0;
	time_t now = time(NULL);
	fputs("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [", out);
	size_t items = 0;
	/* namespaced reports in order of first appearance, the cluster report last */
	for (size_t kk = 1; kk <= m.n; kk++) {
		size_t k = kk == m.n ? 0 : kk;
		const char *nsname = m.names[k];
		if (!nsname && cnt[0] == 0 && cnt[3] == 0)
			continue; /* no cluster-scoped objects */
		fputs(items++ ? ",\n " : "\n ", out);
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
			cnt[k * 4 + 0], cnt[k * 4 + 1], cnt[k * 4 + 2]);
		for (size_t q = start[k]; q < start[k] + cnt[k * 4 + 3]; q++) {
			const struct bh_finding *x = &f[order[q]];
			fputs(q > start[k] ? ",\n   " : "\n   ", out);
			fputs("{\"source\": \"bulkhead\", \"policy\": ", out);
			bh_json_str(out, x->rule->id);
			fputs(", \"rule\": ", out);
			bh_json_str(out, x->rule->name);
			fputs(", \"category\": \"Container escape\", \"severity\": ", out);
			bh_json_str(out, bh_sev_name(x->sev));
			fprintf(out, ", \"result\": \"%s\", \"scored\": true, \"message\": ", x->suppressed ? "skip" : "fail");
			bh_json_str(out, x->message);
			fprintf(out, ", \"timestamp\": {\"seconds\": %lld, \"nanos\": 0}, \"resources\": [", (long long)now);
			resource(out, &x->obj);
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
		fputs(cnt[k * 4 + 3] ? "\n  ]}" : "]}", out);
	}
	fputs(items ? "\n]}\n" : "]}\n", out);
	free(m.names), free(m.slots), free(fns), free(cnt), free(order), free(start);
	return ferror(out) ? -1 : 0;
}
