/* bulkhead inside — DESIGN §7: which escape avenues are open, seen from inside this container. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "host/cvedb.h"
#include "host/inside.h"
#include "report/report.h"

static const char inside_help[] =
	"usage: bulkhead inside [OPTIONS]\n"
	"\n"
	"Run inside a container: reports the escape avenues that are really open here (capabilities, seccomp,\n"
	"LSM, shared host namespaces, node mounts, runtime sockets, devices, writable /proc/sys and /sys, cgroup\n"
	"release_agent, user namespaces, the kernel's escape CVEs, the service-account token), with evidence.\n"
	"Read-only: it changes nothing and runs no exploit. The live checks open device nodes read-only,\n"
	"connect() to unix sockets without sending anything, and fork a child that tries unshare(CLONE_NEWUSER)\n"
	"and exits at once.\n"
	"\n"
	"options:\n"
	"  --format text|json   output format (default text)\n"
	"  --root DIR           read DIR as the root filesystem (fixture trees; live checks are skipped)\n"
	"  --cve-data FILE      escape CVE data instead of the built-in copy of data/escape-cves.txt\n"
	"  --no-userns-test     do not fork the user-namespace test child\n"
	"  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY:\n"
	"                       critical, high (default), medium, low, info, none\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it, 2 usage or input error\n";

static void print_facts(FILE *out, const struct bh_inside *f)
{
	char vb[40];
	fprintf(out, "bulkhead inside: %s%s%s, runtime %s, uid %d (euid %d)%s\n",
		f->in_container ? "container" : "no container", f->hostname[0] ? " " : "", f->hostname, f->runtime,
		f->uid, f->euid, f->in_userns == 1 ? " in a user namespace" : "");
	if (f->kernel_known)
		fprintf(out, "  kernel %s (%s%s, %s level %s)\n", f->kernel.release, bh_distro_name(f->kernel.distro),
			f->kernel.backports ? ", back-ports fixes" : "", f->kernel.exact ? "upstream" : "branch",
			bh_ver_str(&f->kernel.ver, vb, sizeof(vb)));
	if (f->caps_known)
		fprintf(out, "  CapEff %016llx  CapBnd %016llx  cap_last_cap %d  NoNewPrivs %d  Seccomp %d (%d filters)\n",
			(unsigned long long)f->cap_eff, (unsigned long long)f->cap_bnd, f->cap_last, f->nnp, f->seccomp,
			f->seccomp_filters);
	fprintf(out, "  LSM %s: %s\n", f->lsm_name, f->lsm_label);
	static const char *const nsn[BH_NS_N] = {"pid", "net", "ipc", "uts", "cgroup", "mnt", "user"};
	fputs("  host namespaces:", out);
	for (int i = 0; i < BH_NS_N; i++)
		fprintf(out, " %s=%s", nsn[i], f->ns[i].host == 1 ? "yes" : f->ns[i].host == 0 ? "no" : "?");
	fputs("\n\n", out);
}

int bh_cli_cvedb(const char *cmd, int json, const char *path, struct bh_cvedb *db)
{
	struct bh_err err = {0};
	int rc;
	if (path) {
		char *buf = NULL;
		size_t len = 0;
		rc = bh_read_file(path, 4u << 20, &buf, &len);
		if (rc) {
			memset(db, 0, sizeof(*db));
			return bh_cli_error(cmd, json, "%s: %s", path, strerror(-rc));
		}
		rc = bh_cvedb_load(db, buf, len, path, &err);
		free(buf);
	} else {
		rc = bh_cvedb_load_builtin(db, &err);
	}
	if (rc) {
		bh_cvedb_release(db);
		return bh_cli_error(cmd, json, "%s", err.msg);
	}
	return 0;
}

int cmd_inside(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"root", required_argument, NULL, 'r'},
		{"cve-data", required_argument, NULL, 'c'}, {"no-userns-test", no_argument, NULL, 'n'},
		{"fail-on", required_argument, NULL, 'F'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0},
	};
	int format = BH_FMT_TEXT, fail_on = BH_SEV_HIGH, c;
	const char *root = NULL, *cve_data = NULL;
	struct bh_inside_opts io = {0};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (bh_cli_format("inside", optarg, BH_FMT_TEXT_JSON, &format))
				return 2;
			break;
		case 'r': root = optarg; break;
		case 'c': cve_data = optarg; break;
		case 'n': io.no_userns_test = true; break;
		case 'F':
			fail_on = bh_sev_parse(optarg);
			if (fail_on < 0)
				return bh_cli_error("inside", format == BH_FMT_JSON,
						    "unknown --fail-on '%s' (critical, high, medium, low, info, none)", optarg);
			break;
		case 'h': fputs(inside_help, stdout); return 0;
		default:
			return bh_cli_error("inside", format == BH_FMT_JSON, "unknown option '%s' (see bulkhead inside --help)",
					    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bh_cli_error("inside", format == BH_FMT_JSON, "unexpected argument '%s'", argv[optind]);
	bool json = format == BH_FMT_JSON;

	struct bh_cvedb db;
	struct bh_err err = {0};
	int rc = bh_cli_cvedb("inside", json, cve_data, &db);
	if (rc)
		return rc;
	io.root = root;
	struct bh_inside *facts = calloc(1, sizeof(*facts));
	if (!facts) {
		bh_cvedb_release(&db);
		return bh_cli_error("inside", json, "out of memory");
	}
	rc = bh_inside_probe(&io, facts, &err);
	if (rc) {
		free(facts);
		bh_cvedb_release(&db);
		return bh_cli_error("inside", json, "%s", err.msg);
	}
	struct bh_arena arena;
	bh_arena_init(&arena, 16u << 20);
	struct bh_findings fs;
	bh_findings_init(&fs, &arena);
	rc = bh_inside_evaluate(facts, &db, &fs);
	int exit_code = 0;
	if (rc) {
		exit_code = bh_cli_error("inside", json, "out of memory while evaluating");
		goto out;
	}
	struct bh_report r = {.command = "inside", .findings = &fs, .objects = 1};
	r.color = !json && isatty(1) && !getenv("NO_COLOR");
	if (json) {
		bh_report_json(stdout, &r);
	} else {
		print_facts(stdout, facts);
		bh_report_text(stdout, &r);
	}
	if (fail_on != BH_SEV_NONE)
		for (size_t i = 0; i < fs.n; i++)
			if ((int)fs.v[i].sev >= fail_on)
				exit_code = 1;
	if (fflush(stdout))
		exit_code = 2;
out:
	bh_findings_release(&fs);
	bh_arena_release(&arena);
	free(facts);
	bh_cvedb_release(&db);
	return exit_code;
}
