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
#include "report/report.h"

static const char scan_help[] =
	"usage: bulkhead scan [OPTIONS] [PATH|-]...\n"
	"\n"
	"Scans Kubernetes manifests (YAML or JSON; files, directories searched recursively for *.yaml, *.yml,\n"
	"*.json; - for stdin) for settings that open a path from a container to the node.\n"
	"Pipes, /dev/stdin, <(cmd) and FIFOs named as PATH are read once; FIFOs, sockets and devices found in\n"
	"a directory are skipped with a warning. Inputs above 256 MiB are input errors.\n"
	"\n"
	"options:\n"
	"  --format FORMAT      text (default), json, sarif (SARIF 2.1.0 for code scanning), junit,\n"
	"                       policyreport (wgpolicyk8s.io/v1alpha2 PolicyReports as a JSON List)\n"
	"  --output FILE        write the report to FILE instead of stdout\n"
	"  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY:\n"
	"                       critical, high (default), medium, low, info, none\n"
	"  --pss LEVEL[:VERSION]  also report Pod Security Admission violations at LEVEL (baseline,\n"
	"                       restricted, privileged) and VERSION (v1.N or latest); default\n"
	"                       baseline:latest; --pss none turns this off. A Namespace in the input with\n"
	"                       pod-security.kubernetes.io/enforce[-version] labels sets the level and\n"
	"                       version for its own objects (a warning says so)\n"
	"  --config FILE        disable rules, override severities, trusted registries, exemptions with a\n"
	"                       reason and expiry (docs/config.md); expired exemptions are reported.\n"
	"                       Without it: $BULKHEAD_CONFIG, else .bulkhead.yaml here or at the git root\n"
	"  --show-suppressed    also list findings suppressed by the config or a bulkhead.io/ignore annotation\n"
	"  --jobs N             scan files on N threads (default: the CPUs available); output order is\n"
	"                       the same for every N\n"
	"  --quiet              text: print only the summary line\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it,\n"
	"            2 usage error or an input that could not be read or decoded (the others are still reported)\n";

struct scan_opts {
	int format, fail_on, jobs;
	bool quiet, show_suppressed, json;
	bool pss_gate;           /* --pss LEVEL given: violations at LEVEL fail like `pss --level LEVEL` */
	const char *output, *config;
	struct bh_pss_scan pss;
};

static int parse_jobs(const char *arg, bool json, int *jobs)
{
	char *end;
	long v = strtol(arg, &end, 10);
	if (*end || v < 1 || v > 256)
		return bh_cli_error("scan", json, "--jobs takes a number from 1 to 256, not '%s'", arg);
	*jobs = (int)v;
	return 0;
}

/* 0: go on, 1: done (--help), 2: usage error (printed) */
static int parse(int argc, char **argv, struct scan_opts *o)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, 'F'}, {"quiet", no_argument, NULL, 'q'},
		{"pss", required_argument, NULL, 'P'}, {"config", required_argument, NULL, 'c'},
		{"show-suppressed", no_argument, NULL, 'S'}, {"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	o->json = bh_cli_json_asked(argc, argv);
	while (rc == 0 && (c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'f': rc = bh_cli_format("scan", optarg, BH_FMT_ALL, &o->format); break;
		case 'c': o->config = optarg; break;
		case 'S': o->show_suppressed = true; break;
		case 'j': rc = parse_jobs(optarg, o->json, &o->jobs); break;
		case 'o': o->output = optarg; break;
		case 'F':
			if ((o->fail_on = bh_sev_parse(optarg)) < 0)
				rc = bh_cli_error("scan", o->json, "unknown --fail-on '%s' (critical, high, medium, low, info, none)",
						  optarg);
			break;
		case 'q': o->quiet = true; break;
		case 'P':
			o->pss_gate = true;
			if (bh_pss_scan_parse(&o->pss, optarg) < 0)
				rc = bh_cli_error("scan", o->json,
						  "bad --pss '%s' (LEVEL[:VERSION]: baseline, restricted, privileged or none; v1.N or latest)",
						  optarg);
			break;
		case 'h': fputs(scan_help, stdout); bh_cli_config_help(stdout); return 1;
		default:
			rc = bh_cli_error("scan", o->json, "unknown option '%s' (see bulkhead scan --help)", argv[optind - 1]);
		}
	}
	if (rc == 0 && optind >= argc)
		rc = bh_cli_error("scan", o->json, "no input: give files, directories or - for stdin");
	return rc;
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

static int write_report(const struct scan_opts *o, const struct bh_engine *e)
{
	FILE *out = stdout;
	if (o->output && !(out = fopen(o->output, "w")))
		return bh_cli_error("scan", o->json, "cannot write %s: %s", o->output, strerror(errno));
	struct bh_report r = {.command = "scan", .findings = (struct bh_findings *)&e->findings, .errors = e->errors.v,
			      .nerrors = e->errors.n, .warnings = e->warnings.v, .nwarnings = e->warnings.n,
			      .files = e->files, .objects = e->objects, .objlist = e->objlist, .nobjlist = e->nobjlist,
			      .show_suppressed = o->show_suppressed, .summary_only = o->quiet};
	r.color = !o->output && isatty(1) && !getenv("NO_COLOR");
	bh_report_write(out, o->format, &r);
	if (out != stdout && fclose(out) != 0)
		bh_cli_error("scan", 0, "writing %s failed", o->output);
	if (o->output && o->format != BH_FMT_TEXT) /* the text reporter already printed its diagnostics */
		for (size_t i = 0; i < e->errors.n + e->warnings.n; i++) {
			const struct bh_input_error *d = i < e->errors.n ? &e->errors.v[i] : &e->warnings.v[i - e->errors.n];
			bh_report_pos(stderr, d->file, d->line, d->col);
			fprintf(stderr, ": %s: %s\n", i < e->errors.n ? "error" : "warning", d->message);
		}
	if (o->output)
		bh_report_summary(stderr, &r);
	if (e->errors.n || e->objects == 0)
		return 2; /* an input error, or nothing at all was scanned */
	for (size_t i = 0; i < e->findings.n; i++)
		if (failing(o, &e->findings.v[i]))
			return 1;
	return 0;
}

static bool manifest_name(const char *p)
{
	size_t l = strlen(p);
	return (l > 5 && !strcmp(p + l - 5, ".yaml")) || (l > 4 && !strcmp(p + l - 4, ".yml")) ||
	       (l > 5 && !strcmp(p + l - 5, ".json"));
}

/* The report must never replace an input: --output naming an input file (also through a link) or a
 * manifest inside an input directory is refused before anything is opened for writing. */
static int output_is_input(const struct scan_opts *o, char *const *args, int n)
{
	struct stat os, st;
	if (!o->output || stat(o->output, &os) != 0)
		return 0;
	char *real = realpath(o->output, NULL);
	int clash = 0;
	for (int i = 0; i < n && !clash; i++) {
		if (!strcmp(args[i], "-") || stat(args[i], &st) != 0)
			continue;
		if (st.st_dev == os.st_dev && st.st_ino == os.st_ino)
			clash = 1;
		else if (S_ISDIR(st.st_mode) && real && manifest_name(real)) {
			char *dir = realpath(args[i], NULL);
			size_t l = dir ? strlen(dir) : 0;
			clash = dir && !strncmp(real, dir, l) && (real[l] == '/' || (l == 1 && dir[0] == '/'));
			free(dir);
		}
	}
	free(real);
	if (clash)
		return bh_cli_error("scan", o->json, "--output %s is also an input; the report would overwrite it "
				    "(write it elsewhere)", o->output);
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	struct scan_opts o = {.format = BH_FMT_TEXT, .fail_on = BH_SEV_HIGH,
			      .pss = {.level = BH_PSS_BASELINE, .minor = BH_PSS_LATEST}};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (output_is_input(&o, argv + optind, argc - optind))
		return 2;
	struct bh_config *cfg = NULL;
	if (bh_cli_config("scan", o.json, o.config, &cfg))
		return 2;
	/* PSS pre-pass: Namespace enforce labels apply to their objects wherever the Namespace sits */
	struct bh_batch_opts bo = {.cfg = cfg, .cfg_ops = &bh_config_engine_ops, .jobs = o.jobs, .progress = !o.quiet};
	if (!o.pss.off) {
		bo.on_pod = bh_pss_scan_on_pod, bo.on_pod_ctx = &o.pss;
		bo.pre = pss_pre, bo.pre_ctx = &o.pss;
	}
	struct bh_batch b;
	if (bh_batch_run(&b, &bo, argv + optind, argc - optind) < 0)
		rc = bh_cli_error("scan", o.json, "out of memory");
	else
		rc = write_report(&o, &b.e);
	bh_batch_release(&b);
	bh_pss_scan_release(&o.pss);
	bh_config_free(cfg);
	return rc;
}
