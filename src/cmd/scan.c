/* bulkhead scan [PATH|-]... — DESIGN §5 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "engine/engine.h"
#include "config/config.h"
#include "engine/pss_scan.h"

static const char scan_help[] =
	"usage: bulkhead scan [OPTIONS] [PATH|-]...\n"
	"\n"
	"Scans Kubernetes manifests (YAML or JSON; files, directories searched recursively for *.yaml, *.yml,\n"
	"*.json; - for stdin) for settings that open a path from a container to the node.\n"
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

/* Parallel scan: workers take files in order from a shared counter, each with its own engine (arenas are
 * per thread); every file's findings, errors, warnings and objects form a span of its worker's engine,
 * and the report is the spans concatenated in file order, so the output does not depend on --jobs. */
struct span {
	int worker;
	size_t f0, f1, e0, e1, w0, w1, o0, o1;
};

/* A unit of work: a whole file, or a slice of a large YAML file cut at a document boundary ("---" at the
 * start of a line, which YAML forbids inside any node), so one big file is parsed on every core too. */
struct mapping {
	void *addr;
	size_t len;
	atomic_size_t refs;
};

struct unit {
	const char *path;
	struct mapping *m;     /* NULL: the engine reads the whole file */
	const char *buf;
	size_t len;
	uint32_t line_base;
	bool first;            /* the file's first slice counts the file */
};

struct scanjob {
	struct unit *units;
	size_t n;
	atomic_size_t next, done;
	struct span *spans;
	struct bh_engine *engines;
	const struct bh_config *cfg;
	struct bh_pss_scan *pss;
	const char *stdin_buf;
	size_t stdin_len;
	int stdin_rc;
	bool progress;
	pthread_mutex_t mu;
	struct timespec last;
};

struct worker_arg {
	struct scanjob *j;
	int id;
};

static void scan_one(struct scanjob *j, struct bh_engine *e, size_t i)
{
	struct unit *u = &j->units[i];
	const char *f = u->path;
	if (u->m) {
		bh_engine_slice(e, f, u->buf, u->len, u->line_base, u->first, true);
		if (atomic_fetch_sub(&u->m->refs, 1) == 1) {
			munmap(u->m->addr, u->m->len);
			free(u->m);
		}
	} else if (!strcmp(f, "-") && j->stdin_rc == 0)
		bh_engine_buffer(e, "<stdin>", j->stdin_buf, j->stdin_len);
	else if (!strcmp(f, "-") && j->stdin_rc < 0) {
		e->files++;
		bh_engine_error(e, "<stdin>", 0, 0, "cannot read: %s", strerror(-j->stdin_rc));
	} else
		bh_engine_file(e, f);
}

#define SPLIT_MIN (4u << 20) /* files from this size are cut into slices … */
#define SLICE (1u << 20)     /* … of about this size */

static bool json_start(const char *b, size_t len)
{
	size_t i = len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	return i < len && (b[i] == '{' || b[i] == '[');
}

/* Appends the units of one path: slices for a large YAML file, else one whole-file unit. */
static int add_units(struct unit **v, size_t *n, size_t *cap, const char *path, size_t max_input)
{
	size_t need = *n + 1;
	struct stat st;
	int fd = -1;
	void *m = MAP_FAILED;
	if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size >= SPLIT_MIN &&
	    (size_t)st.st_size <= max_input && (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
		m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (fd >= 0)
		close(fd);
	if (m != MAP_FAILED && json_start(m, (size_t)st.st_size)) {
		munmap(m, (size_t)st.st_size);
		m = MAP_FAILED;
	}
	if (m != MAP_FAILED)
		need = *n + (size_t)st.st_size / SLICE + 2;
	if (need > *cap) {
		size_t nc = *cap ? *cap : 64;
		while (nc < need)
			nc *= 2;
		struct unit *nv = realloc(*v, nc * sizeof(*nv));
		if (!nv) {
			if (m != MAP_FAILED)
				munmap(m, (size_t)st.st_size);
			return -ENOMEM;
		}
		*v = nv;
		*cap = nc;
	}
	if (m == MAP_FAILED) {
		(*v)[(*n)++] = (struct unit){.path = path, .first = true};
		return 0;
	}
	struct mapping *mp = calloc(1, sizeof(*mp));
	if (!mp) {
		munmap(m, (size_t)st.st_size);
		(*v)[(*n)++] = (struct unit){.path = path, .first = true};
		return 0;
	}
	mp->addr = m;
	mp->len = (size_t)st.st_size;
	madvise(m, mp->len, MADV_SEQUENTIAL);
	const char *b = m;
	size_t len = mp->len, start = 0, lines = 0, nslices = 0;
	while (start < len) {
		size_t cut = len;
		for (size_t p = start + SLICE; p < len;) {
			const char *nl = memchr(b + p, '\n', len - p);
			if (!nl)
				break;
			size_t ls = (size_t)(nl - b) + 1; /* a line start */
			if (ls + 3 <= len && !memcmp(b + ls, "---", 3) &&
			    (ls + 3 == len || b[ls + 3] == '\n' || b[ls + 3] == '\r' || b[ls + 3] == ' ' || b[ls + 3] == '\t')) {
				cut = ls;
				break;
			}
			p = ls;
		}
		(*v)[(*n)++] = (struct unit){path, mp, b + start, cut - start, (uint32_t)lines, start == 0};
		nslices++;
		for (const char *q = b + start; (q = memchr(q, '\n', (size_t)(b + cut - q))); q++)
			lines++;
		/* this walk touched the slice's pages: let them go until a worker parses it */
		size_t pg = (size_t)sysconf(_SC_PAGESIZE), a = (start + pg - 1) / pg * pg, z = cut / pg * pg;
		if (z > a)
			madvise((char *)m + a, z - a, MADV_DONTNEED);
		start = cut;
	}
	mp->refs = nslices;
	return 0;
}

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct scanjob *j = a->j;
	struct bh_engine *e = &j->engines[a->id];
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		struct span *s = &j->spans[i];
		s->worker = a->id;
		s->f0 = e->findings.n, s->e0 = e->errors.n, s->w0 = e->warnings.n, s->o0 = e->nobjlist;
		scan_one(j, e, i);
		s->f1 = e->findings.n, s->e1 = e->errors.n, s->w1 = e->warnings.n, s->o1 = e->nobjlist;
		size_t done = atomic_fetch_add(&j->done, 1) + 1;
		if (j->progress) {
			struct timespec now;
			clock_gettime(CLOCK_MONOTONIC, &now);
			pthread_mutex_lock(&j->mu);
			if ((now.tv_sec - j->last.tv_sec) * 1000 + (now.tv_nsec - j->last.tv_nsec) / 1000000 > 200) {
				fprintf(stderr, "\r\033[Kscanned %zu/%zu parts", done, j->n);
				j->last = now;
			}
			pthread_mutex_unlock(&j->mu);
		}
	}
	return NULL;
}

static int cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) == 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* appends src[a..b) to the growing array dst (elements of size sz) */
static int append(void **dst, size_t *n, size_t *cap, const void *src, size_t a, size_t b, size_t sz)
{
	if (b <= a)
		return 0;
	if (*n + (b - a) > *cap) {
		size_t nc = *cap ? *cap : 64;
		while (nc < *n + (b - a))
			nc *= 2;
		void *nv = realloc(*dst, nc * sz);
		if (!nv)
			return -ENOMEM;
		*dst = nv;
		*cap = nc;
	}
	memcpy((char *)*dst + *n * sz, (const char *)src + a * sz, (b - a) * sz);
	*n += b - a;
	return 0;
}

int cmd_scan(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"output", required_argument, NULL, 'o'},
		{"fail-on", required_argument, NULL, 'F'}, {"quiet", no_argument, NULL, 'q'},
		{"pss", required_argument, NULL, 'P'}, {"config", required_argument, NULL, 'c'},
		{"show-suppressed", no_argument, NULL, 'S'}, {"jobs", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	int format = BH_FMT_TEXT, fail_on = BH_SEV_HIGH, quiet = 0, show_suppressed = 0, jobs = 0, c;
	const char *output = NULL, *config = NULL;
	struct bh_pss_scan pss = {.level = BH_PSS_BASELINE, .minor = BH_PSS_LATEST};
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = bh_format_parse(optarg);
			if (format < 0)
				return bh_cli_error("scan", 0, "unknown --format '%s' (text, json, sarif, junit, policyreport)", optarg);
			break;
		case 'c': config = optarg; break;
		case 'S': show_suppressed = 1; break;
		case 'j': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 256)
				return bh_cli_error("scan", format == BH_FMT_JSON, "--jobs takes a number from 1 to 256, not '%s'", optarg);
			jobs = (int)v;
			break;
		}
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
		case 'h': fputs(scan_help, stdout); bh_cli_config_help(stdout); return 0;
		default:
			return bh_cli_error("scan", format == BH_FMT_JSON, "unknown option '%s' (see bulkhead scan --help)",
					    argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return bh_cli_error("scan", format == BH_FMT_JSON, "no input: give files, directories or - for stdin");

	struct bh_config *cfg = NULL;
	if (bh_cli_config("scan", format == BH_FMT_JSON, config, &cfg))
		return 2;
	struct bh_engine e;
	bh_engine_init(&e);
	e.cfg = cfg;
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
			if (!in) { /* map, don't copy: this pass is only a search, except around a label */
				struct stat st;
				int fd = open(files.v[i], O_RDONLY | O_CLOEXEC);
				void *m = MAP_FAILED;
				if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
				    (size_t)st.st_size <= e.lim->max_input)
					m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
				if (fd >= 0)
					close(fd);
				if (m != MAP_FAILED) {
					bh_pss_scan_namespaces(&pss, &e, files.v[i], m, (size_t)st.st_size, true);
					munmap(m, (size_t)st.st_size);
					continue;
				}
			}
			int rc = bh_read_file(files.v[i], e.lim->max_input, &buf, &len);
			if (in)
				stdin_rc = rc;
			if (rc < 0)
				continue; /* reported by the main pass */
			bh_pss_scan_namespaces(&pss, &e, in ? "<stdin>" : files.v[i], buf, len, false);
			if (in) {
				stdin_buf = buf;
				stdin_len = len;
			} else
				free(buf);
		}
	}
	/* the workers */
	if (jobs == 0)
		jobs = cpus();
	struct unit *units = NULL;
	size_t nunits = 0, capunits = 0;
	for (size_t i = 0; i < files.n; i++)
		if (add_units(&units, &nunits, &capunits, files.v[i], e.lim->max_input) < 0) {
			bh_cli_error("scan", format == BH_FMT_JSON, "out of memory");
			exit(2);
		}
	if ((size_t)jobs > nunits)
		jobs = nunits ? (int)nunits : 1;
	struct scanjob j = {.units = units, .n = nunits, .cfg = cfg, .pss = &pss, .stdin_buf = stdin_buf,
			    .stdin_len = stdin_len, .stdin_rc = stdin_rc, .progress = isatty(2) && nunits > 1 && !quiet};
	pthread_mutex_init(&j.mu, NULL);
	j.spans = calloc(nunits ? nunits : 1, sizeof(*j.spans));
	j.engines = calloc((size_t)jobs, sizeof(*j.engines));
	struct worker_arg *args = calloc((size_t)jobs, sizeof(*args));
	pthread_t *threads = calloc((size_t)jobs, sizeof(*threads));
	if (!j.spans || !j.engines || !args || !threads) {
		bh_cli_error("scan", format == BH_FMT_JSON, "out of memory");
		exit(2);
	}
	for (int w = 0; w < jobs; w++) {
		bh_engine_init(&j.engines[w]);
		j.engines[w].cfg = cfg;
		j.engines[w].now = e.now;
		if (!pss.off) {
			j.engines[w].on_pod = bh_pss_scan_on_pod;
			j.engines[w].on_pod_ctx = &pss;
		}
		args[w] = (struct worker_arg){&j, w};
	}
	int started = 0;
	for (int w = 1; w < jobs; w++)
		if (pthread_create(&threads[w], NULL, worker, &args[w]) == 0)
			started = w; /* a thread that cannot start leaves its share to the others */
		else
			break;
	worker(&args[0]);
	for (int w = 1; w <= started; w++)
		pthread_join(threads[w], NULL);
	if (j.progress)
		fputs("\r\033[K", stderr);
	for (size_t i = 0; i < files.n; i++)
		free(files.v[i]);
	free(files.v);
	free(units);

	/* merge: the main engine's own diagnostics (directories, the PSS pre-pass) first, then file by file */
	struct bh_findings all = e.findings;
	all.v = NULL;
	all.n = all.cap = 0;
	struct bh_diagvec errs = {0}, warns = {0};
	struct bh_objref *objs = NULL;
	size_t nobjs = 0, capobjs = 0;
	int merr = append((void **)&errs.v, &errs.n, &errs.cap, e.errors.v, 0, e.errors.n, sizeof(*errs.v)) |
		   append((void **)&warns.v, &warns.n, &warns.cap, e.warnings.v, 0, e.warnings.n, sizeof(*warns.v));
	size_t nfiles = e.files, nobjects = e.objects;
	for (size_t i = 0; i < j.n; i++) {
		const struct span *sp = &j.spans[i];
		struct bh_engine *we = &j.engines[sp->worker];
		merr |= append((void **)&all.v, &all.n, &all.cap, we->findings.v, sp->f0, sp->f1, sizeof(*all.v));
		merr |= append((void **)&errs.v, &errs.n, &errs.cap, we->errors.v, sp->e0, sp->e1, sizeof(*errs.v));
		merr |= append((void **)&warns.v, &warns.n, &warns.cap, we->warnings.v, sp->w0, sp->w1, sizeof(*warns.v));
		merr |= append((void **)&objs, &nobjs, &capobjs, we->objlist, sp->o0, sp->o1, sizeof(*objs));
	}
	for (int w = 0; w < jobs; w++) {
		nfiles += j.engines[w].files;
		nobjects += j.engines[w].objects;
	}
	if (merr) {
		bh_cli_error("scan", format == BH_FMT_JSON, "out of memory");
		exit(2);
	}

	FILE *out = stdout;
	if (output && !(out = fopen(output, "w"))) {
		int rc = bh_cli_error("scan", format == BH_FMT_JSON, "cannot write %s: %s", output, strerror(errno));
		for (int w = 0; w < jobs; w++)
			bh_engine_release(&j.engines[w]);
		bh_engine_release(&e);
		bh_pss_scan_release(&pss);
		free(stdin_buf);
		return rc;
	}
	struct bh_report r = {.command = "scan", .findings = &all, .errors = errs.v, .nerrors = errs.n,
			      .warnings = warns.v, .nwarnings = warns.n, .files = nfiles, .objects = nobjects,
			      .objlist = objs, .nobjlist = nobjs, .show_suppressed = show_suppressed};
	r.color = !output && isatty(1) && !getenv("NO_COLOR");
	r.summary_only = quiet;
	bh_report_write(out, format, &r);
	if (out != stdout && fclose(out) != 0)
		bh_cli_error("scan", 0, "writing %s failed", output);

	int rc = 0;
	if (errs.n)
		rc = 2;
	else if (fail_on != BH_SEV_NONE)
		for (size_t i = 0; i < all.n; i++)
			if (!all.v[i].suppressed && (int)all.v[i].sev >= fail_on)
				rc = 1;
	free(all.v);
	free(errs.v);
	free(warns.v);
	free(objs);
	for (int w = 0; w < jobs; w++)
		bh_engine_release(&j.engines[w]);
	free(j.engines);
	free(j.spans);
	free(args);
	free(threads);
	pthread_mutex_destroy(&j.mu);
	bh_engine_release(&e);
	bh_pss_scan_release(&pss);
	free(stdin_buf);
	bh_config_free(cfg);
	return rc;
}
