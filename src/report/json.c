/* JSON reporter: the documented shape (docs/schema/scan.schema.json). */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "util/version.h"

static void kv(FILE *out, const char *k, const char *v, bool comma)
{
	fprintf(out, "\"%s\": ", k);
	bh_json_str(out, v);
	if (comma)
		fputs(", ", out);
}

void bh_json_finding(FILE *out, const struct bh_finding *f)
{
	const struct bh_rule *r = f->rule;
	fputs("{", out);
	kv(out, "rule", r ? r->id : NULL, true);
	kv(out, "name", r ? r->name : NULL, true);
	kv(out, "severity", bh_sev_name(f->sev), true);
	kv(out, "title", r ? r->title : NULL, true);
	kv(out, "message", f->message, true);
	kv(out, "technique", r ? r->technique : NULL, true);
	fputs("\"pss\": ", out);
	if (f->pss_check) {
		fputs("{", out);
		kv(out, "level", f->pss_level, true);
		kv(out, "check", f->pss_check, false);
		fputs("}, ", out);
	} else
		fputs("null, ", out);
	fputs("\"object\": ", out);
	if (f->obj.kind || f->obj.name) {
		fputs("{", out);
		kv(out, "apiVersion", f->obj.api_version, true);
		kv(out, "kind", f->obj.kind, true);
		kv(out, "namespace", f->obj.namespace, true);
		kv(out, "name", f->obj.name, false);
		fputs("}, ", out);
	} else
		fputs("null, ", out);
	kv(out, "container", f->container, true);
	kv(out, "field", f->field, true);
	if (f->evidence)
		kv(out, "evidence", f->evidence, true);
	fputs("\"location\": ", out);
	if (f->obj.file) {
		fputs("{", out);
		kv(out, "file", f->obj.file, true);
		fprintf(out, "\"line\": %u, \"column\": %u}, ", f->line, f->col);
	} else
		fputs("null, ", out);
	kv(out, "remediation", r ? r->remediation : NULL, true);
	fprintf(out, "\"suppressed\": %s", f->suppressed ? "true" : "false");
	if (f->suppressed && f->suppress_reason) {
		fputs(", ", out);
		kv(out, "suppressedReason", f->suppress_reason, false);
	}
	char fp[17];
	bh_finding_fingerprint(f, fp);
	fprintf(out, ", \"fingerprint\": \"%s\"}", fp);
}

void bh_json_member(FILE *out, const char *key)
{
	fputs(", ", out);
	bh_json_str(out, key);
	fputs(": ", out);
}

static void diags(FILE *out, const char *key, const struct bh_input_error *e, size_t n)
{
	fprintf(out, "\"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",\n  {" : "\n  {", out);
		kv(out, "file", e[i].file, true);
		fprintf(out, "\"line\": %u, \"column\": %u, ", e[i].line, e[i].col);
		kv(out, "message", e[i].message, false);
		fputs("}", out);
	}
	fputs(n ? "\n ]" : "]", out);
}

int bh_report_json(FILE *out, const struct bh_report *r)
{
	size_t counts[BH_SEV_NONE] = {0}, suppressed = 0;
	fprintf(out, "{\"tool\": {\"name\": \"bulkhead\", \"version\": \"%s\"},\n \"findings\": [", BH_VERSION);
	size_t shown = 0;
	for (size_t i = 0; r->findings && i < r->findings->n; i++) {
		const struct bh_finding *f = &r->findings->v[i];
		if (f->suppressed) {
			suppressed++;
			if (!r->show_suppressed)
				continue;
		} else if (f->sev < BH_SEV_NONE)
			counts[f->sev]++;
		fputs(shown++ ? ",\n  " : "\n  ", out);
		bh_json_finding(out, f);
	}
	fputs(shown ? "\n ],\n " : "],\n ", out);
	diags(out, "errors", r->errors, r->nerrors);
	fputs(",\n ", out);
	diags(out, "warnings", r->warnings, r->nwarnings);
	fprintf(out,
		",\n \"summary\": {\"files\": %zu, \"objects\": %zu, \"findings\": {\"critical\": %zu, \"high\": %zu, "
		"\"medium\": %zu, \"low\": %zu, \"info\": %zu}, \"suppressed\": %zu, \"errors\": %zu}",
		r->files, r->objects, counts[BH_SEV_CRITICAL], counts[BH_SEV_HIGH], counts[BH_SEV_MEDIUM],
		counts[BH_SEV_LOW], counts[BH_SEV_INFO], suppressed, r->nerrors);
	if (r->json_members)
		r->json_members(out, r->json_ctx);
	fputs("}\n", out);
	return ferror(out) ? -1 : 0;
}
