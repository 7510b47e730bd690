/* bulkhead respond ALERT|NAMESPACE/POD — the containment plan for an alert (docs/respond.md) */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "fix/respond.h"

static const char respond_help[] =
	"usage: bulkhead respond [OPTIONS] ALERT-FILE|-|NAMESPACE/POD\n"
	"\n"
	"Turns a `bulkhead watch` alert or a `bulkhead audit --format jsonl` line (a file or - for stdin: one\n"
	"JSON object per line, one plan each) or a pod reference into the ordered containment plan: label the\n"
	"pod and deny all its traffic with a NetworkPolicy, cordon its node, collect evidence (the pod, its\n"
	"owner, logs, events, the node's view of the process from the alert, a kubelet checkpoint), revoke the\n"
	"pod's service-account credentials, find the same image and the same avenue elsewhere, then remove the\n"
	"pod and fix its workload. Printed as a runbook with the exact kubectl commands, or as JSON. Values\n"
	"from the alert that are not valid Kubernetes names are refused (exit 2), never written into commands.\n"
	"Nothing is changed in the cluster unless --apply is given.\n"
	"\n"
	"options:\n"
	"  --format FORMAT      text (default: the runbook) or json\n"
	"  --apply              carry out the steps that change the cluster (quarantine label and NetworkPolicy,\n"
	"                       cordon, service-account recreation) through the API: every request first with\n"
	"                       dryRun=All, then for real; each is recorded on stdout. Needs the pod (NAMESPACE/POD,\n"
	"                       or an alert that names it); evidence and the hunt stay in the runbook\n"
	"  --dry-run            with --apply: only the dryRun=All requests (nothing is stored)\n"
	"  --kubeconfig FILE    with --apply: the API server and credentials (default: $KUBECONFIG, ~/.kube/config,\n"
	"                       or in-cluster)\n"
	"  --context NAME       with --apply: kubeconfig context (default: current-context)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 a plan for every input (--apply: every request passed), 1 --apply: a request was refused\n"
	"            (recorded), 2 usage error, an alert that could not be read, or no pod / no API server\n";

struct resp_opts {
	bool apply, dry_only;
	const char *kubeconfig, *context;
};
static struct resp_opts ro;

static int parse(int argc, char **argv, bool *json)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
		{"apply", no_argument, NULL, 'a'},        {"dry-run", no_argument, NULL, 'd'},
		{"kubeconfig", required_argument, NULL, 'k'}, {"context", required_argument, NULL, 'c'}, {0},
	};
	ro = (struct resp_opts){0};
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	*json = bh_cli_json_asked(argc, argv);
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				rc = bh_cli_error("respond", *json, "unknown --format '%s' (text, json)", optarg);
			break;
		case 'h': fputs(respond_help, stdout); return 1;
		case 'a': ro.apply = true; break;
		case 'd': ro.dry_only = true; break;
		case 'k': ro.kubeconfig = optarg; break;
		case 'c': ro.context = optarg; break;
		default:
			rc = bh_cli_error("respond", *json, "unknown option '%s' (see bulkhead respond --help)", argv[optind - 1]);
		}
	}
	if (rc == 0 && optind != argc - 1)
		rc = bh_cli_error("respond", *json, "give one alert file, - for stdin, or NAMESPACE/POD");
	if (rc == 0 && !ro.apply && (ro.dry_only || ro.kubeconfig || ro.context))
		rc = bh_cli_error("respond", *json, "--dry-run, --kubeconfig and --context go with --apply");
	return rc;
}

static int emit(struct bh_resp_plan *p, bool json, int *n)
{
	bh_resp_build(p);
	if (ro.apply) {
		(*n)++;
		return bh_respond_apply(p, ro.kubeconfig, ro.context, ro.dry_only, json);
	}
	if (json) {
		fputs(*n ? ",\n" : "", stdout);
		bh_resp_json(stdout, p);
	} else {
		fputs(*n ? "\n\n" : "", stdout);
		bh_resp_text(stdout, p);
	}
	(*n)++;
	return 0;
}

/* every non-blank line of the file is one alert */
static int from_file(const char *path, bool json, int *n)
{
	char *buf;
	size_t len;
	int rc = bh_read_file(path, 64u << 20, &buf, &len), bad = 0;
	if (rc < 0)
		return bh_cli_error("respond", json, "cannot read %s: %s", path, strerror(-rc));
	uint32_t line = 0;
	for (char *s = buf, *e; s < buf + len; s = e + 1) {
		e = memchr(s, '\n', (size_t)(buf + len - s));
		if (!e)
			e = buf + len;
		line++;
		if (strspn(s, " \t\r") >= (size_t)(e - s))
			continue;
		struct bh_resp_plan p;
		struct bh_err err = {0};
		bh_resp_init(&p);
		if (bh_resp_from_alert(&p, path, s, (size_t)(e - s), &err) < 0) {
			fprintf(stderr, "%s:%u:%u: error: %s\n", path, line, err.col ? err.col : 1, err.msg);
			bad = 2;
		} else {
			int erc = emit(&p, json, n);
			bad = erc > bad ? erc : bad;
		}
		bh_resp_release(&p);
	}
	free(buf);
	return bad;
}

int cmd_respond(int argc, char **argv)
{
	bool json;
	int rc = parse(argc, argv, &json), n = 0;
	if (rc)
		return rc == 1 ? 0 : rc;
	const char *arg = argv[optind];
	if (json && !ro.apply)
		fputs("{\"plans\": [\n", stdout);
	if (!strcmp(arg, "-") || access(arg, F_OK) == 0 || !strchr(arg, '/')) {
		rc = from_file(arg, json, &n);
	} else {
		struct bh_resp_plan p;
		struct bh_err err = {0};
		bh_resp_init(&p);
		if (bh_resp_from_pod(&p, arg, &err) < 0)
			rc = bh_cli_error("respond", 0, "%s", err.msg);
		else
			rc = emit(&p, json, &n);
		bh_resp_release(&p);
	}
	if (json && !ro.apply)
		fputs("]}\n", stdout);
	if (!n && !rc)
		rc = bh_cli_error("respond", 0, "%s holds no alert", arg);
	return rc;
}
