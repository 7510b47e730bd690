/* bulkhead: the command table. Verbs match exactly; `bulkhead help CMD` = `bulkhead CMD --help`. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

const struct bh_command bh_commands[] = {
	{"scan", cmd_scan, "find manifests that open a path from a container to the node", 0},
	{"pss", cmd_pss, "would Pod Security Admission accept these manifests at level L, version V?", 0},
	{"watch", cmd_watch, "detect container escapes as they happen (eBPF sensor)", BH_CMD_ROOT | BH_CMD_BPF},
	{"inside", cmd_inside, "from inside this container, which escape avenues are really open?", BH_CMD_ROOT},
	{"node", cmd_node, "is this node open to known escapes? kernel packages, runtimes, LSM, sysctls, kubelet", BH_CMD_ROOT},
	{"serve", cmd_serve, "admission webhook: deny escape-prone pods and workloads before they exist", BH_CMD_NET},
	{"audit", cmd_audit, "escape preparation in the API server's audit log: file, stdin or audit webhook", 0},
	{"cluster", cmd_cluster, "who can reach a node or cluster-admin, by which chain (RBAC, Pod Security, workloads, node CVEs)", 0},
	{"netpol", cmd_netpol, "which pods can reach the API server, kubelets, cloud metadata and other namespaces (NetworkPolicy)", 0},
	{"fix", cmd_fix, "write the safe fixes into the manifests: minimal edits, a diff, or kustomize patches", 0},
	{"respond", cmd_respond, "turn a watch or audit alert (or a pod) into the ordered containment runbook", 0},
	{"rules", cmd_rules, "list every rule (id, severity, area, name, title); --docs writes docs/rules/", 0},
	{"explain", cmd_explain, "teach one rule: what, why it leads to escape, how it is exploited, the fix", 0},
};
const unsigned bh_ncommands = sizeof(bh_commands) / sizeof(bh_commands[0]);

static void usage(FILE *out)
{
	fprintf(out, "usage: bulkhead COMMAND [OPTIONS] [ARGS]\n\n"
		     "bulkhead finds, prevents and detects container escapes in Kubernetes.\n\ncommands:\n");
	for (unsigned i = 0; i < bh_ncommands; i++)
		fprintf(out, "  %-10s %s\n", bh_commands[i].name, bh_commands[i].summary);
	fprintf(out, "\n`bulkhead COMMAND --help` describes a command's options.\n"
		     "exit codes: 0 clean, 1 findings at or above the fail level, 2 usage or input error\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *verb = argv[1];
	if (!strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(verb, "--version") || !strcmp(verb, "version")) {
		printf("bulkhead %s\n", BH_VERSION);
		return 0;
	}
	if (!strcmp(verb, "help")) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		verb = argv[2];
		for (unsigned i = 0; i < bh_ncommands; i++)
			if (!strcmp(bh_commands[i].name, verb)) {
				char *hargv[] = {argv[2], "--help", NULL};
				return bh_commands[i].run(2, hargv);
			}
		fprintf(stderr, "bulkhead: unknown command '%s'\n", verb);
		return 2;
	}
	for (unsigned i = 0; i < bh_ncommands; i++)
		if (!strcmp(bh_commands[i].name, verb))
			return bh_commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "bulkhead: unknown command '%s' (see bulkhead --help)\n", verb);
	return 2;
}
