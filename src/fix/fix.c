/* bulkhead fix: the driver (documents → objects → pod views → plan → edits), applying edits, the diff. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix.h"
#include "objects/objects.h"

void bh_fix_init(struct bh_fix_result *r)
{
	memset(r, 0, sizeof(*r));
	bh_arena_init(&r->a, 0);
}

void bh_fix_release(struct bh_fix_result *r)
{
	bh_arena_release(&r->a);
	free(r->notes);
	free(r->edits);
	free(r->patch);
	free(r->out);
	memset(r, 0, sizeof(*r));
}

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 16;
	void *q = realloc(*v, c * size);
	if (!q)
		return -ENOMEM;
	*v = q, *cap = c;
	return 0;
}

int fx_note(struct fx_ctx *x, bool fixed, const char *rule, const char *field, const char *value, const char *why,
	    const char *exemption, uint32_t line, uint32_t col)
{
	struct bh_fix_result *r = x->r;
	if (grow((void **)&r->notes, &r->capnotes, r->nnotes, sizeof(*r->notes)))
		return -ENOMEM;
	r->notes[r->nnotes++] = (struct bh_fix_note){.fixed = fixed, .rule = rule, .object = x->objname,
						     .field = field, .value = value, .why = why,
						     .exemption = exemption, .line = line, .col = col};
	return 0;
}

int fx_add_edit(struct bh_fix_result *r, uint32_t line, uint32_t ndel, uint32_t indent, const char *text,
		size_t len)
{
	if (grow((void **)&r->edits, &r->capedits, r->nedits, sizeof(*r->edits)))
		return -ENOMEM;
	char *t = bh_arena_strndup(&r->a, text, len);
	if (!t)
		return -ENOMEM;
	r->edits[r->nedits] = (struct bh_fix_edit){.line = line, .ndel = ndel, .indent = indent, .text = t, .len = len,
						   .seq = (uint32_t)r->nedits};
	r->nedits++;
	return 0;
}

struct walk {
	struct fx_ctx *x;
	struct bh_arena *doca;
	int rc;
};

static void input_error(struct bh_fix_result *r, const char *file, uint32_t line, uint32_t col, const char *msg)
{
	if (!r->errors++)
		snprintf(r->errmsg, sizeof(r->errmsg), "%s:%u:%u: error: %s", file, line, col, msg);
}

static int object_cb(const struct bh_object *o, void *ctx)
{
	struct walk *w = ctx;
	struct fx_ctx *x = w->x;
	struct bh_pod p;
	x->r->objects++;
	if (bh_pod_build(&p, o, BH_READ_LAST, w->doca) != 1)
		return 0;
	if (p.errors) { /* a wrong-typed field: the API server would refuse the object; scan says so too */
		char msg[256];
		snprintf(msg, sizeof(msg), "%s %s: %s (not fixed)", o->ref.kind ? o->ref.kind : "?",
			 o->ref.name ? o->ref.name : "(unnamed)", p.errors->msg);
		input_error(x->r, o->doc->file, p.errors->line, p.errors->col, msg);
		return 0;
	}
	const struct bh_objref *ref = &o->ref;
	x->objname = bh_arena_printf(&x->r->a, "%s %s%s%s", ref->kind ? ref->kind : "?",
				     ref->namespace ? ref->namespace : "", ref->namespace ? "/" : "",
				     ref->name ? ref->name : "?");
	x->p = &p;
	w->rc = x->objname ? fx_plan_pod(x) : -ENOMEM;
	return w->rc;
}

static size_t *line_starts(const char *buf, size_t len, uint32_t *n)
{
	size_t cnt = 1;
	for (size_t i = 0; i < len; i++)
		cnt += buf[i] == '\n' && i + 1 < len;
	size_t *ls = malloc(cnt * sizeof(*ls));
	if (!ls)
		return NULL;
	ls[0] = 0;
	*n = 1;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n' && i + 1 < len)
			ls[(*n)++] = i + 1;
	return ls;
}

int bh_fix_buffer(struct bh_fix_result *r, const struct bh_fix_opts *opts, const char *file, const char *buf,
		  size_t len)
{
	struct fx_ctx x = {.r = r, .o = opts, .buf = buf, .len = len};
	size_t *ls = line_starts(buf, len, &x.nls);
	struct bh_decoder *d = ls ? bh_decoder_new(file, buf, len, &bh_default_limits) : NULL;
	if (!d) {
		free(ls);
		return -ENOMEM;
	}
	x.ls = ls;
	struct bh_arena doca;
	bh_arena_init(&doca, bh_default_limits.max_doc_bytes);
	struct walk w = {.x = &x, .doca = &doca};
	for (;;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		int rc = bh_decoder_next(d, &doca, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			input_error(r, file, err.line, err.col, err.msg);
			bh_arena_reset(&doca);
			continue;
		}
		uint32_t pl, pc;
		const char *problem = bh_doc_problem(&doc, &doca, &pl, &pc);
		if (problem)
			input_error(r, file, pl, pc, problem);
		x.doc = &doc;
		if (doc.root)
			bh_objects_each(&doc, &doca, object_cb, &w);
		bh_arena_reset(&doca);
		if (w.rc)
			break;
	}
	bh_arena_release(&doca);
	bh_decoder_free(d);
	free(ls);
	return w.rc;
}

int fx_edit_cmp(const void *a, const void *b)
{
	const struct bh_fix_edit *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (!x->ndel != !y->ndel)
		return x->ndel ? 1 : -1; /* insertions before a replaced line */
	if (!x->ndel && x->indent != y->indent)
		return x->indent > y->indent ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The edits in order (a sorted copy); NULL when out of memory. */
static struct bh_fix_edit *sorted(const struct bh_fix_result *r)
{
	struct bh_fix_edit *e = malloc((r->nedits + 1) * sizeof(*e));
	if (e && r->nedits) {
		memcpy(e, r->edits, r->nedits * sizeof(*e));
		qsort(e, r->nedits, sizeof(*e), fx_edit_cmp);
	}
	return e;
}

int bh_fix_apply(struct bh_fix_result *r, const char *buf, size_t len)
{
	struct bh_fix_edit *e = sorted(r);
	size_t cap = len + 1;
	for (size_t i = 0; i < r->nedits; i++)
		cap += r->edits[i].len;
	char *out = e ? malloc(cap) : NULL;
	if (!out) {
		free(e);
		return -ENOMEM;
	}
	size_t o = 0, pos = 0; /* pos: byte offset of old line `line` */
	uint32_t line = 0;
	for (size_t i = 0; i <= r->nedits; i++) {
		uint32_t to = i < r->nedits ? e[i].line : UINT32_MAX;
		while (line < to && pos < len) { /* copy old lines up to the edit */
			const char *nl = memchr(buf + pos, '\n', len - pos);
			size_t end = nl ? (size_t)(nl - buf) + 1 : len;
			memcpy(out + o, buf + pos, end - pos);
			o += end - pos, pos = end, line++;
		}
		if (i == r->nedits)
			break;
		memcpy(out + o, e[i].text, e[i].len);
		o += e[i].len;
		for (uint32_t k = 0; k < e[i].ndel && pos < len; k++, line++) {
			const char *nl = memchr(buf + pos, '\n', len - pos);
			pos = nl ? (size_t)(nl - buf) + 1 : len;
		}
	}
	out[o] = 0;
	free(e);
	free(r->out);
	r->out = out, r->outlen = o;
	return 0;
}
