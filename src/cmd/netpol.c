/* bulkhead netpol — which pods can reach the API server, the kubelets, the cloud metadata address, node
 * ports and other namespaces, as NetworkPolicies (and AdminNetworkPolicies) decide; and, with --decide,
 * the decision for given packets (the entry point the reference-implementation oracle drives). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "netpol/netpol.h"
#include "netpol/reach.h"
#include "report/report.h"
#include "util/map.h"

static const char netpol_help[] =
	"usage: bulkhead netpol [OPTIONS] SNAPSHOT...\n"
	"\n"
	"Evaluates NetworkPolicies (networking.k8s.io/v1) and AdminNetworkPolicies / BaselineAdminNetworkPolicies\n"
	"(policy.networking.k8s.io/v1alpha1) of a cluster snapshot exactly as the API defines them and says, per\n"
	"pod, whether it can reach the API server (the `kubernetes` Service in `default` and its endpoints), each\n"
	"node's kubelet (10250), the cloud metadata address 169.254.169.254, node ports and other namespaces;\n"
	"which namespaces lack a default deny per direction and which pods no policy selects. SNAPSHOT is kubectl\n"
	"`get -o json|yaml` output (List kinds, several documents or files, `-` for stdin) with Pods (status.podIPs),\n"
	"Namespaces, NetworkPolicies, Services, EndpointSlices and Nodes. CiliumNetworkPolicy and Calico\n"
	"policies are named in a note and not evaluated.\n"
	"\n"
	"options:\n"
	"  --format FORMAT         text (default: findings, then the reachability matrix per namespace), json,\n"
	"                          sarif, junit, policyreport\n"
	"  --html FILE             also write the reachability matrix and coverage as a single-file HTML page\n"
	"  --decide FILE           instead of the analysis: for every line {\"src\": IP, \"dst\": IP, \"proto\":\n"
	"                          \"TCP|UDP|SCTP\", \"port\": N} of FILE print `allow` or `deny STAGE POLICY`\n"
	"  --fail-on SEVERITY      exit 1 when a finding is at or above SEVERITY:\n"
	"                          critical, high (default), medium, low, info, none\n"
	"  -h, --help              this help\n"
	"\n"
	"JSON: the common findings object plus \"netpol\" (reach per pod, coverage per namespace, the namespace\n"
	"matrix; docs/schema/netpol.schema.json).\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it, 2 usage or input error\n";

struct np_args {
	int format, fail_on;
	const char *decide, *html;
};

static int parse_args(int argc, char **argv, struct np_args *a)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"decide", required_argument, NULL, 'd'},
		{"html", required_argument, NULL, 'H'},
		{"fail-on", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int c;
	bool json = bh_cli_json_asked(argc, argv);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f': {
			int rc = bh_cli_format("netpol", optarg, BH_FMT_ALL, &a->format);
			if (rc)
				return rc;
			break;
		}
		case 'd': a->decide = optarg; break;
		case 'H': a->html = optarg; break;
		case 'F':
			if ((a->fail_on = bh_sev_parse(optarg)) < 0)
				return bh_cli_error("netpol", json, "unknown --fail-on '%s' (critical, high, medium, low, info, none)",
						    optarg);
			break;
		case 'h': fputs(netpol_help, stdout); return 0;
		default:
			return bh_cli_error("netpol", json, "unknown option '%s' (see bulkhead netpol --help)", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bh_cli_error("netpol", json, "no snapshot given (see bulkhead netpol --help)");
	return -1;
}

/* One tuple line: {"src", "dst", "proto", "port"}. */
static int tuple(const struct bh_node *m, struct bh_np_packet *p, char *msg, size_t len)
{
	const char *src = NULL, *dst = NULL, *proto = "TCP";
	size_t l;
	int64_t port = 0;
	const struct bh_node *n;
	if ((n = bh_map_get(m, "src", BH_READ_LAST, NULL, NULL)))
		bh_as_str(n, &src, &l);
	if ((n = bh_map_get(m, "dst", BH_READ_LAST, NULL, NULL)))
		bh_as_str(n, &dst, &l);
	if ((n = bh_map_get(m, "proto", BH_READ_LAST, NULL, NULL)))
		bh_as_str(n, &proto, &l);
	if ((n = bh_map_get(m, "port", BH_READ_LAST, NULL, NULL)))
		bh_as_int(n, &port);
	int pr = bh_np_proto_parse(proto);
	if (!src || !dst || bh_np_ip_parse(src, &p->src) || bh_np_ip_parse(dst, &p->dst) || pr < 0 || port < 1 ||
	    port > 65535) {
		snprintf(msg, len, "a tuple is {\"src\": IP, \"dst\": IP, \"proto\": \"TCP|UDP|SCTP\", \"port\": 1-65535}");
		return -1;
	}
	p->proto = (uint8_t)pr;
	p->port = (uint32_t)port;
	return 0;
}

static void print_verdict(const struct bh_np_snap *s, const struct bh_np_verdict *v)
{
	if (v->allow) {
		puts("allow");
		return;
	}
	bool anp = v->stage == BH_NP_BY_ANP_EGRESS || v->stage == BH_NP_BY_ANP_INGRESS ||
		   v->stage == BH_NP_BY_BANP_EGRESS || v->stage == BH_NP_BY_BANP_INGRESS;
	const char *ns = "", *name = "-";
	if (v->policy >= 0 && anp)
		name = s->anp[v->policy].name;
	else if (v->policy >= 0)
		ns = s->pol[v->policy].ns, name = s->pol[v->policy].name;
	printf("deny %s %s%s%s\n", bh_np_stage_name(v->stage), ns, *ns ? "/" : "", name);
}

static int decide(const char *path, const struct bh_np_snap *s)
{
	struct bh_map m;
	int rc = bh_map_file(path, bh_default_limits.max_input, &m);
	if (rc)
		return bh_cli_error("netpol", 0, "%s: %s", path, strerror(-rc));
	struct bh_decoder *d = bh_decoder_new(path, m.p, m.len, &bh_default_limits);
	struct bh_arena a;
	bh_arena_init(&a, 64u << 20);
	int exit_code = d ? 0 : bh_cli_error("netpol", 0, "out of memory");
	for (; d && !exit_code;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		struct bh_np_packet p;
		char msg[160];
		bh_arena_reset(&a);
		rc = bh_decoder_next(d, &a, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0)
			exit_code = bh_cli_error("netpol", 0, "%s:%u:%u: %s", path, err.line, err.col, err.msg);
		else if (doc.root && tuple(doc.root, &p, msg, sizeof(msg)))
			exit_code = bh_cli_error("netpol", 0, "%s:%u:%u: %s", path, doc.root->line, doc.root->col, msg);
		else if (doc.root) {
			struct bh_np_verdict v;
			bh_np_decide(s, &p, &v);
			print_verdict(s, &v);
		}
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
	bh_map_release(&m);
	return fflush(stdout) ? 2 : exit_code;
}

static int print_errors(const struct bh_diagvec *e, bool json)
{
	for (size_t i = 0; i < e->n && !json; i++)
		fprintf(stderr, "bulkhead netpol: %s:%u:%u: %s\n", e->v[i].file ? e->v[i].file : "-", e->v[i].line,
			e->v[i].col, e->v[i].message);
	return e->n ? 2 : 0;
}

static const char *yn(uint8_t v)
{
	return v == BH_NP_YES ? "yes" : v == BH_NP_NO ? "no" : "n/a";
}

/* The reachability matrix: pods of the row's namespace that reach at least one pod of the column's. */
static void text_matrix(FILE *out, const struct bh_np_snap *s, const struct bh_np_reach *r)
{
	fprintf(out, "\nreachability (pods of the row's namespace that can connect to at least one pod of the column's):\n");
	fprintf(out, "%-20s %6s", "namespace", "pods");
	for (uint32_t j = 0; j < s->nns; j++)
		fprintf(out, " %8.8s", s->ns[j].name);
	fputc('\n', out);
	for (uint32_t i = 0; i < s->nns; i++) {
		fprintf(out, "%-20.20s %6u", s->ns[i].name, r->ns[i].addressed);
		for (uint32_t j = 0; j < s->nns; j++)
			fprintf(out, " %8u", r->matrix[(size_t)i * s->nns + j]);
		fputc('\n', out);
	}
	fprintf(out, "\ncoverage per namespace (pods with an IP, hostNetwork left out):\n");
	fprintf(out, "%-20s %6s %-14s %-14s %8s %8s %8s %8s %8s\n", "namespace", "pods", "default-deny", "not-isolated",
		"apiserver", "kubelet", "metadata", "nodeport", "other-ns");
	for (uint32_t i = 0; i < s->nns; i++) {
		const struct bh_np_nsreach *n = &r->ns[i];
		char dd[16], open[24];
		snprintf(dd, sizeof(dd), "%s/%s", n->default_deny_in ? "in" : "-", n->default_deny_eg ? "eg" : "-");
		snprintf(open, sizeof(open), "%u in, %u eg", n->open_in, n->open_eg);
		fprintf(out, "%-20.20s %6u %-14s %-14s %8u %8u %8u %8u %8u\n", s->ns[i].name, n->addressed, dd, open,
			n->api, n->kubelet, n->metadata, n->nodeport, n->other_ns);
	}
	fprintf(out, "(%u pods in %u classes, %llu decisions; API server %s, nodes %s)\n", r->npods, r->classes,
		(unsigned long long)r->decisions, r->api_known ? "known" : "not in the snapshot",
		r->nodes_known ? "known" : "not in the snapshot");
}

static void json_netpol(FILE *out, const struct bh_np_snap *s, const struct bh_np_reach *r)
{
	fputs("{\"namespaces\": [", out);
	for (uint32_t i = 0; i < s->nns; i++) {
		const struct bh_np_nsreach *n = &r->ns[i];
		fprintf(out, "%s{\"name\": ", i ? ", " : "");
		bh_json_str(out, s->ns[i].name);
		fprintf(out, ", \"pods\": %u, \"hostNetwork\": %u, \"defaultDeny\": {\"ingress\": %s, \"egress\": %s}, "
			"\"notIsolated\": {\"ingress\": %u, \"egress\": %u}, \"reach\": {\"apiserver\": %u, \"kubelet\": %u, "
			"\"metadata\": %u, \"nodePort\": %u, \"otherNamespaces\": %u}, \"matrix\": {",
			n->addressed, n->hostnet, n->default_deny_in ? "true" : "false", n->default_deny_eg ? "true" : "false",
			n->open_in, n->open_eg, n->api, n->kubelet, n->metadata, n->nodeport, n->other_ns);
		for (uint32_t j = 0, k = 0; j < s->nns; j++) {
			if (!r->matrix[(size_t)i * s->nns + j])
				continue;
			fputs(k++ ? ", " : "", out);
			bh_json_str(out, s->ns[j].name);
			fprintf(out, ": %u", r->matrix[(size_t)i * s->nns + j]);
		}
		fputs("}}", out);
	}
	fputs("], \"pods\": [", out);
	for (uint32_t i = 0; i < s->npods; i++) {
		const struct bh_np_pod *p = &s->pods[i];
		const struct bh_np_preach *o = &r->pod[i];
		fprintf(out, "%s{\"namespace\": ", i ? ", " : "");
		bh_json_str(out, p->ns);
		fputs(", \"name\": ", out);
		bh_json_str(out, p->name);
		fprintf(out, ", \"hostNetwork\": %s, \"addressed\": %s, \"isolated\": {\"ingress\": %s, \"egress\": %s}, "
			"\"apiserver\": \"%s\", \"kubelets\": %u, \"metadata\": \"%s\", \"nodePort\": \"%s\", "
			"\"otherNamespaces\": %s}", p->host_network ? "true" : "false", o->addressed ? "true" : "false",
			o->iso_in ? "true" : "false", o->iso_eg ? "true" : "false", yn(o->api), o->kubelets, yn(o->metadata),
			yn(o->nodeport), o->cross ? "true" : "false");
	}
	fprintf(out, "], \"classes\": %u, \"decisions\": %llu}", r->classes, (unsigned long long)r->decisions);
}

struct np_json {
	const struct bh_np_snap *s;
	const struct bh_np_reach *r;
};

/* the common JSON report's extra member "netpol" */
static void json_members(FILE *out, const void *ctx)
{
	const struct np_json *x = ctx;
	bh_json_member(out, "netpol");
	json_netpol(out, x->s, x->r);
}

static void html_str(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", out);
		else if (*s == '>')
			fputs("&gt;", out);
		else if (*s == '&')
			fputs("&amp;", out);
		else if (*s == '"')
			fputs("&quot;", out);
		else
			fputc(*s, out);
	}
}

/* A single-file HTML page: the namespace matrix (cell shade = share of the row's pods that reach the
 * column) and the coverage table. No scripts, no external resources. */
static int write_html(const char *path, const struct bh_np_snap *s, const struct bh_np_reach *r)
{
	FILE *out = fopen(path, "w");
	if (!out)
		return -1;
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>bulkhead netpol</title><style>"
	      "body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px;"
	      "text-align:right}th{background:#eee}</style></head><body>\n<h1>bulkhead netpol: reachability</h1>\n"
	      "<p>Cell: pods of the row's namespace that can connect to at least one pod of the column's namespace "
	      "(shade: share of the row's pods).</p>\n<table><tr><th>from \\ to</th>", out);
	for (uint32_t j = 0; j < s->nns; j++) {
		fputs("<th>", out);
		html_str(out, s->ns[j].name);
		fputs("</th>", out);
	}
	fputs("</tr>\n", out);
	for (uint32_t i = 0; i < s->nns; i++) {
		fputs("<tr><th>", out);
		html_str(out, s->ns[i].name);
		fputs("</th>", out);
		for (uint32_t j = 0; j < s->nns; j++) {
			uint32_t v = r->matrix[(size_t)i * s->nns + j], n = r->ns[i].addressed;
			unsigned shade = n ? 255 - (unsigned)(155u * v / n) : 255;
			fprintf(out, "<td style=\"background:rgb(255,%u,%u)\">%u</td>", shade, shade, v);
		}
		fputs("</tr>\n", out);
	}
	fputs("</table>\n<h2>Coverage</h2>\n<table><tr><th>namespace</th><th>pods</th><th>default deny in</th>"
	      "<th>default deny eg</th><th>not isolated in</th><th>not isolated eg</th><th>API server</th>"
	      "<th>kubelet</th><th>metadata</th><th>node port</th><th>other namespaces</th></tr>\n", out);
	for (uint32_t i = 0; i < s->nns; i++) {
		const struct bh_np_nsreach *n = &r->ns[i];
		fputs("<tr><th>", out);
		html_str(out, s->ns[i].name);
		fprintf(out, "</th><td>%u</td><td>%s</td><td>%s</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td><td>%u</td>"
			"<td>%u</td><td>%u</td></tr>\n", n->addressed, n->default_deny_in ? "yes" : "no",
			n->default_deny_eg ? "yes" : "no", n->open_in, n->open_eg, n->api, n->kubelet, n->metadata,
			n->nodeport, n->other_ns);
	}
	fputs("</table>\n</body></html>\n", out);
	return fclose(out) ? -1 : 0;
}

static int analyse(const struct bh_np_snap *s, struct bh_diagvec *errs, const struct np_args *a)
{
	struct bh_arena fa;
	bh_arena_init(&fa, 256u << 20);
	struct bh_findings fs;
	bh_findings_init(&fs, &fa);
	struct bh_np_reach r;
	int exit_code = 0;
	if (bh_np_reach(s, &r, &fs)) {
		exit_code = bh_cli_error("netpol", a->format == BH_FMT_JSON, "out of memory in the reach analysis");
	} else {
		struct bh_report rep = {.command = "netpol", .findings = &fs, .errors = errs->v, .nerrors = errs->n,
					.objects = s->objects};
		rep.color = a->format == BH_FMT_TEXT && isatty(1) && !getenv("NO_COLOR");
		struct np_json x = {s, &r};
		rep.json_members = json_members;
		rep.json_ctx = &x;
		bh_report_write(stdout, a->format, &rep);
		if (a->format == BH_FMT_TEXT)
			text_matrix(stdout, s, &r);
		for (size_t i = 0; a->fail_on != BH_SEV_NONE && i < fs.n; i++)
			if ((int)fs.v[i].sev >= a->fail_on)
				exit_code = 1;
		if (errs->n)
			exit_code = 2;
		if (a->html && write_html(a->html, s, &r))
			exit_code = bh_cli_error("netpol", a->format == BH_FMT_JSON, "cannot write %s: %s", a->html,
						 strerror(errno));
	}
	bh_np_reach_release(&r);
	bh_findings_release(&fs);
	bh_arena_release(&fa);
	return fflush(stdout) ? 2 : exit_code;
}

int cmd_netpol(int argc, char **argv)
{
	struct np_args a = {.format = BH_FMT_TEXT, .fail_on = BH_SEV_HIGH};
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	bool json = a.format == BH_FMT_JSON;
	struct bh_arena arena;
	bh_arena_init(&arena, 0); /* the whole snapshot lives here; each document is capped by the decoder */
	struct bh_np_snap s;
	bh_np_snap_init(&s, &arena);
	struct bh_diagvec errs = {0};
	int exit_code = 0;
	for (int i = optind; i < argc && !exit_code; i++)
		if (bh_np_load(&s, argv[i], &bh_default_limits, &errs))
			exit_code = bh_cli_error("netpol", json, "out of memory reading %s", argv[i]);
	if (!exit_code && bh_np_index(&s))
		exit_code = bh_cli_error("netpol", json, "out of memory indexing the snapshot");
	if (!exit_code && a.decide) {
		exit_code = print_errors(&errs, false);
		if (!exit_code)
			exit_code = decide(a.decide, &s);
	} else if (!exit_code) {
		exit_code = analyse(&s, &errs, &a);
	}
	free(errs.v);
	bh_np_snap_release(&s);
	bh_arena_release(&arena);
	return exit_code;
}
