/* Strict RFC 8259 JSON decoder producing the same tree as the YAML decoder.
 *
 * Iterative: containers live on an explicit frame stack bounded by lim->max_depth, and finished children
 * wait on one shared value stack until their container closes (then they are copied into the arena).
 * Both stacks are malloc'ed per document and freed before returning. Hostile input ends in an error:
 * depth is capped, every tree byte comes from the capped arena, and the value stack holds at most one
 * pointer per arena node. */
#include "json.h"
#include "keyhash.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- string scanning tables ---- */

enum { C_PLAIN = 0, C_QUOTE, C_BSLASH, C_CTRL, C_HIGH };

#define R16(x) x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x
static const uint8_t str_class[256] = {
	R16(C_CTRL), R16(C_CTRL),
	/* 0x20 */ 0, 0, C_QUOTE, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	R16(0), R16(0),
	/* 0x50 */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, C_BSLASH, 0, 0, 0,
	R16(0), R16(0),
	R16(C_HIGH), R16(C_HIGH), R16(C_HIGH), R16(C_HIGH),
	R16(C_HIGH), R16(C_HIGH), R16(C_HIGH), R16(C_HIGH),
};
#undef R16

#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

/* Nonzero when one of the 8 bytes is '"', '\\', a control character or >= 0x80. Borrows only create
 * false positives above a true hit, so "none" is exact; the byte loop then finds the first hit. */
static inline uint64_t special8(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');
	return (((x - ONES * 0x20) & ~x) | ((q - ONES) & ~q) | ((b - ONES) & ~b) | x) & HIGHS;
}

/* Length of the well-formed UTF-8 sequence at q (RFC 3629: no overlongs, no surrogates, <= U+10FFFF),
 * or 0. */
static inline size_t utf8_len(const unsigned char *q, const unsigned char *end)
{
	unsigned c = q[0];
	size_t avail = (size_t)(end - q);
	if (c >= 0xC2 && c <= 0xDF)
		return avail >= 2 && (q[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
		return avail >= 3 && q[1] >= lo && q[1] <= hi && (q[2] & 0xC0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
		return avail >= 4 && q[1] >= lo && q[1] <= hi && (q[2] & 0xC0) == 0x80 && (q[3] & 0xC0) == 0x80
			       ? 4
			       : 0;
	}
	return 0;
}

static inline int hexval(unsigned c)
{
	if (c - '0' < 10)
		return (int)(c - '0');
	c |= 0x20;
	if (c - 'a' < 6)
		return (int)(c - 'a' + 10);
	return -1;
}

/* Four hex digits at q (caller checked 4 bytes are there), or -1. */
static inline long hex4(const unsigned char *q)
{
	int a = hexval(q[0]), b = hexval(q[1]), c = hexval(q[2]), d = hexval(q[3]);
	if ((a | b | c | d) < 0)
		return -1;
	return (long)a << 12 | b << 8 | c << 4 | d;
}

static inline bool is_digit(unsigned c)
{
	return c - '0' < 10;
}

static inline bool is_word(unsigned c)
{
	return is_digit(c) || ((c | 0x20) - 'a' < 26) || c == '_';
}

/* ---- parser state ---- */

struct frame {
	struct bh_node *node;
	size_t base; /* first child on the value stack */
};

struct jp {
	const unsigned char *p, *end;
	const unsigned char *ls; /* first byte of the current line */
	uint32_t line;
	const char *file;
	const struct bh_limits *lim;
	struct bh_arena *a;
	struct bh_doc *doc;
	struct bh_err *err;
	struct bh_node **vals; /* finished values (maps: key, value, key, value...) awaiting their container */
	size_t nvals, capvals;
	struct frame *frames;
	size_t nframes, capframes;
};

static inline uint32_t col_of(const struct jp *j, const unsigned char *at)
{
	size_t c = (size_t)(at - j->ls) + 1;
	return c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
}

static int fail_at(struct jp *j, int code, const unsigned char *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail_at(struct jp *j, int code, const unsigned char *at, const char *fmt, ...)
{
	char msg[sizeof(j->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return bh_err_set(j->err, code, j->line, col_of(j, at), "%s", msg);
}

/* Describes the byte at p for a message: 'x', byte 0xNN, or end of input. */
static const char *what(const struct jp *j, const unsigned char *p, char buf[16])
{
	if (p >= j->end)
		return "end of input";
	if (*p >= 0x21 && *p < 0x7f)
		snprintf(buf, 16, "'%c'", *p);
	else
		snprintf(buf, 16, "byte 0x%02x", *p);
	return buf;
}

static int fail_alloc(struct jp *j, const unsigned char *at)
{
	if (j->a->cap)
		return fail_at(j, -E2BIG, at, "document too large (limit %zu bytes)", j->a->cap);
	return fail_at(j, -ENOMEM, at, "out of memory");
}

static inline void skip_ws(struct jp *j)
{
	const unsigned char *p = j->p, *end = j->end;
	while (p < end) {
		unsigned c = *p;
		if (c == ' ' || c == '\t' || c == '\r') {
			p++;
		} else if (c == '\n') {
			p++;
			j->line++;
			j->ls = p;
		} else {
			break;
		}
	}
	j->p = p;
}

static inline uint64_t wadd(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* Node with `extra` bytes of text storage right after it (one arena allocation per scalar). */
static struct bh_node *new_node(struct jp *j, const unsigned char *at, uint8_t type, size_t extra)
{
	struct bh_node *n = bh_arena_alloc(j->a, sizeof(*n) + extra);
	if (!n) {
		fail_alloc(j, at);
		return NULL;
	}
	n->type = type;
	n->line = j->line;
	n->col = col_of(j, at);
	n->weight = 1;
	return n;
}

static int grow_vals(struct jp *j)
{
	size_t cap = j->capvals ? j->capvals * 2 : 256;
	struct bh_node **v = realloc(j->vals, cap * sizeof(*v));
	if (!v)
		return fail_at(j, -ENOMEM, j->p, "out of memory");
	j->vals = v;
	j->capvals = cap;
	return 0;
}

static inline int push_val(struct jp *j, struct bh_node *n)
{
	if (j->nvals == j->capvals && grow_vals(j) < 0)
		return j->err->code;
	j->vals[j->nvals++] = n;
	return 0;
}

/* ---- strings ---- */

static size_t put_utf8(char *d, unsigned long cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xC0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xE0 | cp >> 12);
		d[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		d[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	d[0] = (char)(0xF0 | cp >> 18);
	d[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	d[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	d[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Decodes the body [q, e) whose escapes were validated by parse_string. Output is never longer. */
static size_t unescape(char *dst, const unsigned char *q, const unsigned char *e)
{
	char *d = dst;
	while (q < e) {
		const unsigned char *b = memchr(q, '\\', (size_t)(e - q));
		if (!b)
			b = e;
		memcpy(d, q, (size_t)(b - q));
		d += b - q;
		if (b == e)
			break;
		q = b + 2;
		switch (b[1]) {
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u': {
			unsigned long cp = (unsigned long)hex4(q);
			q += 4;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				unsigned long lo = (unsigned long)hex4(q + 2);
				q += 6;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			}
			d += put_utf8(d, cp);
			break;
		}
		default: *d++ = (char)b[1]; break; /* '"', '\\', '/' */
		}
	}
	return (size_t)(d - dst);
}

/* The escape at q (a backslash): its length in the input, or 0 with the error set. */
static size_t escape_len(struct jp *j, const unsigned char *q, const unsigned char *start)
{
	const unsigned char *end = j->end;
	if (end - q < 2) {
		fail_at(j, -EINVAL, start, "unterminated string: expected '\"' before end of input");
		return 0;
	}
	switch (q[1]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		return 2;
	case 'u':
		break;
	default: {
		char b[16];
		fail_at(j, -EINVAL, q, "invalid escape '\\' followed by %s; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX",
			what(j, q + 1, b));
		return 0;
	}
	}
	long cp = end - q >= 6 ? hex4(q + 2) : -1;
	if (cp < 0) {
		fail_at(j, -EINVAL, q, "invalid \\u escape: expected 4 hex digits");
		return 0;
	}
	if (cp >= 0xDC00 && cp <= 0xDFFF) {
		fail_at(j, -EINVAL, q, "invalid \\u%04lX escape: low surrogate without a high surrogate", cp);
		return 0;
	}
	if (cp < 0xD800 || cp > 0xDBFF)
		return 6;
	long lo = end - q >= 12 && q[6] == '\\' && q[7] == 'u' ? hex4(q + 8) : -1;
	if (lo < 0xDC00 || lo > 0xDFFF) {
		fail_at(j, -EINVAL, q, "invalid \\u%04lX escape: high surrogate not followed by a \\uDC00-\\uDFFF low surrogate",
			cp);
		return 0;
	}
	return 12;
}

/* j->p is at the opening quote. Validates escapes and UTF-8, then copies (or decodes) into the arena. */
static struct bh_node *parse_string(struct jp *j)
{
	const unsigned char *start = j->p, *q = start + 1, *end = j->end;
	bool esc = false;
	for (;;) {
		while (end - q >= 8) {
			uint64_t x;
			memcpy(&x, q, 8);
			if (special8(x))
				break;
			q += 8;
		}
		while (q < end && !str_class[*q])
			q++;
		if (q >= end) {
			fail_at(j, -EINVAL, start, "unterminated string: expected '\"' before end of input");
			return NULL;
		}
		size_t n;
		switch (str_class[*q]) {
		case C_QUOTE:
			goto closed;
		case C_CTRL:
			fail_at(j, -EINVAL, q, "control character 0x%02x in string must be escaped", *q);
			return NULL;
		case C_HIGH:
			if (!(n = utf8_len(q, end))) {
				fail_at(j, -EINVAL, q, "invalid UTF-8 byte 0x%02x in string", *q);
				return NULL;
			}
			q += n;
			break;
		default: /* C_BSLASH */
			esc = true;
			if (!(n = escape_len(j, q, start)))
				return NULL;
			q += n;
			break;
		}
	}
closed:;
	size_t raw = (size_t)(q - start - 1);
	if (raw >= UINT32_MAX) {
		fail_at(j, -E2BIG, start, "string longer than %u bytes", UINT32_MAX - 1);
		return NULL;
	}
	struct bh_node *n = new_node(j, start, BH_SCALAR, raw + 1);
	if (!n)
		return NULL;
	char *s = (char *)(n + 1);
	size_t len = raw;
	if (esc)
		len = unescape(s, start + 1, q);
	else
		memcpy(s, start + 1, raw);
	s[len] = 0;
	n->style = BH_STYLE_JSON_STRING;
	n->s = s;
	n->len = (uint32_t)len;
	j->p = q + 1;
	return n;
}

/* ---- numbers and literals ---- */

/* RFC 8259 §6: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, kept as text. */
static struct bh_node *parse_number(struct jp *j)
{
	const unsigned char *s = j->p, *q = s, *end = j->end;
	if (*q == '-')
		q++;
	if (q >= end || !is_digit(*q)) {
		char b[16];
		fail_at(j, -EINVAL, q, "invalid number: expected a digit after '-', found %s", what(j, q, b));
		return NULL;
	}
	if (*q == '0') {
		q++;
		if (q < end && is_digit(*q)) {
			fail_at(j, -EINVAL, s, "invalid number: leading zeros are not allowed");
			return NULL;
		}
	} else {
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && *q == '.') {
		q++;
		if (q >= end || !is_digit(*q)) {
			char b[16];
			fail_at(j, -EINVAL, q, "invalid number: expected a digit after '.', found %s", what(j, q, b));
			return NULL;
		}
		while (q < end && is_digit(*q))
			q++;
	}
	if (q < end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < end && (*q == '+' || *q == '-'))
			q++;
		if (q >= end || !is_digit(*q)) {
			char b[16];
			fail_at(j, -EINVAL, q, "invalid number: expected a digit in the exponent, found %s",
				what(j, q, b));
			return NULL;
		}
		while (q < end && is_digit(*q))
			q++;
	}
	size_t len = (size_t)(q - s);
	if (len >= UINT32_MAX) {
		fail_at(j, -E2BIG, s, "number longer than %u bytes", UINT32_MAX - 1);
		return NULL;
	}
	struct bh_node *n = new_node(j, s, BH_SCALAR, len + 1);
	if (!n)
		return NULL;
	char *t = (char *)(n + 1);
	memcpy(t, s, len);
	t[len] = 0;
	n->style = BH_STYLE_JSON_NUMBER;
	n->s = t;
	n->len = (uint32_t)len;
	j->p = q;
	return n;
}

/* Any other byte where a value should start. */
static void bad_value(struct jp *j, bool after_value)
{
	const unsigned char *p = j->p, *end = j->end;
	char b[16];
	if (p < end && is_word(*p)) {
		const unsigned char *q = p;
		while (q < end && is_word(*q) && q - p < 40)
			q++;
		fail_at(j, -EINVAL, p, "invalid literal \"%.*s\"; expected a JSON value (strings need double quotes; literals are true, false, null)",
			(int)(q - p), (const char *)p);
	} else if (after_value) {
		fail_at(j, -EINVAL, p, "unexpected %s after a complete JSON value; expected end of input or another value",
			what(j, p, b));
	} else if (p < end && *p == '+') {
		fail_at(j, -EINVAL, p, "invalid number: a leading '+' is not allowed");
	} else if (p < end && *p == '.') {
		fail_at(j, -EINVAL, p, "invalid number: expected a digit before '.'");
	} else if (p < end && *p == '\'') {
		fail_at(j, -EINVAL, p, "expected a JSON value, found \"'\" (strings need double quotes)");
	} else if (p < end && *p == ']' && j->nframes && j->frames[j->nframes - 1].node->type == BH_SEQ) {
		fail_at(j, -EINVAL, p, "expected a value after ',', found ']' (trailing commas are not allowed)");
	} else {
		fail_at(j, -EINVAL, p, "expected a JSON value, found %s", what(j, p, b));
	}
}

static struct bh_node *parse_literal(struct jp *j)
{
	static const char *const lit[] = {"true", "false", "null"};
	const unsigned char *p = j->p;
	size_t avail = (size_t)(j->end - p);
	const char *l = *p == 't' ? lit[0] : *p == 'f' ? lit[1] : lit[2];
	size_t len = strlen(l);
	/* "trueish" is one bad word, not true followed by garbage */
	if (avail < len || memcmp(p, l, len) != 0 || (avail > len && is_word(p[len]))) {
		bad_value(j, false);
		return NULL;
	}
	struct bh_node *n = new_node(j, p, BH_SCALAR, 0);
	if (!n)
		return NULL;
	n->style = BH_STYLE_JSON_LITERAL;
	n->s = l; /* static: lives longer than any arena */
	n->len = (uint32_t)len;
	j->p = p + len;
	return n;
}

/* ---- duplicate keys ---- */

static inline unsigned fold(unsigned c)
{
	return c - 'A' < 26 ? c + 32 : c;
}

static bool fold_eq(const struct bh_node *a, const struct bh_node *b)
{
	if (a->len != b->len)
		return false;
	for (uint32_t i = 0; i < a->len; i++)
		if (fold((unsigned char)a->s[i]) != fold((unsigned char)b->s[i]))
			return false;
	return true;
}

static inline bool exact_eq(const struct bh_node *a, const struct bh_node *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* Reports key k against the first earlier key equal to it (exact) or, failing that, equal but for
 * ASCII case. Both readings reach the rules, so the caller's findings cover whichever the API server
 * (or a case-insensitive client decoder) picks. */
static void warn_dup(struct jp *j, const struct bh_node *k, const struct bh_node *exact,
		     const struct bh_node *casev)
{
	char kb[80], cb[80];
	if (exact) {
		bh_doc_warn(j->doc, j->a, k->line, k->col,
			    "duplicate key \"%s\" (first at line %u); both values are evaluated",
			    bh_node_text(k, kb, sizeof(kb)), exact->line);
	} else if (casev) {
		bh_doc_warn(j->doc, j->a, k->line, k->col,
			    "key \"%s\" differs only by case from \"%s\" (line %u); both are evaluated",
			    bh_node_text(k, kb, sizeof(kb)), bh_node_text(casev, cb, sizeof(cb)), casev->line);
	} else {
		return;
	}
	j->doc->has_dups = true;
}

#define DUP_LINEAR_MAX 16

static inline uint64_t mix(uint64_t h)
{
	h ^= h >> 31;
	h *= 0x7fb5d329728ea185ull;
	h ^= h >> 27;
	h *= 0x81dadef4bc2dd44dull;
	return h ^ (h >> 33);
}

/* Looks k up in tab (indices + 1 into keys, 0 = empty) with eq; inserts it when absent. */
static const struct bh_node *probe(uint32_t *tab, size_t mask, uint64_t h, struct bh_node **kv, uint32_t i,
				   bool (*eq)(const struct bh_node *, const struct bh_node *))
{
	for (size_t s = (size_t)h & mask;; s = (s + 1) & mask) {
		if (!tab[s]) {
			tab[s] = i + 1;
			return NULL;
		}
		const struct bh_node *o = kv[2 * (size_t)(tab[s] - 1)];
		if (eq(o, kv[2 * (size_t)i]))
			return o;
	}
}

static bool exact_eq_fn(const struct bh_node *a, const struct bh_node *b)
{
	return exact_eq(a, b);
}

/* kv: n (key, value) pairs. Linear for small maps; two hash tables (exact, case-folded) otherwise, each
 * holding the first key of its class, so a flood of case variants stays linear. */
static int check_dups(struct jp *j, struct bh_node **kv, size_t n, const unsigned char *at)
{
	if (n <= DUP_LINEAR_MAX) {
		for (size_t i = 1; i < n; i++) {
			const struct bh_node *k = kv[2 * i], *exact = NULL, *casev = NULL;
			for (size_t m = 0; m < i; m++) {
				const struct bh_node *o = kv[2 * m];
				if (o->len != k->len)
					continue;
				if (exact_eq(o, k)) {
					exact = o;
					break;
				}
				if (!casev && fold_eq(o, k))
					casev = o;
			}
			warn_dup(j, k, exact, casev);
		}
		return 0;
	}
	size_t cap = 64;
	while (cap < 2 * n)
		cap *= 2;
	uint32_t *tab = calloc(2 * cap, sizeof(*tab));
	if (!tab)
		return fail_at(j, -ENOMEM, at, "out of memory");
	/* keyed SipHash (keyhash.c): crafted colliding keys cannot be prepared (an address-seeded FNV could
	 * be probed) */
	for (size_t i = 0; i < n; i++) {
		const struct bh_node *k = kv[2 * i];
		uint64_t he = bh_keyhash(k->s, k->len, false), hf = bh_keyhash(k->s, k->len, true);
		const struct bh_node *exact = probe(tab, cap - 1, he, kv, (uint32_t)i, exact_eq_fn);
		const struct bh_node *casev = NULL;
		if (!exact)
			casev = probe(tab + cap, cap - 1, hf, kv, (uint32_t)i, fold_eq);
		warn_dup(j, k, exact, casev);
	}
	free(tab);
	return 0;
}

/* ---- duplicate keys whose values are objects ----
 * Two worlds store different things. kubectl decodes into unstructured maps, where a repeated key keeps
 * its last value (the last-wins reading). The API server's typed decoder (sigs.k8s.io/json, as Go's
 * encoding/json) decodes a repeated key into the value the first one already filled: for objects a merge,
 * member by member ({"spec": {"template": A}, "spec": {"replicas": 1}} keeps template A) — what a client
 * that sends the raw JSON gets stored. The first occurrence of such a key carries the merged object, so
 * the first reading is the server's merge and the last reading kubectl's. (A first-wins parser is the
 * one reading not evaluated for JSON objects; for YAML both ends are.) */

#define MERGE_MAX_PAIRS 100000 /* bigger merged objects keep plain last-wins (and the warning) */

/* index of the last pair of m whose key equals k, or -1 */
static long last_index(const struct bh_node *m, const struct bh_node *k)
{
	for (uint32_t i = m->n; i-- > 0;)
		if (exact_eq(m->pairs[i].key, k))
			return (long)i;
	return -1;
}

static struct bh_node *deep_merge(struct jp *j, const struct bh_node *a, const struct bh_node *b, int depth)
{
	if (a->type != BH_MAP || b->type != BH_MAP || depth > 64 || (size_t)a->n + b->n > MERGE_MAX_PAIRS ||
	    (size_t)a->n * b->n > 4u * MERGE_MAX_PAIRS)
		return (struct bh_node *)b;
	struct bh_node *m = bh_arena_alloc(j->a, sizeof(*m));
	struct bh_pair *p = bh_arena_alloc(j->a, ((size_t)a->n + b->n + 1) * sizeof(*p));
	if (!m || !p)
		return (struct bh_node *)b;
	*m = *b;
	m->pairs = p;
	m->n = 0;
	for (uint32_t i = 0; i < a->n; i++) /* a's members, each overridden (or merged) by b's */
		if (last_index(a, a->pairs[i].key) == (long)i) {
			long bi = last_index(b, a->pairs[i].key);
			p[m->n] = a->pairs[i];
			if (bi >= 0)
				p[m->n].val = deep_merge(j, a->pairs[i].val, b->pairs[bi].val, depth + 1);
			m->n++;
		}
	for (uint32_t i = 0; i < b->n; i++)
		if (last_index(a, b->pairs[i].key) < 0)
			p[m->n++] = b->pairs[i];
	m->weight = wadd(a->weight, b->weight);
	return m;
}

static void merge_dups(struct jp *j, struct bh_node *c)
{
	for (uint32_t i = 1; i < c->n; i++) {
		struct bh_pair *pi = &c->pairs[i];
		if (pi->val->type != BH_MAP)
			continue;
		for (uint32_t k = 0; k < i; k++)
			if (exact_eq(c->pairs[k].key, pi->key)) {
				if (c->pairs[k].val->type == BH_MAP)
					c->pairs[k].val = deep_merge(j, c->pairs[k].val, pi->val, 0);
				break;
			}
	}
}

/* ---- containers ---- */

static int open_container(struct jp *j, uint8_t type)
{
	if (j->nframes >= j->lim->max_depth)
		return fail_at(j, -E2BIG, j->p, "nesting deeper than %u levels", j->lim->max_depth);
	struct bh_node *n = new_node(j, j->p, type, 0);
	if (!n)
		return j->err->code;
	if (j->nframes == j->capframes) {
		size_t cap = j->capframes ? j->capframes * 2 : 32;
		struct frame *f = realloc(j->frames, cap * sizeof(*f));
		if (!f)
			return fail_at(j, -ENOMEM, j->p, "out of memory");
		j->frames = f;
		j->capframes = cap;
	}
	j->frames[j->nframes].node = n;
	j->frames[j->nframes].base = j->nvals;
	j->nframes++;
	j->p++;
	return 0;
}

/* j->p is at the closing bracket. Moves the children into the arena and pops the frame. */
static struct bh_node *close_container(struct jp *j)
{
	struct frame *f = &j->frames[j->nframes - 1];
	struct bh_node *c = f->node, **v = j->vals ? j->vals + f->base : NULL; /* NULL before the first value: `[]` */
	size_t cnt = j->nvals - f->base;
	uint64_t w = 1;
	for (size_t i = 0; i < cnt; i++)
		w = wadd(w, v[i]->weight);
	c->weight = w;
	if (c->type == BH_MAP) {
		size_t np = cnt / 2;
		if (np > UINT32_MAX) {
			fail_at(j, -E2BIG, j->p, "object has more than %u members", UINT32_MAX);
			return NULL;
		}
		if (np) {
			c->pairs = bh_arena_alloc(j->a, np * sizeof(struct bh_pair));
			if (!c->pairs) {
				fail_alloc(j, j->p);
				return NULL;
			}
			for (size_t i = 0; i < np; i++) {
				c->pairs[i].key = v[2 * i];
				c->pairs[i].val = v[2 * i + 1];
			}
			bool dups = j->doc->has_dups;
			j->doc->has_dups = false;
			if (np > 1 && check_dups(j, v, np, j->p) < 0)
				return NULL;
			if (j->doc->has_dups) {
				c->n = (uint32_t)np;
				merge_dups(j, c);
			}
			j->doc->has_dups |= dups;
		}
		c->n = (uint32_t)np;
	} else {
		if (cnt > UINT32_MAX) {
			fail_at(j, -E2BIG, j->p, "array has more than %u elements", UINT32_MAX);
			return NULL;
		}
		if (cnt) {
			c->items = bh_arena_alloc(j->a, cnt * sizeof(*c->items));
			if (!c->items) {
				fail_alloc(j, j->p);
				return NULL;
			}
			memcpy(c->items, v, cnt * sizeof(*v));
		}
		c->n = (uint32_t)cnt;
	}
	j->nvals = f->base;
	j->nframes--;
	j->p++;
	return c;
}

/* At an object key (after '{' or ','): parses "key" ':' and leaves j->p at the value. */
static int parse_key(struct jp *j)
{
	if (j->p >= j->end || *j->p != '"') {
		char b[16];
		if (j->p < j->end && *j->p == '}')
			return fail_at(j, -EINVAL, j->p,
				       "expected '\"' to start an object key, found '}' (trailing commas are not allowed)");
		return fail_at(j, -EINVAL, j->p, "expected '\"' to start an object key, found %s", what(j, j->p, b));
	}
	struct bh_node *k = parse_string(j);
	if (!k || push_val(j, k) < 0)
		return j->err->code;
	skip_ws(j);
	if (j->p >= j->end || *j->p != ':') {
		char b[16];
		return fail_at(j, -EINVAL, j->p, "expected ':' after object key, found %s", what(j, j->p, b));
	}
	j->p++;
	return 0;
}

/* Parses one complete value at j->p (white space already skipped). */
static int parse_value(struct jp *j, struct bh_node **out)
{
	struct bh_node *v;
	int rc;
value:
	skip_ws(j);
	if (j->p >= j->end) {
		bad_value(j, false);
		return j->err->code;
	}
	switch (*j->p) {
	case '{':
		if ((rc = open_container(j, BH_MAP)) < 0)
			return rc;
		skip_ws(j);
		if (j->p < j->end && *j->p == '}') {
			if (!(v = close_container(j)))
				return j->err->code;
			break;
		}
		if ((rc = parse_key(j)) < 0)
			return rc;
		goto value;
	case '[':
		if ((rc = open_container(j, BH_SEQ)) < 0)
			return rc;
		skip_ws(j);
		if (j->p < j->end && *j->p == ']') {
			if (!(v = close_container(j)))
				return j->err->code;
			break;
		}
		goto value;
	case '"':
		v = parse_string(j);
		break;
	case '-': case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		v = parse_number(j);
		break;
	case 't': case 'f': case 'n':
		v = parse_literal(j);
		break;
	default:
		bad_value(j, false);
		return j->err->code;
	}
have_value:
	if (!v)
		return j->err->code;
	if (!j->nframes) {
		*out = v;
		return 0;
	}
	if ((rc = push_val(j, v)) < 0)
		return rc;
	skip_ws(j);
	{
		const struct frame *f = &j->frames[j->nframes - 1];
		char b[16];
		unsigned c = j->p < j->end ? *j->p : 0;
		if (f->node->type == BH_MAP) {
			if (c == ',') {
				j->p++;
				skip_ws(j);
				if ((rc = parse_key(j)) < 0)
					return rc;
				goto value;
			}
			if (c == '}') {
				v = close_container(j);
				goto have_value;
			}
			return fail_at(j, -EINVAL, j->p, "expected ',' or '}' after object member, found %s",
				       what(j, j->p, b));
		}
		if (c == ',') {
			j->p++;
			goto value;
		}
		if (c == ']') {
			v = close_container(j);
			goto have_value;
		}
		return fail_at(j, -EINVAL, j->p, "expected ',' or ']' after array element, found %s",
			       what(j, j->p, b));
	}
}

/* ---- public ---- */

static bool starts_value(unsigned c)
{
	return c == '{' || c == '[' || c == '"' || c == '-' || is_digit(c) || c == 't' || c == 'f' || c == 'n';
}

void bh_json_init(struct bh_json_reader *r, const char *file, const char *buf, size_t len,
		  const struct bh_limits *lim)
{
	memset(r, 0, sizeof(*r));
	r->file = file;
	r->buf = buf;
	r->len = len;
	r->line = 1;
	r->lim = lim ? lim : &bh_default_limits;
	/* a UTF-8 byte order mark is not part of the text; columns start after it, as editors show them */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->pos = r->line_start = 3;
}

int bh_json_next(struct bh_json_reader *r, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err)
{
	struct jp j = {
		.p = (const unsigned char *)r->buf + r->pos,
		.end = (const unsigned char *)r->buf + r->len,
		.ls = (const unsigned char *)r->buf + r->line_start,
		.line = r->line,
		.file = r->file,
		.lim = r->lim,
		.a = a,
		.doc = doc,
		.err = err,
	};
	struct bh_err scratch;
	int rc;
	if (!err)
		j.err = err = &scratch;
	if (r->pos >= r->len)
		return 0;
	if (r->index == 0 && r->lim->max_input && r->len > r->lim->max_input) {
		rc = fail_at(&j, -E2BIG, j.p, "input too large (limit %zu bytes)", r->lim->max_input);
		goto fail;
	}
	skip_ws(&j);
	if (j.p >= j.end) {
		r->pos = r->len;
		return 0;
	}
	memset(doc, 0, sizeof(*doc));
	doc->warn_tail = &doc->warnings;
	doc->file = r->file;
	doc->json = true;
	doc->index = r->index;
	doc->line = j.line;
	if (r->index > 0 && !starts_value(*j.p)) {
		/* the previous value was complete: what follows it is not another value */
		bad_value(&j, !is_word(*j.p));
		rc = err->code;
		goto fail;
	}
	struct bh_node *root = NULL;
	rc = parse_value(&j, &root);
	free(j.vals);
	free(j.frames);
	if (rc < 0)
		goto fail;
	doc->root = root;
	bh_doc_finish(doc, a);
	r->index++;
	r->pos = (size_t)(j.p - (const unsigned char *)r->buf);
	doc->end = r->pos;
	r->line = j.line;
	r->line_start = (size_t)(j.ls - (const unsigned char *)r->buf);
	return 1;
fail:
	if (err) {
		err->file = r->file;
		if (!err->code)
			err->code = rc;
	}
	r->pos = r->len; /* no resynchronisation point in JSON */
	return rc < 0 ? rc : -EINVAL;
}
