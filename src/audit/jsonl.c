/* JSON lines for log pipelines (docs/schema/audit.schema.json): one object per finding, the common
 * finding shape under "finding" and the audit event's evidence under "event"; one {"error": …} per input
 * error. A line is written whole with one fwrite, so concurrent writers never interleave within a line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

static void str_list(FILE *out, const char *key, const char **v, size_t n)
{
	fprintf(out, ", \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", out);
		bh_json_str(out, v[i]);
	}
	fputs("]", out);
}

static void kv(FILE *out, const char *k, const char *v)
{
	fprintf(out, ", \"%s\": ", k);
	bh_json_str(out, v);
}

static void evidence(FILE *out, const struct bha_evid *x)
{
	fputs("{\"auditID\": ", out);
	bh_json_str(out, x->audit_id);
	kv(out, "stage", x->stage);
	kv(out, "verb", x->verb);
	kv(out, "requestURI", x->uri);
	fputs(", \"user\": {\"username\": ", out);
	bh_json_str(out, x->user);
	str_list(out, "groups", x->groups, x->ngroups);
	fputs("}", out);
	kv(out, "impersonatedUser", x->imp_user);
	str_list(out, "sourceIPs", x->ips, x->nips);
	kv(out, "userAgent", x->user_agent);
	fputs(", \"objectRef\": {\"resource\": ", out);
	bh_json_str(out, x->resource);
	kv(out, "subresource", x->subresource);
	kv(out, "namespace", x->ns);
	kv(out, "name", x->name);
	kv(out, "apiGroup", x->group);
	fputs("}", out);
	if (x->code)
		fprintf(out, ", \"code\": %d", x->code);
	else
		fputs(", \"code\": null", out);
	kv(out, "outcome", x->outcome_text);
	fprintf(out, ", \"allowed\": %s", x->outcome == BHA_ALLOWED ? "true" : x->outcome == BHA_DENIED ? "false" : "null");
	fprintf(out, ", \"authorized\": %s", x->authorized == 1 ? "true" : x->authorized == 0 ? "false" : "null");
	kv(out, "time", x->ts);
	kv(out, "related", x->related);
	kv(out, "escapes", x->escapes);
	fputs("}", out);
}

int bh_audit_write_jsonl(FILE *out, struct bh_audit *a, size_t *from, size_t *from_err)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *m = open_memstream(&line, &cap);
	if (!m)
		return -1;
	const struct bh_findings *fs = &a->out.findings;
	for (size_t i = 0; i < a->nevid; i++) {
		const struct bha_evid *x = &a->evid[i];
		if (x->finding < *from || x->finding >= fs->n || fs->v[x->finding].suppressed)
			continue;
		rewind(m);
		fputs("{\"finding\": ", m);
		bh_json_finding(m, &fs->v[x->finding]);
		fputs(", \"event\": ", m);
		evidence(m, x);
		fputs("}\n", m);
		fflush(m);
		fwrite(line, 1, (size_t)ftello(m), out);
	}
	*from = fs->n;
	for (size_t i = *from_err; i < a->out.errors.n; i++) {
		const struct bh_input_error *e = &a->out.errors.v[i];
		rewind(m);
		fputs("{\"error\": {\"file\": ", m);
		bh_json_str(m, e->file);
		fprintf(m, ", \"line\": %u, \"column\": %u, \"message\": ", e->line, e->col);
		bh_json_str(m, e->message);
		fputs("}}\n", m);
		fflush(m);
		fwrite(line, 1, (size_t)ftello(m), out);
	}
	*from_err = a->out.errors.n;
	fclose(m);
	free(line);
	return ferror(out) ? -1 : 0;
}
