/* libyaml events → arena tree. Aliases share the anchored node (the tree is a DAG), so memory stays
 * bounded; each node's `weight` is its fully expanded size, and a document whose expanded size passes
 * the budget is rejected (billion laughs).
 *
 * Merge keys (`<<: *a`, `<<: [*a, *b]`) are applied as go-yaml v2 (sigs.k8s.io/yaml, so kubectl and the API
 * server) applies them: in document order, each `<<` overriding the keys set before it, explicit keys after
 * it overriding it, and within a list earlier maps winning (decode.go merge() walks the list backwards).
 * go-yaml v3 tools (kustomize's kyaml) keep explicit keys and the first merge instead; where the two
 * readings give a key different values both pairs are kept (v3's first, v2's last), the document is
 * flagged as having duplicates so both readings are evaluated, and a warning says so.
 *
 * The input reaches libyaml through a read handler that validates it first (UTF-8, the characters YAML
 * allows): libyaml reads ahead, so a bad byte in document 21 would otherwise fail the parse while
 * document 1 is being read. The handler stops at the bad byte; the documents before it come out, the
 * error names the byte's own line:col, and decoding resumes at the next `---`. A byte order mark at the
 * start of a document after `---` (which kubectl accepts: it splits documents before go-yaml sees them)
 * restarts the parser there. */
#include "yaml.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "keyhash.h"

struct anchor {
	const char *name;
	struct bh_node *node;
};

struct frame {
	struct bh_node *node; /* MAP or SEQ being built */
	size_t start;         /* first child in the value stack */
};

enum stop_kind { STOP_NONE = 0, STOP_BAD, STOP_BOM };

struct bh_yaml_reader {
	const char *file;
	const char *buf;
	size_t len;
	size_t base;        /* offset of the current parser's input in buf */
	uint32_t line_base; /* lines before base */
	const struct bh_limits *lim;
	yaml_parser_t parser;
	bool parser_live, done;
	uint32_t index;
	/* the read handler: bytes [base, fed) went to libyaml, [fed, checked) are validated */
	size_t fed, checked, vline; /* vline: start of the line being validated */
	enum stop_kind stop;
	size_t stop_at;             /* feeding ends here (the bad byte, or the line of the BOM) */
	const char *stop_msg;
	unsigned stop_byte;
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

/* ---- input validation (libyaml reader.c and go-yaml v2 readerc.go accept exactly these characters) ---- */

/* Length of the allowed character at q, or 0 (msg says why). */
static size_t yaml_char(const unsigned char *q, const unsigned char *end, const char **msg)
{
	unsigned c = q[0];
	if (c < 0x80) {
		if (c >= 0x20 ? c != 0x7f : (c == '\t' || c == '\n' || c == '\r'))
			return 1;
		*msg = c ? "control character not allowed in YAML" : "NUL byte not allowed in YAML";
		return 0;
	}
	size_t n = c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
	*msg = "invalid UTF-8";
	if (!n || (size_t)(end - q) < n)
		return 0;
	uint32_t cp = c & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
	for (size_t i = 1; i < n; i++) {
		if ((q[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (q[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	*msg = "control character not allowed in YAML";
	if ((cp >= 0x80 && cp <= 0x9F && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF)
		return 0;
	return n;
}

/* A line that kubectl's document splitter (apimachinery util/yaml YAMLReader) takes for a separator. */
static bool separator_line(const char *s, size_t n)
{
	if (n < 3 || memcmp(s, "---", 3))
		return false;
	for (size_t i = 3; i < n; i++) {
		if (s[i] == '#')
			return true;
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return false;
	}
	return true;
}

/* Validates from r->checked for at least want bytes; sets r->stop on the first problem. */
static void validate(struct bh_yaml_reader *r, size_t want)
{
	const unsigned char *b = (const unsigned char *)r->buf, *end = b + r->len;
	size_t i = r->checked, goal = want > r->len - i ? r->len : i + want;
	while (i < goal) {
		const char *msg = NULL;
		size_t n = b[i] >= 0x20 && b[i] < 0x7f ? 1 : yaml_char(b + i, end, &msg);
		if (!n) {
			r->stop = STOP_BAD;
			r->stop_at = i;
			r->stop_msg = msg;
			r->stop_byte = b[i];
			break;
		}
		if (b[i] == '\n') {
			size_t ls = r->vline;
			r->vline = i + 1;
			if (i + 4 <= r->len && !memcmp(b + i + 1, "\xEF\xBB\xBF", 3) && separator_line(r->buf + ls, i - ls)) {
				r->stop = STOP_BOM;
				r->stop_at = i + 1;
				i++;
				break;
			}
		}
		i += n;
	}
	r->checked = r->stop ? r->stop_at : i;
}

static int read_handler(void *data, unsigned char *out, size_t size, size_t *got)
{
	struct bh_yaml_reader *r = data;
	*got = 0;
	if (r->fed == r->checked && !r->stop && r->checked < r->len)
		validate(r, size > (64u << 10) ? size : (64u << 10));
	size_t avail = r->checked - r->fed;
	if (!avail)
		return r->stop != STOP_BAD; /* 1 with nothing read: end of this parser's input */
	size_t n = avail < size ? avail : size;
	memcpy(out, r->buf + r->fed, n);
	r->fed += n;
	*got = n;
	return 1;
}

static void parser_start(struct bh_yaml_reader *r)
{
	yaml_parser_initialize(&r->parser);
	r->fed = r->checked = r->vline = r->base;
	r->stop = STOP_NONE;
	/* UTF-16 input (libyaml detects it by its byte order mark) is not validated as UTF-8 */
	if (r->len - r->base >= 2 && ((unsigned char)r->buf[r->base] == 0xFF || (unsigned char)r->buf[r->base] == 0xFE) &&
	    ((unsigned char)r->buf[r->base] ^ (unsigned char)r->buf[r->base + 1]) == 0x01)
		r->checked = r->len;
	yaml_parser_set_input(&r->parser, read_handler, r);
	r->parser_live = true;
}

/* Drops the parser and starts a new one at off (a line start), counting the lines skipped. */
static void restart_at(struct bh_yaml_reader *r, size_t off)
{
	if (r->parser_live) {
		yaml_parser_delete(&r->parser);
		r->parser_live = false;
	}
	for (size_t i = r->base; i < off; i++)
		if (r->buf[i] == '\n')
			r->line_base++;
	r->base = off;
	if (off >= r->len) {
		r->done = true;
		return;
	}
	parser_start(r);
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

/* ---- merge keys ---- */

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

/* An index of scalar keys: slot → position + 1 in an array of pairs. Non-scalar keys are never equal to
 * anything (go-yaml compares them by identity) and are not indexed. */
struct kidx {
	uint32_t *slot;
	size_t mask;
};

static int kidx_init(struct kidx *x, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	x->mask = cap - 1;
	x->slot = calloc(cap, sizeof(*x->slot));
	return x->slot ? 0 : -ENOMEM;
}

/* The slot of key k among pairs: holds its position + 1, or 0 when k is not there yet. */
static uint32_t *kidx_find(struct kidx *x, const struct bh_pair *pairs, const struct bh_node *k)
{
	size_t h = (size_t)bh_keyhash(k->s, k->len, false) & x->mask;
	while (x->slot[h] && !same_key(pairs[x->slot[h] - 1].key, k))
		h = (h + 1) & x->mask;
	return &x->slot[h];
}

struct merged {
	struct bh_pair *v2, *v3; /* the two readings, each one pair per merged key */
	bool *merged2;           /* v2[i] came from a merge (an explicit key after it replaces it) */
	size_t n2, n3;
	struct kidx i2, i3;
};

/* v2: set key to val, replacing the value a merge or an earlier pair gave it */
static void set_v2(struct merged *m, const struct bh_pair *p, bool from_merge)
{
	if (p->key->type != BH_SCALAR) {
		m->v2[m->n2++] = *p;
		return;
	}
	uint32_t *s = kidx_find(&m->i2, m->v2, p->key);
	if (*s && (from_merge || m->merged2[*s - 1])) {
		m->v2[*s - 1] = *p;
		m->merged2[*s - 1] = from_merge;
		return;
	}
	if (!*s)
		*s = (uint32_t)m->n2 + 1;
	m->merged2[m->n2] = from_merge;
	m->v2[m->n2++] = *p; /* an explicit duplicate stays a duplicate (both values are evaluated) */
}

/* v3: explicit keys, then merged keys not set yet, earlier merges first (YAML merge-key note) */
static void set_v3(struct merged *m, const struct bh_pair *p, bool from_merge)
{
	if (p->key->type == BH_SCALAR) {
		uint32_t *s = kidx_find(&m->i3, m->v3, p->key);
		if (*s && from_merge)
			return;
		if (!*s)
			*s = (uint32_t)m->n3 + 1;
	}
	m->v3[m->n3++] = *p;
}

static int check_merge_value(const struct bh_node *v, size_t *total, struct bh_err *err)
{
	if (v->type == BH_MAP) {
		*total += v->n;
		return 0;
	}
	if (v->type != BH_SEQ)
		return bh_err_set(err, -EINVAL, v->line, v->col, "merge key value must be a mapping or a list of mappings");
	for (uint32_t j = 0; j < v->n; j++) {
		if (v->items[j]->type != BH_MAP)
			return bh_err_set(err, -EINVAL, v->items[j]->line, v->items[j]->col,
					  "merge key list items must be mappings (aliases of mappings)");
		*total += v->items[j]->n;
	}
	return 0;
}

static void merge_one(struct merged *mg, const struct bh_node *v, bool v2, bool v3)
{
	uint32_t cnt = v->type == BH_MAP ? 1 : v->n;
	/* v2 applies a list backwards, so that earlier maps win; v3 takes earlier maps first */
	for (uint32_t j = cnt; v2 && j-- > 0;) {
		const struct bh_node *src = v->type == BH_MAP ? v : v->items[j];
		for (uint32_t q = 0; q < src->n; q++)
			set_v2(mg, &src->pairs[q], true);
	}
	for (uint32_t j = 0; v3 && j < cnt; j++) {
		const struct bh_node *src = v->type == BH_MAP ? v : v->items[j];
		for (uint32_t q = 0; q < src->n; q++)
			set_v3(mg, &src->pairs[q], true);
	}
}

/* The v2 pairs, each preceded by v3's pair where v3 reads that key differently. */
static size_t merge_output(struct bh_doc *doc, struct bh_arena *a, struct merged *mg, struct bh_pair *np)
{
	size_t n = 0;
	for (size_t i = 0; i < mg->n2; i++) {
		const struct bh_pair *p = &mg->v2[i];
		if (p->key->type == BH_SCALAR) {
			uint32_t s = *kidx_find(&mg->i3, mg->v3, p->key);
			if (s && mg->v3[s - 1].val != p->val && *kidx_find(&mg->i2, mg->v2, p->key) == i + 1) {
				np[n++] = mg->v3[s - 1];
				doc->has_dups = true;
				bh_doc_warn(doc, a, p->key->line, p->key->col,
					    "merge key gives \"%.*s\" another value than the key at line %u: the API server "
					    "(go-yaml v2) stores the value from line %u, go-yaml v3 tools (kustomize) the one "
					    "from line %u; both are evaluated",
					    (int)(p->key->len > 200 ? 200 : p->key->len), p->key->s, mg->v3[s - 1].key->line,
					    p->val->line, mg->v3[s - 1].val->line);
			}
		}
		np[n++] = *p;
	}
	return n;
}

/* Rebuilds map m's pairs with merge keys applied. Returns 0 or a negative errno with err set. */
static int apply_merges(struct bh_doc *doc, struct bh_arena *a, struct bh_node *m, struct bh_err *err)
{
	size_t total = 0;
	for (uint32_t i = 0; i < m->n; i++) {
		if (!is_merge_key(m->pairs[i].key))
			total++;
		else if (check_merge_value(m->pairs[i].val, &total, err) < 0)
			return err->code;
	}
	if (2 * total > UINT32_MAX)
		return bh_err_set(err, -E2BIG, m->line, m->col, "mapping too large after merge keys");
	struct merged mg = {0};
	mg.v2 = bh_arena_alloc(a, (total ? total : 1) * sizeof(struct bh_pair));
	mg.v3 = bh_arena_alloc(a, (total ? total : 1) * sizeof(struct bh_pair));
	struct bh_pair *np = bh_arena_alloc(a, (total ? 2 * total : 1) * sizeof(struct bh_pair));
	mg.merged2 = bh_arena_alloc(a, (total ? total : 1) * sizeof(bool));
	if (!mg.v2 || !mg.v3 || !np || !mg.merged2)
		return bh_err_set(err, -ENOMEM, m->line, m->col, "document too large (arena limit)");
	if (kidx_init(&mg.i2, total) || kidx_init(&mg.i3, total)) {
		free(mg.i2.slot);
		return bh_err_set(err, -ENOMEM, m->line, m->col, "out of memory");
	}
	for (uint32_t i = 0; i < m->n; i++) {
		if (is_merge_key(m->pairs[i].key))
			merge_one(&mg, m->pairs[i].val, true, false);
		else {
			set_v2(&mg, &m->pairs[i], false);
			set_v3(&mg, &m->pairs[i], false);
		}
	}
	for (uint32_t i = 0; i < m->n; i++) /* v3 merges after every explicit key */
		if (is_merge_key(m->pairs[i].key))
			merge_one(&mg, m->pairs[i].val, false, true);
	m->n = (uint32_t)merge_output(doc, a, &mg, np);
	m->pairs = np;
	m->flags |= BH_NF_MERGED;
	free(mg.i2.slot);
	free(mg.i3.slot);
	return 0;
}

/* ---- duplicate keys ---- */

/* Duplicate keys (exact or differing only by ASCII case): both are kept, the doc is flagged, a warning
 * names them. Hashed (seeded) for big maps so CRD schemas with thousands of properties stay linear. */
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

static void check_dups_small(struct bh_doc *doc, struct bh_arena *a, const struct bh_node *m)
{
	for (uint32_t i = 1; i < m->n; i++) {
		const struct bh_node *k = m->pairs[i].key;
		if (k->type != BH_SCALAR || is_merge_key(k))
			continue;
		for (uint32_t j = 0; j < i; j++) {
			const struct bh_node *p = m->pairs[j].key;
			if (p->type == BH_SCALAR && lc_equal(p, k)) {
				report_dup(doc, a, p, k);
				break;
			}
		}
	}
}

static int check_dups(struct bh_doc *doc, struct bh_arena *a, const struct bh_node *m)
{
	uint32_t n = m->n;
	if (n < 2)
		return 0;
	if (n <= 16) {
		check_dups_small(doc, a, m);
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
		if (k->type != BH_SCALAR || is_merge_key(k))
			continue;
		size_t h = (size_t)bh_keyhash(k->s, k->len, true) & (cap - 1);
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

/* ---- anchors and the value stack ---- */

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

/* line:col of byte offset off (columns in characters, as libyaml counts them) */
static void position(const struct bh_yaml_reader *r, size_t off, uint32_t *line, uint32_t *col)
{
	uint32_t l = r->line_base + 1, c = 1;
	for (size_t i = r->base; i < off; i++) {
		unsigned char ch = (unsigned char)r->buf[i];
		if (ch == '\n')
			l++, c = 1;
		else if ((ch & 0xC0) != 0x80)
			c++;
	}
	*line = l;
	*col = c;
}

static int yaml_error(struct bh_yaml_reader *r, struct bh_err *err)
{
	yaml_parser_t *p = &r->parser;
	if (r->stop == STOP_BAD && p->error == YAML_READER_ERROR) {
		uint32_t line, col;
		position(r, r->stop_at, &line, &col);
		return bh_err_set(err, -EINVAL, line, col, "%s (byte 0x%02x); the API server rejects the document",
				  r->stop_msg, r->stop_byte);
	}
	const char *what = p->problem ? p->problem : "syntax error";
	yaml_mark_t mk = p->problem_mark;
	if (p->context)
		return bh_err_set(err, -EINVAL, r->line_base + (uint32_t)mk.line + 1, (uint32_t)mk.column + 1, "%s %s",
				  p->context, what);
	return bh_err_set(err, -EINVAL, r->line_base + (uint32_t)mk.line + 1, (uint32_t)mk.column + 1, "%s", what);
}

/* After an error: continue at the next line starting with "---" past the error, or stop. */
static void resync(struct bh_yaml_reader *r, size_t err_off)
{
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
	restart_at(r, off);
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

/* ---- one event each; they return 0 or a negative errno with err set ---- */

struct ctx {
	struct bh_yaml_reader *r;
	struct bh_arena *a;
	struct bh_doc *doc;
	struct bh_err *err;
	const yaml_event_t *ev;
};

static int fail(struct ctx *x, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct ctx *x, int code, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bh_err_set(x->err, code, x->r->line_base + (uint32_t)x->ev->start_mark.line + 1,
			  (uint32_t)x->ev->start_mark.column + 1, "%s", msg);
}

static int push_val(struct ctx *x, struct bh_node *n)
{
	struct bh_yaml_reader *r = x->r;
	if (n->weight > r->lim->max_weight) {
		bh_err_set(x->err, -E2BIG, n->line, n->col,
			   "document expands to more than %llu nodes through aliases (alias bomb?)",
			   (unsigned long long)r->lim->max_weight);
		return -E2BIG;
	}
	if (grow((void **)&r->vals, &r->capvals, r->nvals + 1, sizeof(*r->vals)))
		return fail(x, -ENOMEM, "out of memory");
	r->vals[r->nvals++] = n;
	return 0;
}

static int on_scalar(struct ctx *x)
{
	const yaml_event_t *ev = x->ev;
	struct bh_node *n = new_node(x->a, BH_SCALAR, &ev->start_mark, x->r->line_base);
	if (!n)
		return fail(x, -ENOMEM, "out of memory");
	switch (ev->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = BH_STYLE_SQUOTE; break;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = BH_STYLE_DQUOTE; break;
	case YAML_LITERAL_SCALAR_STYLE: n->style = BH_STYLE_LITERAL; break;
	case YAML_FOLDED_SCALAR_STYLE: n->style = BH_STYLE_FOLDED; break;
	default: n->style = BH_STYLE_PLAIN; break;
	}
	if (ev->data.scalar.length > UINT32_MAX)
		return fail(x, -E2BIG, "scalar too long");
	n->s = bh_arena_strndup(x->a, (const char *)ev->data.scalar.value, ev->data.scalar.length);
	n->len = (uint32_t)ev->data.scalar.length;
	if (ev->data.scalar.tag)
		n->tag = short_tag(x->a, ev->data.scalar.tag);
	if (!n->s || (ev->data.scalar.tag && !n->tag) || set_anchor(x->r, x->a, ev->data.scalar.anchor, n))
		return fail(x, -ENOMEM, "out of memory");
	return push_val(x, n);
}

static int on_alias(struct ctx *x)
{
	struct bh_yaml_reader *r = x->r;
	const char *name = (const char *)x->ev->data.alias.anchor;
	struct anchor *an = find_anchor(r, name);
	if (!an)
		return fail(x, -EINVAL, "unknown anchor '%s'", name);
	/* an alias to a node still being built is a cycle: go-yaml rejects it too */
	for (size_t i = 0; i < r->nframes; i++)
		if (r->frames[i].node == an->node)
			return fail(x, -EINVAL, "alias '%s' refers to an enclosing node", name);
	an->node->flags |= BH_NF_ALIAS_TARGET;
	return push_val(x, an->node);
}

static int on_open(struct ctx *x, bool map)
{
	struct bh_yaml_reader *r = x->r;
	const yaml_event_t *ev = x->ev;
	if (r->nframes >= r->lim->max_depth) {
		return fail(x, -E2BIG, "nesting deeper than %u levels", r->lim->max_depth);
	}
	struct bh_node *c = new_node(x->a, map ? BH_MAP : BH_SEQ, &ev->start_mark, r->line_base);
	const unsigned char *tag = map ? ev->data.mapping_start.tag : ev->data.sequence_start.tag;
	const unsigned char *anchor = map ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor;
	if (!c || (tag && !(c->tag = short_tag(x->a, tag))) || set_anchor(r, x->a, anchor, c) ||
	    grow((void **)&r->frames, &r->capframes, r->nframes + 1, sizeof(*r->frames)))
		return fail(x, -ENOMEM, "out of memory");
	r->frames[r->nframes].node = c;
	r->frames[r->nframes].start = r->nvals;
	r->nframes++;
	return 0;
}

static int on_close(struct ctx *x)
{
	struct bh_yaml_reader *r = x->r;
	struct frame *f = &r->frames[--r->nframes];
	struct bh_node *c = f->node;
	size_t cnt = r->nvals - f->start;
	uint64_t w = 1;
	for (size_t i = f->start; i < r->nvals; i++)
		w = wadd(w, r->vals[i]->weight);
	c->weight = w;
	void *dst = bh_arena_alloc(x->a, (cnt ? cnt : 1) * sizeof(struct bh_node *));
	if (!dst)
		return fail(x, -ENOMEM, "out of memory");
	if (cnt) /* r->vals is NULL before the first value: `- []` */
		memcpy(dst, r->vals + f->start, cnt * sizeof(struct bh_node *));
	r->nvals = f->start;
	if (c->type == BH_MAP) {
		c->n = (uint32_t)(cnt / 2);
		c->pairs = dst;
		bool merge = false;
		for (uint32_t i = 0; i < c->n; i++)
			merge |= is_merge_key(c->pairs[i].key);
		/* duplicates among the keys as written; apply_merges reports where a merge changes a value */
		if (check_dups(x->doc, x->a, c))
			return fail(x, -ENOMEM, "out of memory");
		int rc;
		if (merge && (rc = apply_merges(x->doc, x->a, c, x->err)) < 0)
			return rc;
	} else {
		c->n = (uint32_t)cnt;
		c->items = dst;
	}
	return push_val(x, c);
}

/* 1: the document is complete */
static int on_event(struct ctx *x)
{
	struct bh_yaml_reader *r = x->r;
	const yaml_event_t *ev = x->ev;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		x->doc->line = r->line_base + (uint32_t)ev->start_mark.line + 1;
		x->doc->index = r->index++;
		return 0;
	case YAML_DOCUMENT_END_EVENT:
		x->doc->end = r->base + ev->end_mark.index;
		x->doc->root = r->nvals ? r->vals[0] : NULL;
		if (x->doc->root && x->doc->root->type == BH_SCALAR && bh_is_null(x->doc->root))
			x->doc->root = NULL; /* empty / comment-only document */
		return 1;
	case YAML_SCALAR_EVENT: return on_scalar(x);
	case YAML_ALIAS_EVENT: return on_alias(x);
	case YAML_SEQUENCE_START_EVENT: return on_open(x, false);
	case YAML_MAPPING_START_EVENT: return on_open(x, true);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT: return on_close(x);
	default: return 0;
	}
}

/* End of one parser's input: the end of the stream, or a stop of the read handler. 1: go on reading. */
static int at_stream_end(struct bh_yaml_reader *r)
{
	if (r->stop == STOP_BOM) {
		restart_at(r, r->stop_at);
		return !r->done;
	}
	r->done = true;
	return 0;
}

int bh_yaml_next(struct bh_yaml_reader *r, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err)
{
	memset(doc, 0, sizeof(*doc));
	doc->file = r->file;
	doc->warn_tail = &doc->warnings;
	err->file = r->file;
	r->nvals = r->nframes = r->nanchors = 0;
	size_t arena_start = a->used;
	struct ctx x = {r, a, doc, err, NULL};
	while (!r->done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&r->parser, &ev)) {
			int rc = yaml_error(r, err);
			resync(r, r->stop == STOP_BAD && r->parser.error == YAML_READER_ERROR ? r->stop_at - r->base
											       : r->parser.problem_mark.index);
			return rc;
		}
		if (ev.type == YAML_STREAM_END_EVENT) {
			yaml_event_delete(&ev);
			if (at_stream_end(r))
				continue;
			return 0;
		}
		x.ev = &ev;
		int rc = on_event(&x);
		if (rc == 0 && a->used - arena_start > r->lim->max_doc_bytes) {
			rc = fail(&x, -E2BIG, "document too large (more than %zu bytes of tree)", r->lim->max_doc_bytes);
		}
		size_t off = ev.start_mark.index;
		yaml_event_delete(&ev);
		if (rc == 1) {
			bh_doc_finish(doc, a);
			return 1;
		}
		if (rc < 0) {
			resync(r, off);
			return rc;
		}
	}
	return 0;
}
