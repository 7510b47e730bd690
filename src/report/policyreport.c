/* PolicyReport (wgpolicyk8s.io/v1alpha2, kubernetes-sigs/wg-policy-prototypes): one PolicyReport per
 * namespace, one ClusterPolicyReport for cluster-scoped objects, printed as a JSON `kind: List` so that
 * `kubectl apply -f -` takes it. A finding is a `fail` result (`skip` when suppressed); objects without
 * findings count as `pass` in the summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"

static bool same_ns(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

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

int bh_report_policyreport(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	/* namespaces in order of first appearance among objects (and findings, for safety) */
	const char **ns = calloc(r->nobjlist + n + 1, sizeof(*ns));
	if (!ns)
		return -1;
	size_t nns = 0;
	bool cluster = false;
	for (size_t i = 0; i < r->nobjlist + n; i++) {
		const char *x = i < r->nobjlist ? r->objlist[i].namespace : f[i - r->nobjlist].obj.namespace;
		if (!x) {
			cluster = true;
			continue;
		}
		size_t k = 0;
		while (k < nns && strcmp(ns[k], x))
			k++;
		if (k == nns)
			ns[nns++] = x;
	}
	time_t now = time(NULL);
	fputs("{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [", out);
	size_t items = 0;
	for (size_t k = 0; k < nns + (cluster ? 1 : 0); k++) {
		const char *nsname = k < nns ? ns[k] : NULL;
		size_t pass = 0, fail = 0, skip = 0;
		for (size_t o = 0; o < r->nobjlist; o++) {
			if (!same_ns(r->objlist[o].namespace, nsname))
				continue;
			bool any = false;
			for (size_t i = 0; i < n && !any; i++)
				any = same_obj(&f[i].obj, &r->objlist[o]) && !f[i].suppressed;
			pass += !any;
		}
		for (size_t i = 0; i < n; i++)
			if (same_ns(f[i].obj.namespace, nsname)) {
				fail += !f[i].suppressed;
				skip += f[i].suppressed;
			}
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
			pass, fail, skip);
		size_t shown = 0;
		for (size_t i = 0; i < n; i++) {
			const struct bh_finding *x = &f[i];
			if (!same_ns(x->obj.namespace, nsname))
				continue;
			fputs(shown++ ? ",\n   " : "\n   ", out);
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
			fputs("], \"properties\": {", out);
			fputs("\"field\": ", out);
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
		fputs(shown ? "\n  ]}" : "]}", out);
	}
	fputs(items ? "\n]}\n" : "]}\n", out);
	free(ns);
	return ferror(out) ? -1 : 0;
}

int bh_report_write(FILE *out, int format, const struct bh_report *r)
{
	switch (format) {
	case BH_FMT_JSON: return bh_report_json(out, r);
	case BH_FMT_SARIF: return bh_report_sarif(out, r);
	case BH_FMT_JUNIT: return bh_report_junit(out, r);
	case BH_FMT_POLICYREPORT: return bh_report_policyreport(out, r);
	default: return bh_report_text(out, r);
	}
}
