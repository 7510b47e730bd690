/* Reading snapshot files (kubectl get -o json|yaml output, List kinds, several documents) into the model.
 * Every document's tree stays in the snapshot's arena: the model points into it. A document or object
 * that does not decode is an error with file:line:col; the others are still read. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netpol_int.h"
#include "util/map.h"

struct load_ctx {
	struct bh_np_snap *s;
	struct bh_diagvec *errs;
	const char *file;
	const char *hint_kind, *hint_api; /* a *List document: its items' kind (the API server leaves kind and
	                                     apiVersion out of list items, as in `bulkhead cluster --save`) */
};

static void add_err(struct bh_diagvec *e, struct bh_arena *a, const char *file, uint32_t line, uint32_t col,
		    const char *msg)
{
	if (e->n == e->cap) {
		size_t nc = e->cap ? e->cap * 2 : 8;
		struct bh_input_error *v = realloc(e->v, nc * sizeof(*v));
		if (!v)
			return;
		e->v = v;
		e->cap = nc;
	}
	e->v[e->n++] = (struct bh_input_error){file, line, col, bh_arena_strndup(a, msg, strlen(msg))};
}

static int object_cb(const struct bh_object *o, void *arg)
{
	struct load_ctx *c = arg;
	struct bh_err err = {0};
	struct bh_object typed;
	if (!o->ref.kind && c->hint_kind && o->in_list) {
		typed = *o;
		typed.ref.kind = c->hint_kind;
		typed.ref.api_version = c->hint_api;
		o = &typed;
	}
	int rc = bh_np_add(c->s, o, &err);
	if (rc == -ENOMEM)
		return -ENOMEM;
	if (rc < 0)
		add_err(c->errs, c->s->a, c->file, err.line, err.col, err.msg);
	return 0;
}

/* PodList → Pod (apiVersion of the list) */
static void list_hint(struct load_ctx *c, const struct bh_doc *doc)
{
	const char *k = NULL, *api = NULL;
	size_t len = 0, alen = 0;
	c->hint_kind = c->hint_api = NULL;
	if (!doc->root || doc->root->type != BH_MAP ||
	    bh_as_str(bh_map_get(doc->root, "kind", BH_READ_LAST, NULL, NULL), &k, &len) != BH_OK || len <= 4 ||
	    memcmp(k + len - 4, "List", 4))
		return;
	c->hint_kind = bh_arena_strndup(c->s->a, k, len - 4);
	if (bh_as_str(bh_map_get(doc->root, "apiVersion", BH_READ_LAST, NULL, NULL), &api, &alen) == BH_OK)
		c->hint_api = bh_arena_strndup(c->s->a, api, alen);
}

int bh_np_load_buffer(struct bh_np_snap *s, const char *file, const char *in, size_t len,
		      const struct bh_limits *lim, struct bh_diagvec *errs)
{
	/* the model points into the trees, and scalars may point into the bytes: keep a private copy that
	 * lives as long as the arena */
	char *buf = bh_arena_alloc(s->a, len + 1);
	if (!buf)
		return -ENOMEM;
	if (len)
		memcpy(buf, in, len);
	file = bh_arena_strndup(s->a, file, strlen(file));
	struct load_ctx c = {s, errs, file};
	struct bh_decoder *d = bh_decoder_new(file, buf, len, lim);
	if (!d)
		return -ENOMEM;
	int rc;
	for (;;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		rc = bh_decoder_next(d, s->a, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			if (rc == -ENOMEM && !err.msg[0])
				break;
			add_err(errs, s->a, file, err.line, err.col, err.msg);
			continue;
		}
		list_hint(&c, &doc);
		if (doc.root && (rc = bh_objects_each(&doc, s->a, object_cb, &c)) == -ENOMEM)
			break;
		rc = 0;
	}
	bh_decoder_free(d);
	return rc == -ENOMEM ? -ENOMEM : 0;
}

int bh_np_load(struct bh_np_snap *s, const char *path, const struct bh_limits *lim, struct bh_diagvec *errs)
{
	struct bh_map m;
	int rc = bh_map_file(path, lim->max_input, &m);
	if (rc) {
		add_err(errs, s->a, path, 0, 0, rc == -EFBIG ? "larger than the input limit" : strerror(-rc));
		return 0;
	}
	rc = bh_np_load_buffer(s, path, m.p, m.len, lim, errs);
	bh_map_release(&m);
	return rc;
}
