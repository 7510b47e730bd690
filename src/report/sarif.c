/* SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html) for GitHub code
 * scanning: rules in tool.driver.rules with `security-severity` (GitHub ranks alerts by it: >= 9.0
 * critical, 7.0–8.9 high, 4.0–6.9 medium, < 4.0 low), results with file/line/column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "util/version.h"

static const char *level(enum bh_sev s)
{
	return s >= BH_SEV_HIGH ? "error" : s == BH_SEV_MEDIUM ? "warning" : "note";
}

static const char *security_severity(enum bh_sev s)
{
	static const char *const v[] = {"1.0", "3.0", "5.5", "8.0", "9.5"};
	return (unsigned)s < BH_SEV_NONE ? v[s] : "0.0";
}

/* artifactLocation.uri is a URI reference: percent-encode all but unreserved characters and '/' */
static void uri(FILE *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	putc('"', out);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			putc(*p, out);
		else {
			putc('%', out);
			putc(hex[*p >> 4], out);
			putc(hex[*p & 15], out);
		}
	}
	putc('"', out);
}

static const char *uri_path(const char *file)
{
	return !strcmp(file, "<stdin>") ? "stdin" : (file[0] == '.' && file[1] == '/' ? file + 2 : file);
}

/* the rules referenced, in first-seen order; ruleidx[i] is finding i's */
static size_t collect_rules(const struct bh_finding *f, size_t n, const struct bh_rule **rules, size_t *ruleidx)
{
	size_t nr = 0;
	for (size_t i = 0; i < n; i++) {
		size_t k = 0;
		while (k < nr && rules[k] != f[i].rule)
			k++;
		if (k == nr)
			rules[nr++] = f[i].rule;
		ruleidx[i] = k;
	}
	return nr;
}

static void write_rule(FILE *out, const struct bh_rule *ru)
{
	fputs("\"id\": ", out);
	bh_json_str(out, ru->id);
	fputs(", \"name\": ", out);
	bh_json_str(out, ru->name);
	fputs(", \"shortDescription\": {\"text\": ", out);
	bh_json_str(out, ru->title);
	fputs("}, \"fullDescription\": {\"text\": ", out);
	char ex[8192];
	bool full = ru->what && bh_rule_explain(ru, ex, sizeof(ex)) < sizeof(ex);
	bh_json_str(out, full ? ex : ru->title);
	fputs("}, \"help\": {\"text\": ", out);
	bh_json_str(out, ru->remediation ? ru->remediation : ru->title);
	fprintf(out, "}, \"defaultConfiguration\": {\"level\": \"%s\"}, \"properties\": {\"security-severity\": \"%s\", "
		     "\"tags\": [\"security\", \"container-escape\"",
		level(ru->sev), security_severity(ru->sev));
	if (ru->technique) {
		fputs(", ", out);
		bh_json_str(out, ru->technique);
	}
	fputs("]", out);
	if (ru->pss_check) {
		fputs(", \"pss\": ", out);
		bh_json_str(out, ru->pss_check);
	}
	fputs("}}", out);
}

/* "physicalLocation": {"artifactLocation": …, "region": …} (line 0: no region) */
static void physical(FILE *out, const char *file, uint32_t line, uint32_t col)
{
	fputs("{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ", out);
	uri(out, uri_path(file));
	fputs("}", out);
	if (line)
		fprintf(out, ", \"region\": {\"startLine\": %u, \"startColumn\": %u}", line, col ? col : 1);
	fputs("}", out);
}

static void write_locations(FILE *out, const struct bh_finding *x)
{
	fputs(", \"locations\": [", out);
	physical(out, x->obj.file, x->line, x->col);
	if (x->obj.kind || x->field) {
		char fq[1024];
		snprintf(fq, sizeof(fq), "%s/%s%s%s%s%s", x->obj.kind ? x->obj.kind : "object",
			 x->obj.namespace ? x->obj.namespace : "", x->obj.namespace ? "/" : "",
			 x->obj.name ? x->obj.name : "(unnamed)", x->field ? "/" : "", x->field ? x->field : "");
		fputs(", \"logicalLocations\": [{\"fullyQualifiedName\": ", out);
		bh_json_str(out, fq);
		fputs(", \"kind\": \"object\"}]", out);
	}
	fputs("}]", out);
}

static void write_result(FILE *out, const struct bh_finding *x, size_t ruleidx)
{
	fputs("\"ruleId\": ", out);
	bh_json_str(out, x->rule->id);
	fprintf(out, ", \"ruleIndex\": %zu, \"level\": \"%s\", \"message\": {\"text\": ", ruleidx, level(x->sev));
	bh_json_str(out, x->message);
	fputs("}", out);
	if (x->obj.file)
		write_locations(out, x);
	char fp[17];
	bh_finding_fingerprint(x, fp);
	fprintf(out, ", \"partialFingerprints\": {\"bulkhead/v1\": \"%s\"}", fp);
	fprintf(out, ", \"properties\": {\"severity\": \"%s\", \"security-severity\": \"%s\"", bh_sev_name(x->sev),
		security_severity(x->sev));
	if (x->container) {
		fputs(", \"container\": ", out);
		bh_json_str(out, x->container);
	}
	fputs("}", out);
	if (x->suppressed) {
		fputs(", \"suppressions\": [{\"kind\": \"external\", \"justification\": ", out);
		bh_json_str(out, x->suppress_reason ? x->suppress_reason : "");
		fputs("}]", out);
	}
	fputs("}", out);
}

/* input errors as tool execution notifications */
static void write_invocation(FILE *out, const struct bh_report *r)
{
	fprintf(out, "  \"invocations\": [{\"executionSuccessful\": %s, \"toolExecutionNotifications\": [",
		r->nerrors ? "false" : "true");
	for (size_t i = 0; i < r->nerrors; i++) {
		const struct bh_input_error *e = &r->errors[i];
		fputs(i ? ",\n    {" : "\n    {", out);
		fputs("\"level\": \"error\", \"message\": {\"text\": ", out);
		bh_json_str(out, e->message);
		fputs("}", out);
		if (e->file) {
			fputs(", \"locations\": [", out);
			physical(out, e->file, e->line, e->col);
			fputs("}]", out);
		}
		fputs("}", out);
	}
	fputs("]}]}]}\n", out);
}

int bh_report_sarif(FILE *out, const struct bh_report *r)
{
	size_t n = r->findings ? r->findings->n : 0;
	const struct bh_finding *f = n ? r->findings->v : NULL;
	const struct bh_rule **rules = calloc(n ? n : 1, sizeof(*rules));
	size_t *ruleidx = calloc(n ? n : 1, sizeof(*ruleidx));
	if (!rules || !ruleidx) {
		free(rules);
		free(ruleidx);
		return -1;
	}
	size_t nr = collect_rules(f, n, rules, ruleidx);
	fprintf(out, "{\"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\", \"version\": \"2.1.0\",\n"
		     " \"runs\": [{\"tool\": {\"driver\": {\"name\": \"bulkhead\", \"version\": \"%s\", "
		     "\"semanticVersion\": \"%s\", \"informationUri\": \"https://github.com/bulkhead-dev/bulkhead\",\n  \"rules\": [",
		BH_VERSION, BH_VERSION);
	for (size_t k = 0; k < nr; k++) {
		fputs(k ? ",\n   {" : "\n   {", out);
		write_rule(out, rules[k]);
	}
	fputs(nr ? "\n  ]}},\n  \"results\": [" : "]}},\n  \"results\": [", out);
	size_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (f[i].suppressed && !r->show_suppressed)
			continue;
		fputs(shown++ ? ",\n   {" : "\n   {", out);
		write_result(out, &f[i], ruleidx[i]);
	}
	fputs(shown ? "\n  ],\n" : "],\n", out);
	write_invocation(out, r);
	free(rules);
	free(ruleidx);
	return ferror(out) ? -1 : 0;
}
