/* Unit tests for the strict JSON decoder (src/decode/json.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode/json.h"

struct ctx {
	struct bh_json_reader r;
	struct bh_arena a;
	struct bh_doc doc;
	struct bh_err err;
	struct bh_limits lim;
};

static void start_n(struct ctx *c, const char *buf, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->lim = bh_default_limits;
	bh_arena_init(&c->a, 0);
	bh_json_init(&c->r, "in.json", buf, len, &c->lim);
}

static void start(struct ctx *c, const char *buf)
{
	start_n(c, buf, strlen(buf));
}

static int next(struct ctx *c)
{
	memset(&c->err, 0, sizeof(c->err));
	return bh_json_next(&c->r, &c->a, &c->doc, &c->err);
}

/* Decodes a single value and returns its root (fails the test on error). */
static const struct bh_node *one(struct ctx *c, const char *buf)
{
	start(c, buf);
	int rc = next(c);
	if (rc != 1)
		fail_msg("decoding %s: rc=%d %u:%u %s", buf, rc, c->err.line, c->err.col, c->err.msg);
	assert_non_null(c->doc.root);
	return c->doc.root;
}

/* Expects the first value of buf to fail with code at line:col and a message containing want. */
static void expect_err_n(const char *buf, size_t len, int code, uint32_t line, uint32_t col, const char *want)
{
	struct ctx c;
	start_n(&c, buf, len);
	int rc = next(&c);
	if (rc != code || c.err.line != line || c.err.col != col || !strstr(c.err.msg, want))
		fail_msg("input %s: got rc=%d %u:%u \"%s\"; want rc=%d %u:%u \"%s\"", buf, rc, c.err.line, c.err.col,
			 c.err.msg, code, line, col, want);
	assert_string_equal(c.err.file, "in.json");
	assert_int_equal(c.err.code, code);
	/* no resynchronisation in JSON: the reader is finished */
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
}

static void expect_err(const char *buf, int code, uint32_t line, uint32_t col, const char *want)
{
	expect_err_n(buf, strlen(buf), code, line, col, want);
}

static void assert_pos(const struct bh_node *n, uint32_t line, uint32_t col)
{
	assert_non_null(n);
	assert_int_equal(n->line, line);
	assert_int_equal(n->col, col);
}

static void assert_scalar(const struct bh_node *n, int style, const char *s)
{
	assert_non_null(n);
	assert_int_equal(n->type, BH_SCALAR);
	assert_int_equal(n->style, style);
	assert_null(n->tag);
	assert_int_equal(n->len, strlen(s));
	assert_string_equal(n->s, s);
}

static void test_object_array_positions(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "{\n"
					  "  \"a\": 1,\n"
					  "  \"b\": [true, null, \"x\"],\n"
					  "\t\"c\": {}\n"
					  "}\n");
	assert_int_equal(r->type, BH_MAP);
	assert_pos(r, 1, 1);
	assert_int_equal(r->n, 3);
	assert_scalar(r->pairs[0].key, BH_STYLE_JSON_STRING, "a");
	assert_pos(r->pairs[0].key, 2, 3);
	assert_scalar(r->pairs[0].val, BH_STYLE_JSON_NUMBER, "1");
	assert_pos(r->pairs[0].val, 2, 8);
	const struct bh_node *b = r->pairs[1].val;
	assert_int_equal(b->type, BH_SEQ);
	assert_pos(b, 3, 8);
	assert_int_equal(b->n, 3);
	assert_scalar(b->items[0], BH_STYLE_JSON_LITERAL, "true");
	assert_pos(b->items[0], 3, 9);
	assert_scalar(b->items[1], BH_STYLE_JSON_LITERAL, "null");
	assert_pos(b->items[1], 3, 15);
	assert_scalar(b->items[2], BH_STYLE_JSON_STRING, "x");
	assert_pos(b->items[2], 3, 21);
	assert_pos(r->pairs[2].key, 4, 2);
	assert_int_equal(r->pairs[2].val->type, BH_MAP);
	assert_int_equal(r->pairs[2].val->n, 0);
	assert_pos(r->pairs[2].val, 4, 7);
	assert_int_equal(c.doc.line, 1);
	assert_true(c.doc.json);
	assert_string_equal(c.doc.file, "in.json");
	assert_false(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 0);
	bh_arena_release(&c.a);
}

static void test_weight(void **state)
{
	(void)state;
	struct ctx c;
	/* root 1 + "a" 1 + 1 1 + "b" 1 + [..] (1 + 3) + "c" 1 + {} 1 */
	const struct bh_node *r = one(&c, "{\"a\":1,\"b\":[1,2,3],\"c\":{}}");
	assert_int_equal(r->weight, 10);
	assert_int_equal(r->pairs[1].val->weight, 4);
	assert_int_equal(r->pairs[0].key->weight, 1);
	bh_arena_release(&c.a);
}

static void test_scalars(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "[-0, 1.5E+3, 0.25e-2, 12345678901234567890123, \"q\", false, \"\"]");
	assert_int_equal(r->n, 7);
	assert_scalar(r->items[0], BH_STYLE_JSON_NUMBER, "-0");
	assert_scalar(r->items[1], BH_STYLE_JSON_NUMBER, "1.5E+3");
	assert_scalar(r->items[2], BH_STYLE_JSON_NUMBER, "0.25e-2");
	assert_scalar(r->items[3], BH_STYLE_JSON_NUMBER, "12345678901234567890123");
	assert_scalar(r->items[4], BH_STYLE_JSON_STRING, "q");
	assert_scalar(r->items[5], BH_STYLE_JSON_LITERAL, "false");
	assert_scalar(r->items[6], BH_STYLE_JSON_STRING, "");
	bh_arena_release(&c.a);
}

static void test_top_level_scalar(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "  \n  -12.5e3  ");
	assert_scalar(r, BH_STYLE_JSON_NUMBER, "-12.5e3");
	assert_pos(r, 2, 3);
	assert_int_equal(c.doc.line, 2);
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
}

static void test_escapes(void **state)
{
	(void)state;
	struct ctx c;
	/* é (2 bytes), € (3 bytes), U+1F600 from a surrogate pair (4 bytes), then the short escapes */
	const struct bh_node *r = one(&c, "\"\\u00e9\\u20AC\\ud83d\\ude00|\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
	assert_scalar(r, BH_STYLE_JSON_STRING, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80|\"\\/\b\f\n\r\t");
	bh_arena_release(&c.a);
}

static void test_raw_utf8_kept(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF\"");
	assert_scalar(r, BH_STYLE_JSON_STRING, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF");
	bh_arena_release(&c.a);
}

static void test_escaped_key_privileged(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "{\"securityContext\": {\"\\u0070rivileged\": true}}");
	const struct bh_node *sc = bh_map_get(r, "securityContext", BH_READ_LAST, NULL, NULL);
	assert_non_null(sc);
	assert_scalar(sc->pairs[0].key, BH_STYLE_JSON_STRING, "privileged");
	const struct bh_node *v = bh_map_get(sc, "privileged", BH_READ_LAST, NULL, NULL);
	assert_non_null(v);
	bool b = false;
	assert_int_equal(bh_as_bool(v, &b), BH_OK);
	assert_true(b);
	bh_arena_release(&c.a);
}

static void test_nul_escape(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "\"a\\u0000b\"");
	assert_int_equal(r->len, 3);
	assert_memory_equal(r->s, "a\0b", 4); /* includes the terminating NUL */
	bh_arena_release(&c.a);
}

static void test_invalid_surrogates(void **state)
{
	(void)state;
	expect_err("\"ab\\ud800\"", -EINVAL, 1, 4, "high surrogate not followed");
	expect_err("\"\\uD800\\u0041\"", -EINVAL, 1, 2, "high surrogate not followed");
	expect_err("\"\\uD800x\"", -EINVAL, 1, 2, "high surrogate not followed");
	expect_err("\"\\ud83d\\ud83d\"", -EINVAL, 1, 2, "high surrogate not followed");
	expect_err("\"\\udc00\"", -EINVAL, 1, 2, "low surrogate without a high surrogate");
	expect_err("[\"x\", \"\\uDFFF\"]", -EINVAL, 1, 8, "\\uDFFF escape: low surrogate");
}

static void test_invalid_escapes(void **state)
{
	(void)state;
	expect_err("\"\\x41\"", -EINVAL, 1, 2, "invalid escape '\\' followed by 'x'");
	expect_err("\"\\'\"", -EINVAL, 1, 2, "invalid escape");
	expect_err("\"\\u12G4\"", -EINVAL, 1, 2, "expected 4 hex digits");
	expect_err("\"\\u12\"", -EINVAL, 1, 2, "expected 4 hex digits");
	expect_err("\"abc\\", -EINVAL, 1, 1, "unterminated string");
}

static void test_control_chars(void **state)
{
	(void)state;
	expect_err("{\"a\": \"x\ty\"}", -EINVAL, 1, 9, "control character 0x09 in string must be escaped");
	expect_err("\"line\nbreak\"", -EINVAL, 1, 6, "control character 0x0a");
	expect_err_n("\"a\0b\"", 5, -EINVAL, 1, 3, "control character 0x00");
	expect_err("\"\x1f\"", -EINVAL, 1, 2, "control character 0x1f");
}

static void test_invalid_utf8(void **state)
{
	(void)state;
	expect_err("\"\xC3\x28\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xc3");
	expect_err("\"ok \xC0\xAF\"", -EINVAL, 1, 5, "invalid UTF-8 byte 0xc0");       /* overlong '/' */
	expect_err("\"\xE0\x80\xAF\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xe0");      /* overlong */
	expect_err("\"\xED\xA0\x80\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xed");      /* encoded surrogate */
	expect_err("\"\xF4\x90\x80\x80\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xf4");  /* > U+10FFFF */
	expect_err("\"\xE2\x82\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xe2");          /* truncated */
	expect_err("\"\x80\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0x80");              /* stray continuation */
	expect_err("\"\xFF\"", -EINVAL, 1, 2, "invalid UTF-8 byte 0xff");
	expect_err("{\"\xE9t\xE9\": 1}", -EINVAL, 1, 3, "invalid UTF-8 byte 0xe9");    /* Latin-1 key */
}

static void test_bom(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "\xEF\xBB\xBF{\"a\": [1]}");
	assert_int_equal(r->type, BH_MAP);
	assert_pos(r, 1, 1); /* columns count from after the BOM, as editors show them */
	assert_pos(r->pairs[0].val, 1, 7);
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
	/* only at the start: a BOM between values is garbage */
	expect_err("[1, \xEF\xBB\xBF 2]", -EINVAL, 1, 5, "expected a JSON value, found byte 0xef");
}

static void test_stream(void **state)
{
	(void)state;
	struct ctx c;
	start(&c, "{\"kind\": \"Pod\"}\n[2]\n\n  \"x\" {}[]\n7\n");
	static const struct {
		uint8_t type;
		uint32_t line, col;
	} want[] = {{BH_MAP, 1, 1}, {BH_SEQ, 2, 1}, {BH_SCALAR, 4, 3}, {BH_MAP, 4, 7}, {BH_SEQ, 4, 9}, {BH_SCALAR, 5, 1}};
	for (uint32_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(next(&c), 1);
		assert_int_equal(c.doc.index, i);
		assert_int_equal(c.doc.line, want[i].line);
		assert_true(c.doc.json);
		assert_string_equal(c.doc.file, "in.json");
		assert_int_equal(c.doc.root->type, want[i].type);
		assert_pos(c.doc.root, want[i].line, want[i].col);
	}
	assert_int_equal(c.r.index, 6);
	assert_int_equal(next(&c), 0);
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
}

static void test_trailing_garbage(void **state)
{
	(void)state;
	struct ctx c;
	/* the complete first value is still returned (its findings must not be lost), then the error */
	start(&c, "{\"a\": 1}\n  }");
	assert_int_equal(next(&c), 1);
	assert_int_equal(c.doc.root->type, BH_MAP);
	assert_int_equal(next(&c), -EINVAL);
	assert_int_equal(c.err.line, 2);
	assert_int_equal(c.err.col, 3);
	assert_string_equal(c.err.file, "in.json");
	assert_non_null(strstr(c.err.msg, "unexpected '}' after a complete JSON value"));
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);

	start(&c, "[1] x");
	assert_int_equal(next(&c), 1);
	assert_int_equal(next(&c), -EINVAL);
	assert_int_equal(c.err.col, 5);
	assert_non_null(strstr(c.err.msg, "invalid literal \"x\""));
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);

	/* inside a container it is a syntax error of the value itself */
	expect_err("[1 2]", -EINVAL, 1, 4, "expected ',' or ']' after array element, found '2'");
	expect_err("{\"a\":1 \"b\":2}", -EINVAL, 1, 8, "expected ',' or '}' after object member, found '\"'");
	expect_err("[1.5.3]", -EINVAL, 1, 5, "expected ',' or ']' after array element, found '.'");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	expect_err("{\"a\" 1}", -EINVAL, 1, 6, "expected ':' after object key, found '1'");
	expect_err("{a: 1}", -EINVAL, 1, 2, "expected '\"' to start an object key, found 'a'");
	expect_err("{\"a\": 1,}", -EINVAL, 1, 9, "trailing commas are not allowed");
	expect_err("[1,\n ]", -EINVAL, 2, 2, "trailing commas are not allowed");
	expect_err("{\"a\": ", -EINVAL, 1, 7, "expected a JSON value, found end of input");
	expect_err("[1, 2", -EINVAL, 1, 6, "expected ',' or ']' after array element, found end of input");
	expect_err("{\n\"a\": 'x'}", -EINVAL, 2, 6, "strings need double quotes");
	expect_err("\"abc", -EINVAL, 1, 1, "unterminated string");
	expect_err("]", -EINVAL, 1, 1, "expected a JSON value, found ']'");
	expect_err("{\"a\": tru}", -EINVAL, 1, 7, "invalid literal \"tru\"");
	expect_err("[True]", -EINVAL, 1, 2, "invalid literal \"True\"");
	expect_err("[nullx]", -EINVAL, 1, 2, "invalid literal \"nullx\"");
	expect_err("[undefined]", -EINVAL, 1, 2, "invalid literal \"undefined\"");
}

static void test_invalid_numbers(void **state)
{
	(void)state;
	expect_err("01", -EINVAL, 1, 1, "leading zeros are not allowed");
	expect_err("[-007]", -EINVAL, 1, 2, "leading zeros are not allowed");
	expect_err("+1", -EINVAL, 1, 1, "a leading '+' is not allowed");
	expect_err("[1.]", -EINVAL, 1, 4, "expected a digit after '.', found ']'");
	expect_err(".5", -EINVAL, 1, 1, "expected a digit before '.'");
	expect_err("NaN", -EINVAL, 1, 1, "invalid literal \"NaN\"");
	expect_err("[-Infinity]", -EINVAL, 1, 3, "expected a digit after '-', found 'I'");
	expect_err("-", -EINVAL, 1, 2, "expected a digit after '-', found end of input");
	expect_err("1e", -EINVAL, 1, 3, "expected a digit in the exponent");
	expect_err("[1E+]", -EINVAL, 1, 5, "expected a digit in the exponent, found ']'");
	expect_err("[0x1F]", -EINVAL, 1, 3, "expected ',' or ']' after array element, found 'x'");
}

static void test_dup_keys(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "{\"privileged\": false,\n \"x\": 1,\n \"privileged\": true}");
	assert_int_equal(r->n, 3); /* both pairs kept */
	assert_scalar(r->pairs[0].val, BH_STYLE_JSON_LITERAL, "false");
	assert_scalar(r->pairs[2].val, BH_STYLE_JSON_LITERAL, "true");
	assert_true(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 1);
	assert_non_null(c.doc.warnings);
	assert_int_equal(c.doc.warnings->line, 3);
	assert_int_equal(c.doc.warnings->col, 2);
	assert_string_equal(c.doc.warnings->msg,
			    "duplicate key \"privileged\" (first at line 1); both values are evaluated");
	assert_null(c.doc.warnings->next);
	bh_arena_release(&c.a);
}

static void test_case_variant_keys(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "{\"hostPID\": false,\n\"HostPID\": true, \"hostpid\": true, \"hostPID\": 1}");
	assert_int_equal(r->n, 4);
	assert_true(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 3);
	const struct bh_diag *w = c.doc.warnings;
	assert_int_equal(w->line, 2);
	assert_int_equal(w->col, 1);
	assert_string_equal(w->msg, "key \"HostPID\" differs only by case from \"hostPID\" (line 1); both are evaluated");
	w = w->next;
	assert_int_equal(w->col, 18);
	assert_string_equal(w->msg, "key \"hostpid\" differs only by case from \"hostPID\" (line 1); both are evaluated");
	w = w->next;
	/* an exact duplicate is reported as such even when case variants came between */
	assert_string_equal(w->msg, "duplicate key \"hostPID\" (first at line 1); both values are evaluated");
	assert_null(w->next);
	bh_arena_release(&c.a);
}

static void test_no_false_dups(void **state)
{
	(void)state;
	struct ctx c;
	/* same length, differ by a non-letter; and nested maps don't see each other's keys */
	one(&c, "{\"a1\": 1, \"a2\": 2, \"a\": {\"a1\": 3}, \"[\": 1, \"{\": 2, \"@\": 3, \"`\": 4}");
	assert_false(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 0);
	bh_arena_release(&c.a);
}

/* Builds {"k0":0,...,"k<n-1>":n-1} plus extra members appended verbatim. */
static char *big_object(size_t n, const char *extra)
{
	size_t cap = n * 24 + strlen(extra) + 16, off = 0;
	char *b = malloc(cap);
	assert_non_null(b);
	b[off++] = '{';
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(b + off, cap - off, "%s\"key%zu\":%zu", i ? "," : "", i, i);
	off += (size_t)snprintf(b + off, cap - off, "%s}", extra);
	return b;
}

static void test_dup_keys_hashed(void **state)
{
	(void)state;
	struct ctx c;
	char *b = big_object(100, ",\"KEY7\":1,\"key42\":2,\"Key7\":3");
	const struct bh_node *r = one(&c, b);
	assert_int_equal(r->n, 103);
	assert_true(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 3);
	const struct bh_diag *w = c.doc.warnings;
	assert_string_equal(w->msg, "key \"KEY7\" differs only by case from \"key7\" (line 1); both are evaluated");
	w = w->next;
	assert_string_equal(w->msg, "duplicate key \"key42\" (first at line 1); both values are evaluated");
	w = w->next;
	assert_string_equal(w->msg, "key \"Key7\" differs only by case from \"key7\" (line 1); both are evaluated");
	bh_arena_release(&c.a);
	free(b);

	/* many distinct keys: no warnings (and no quadratic blow-up) */
	b = big_object(200000, "");
	r = one(&c, b);
	assert_int_equal(r->n, 200000);
	assert_false(c.doc.has_dups);
	assert_int_equal(c.doc.nwarnings, 0);
	bh_arena_release(&c.a);
	free(b);
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct ctx c;
	start(&c, "[[{\"a\": 1}]] [[[[1]]]]");
	c.lim.max_depth = 3;
	assert_int_equal(next(&c), 1);
	assert_int_equal(next(&c), -E2BIG);
	assert_int_equal(c.err.line, 1);
	assert_int_equal(c.err.col, 17);
	assert_string_equal(c.err.msg, "nesting deeper than 3 levels");
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);

	/* far past the default limit: a clean error, no stack overflow */
	size_t n = 1000000;
	char *b = malloc(n);
	assert_non_null(b);
	memset(b, '[', n);
	start_n(&c, b, n);
	assert_int_equal(next(&c), -E2BIG);
	assert_int_equal(c.err.col, bh_default_limits.max_depth + 1);
	bh_arena_release(&c.a);
	free(b);
}

static void test_arena_cap(void **state)
{
	(void)state;
	struct ctx c;
	char *b = big_object(5000, "");
	start(&c, b);
	bh_arena_release(&c.a);
	bh_arena_init(&c.a, 16384);
	assert_int_equal(next(&c), -E2BIG);
	assert_string_equal(c.err.msg, "document too large (limit 16384 bytes)");
	assert_int_equal(c.err.line, 1);
	assert_true(c.err.col > 1);
	assert_true(c.a.reserved <= 16384);
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
	free(b);
}

static void test_input_cap(void **state)
{
	(void)state;
	struct ctx c;
	start(&c, "[1, 2, 3]");
	c.lim.max_input = 4;
	assert_int_equal(next(&c), -E2BIG);
	assert_string_equal(c.err.msg, "input too large (limit 4 bytes)");
	assert_int_equal(next(&c), 0);
	bh_arena_release(&c.a);
}

static void test_empty_input(void **state)
{
	(void)state;
	static const char *const in[] = {"", "  \n\t\r\n ", "\xEF\xBB\xBF", "\xEF\xBB\xBF \n"};
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		struct ctx c;
		start(&c, in[i]);
		assert_int_equal(next(&c), 0);
		assert_int_equal(c.r.index, 0);
		assert_int_equal(next(&c), 0);
		bh_arena_release(&c.a);
	}
}

static void test_crlf_lines(void **state)
{
	(void)state;
	struct ctx c;
	const struct bh_node *r = one(&c, "{\r\n  \"a\":\r\n    [1]\r\n}");
	assert_pos(r->pairs[0].key, 2, 3);
	assert_pos(r->pairs[0].val, 3, 5);
	bh_arena_release(&c.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_array_positions),
		cmocka_unit_test(test_weight),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_top_level_scalar),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_raw_utf8_kept),
		cmocka_unit_test(test_escaped_key_privileged),
		cmocka_unit_test(test_nul_escape),
		cmocka_unit_test(test_invalid_surrogates),
		cmocka_unit_test(test_invalid_escapes),
		cmocka_unit_test(test_control_chars),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_trailing_garbage),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_invalid_numbers),
		cmocka_unit_test(test_dup_keys),
		cmocka_unit_test(test_case_variant_keys),
		cmocka_unit_test(test_no_false_dups),
		cmocka_unit_test(test_dup_keys_hashed),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_arena_cap),
		cmocka_unit_test(test_input_cap),
		cmocka_unit_test(test_empty_input),
		cmocka_unit_test(test_crlf_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
