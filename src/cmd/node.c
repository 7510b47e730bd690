/* bulkhead node — is this node open to known escapes: kernel (with the distribution's fixed packages),
 * runtimes, LSM, sysctls, cgroups, kubelet. Facts are read through --root (the host's / in a DaemonSet). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config/config.h"
#include "host/cvedb.h"
#include "host/node.h"
#include "report/report.h"

static const char node_help[] =
	"usage: bulkhead node [OPTIONS]\n"
	"\n"
	"Is this node open to known container escapes? Reads the kernel release, the distribution and its kernel\n"
	"package (dpkg status, /proc/version banners; RHEL release strings), matches the escape CVE data with the\n"
	"distribution's own fixed versions (DSA/USN/RHSA) so back-ported fixes are recognised, and checks the\n"
	"preconditions (user namespaces, unprivileged BPF, io_uring, kptr/dmesg/perf/ptrace, fs.protected_*),\n"
	"cgroup v1 release_agent, AppArmor/SELinux, seccomp, container runtimes (runc, crun, containerd, CRI-O,\n"
	"Docker: versions and default confinement) and the kubelet (anonymous auth, authorization mode, read-only\n"
	"port, seccompDefault, protectKernelDefaults, certificate rotation, file permissions; CIS 4.1.x/4.2.x).\n"
	"Read-only: files are only read; `RUNTIME --version` is run (no shell, clean environment, 5 s limit) only\n"
	"when the root is / and --no-exec is not given. Whatever could not be read is reported (BH0622).\n"
	"\n"
	"options:\n"
	"  --root DIR              read the node through DIR (e.g. /host in a DaemonSet; default /)\n"
	"  --format FORMAT         text (default), json, sarif, junit, policyreport\n"
	"  --kubelet-config FILE   the kubelet's config file (under the root) instead of --config of its process\n"
	"  --kubelet-flags FLAGS   the kubelet's command-line flags instead of /proc/PID/cmdline\n"
	"  --cve-data FILE         escape CVE data instead of the built-in copy of data/escape-cves.txt\n"
	"  --no-exec               never run runtime binaries for their --version\n"
	"  --config FILE           bulkhead config: its node: section (disable, severity, allow: accepted risks\n"
	"                          by rule with a reason and an optional expiry); without it: $BULKHEAD_CONFIG,\n"
	"                          else .bulkhead.yaml here or at the git root\n"
	"  --show-suppressed       also list findings an allow entry suppressed (with its reason)\n"
	"  --fail-on SEVERITY      exit 1 when a finding is at or above SEVERITY:\n"
	"                          critical, high (default), medium, low, info, none\n"
	"  -h, --help              this help\n"
	"\n"
	"JSON: the common findings object plus \"node\" (facts; docs/schema/node.schema.json); findings' object is\n"
	"{\"kind\": \"Node\", \"name\": HOSTNAME}, so `bulkhead cluster` can join them to Node objects by name.\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it, 2 usage or input error\n"
	"(a --kubelet-config FILE that does not decode is an input error: file:line:col in \"errors\")\n";

static void print_facts(FILE *out, const struct bh_nodefacts *n)
{
	char vb[40];
	struct bh_ver up = n->kernel.ver;
	up.abi = 0;
	fprintf(out, "bulkhead node: %s (%s), root %s%s\n", n->hostname[0] ? n->hostname : "?",
		n->os_pretty[0] ? n->os_pretty : n->distro, n->root, n->as_root ? "" : ", not root");
	if (n->kernel_known)
		fprintf(out, "  kernel %s (%s, %s level %s%s%s), package %s%s%s%s%s\n", n->kernel.release,
			bh_distro_name(n->kernel.distro), n->kernel.exact ? "upstream" : "branch",
			bh_ver_str(&up, vb, sizeof(vb)), n->kernel.upstream_from[0] ? " from " : "",
			n->kernel.upstream_from, n->kernel_pkg[0] ? n->kernel_pkg : "unknown",
			n->kernel_pkg[0] ? " " : "", n->kernel_pkg_version, n->kernel_pkg_from[0] ? " from " : "",
			n->kernel_pkg_from);
	fprintf(out, "  lsm %s; cgroup v1 %s, v2 %s; seccomp %s\n", n->lsm_list[0] ? n->lsm_list : "list unreadable",
		n->cgroup_v1 == 1 ? "in use" : n->cgroup_v1 == 0 ? "unused" : "?", n->cgroup_v2 ? "yes" : "no",
		n->seccomp == 1 ? "yes" : n->seccomp == 0 ? "no" : "?");
	for (int i = 0; i < BH_RT_N; i++) {
		const struct bh_node_runtime *r = &n->rt[i];
		bool both = r->pkg[0] && strstr(r->from, "--version");
		if (r->version[0])
			fprintf(out, "  %s %s (%s%s%s%s%s)\n", r->name, r->version, r->from, both ? "; package " : "",
				both ? r->pkg : "", both ? " " : "", both ? r->pkg_version : "");
	}
	if (n->kubelet.found)
		fprintf(out, "  kubelet: config %s, flags from %s\n", n->kubelet.config[0] ? n->kubelet.config : "none",
			n->kubelet.cmdline_from[0] ? n->kubelet.cmdline_from : "none");
	fputs("\n", out);
}

struct node_json {
	const struct bh_nodefacts *n;
	const struct bh_cvedb *db;
};

/* the common JSON report's extra member "node": the facts */
static void json_members(FILE *out, const void *ctx)
{
	const struct node_json *x = ctx;
	bh_json_member(out, "node");
	bh_node_json(out, x->n, x->db);
}

struct node_args {
	int format, fail_on;
	bool show_suppressed;
	const char *cve_data, *config;
	struct bh_node_opts o;
};

static int parse_args(int argc, char **argv, struct node_args *a)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"root", required_argument, NULL, 'r'},
		{"cve-data", required_argument, NULL, 'c'}, {"kubelet-config", required_argument, NULL, 'k'},
		{"kubelet-flags", required_argument, NULL, 'K'}, {"no-exec", no_argument, NULL, 'n'},
		{"fail-on", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'},
		{"config", required_argument, NULL, 'C'}, {"show-suppressed", no_argument, NULL, 'S'}, {NULL, 0, NULL, 0},
	};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		bool json = a->format == BH_FMT_JSON;
		switch (c) {
		case 'f':
			if ((a->format = bh_format_parse(optarg)) < 0)
				return bh_cli_error("node", 0, "unknown --format '%s' (text, json, sarif, junit, policyreport)", optarg);
			break;
		case 'r': a->o.root = optarg; break;
		case 'c': a->cve_data = optarg; break;
		case 'k': a->o.kubelet_config = optarg; break;
		case 'K': a->o.kubelet_flags = optarg; break;
		case 'n': a->o.no_exec = true; break;
		case 'C': a->config = optarg; break;
		case 'S': a->show_suppressed = true; break;
		case 'F':
			if ((a->fail_on = bh_sev_parse(optarg)) < 0)
				return bh_cli_error("node", json, "unknown --fail-on '%s' (critical, high, medium, low, info, none)",
						    optarg);
			break;
		case 'h': fputs(node_help, stdout); bh_cli_config_help(stdout); return 0;
		default:
			return bh_cli_error("node", json, "unknown option '%s' (see bulkhead node --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bh_cli_error("node", a->format == BH_FMT_JSON, "unexpected argument '%s'", argv[optind]);
	return -1;
}

static int report(const struct node_args *a, const struct bh_nodefacts *n, const struct bh_cvedb *db,
		  struct bh_findings *fs)
{
	struct bh_objref obj = {.kind = "Node", .name = n->hostname[0] ? n->hostname : NULL, .file = n->root};
	struct bh_report r = {.command = "node", .findings = fs, .objects = 1, .objlist = &obj, .nobjlist = 1};
	/* a kubelet config that does not decode is an input error with its position (and a BH0622 finding) */
	const struct bh_node_kubelet *k = &n->kubelet;
	struct bh_input_error ie = {.file = k->config, .line = k->config_error_line, .col = k->config_error_col,
				    .message = k->config_error_msg};
	if (k->config_error[0]) {
		r.errors = &ie;
		r.nerrors = 1;
	}
	r.color = a->format == BH_FMT_TEXT && isatty(1) && !getenv("NO_COLOR");
	r.show_suppressed = a->show_suppressed;
	/* the root read is the findings' "file" for the reporters that group by file (JUnit, PolicyReport,
	 * SARIF); text and JSON show host objects without one, as for `inside` (the root is node.root) */
	if (a->format == BH_FMT_TEXT || a->format == BH_FMT_JSON)
		for (size_t i = 0; i < fs->n; i++)
			fs->v[i].obj.file = NULL;
	struct node_json x = {n, db};
	r.json_members = json_members;
	r.json_ctx = &x;
	if (a->format == BH_FMT_TEXT) {
		print_facts(stdout, n);
		bh_report_text(stdout, &r);
	} else
		bh_report_write(stdout, a->format, &r);
	int exit_code = k->config_error[0] && a->o.kubelet_config ? 2 : 0;
	for (size_t i = 0; exit_code != 2 && a->fail_on != BH_SEV_NONE && i < fs->n; i++)
		if (!fs->v[i].suppressed && (int)fs->v[i].sev >= a->fail_on)
			exit_code = 1;
	return fflush(stdout) ? 2 : exit_code;
}

int cmd_node(int argc, char **argv)
{
	struct node_args a = {.format = BH_FMT_TEXT, .fail_on = BH_SEV_HIGH};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	bool json = a.format == BH_FMT_JSON;
	struct bh_config *cfg = NULL;
	if ((rc = bh_cli_config("node", json, a.config, &cfg)))
		return rc;
	struct bh_cvedb db;
	if ((rc = bh_cli_cvedb("node", json, a.cve_data, &db))) {
		bh_config_free(cfg);
		return rc;
	}
	struct bh_nodefacts *n = calloc(1, sizeof(*n));
	struct bh_err err = {0};
	int exit_code;
	if (!n) {
		exit_code = bh_cli_error("node", json, "out of memory");
	} else if (bh_node_probe(&a.o, n, &err)) {
		exit_code = bh_cli_error("node", json, "%s", err.msg);
	} else {
		struct bh_arena arena;
		bh_arena_init(&arena, 16u << 20);
		struct bh_findings fs;
		bh_findings_init(&fs, &arena);
		exit_code = bh_node_evaluate(n, &db, &fs) ? bh_cli_error("node", json, "out of memory while evaluating") : -1;
		if (exit_code < 0 && cfg) { /* the node: section: accepted risks, with expired entries named */
			bh_area_apply(cfg, &cfg->node, &fs, time(NULL));
			bh_config_each_expired(cfg, cfg->node.exemptions, cfg->node.nexemptions, time(NULL), bh_cli_expired_note,
				       "node: warning: node.allow");
		}
		if (exit_code < 0)
			exit_code = report(&a, n, &db, &fs);
		bh_findings_release(&fs);
		bh_arena_release(&arena);
	}
	free(n);
	bh_cvedb_release(&db);
	bh_config_free(cfg);
	return exit_code;
}
