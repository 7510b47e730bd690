#include "engine.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/map.h"
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
	e->files = e->objects = e->lists = 0;
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
	const struct bh_engine_cfg_ops *ops = e->cfg_ops;
	size_t npp = 0;
	const struct bh_podpath *pp = ops && e->cfg ? ops->podpaths(e->cfg, &npp) : NULL;
	for (int rd = 0; rd < readings; rd++) {
		struct bh_pod p;
		int rc = bh_pod_build_ex(&p, o, (enum bh_reading)rd, &e->doc, pp, npp);
		if (rc < 0) {
			bh_engine_error(e, o->doc->file, o->ref.line, o->ref.col, "out of memory building the pod view");
			return;
		}
		if (rc == 0) /* no pod template in this reading (the other may have one: `spec: {}` twice) */
			continue;
		if (p.ncasevar) /* case-variant keys: the server's reading and the case-insensitive one */
			readings = 2;
		/* wrong types are errors in the last reading only: that is the API server's (last duplicate,
		 * exact keys, go-yaml v2 merges); the other reading's values are alternatives */
		if (rd == readings - 1)
			for (const struct bh_diag *d = p.errors; d; d = d->next)
				bh_engine_error(e, o->doc->file, d->line, d->col, "%s %s: %s", o->ref.kind,
						o->ref.name ? o->ref.name : "(unnamed)", d->msg);
		if (rd == 0) {
			for (const struct bh_diag *d = p.warnings; d; d = d->next)
				bh_engine_warning(e, o->doc->file, d->line, d->col, "%s", d->msg);
			if (p.guessed)
				bh_engine_warning(e, o->doc->file, o->ref.line, o->ref.col,
						  "kind %s (%s) is not a known workload; its spec.template.spec holds containers and was scanned as a pod template",
						  o->ref.kind, o->ref.api_version ? o->ref.api_version : "no apiVersion");
		}
		size_t before = e->findings.n;
		if (!e->no_rules) {
			bool cfg = ops && e->cfg;
			struct bh_rule_ctx cx = {.pod = &p, .arg = e->cfg, .rule_off = cfg ? ops->rule_off : NULL,
						 .image_trusted = cfg && ops->has_registries(e->cfg) ? ops->image_trusted : NULL};
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
	if (ops)
		ops->apply(e, o, first);
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
		uint32_t pl, pc;
		const char *problem = bh_doc_problem(&doc, &e->doc, &pl, &pc);
		if (problem)
			bh_engine_error(e, name, pl, pc, "%s", problem);
		bh_objects_each(&doc, &e->doc, object_cb, e);
		e->lists += bh_doc_is_list(&doc);
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

void bh_engine_read_error(struct bh_engine *e, const char *name, int rc)
{
	if (rc == -EFBIG)
		bh_engine_error(e, name, 0, 0, "larger than the input limit of %zu bytes", e->lim->max_input);
	else
		bh_engine_error(e, name, 0, 0, "cannot read: %s", strerror(-rc));
}

void bh_engine_truncated(struct bh_engine *e, const char *name, size_t len)
{
	bh_engine_error(e, name, 0, 0,
			"the file shrank below %zu bytes while it was read (truncated or rewritten); what was read "
			"past its new end is not its content",
			len);
}

void bh_engine_file(struct bh_engine *e, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	struct bh_map m;
	int rc = bh_map_file(path, e->lim->max_input, &m);
	if (rc < 0) {
		e->files++;
		bh_engine_read_error(e, name, rc);
		return;
	}
	if (m.mapped)
		madvise((void *)m.p, m.len, MADV_SEQUENTIAL);
	bh_engine_slice(e, name, m.p, m.len, 0, true, m.mapped);
	if (bh_map_truncated(&m))
		bh_engine_truncated(e, name, m.len);
	bh_map_release(&m);
}
