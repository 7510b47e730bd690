#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "util/file.h"
#include "config/config.h"
#include "rules/rules.h"

void bh_engine_init(struct bh_engine *e)
{
	memset(e, 0, sizeof(*e));
	e->lim = &bh_default_limits;
	bh_arena_init(&e->results, 0);
	bh_arena_init(&e->doc, 0);
	bh_findings_init(&e->findings, &e->results);
	e->now = time(NULL);
}

void bh_engine_reset(struct bh_engine *e)
{
	e->findings.n = 0;
	e->findings.dropped = 0;
	e->errors.n = e->warnings.n = 0;
	e->files = e->objects = 0;
	e->nobjlist = 0;
	bh_arena_reset(&e->doc);
	bh_arena_reset(&e->results);
}

void bh_engine_release(struct bh_engine *e)
{
	if (!e)
		return;
	bh_findings_release(&e->findings);
	free(e->errors.v);
	free(e->warnings.v);
	free(e->objlist);
	bh_arena_release(&e->doc);
	bh_arena_release(&e->results);
}

static void vdiag(struct bh_engine *e, struct bh_diagvec *d, const char *file, uint32_t line, uint32_t col,
		  const char *fmt, va_list ap)
{
	if (d->n == d->cap) {
		size_t nc = d->cap ? d->cap * 2 : 16;
		struct bh_input_error *nv = realloc(d->v, nc * sizeof(*nv));
		if (!nv)
			return;
		d->v = nv;
		d->cap = nc;
	}
	char buf[1024];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	struct bh_input_error *x = &d->v[d->n++];
	x->file = file ? bh_arena_strndup(&e->results, file, strlen(file)) : NULL;
	x->line = line;
	x->col = col;
	x->message = bh_arena_strndup(&e->results, buf, strlen(buf));
}

void bh_engine_error(struct bh_engine *e, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(e, &e->errors, file, line, col, fmt, ap);
	va_end(ap);
}

void bh_engine_warning(struct bh_engine *e, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vdiag(e, &e->warnings, file, line, col, fmt, ap);
	va_end(ap);
}

static const char *intern(struct bh_engine *e, const char *s)
{
	return s ? bh_arena_strndup(&e->results, s, strlen(s)) : NULL;
}

static void config_note(const struct bh_object *o, const char *msg, void *ctx)
{
	bh_engine_warning(ctx, o->doc->file, o->ref.line, o->ref.col, "%s %s: %s", o->ref.kind ? o->ref.kind : "object",
			  o->ref.name ? o->ref.name : "(unnamed)", msg);
}

/* The rules' view of the config (rules/ may not include config/): disabled rules, trusted registries. */
static bool rule_off(const void *cfg, const struct bh_rule *r)
{
	return bh_config_rule_disabled(cfg, r);
}

static bool image_trusted(const void *cfg, const char *image)
{
	return bh_config_trusted_registry(cfg, image);
}

static bool same_finding(const struct bh_finding *a, const struct bh_finding *b)
{
	return a->rule == b->rule && a->line == b->line && a->col == b->col && a->sev == b->sev &&
	       !strcmp(a->message, b->message);
}

void bh_engine_object(struct bh_engine *e, const struct bh_object *o)
{
	e->objects++;
	struct bh_objref ref = o->ref;
	ref.api_version = intern(e, ref.api_version);
	ref.kind = intern(e, ref.kind);
	ref.namespace = intern(e, ref.namespace);
	ref.name = intern(e, ref.name);
	e->findings.cur = ref;
	if (e->nobjlist == e->capobjlist) {
		size_t nc = e->capobjlist ? e->capobjlist * 2 : 64;
		struct bh_objref *nv = realloc(e->objlist, nc * sizeof(*nv));
		if (nv) {
			e->objlist = nv;
			e->capobjlist = nc;
		}
	}
	if (e->nobjlist < e->capobjlist) {
		e->objlist[e->nobjlist++] = ref; /* ref.file: the name bh_engine_buffer interned */
	}
	size_t first = e->findings.n;
	e->obj_first = first;
	/* Duplicate keys: Kubernetes' decoders may take either value, so evaluate the first-wins and the
	 * last-wins reading and keep every finding of both (the riskier reading is never lost). */
	int readings = o->doc->has_dups ? 2 : 1;
	for (int rd = 0; rd < readings; rd++) {
		struct bh_pod p;
		int rc = bh_pod_build_ex(&p, o, (enum bh_reading)rd, &e->doc, e->cfg ? e->cfg->podpaths : NULL,
					 e->cfg ? e->cfg->npodpaths : 0);
		if (rc < 0) {
			bh_engine_error(e, o->doc->file, o->ref.line, o->ref.col, "out of memory building the pod view");
			return;
		}
		if (rc == 0)
			return;
		if (rd == 0) {
			for (const struct bh_diag *d = p.errors; d; d = d->next)
				bh_engine_error(e, o->doc->file, d->line, d->col, "%s %s: %s", o->ref.kind,
						o->ref.name ? o->ref.name : "(unnamed)", d->msg);
			for (const struct bh_diag *d = p.warnings; d; d = d->next)
				bh_engine_warning(e, o->doc->file, d->line, d->col, "%s", d->msg);
			if (p.guessed)
				bh_engine_warning(e, o->doc->file, o->ref.line, o->ref.col,
						  "kind %s (%s) is not a known workload; its spec.template.spec holds containers and was scanned as a pod template",
						  o->ref.kind, o->ref.api_version ? o->ref.api_version : "no apiVersion");
		}
		size_t before = e->findings.n;
		if (!e->no_rules) {
			struct bh_rule_ctx cx = {.pod = &p, .arg = e->cfg, .rule_off = e->cfg ? rule_off : NULL,
						 .image_trusted = e->cfg && e->cfg->nregistries ? image_trusted : NULL};
			bh_rules_eval(&cx, &e->findings);
		}
		if (e->on_pod)
			e->on_pod(e, &p, e->on_pod_ctx);
		if (rd == 1) {
			/* drop second-reading findings that the first reading already produced */
			size_t w = before;
			for (size_t i = before; i < e->findings.n; i++) {
				bool seen = false;
				for (size_t j = first; j < before && !seen; j++)
					seen = same_finding(&e->findings.v[j], &e->findings.v[i]);
				if (!seen)
					e->findings.v[w++] = e->findings.v[i];
			}
			e->findings.n = w;
		}
	}
	struct bh_apply_opts ao = {.now = e->now, .note = config_note, .ctx = e, .user = e->user,
				   .flags = e->no_ignore_annotation ? BH_APPLY_NO_ANNOTATION : 0};
	bh_config_apply_opts(e->cfg, o, &e->findings, first, &ao);
}

static int object_cb(const struct bh_object *o, void *ctx)
{
	bh_engine_object(ctx, o);
	return 0;
}

/* mapped: buf lies in a private read-only file mapping whose pages before each finished document are
 * dropped, so a large input costs the memory of its largest document, not of the whole file. (Dropped
 * pages of a read-only file mapping are read again from the file if touched: always safe.) */
void bh_engine_slice(struct bh_engine *e, const char *file, const char *buf, size_t len, uint32_t line_base,
		     bool count_file, bool mapped)
{
	const char *name = intern(e, file);
	if (count_file)
		e->files++;
	struct bh_decoder *d = bh_decoder_new_at(name, buf, len, e->lim, line_base);
	if (!d) {
		bh_engine_error(e, name, 0, 0, "out of memory");
		return;
	}
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t dropped = ((uintptr_t)buf + page - 1) & ~(page - 1); /* never a page shared with the slice before */
	for (;;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_reset(&e->doc);
		int rc = bh_decoder_next(d, &e->doc, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			bh_engine_error(e, name, err.line, err.col, "%s", err.msg);
			continue;
		}
		for (const struct bh_diag *w = doc.warnings; w; w = w->next)
			bh_engine_warning(e, name, w->line, w->col, "%s", w->msg);
		bh_objects_each(&doc, &e->doc, object_cb, e);
		/* keep 1 MiB behind the parser: libyaml reads ahead, and a resync looks forward only */
		if (mapped && page > 1 && doc.end > (2u << 20)) {
			uintptr_t upto = ((uintptr_t)buf + doc.end - (1u << 20)) & ~(page - 1);
			if (upto > dropped + (1u << 20)) {
				madvise((void *)dropped, upto - dropped, MADV_DONTNEED);
				dropped = upto;
			}
		}
	}
	if (mapped && page > 1) { /* the slice is done: none of its own pages is needed any more */
		uintptr_t upto = ((uintptr_t)buf + len) & ~(page - 1);
		if (upto > dropped)
			madvise((void *)dropped, upto - dropped, MADV_DONTNEED);
	}
	bh_arena_reset(&e->doc);
	bh_decoder_free(d);
}

void bh_engine_buffer(struct bh_engine *e, const char *file, const char *buf, size_t len)
{
	bh_engine_slice(e, file, buf, len, 0, true, false);
}

void bh_engine_file(struct bh_engine *e, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((size_t)st.st_size > e->lim->max_input) {
			close(fd);
			e->files++;
			bh_engine_error(e, name, 0, 0, "larger than the input limit of %zu bytes", e->lim->max_input);
			return;
		}
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		close(fd);
		if (m != MAP_FAILED) {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			bh_engine_slice(e, name, m, (size_t)st.st_size, 0, true, true);
			munmap(m, (size_t)st.st_size);
			return;
		}
	} else if (fd >= 0)
		close(fd);
	/* stdin, pipes, empty files, or mmap refused: read it */
	char *buf = NULL;
	size_t len = 0;
	int rc = bh_read_file(path, e->lim->max_input, &buf, &len);
	if (rc < 0) {
		e->files++;
		if (rc == -EFBIG)
			bh_engine_error(e, name, 0, 0, "larger than the input limit of %zu bytes", e->lim->max_input);
		else
			bh_engine_error(e, name, 0, 0, "cannot read: %s", strerror(-rc));
		return;
	}
	bh_engine_slice(e, name, buf, len, 0, true, false);
	free(buf);
}

void bh_engine_report(const struct bh_engine *e, struct bh_report *r)
{
	r->findings = (struct bh_findings *)&e->findings;
	r->errors = e->errors.v;
	r->nerrors = e->errors.n;
	r->warnings = e->warnings.v;
	r->nwarnings = e->warnings.n;
	r->files = e->files;
	r->objects = e->objects;
	r->objlist = e->objlist;
	r->nobjlist = e->nobjlist;
}
