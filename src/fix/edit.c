/* The text writer: applies a pod's planned values to the source lines, touching only the lines it names.
 * Positions come from the decoder (YAML columns count characters, JSON columns bytes). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix.h"
#include "objects/objects.h"

#define FX_NOEND UINT32_MAX

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_put(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t c = b->cap ? b->cap * 2 : 256;
		while (c < b->n + n + 1)
			c *= 2;
		char *q = realloc(b->p, c);
		if (!q) {
			b->oom = 1;
			return;
		}
		b->p = q, b->cap = c;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static void sb_ind(struct sbuf *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		sb_put(b, " ", 1);
}

/* ---- positions ---- */
static size_t line_end(const struct fx_ctx *x, uint32_t l0) /* offset of the line's end (before \r?\n) */
{
	size_t e = l0 + 1 < x->nls ? x->ls[l0 + 1] : x->len;
	if (e > x->ls[l0] && x->buf[e - 1] == '\n')
		e--;
	if (e > x->ls[l0] && x->buf[e - 1] == '\r')
		e--;
	return e;
}

static const char *eol_of(const struct fx_ctx *x, uint32_t l0)
{
	size_t e = line_end(x, l0);
	return e < x->len && x->buf[e] == '\r' ? "\r\n" : "\n";
}

/* Byte offset of a node's position, or SIZE_MAX when outside the input. */
static size_t node_off(const struct fx_ctx *x, const struct bh_node *n)
{
	if (!n || n->line == 0 || n->line > x->nls)
		return SIZE_MAX;
	size_t o = x->ls[n->line - 1], e = line_end(x, n->line - 1);
	for (uint32_t c = 1; c < n->col && o < e; c++) {
		o++;
		if (!x->doc->json) /* YAML columns count characters: skip UTF-8 continuation bytes */
			while (o < e && ((unsigned char)x->buf[o] & 0xC0) == 0x80)
				o++;
	}
	return o;
}

/* The byte at o, or 0 past the end (a node may start at the very end of an input without a newline). */
static char byte_at(const struct fx_ctx *x, size_t o)
{
	return o < x->len ? x->buf[o] : 0;
}

/* The rest of the line from off holds only blanks, then end of line or a comment. */
static bool rest_blank(const struct fx_ctx *x, uint32_t l0, size_t off)
{
	size_t e = line_end(x, l0);
	while (off < e && (x->buf[off] == ' ' || x->buf[off] == '\t'))
		off++;
	return off >= e || byte_at(x, off) == '#';
}

/* A scalar's raw text is exactly its value on one line (plain, or quoted without escapes). */
static bool scalar_span(const struct fx_ctx *x, const struct bh_node *n, size_t *off, size_t *len)
{
	size_t o = node_off(x, n);
	if (o == SIZE_MAX || n->type != BH_SCALAR || n->len == 0 || memchr(n->s, '\n', n->len))
		return false;
	size_t e = line_end(x, n->line - 1), q = 0;
	if (n->style == BH_STYLE_SQUOTE || n->style == BH_STYLE_DQUOTE || n->style == BH_STYLE_JSON_STRING)
		q = 1;
	else if (n->style != BH_STYLE_PLAIN && n->style != BH_STYLE_JSON_LITERAL && n->style != BH_STYLE_JSON_NUMBER)
		return false;
	if (o + n->len + 2 * q > e || memcmp(x->buf + o + q, n->s, n->len) ||
	    (q && (x->buf[o + q + n->len] != x->buf[o] || memchr(n->s, '\\', n->len) || memchr(n->s, x->buf[o], n->len))))
		return false;
	*off = o, *len = n->len + 2 * q;
	return true;
}

/* Last line (0-based) of a node written in block style, FX_NOEND when it cannot be told. */
static uint32_t end_line(const struct fx_ctx *x, const struct bh_node *n, int depth)
{
	size_t off, len;
	if (!n || depth > 64 || (n->flags & BH_NF_ALIAS_TARGET))
		return FX_NOEND;
	if (n->type == BH_SCALAR)
		return scalar_span(x, n, &off, &len) && rest_blank(x, n->line - 1, off + len) ? n->line - 1 : FX_NOEND;
	size_t o = node_off(x, n);
	if (o == SIZE_MAX || o >= x->len || n->n == 0) /* a node at the very end of the input (fuzz_fix) */
		return FX_NOEND;
	if (byte_at(x, o) == '{' || byte_at(x, o) == '[')
		return FX_NOEND;
	return end_line(x, n->type == BH_MAP ? n->pairs[n->n - 1].val : n->items[n->n - 1], depth + 1);
}

/* ---- notes ---- */
static int note_tree(struct fx_ctx *x, const struct fx_pend *e, bool fixed, const char *why, const struct bh_node *at)
{
	int rc = 0;
	if (e->rule && (e->scalar || e->nitems || e->nmitems))
		rc = fx_note(x, fixed, e->rule, e->field, fixed ? (e->scalar ? e->scalar : "appended") : NULL, why, NULL,
			     at ? at->line : 0, at ? at->col : 0);
	for (const struct fx_pend *k = e->kids; k && !rc; k = k->next)
		rc = note_tree(x, k, fixed, why, at);
	return rc;
}

static struct bh_fix_edit *line_edit(const struct fx_ctx *x, uint32_t l0)
{
	for (size_t i = 0; i < x->r->nedits; i++)
		if (x->r->edits[i].ndel && x->r->edits[i].line <= l0 && l0 < x->r->edits[i].line + x->r->edits[i].ndel)
			return &x->r->edits[i];
	return NULL;
}

static bool line_taken(const struct fx_ctx *x, uint32_t l0)
{
	return line_edit(x, l0) != NULL;
}

/* A second value on a line another replacement already rewrote ({privileged: true, hostPID: true} in flow
 * style or JSON): the earlier edit left either everything before this value or everything after it as it
 * was; rewrite that edit's line once more. false when neither holds. */
static bool merge_into(struct fx_ctx *x, struct bh_fix_edit *e, size_t s, size_t end, size_t off, size_t len,
		       const char *repl)
{
	size_t pre = off - s, post = end - off - len;
	struct sbuf b = {0};
	if (e->ndel != 1 || e->len < pre + post)
		return false;
	if (!memcmp(e->text, x->buf + s, pre + len)) { /* the earlier edit is after this value */
		sb_put(&b, e->text, pre);
		sb_str(&b, repl);
		sb_put(&b, e->text + pre + len, e->len - pre - len);
	} else if (!memcmp(e->text + e->len - post - len, x->buf + off, len + post)) { /* before it */
		sb_put(&b, e->text, e->len - post - len);
		sb_str(&b, repl);
		sb_put(&b, x->buf + off + len, post);
	} else {
		return false;
	}
	char *t = b.oom ? NULL : bh_arena_strndup(&x->r->a, b.p, b.n);
	free(b.p);
	if (!t)
		return false;
	e->text = t, e->len = strlen(t);
	return true;
}

static int emit(struct fx_ctx *x, uint32_t line, uint32_t ndel, uint32_t indent, struct sbuf *b)
{
	if (b->oom)
		return -ENOMEM;
	int rc = fx_add_edit(x->r, line, ndel, indent, b->p ? b->p : "", b->n);
	free(b->p);
	return rc;
}

/* ---- rendering new keys ---- */
static void render(struct fx_ctx *x, struct sbuf *b, const struct fx_pend *e, uint32_t ind, const char *eol)
{
	for (; e; e = e->next) {
		sb_ind(b, ind);
		sb_str(b, e->key);
		sb_str(b, ":");
		if (e->scalar) {
			sb_str(b, " ");
			sb_str(b, e->scalar);
			sb_str(b, eol);
			continue;
		}
		sb_str(b, eol);
		render(x, b, e->kids, ind + x->step, eol);
		for (uint32_t i = 0; i < e->nitems; i++) {
			sb_ind(b, ind + x->step);
			sb_str(b, "- ");
			sb_str(b, e->items[i]);
			sb_str(b, eol);
		}
		for (uint32_t i = 0; i < e->nmitems; i++) {
			sb_ind(b, ind + x->step);
			sb_str(b, "- ");
			struct sbuf t = {0};
			render(x, &t, e->mitems[i], ind + x->step + 2, eol);
			if (t.p)
				sb_str(b, t.p + ind + x->step + 2); /* the first key follows the dash */
			b->oom |= t.oom;
			free(t.p);
		}
	}
}

/* Why values in m cannot be edited (anchors, merge keys), or NULL. Values inside a flow mapping can be
 * replaced in place; new keys go only into block mappings (insert_keys). */
static const char *map_problem(const struct fx_ctx *x, const struct bh_node *m, bool inserting)
{
	if (m->flags & BH_NF_MERGED)
		return "the mapping has merge keys (<<): its value comes from an anchor; edit the anchor by hand";
	if (m->flags & BH_NF_ALIAS_TARGET)
		return "the mapping is anchored and aliased elsewhere: an edit would change every alias";
	size_t o = node_off(x, m);
	if (o == SIZE_MAX)
		return "no position for the mapping";
	if (inserting && (byte_at(x, o) == '{' || byte_at(x, o) == '['))
		return "flow-style mapping ({…}): not rewritten; edit it by hand or use --patch";
	return NULL;
}

/* Inserts missing keys (array miss) into the block mapping m. */
static int insert_keys(struct fx_ctx *x, const struct bh_node *m, struct fx_pend **miss, size_t nmiss)
{
	const char *why = x->doc->json ? "JSON input: new keys are not inserted; use --patch" : map_problem(x, m, true);
	uint32_t at = FX_NOEND;
	if (!why && (at = end_line(x, m, 0)) != FX_NOEND)
		at++;
	for (uint32_t i = 0; !why && at == FX_NOEND && i < m->n; i++) {
		size_t o = node_off(x, m->pairs[i].key);
		if (o == SIZE_MAX)
			continue;
		size_t s = x->ls[m->pairs[i].key->line - 1];
		while (s < o && x->buf[s] == ' ')
			s++;
		if (s == o)
			at = m->pairs[i].key->line - 1;
	}
	if (!why && at == FX_NOEND)
		why = "no line to insert the key at without rewriting the mapping";
	if (why) {
		int rc = 0;
		for (size_t i = 0; i < nmiss && !rc; i++)
			rc = note_tree(x, miss[i], false, why, m);
		return rc;
	}
	struct sbuf b = {0};
	const char *eol = eol_of(x, m->line - 1);
	if (at >= x->nls && x->len && x->buf[x->len - 1] != '\n')
		sb_str(&b, eol);
	for (size_t i = 0; i < nmiss; i++) {
		struct fx_pend one = *miss[i];
		one.next = NULL;
		render(x, &b, &one, m->col - 1, eol);
	}
	int rc = emit(x, at, 0, m->col - 1, &b);
	for (size_t i = 0; i < nmiss && !rc; i++)
		rc = note_tree(x, miss[i], true, NULL, m);
	return rc;
}

static int replace_scalar(struct fx_ctx *x, const struct bh_node *v, const struct fx_pend *e)
{
	size_t off, len;
	const char *why = NULL;
	if (v->type != BH_SCALAR)
		why = "the field holds a mapping or list, not a value";
	else if (!scalar_span(x, v, &off, &len))
		why = "the value is written over several lines or with escapes: not rewritten";
	if (why)
		return note_tree(x, e, false, why, v);
	uint32_t l0 = v->line - 1;
	size_t s = x->ls[l0], end = l0 + 1 < x->nls ? x->ls[l0 + 1] : x->len;
	struct sbuf r = {0}; /* the new value; a string keeps its quotes ("Unconfined" → "RuntimeDefault") */
	bool quoted = len > v->len;
	if (quoted)
		sb_put(&r, x->buf + off, 1);
	sb_str(&r, e->scalar);
	if (quoted)
		sb_put(&r, x->buf + off, 1);
	if (r.oom)
		return -ENOMEM;
	struct bh_fix_edit *prev = line_edit(x, l0);
	if (prev) {
		bool merged = merge_into(x, prev, s, end, off, len, r.p);
		free(r.p);
		return merged ? note_tree(x, e, true, NULL, v)
			      : note_tree(x, e, false, "another edit already changes this line", v);
	}
	struct sbuf b = {0};
	sb_put(&b, x->buf + s, off - s);
	sb_str(&b, r.p);
	free(r.p);
	sb_put(&b, x->buf + off + len, end - off - len);
	int rc = emit(x, l0, 1, 0, &b);
	return rc ? rc : note_tree(x, e, true, NULL, v);
}

/* Where the colon after key is and where the empty value's token ends; NULL or why not. */
static const char *empty_span(struct fx_ctx *x, const struct bh_node *key, const struct bh_node *v, size_t *colon_out,
			      size_t *end_out)
{
	size_t ko, kl;
	const char *why = NULL;
	if (x->doc->json || !scalar_span(x, key, &ko, &kl) || line_taken(x, key->line - 1))
		why = "the empty value cannot be replaced on its line";
	size_t p = why ? 0 : ko + kl, le = why ? 0 : line_end(x, key->line - 1);
	while (!why && p < le && x->buf[p] == ' ')
		p++;
	if (!why && (p >= le || x->buf[p] != ':'))
		why = "no colon after the key";
	size_t colon = p++;
	while (!why && p < le && x->buf[p] == ' ')
		p++;
	static const char *const toks[] = {"{}", "[]", "null", "~", "Null", "NULL"};
	for (size_t i = 0; !why && i < sizeof(toks) / sizeof(*toks); i++) {
		size_t n = strlen(toks[i]); /* the buffer is not NUL-terminated: compare within the line */
		if (p + n <= le && !memcmp(x->buf + p, toks[i], n)) {
			p += n;
			break;
		}
	}
	if (!why && (!rest_blank(x, key->line - 1, p) || (v->line != key->line && !(v->type == BH_SCALAR && !v->len))))
		why = "the empty value is not alone on its line";
	*colon_out = colon, *end_out = p;
	return why;
}

/* key: {} / key: null / key: (nothing) → key: followed by the new block. */
static int fill_empty(struct fx_ctx *x, const struct bh_node *key, const struct bh_node *v, const struct fx_pend *e)
{
	size_t colon = 0, p = 0;
	const char *why = empty_span(x, key, v, &colon, &p);
	if (why)
		return note_tree(x, e, false, why, key);
	size_t le = line_end(x, key->line - 1);
	struct sbuf b = {0};
	uint32_t l0 = key->line - 1;
	const char *eol = eol_of(x, l0);
	sb_put(&b, x->buf + x->ls[l0], colon + 1 - x->ls[l0]);
	size_t c = p;
	while (c < le && x->buf[c] == ' ')
		c++;
	if (c < le) /* keep the comment and the blanks before it */
		sb_put(&b, x->buf + p, le - p);
	sb_str(&b, eol);
	struct fx_pend one = *e;
	one.next = NULL;
	struct sbuf t = {0};
	render(x, &t, &one, key->col - 1, eol);
	if (t.p) /* drop the key line render() wrote: it is already there */
		sb_str(&b, strstr(t.p, eol) + strlen(eol));
	b.oom |= t.oom;
	free(t.p);
	/* `key:` alone: the line stays, the block goes below it */
	size_t keep = colon + 1 - x->ls[l0] + (le - p) + strlen(eol), next = l0 + 1 < x->nls ? x->ls[l0 + 1] : x->len;
	bool same = !b.oom && b.n >= keep && next - x->ls[l0] == keep && !memcmp(b.p, x->buf + x->ls[l0], keep);
	if (same) {
		memmove(b.p, b.p + keep, b.n - keep + 1);
		b.n -= keep;
	}
	int rc = emit(x, same ? l0 + 1 : l0, same ? 0 : 1, key->col - 1 + x->step, &b);
	return rc ? rc : note_tree(x, e, true, NULL, key);
}

/* Appends e's items to the block sequence v, before its first item, with that item's own prefix. */
static int append_items(struct fx_ctx *x, const struct bh_node *v, const struct fx_pend *e)
{
	const struct bh_node *first = v->n ? v->items[0] : NULL;
	size_t o = first ? node_off(x, first) : SIZE_MAX, s = o == SIZE_MAX ? 0 : x->ls[first->line - 1], d = s;
	while (d < o && x->buf[d] == ' ')
		d++;
	const char *why = NULL;
	if (o == SIZE_MAX || (v->flags & BH_NF_ALIAS_TARGET) || d >= o || x->buf[d] != '-')
		why = "flow-style, empty or anchored list: not rewritten; edit it by hand or use --patch";
	for (size_t q = d + 1; !why && q < o; q++)
		if (x->buf[q] != ' ')
			why = "the list's first item does not start its line";
	if (why)
		return note_tree(x, e, false, why, v);
	struct sbuf b = {0};
	const char *eol = eol_of(x, first->line - 1);
	for (uint32_t i = 0; i < e->nitems; i++) {
		sb_put(&b, x->buf + s, o - s);
		sb_str(&b, e->items[i]);
		sb_str(&b, eol);
	}
	for (uint32_t i = 0; i < e->nmitems; i++) {
		struct sbuf t = {0};
		render(x, &t, e->mitems[i], (uint32_t)(o - s), eol);
		sb_put(&b, x->buf + s, o - s);
		if (t.p)
			sb_str(&b, t.p + (o - s));
		b.oom |= t.oom;
		free(t.p);
	}
	int rc = emit(x, first->line - 1, 0, (uint32_t)(o - s), &b);
	return rc ? rc : note_tree(x, e, true, NULL, v);
}

static int apply_map(struct fx_ctx *x, const struct bh_node *m, struct fx_pend *list, int depth);

static int apply_one(struct fx_ctx *x, const struct bh_node *m, struct fx_pend *e, struct fx_pend **miss,
		     size_t *nmiss, int depth)
{
	bool casevar = false;
	const struct bh_node *key = NULL;
	const struct bh_node *v = bh_map_get(m, e->key, BH_READ_LAST, &casevar, &key);
	if (casevar)
		return note_tree(x, e, false, "a key differs only by case from the field: fix it by hand", key);
	if (!v) {
		if (*nmiss < 16)
			miss[(*nmiss)++] = e;
		return 0;
	}
	if (e->scalar)
		return replace_scalar(x, v, e);
	bool empty = bh_is_null(v) || ((v->type == BH_MAP || v->type == BH_SEQ) && v->n == 0);
	if (empty)
		return fill_empty(x, key, v, e);
	if (e->kids && v->type == BH_MAP) {
		const char *why = map_problem(x, v, false);
		return why ? note_tree(x, e, false, why, v) : apply_map(x, v, e->kids, depth + 1);
	}
	if ((e->nitems || e->nmitems) && v->type == BH_SEQ)
		return append_items(x, v, e);
	return note_tree(x, e, false, "the field has another type than expected", v);
}

static int apply_map(struct fx_ctx *x, const struct bh_node *m, struct fx_pend *list, int depth)
{
	struct fx_pend *miss[16];
	size_t nmiss = 0;
	int rc = 0;
	if (depth > 8)
		return note_tree(x, list, false, "too deep", m);
	for (struct fx_pend *e = list; e && !rc; e = e->next)
		rc = apply_one(x, m, e, miss, &nmiss, depth);
	if (!rc && nmiss)
		rc = insert_keys(x, m, miss, nmiss);
	return rc;
}

/* The indentation step: how far the pod spec's keys sit right of the mapping that holds the spec. */
static uint32_t indent_step(const struct fx_ctx *x)
{
	const struct bh_node *n = x->p->obj->root, *parent = NULL;
	char path[128];
	snprintf(path, sizeof(path), "%s", x->p->spec_path);
	for (char *save = NULL, *k = strtok_r(path, ".", &save); k && n; k = strtok_r(NULL, ".", &save)) {
		parent = n;
		n = bh_map_get(n, k, BH_READ_LAST, NULL, NULL);
	}
	if (n && parent && n->type == BH_MAP && n->n && parent->type == BH_MAP && n->col > parent->col &&
	    n->col - parent->col <= 8)
		return n->col - parent->col;
	return 2;
}

int fx_edit_targets(struct fx_ctx *x)
{
	const struct bh_pod *p = x->p;
	const char *why = NULL;
	if (x->doc->has_dups || p->ncasevar)
		why = "the document has duplicate or case-variant keys: which value is stored depends on the reader";
	else if ((p->obj->root->flags & (BH_NF_MERGED | BH_NF_ALIAS_TARGET)) ||
		 (p->spec->flags & (BH_NF_MERGED | BH_NF_ALIAS_TARGET)))
		why = "the pod spec is anchored or merged: an edit would change every alias";
	x->step = indent_step(x);
	int rc = 0;
	for (struct fx_target *t = x->targets; t && !rc; t = t->next) {
		const char *w = why ? why : t->map ? map_problem(x, t->map, false) : "no mapping";
		if (w) {
			for (struct fx_pend *e = t->root; e && !rc; e = e->next)
				rc = note_tree(x, e, false, w, t->map);
			continue;
		}
		rc = apply_map(x, t->map, t->root, 0);
	}
	return rc;
}
