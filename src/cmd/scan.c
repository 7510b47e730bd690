/* bulkhead scan [PATH|-]... — DESIGN §5 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config/config.h"
#include "config/engine_ops.h"
#include "engine/batch.h"
#include "engine/pss_scan.h"
#include "image/vulns.h"
#include "imgverify.h"
#include "report/report.h"
#include "rules/rules.h"

static const char scan_help[] =
	"usage: bulkhead scan [OPTIONS] [PATH|-]...\n"
	"\n"
	"Scans Kubernetes manifests (YAML or JSON; files, directories searched recursively for *.yaml, *.yml,\n"
	"*.json; - for stdin) for settings that open a path from a container to the node.\n"
	"Pipes, /dev/stdin, <(cmd) and FIFOs named as PATH are read once; FIFOs, sockets and devices found in\n"
	"a directory are skipped with a warning. Inputs above 256 MiB are input errors. YAML and JSON files\n"
	"in which no document has a kind (Chart.yaml, values.yaml, CI workflows) are skipped with a note; an\n"
	"input without any Kubernetes object is named in a warning.\n"
	"\n"
	"options:\n"
	"  --format FORMAT      text (default), compact (file:line:col: SEVERITY RULE name: message, one line\n"
	"                       per finding), json, sarif (SARIF 2.1.0 for code scanning), junit,\n"
	"                       policyreport (wgpolicyk8s.io/v1alpha2 PolicyReports as a JSON List)\n"
	"  --output FILE        write the report to FILE instead of stdout (never an input); the summary line\n"
	"                       goes to stderr. Several reports in one run: --format F --output FILE, repeated\n"
	"  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY:\n"
	"                       critical, high (default), medium, low, info, none\n"
	"  --severity SEVERITY  show only findings at or above SEVERITY (the exit code still follows --fail-on)\n"
	"  --summary            text: a table of findings per rule before the summary line (stderr otherwise)\n"
	"  --pss LEVEL[:VERSION]  also report Pod Security Admission violations at LEVEL (baseline,\n"
	"                       restricted, privileged) and VERSION (v1.N or latest); default\n"
	"                       baseline:latest; --pss none turns this off. Given, it is a gate: any violation\n"
	"                       at LEVEL exits 1, as `bulkhead pss --level LEVEL` would. A Namespace in the\n"
	"                       input with pod-security.kubernetes.io/enforce[-version] labels sets the level\n"
	"                       and version for its own objects (a warning says so)\n"
	"  --config FILE        disable rules, override severities, trusted registries, exemptions with a\n"
	"                       reason and expiry (docs/config.md); expired exemptions are reported.\n"
	"                       Without it: $BULKHEAD_CONFIG, else .bulkhead.yaml here or at the git root\n"
	"  --enable RULE|AREA   report only these rules (ids or names) or areas (manifest, pss); repeatable\n"
	"  --disable RULE|AREA  never report these (also not for the exit code); repeatable\n"
	"  --baseline FILE      report (and fail on) only findings that are not in FILE, an earlier\n"
	"                       --format json report: findings match by fingerprint (rule, file, object,\n"
	"                       container, field; not the line)\n"
	"  --policyreport-namespace NS  policyreport: the namespace of namespaced objects without one\n"
	"                       (default: default)\n"
	"  --show-suppressed    also list findings suppressed by the config or a bulkhead.io/ignore annotation\n"
	"  --exclude GLOB       skip files and directories matching GLOB (the path, the path below a scanned\n"
	"                       directory, or the name; repeatable); .bulkheadignore at the top of a scanned\n"
	"                       directory lists more (gitignore-like; see docs/scan.md)\n"
	"  --no-ignore-file     do not read .bulkheadignore\n"
	"  --color WHEN         text: auto (default: on a terminal, unless NO_COLOR is set or TERM=dumb),\n"
	"                       always, never\n"
	"  --jobs N             scan files on N threads (default: the CPUs available); output order is\n"
	"                       the same for every N\n"
	"  --vulns FILE         import a Trivy (--format json) or Grype (-o json) vulnerability report (- for\n"
	"                       stdin; repeatable) and rank each image's CVEs by the escape exposure of the\n"
	"                       containers that run it: one finding (BH0311) per image and container, the worst\n"
	"                       CVE first, matched by digest when the image pins one, else by reference\n"
	"  --quiet              text: print only the summary line\n"
	"  --verify-images      verify the cosign-style signatures of the workloads' images whose repository\n"
	"                       has keys in the config's imageSignatures (from the registry: tags resolved\n"
	"                       to digests, each image once): BH0308 unsigned, BH0309 invalid, BH0318 not\n"
	"                       verifiable (onError: deny high, warn medium), BH0310 verified (info)\n"
	"  --registry-ca FILE   CA certificates (PEM) for registries (default: the system's)\n"
	"  --docker-config FILE registry credentials (default $DOCKER_CONFIG/config.json, ~/.docker/config.json)\n"
	"  --registry-timeout SECONDS  each registry request of --verify-images as a whole (default 10)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it (or --pss violations),\n"
	"            2 usage error, an input that could not be read or decoded (the others are still\n"
	"            reported), or no Kubernetes object in any input (an empty List is not an error)\n";

#define MAX_OUT 8
#define MAX_EXCLUDE 64
#define MAX_SEL 128
#define MAX_VULNS 64

/* one report: --format and --output pair up in either order, a repeated one starts the next report */
struct scan_out {
	int format;
	const char *path;       /* NULL: stdout */
	bool has_format;
};

struct scan_opts {
	struct scan_out out[MAX_OUT];
	int nout, fail_on, min_sev, color, jobs;
	bool quiet, show_suppressed, json, rule_summary;
	bool pss_gate;           /* --pss LEVEL given: violations at LEVEL fail like `pss --level LEVEL` */
	bool no_ignore_file;
	const char *config;
	const char *exclude[MAX_EXCLUDE];
	size_t nexclude;
	const char *enable[MAX_SEL], *disable[MAX_SEL]; /* rule ids, names or areas */
	size_t nenable, ndisable;
	const char *baseline, *report_ns;
	uint64_t *base;          /* fingerprints of --baseline, sorted */
	size_t nbase;
	struct bh_pss_scan pss;
	const char *vulns[MAX_VULNS]; /* --vulns FILE */
	size_t nvulns;
	struct bh_vulndb vdb;
	bool verify_images;      /* --verify-images */
	struct bh_img_vcfg vcfg;
};

enum { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

static int parse_jobs(const char *arg, bool json, int *jobs)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v < 1 || v > 256)
		return bh_cli_error("scan", json, "--jobs takes a number from 1 to 256, not '%s'", arg);
	*jobs = (int)v;
	return 0;
}

/* --format (path NULL) or --output (path set): fills the current report or starts the next one */
static int add_out(struct scan_opts *o, const char *format, const char *path)
{
	struct scan_out *cur = o->nout ? &o->out[o->nout - 1] : NULL;
	if (!cur || (format && cur->has_format) || (path && cur->path)) {
		if (o->nout == MAX_OUT)
			return bh_cli_error("scan", o->json, "at most %d reports in one run", MAX_OUT);
		cur = &o->out[o->nout++];
		*cur = (struct scan_out){.format = BH_FMT_TEXT};
	}
	if (path)
		cur->path = path;
	if (format) {
		cur->has_format = true;
		return bh_cli_format("scan", format, BH_FMT_ALL, &cur->format);
	}
	return 0;
}

static int parse_sev(const struct scan_opts *o, const char *opt, const char *arg, int *out)
{
	if ((*out = bh_sev_parse(arg)) < 0)
		return bh_cli_error("scan", o->json, "unknown %s '%s' (critical, high, medium, low, info, none)", opt, arg);
	return 0;
}

static int parse_color(struct scan_opts *o, const char *arg)
{
	static const char *const v[] = {"auto", "always", "never"};
	for (int i = 0; i < 3; i++)
		if (!strcmp(arg, v[i]))
			return o->color = i, 0;
	return bh_cli_error("scan", o->json, "unknown --color '%s' (auto, always, never)", arg);
}

/* whether sel (a rule id, a rule name or an area: manifest, pss, …) names rule r */
static bool sel_match(const char *sel, const struct bh_rule *r)
{
	enum bh_area a = bh_rule_area(r);
	return !strcmp(sel, r->id) || !strcmp(sel, r->name) || (a < BH_AREA_N && !strcmp(sel, bh_areas[a].group));
}

static int add_sel(struct scan_opts *o, const char *opt, const char *arg, const char **v, size_t *n)
{
	bool known = bh_rule_find_any(arg) != NULL;
	for (int a = 0; a < BH_AREA_N && !known; a++)
		known = !strcmp(arg, bh_areas[a].group);
	if (!known)
		return bh_cli_error("scan", o->json, "unknown rule or area '%s' for %s (bulkhead rules lists them; areas: "
				    "manifest, pss)", arg, opt);
	if (*n == MAX_SEL)
		return bh_cli_error("scan", o->json, "at most %d %s", MAX_SEL, opt);
	v[(*n)++] = arg;
	return 0;
}

static const struct option scan_longopts[] = {
	{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
	{"fail-on", required_argument, NULL, 'F'}, {"quiet", no_argument, NULL, 'q'},
	{"pss", required_argument, NULL, 'P'}, {"config", required_argument, NULL, 'c'},
	{"show-suppressed", no_argument, NULL, 'S'}, {"jobs", required_argument, NULL, 'j'},
	{"severity", required_argument, NULL, 's'}, {"summary", no_argument, NULL, 'U'},
	{"color", required_argument, NULL, 'C'}, {"exclude", required_argument, NULL, 'x'},
	{"no-ignore-file", no_argument, NULL, 'I'}, {"enable", required_argument, NULL, 'E'},
	{"disable", required_argument, NULL, 'D'}, {"baseline", required_argument, NULL, 'B'},
	{"policyreport-namespace", required_argument, NULL, 'N'}, {"vulns", required_argument, NULL, 'V'}, {"help", no_argument, NULL, 'h'},
	{"verify-images", no_argument, NULL, 'W'}, {"registry-ca", required_argument, NULL, 'A'},
	{"docker-config", required_argument, NULL, 'K'}, {"registry-timeout", required_argument, NULL, 'T'}, {0},
};

/* one option: 0, or 2 after a usage error */
static int parse_opt(struct scan_opts *o, int c, const char *arg, const char *word)
{
	switch (c) {
	case 'f': return add_out(o, arg, NULL);
	case 'o': return add_out(o, NULL, arg);
	case 'c': o->config = arg; return 0;
	case 'S': o->show_suppressed = true; return 0;
	case 'U': o->rule_summary = true; return 0;
	case 'q': o->quiet = true; return 0;
	case 'j': return parse_jobs(arg, o->json, &o->jobs);
	case 'F': return parse_sev(o, "--fail-on", arg, &o->fail_on);
	case 's': return parse_sev(o, "--severity", arg, &o->min_sev);
	case 'C': return parse_color(o, arg);
	case 'I': o->no_ignore_file = true; return 0;
	case 'E': return add_sel(o, "--enable", arg, o->enable, &o->nenable);
	case 'D': return add_sel(o, "--disable", arg, o->disable, &o->ndisable);
	case 'B': o->baseline = arg; return 0;
	case 'N': o->report_ns = arg; return 0;
	case 'V':
		if (o->nvulns == MAX_VULNS)
			return bh_cli_error("scan", o->json, "at most %d --vulns reports", MAX_VULNS);
		o->vulns[o->nvulns++] = arg;
		return 0;
	case 'W': o->verify_images = true; return 0;
	case 'A': o->vcfg.o.registry_ca = arg; return 0;
	case 'K': o->vcfg.o.docker_config = arg; return 0;
	case 'T': {
		char *end;
		long v = strtol(arg, &end, 10);
		if (*end || v < 1 || v > 600)
			return bh_cli_error("scan", o->json, "--registry-timeout takes 1 to 600 seconds, not '%s'", arg);
		o->vcfg.o.timeout_ms = v * 1000;
		return 0;
	}
	case 'x':
		if (o->nexclude == MAX_EXCLUDE)
			return bh_cli_error("scan", o->json, "at most %d --exclude patterns", MAX_EXCLUDE);
		o->exclude[o->nexclude++] = arg;
		return 0;
	case 'P':
		o->pss_gate = true;
		if (bh_pss_scan_parse(&o->pss, arg) < 0)
			return bh_cli_error("scan", o->json,
					    "bad --pss '%s' (LEVEL[:VERSION]: baseline, restricted, privileged or none; v1.N or latest)",
					    arg);
		return 0;
	default: return bh_cli_error("scan", o->json, "unknown option '%s' (see bulkhead scan --help)", word);
	}
}

/* 0: go on, 1: done (--help), 2: usage error (printed) */
static int parse(int argc, char **argv, struct scan_opts *o)
{
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	o->json = bh_cli_json_asked(argc, argv);
	while (rc == 0 && (c = getopt_long(argc, argv, "ho:", scan_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(scan_help, stdout);
			bh_cli_config_help(stdout);
			return 1;
		}
		rc = parse_opt(o, c, optarg, argv[optind - 1]);
	}
	if (rc == 0 && !o->nout)
		rc = add_out(o, "text", NULL);
	int on_stdout = 0;
	for (int i = 0; i < o->nout; i++)
		on_stdout += !o->out[i].path;
	if (rc == 0 && on_stdout > 1)
		rc = bh_cli_error("scan", o->json, "%d reports would go to standard output: give each --format but one an --output FILE",
				  on_stdout);
	if (rc == 0 && optind >= argc)
		rc = bh_cli_error("scan", o->json, "no input: give files, directories or - for stdin");
	for (size_t i = 0; rc == 0 && i < o->nvulns; i++)
		for (int k = optind; rc == 0 && !strcmp(o->vulns[i], "-") && k < argc; k++)
			if (!strcmp(argv[k], "-"))
				rc = bh_cli_error("scan", o->json, "--vulns - and the input - would both read standard input");
	return rc;
}

/* the per-object hooks: PSS, then the vulnerability correlation (after the rules and PSS, so it sees the
 * container's escape findings) */
static void on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	struct scan_opts *o = ctx;
	if (!o->pss.off)
		bh_pss_scan_on_pod(e, p, &o->pss);
	if (o->nvulns)
		bh_vulns_on_pod(e, p, &o->vdb);
}

/* --vulns: every report into o->vdb; a report that cannot be read is an input error (file:line:col) added
 * to the results after the run, the others are still used */
static void load_vulns(struct scan_opts *o, struct bh_err *errs)
{
	bh_vulns_init(&o->vdb, NULL);
	for (size_t i = 0; i < o->nvulns; i++)
		bh_vulns_load(&o->vdb, o->vulns[i], &errs[i]);
	struct bh_err fe = {0};
	if (bh_vulns_finish(&o->vdb, &fe) < 0)
		errs[o->nvulns] = fe;
}

static void pss_pre(struct bh_engine *e, const char *name, const char *buf, size_t len, bool mapped, void *ctx)
{
	bh_pss_scan_namespaces(ctx, e, name, buf, len, mapped);
}

/* Whether finding f fails the run: at or above --fail-on, or (--pss LEVEL given) a Pod Security violation
 * of LEVEL or of a Namespace's enforce level, as `pss --level` would reject it. */
static bool failing(const struct scan_opts *o, const struct bh_finding *f)
{
	if (f->suppressed || o->fail_on == BH_SEV_NONE)
		return false;
	if ((int)f->sev >= o->fail_on)
		return true;
	if (!o->pss_gate || o->pss.off || !f->pss_level || !f->rule)
		return false;
	return bh_rule_area(f->rule) == BH_AREA_PSS || bh_pss_level_parse(f->pss_level) <= (int)o->pss.level;
}

static bool use_color(const struct scan_opts *o, const struct scan_out *so)
{
	if (o->color != COLOR_AUTO)
		return o->color == COLOR_ALWAYS;
	const char *term = getenv("TERM"), *nc = getenv("NO_COLOR");
	return !so->path && isatty(1) && !(nc && *nc) && !(term && !strcmp(term, "dumb"));
}

/* one report; 0 or 2 (cannot write) */
static int write_one(const struct scan_opts *o, const struct scan_out *so, struct bh_report *r)
{
	FILE *out = stdout;
	if (so->path && !(out = fopen(so->path, "w")))
		return bh_cli_error("scan", o->json, "cannot write %s: %s", so->path, strerror(errno));
	r->color = use_color(o, so);
	r->rule_summary = o->rule_summary && so->format == BH_FMT_TEXT;
	bh_report_write(out, so->format, r);
	int rc = 0;
	if (out != stdout && fclose(out) != 0)
		rc = bh_cli_error("scan", 0, "writing %s failed", so->path);
	return rc;
}

/* the reports, then what stderr gets: diagnostics and the summary line when no text report shows them
 * on the terminal, the per-rule table when no text report holds it */
static int write_reports(const struct scan_opts *o, struct bh_report *r)
{
	int rc = 0;
	bool text_term = false, text_table = false;
	for (int i = 0; i < o->nout; i++) {
		rc |= write_one(o, &o->out[i], r);
		text_term |= o->out[i].format == BH_FMT_TEXT && !o->out[i].path;
		text_table |= o->out[i].format == BH_FMT_TEXT;
		r->diags_shown |= o->out[i].format == BH_FMT_TEXT || o->out[i].format == BH_FMT_COMPACT;
	}
	if (!r->diags_shown)
		bh_report_diags(stderr, r);
	if (o->rule_summary && !text_table)
		bh_report_rule_table(stderr, r);
	if (!text_term && (o->nout > 1 || o->out[0].path || o->out[0].format == BH_FMT_COMPACT))
		bh_report_summary(stderr, r);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static bool in_baseline(const struct scan_opts *o, const struct bh_finding *f)
{
	if (!o->nbase)
		return false;
	char fp[17];
	bh_finding_fingerprint(f, fp);
	uint64_t v = strtoull(fp, NULL, 16);
	return bsearch(&v, o->base, o->nbase, sizeof(v), cmp_u64) != NULL;
}

/* whether a finding is reported and counts for the exit code: --enable, --disable, --baseline */
static bool selected(const struct scan_opts *o, const struct bh_finding *f)
{
	bool on = !o->nenable;
	for (size_t i = 0; f->rule && i < o->nenable && !on; i++)
		on = sel_match(o->enable[i], f->rule);
	for (size_t i = 0; f->rule && i < o->ndisable && on; i++)
		on = !sel_match(o->disable[i], f->rule);
	return on && !in_baseline(o, f);
}

/* The findings that count (*sel: selected) and those the reports show (*shown: also at or above
 * --severity, a display filter). Both share e's strings; their v are malloc'ed. Returns the number left
 * out as known from the baseline, or -1. */
static long select_findings(const struct scan_opts *o, const struct bh_findings *all, struct bh_findings *sel,
			    struct bh_findings *shown)
{
	*sel = *shown = *all;
	sel->v = malloc((all->n ? all->n : 1) * sizeof(*sel->v));
	shown->v = malloc((all->n ? all->n : 1) * sizeof(*shown->v));
	if (!sel->v || !shown->v) {
		free(sel->v), free(shown->v);
		return -1;
	}
	sel->n = shown->n = 0;
	long known = 0;
	for (size_t i = 0; i < all->n; i++) {
		const struct bh_finding *f = &all->v[i];
		if (!selected(o, f)) {
			known += !f->suppressed && in_baseline(o, f);
			continue;
		}
		sel->v[sel->n++] = *f;
		if ((int)f->sev >= o->min_sev)
			shown->v[shown->n++] = *f;
	}
	return known;
}

/* --baseline FILE: the "fingerprint" values of a JSON report of bulkhead scan. 0, or 2 after the error. */
static int load_baseline(struct scan_opts *o)
{
	FILE *f = fopen(o->baseline, "r");
	if (!f)
		return bh_cli_error("scan", o->json, "cannot read --baseline %s: %s", o->baseline, strerror(errno));
	char *buf = NULL;
	size_t cap = 0, len = 0, got;
	for (;;) { /* the whole file, up to the input limit of 256 MiB */
		if (len + 1 >= cap) {
			char *nb = cap < (256u << 20) ? realloc(buf, cap = cap ? cap * 2 : 1u << 20) : NULL;
			if (!nb)
				break;
			buf = nb;
		}
		if (!(got = fread(buf + len, 1, cap - len - 1, f)))
			break;
		len += got;
	}
	fclose(f);
	if (buf)
		buf[len] = 0;
	int rc = buf && strstr(buf, "\"findings\"") && strstr(buf, "\"bulkhead\"") ? 0 : 2;
	for (char *p = buf; rc == 0 && (p = strstr(p, "\"fingerprint\"")); p += 13) {
		char *q = p + 13;
		while (*q == ' ' || *q == ':' || *q == '\t' || *q == '\n' || *q == '\r')
			q++;
		if (*q != '"' || strspn(q + 1, "0123456789abcdef") != 16)
			continue;
		uint64_t *nv = realloc(o->base, (o->nbase + 1) * sizeof(*nv));
		if (!nv)
			break;
		o->base = nv;
		o->base[o->nbase++] = strtoull(q + 1, NULL, 16);
	}
	free(buf);
	if (rc)
		return bh_cli_error("scan", o->json, "--baseline %s is no JSON report of bulkhead scan (--format json)",
				    o->baseline);
	qsort(o->base, o->nbase, sizeof(*o->base), cmp_u64);
	return 0;
}

static int report(const struct scan_opts *o, const struct bh_engine *e)
{
	struct bh_findings sel, shown;
	long known = select_findings(o, &e->findings, &sel, &shown);
	if (known < 0)
		return bh_cli_error("scan", o->json, "out of memory");
	struct bh_report r = {.command = "scan", .findings = &shown, .errors = e->errors.v, .nerrors = e->errors.n,
			      .warnings = e->warnings.v, .nwarnings = e->warnings.n, .files = e->files,
			      .objects = e->objects, .objlist = e->objlist, .nobjlist = e->nobjlist,
			      .show_suppressed = o->show_suppressed, .summary_only = o->quiet,
			      .default_namespace = o->report_ns};
	int rc = write_reports(o, &r);
	if (o->baseline)
		fprintf(stderr, "%ld finding%s in the baseline %s not shown\n", known, known == 1 ? "" : "s", o->baseline);
	if (rc || e->errors.n || (e->objects == 0 && e->lists == 0))
		rc = 2; /* a report not written, an input error, or nothing at all was scanned (an empty List is
			 * kubectl's answer for an empty namespace: scanned, nothing in it) */
	for (size_t i = 0; i < sel.n && rc == 0; i++)
		if (failing(o, &sel.v[i]))
			rc = 1;
	free(sel.v);
	free(shown.v);
	return rc;
}

static bool manifest_name(const char *p)
{
	size_t l = strlen(p);
	return (l > 5 && !strcmp(p + l - 5, ".yaml")) || (l > 4 && !strcmp(p + l - 4, ".yml")) ||
	       (l > 5 && !strcmp(p + l - 5, ".json"));
}

/* whether an existing file (os, real = its real path) is input arg: the file itself (also through a
 * link) or a manifest inside an input directory */
static bool is_input(const struct stat *os, const char *real, const char *arg)
{
	struct stat st;
	if (!strcmp(arg, "-") || stat(arg, &st) != 0)
		return false;
	if (st.st_dev == os->st_dev && st.st_ino == os->st_ino)
		return true;
	if (!S_ISDIR(st.st_mode) || !real || !manifest_name(real))
		return false;
	char *dir = realpath(arg, NULL);
	size_t l = dir ? strlen(dir) : 0;
	bool in = dir && !strncmp(real, dir, l) && (real[l] == '/' || (l == 1 && dir[0] == '/'));
	free(dir);
	return in;
}

/* The reports must never replace an input: an --output naming one is refused before anything is opened
 * for writing. */
static int output_is_input(const struct scan_opts *o, char *const *args, int n)
{
	for (int k = 0; k < o->nout; k++) {
		struct stat os;
		const char *path = o->out[k].path;
		if (!path || stat(path, &os) != 0)
			continue;
		char *real = realpath(path, NULL);
		bool clash = false;
		for (int i = 0; i < n && !clash; i++)
			clash = is_input(&os, real, args[i]);
		free(real);
		if (clash)
			return bh_cli_error("scan", o->json, "--output %s is also an input; the report would overwrite it "
					    "(write it elsewhere)", path);
	}
	return 0;
}

/* --verify-images: the verifier (a pool of 4 fetching threads, each image once per run) behind the pod hook */
static int verify_setup(struct scan_opts *o, struct bh_imgv_hook *vh, struct bh_batch_opts *bo)
{
	if (!vh->cfg || !vh->cfg->nimage_keys)
		fprintf(stderr, "bulkhead scan: --verify-images: the config has no imageSignatures: no image is verified\n");
	if (!(vh->v = bh_img_verifier_new(&o->vcfg)))
		return bh_cli_error("scan", o->json, "cannot start the image verifier (out of memory or threads)");
	bo->on_pod = bh_imgv_on_pod;
	bo->on_pod_ctx = vh;
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_opts o = {.fail_on = BH_SEV_HIGH, .min_sev = BH_SEV_INFO,
			      .pss = {.level = BH_PSS_BASELINE, .minor = BH_PSS_LATEST}};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (output_is_input(&o, argv + optind, argc - optind) || (o.baseline && load_baseline(&o)))
		return 2;
	struct bh_config *cfg = NULL;
	if (bh_cli_config("scan", o.json, o.config, &cfg))
		return 2;
	/* PSS pre-pass: Namespace enforce labels apply to their objects wherever the Namespace sits */
	struct bh_batch_opts bo = {.cfg = cfg, .cfg_ops = &bh_config_engine_ops, .jobs = o.jobs, .progress = !o.quiet,
				   .exclude = o.exclude, .nexclude = o.nexclude, .no_ignore_file = o.no_ignore_file,
				   .skip_non_k8s = true};
	if (!o.pss.off) {
		bo.on_pod = bh_pss_scan_on_pod, bo.on_pod_ctx = &o.pss;
		bo.pre = pss_pre, bo.pre_ctx = &o.pss;
	}
	struct bh_err verr[MAX_VULNS + 1] = {0};
	if (o.nvulns) {
		load_vulns(&o, verr);
		bo.on_pod = on_pod, bo.on_pod_ctx = &o;
	}
	struct bh_imgv_hook vh = {.cfg = cfg, .chain = bo.on_pod, .chain_ctx = bo.on_pod_ctx, .verbose = true};
	if (o.verify_images && verify_setup(&o, &vh, &bo)) {
		if (o.nvulns)
			bh_vulns_release(&o.vdb);
		bh_pss_scan_release(&o.pss);
		bh_config_free(cfg);
		return 2;
	}
	struct bh_batch b;
	if (bh_batch_run(&b, &bo, argv + optind, argc - optind) < 0)
		rc = bh_cli_error("scan", o.json, "out of memory");
	else {
		for (size_t i = 0; i <= o.nvulns; i++)
			if (verr[i].code)
				bh_engine_error(&b.e, verr[i].file ? verr[i].file : "--vulns", verr[i].line, verr[i].col, "%s",
						verr[i].msg);
		rc = report(&o, &b.e);
	}
	bh_batch_release(&b);
	bh_img_verifier_free(vh.v);
	bh_pss_scan_release(&o.pss);
	if (o.nvulns)
		bh_vulns_release(&o.vdb);
	bh_config_free(cfg);
	free(o.base);
	return rc;
}
