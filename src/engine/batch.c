/* Parallel evaluation of many inputs (see batch.h). Workers take units in order from a shared counter,
 * each with its own engine (arenas are per thread); every unit's findings, errors, warnings and objects
 * form a span of its worker's engine, and the results are the spans concatenated in unit order. */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/map.h"

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

static const char *file_type(mode_t m)
{
	return S_ISFIFO(m) ? "a FIFO" : S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : "not a regular file";
}

/* One directory entry: directories are descended (symlinked ones are not: no loops); manifests that are
 * regular files (or symlinks to them) are inputs; FIFOs, sockets and devices are never opened (a FIFO
 * would block, a device may never end) and are named in a warning. */
static void walk_dir(struct bh_engine *e, struct pathvec *out, const char *dir, int depth);

static void walk_entry(struct bh_engine *e, struct pathvec *out, const char *path, const char *name, int depth)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		walk_dir(e, out, path, depth + 1);
		return;
	}
	if (!manifest_name(name))
		return;
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		push(out, path); /* a dangling link is reported when it cannot be read */
	else if (!S_ISDIR(st.st_mode))
		bh_engine_warning(e, path, 0, 0, "%s, not a regular file; skipped (not opened)", file_type(st.st_mode));
}

/* Recursive, sorted (deterministic). */
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
		walk_entry(e, out, path, names.v[i], depth);
		free(names.v[i]);
	}
	free(names.v);
}

size_t bh_batch_expand(struct bh_engine *e, char *const *args, int nargs, char ***out)
{
	struct pathvec files = {0};
	for (int i = 0; i < nargs; i++) {
		struct stat st;
		size_t before = files.n, errs = e->errors.n;
		if (strcmp(args[i], "-") && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			walk_dir(e, &files, args[i], 0);
			if (files.n == before && e->errors.n == errs)
				bh_engine_warning(e, args[i], 0, 0, "no Kubernetes objects found in %s: no *.yaml, *.yml or "
						  "*.json files (symlinked directories are not followed)", args[i]);
		} else
			push(&files, args[i]);
	}
	*out = files.v;
	return files.n;
}

/* The bytes of one input shared by its units: the slices of a large file, or a non-regular input read
 * once (also when it is named twice, as in `scan - /dev/stdin`). */
struct input {
	struct bh_map m;
	int rc;                  /* < 0: could not be read (each of its units reports it) */
	bool stream;             /* not a regular file: dev and ino say which */
	dev_t dev;
	ino_t ino;
	atomic_size_t refs;      /* units not yet evaluated */
	atomic_int truncation_reported;
};

struct unit {
	const char *name;        /* as reported: the path, or <stdin> */
	const char *path;        /* NULL: the bytes are in in */
	struct input *in;
	const char *buf;
	size_t len;
	uint32_t line_base;
	bool first;              /* the input's first unit counts the file */
};

struct span {
	int worker;
	size_t f0, f1, e0, e1, w0, w1, o0, o1;
};

struct job {
	const struct bh_batch_opts *o;
	struct bh_engine *main;
	struct unit *units;
	size_t n, cap;
	struct input **inputs;   /* every input read or mapped here, for release */
	size_t nin, capin;
	atomic_size_t next, done;
	struct span *spans;
	struct bh_engine *engines;
	bool progress;
	pthread_mutex_t mu;
	struct timespec last;
};

static int grow(void **v, size_t *cap, size_t need, size_t sz)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 64;
	while (nc < need)
		nc *= 2;
	void *nv = realloc(*v, nc * sz);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*cap = nc;
	return 0;
}

static struct input *input_new(struct job *j)
{
	struct input *in = calloc(1, sizeof(*in));
	if (!in || grow((void **)&j->inputs, &j->capin, j->nin + 1, sizeof(*j->inputs)) < 0) {
		free(in);
		return NULL;
	}
	j->inputs[j->nin++] = in;
	return in;
}

static int add_unit(struct job *j, struct unit u)
{
	if (grow((void **)&j->units, &j->cap, j->n + 1, sizeof(*j->units)) < 0)
		return -ENOMEM;
	j->units[j->n++] = u;
	if (u.in)
		atomic_fetch_add(&u.in->refs, 1);
	return 0;
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

/* the end of the slice that starts at start: the first "---" line at least SLICE bytes on (YAML forbids
 * "---" at the start of a line inside any node), or the end of the input */
static size_t slice_end(const char *b, size_t len, size_t start)
{
	for (size_t p = start + SLICE; p < len;) {
		const char *nl = memchr(b + p, '\n', len - p);
		if (!nl)
			break;
		size_t ls = (size_t)(nl - b) + 1; /* a line start */
		if (ls + 3 <= len && !memcmp(b + ls, "---", 3) &&
		    (ls + 3 == len || b[ls + 3] == '\n' || b[ls + 3] == '\r' || b[ls + 3] == ' ' || b[ls + 3] == '\t'))
			return ls;
		p = ls;
	}
	return len;
}

/* Cuts a mapped large YAML input into units; the walk touches every page, which is let go again until a
 * worker parses the slice. */
static int add_slices(struct job *j, const char *name, struct input *in)
{
	const char *b = in->m.p;
	size_t len = in->m.len, start = 0;
	uint32_t lines = 0;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	madvise((void *)b, len, MADV_SEQUENTIAL);
	while (start < len) {
		size_t cut = slice_end(b, len, start);
		if (add_unit(j, (struct unit){name, NULL, in, b + start, cut - start, lines, start == 0}) < 0)
			return -ENOMEM;
		for (const char *q = b + start; (q = memchr(q, '\n', (size_t)(b + cut - q))); q++)
			lines++;
		size_t a = (start + pg - 1) / pg * pg, z = cut / pg * pg;
		if (z > a)
			madvise((void *)(b + a), z - a, MADV_DONTNEED);
		start = cut;
	}
	return 0;
}

/* A regular file: the pre-pass over its mapping, then one whole-file unit (opened again by the worker,
 * so that thousands of files do not hold thousands of mappings) or, when large, its slices. */
static int add_regular(struct job *j, const char *path, off_t size)
{
	bool big = (size_t)size >= SPLIT_MIN && (size_t)size <= j->main->lim->max_input;
	if (!j->o->pre && !big)
		return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true});
	struct input *in = input_new(j);
	if (!in)
		return -ENOMEM;
	if (bh_map_file(path, j->main->lim->max_input, &in->m) < 0)
		return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true}); /* the worker reports it */
	if (j->o->pre)
		j->o->pre(j->main, path, in->m.p, in->m.len, in->m.mapped, j->o->pre_ctx);
	if (big && in->m.mapped && !json_start(in->m.p, in->m.len))
		return add_slices(j, path, in);
	bh_map_release(&in->m); /* small, or JSON (one document: nothing to cut) */
	return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true});
}

/* stdin, a pipe, a FIFO, a device: read once, here, and shared by every unit that names it */
static int add_stream(struct job *j, const char *path, const char *name, const struct stat *st)
{
	for (size_t i = 0; i < j->nin; i++)
		if (j->inputs[i]->stream && j->inputs[i]->dev == st->st_dev && j->inputs[i]->ino == st->st_ino)
			return add_unit(j, (struct unit){name, NULL, j->inputs[i], j->inputs[i]->m.p, j->inputs[i]->m.len, 0, true});
	struct input *in = input_new(j);
	if (!in)
		return -ENOMEM;
	in->stream = true;
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	in->rc = bh_map_file(path, j->main->lim->max_input, &in->m);
	if (in->rc == 0 && j->o->pre)
		j->o->pre(j->main, name, in->m.p, in->m.len, false, j->o->pre_ctx);
	return add_unit(j, (struct unit){name, NULL, in, in->m.p, in->m.len, 0, true});
}

static int add_input(struct job *j, const char *path)
{
	bool in = !strcmp(path, "-");
	struct stat st;
	if (in ? fstat(0, &st) != 0 : stat(path, &st) != 0)
		return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true}); /* the worker reports it */
	if (S_ISREG(st.st_mode) && !in)
		return add_regular(j, path, st.st_size);
	return add_stream(j, path, in ? "<stdin>" : path, &st);
}

static void eval_unit(struct job *j, struct bh_engine *e, const struct unit *u)
{
	if (u->path) {
		bh_engine_file(e, u->path);
		return;
	}
	struct input *in = u->in;
	if (in->rc < 0) {
		e->files++;
		bh_engine_read_error(e, u->name, in->rc);
	} else
		bh_engine_slice(e, u->name, u->buf, u->len, u->line_base, u->first, in->m.mapped);
	if (bh_map_truncated(&in->m) && !atomic_exchange(&in->truncation_reported, 1))
		bh_engine_truncated(e, u->name, in->m.len);
	if (atomic_fetch_sub(&in->refs, 1) == 1)
		bh_map_release(&in->m);
}

static void progress(struct job *j, size_t done)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&j->mu);
	if ((now.tv_sec - j->last.tv_sec) * 1000 + (now.tv_nsec - j->last.tv_nsec) / 1000000 > 200) {
		fprintf(stderr, "\r\033[Kscanned %zu/%zu parts", done, j->n);
		j->last = now;
	}
	pthread_mutex_unlock(&j->mu);
}

struct worker_arg {
	struct job *j;
	int id;
};

static void *worker(void *p)
{
	struct worker_arg *a = p;
	struct job *j = a->j;
	struct bh_engine *e = &j->engines[a->id];
	for (;;) {
		size_t i = atomic_fetch_add(&j->next, 1);
		if (i >= j->n)
			break;
		struct span *s = &j->spans[i];
		s->worker = a->id;
		s->f0 = e->findings.n, s->e0 = e->errors.n, s->w0 = e->warnings.n, s->o0 = e->nobjlist;
		eval_unit(j, e, &j->units[i]);
		s->f1 = e->findings.n, s->e1 = e->errors.n, s->w1 = e->warnings.n, s->o1 = e->nobjlist;
		size_t done = atomic_fetch_add(&j->done, 1) + 1;
		if (j->progress)
			progress(j, done);
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
	if (grow(dst, cap, *n + (b - a), sz) < 0)
		return -ENOMEM;
	memcpy((char *)*dst + *n * sz, (const char *)src + a * sz, (b - a) * sz);
	*n += b - a;
	return 0;
}

/* an input whose units yielded neither objects nor errors (empty, only comments, an empty List) */
static void warn_empty(struct bh_engine *m, const struct job *j, size_t first)
{
	size_t objs = 0, errs = 0;
	for (size_t i = first; i < j->n && (i == first || !j->units[i].first); i++) {
		objs += j->spans[i].o1 - j->spans[i].o0;
		errs += j->spans[i].e1 - j->spans[i].e0;
	}
	if (!objs && !errs)
		bh_engine_warning(m, j->units[first].name, 0, 0, "no Kubernetes objects found in %s",
				  j->units[first].name);
}

/* the spans, in unit order, after b->e's own diagnostics (directories, the pre-pass) */
static int merge(struct bh_batch *b, const struct job *j)
{
	struct bh_engine *m = &b->e;
	int err = 0;
	for (size_t i = 0; i < j->n; i++) {
		const struct span *sp = &j->spans[i];
		const struct bh_engine *we = &b->workers[sp->worker];
		err |= append((void **)&m->findings.v, &m->findings.n, &m->findings.cap, we->findings.v, sp->f0, sp->f1,
			      sizeof(*m->findings.v));
		err |= append((void **)&m->errors.v, &m->errors.n, &m->errors.cap, we->errors.v, sp->e0, sp->e1,
			      sizeof(*m->errors.v));
		err |= append((void **)&m->warnings.v, &m->warnings.n, &m->warnings.cap, we->warnings.v, sp->w0, sp->w1,
			      sizeof(*m->warnings.v));
		err |= append((void **)&m->objlist, &m->nobjlist, &m->capobjlist, we->objlist, sp->o0, sp->o1,
			      sizeof(*m->objlist));
	}
	for (size_t i = 0; i < j->n; i++)
		if (j->units[i].first)
			warn_empty(m, j, i);
	for (int w = 0; w < b->nworkers; w++) {
		m->files += b->workers[w].files;
		m->objects += b->workers[w].objects;
		m->findings.dropped += b->workers[w].findings.dropped;
	}
	return err ? -ENOMEM : 0;
}

static int start_workers(struct bh_batch *b, struct job *j, int jobs)
{
	b->workers = j->engines = calloc((size_t)jobs, sizeof(*j->engines));
	struct worker_arg *args = calloc((size_t)jobs, sizeof(*args));
	pthread_t *threads = calloc((size_t)jobs, sizeof(*threads));
	j->spans = calloc(j->n ? j->n : 1, sizeof(*j->spans));
	if (!j->engines || !args || !threads || !j->spans) {
		free(args);
		free(threads);
		return -ENOMEM;
	}
	b->nworkers = jobs;
	for (int w = 0; w < jobs; w++) {
		struct bh_engine *e = &j->engines[w];
		bh_engine_init(e);
		e->cfg = j->o->cfg;
		e->cfg_ops = j->o->cfg_ops;
		e->now = b->e.now;
		e->no_rules = j->o->no_rules;
		e->on_pod = j->o->on_pod;
		e->on_pod_ctx = j->o->on_pod_ctx;
		args[w] = (struct worker_arg){j, w};
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
	free(args);
	free(threads);
	return 0;
}

static void job_release(struct job *j)
{
	for (size_t i = 0; i < j->nin; i++) {
		bh_map_release(&j->inputs[i]->m);
		free(j->inputs[i]);
	}
	free(j->inputs);
	free(j->units);
	free(j->spans);
	pthread_mutex_destroy(&j->mu);
}

int bh_batch_run(struct bh_batch *b, const struct bh_batch_opts *o, char *const *paths, int npaths)
{
	memset(b, 0, sizeof(*b));
	bh_engine_init(&b->e);
	b->e.cfg = o->cfg;
	struct job j = {.o = o, .main = &b->e};
	pthread_mutex_init(&j.mu, NULL);
	char **files;
	size_t nfiles = bh_batch_expand(&b->e, paths, npaths, &files);
	int rc = 0;
	for (size_t i = 0; i < nfiles; i++)
		if (rc == 0 && add_input(&j, files[i]) < 0)
			rc = -ENOMEM;
	int jobs = o->jobs > 0 ? o->jobs : cpus();
	if ((size_t)jobs > j.n)
		jobs = j.n ? (int)j.n : 1;
	j.progress = o->progress && j.n > 1 && isatty(2);
	if (rc == 0)
		rc = start_workers(b, &j, jobs);
	if (j.progress)
		fputs("\r\033[K", stderr);
	if (rc == 0)
		rc = merge(b, &j);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	job_release(&j);
	return rc;
}

void bh_batch_release(struct bh_batch *b)
{
	if (!b)
		return;
	for (int w = 0; w < b->nworkers; w++)
		bh_engine_release(&b->workers[w]);
	free(b->workers);
	bh_engine_release(&b->e);
	memset(b, 0, sizeof(*b));
}
