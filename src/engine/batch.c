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

#include "engine/inputsel.h"
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

/* A directory walk: where results go and what is left out (rel paths are below root). */
struct walk {
	struct bh_engine *e;
	struct pathvec *out;
	const struct bh_batch_opts *o;
	const struct bh_ignore *ig;
	size_t rootlen;
};

static bool left_out(const struct walk *w, const char *path, bool dir)
{
	const char *rel = path + w->rootlen;
	while (*rel == '/')
		rel++;
	return w->o && bh_input_excluded(path, rel, dir, w->o->exclude, w->o->nexclude, w->ig);
}

/* One directory entry: directories are descended (symlinked ones are not: no loops); manifests that are
 * regular files (or symlinks to them) are inputs; FIFOs, sockets and devices are never opened (a FIFO
 * would block, a device may never end) and are named in a warning. Excluded and ignored entries are
 * passed over (an excluded directory is not descended). */
static void walk_dir(const struct walk *w, const char *dir, int depth);

static void walk_entry(const struct walk *w, const char *path, const char *name, int depth)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		if (!left_out(w, path, true))
			walk_dir(w, path, depth + 1);
		return;
	}
	if (!manifest_name(name) || left_out(w, path, false))
		return;
	if (stat(path, &st) != 0 || S_ISREG(st.st_mode))
		push(w->out, path); /* a dangling link is reported when it cannot be read */
	else if (!S_ISDIR(st.st_mode))
		bh_engine_warning(w->e, path, 0, 0, "%s, not a regular file; skipped (not opened)", file_type(st.st_mode));
}

/* Recursive, sorted (deterministic). */
static void walk_dir(const struct walk *w, const char *dir, int depth)
{
	if (depth > 64) {
		bh_engine_error(w->e, dir, 0, 0, "directory nesting deeper than 64 levels; not descended");
		return;
	}
	DIR *d = opendir(dir);
	if (!d) {
		bh_engine_error(w->e, dir, 0, 0, "cannot open directory: %s", strerror(errno));
		w->e->files++;
		return;
	}
	struct pathvec names = {0};
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			push(&names, de->d_name);
	closedir(d);
	if (names.n) /* an empty directory: qsort must not see NULL */
		qsort(names.v, names.n, sizeof(*names.v), cmp_str);
	for (size_t i = 0; i < names.n; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", names.v[i]);
		walk_entry(w, path, names.v[i], depth);
		free(names.v[i]);
	}
	free(names.v);
}

/* a directory argument: its .bulkheadignore, then the walk; a warning when it held no manifest */
static void expand_dir(struct bh_engine *e, const struct bh_batch_opts *o, struct pathvec *files, const char *dir)
{
	struct bh_ignore ig = {0};
	if (o && !o->no_ignore_file)
		bh_ignore_load(&ig, e, dir);
	struct walk w = {e, files, o, &ig, strlen(dir)};
	size_t before = files->n, errs = e->errors.n;
	walk_dir(&w, dir, 0);
	if (files->n == before && e->errors.n == errs)
		bh_engine_warning(e, dir, 0, 0, "no Kubernetes objects found in %s: no *.yaml, *.yml or *.json files "
				  "(symlinked directories are not followed; --exclude and .bulkheadignore apply)", dir);
	bh_ignore_free(&ig);
}

size_t bh_batch_expand_opts(struct bh_engine *e, const struct bh_batch_opts *o, char *const *args, int nargs,
			    char ***out)
{
	struct pathvec files = {0};
	for (int i = 0; i < nargs; i++) {
		struct stat st;
		if (strcmp(args[i], "-") && stat(args[i], &st) == 0 && S_ISDIR(st.st_mode))
			expand_dir(e, o, &files, args[i]);
		else if (!o || strcmp(args[i], "-") == 0 ||
			 !bh_input_excluded(args[i], args[i], false, o->exclude, o->nexclude, NULL))
			push(&files, args[i]);
	}
	*out = files.v;
	return files.n;
}

size_t bh_batch_expand(struct bh_engine *e, char *const *args, int nargs, char ***out)
{
	return bh_batch_expand_opts(e, NULL, args, nargs, out);
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
	bool templated;          /* looks like an unrendered template: errors get a hint */
	bool k8s_looking;        /* has apiVersion and metadata: never skipped as not Kubernetes */
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
	struct pathvec names;    /* unit names made here (helm "# Source:" paths), for release */
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
	if (!j->o->pre && !big && !j->o->skip_non_k8s)
		return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true});
	struct input *in = input_new(j);
	if (!in)
		return -ENOMEM;
	if (bh_map_file(path, j->main->lim->max_input, &in->m) < 0)
		return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true}); /* the worker reports it */
	bool tpl = bh_input_templated(in->m.p, in->m.len), k8s = bh_input_k8s_looking(in->m.p, in->m.len);
	if (j->o->pre)
		j->o->pre(j->main, path, in->m.p, in->m.len, in->m.mapped, j->o->pre_ctx);
	if (big && in->m.mapped && !json_start(in->m.p, in->m.len))
		return add_slices(j, path, in);
	bh_map_release(&in->m); /* small, or JSON (one document: nothing to cut) */
	return add_unit(j, (struct unit){path, path, NULL, NULL, 0, 0, true, tpl, k8s});
}

#define SOURCE "# Source: "
#define SOURCE_LEN (sizeof(SOURCE) - 1)

/* whether b[a, e) holds anything but blank lines, comments and "---" */
static bool has_content(const char *b, size_t a, size_t e)
{
	for (size_t p = a; p < e;) {
		const char *nl = memchr(b + p, '\n', e - p);
		size_t le = nl ? (size_t)(nl - b) + 1 : e, q = p;
		while (q < le && (b[q] == ' ' || b[q] == '\t' || b[q] == '\r' || b[q] == '\n'))
			q++;
		if (q < le && b[q] != '#' && !(le - q >= 3 && !memcmp(b + q, "---", 3)))
			return true;
		p = le;
	}
	return false;
}

static int add_segment(struct job *j, struct input *in, const char *name, size_t a, size_t e)
{
	const char *b = in->m.p + a;
	return add_unit(j, (struct unit){name, NULL, in, b, e - a, 0, true, bh_input_templated(b, e - a),
					 bh_input_k8s_looking(b, e - a)});
}

/* `helm template` output: a "# Source: chart/templates/x.yaml" line starts the rendering of one template,
 * and its documents are reported under that name (lines count from the line after the comment). What
 * precedes the first one keeps the stream's name when it holds anything. Returns 1 when the stream had
 * no such line (nothing added), 0, or -ENOMEM. */
static int add_helm(struct job *j, struct input *in, const char *name)
{
	const char *b = in->m.p;
	size_t len = in->m.len, start = 0;
	const char *cur = name;
	if (!b || !(len >= SOURCE_LEN && (!memcmp(b, SOURCE, SOURCE_LEN) || memmem(b, len, "\n" SOURCE, SOURCE_LEN + 1))))
		return 1;
	for (size_t p = 0; p < len;) {
		const char *nl = memchr(b + p, '\n', len - p);
		size_t le = nl ? (size_t)(nl - b) + 1 : len;
		if (le - p > SOURCE_LEN && !memcmp(b + p, SOURCE, SOURCE_LEN)) {
			if ((cur != name || has_content(b, start, p)) && add_segment(j, in, cur, start, p) < 0)
				return -ENOMEM;
			size_t nlen = le - p - SOURCE_LEN;
			while (nlen && (b[p + SOURCE_LEN + nlen - 1] == '\n' || b[p + SOURCE_LEN + nlen - 1] == '\r' ||
					b[p + SOURCE_LEN + nlen - 1] == ' '))
				nlen--;
			char *nm = strndup(b + p + SOURCE_LEN, nlen);
			if (!nm || push(&j->names, nm) < 0) {
				free(nm);
				return -ENOMEM;
			}
			free(nm);
			cur = j->names.v[j->names.n - 1];
			start = le;
		}
		p = le;
	}
	return add_segment(j, in, cur, start, len);
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
	int rc = in->rc == 0 ? add_helm(j, in, name) : 1;
	if (rc <= 0)
		return rc;
	return add_unit(j, (struct unit){name, NULL, in, in->m.p, in->m.len, 0, true,
					 in->rc == 0 && bh_input_templated(in->m.p, in->m.len),
					 in->rc == 0 && bh_input_k8s_looking(in->m.p, in->m.len)});
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

/* what the units [first, end) of one input yielded */
struct yield {
	size_t end, objs, errs, findings;
	bool hinted;    /* an error already says how to render a template */
	bool kindless;  /* every error is a document without kind */
};

static struct yield input_yield(const struct bh_batch *b, const struct job *j, size_t first)
{
	struct yield y = {.kindless = true};
	for (y.end = first; y.end < j->n && (y.end == first || !j->units[y.end].first); y.end++) {
		const struct span *sp = &j->spans[y.end];
		const struct bh_engine *we = &b->workers[sp->worker];
		y.objs += sp->o1 - sp->o0;
		y.errs += sp->e1 - sp->e0;
		y.findings += sp->f1 - sp->f0;
		for (size_t k = sp->e0; k < sp->e1; k++) {
			const char *msg = we->errors.v[k].message;
			y.hinted |= strstr(msg, "helm template") != NULL;
			y.kindless &= !strncmp(msg, "mapping without kind", 20);
		}
	}
	return y;
}

/* One note per input: skipped as not Kubernetes; nothing found (empty, only comments, an empty List);
 * an unrendered template that failed without the decoder saying so. */
static void input_note(struct bh_engine *m, const struct unit *u, const struct yield *y, bool skip)
{
	if (skip)
		bh_engine_warning(m, u->name, 0, 0, "not a Kubernetes object (no document has a kind), skipped");
	else if (!y->objs && !y->errs)
		bh_engine_warning(m, u->name, 0, 0, "no Kubernetes objects found in %s", u->name);
	else if (y->errs && !y->hinted && u->templated)
		bh_engine_warning(m, u->name, 0, 0, "this looks like an unrendered Helm or Go template ({{ … }}): render "
				  "it first, e.g. helm template CHART | bulkhead scan -");
}

/* a span's results; a skipped input's (no findings) leave nothing */
static int append_span(struct bh_engine *m, const struct bh_engine *we, const struct span *sp, bool skip)
{
	if (skip)
		return 0;
	int err = append((void **)&m->findings.v, &m->findings.n, &m->findings.cap, we->findings.v, sp->f0, sp->f1,
			 sizeof(*m->findings.v));
	err |= append((void **)&m->objlist, &m->nobjlist, &m->capobjlist, we->objlist, sp->o0, sp->o1,
		      sizeof(*m->objlist));
	err |= append((void **)&m->errors.v, &m->errors.n, &m->errors.cap, we->errors.v, sp->e0, sp->e1,
		      sizeof(*m->errors.v));
	err |= append((void **)&m->warnings.v, &m->warnings.n, &m->warnings.cap, we->warnings.v, sp->w0, sp->w1,
		      sizeof(*m->warnings.v));
	return err;
}

/* the spans, in unit order, after b->e's own diagnostics (directories, the pre-pass). An input none of
 * whose documents has a kind (Chart.yaml, values.yaml, a CI workflow: kubectl would apply nothing from
 * it) and that gave no finding is skipped with a note instead of its errors and (kind-less) objects,
 * unless it looks like an object that lost its kind. */
static int merge(struct bh_batch *b, const struct job *j)
{
	struct bh_engine *m = &b->e;
	int err = 0;
	size_t skipped = 0, skipped_objs = 0;
	for (size_t i = 0; i < j->n;) {
		struct yield y = input_yield(b, j, i);
		const struct unit *u = &j->units[i];
		bool skip = j->o->skip_non_k8s && y.errs && y.kindless && y.objs == y.errs && !y.findings &&
			    !u->k8s_looking;
		for (size_t k = i; k < y.end; k++)
			err |= append_span(m, &b->workers[j->spans[k].worker], &j->spans[k], skip);
		input_note(m, u, &y, skip);
		skipped += skip;
		skipped_objs += skip ? y.objs : 0;
		i = y.end;
	}
	for (int w = 0; w < b->nworkers; w++) {
		m->files += b->workers[w].files;
		m->objects += b->workers[w].objects;
		m->lists += b->workers[w].lists;
		m->findings.dropped += b->workers[w].findings.dropped;
	}
	m->files -= skipped;
	m->objects -= skipped_objs;
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
	for (size_t i = 0; i < j->names.n; i++)
		free(j->names.v[i]);
	free(j->names.v);
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
	size_t nfiles = bh_batch_expand_opts(&b->e, o, paths, npaths, &files);
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
