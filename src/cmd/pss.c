/* bulkhead pss --level baseline|restricted [--version v1.N|latest] [--format text|json] PATH... — DESIGN §5.
 * One verdict per object that holds a pod template, in Pod Security Admission's own words. Workloads are
 * evaluated on their pod template, as PSA does for its warnings (admission.go ValidatePodController). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config/engine_ops.h"
#include "engine/batch.h"
#include "report/report.h"
#include "rules/pss.h"

static const char pss_help[] =
	"usage: bulkhead pss --level baseline|restricted [--version v1.N|latest] [--format text|json] PATH...\n"
	"\n"
	"Says, for every object that holds a pod template (Pod, Deployment, CronJob, …), whether Pod Security\n"
	"Admission would accept it at that level and version, with PSA's own check ids and reason/detail text.\n"
	"Workloads are judged on their pod template (the API server warns on them and rejects their Pods).\n"
	"Objects without a pod template are skipped. PATH may be a file, a directory (searched recursively for\n"
	"*.yaml, *.yml, *.json) or - for stdin.\n"
	"\n"
	"options:\n"
	"  --level LEVEL        baseline, restricted (or privileged: everything is allowed); required\n"
	"  --version VERSION    policy version v1.0 … v1.37, or latest (default); newer versions are\n"
	"                       evaluated as the newest, like PSA\n"
	"  --format text|json   output format (default text)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 every object allowed, 1 something forbidden,\n"
	"            2 usage error or an input that could not be read or decoded (the others are still reported)\n";

struct pss_viol {
	const char *check, *reason, *detail;
};

struct pss_res {
	struct bh_objref ref;   /* strings in the engine's results arena */
	const char *in_list;
	bool allowed;
	struct pss_viol *v;
	uint32_t n;
};

struct pss_run {
	enum bh_pss_level level;
	int minor;
	struct pss_res *r;
	size_t n, cap;
	size_t last_obj; /* e->objects when the last result was added */
	int oom;
};

static const char *keep(struct bh_engine *e, const char *s)
{
	return s ? bh_arena_strndup(&e->results, s, strlen(s)) : NULL;
}

/* PSA reports each check once: a check the first reading already violated keeps that record */
static bool has_viol(const struct pss_res *r, const char *check)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].check, check))
			return true;
	return false;
}

/* Both readings of an object with duplicate keys arrive one after the other (first-wins, then
 * last-wins): forbidden if either is, violations unioned in PSA's check order. */
static void on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	struct pss_run *run = ctx;
	struct bh_pss_result res;
	if (bh_pss_eval(p, run->level, run->minor, &e->doc, &res) < 0) {
		bh_engine_error(e, p->obj->doc->file, p->obj->ref.line, p->obj->ref.col, "out of memory evaluating PSS");
		return;
	}
	struct pss_res *r;
	if (p->reading == BH_READ_LAST && run->n && run->last_obj == e->objects) {
		r = &run->r[run->n - 1];
	} else {
		if (run->n == run->cap) {
			size_t nc = run->cap ? run->cap * 2 : 64;
			struct pss_res *nv = realloc(run->r, nc * sizeof(*nv));
			if (!nv) {
				run->oom = 1;
				return;
			}
			run->r = nv;
			run->cap = nc;
		}
		r = &run->r[run->n++];
		run->last_obj = e->objects; /* the second reading of this object merges into this result */
		memset(r, 0, sizeof(*r));
		r->ref = e->findings.cur; /* interned by the engine for this object */
		r->in_list = keep(e, p->obj->in_list);
		r->allowed = true;
	}
	if (res.allowed)
		return;
	r->allowed = false;
	struct pss_viol *nv = bh_arena_alloc(&e->results, (r->n + res.n) * sizeof(*nv));
	if (!nv) {
		run->oom = 1;
		return;
	}
	/* merge in check-table order, one record per check; where both readings violate a check the last
	 * reading's words (the API server's) are kept */
	uint32_t k = 0, a = 0;
	for (unsigned c = 0; c < BH_PSS_NCHECKS; c++) {
		const char *id = bh_pss_checks[c].id;
		const struct bh_pss_violation *nw = NULL;
		for (uint32_t i = 0; i < res.n && !nw; i++)
			if (res.v[i].check == &bh_pss_checks[c])
				nw = &res.v[i];
		bool had = has_viol(r, id);
		while (a < r->n && !strcmp(r->v[a].check, id)) {
			if (!nw)
				nv[k++] = r->v[a];
			a++;
		}
		if (nw && (!had || p->reading == BH_READ_LAST))
			nv[k++] = (struct pss_viol){id, keep(e, nw->reason), keep(e, nw->detail)};
		else if (nw)
			nv[k++] = r->v[a - 1];
	}
	r->v = nv;
	r->n = k;
}

static void version_name(char *buf, size_t n, int minor)
{
	if (minor == BH_PSS_LATEST)
		snprintf(buf, n, "latest");
	else
		snprintf(buf, n, "v1.%d", minor);
}

static void json_obj(FILE *out, const char *k, const char *v, bool comma)
{
	fprintf(out, "\"%s\": ", k);
	bh_json_str(out, v);
	if (comma)
		fputs(", ", out);
}

/* One result per line so that line tools can process it too. */
static void print_json(FILE *out, const struct bh_engine *e, const struct pss_run *run, const char *version)
{
	fputs("{\"results\": [", out);
	for (size_t i = 0; i < run->n; i++) {
		const struct pss_res *r = &run->r[i];
		fputs(i ? ",\n  {" : "\n  {", out);
		fputs("\"object\": {", out);
		json_obj(out, "apiVersion", r->ref.api_version, true);
		json_obj(out, "kind", r->ref.kind, true);
		json_obj(out, "namespace", r->ref.namespace, true);
		json_obj(out, "name", r->ref.name, false);
		fputs("}, \"location\": {", out);
		json_obj(out, "file", r->ref.file, true);
		fprintf(out, "\"line\": %u, \"column\": %u", r->ref.line, r->ref.col);
		if (r->in_list) {
			fputs(", ", out);
			json_obj(out, "item", r->in_list, false);
		}
		fputs("}, ", out);
		json_obj(out, "level", bh_pss_level_name(run->level), true);
		json_obj(out, "version", version, true);
		fprintf(out, "\"allowed\": %s, \"violations\": [", r->allowed ? "true" : "false");
		for (uint32_t k = 0; k < r->n; k++) {
			fputs(k ? ", {" : "{", out);
			json_obj(out, "check", r->v[k].check, true);
			json_obj(out, "reason", r->v[k].reason, true);
			json_obj(out, "detail", r->v[k].detail, false);
			fputs("}", out);
		}
		fputs("]}", out);
	}
	fputs(run->n ? "\n ],\n \"errors\": [" : "],\n \"errors\": [", out);
	for (size_t i = 0; i < e->errors.n; i++) {
		const struct bh_input_error *x = &e->errors.v[i];
		fputs(i ? ",\n  {" : "\n  {", out);
		json_obj(out, "file", x->file, true);
		fprintf(out, "\"line\": %u, \"column\": %u, ", x->line, x->col);
		json_obj(out, "message", x->message, false);
		fputs("}", out);
	}
	fputs(e->errors.n ? "\n ]}\n" : "]}\n", out);
}

static void print_text(FILE *out, const struct bh_engine *e, const struct pss_run *run, const char *version, bool color)
{
	const char *red = color ? "\033[31m" : "", *green = color ? "\033[32m" : "", *off = color ? "\033[0m" : "";
	size_t forbidden = 0;
	/* forbidden objects first (worst first), then the allowed ones; input order within each group */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < run->n; i++) {
			const struct pss_res *r = &run->r[i];
			if (r->allowed != (pass == 1))
				continue;
			forbidden += !r->allowed;
			fprintf(out, "%s:%u:%u%s%s %s %s%s%s: %s%s%s\n", r->ref.file ? r->ref.file : "-", r->ref.line,
				r->ref.col, r->in_list ? " " : "", r->in_list ? r->in_list : "",
				r->ref.kind ? r->ref.kind : "(no kind)", r->ref.namespace ? r->ref.namespace : "",
				r->ref.namespace ? "/" : "", r->ref.name ? r->ref.name : "(unnamed)",
				r->allowed ? green : red, r->allowed ? "allowed" : "forbidden", off);
			for (uint32_t k = 0; k < r->n; k++)
				fprintf(out, "  %s (%s)  [%s]\n", r->v[k].reason, r->v[k].detail, r->v[k].check);
		}
	for (size_t i = 0; i < e->errors.n; i++)
		fprintf(stderr, "%s:%u:%u: error: %s\n", e->errors.v[i].file ? e->errors.v[i].file : "-",
			e->errors.v[i].line, e->errors.v[i].col, e->errors.v[i].message);
	for (size_t i = 0; i < e->warnings.n; i++)
		fprintf(stderr, "%s:%u:%u: warning: %s\n", e->warnings.v[i].file ? e->warnings.v[i].file : "-",
			e->warnings.v[i].line, e->warnings.v[i].col, e->warnings.v[i].message);
	size_t skipped = e->objects >= run->n ? e->objects - run->n : 0;
	fprintf(out, "%s:%s", bh_pss_level_name(run->level), version);
	if (run->minor == BH_PSS_LATEST)
		fprintf(out, " (v1.%d)", BH_PSS_MAX_MINOR);
	fprintf(out, ": %zu object%s evaluated, %zu allowed, %zu forbidden", run->n, run->n == 1 ? "" : "s",
		run->n - forbidden, forbidden);
	if (skipped)
		fprintf(out, "; %zu object%s without a pod template skipped", skipped, skipped == 1 ? "" : "s");
	if (e->errors.n)
		fprintf(out, "; %zu input error%s", e->errors.n, e->errors.n == 1 ? "" : "s");
	fputc('\n', out);
}

/* 0: go on, 1: done (--help), 2: usage error (printed) */
static int parse(int argc, char **argv, struct pss_run *run, int *format)
{
	static const struct option opts[] = {
		{"level", required_argument, NULL, 'l'}, {"version", required_argument, NULL, 'V'},
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'}, {0},
	};
	int c, rc = 0, level = -1;
	optind = 1;
	opterr = 0;
	bool json = bh_cli_json_asked(argc, argv);
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if ((level = bh_pss_level_parse(optarg)) < 0)
				rc = bh_cli_error("pss", json, "unknown --level '%s' (baseline, restricted, privileged)", optarg);
			break;
		case 'V':
			if (bh_pss_version_parse(optarg, &run->minor) < 0)
				rc = bh_cli_error("pss", json, "bad --version '%s' (v1.0 … v1.%d, or latest)", optarg,
						  BH_PSS_MAX_MINOR);
			break;
		case 'f': rc = bh_cli_format("pss", optarg, BH_FMT_TEXT_JSON, format); break;
		case 'h': fputs(pss_help, stdout); return 1;
		default: rc = bh_cli_error("pss", json, "unknown option '%s' (see bulkhead pss --help)", argv[optind - 1]);
		}
	}
	if (rc == 0 && level < 0)
		rc = bh_cli_error("pss", json, "--level is required (baseline or restricted)");
	if (rc == 0 && optind >= argc)
		rc = bh_cli_error("pss", json, "no input: give files, directories or - for stdin");
	run->level = (enum bh_pss_level)level;
	return rc;
}

int cmd_pss(int argc, char **argv)
{
	struct pss_run run = {.minor = BH_PSS_LATEST};
	int format = BH_FMT_TEXT;
	int rc = parse(argc, argv, &run, &format);
	if (rc)
		return rc == 1 ? 0 : rc;
	/* one worker: the verdicts are collected in run, in input order */
	struct bh_batch_opts bo = {.cfg_ops = &bh_config_engine_ops, .jobs = 1, .no_rules = true, .on_pod = on_pod,
				   .on_pod_ctx = &run};
	struct bh_batch b;
	if (bh_batch_run(&b, &bo, argv + optind, argc - optind) < 0 || run.oom)
		bh_engine_error(&b.e, NULL, 0, 0, "out of memory: some results are missing");

	char version[32];
	version_name(version, sizeof(version), run.minor);
	if (format == BH_FMT_JSON)
		print_json(stdout, &b.e, &run, version);
	else
		print_text(stdout, &b.e, &run, version, isatty(1) && !getenv("NO_COLOR"));

	rc = 0;
	for (size_t i = 0; i < run.n; i++)
		if (!run.r[i].allowed)
			rc = 1;
	if (b.e.errors.n)
		rc = 2;
	free(run.r);
	bh_batch_release(&b);
	return rc;
}
