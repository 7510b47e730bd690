/* bulkhead fix [OPTIONS] FILE|DIR|- — safe mechanical fixes as minimal textual edits (docs/fix.md) */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "engine/batch.h"
#include "fix/fix.h"
#include "util/json.h"

static const char fix_help[] =
	"usage: bulkhead fix [OPTIONS] FILE|DIR|-...\n"
	"\n"
	"Writes the safe mechanical fixes of escape-prone pod settings as minimal textual edits of the manifests:\n"
	"privileged and host namespaces off, allowPrivilegeEscalation: false, capabilities drop [ALL] (the adds\n"
	"that are allowed at the level are kept), seccompProfile RuntimeDefault, runAsNonRoot: true,\n"
	"readOnlyRootFilesystem with an emptyDir per path declared in the bulkhead.io/writable-paths annotation,\n"
	"automountServiceAccountToken: false when no API use is declared, hostPath mounts readOnly where the\n"
	"workload is not expected to write. Comments, key order, quoting, anchors and indentation stay as they\n"
	"are outside the edited lines. What cannot be edited safely (flow style, anchors and merge keys, quoted\n"
	"multi-line values, duplicate keys) or would break a workload that needs it (CNI plugins, CSI drivers,\n"
	"kube-system node agents) is listed as \"not fixed\" with the reason and, for the latter, the exemption\n"
	"to write into the config instead. The list goes to stderr (stdout with --format json).\n"
	"\n"
	"Without --diff, --in-place or --patch the fixed manifest is printed (one input only).\n"
	"\n"
	"options:\n"
	"  --level LEVEL        baseline (privileged, host namespaces, seccomp Unconfined, hostPath readOnly) or\n"
	"                       restricted (default: also the Pod Security Standards' restricted settings and\n"
	"                       the hardening above)\n"
	"  --diff               print a unified diff of every input instead of the fixed text\n"
	"  --in-place           write the fixed files back (temporary file + rename, mode kept)\n"
	"  --patch              print kustomize strategic-merge patches instead of editing (rendered input,\n"
	"                       helm template output, stdin)\n"
	"  --format FORMAT      text (default) or json: the list of fixed and not-fixed fields\n"
	"  --profile FILE       least privilege from evidence: FILE is the summary of `bulkhead watch --profile\n"
	"                       TARGET --format json`; the container gets seccompProfile {type: Localhost,\n"
	"                       localhostProfile: <its name>} and capabilities {drop: [ALL], add: [<used>]}\n"
	"  --profile-container NAME  the container the profile was recorded from (needed when a pod has\n"
	"                       several)\n"
	"  -h, --help           this help\n"
	"\n"
	"exit codes: 0 every fixable field fixed, 1 some field was not fixed (listed), 2 usage or input error\n";

enum fix_mode { FM_PRINT = 0, FM_DIFF, FM_INPLACE, FM_PATCH };

struct fix_opts {
	struct bh_fix_opts fo;
	const char *profile_file;   /* --profile */
	struct bh_fix_profile prof;
	struct bh_arena prof_arena;
	enum fix_mode mode;
	bool json;
	size_t nfixed, nnot, nerr, nfiles;
	bool first_file;
};

static int set_mode(struct fix_opts *o, enum fix_mode m)
{
	if (o->mode && o->mode != m)
		return bh_cli_error("fix", o->json, "--diff, --in-place and --patch exclude each other");
	o->mode = m;
	o->fo.patch = m == FM_PATCH;
	return 0;
}

static int parse(int argc, char **argv, struct fix_opts *o)
{
	static const struct option opts[] = {
		{"level", required_argument, NULL, 'l'}, {"diff", no_argument, NULL, 'd'},
		{"in-place", no_argument, NULL, 'i'},    {"patch", no_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
		{"profile", required_argument, NULL, 'P'}, {"profile-container", required_argument, NULL, 'C'}, {0},
	};
	int c, rc = 0;
	optind = 1;
	opterr = 0;
	o->json = bh_cli_json_asked(argc, argv);
	while (rc == 0 && (c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (!strcmp(optarg, "baseline"))
				o->fo.level = BH_FIX_BASELINE;
			else if (!strcmp(optarg, "restricted"))
				o->fo.level = BH_FIX_RESTRICTED;
			else
				rc = bh_cli_error("fix", o->json, "unknown --level '%s' (baseline, restricted)", optarg);
			break;
		case 'd': rc = set_mode(o, FM_DIFF); break;
		case 'i': rc = set_mode(o, FM_INPLACE); break;
		case 'p': rc = set_mode(o, FM_PATCH); break;
		case 'f':
			if (strcmp(optarg, "text") && strcmp(optarg, "json"))
				rc = bh_cli_error("fix", o->json, "unknown --format '%s' (text, json)", optarg);
			break;
		case 'P': o->profile_file = optarg; break;
		case 'C': o->prof.container = optarg; break;
		case 'h': fputs(fix_help, stdout); return 1;
		default: rc = bh_cli_error("fix", o->json, "unknown option '%s' (see bulkhead fix --help)", argv[optind - 1]);
		}
	}
	if (rc == 0 && optind >= argc)
		rc = bh_cli_error("fix", o->json, "no input: give files, directories or - for stdin");
	if (rc == 0 && o->prof.container && !o->profile_file)
		rc = bh_cli_error("fix", o->json, "--profile-container needs --profile FILE");
	return rc;
}

/* --profile FILE: the evidence of watch --profile; errors as file:line:col, exit 2 */
static int load_profile(struct fix_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	struct bh_err err = {0};
	int rc = bh_read_file(o->profile_file, 1u << 20, &buf, &len);
	if (rc < 0)
		return bh_cli_error("fix", o->json, "%s: cannot read: %s", o->profile_file, strerror(-rc));
	rc = bh_fix_profile_load(&o->prof, &o->prof_arena, o->profile_file, buf, len, &err);
	free(buf);
	if (rc < 0)
		return bh_cli_error("fix", o->json, "%s:%u:%u: %s", o->profile_file, err.line, err.col, err.msg);
	o->fo.profile = &o->prof;
	return 0;
}

/* temp file beside path, same mode, fsync, rename */
static int write_atomic(const char *path, const char *buf, size_t len)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return -errno;
	char *dup = strdup(path);
	char *tmp = dup ? malloc(strlen(path) + 32) : NULL;
	if (!tmp) {
		free(dup);
		return -ENOMEM;
	}
	sprintf(tmp, "%s/.%s.bulkhead-XXXXXX", dirname(dup), basename(strcpy(dup, path)));
	int fd = mkstemp(tmp), rc = 0;
	if (fd < 0)
		rc = -errno;
	else {
		size_t off = 0;
		while (off < len && rc == 0) {
			ssize_t w = write(fd, buf + off, len - off);
			if (w < 0)
				rc = errno == EINTR ? 0 : -errno;
			else
				off += (size_t)w;
		}
		if (rc == 0 && (fchmod(fd, st.st_mode & 07777) < 0 || fsync(fd) < 0))
			rc = -errno;
		if (close(fd) < 0 && rc == 0)
			rc = -errno;
		if (rc == 0 && rename(tmp, path) < 0)
			rc = -errno;
		if (rc)
			unlink(tmp);
	}
	free(tmp);
	free(dup);
	return rc;
}

static void note_text(const char *file, const struct bh_fix_note *n)
{
	if (n->fixed)
		fprintf(stderr, "%s:%u:%u: fixed %s %s %s = %s\n", file, n->line, n->col, n->rule, n->object, n->field,
			n->value);
	else
		fprintf(stderr, "%s:%u:%u: not fixed %s %s %s: %s\n", file, n->line, n->col, n->rule, n->object,
			n->field, n->why);
	if (n->exemption)
		fprintf(stderr, "    exemption to write instead (config file):\n%s", n->exemption);
}

static void note_json(const char *file, const struct bh_fix_note *n, bool first)
{
	printf("%s\n    {\"fixed\": %s, \"rule\": \"%s\", \"object\": ", first ? "" : ",", n->fixed ? "true" : "false",
	       n->rule);
	bh_json_str(stdout, n->object);
	printf(", \"field\": ");
	bh_json_str(stdout, n->field ? n->field : "");
	printf(", \"location\": {\"file\": ");
	bh_json_str(stdout, file);
	printf(", \"line\": %u, \"column\": %u}", n->line, n->col);
	if (n->value)
		printf(", \"value\": "), bh_json_str(stdout, n->value);
	if (n->why)
		printf(", \"reason\": "), bh_json_str(stdout, n->why);
	if (n->exemption)
		printf(", \"exemption\": "), bh_json_str(stdout, n->exemption);
	printf("}");
}

/* notes by position in the file; notes at one position keep their order (the array's) */
static int note_cmp(const void *a, const void *b)
{
	const struct bh_fix_note *x = *(const struct bh_fix_note *const *)a, *y = *(const struct bh_fix_note *const *)b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x < y ? -1 : x > y;
}

static void report(struct fix_opts *o, const char *file, const struct bh_fix_result *r)
{
	const struct bh_fix_note **v = malloc((r->nnotes + 1) * sizeof(*v)), *shown = NULL;
	for (size_t i = 0; v && i < r->nnotes; i++)
		v[i] = &r->notes[i];
	if (v)
		qsort(v, r->nnotes, sizeof(*v), note_cmp);
	for (size_t i = 0; i < r->nnotes; i++) {
		const struct bh_fix_note *n = v ? v[i] : &r->notes[i];
		/* one exemption per object: print it with its first note only */
		struct bh_fix_note m = *n;
		if (n->exemption && shown && shown->exemption == n->exemption)
			m.exemption = NULL;
		else if (n->exemption)
			shown = n;
		if (o->json)
			note_json(file, &m, o->first_file && i == 0 && !o->nfixed && !o->nnot);
		else
			note_text(file, &m);
		if (n->fixed)
			o->nfixed++;
		else
			o->nnot++;
	}
	free(v);
}

static int output(struct fix_opts *o, const char *path, const char *buf, size_t len, struct bh_fix_result *r)
{
	if (o->mode == FM_PATCH) {
		if (r->patchlen && !o->json)
			printf("%s%s", o->nfiles > 1 ? "---\n" : "", r->patch);
		return 0;
	}
	if (bh_fix_apply(r, buf, len) < 0)
		return -ENOMEM;
	if (o->mode == FM_DIFF && !o->json) {
		char *d = bh_fix_diff(r, path, buf, len);
		if (!d)
			return -ENOMEM;
		fputs(d, stdout);
		free(d);
	} else if (o->mode == FM_INPLACE && r->nedits) {
		return write_atomic(path, r->out, r->outlen);
	} else if (o->mode == FM_PRINT && !o->json) {
		fwrite(r->out, 1, r->outlen, stdout);
	}
	return 0;
}

static void one(struct fix_opts *o, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = bh_read_file(path, 64u << 20, &buf, &len);
	if (rc < 0) {
		fprintf(stderr, "%s: error: cannot read: %s\n", path, strerror(-rc));
		o->nerr++;
		return;
	}
	if (o->mode == FM_INPLACE && !strcmp(path, "-")) {
		fprintf(stderr, "-: error: --in-place needs a file, not stdin (use --patch or redirect the output)\n");
		o->nerr++;
		free(buf);
		return;
	}
	struct bh_fix_result r;
	bh_fix_init(&r);
	o->nfiles++;
	rc = bh_fix_buffer(&r, &o->fo, path, buf, len);
	if (r.errors) {
		fprintf(stderr, "%s%s\n", r.errmsg, r.errors > 1 ? " (and more; those documents are left as they are)" : "");
		o->nerr++;
	}
	if (rc == 0)
		rc = output(o, path, buf, len, &r);
	if (rc < 0) {
		fprintf(stderr, "%s: error: %s\n", path, strerror(-rc));
		o->nerr++;
	}
	report(o, path, &r);
	o->first_file = false;
	bh_fix_release(&r);
	free(buf);
}

int cmd_fix(int argc, char **argv)
{
	struct fix_opts o = {.fo = {.level = BH_FIX_RESTRICTED}, .first_file = true};
	bh_arena_init(&o.prof_arena, 0);
	int rc = parse(argc, argv, &o);
	if (rc == 0 && o.profile_file)
		rc = load_profile(&o);
	if (rc) {
		bh_arena_release(&o.prof_arena);
		return rc == 1 ? 0 : rc;
	}
	struct bh_engine e;
	bh_engine_init(&e);
	char **paths = NULL;
	size_t npaths = bh_batch_expand(&e, argv + optind, argc - optind, &paths), n = npaths;
	for (size_t i = 0; i < e.errors.n; i++, o.nerr++)
		fprintf(stderr, "%s: error: %s\n", e.errors.v[i].file, e.errors.v[i].message);
	if (o.mode == FM_PRINT && n > 1) {
		rc = bh_cli_error("fix", o.json, "several inputs: choose --diff, --in-place or --patch");
		n = 0;
	}
	if (o.json && !rc)
		printf("{\"notes\": [");
	for (size_t i = 0; i < n; i++)
		one(&o, paths[i]);
	if (o.json && !rc)
		printf("\n  ],\n  \"summary\": {\"files\": %zu, \"fixed\": %zu, \"notFixed\": %zu, \"errors\": %zu}}\n",
		       o.nfiles, o.nfixed, o.nnot, o.nerr);
	else if (!rc)
		fprintf(stderr, "bulkhead fix: %zu fixed, %zu not fixed, %zu files, %zu errors\n", o.nfixed, o.nnot,
			o.nfiles, o.nerr);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	bh_engine_release(&e);
	bh_arena_release(&o.prof_arena);
	return rc ? rc : o.nerr ? 2 : o.nnot ? 1 : 0;
}
