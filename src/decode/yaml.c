/* libyaml events → arena tree. Aliases share the anchored node (the tree is a DAG), so memory stays
 * bounded; each node's `weight` is its fully expanded size, and a document whose expanded size passes
 * the budget is rejected (billion laughs). Merge keys (`<<: *a`, `<<: [*a, *b]`) are applied as
 * go-yaml v2 does: explicit keys win over merged ones, earlier merged maps win over later ones. */
#include "yaml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct anchor {
	const char *name;
	struct bh_node *node;
};

struct frame {
	struct bh_node *node; /* MAP or SEQ being built */
	size_t start;         /* first child in the value stack */
};

struct bh_yaml_reader {
	const char *file;
	const char *buf;
	size_t len;
	size_t base;       /* offset of the current parser's input in buf */
	uint32_t line_base; /* lines before base */
	const struct bh_limits *lim;
	yaml_parser_t parser;
	bool parser_live, done;
	uint32_t index;
	/* scratch, reused across documents */
	struct bh_node **vals;
	size_t nvals, capvals;
	struct frame *frames;
	size_t nframes, capframes;
	struct anchor *anchors;
	size_t nanchors, capanchors;
};

static const char *short_tag(struct bh_arena *a, const unsigned char *tag)
{
	if (!tag)
		return NULL;
	const char *t = (const char *)tag;
	static const char core[] = "tag:yaml.org,2002:";
	if (!strncmp(t, core, sizeof(core) - 1)) {
		const char *rest = t + sizeof(core) - 1;
		/* the common ones without allocation */
		static const char *const known[] = {"!!str", "!!int", "!!bool", "!!null", "!!float", "!!map", "!!seq", "!!merge"};
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (!strcmp(rest, known[i] + 2))
				return known[i];
		return bh_arena_printf(a, "!!%s", rest);
	}
	return bh_arena_strndup(a, t, strlen(t));
}

static void parser_start(struct bh_yaml_reader *r)
{
	yaml_parser_initialize(&r->parser);
	yaml_parser_set_input_string(&r->parser, (const unsigned char *)r->buf + r->base, r->len - r->base);
	r->parser_live = true;
}

struct bh_yaml_reader *bh_yaml_new(const char *file, const char *buf, size_t len, const struct bh_limits *lim,
				   uint32_t line_base)
{
	struct bh_yaml_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->file = file;
	r->buf = buf;
	r->len = len;
	r->lim = lim ? lim : &bh_default_limits;
	r->line_base = line_base;
	parser_start(r);
	return r;
}

void bh_yaml_free(struct bh_yaml_reader *r)
{
	if (!r)
		return;
	if (r->parser_live)
		yaml_parser_delete(&r->parser);
	free(r->vals);
	free(r->frames);
	free(r->anchors);
	free(r);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 64;
	while (nc < need)
		nc *= 2;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

static uint64_t wadd(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

static bool is_merge_key(const struct bh_node *k)
{
	if (k->type != BH_SCALAR || k->len != 2 || memcmp(k->s, "<<", 2))
		return false;
	return k->tag ? !strcmp(k->tag, "!!merge") : k->style == BH_STYLE_PLAIN;
}

static bool same_key(const struct bh_node *a, const struct bh_node *b)
{
	return a->type == BH_SCALAR && b->type == BH_SCALAR && a->len == b->len && !memcmp(a->s, b->s, a->len);
}

static uint32_t key_hash(const struct bh_node *k)
{
	uint32_t h = 2166136261u ^ k->type;
	for (uint32_t i = 0; k->type == BH_SCALAR && i < k->len; i++)
		h = (h ^ (unsigned char)k->s[i]) * 16777619u;
	return h;
}

/* Adds np[i].key to the set unless an equal scalar key is there: true when added. Non-scalar keys are
 * never equal to anything (go-yaml compares them by identity). */
static bool key_insert(uint32_t *set, size_t cap, const struct bh_pair *np, size_t i)
{
	const struct bh_node *k = np[i].key;
	size_t h = key_hash(k) & (cap - 1);
	while (set[h]) {
		if (same_key(np[set[h] - 1].key, k))
			return false;
		h = (h + 1) & (cap - 1);
	}
	set[h] = (uint32_t)i + 1;
	return true;
}

/* Rebuilds map m's pairs with merge keys applied. Returns 0 or a negative errno with err set. */
static int apply_merges(struct bh_yaml_reader *r, struct bh_arena *a, struct bh_node *m, struct bh_err *err)
{
	size_t total = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		struct bh_node *k = m->pairs[i].key, *v = m->pairs[i].val;
		if (!is_merge_key(k)) {
			total++;
			continue;
		}
		if (v->type == BH_MAP)
			total += v->n;
		else if (v->type == BH_SEQ) {
			for (uint32_t j = 0; j < v->n; j++) {
				if (v->items[j]->type != BH_MAP)
					return bh_err_set(err, -EINVAL, v->items[j]->line, v->items[j]->col,
							  "merge key list items must be mappings (aliases of mappings)");
				total += v->items[j]->n;
			}
		} else
			return bh_err_set(err, -EINVAL, v->line, v->col,
					  "merge key value must be a mapping or a list of mappings");
	}
	if (total > UINT32_MAX)
		return bh_err_set(err, -E2BIG, m->line, m->col, "mapping too large after merge keys");
	struct bh_pair *np = bh_arena_alloc(a, (total ? total : 1) * sizeof(*np));
	if (!np)
		return bh_err_set(err, -ENOMEM, m->line, m->col, "document too large (arena limit)");
	size_t n = 0;
	for (uint32_t i = 0; i < m->n; i++)
		if (!is_merge_key(m->pairs[i].key))
			np[n++] = m->pairs[i];
	/* explicit keys and earlier merged keys win: a hash set of the keys taken so far keeps this linear
	 * (a merge of a large map, repeated through aliases, would otherwise be quadratic) */
	size_t cap = 16;
	while (cap < total * 2)
		cap *= 2;
	uint32_t *set = calloc(cap, sizeof(*set)); /* index into np + 1 */
	if (!set)
		return bh_err_set(err, -ENOMEM, m->line, m->col, "out of memory");
	for (size_t i = 0; i < n; i++)
		key_insert(set, cap, np, i);
	for (uint32_t i = 0; i < m->n; i++) {
		if (!is_merge_key(m->pairs[i].key))
			continue;
		struct bh_node *v = m->pairs[i].val;
		uint32_t cnt = v->type == BH_MAP ? 1 : v->n;
		for (uint32_t j = 0; j < cnt; j++) {
			struct bh_node *src = v->type == BH_MAP ? v : v->items[j];
			for (uint32_t q = 0; q < src->n; q++) {
				np[n] = src->pairs[q];
				if (key_insert(set, cap, np, n))
					n++;
			}
		}
	}
	free(set);
	(void)r;
	m->pairs = np;
	m->n = (uint32_t)n;
	m->flags |= BH_NF_MERGED;
	return 0;
}

/* Duplicate keys (exact or differing only by ASCII case): both are kept, the doc is flagged, a warning
 * names them. Hash for big maps so CRD schemas with thousands of properties stay linear. */
static uint32_t lc_hash(const struct bh_node *k)
{
	uint32_t h = 2166136261u;
	for (uint32_t i = 0; i < k->len; i++) {
		unsigned char c = (unsigned char)k->s[i];
		if (c >= 'A' && c <= 'Z')
			c += 32;
		h = (h ^ c) * 16777619u;
	}
	return h;
}

static bool lc_equal(const struct bh_node *a, const struct bh_node *b)
{
	if (a->len != b->len)
		return false;
	for (uint32_t i = 0; i < a->len; i++) {
		unsigned char x = (unsigned char)a->s[i], y = (unsigned char)b->s[i];
		if (x >= 'A' && x <= 'Z')
			x += 32;
		if (y >= 'A' && y <= 'Z')
			y += 32;
		if (x != y)
			return false;
	}
	return true;
}

static void report_dup(struct bh_doc *doc, struct bh_arena *a, const struct bh_node *first, const struct bh_node *k)
{
	doc->has_dups = true;
	if (k->len == first->len && !memcmp(k->s, first->s, k->len))
		bh_doc_warn(doc, a, k->line, k->col, "duplicate key \"%.*s\" (first at line %u); both values are evaluated",
			    (int)(k->len > 200 ? 200 : k->len), k->s, first->line);
	else
		bh_doc_warn(doc, a, k->line, k->col, "key \"%.*s\" differs only by case from \"%.*s\" (line %u); both are evaluated",
			    (int)(k->len > 200 ? 200 : k->len), k->s, (int)(first->len > 200 ? 200 : first->len), first->s,
			    first->line);
}

static int check_dups(struct bh_doc *doc, struct bh_arena *a, const struct bh_node *m)
{
	uint32_t n = m->n;
	if (n < 2)
		return 0;
	if (n <= 16) {
		for (uint32_t i = 1; i < n; i++) {
			const struct bh_node *k = m->pairs[i].key;
			if (k->type != BH_SCALAR)
				continue;
			for (uint32_t j = 0; j < i; j++) {
				const struct bh_node *p = m->pairs[j].key;
				if (p->type == BH_SCALAR && lc_equal(p, k)) {
					report_dup(doc, a, p, k);
					break;
				}
			}
		}
		return 0;
	}
	size_t cap = 32;
	while (cap < (size_t)n * 2)
		cap *= 2;
	uint32_t *tab = calloc(cap, sizeof(*tab)); /* stores index+1 */
	if (!tab)
		return -ENOMEM;
	for (uint32_t i = 0; i < n; i++) {
		const struct bh_node *k = m->pairs[i].key;
		if (k->type != BH_SCALAR)
			continue;
		size_t h = lc_hash(k) & (cap - 1);
		for (;;) {
			if (!tab[h]) {
				tab[h] = i + 1;
				break;
			}
			const struct bh_node *p = m->pairs[tab[h] - 1].key;
			if (lc_equal(p, k)) {
				report_dup(doc, a, p, k);
				break;
			}
			h = (h + 1) & (cap - 1);
		}
	}
	free(tab);
	return 0;
}

static struct anchor *find_anchor(struct bh_yaml_reader *r, const char *name)
{
	for (size_t i = r->nanchors; i-- > 0;) /* newest definition wins */
		if (!strcmp(r->anchors[i].name, name))
			return &r->anchors[i];
	return NULL;
}

static int set_anchor(struct bh_yaml_reader *r, struct bh_arena *a, const unsigned char *name, struct bh_node *n)
{
	if (!name)
		return 0;
	if (grow((void **)&r->anchors, &r->capanchors, r->nanchors + 1, sizeof(*r->anchors)))
		return -ENOMEM;
	const char *nm = bh_arena_strndup(a, (const char *)name, strlen((const char *)name));
	if (!nm)
		return -ENOMEM;
	r->anchors[r->nanchors].name = nm;
	r->anchors[r->nanchors].node = n;
	r->nanchors++;
	return 0;
}

static int push_val(struct bh_yaml_reader *r, struct bh_node *n)
{
	if (grow((void **)&r->vals, &r->capvals, r->nvals + 1, sizeof(*r->vals)))
		return -ENOMEM;
	r->vals[r->nvals++] = n;
	return 0;
}

static int yaml_error(struct bh_yaml_reader *r, struct bh_err *err)
{
	yaml_parser_t *p = &r->parser;
	const char *what = p->problem ? p->problem : "syntax error";
	yaml_mark_t mk = p->problem_mark;
	if (p->context)
		bh_err_set(err, -EINVAL, r->line_base + (uint32_t)mk.line + 1, (uint32_t)mk.column + 1, "%s %s", p->context, what);
	else
		bh_err_set(err, -EINVAL, r->line_base + (uint32_t)mk.line + 1, (uint32_t)mk.column + 1, "%s", what);
	return -EINVAL;
}

/* After an error: continue at the next line starting with "---" past the error, or stop. */
static void resync(struct bh_yaml_reader *r, size_t err_off)
{
	if (r->parser_live) {
		yaml_parser_delete(&r->parser);
		r->parser_live = false;
	}
	size_t off = r->base + err_off;
	if (off > r->len)
		off = r->len;
	/* go to the start of the next line */
	while (off < r->len && r->buf[off] != '\n')
		off++;
	while (off < r->len) {
		off++; /* past '\n' */
		if (off + 3 <= r->len && !memcmp(r->buf + off, "---", 3) &&
		    (off + 3 == r->len || r->buf[off + 3] == '\n' || r->buf[off + 3] == ' ' || r->buf[off + 3] == '\r' ||
		     r->buf[off + 3] == '\t'))
			break;
		while (off < r->len && r->buf[off] != '\n')
			off++;
	}
	if (off >= r->len) {
		r->done = true;
		return;
	}
	for (size_t i = r->base; i < off; i++)
		if (r->buf[i] == '\n')
			r->line_base++;
	r->base = off;
	parser_start(r);
}

static struct bh_node *new_node(struct bh_arena *a, int type, const yaml_mark_t *mk, uint32_t line_base)
{
	struct bh_node *n = bh_arena_alloc(a, sizeof(*n));
	if (!n)
		return NULL;
	n->type = (uint8_t)type;
	n->line = line_base + (uint32_t)mk->line + 1;
	n->col = (uint32_t)mk->column + 1;
	n->weight = 1;
	return n;
}

int bh_yaml_next(struct bh_yaml_reader *r, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err)
{
	memset(doc, 0, sizeof(*doc));
	doc->file = r->file;
	doc->warn_tail = &doc->warnings;
	if (r->done)
		return 0;
	r->nvals = r->nframes = r->nanchors = 0;
	size_t arena_start = a->used;
	bool in_doc = false;
	int rc = 0;
	err->file = r->file;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&r->parser, &ev)) {
			rc = yaml_error(r, err);
			resync(r, r->parser.problem_mark.index);
			return rc;
		}
		struct bh_node *n = NULL;
		const char *fail = NULL;
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			yaml_event_delete(&ev);
			r->done = true;
			return 0;
		case YAML_DOCUMENT_START_EVENT:
			in_doc = true;
			doc->line = r->line_base + (uint32_t)ev.start_mark.line + 1;
			doc->index = r->index++;
			break;
		case YAML_DOCUMENT_END_EVENT:
			doc->end = r->base + ev.end_mark.index;
			yaml_event_delete(&ev);
			doc->root = r->nvals ? r->vals[0] : NULL;
			if (doc->root && doc->root->type == BH_SCALAR && bh_is_null(doc->root))
				doc->root = NULL; /* empty / comment-only document */
			return 1;
		case YAML_SCALAR_EVENT:
			n = new_node(a, BH_SCALAR, &ev.start_mark, r->line_base);
			if (!n)
				break;
			switch (ev.data.scalar.style) {
			case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = BH_STYLE_SQUOTE; break;
			case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = BH_STYLE_DQUOTE; break;
			case YAML_LITERAL_SCALAR_STYLE: n->style = BH_STYLE_LITERAL; break;
			case YAML_FOLDED_SCALAR_STYLE: n->style = BH_STYLE_FOLDED; break;
			default: n->style = BH_STYLE_PLAIN; break;
			}
			if (ev.data.scalar.length > UINT32_MAX) {
				fail = "scalar too long";
				break;
			}
			n->s = bh_arena_strndup(a, (const char *)ev.data.scalar.value, ev.data.scalar.length);
			n->len = (uint32_t)ev.data.scalar.length;
			/* "!" alone is the non-specific tag: a plain scalar tagged "!" is a string */
			if (ev.data.scalar.tag)
				n->tag = short_tag(a, ev.data.scalar.tag);
			if (!n->s || (ev.data.scalar.tag && !n->tag))
				n = NULL;
			else if (set_anchor(r, a, ev.data.scalar.anchor, n))
				n = NULL;
			break;
		case YAML_ALIAS_EVENT: {
			struct anchor *an = find_anchor(r, (const char *)ev.data.alias.anchor);
			if (!an) {
				bh_err_set(err, -EINVAL, r->line_base + (uint32_t)ev.start_mark.line + 1,
					   (uint32_t)ev.start_mark.column + 1, "unknown anchor '%s'", ev.data.alias.anchor);
				rc = -EINVAL;
				goto fail_event;
			}
			/* an alias to a node still being built is a cycle: go-yaml rejects it too */
			for (size_t i = 0; i < r->nframes; i++)
				if (r->frames[i].node == an->node) {
					bh_err_set(err, -EINVAL, r->line_base + (uint32_t)ev.start_mark.line + 1,
						   (uint32_t)ev.start_mark.column + 1, "alias '%s' refers to an enclosing node",
						   ev.data.alias.anchor);
					rc = -EINVAL;
					goto fail_event;
				}
			n = an->node;
			n->flags |= BH_NF_ALIAS_TARGET;
			break;
		}
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT: {
			bool map = ev.type == YAML_MAPPING_START_EVENT;
			if (r->nframes >= r->lim->max_depth) {
				bh_err_set(err, -E2BIG, r->line_base + (uint32_t)ev.start_mark.line + 1,
					   (uint32_t)ev.start_mark.column + 1, "nesting deeper than %u levels",
					   r->lim->max_depth);
				rc = -E2BIG;
				goto fail_event;
			}
			struct bh_node *c = new_node(a, map ? BH_MAP : BH_SEQ, &ev.start_mark, r->line_base);
			const unsigned char *tag = map ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
			const unsigned char *anchor = map ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
			if (!c || (tag && !(c->tag = short_tag(a, tag))) || set_anchor(r, a, anchor, c) ||
			    grow((void **)&r->frames, &r->capframes, r->nframes + 1, sizeof(*r->frames))) {
				fail = "out of memory";
				break;
			}
			r->frames[r->nframes].node = c;
			r->frames[r->nframes].start = r->nvals;
			r->nframes++;
			yaml_event_delete(&ev);
			continue;
		}
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT: {
			struct frame *f = &r->frames[--r->nframes];
			struct bh_node *c = f->node;
			size_t cnt = r->nvals - f->start;
			uint64_t w = 1;
			for (size_t i = f->start; i < r->nvals; i++)
				w = wadd(w, r->vals[i]->weight);
			c->weight = w;
			if (c->type == BH_MAP) {
				c->n = (uint32_t)(cnt / 2);
				c->pairs = bh_arena_alloc(a, (cnt ? cnt : 1) * sizeof(struct bh_node *));
				if (!c->pairs) {
					fail = "out of memory";
					break;
				}
				memcpy(c->pairs, r->vals + f->start, cnt * sizeof(struct bh_node *));
				bool merge = false;
				for (uint32_t i = 0; i < c->n; i++)
					merge |= is_merge_key(c->pairs[i].key);
				if (merge && (rc = apply_merges(r, a, c, err)) < 0)
					goto fail_event;
				if (check_dups(doc, a, c)) {
					fail = "out of memory";
					break;
				}
			} else {
				c->n = (uint32_t)cnt;
				c->items = bh_arena_alloc(a, (cnt ? cnt : 1) * sizeof(struct bh_node *));
				if (!c->items) {
					fail = "out of memory";
					break;
				}
				memcpy(c->items, r->vals + f->start, cnt * sizeof(struct bh_node *));
			}
			r->nvals = f->start;
			n = c;
			break;
		}
		default:
			break;
		}
		if (fail) {
			bh_err_set(err, -ENOMEM, r->line_base + (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1,
				   "%s", fail);
			rc = -ENOMEM;
			goto fail_event;
		}
		if (n) {
			if (n->weight > r->lim->max_weight) {
				bh_err_set(err, -E2BIG, r->line_base + (uint32_t)ev.start_mark.line + 1,
					   (uint32_t)ev.start_mark.column + 1,
					   "document expands to more than %llu nodes through aliases (alias bomb?)",
					   (unsigned long long)r->lim->max_weight);
				rc = -E2BIG;
				goto fail_event;
			}
			if (push_val(r, n)) {
				fail = "out of memory";
				bh_err_set(err, -ENOMEM, 0, 0, "%s", fail);
				rc = -ENOMEM;
				goto fail_event;
			}
		} else if (ev.type == YAML_SCALAR_EVENT || ev.type == YAML_ALIAS_EVENT) {
			bh_err_set(err, -ENOMEM, r->line_base + (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1,
				   "out of memory");
			rc = -ENOMEM;
			goto fail_event;
		}
		if (a->used - arena_start > r->lim->max_doc_bytes) {
			bh_err_set(err, -E2BIG, r->line_base + (uint32_t)ev.start_mark.line + 1, (uint32_t)ev.start_mark.column + 1,
				   "document too large (more than %zu bytes of tree)", r->lim->max_doc_bytes);
			rc = -E2BIG;
			goto fail_event;
		}
		yaml_event_delete(&ev);
		(void)in_doc;
		continue;
	fail_event: {
		size_t off = ev.start_mark.index;
		yaml_event_delete(&ev);
		resync(r, off);
		return rc;
	}
	}
}
