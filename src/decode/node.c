/* Typed accessors: YAML 1.1 scalar resolution applied by the Go type of the field, as sigs.k8s.io/yaml
 * (go-yaml v2 resolve.go + encoding/json) does it. */
#include "node.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct bh_limits bh_default_limits = {
	.max_input = 256u << 20,      /* 256 MiB per input file */
	.max_doc_bytes = 512u << 20,  /* tree arena for one document */
	.max_depth = 512,             /* CRD schemas nest ~50 deep; go-yaml v3 stops at 10000 */
	.max_weight = 50u * 1000 * 1000, /* expanded nodes: billion-laughs ends here */
};

static void doc_append(struct bh_doc *doc, struct bh_diag *d)
{
	if (!doc->warn_tail)
		doc->warn_tail = &doc->warnings;
	*doc->warn_tail = d;
	doc->warn_tail = &d->next;
	doc->nwarnings++;
}

void bh_doc_warn(struct bh_doc *doc, struct bh_arena *a, uint32_t line, uint32_t col, const char *fmt, ...)
{
	if (doc->nwarnings >= BH_DOC_MAX_WARNINGS) {
		doc->warn_dropped++;
		return;
	}
	struct bh_diag *d = bh_arena_alloc(a, sizeof(*d));
	if (!d)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->line = line;
	d->col = col;
	d->msg = bh_arena_strndup(a, buf, strlen(buf));
	doc_append(doc, d);
}

void bh_doc_finish(struct bh_doc *doc, struct bh_arena *a)
{
	if (!doc->warn_dropped)
		return;
	struct bh_diag *d = bh_arena_alloc(a, sizeof(*d));
	if (!d)
		return;
	d->line = doc->line;
	d->col = 1;
	d->msg = bh_arena_printf(a, "%u more warnings in this document not shown (the first %u are)", doc->warn_dropped,
				 BH_DOC_MAX_WARNINGS);
	doc_append(doc, d);
	doc->warn_dropped = 0;
}

static bool text_is(const struct bh_node *n, const char *s)
{
	size_t l = strlen(s);
	return n->len == l && memcmp(n->s, s, l) == 0;
}

static bool tag_is(const struct bh_node *n, const char *t)
{
	return n->tag && strcmp(n->tag, t) == 0;
}

static bool yaml_null_text(const struct bh_node *n)
{
	return n->len == 0 || text_is(n, "~") || text_is(n, "null") || text_is(n, "Null") || text_is(n, "NULL");
}

bool bh_is_null(const struct bh_node *n)
{
	if (!n)
		return true;
	if (n->type != BH_SCALAR)
		return false;
	if (n->style == BH_STYLE_JSON_LITERAL)
		return text_is(n, "null");
	if (tag_is(n, "!!null"))
		return true;
	return !n->tag && n->style == BH_STYLE_PLAIN && yaml_null_text(n);
}

/* go-yaml v2 resolve table: the YAML 1.1 booleans */
static int yaml11_bool(const struct bh_node *n)
{
	static const char *const t[] = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"};
	static const char *const f[] = {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (text_is(n, t[i]))
			return 1;
		if (text_is(n, f[i]))
			return 0;
	}
	return -1;
}

enum bh_res bh_as_bool(const struct bh_node *n, bool *out)
{
	if (!n)
		return BH_ABSENT;
	if (bh_is_null(n))
		return BH_NULLV;
	if (n->type != BH_SCALAR)
		return BH_BAD;
	if (n->style == BH_STYLE_JSON_LITERAL) {
		*out = text_is(n, "true");
		return BH_OK;
	}
	if (n->style >= BH_STYLE_JSON_STRING)
		return BH_BAD;
	/* an explicit !!bool makes even a quoted scalar a bool; any other tag or quoting makes it a string */
	if (n->tag ? !tag_is(n, "!!bool") : n->style != BH_STYLE_PLAIN)
		return BH_BAD;
	int v = yaml11_bool(n);
	if (v < 0)
		return BH_BAD;
	*out = v;
	return BH_OK;
}

/* Go strconv.ParseInt(s, 0, 64) after go-yaml's removal of '_': sign, 0x/0o/0b prefixes, legacy 0 octal. */
static bool parse_go_int(const char *s, size_t len, int64_t *out)
{
	char buf[96];
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '_')
			continue;
		if (k + 1 >= sizeof(buf))
			return false;
		buf[k++] = s[i];
	}
	buf[k] = 0;
	const char *p = buf;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	int base = 10;
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		base = 16, p += 2;
	else if (p[0] == '0' && (p[1] == 'o' || p[1] == 'O'))
		base = 8, p += 2;
	else if (p[0] == '0' && (p[1] == 'b' || p[1] == 'B'))
		base = 2, p += 2;
	else if (p[0] == '0' && p[1])
		base = 8, p += 1;
	if (!*p)
		return false;
	uint64_t v = 0;
	for (; *p; p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else if (*p >= 'A' && *p <= 'F')
			d = *p - 'A' + 10;
		else
			return false;
		if (d >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > INT64_MAX)
			return false;
		*out = (int64_t)v;
	}
	return true;
}

/* A float with an integral value lands in an int field as that int (sigs.k8s.io/yaml formats floats
 * with 'g', so 0.0 becomes 0): the riskier reading, e.g. runAsUser: 0.0 is root. */
static bool parse_integral_float(const char *s, size_t len, int64_t *out)
{
	char buf[96];
	if (len == 0 || len >= sizeof(buf))
		return false;
	size_t k = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] != '_')
			buf[k++] = s[i];
	buf[k] = 0;
	/* go-yaml v2's float pattern: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? — it also
	 * catches "09", which ParseInt rejects as octal, as the float 9 */
	const char *q = buf;
	if (*q == '+' || *q == '-')
		q++;
	bool digits = false;
	while (*q >= '0' && *q <= '9')
		q++, digits = true;
	if (*q == '.') {
		q++;
		bool frac = false;
		while (*q >= '0' && *q <= '9')
			q++, frac = true;
		if (!digits && !frac)
			return false;
	} else if (!digits)
		return false;
	if (*q == 'e' || *q == 'E') {
		q++;
		if (*q == '+' || *q == '-')
			q++;
		if (!(*q >= '0' && *q <= '9'))
			return false;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	if (*q)
		return false;
	char *end;
	errno = 0;
	double d = strtod(buf, &end);
	if (*end || errno || d != d)
		return false;
	if (d < -9.2e18 || d > 9.2e18 || d != (double)(int64_t)d)
		return false;
	*out = (int64_t)d;
	return true;
}

enum bh_res bh_as_int(const struct bh_node *n, int64_t *out)
{
	if (!n)
		return BH_ABSENT;
	if (bh_is_null(n))
		return BH_NULLV;
	if (n->type != BH_SCALAR)
		return BH_BAD;
	if (n->style == BH_STYLE_JSON_NUMBER) {
		/* an integral float (0.0, 0e0) lands in an int field as that integer: measured against
		 * kube-apiserver v1.34.2, "runAsUser": 0.0 is stored as 0 (root) */
		if (strpbrk(n->s, ".eE"))
			return parse_integral_float(n->s, n->len, out) ? BH_OK : BH_BAD;
		return parse_go_int(n->s, n->len, out) ? BH_OK : BH_BAD;
	}
	if (n->style >= BH_STYLE_JSON_STRING)
		return BH_BAD;
	if (n->tag ? !(tag_is(n, "!!int") || tag_is(n, "!!float")) : n->style != BH_STYLE_PLAIN)
		return BH_BAD;
	if (parse_go_int(n->s, n->len, out) || parse_integral_float(n->s, n->len, out))
		return BH_OK;
	return BH_BAD;
}

enum bh_res bh_as_str(const struct bh_node *n, const char **s, size_t *len)
{
	if (!n)
		return BH_ABSENT;
	if (bh_is_null(n))
		return BH_NULLV;
	if (n->type != BH_SCALAR)
		return BH_BAD;
	if (n->style == BH_STYLE_JSON_NUMBER || n->style == BH_STYLE_JSON_LITERAL)
		return BH_BAD;
	/* type-directed: a YAML scalar that would resolve to a bool or int still lands in a string field
	 * with its text (sigs.k8s.io/yaml converts it back using the original value) */
	*s = n->s;
	if (len)
		*len = n->len;
	return BH_OK;
}

/* Go's encoding/json matches field names with Unicode simple case folding (bytes.EqualFold), under which
 * U+017F (long s) folds to 's' and U+212A (Kelvin sign) to 'k': a client decoding with it reads
 * "runAſUser" as runAsUser. name is ASCII. */
static bool fold_eq(const char *k, size_t kl, const char *name, size_t nl)
{
	size_t i = 0, j = 0;
	while (i < kl && j < nl) {
		unsigned char c = (unsigned char)k[i], d = (unsigned char)name[j];
		if (d >= 'A' && d <= 'Z')
			d += 32;
		if (c == 0xC5 && i + 1 < kl && (unsigned char)k[i + 1] == 0xBF) {
			if (d != 's')
				return false;
			i += 2;
		} else if (c == 0xE2 && i + 2 < kl && (unsigned char)k[i + 1] == 0x84 && (unsigned char)k[i + 2] == 0xAA) {
			if (d != 'k')
				return false;
			i += 3;
		} else {
			if (c >= 'A' && c <= 'Z')
				c += 32;
			if (c != d)
				return false;
			i++;
		}
		j++;
	}
	return i == kl && j == nl;
}

static bool has_high(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

bool bh_key_is(const struct bh_node *key, const char *name, bool *casevar)
{
	if (!key || key->type != BH_SCALAR)
		return false;
	size_t l = strlen(name);
	if (key->len != l) {
		if (key->len > l && key->len <= 3 * l && has_high(key->s, key->len) && fold_eq(key->s, key->len, name, l)) {
			if (casevar)
				*casevar = true;
			return true;
		}
		return false;
	}
	if (memcmp(key->s, name, l) == 0) {
		if (casevar)
			*casevar = false;
		return true;
	}
	if (strncasecmp(key->s, name, l) == 0 && !memchr(key->s, 0, l)) {
		if (casevar)
			*casevar = true;
		return true;
	}
	return false;
}

const struct bh_node *bh_map_get(const struct bh_node *map, const char *name, enum bh_reading reading,
				 bool *casevar, const struct bh_node **keynode)
{
	if (!map || map->type != BH_MAP)
		return NULL;
	const struct bh_pair *hit = NULL;
	bool cv = false, hitcv = false;
	size_t l = strlen(name);
	for (uint32_t i = 0; i < map->n; i++) {
		const struct bh_node *k = map->pairs[i].key;
		/* cheap length test first: this runs for every field of every object (longer keys can still
		 * match through a multi-byte folding character) */
		if (k->type != BH_SCALAR || k->len < l || (k->len != l && k->len > 3 * l))
			continue;
		if (bh_key_is(k, name, &cv)) {
			hit = &map->pairs[i];
			hitcv = cv;
			if (reading == BH_READ_FIRST)
				break;
		}
	}
	if (!hit)
		return NULL;
	if (casevar)
		*casevar = hitcv;
	if (keynode)
		*keynode = hit->key;
	return hit->val;
}

const char *bh_node_text(const struct bh_node *n, char *buf, size_t size)
{
	if (!n) {
		snprintf(buf, size, "(absent)");
		return buf;
	}
	if (n->type == BH_MAP) {
		snprintf(buf, size, "(mapping)");
		return buf;
	}
	if (n->type == BH_SEQ) {
		snprintf(buf, size, "(sequence)");
		return buf;
	}
	size_t k = 0;
	for (uint32_t i = 0; i < n->len && k + 5 < size; i++) {
		unsigned char c = (unsigned char)n->s[i];
		if (c < 0x20 || c == 0x7f) {
			if (k + 6 >= size)
				break;
			k += (size_t)snprintf(buf + k, size - k, "\\x%02x", c);
		} else
			buf[k++] = (char)c;
	}
	if (k + 4 < size && k < n->len && n->len > size - 5) {
		memcpy(buf + k, "...", 3);
		k += 3;
	}
	buf[k] = 0;
	return buf;
}
