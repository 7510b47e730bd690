/* bulkhead scan [PATH|-]... — DESIGN §5 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "engine/engine.h"
#include "engine/pss_scan.h"

static const char scan_help[] =
	"usage: bulkhead scan [OPTIONS] [PATH|-]...\n"
	"\n"
	"Scans Kubernetes manifests (YAML or JSON; files, directories searched recursively for *.yaml, *.yml,\n"
	"*.json; - for stdin) for settings that open a path from a container to the node.\n"
	"\n"
	"options:\n"
	"  --format text|json   output format (default text)\n"
	"  --output FILE        write the report to FILE instead of stdout\n"
	"  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY:\n"
	"                       critical, high (default), medium, low, info, none\n"
	"  --pss LEVEL[:VERSION]  also report Pod Security Admission violations at LEVEL (baseline,\n"
	"                       restricted, privileged) and VERSION (v1.N or latest); default\n"
	"                       baseline:latest; --pss none turns this off. A Namespace in the input with\n"
	"                       pod-security.kubernetes.io/enforce[-version] labels sets the level and\n"
	"                       version for its own objects (a warning says so)\n"
	"  --quiet              text: print only the summary line\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it,\n"
	"            2 usage error or an input that could not be read or decoded (the others are still reported)\n";

struct pathvec {
	char **v;
	size_t n, cap;
};

static int push(struct pathvec *p, const char *s)
{
	if (p->n == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		char **nv = realloc(p->v, nc * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		p->v = nv;
		p->cap = nc;
	}
	if (!(p->v[p->n] = strdup(s)))
		return -ENOMEM;
	p->n++;
	return 0;
}

static bool manifest_name(const char *n)
{
	size_t l = strlen(n);
	return (l > 5 && !strcmp(n + l - 5, ".yaml")) || (l > 4 && !strcmp(n + l - 4, ".yml")) ||
	       (l > 5 && !strcmp(n + l - 5, ".json"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Recursive, sorted (deterministic), symlinked directories are not followed (no loops). */
static void walk_dir(struct bh_engine *e, struct pathvec *out, const char *dir, int depth)
{
	if (depth > 64) {
		bh_engine_error(e, dir, 0, 0, "directory nesting deeper than 64 levels; not descended");
		return;
	}
	DIR *d = opendir(dir);
	if (!d) {
		bh_engine_error(e, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		e->files++;
		return;
	}
	struct pathvec names = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			push(&names, de->d_name);
	closedir(d);
	qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names.v[i]);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			walk_dir(e, out, path, depth + 1);
		else if (manifest_name(names.v[i]) && (stat(path, &st) != 0 || S_ISREG(st.st_mode)))
			push(out, path);
		free(names.v[i]);
	}
	free(names.v);
}

/* PATH arguments → files (directories expanded recursively, sorted); problems become input errors in e.
 * *out is malloc'ed, each entry too; the caller frees them. Shared by scan and pss. */
size_t bh_cli_expand(struct bh_engine *e, char *const *args, int nargs, char ***out)
{
	struct pathvec files = {0};
	for (int i = 0; i < nargs; i++) {
		struct stat st;
		if (strcmp(args[i], "-") && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
			walk_dir(e, &files, args[i], 0);
		else
			push(&files, args[i]);
	}
	*out = files.v;
	return files.n;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, 'F'}, {"quiet", no_argument, NULL, 'q'},
		{"pss", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	int format = BH_FMT_TEXT, fail_on = BH_SEV_HIGH, quiet = 0, c;
	const char *output = NULL;
	struct bh_pss_scan pss = {.level = BH_PSS_BASELINE, .minor = BH_PSS_LATEST};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = bh_format_parse(optarg);
			if (format != BH_FMT_TEXT && format != BH_FMT_JSON)
				return bh_cli_error("scan", 0, "unknown --format '%s' (text, json)", optarg);
			break;
		case 'o': output = optarg; break;
		case 'F':
			fail_on = bh_sev_parse(optarg);
			if (fail_on < 0)
				return bh_cli_error("scan", format == BH_FMT_JSON, "unknown --fail-on '%s' (critical, high, medium, low, info, none)", optarg);
			break;
		case 'q': quiet = 1; break;
		case 'P':
			if (bh_pss_scan_parse(&pss, optarg) < 0)
				return bh_cli_error("scan", format == BH_FMT_JSON,
						    "bad --pss '%s' (LEVEL[:VERSION]: baseline, restricted, privileged or none; v1.N or latest)",
						    optarg);
			break;
		case 'h': fputs(scan_help, stdout); return 0;
		default:
			return bh_cli_error("scan", format == BH_FMT_JSON, "unknown option '%s' (see bulkhead scan --help)",
					    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bh_cli_error("scan", format == BH_FMT_JSON, "no input: give files, directories or - for stdin");

	struct bh_engine e;
	bh_engine_init(&e);
	struct pathvec files = {0};
	for (int i = optind; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
			walk_dir(&e, &files, argv[i], 0);
		else
			push(&files, argv[i]);
	}
	/* PSS pre-pass: Namespace enforce labels apply to their objects wherever the Namespace sits in the
	 * input. stdin is read once here and evaluated from the buffer below. */
	char *stdin_buf = NULL;
	size_t stdin_len = 0;
	int stdin_rc = 1;
	if (!pss.off) {
		e.on_pod = bh_pss_scan_on_pod;
		e.on_pod_ctx = &pss;
		for (size_t i = 0; i < files.n; i++) {
			char *buf = NULL;
			size_t len = 0;
			bool in = !strcmp(files.v[i], "-");
			if (in && stdin_rc != 1)
				continue;
			int rc = bh_read_file(files.v[i], e.lim->max_input, &buf, &len);
			if (in)
				stdin_rc = rc;
			if (rc < 0)
				continue; /* reported by the main pass */
			bh_pss_scan_namespaces(&pss, &e, in ? "<stdin>" : files.v[i], buf, len);
			if (in) {
				stdin_buf = buf;
				stdin_len = len;
			} else
				free(buf);
		}
	}
	bool progress = isatty(2) && files.n > 1 && !quiet;
	struct timespec last = {0}, now;
	for (size_t i = 0; i < files.n; i++) {
		if (progress) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((now.tv_sec - last.tv_sec) * 1000 + (now.tv_nsec - last.tv_nsec) / 1000000 > 200) {
				fprintf(stderr, "\r\033[Kscanning %zu/%zu %s", i + 1, files.n, files.v[i]);
				last = now;
			}
		}
		if (!strcmp(files.v[i], "-") && stdin_rc == 0)
			bh_engine_buffer(&e, "<stdin>", stdin_buf, stdin_len);
		else if (!strcmp(files.v[i], "-") && stdin_rc < 0) {
			e.files++;
			bh_engine_error(&e, "<stdin>", 0, 0, "cannot read: %s", strerror(-stdin_rc));
		} else
			bh_engine_file(&e, files.v[i]);
		free(files.v[i]);
	}
	if (progress)
		fputs("\r\033[K", stderr);
	free(files.v);

	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		int rc = bh_cli_error("scan", format == BH_FMT_JSON, "cannot write %s: %s", output, strerror(errno));
		bh_engine_release(&e);
		bh_pss_scan_release(&pss);
		free(stdin_buf);
		return rc;
	}
	struct bh_report r = {.command = "scan"};
	bh_engine_report(&e, &r);
	r.color = !output && isatty(1) && !getenv("NO_COLOR");
	if (format == BH_FMT_JSON)
		bh_report_json(out, &r);
	else {
		r.summary_only = quiet;
		bh_report_text(out, &r);
	}
	if (out != stdout && fclose(out) != 0)
		bh_cli_error("scan", 0, "writing %s failed", output);

	int rc = 0;
	if (e.errors.n)
		rc = 2;
	else if (fail_on != BH_SEV_NONE)
		for (size_t i = 0; i < e.findings.n; i++)
			if (!e.findings.v[i].suppressed && (int)e.findings.v[i].sev >= fail_on)
				rc = 1;
	bh_engine_release(&e);
	bh_pss_scan_release(&pss);
	free(stdin_buf);
	return rc;
}
