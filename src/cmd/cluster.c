/* bulkhead cluster [SNAPSHOT|-]... — who can reach a node, and by which chain. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster/cluster.h"
#include "cmd.h"
#include "config/config.h"
#include "image/vulns.h"
#include "kube/kube.h"

static const char cluster_help[] =
	"usage: bulkhead cluster [OPTIONS] [SNAPSHOT|-]...\n"
	"\n"
	"Finds escape paths in a whole cluster: which identities (users, groups, service accounts) and which\n"
	"workloads can reach a node or cluster-admin, step by step (RBAC, Pod Security per namespace, webhooks,\n"
	"workload escape avenues, service-account tokens, node versions with known escape CVEs).\n"
	"\n"
	"Input: SNAPSHOT files (or - for stdin) with `kubectl get … -o json|yaml` output (objects, List and\n"
	"*List kinds, several documents); without SNAPSHOT the live cluster is read (--kubeconfig, else\n"
	"$KUBECONFIG (its files merged as kubectl merges them), else ~/.kube/config, else the pod's service\n"
	"account when run in a cluster).\n"
	"\n"
	"options:\n"
	"  --format FORMAT       text (default: paths first, then facts), json, sarif, dot, mermaid, html\n"
	"                        (one file, the graph rendered by Graphviz)\n"
	"  --output FILE         write the report to FILE instead of stdout\n"
	"  --fail-on SEVERITY    exit 1 when a path is at or above SEVERITY: critical, high (default),\n"
	"                        medium, low, none\n"
	"  --admission-config FILE  the API server's AdmissionConfiguration (or a PodSecurityConfiguration):\n"
	"                        Pod Security defaults for unlabelled namespaces and exemptions\n"
	"  --node-report FILE    `bulkhead node --format json` of a node (repeatable; several documents per file):\n"
	"                        joined to the Node of that name, its CVE verdicts (distribution packages,\n"
	"                        runc) and preconditions (user namespaces, cgroup v1, LSM) replace nodeInfo's\n"
	"  --kubeconfig FILE     read the live cluster through this kubeconfig\n"
	"  --context NAME        kubeconfig context (default: current-context)\n"
	"  --save FILE           live: write every page read to FILE (a JSON stream of *List documents) so the\n"
	"                        run can be replayed offline: bulkhead cluster FILE\n"
	"  --page-size N         live: objects per list request (default 500)\n"
	"  --max-paths N         text: show the first N paths (default: all)\n"
	"  --config FILE         bulkhead config (rules off, severities, exemptions) for the workloads' findings\n"
	"  --findings SEVERITY   list the workloads' and nodes' findings at or above SEVERITY (default high:\n"
	"                        escape avenues; info lists all); the summary counts every finding\n"
	"  --show-suppressed     json/sarif: also list suppressed findings\n"
	"  --vulns FILE          a Trivy (--format json) or Grype (-o json) report of an image (repeatable, - for\n"
	"                        stdin): each workload running it gets a finding (BH0311) with its CVEs ranked by\n"
	"                        the workload's escape exposure, in the json and sarif findings (--findings);\n"
	"                        it is no escape avenue of its own and adds no path\n"
	"  -h, --help            this help\n"
	"\n"
	"exit codes: 0 no path at or above the fail level, 1 such a path exists,\n"
	"            2 usage error, an input that could not be read or decoded, or the API server refused a list\n";

#define MAX_NODE_REPORTS 4096

struct copts {
	int format, json_err;
	int fail_on;
	const char *output, *adm, *kubeconfig, *context, *save, *config;
	unsigned page;
	size_t max_paths;
	bool show_suppressed;
	int min_finding;
	const char *noderep[MAX_NODE_REPORTS];
	unsigned nnoderep;
	const char *vulns[64];
	unsigned nvulns;
};

enum { O_FORMAT = 256, O_OUTPUT, O_FAIL, O_ADM, O_KUBECONFIG, O_CONTEXT, O_SAVE, O_PAGE, O_MAXP, O_CONFIG, O_SUPP,
       O_FINDINGS, O_NODEREP, O_VULNS };

static int parse_opt(struct copts *o, int ch, const char *arg)
{
	char *end;
	switch (ch) {
	case O_FORMAT:
		if ((o->format = bh_cl_format_parse(arg)) < 0)
			return bh_cli_error("cluster", 0, "unknown format '%s' (text, json, sarif, dot, mermaid, html)", arg);
		o->json_err = o->format == BH_CL_JSON;
		return 0;
	case O_OUTPUT: o->output = arg; return 0;
	case O_FAIL:
		if ((o->fail_on = bh_sev_parse(arg)) < 0)
			return bh_cli_error("cluster", o->json_err, "unknown severity '%s'", arg);
		return 0;
	case O_FINDINGS:
		if ((o->min_finding = bh_sev_parse(arg)) < 0)
			return bh_cli_error("cluster", o->json_err, "unknown severity '%s'", arg);
		return 0;
	case O_ADM: o->adm = arg; return 0;
	case O_NODEREP:
		if (o->nnoderep == MAX_NODE_REPORTS)
			return bh_cli_error("cluster", o->json_err, "more than %d --node-report files", MAX_NODE_REPORTS);
		o->noderep[o->nnoderep++] = arg;
		return 0;
	case O_VULNS:
		if (o->nvulns == 64)
			return bh_cli_error("cluster", o->json_err, "more than 64 --vulns reports");
		o->vulns[o->nvulns++] = arg;
		return 0;
	case O_KUBECONFIG: o->kubeconfig = arg; return 0;
	case O_CONTEXT: o->context = arg; return 0;
	case O_SAVE: o->save = arg; return 0;
	case O_CONFIG: o->config = arg; return 0;
	case O_SUPP: o->show_suppressed = true; return 0;
	case O_PAGE:
	case O_MAXP: {
		unsigned long v = strtoul(arg, &end, 10);
		if (*end || !*arg || (ch == O_PAGE && (v == 0 || v > 100000)))
			return bh_cli_error("cluster", o->json_err, "bad number '%s'", arg);
		if (ch == O_PAGE)
			o->page = (unsigned)v;
		else
			o->max_paths = v;
		return 0;
	}
	default: return 2;
	}
}

/* the resources a live snapshot reads; Secrets only as metadata of service-account-token Secrets (no
 * token ever enters the snapshot or the --save file) */
static const struct {
	const char *path, *accept;
} live_lists[] = {
	{"/api/v1/namespaces", NULL},
	{"/api/v1/nodes", NULL},
	{"/api/v1/serviceaccounts", NULL},
	{"/apis/rbac.authorization.k8s.io/v1/clusterroles", NULL},
	{"/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", NULL},
	{"/apis/rbac.authorization.k8s.io/v1/roles", NULL},
	{"/apis/rbac.authorization.k8s.io/v1/rolebindings", NULL},
	{"/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", NULL},
	{"/api/v1/secrets?fieldSelector=type%3Dkubernetes.io%2Fservice-account-token",
	 "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"},
	{"/api/v1/pods", NULL},
	{"/apis/apps/v1/deployments", NULL},
	{"/apis/apps/v1/daemonsets", NULL},
	{"/apis/apps/v1/statefulsets", NULL},
	{"/apis/batch/v1/cronjobs", NULL},
	/* NetworkPolicy reach (src/cluster/reach.c): the policies, the API server's address, CNI-specific
	 * kinds (counted, not evaluated); a resource the server does not serve is skipped (404) */
	{"/apis/networking.k8s.io/v1/networkpolicies", NULL},
	{"/apis/policy.networking.k8s.io/v1alpha1/adminnetworkpolicies", NULL},
	{"/apis/policy.networking.k8s.io/v1alpha1/baselineadminnetworkpolicies", NULL},
	{"/api/v1/namespaces/default/services?fieldSelector=metadata.name%3Dkubernetes", NULL},
	{"/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes",
	 NULL},
	{"/apis/cilium.io/v2/ciliumnetworkpolicies", NULL},
	{"/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies", NULL},
	{"/apis/projectcalico.org/v3/networkpolicies", NULL},
	{"/apis/projectcalico.org/v3/globalnetworkpolicies", NULL},
};

struct livectx {
	struct bh_cluster *c;
	FILE *save;
	const char *name;
};

static int on_page(const char *body, size_t len, void *ctx)
{
	struct livectx *x = ctx;
	if (x->save && (fwrite(body, 1, len, x->save) != len || fputc('\n', x->save) == EOF))
		return -EIO;
	bh_cluster_buffer(x->c, x->name, body, len);
	return 0;
}

static int read_live(struct bh_cluster *c, const struct copts *o)
{
	struct bh_kube *k = NULL;
	struct bh_err err = {0};
	struct bh_kube_opts ko = {.kubeconfig = o->kubeconfig, .context = o->context};
	if (bh_kube_open(&k, &ko, &err) < 0)
		return bh_cli_error("cluster", o->json_err, "%s", err.msg);
	fprintf(stderr, "bulkhead cluster: reading %s\n", bh_kube_describe(k));
	struct livectx x = {.c = c};
	if (o->save && !(x.save = fopen(o->save, "w"))) {
		bh_kube_close(k);
		return bh_cli_error("cluster", o->json_err, "%s: %s", o->save, strerror(errno));
	}
	int rc = 0;
	for (size_t i = 0; i < sizeof(live_lists) / sizeof(*live_lists) && rc == 0; i++) {
		x.name = bh_arena_printf(&c->eng.results, "api:%s", live_lists[i].path);
		err = (struct bh_err){0};
		int r = bh_kube_list(k, live_lists[i].path, o->page ? o->page : 500, live_lists[i].accept, on_page, &x, &err);
		if (r == -ENOENT)
			continue; /* not served by this API server */
		if (r == -EACCES) /* refused: go on with what may be read, the report names it, exit 2 */
			bh_engine_error(&c->eng, x.name, 0, 0, "%s", err.msg);
		else if (r < 0)
			rc = bh_cli_error("cluster", o->json_err, "%s", err.msg);
	}
	if (x.save && fclose(x.save) != 0)
		rc = bh_cli_error("cluster", o->json_err, "%s: %s", o->save, strerror(errno));
	bh_kube_close(k);
	return rc;
}

/* --vulns: the reports into db; one that cannot be read is an input error of the run (exit 2), the others count */
static struct bh_vulndb *load_vulns(struct bh_cluster *c, const struct copts *o, struct bh_vulndb *db)
{
	struct bh_err err;
	bh_vulns_init(db, NULL);
	for (unsigned i = 0; i < o->nvulns; i++)
		if (bh_vulns_load(db, o->vulns[i], &err) < 0)
			bh_engine_error(&c->eng, err.file ? err.file : o->vulns[i], err.line, err.col, "%s", err.msg);
	if (bh_vulns_finish(db, &err) < 0)
		bh_engine_error(&c->eng, "--vulns", 0, 0, "%s", err.msg);
	return db;
}

static int report(struct bh_cluster *c, const struct copts *o)
{
	FILE *out = stdout;
	if (o->output && !(out = fopen(o->output, "w")))
		return bh_cli_error("cluster", o->json_err, "%s: %s", o->output, strerror(errno));
	struct bh_cl_out wo = {.color = !o->output && o->format == BH_CL_TEXT && isatty(1),
			       .show_suppressed = o->show_suppressed, .max_paths = o->max_paths,
			       .min_finding = (enum bh_sev)o->min_finding};
	int rc = bh_cluster_write(out, o->format, c, &wo);
	if ((out != stdout && fclose(out) != 0) || rc < 0)
		return bh_cli_error("cluster", o->json_err, "cannot write the report");
	if (c->eng.errors.n)
		return 2;
	const struct bh_cl_paths *ps = bh_cluster_paths(c);
	for (size_t i = 0; i < ps->n; i++)
		if ((int)ps->v[i].sev >= o->fail_on)
			return 1;
	return 0;
}

int cmd_cluster(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", 1, 0, O_FORMAT}, {"output", 1, 0, O_OUTPUT}, {"fail-on", 1, 0, O_FAIL},
		{"admission-config", 1, 0, O_ADM}, {"kubeconfig", 1, 0, O_KUBECONFIG}, {"context", 1, 0, O_CONTEXT},
		{"save", 1, 0, O_SAVE}, {"page-size", 1, 0, O_PAGE}, {"max-paths", 1, 0, O_MAXP},
		{"config", 1, 0, O_CONFIG}, {"show-suppressed", 0, 0, O_SUPP}, {"findings", 1, 0, O_FINDINGS},
		{"node-report", 1, 0, O_NODEREP}, {"vulns", 1, 0, O_VULNS},
		{"help", 0, 0, 'h'}, {0}};
	struct copts o = {.fail_on = BH_SEV_HIGH, .min_finding = BH_SEV_HIGH};
	int ch, rc;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(cluster_help, stdout);
			return 0;
		}
		if (ch == '?' || (rc = parse_opt(&o, ch, optarg)))
			return ch == '?' ? 2 : rc;
	}
	if (o.save && optind < argc)
		return bh_cli_error("cluster", o.json_err, "--save writes what a live read got: give no SNAPSHOT");
	struct bh_cluster c;
	struct bh_err err = {0};
	struct bh_config *cfg = NULL;
	if ((rc = bh_cli_config("cluster", o.json_err, o.config, &cfg)))
		return rc;
	bh_cluster_init(&c, &err);
	c.eng.cfg = cfg;
	rc = 0;
	if (o.adm && bh_cluster_admission_file(&c, o.adm, &err) < 0)
		rc = bh_cli_error("cluster", o.json_err, "%s:%u:%u: %s", o.adm, err.line, err.col, err.msg);
	struct bh_vulndb vdb;
	if (o.nvulns)
		c.vulns = load_vulns(&c, &o, &vdb);
	for (unsigned i = 0; !rc && i < o.nnoderep; i++)
		if (bh_cluster_node_report(&c, o.noderep[i], &err) < 0)
			rc = bh_cli_error("cluster", o.json_err, "%s:%u:%u: %s", o.noderep[i], err.line, err.col, err.msg);
	if (!rc && optind == argc)
		rc = read_live(&c, &o);
	for (int i = optind; !rc && i < argc; i++)
		bh_cluster_file(&c, argv[i]);
	if (!rc && bh_cluster_analyse(&c) < 0)
		rc = bh_cli_error("cluster", o.json_err, "out of memory");
	if (!rc)
		rc = report(&c, &o);
	bh_cluster_release(&c);
	if (o.nvulns)
		bh_vulns_release(&vdb);
	bh_config_free(cfg);
	return rc;
}
