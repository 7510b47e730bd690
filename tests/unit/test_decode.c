/* Decoder semantics of DESIGN §2, one test per rule, with the spellings it lists. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decode/node.h"
#include "objects/objects.h"

struct fx {
	struct bh_arena a;
	struct bh_decoder *d;
	struct bh_doc doc;
	struct bh_err err;
};

static struct fx F;

/* decodes the first document of s; returns its rc */
static int dec(const char *s)
{
	bh_decoder_free(F.d);
	bh_arena_release(&F.a);
	bh_arena_init(&F.a, 0);
	memset(&F.err, 0, sizeof(F.err));
	F.d = bh_decoder_new("t.yaml", s, strlen(s), NULL);
	return bh_decoder_next(F.d, &F.a, &F.doc, &F.err);
}

static int teardown(void **st)
{
	(void)st;
	bh_decoder_free(F.d);
	F.d = NULL;
	bh_arena_release(&F.a);
	return 0;
}

static const struct bh_node *get(const char *key)
{
	return bh_map_get(F.doc.root, key, BH_READ_LAST, NULL, NULL);
}

static void test_yaml11_bools(void **st)
{
	(void)st;
	static const char *const t[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y"};
	static const char *const f[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N"};
	char buf[64];
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bool v = false;
		snprintf(buf, sizeof(buf), "k: %s\n", t[i]);
		assert_int_equal(dec(buf), 1);
		assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
		assert_true(v);
		snprintf(buf, sizeof(buf), "k: %s\n", f[i]);
		assert_int_equal(dec(buf), 1);
		v = true;
		assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
		assert_false(v);
	}
	bool v;
	/* not booleans for a bool field */
	assert_int_equal(dec("k: tRue\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
	assert_int_equal(dec("k: 1\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
}

static void test_quoted_bool_is_a_string(void **st)
{
	(void)st;
	bool v;
	assert_int_equal(dec("k: \"true\"\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
	assert_int_equal(dec("k: 'yes'\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
	const char *s;
	size_t l;
	assert_int_equal(bh_as_str(get("k"), &s, &l), BH_OK);
	assert_string_equal(s, "yes");
}

static void test_explicit_tags(void **st)
{
	(void)st;
	bool v = false;
	int64_t i = 0;
	assert_int_equal(dec("k: !!bool \"true\"\n"), 1);
	assert_string_equal(get("k")->tag, "!!bool");
	assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
	assert_true(v);
	assert_int_equal(dec("k: !!str true\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
	assert_int_equal(dec("k: !!int \"0\"\n"), 1);
	i = 5;
	assert_int_equal(bh_as_int(get("k"), &i), BH_OK);
	assert_int_equal(i, 0);
	assert_int_equal(dec("k: !<tag:yaml.org,2002:bool> on\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
	assert_true(v);
}

static void test_ints(void **st)
{
	(void)st;
	static const struct {
		const char *in;
		int64_t v;
	} ok[] = {{"0", 0}, {"1000", 1000}, {"0x1F", 31}, {"0o17", 15}, {"017", 15}, {"0b101", 5}, {"1_000", 1000},
		  {"+12", 12}, {"-12", -12}, {"-0x10", -16}, {"0.0", 0}, {"1e3", 1000}, {"09", 9} /* go-yaml: float 9 */};
	char buf[64];
	for (size_t k = 0; k < sizeof(ok) / sizeof(ok[0]); k++) {
		int64_t v = 42;
		snprintf(buf, sizeof(buf), "k: %s\n", ok[k].in);
		assert_int_equal(dec(buf), 1);
		assert_int_equal(bh_as_int(get("k"), &v), BH_OK);
		assert_int_equal(v, ok[k].v);
	}
	static const char *const bad[] = {"1.5", "0x", "0b2", "abc", ".inf", "0x1p3", "\"0\"", "99999999999999999999", "true"};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int64_t v;
		snprintf(buf, sizeof(buf), "k: %s\n", bad[k]);
		assert_int_equal(dec(buf), 1);
		assert_int_equal(bh_as_int(get("k"), &v), BH_BAD);
	}
}

static void test_nulls(void **st)
{
	(void)st;
	static const char *const nulls[] = {"k: ~\n", "k: null\n", "k: Null\n", "k: NULL\n", "k:\n", "k: !!null x\n"};
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		bool v;
		assert_int_equal(dec(nulls[i]), 1);
		assert_true(bh_is_null(get("k")));
		assert_int_equal(bh_as_bool(get("k"), &v), BH_NULLV);
	}
	assert_int_equal(dec("k: \"null\"\n"), 1);
	assert_false(bh_is_null(get("k")));
	assert_int_equal(dec("k: nULL\n"), 1);
	assert_false(bh_is_null(get("k")));
}

static void test_anchor_alias(void **st)
{
	(void)st;
	assert_int_equal(dec("a: &x {privileged: yes}\nb: *x\n"), 1);
	const struct bh_node *b = get("b");
	assert_non_null(b);
	assert_int_equal(b->type, BH_MAP);
	bool v = false;
	assert_int_equal(bh_as_bool(bh_map_get(b, "privileged", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_ptr_equal(b, get("a")); /* shared, not copied */
	assert_true(dec("a: *nope\n") < 0);
	assert_non_null(strstr(F.err.msg, "unknown anchor"));
}

static void test_merge_single_and_list(void **st)
{
	(void)st;
	bool v = true;
	assert_int_equal(dec("base: &b {privileged: true, runAsUser: 0}\nsc:\n  <<: *b\n  runAsUser: 5\n"), 1);
	const struct bh_node *sc = get("sc");
	assert_int_equal(bh_as_bool(bh_map_get(sc, "privileged", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	int64_t u = 0;
	assert_int_equal(bh_as_int(bh_map_get(sc, "runAsUser", BH_READ_LAST, NULL, NULL), &u), BH_OK);
	assert_int_equal(u, 5); /* explicit key wins over merged */
	assert_null(bh_map_get(sc, "<<", BH_READ_LAST, NULL, NULL));
	assert_false(F.doc.has_dups);

	assert_int_equal(dec("a: &a {x: 1}\nb: &b {x: 2, y: 3}\nm:\n  <<: [*a, *b]\n"), 1);
	const struct bh_node *m = get("m");
	int64_t x = 0, y = 0;
	assert_int_equal(bh_as_int(bh_map_get(m, "x", BH_READ_LAST, NULL, NULL), &x), BH_OK);
	assert_int_equal(x, 1); /* earlier map in the list wins */
	assert_int_equal(bh_as_int(bh_map_get(m, "y", BH_READ_LAST, NULL, NULL), &y), BH_OK);
	assert_int_equal(y, 3);
	/* a quoted "<<" is an ordinary key */
	assert_int_equal(dec("a: &a {x: 1}\nm: {\"<<\": *a}\n"), 1);
	assert_non_null(bh_map_get(get("m"), "<<", BH_READ_LAST, NULL, NULL));
	assert_true(dec("m: {<<: 5}\n") < 0);
}

/* merging a large map many times stays linear; the earliest map of a list wins */
static void test_merge_large(void **st)
{
	(void)st;
	static char buf[200000];
	size_t k = (size_t)snprintf(buf, sizeof(buf), "base: &b {");
	for (int i = 0; i < 3000; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%sk%d: %d", i ? ", " : "", i, i);
	k += (size_t)snprintf(buf + k, sizeof(buf) - k, "}\nm:\n  k7: explicit\n  <<: [");
	for (int i = 0; i < 30; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s*b", i ? ", " : "");
	snprintf(buf + k, sizeof(buf) - k, "]\n");
	assert_int_equal(dec(buf), 1);
	const struct bh_node *m = get("m");
	/* k7: go-yaml v2's merge after the explicit key wins (last reading); v3's explicit key is kept first */
	assert_int_equal(m->n, 3001);
	assert_true(F.doc.has_dups);
	const char *s;
	size_t l;
	assert_int_equal(bh_as_str(bh_map_get(m, "k7", BH_READ_FIRST, NULL, NULL), &s, &l), BH_OK);
	assert_string_equal(s, "explicit");
	assert_int_equal(bh_as_str(bh_map_get(m, "k7", BH_READ_LAST, NULL, NULL), &s, &l), BH_OK);
	assert_string_equal(s, "7");
	int64_t v = 0;
	assert_int_equal(bh_as_int(bh_map_get(m, "k2999", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_int_equal(v, 2999);
}

static void test_streams(void **st)
{
	(void)st;
	const char *s = "# only a comment\n---\n---\na: 1\n...\n---\n# comment-only document\n---\nb: 2\n";
	bh_decoder_free(F.d);
	bh_arena_release(&F.a);
	bh_arena_init(&F.a, 0);
	F.d = bh_decoder_new("t.yaml", s, strlen(s), NULL);
	int keys = 0, docs = 0, rc;
	while ((rc = bh_decoder_next(F.d, &F.a, &F.doc, &F.err)) == 1) {
		docs++;
		if (F.doc.root) {
			keys++;
			assert_int_equal(F.doc.root->type, BH_MAP);
		}
	}
	assert_int_equal(rc, 0);
	assert_int_equal(keys, 2);
	assert_true(docs >= 4);
}

static void test_duplicate_keys(void **st)
{
	(void)st;
	assert_int_equal(dec("privileged: true\nprivileged: false\n"), 1);
	assert_true(F.doc.has_dups);
	assert_int_equal(F.doc.nwarnings, 1);
	assert_non_null(strstr(F.doc.warnings->msg, "duplicate key \"privileged\""));
	assert_int_equal(F.doc.warnings->line, 2);
	bool v;
	assert_int_equal(bh_as_bool(bh_map_get(F.doc.root, "privileged", BH_READ_FIRST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_int_equal(bh_as_bool(bh_map_get(F.doc.root, "privileged", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_false(v);
	/* big maps take the hashed path */
	char big[4096] = "";
	for (int i = 0; i < 40; i++)
		snprintf(big + strlen(big), sizeof(big) - strlen(big), "k%d: 1\n", i);
	strcat(big, "K7: 2\n");
	assert_int_equal(dec(big), 1);
	assert_true(F.doc.has_dups);
	assert_non_null(strstr(F.doc.warnings->msg, "differs only by case"));
}

static void test_case_variant_keys(void **st)
{
	(void)st;
	assert_int_equal(dec("Privileged: true\n"), 1);
	bool cv = false;
	const struct bh_node *v = bh_map_get(F.doc.root, "privileged", BH_READ_LAST, &cv, NULL);
	assert_non_null(v);
	assert_true(cv);
	assert_int_equal(dec("privileged: true\n"), 1);
	bh_map_get(F.doc.root, "privileged", BH_READ_LAST, &cv, NULL);
	assert_false(cv);
	/* Go's encoding/json folds U+017F to s and U+212A to k */
	assert_int_equal(dec("runA\xC5\xBFUser: 0\n\xE2\x84\xAAind: Pod\n"), 1);
	assert_non_null(bh_map_get(F.doc.root, "runAsUser", BH_READ_LAST, &cv, NULL));
	assert_true(cv);
	assert_non_null(bh_map_get(F.doc.root, "kind", BH_READ_LAST, &cv, NULL));
	assert_null(bh_map_get(F.doc.root, "runAsUsers", BH_READ_LAST, &cv, NULL));
	assert_int_equal(dec("runA\xC3\xBFUser: 0\n"), 1); /* another non-ASCII letter does not fold */
	assert_null(bh_map_get(F.doc.root, "runAsUser", BH_READ_LAST, &cv, NULL));
}

static void test_json_escapes(void **st)
{
	(void)st;
	assert_int_equal(dec("{\"\\u0070rivileged\": true, \"s\": \"\\ud83d\\ude00\"}"), 1);
	assert_true(F.doc.json);
	bool v = false;
	assert_int_equal(bh_as_bool(get("privileged"), &v), BH_OK);
	assert_true(v);
	const char *s;
	size_t l;
	assert_int_equal(bh_as_str(get("s"), &s, &l), BH_OK);
	assert_int_equal(l, 4);
	assert_memory_equal(s, "\xF0\x9F\x98\x80", 4);
	/* JSON strings are never bools, JSON numbers never strings */
	assert_int_equal(dec("{\"k\": \"true\", \"n\": 5}"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_BAD);
	assert_int_equal(bh_as_str(get("n"), &s, &l), BH_BAD);
	int64_t n;
	assert_int_equal(dec("{\"n\": 123456789012345678901234567890}"), 1);
	assert_int_equal(bh_as_int(get("n"), &n), BH_BAD);
	assert_int_equal(dec("{\"n\": 1.5}"), 1);
	assert_int_equal(bh_as_int(get("n"), &n), BH_BAD);
}

static void test_bom(void **st)
{
	(void)st;
	bool v;
	assert_int_equal(dec("\xEF\xBB\xBFk: yes\n"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
	assert_int_equal(dec("\xEF\xBB\xBF{\"k\": true}"), 1);
	assert_int_equal(bh_as_bool(get("k"), &v), BH_OK);
}

static void test_locations(void **st)
{
	(void)st;
	assert_int_equal(dec("a:\n  b:\n    - x: 1\n      y: on\n"), 1);
	const struct bh_node *b = bh_map_get(get("a"), "b", BH_READ_LAST, NULL, NULL);
	const struct bh_node *y = bh_map_get(b->items[0], "y", BH_READ_LAST, NULL, NULL);
	assert_int_equal(y->line, 4);
	assert_int_equal(y->col, 10);
}

static void test_billion_laughs(void **st)
{
	(void)st;
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
			   "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
			   "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n"
			   "i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h, *h]\n";
	assert_true(dec(bomb) < 0);
	assert_non_null(strstr(F.err.msg, "aliases"));
	assert_true(F.a.reserved < 4u << 20); /* memory stayed small */
}

static void test_depth_limit(void **st)
{
	(void)st;
	char deep[4000];
	size_t k = 0;
	for (int i = 0; i < 1000; i++)
		deep[k++] = '[';
	for (int i = 0; i < 1000; i++)
		deep[k++] = ']';
	deep[k] = 0;
	assert_true(dec(deep) < 0); /* JSON path */
	deep[0] = ' ';
	memmove(deep, "k: ", 3);
	assert_true(dec(deep) < 0); /* YAML flow path */
	assert_non_null(strstr(F.err.msg, "nesting"));
}

static void test_error_resync(void **st)
{
	(void)st;
	const char *s = "a: 1\n---\nb: [1, 2\nc: 3\n---\nd: ok\n";
	bh_decoder_free(F.d);
	bh_arena_release(&F.a);
	bh_arena_init(&F.a, 0);
	F.d = bh_decoder_new("t.yaml", s, strlen(s), NULL);
	assert_int_equal(bh_decoder_next(F.d, &F.a, &F.doc, &F.err), 1);
	assert_true(bh_decoder_next(F.d, &F.a, &F.doc, &F.err) < 0);
	assert_true(F.err.line >= 3);
	assert_string_equal(F.err.file, "t.yaml");
	assert_int_equal(bh_decoder_next(F.d, &F.a, &F.doc, &F.err), 1);
	assert_non_null(bh_map_get(F.doc.root, "d", BH_READ_LAST, NULL, NULL));
	assert_int_equal(F.doc.root->line, 6);
	assert_int_equal(bh_decoder_next(F.d, &F.a, &F.doc, &F.err), 0);
}

/* curl's "fail the Nth allocation" idea for an arena allocator: decode real manifests and build their pod
 * views under every arena cap from 512 bytes up; each run must end in success or a clean error, never a
 * crash or a leak (the suite also runs under ASan). */
static int view_cb(const struct bh_object *o, void *ctx)
{
	struct bh_pod p;
	(void)bh_pod_build(&p, o, BH_READ_LAST, ctx);
	return 0;
}

static void test_arena_cap_sweep(void **st)
{
	(void)st;
	static const char *const files[] = {"tests/golden/cases/merge-key-securitycontext.yaml",
					    "tests/golden/cases/list-kinds.yaml", "tests/golden/cases/json-u-escape.json",
					    "examples/risky-daemonset.yaml"};
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		FILE *in = fopen(files[f], "rb");
		assert_non_null(in);
		static char buf[65536];
		size_t len = fread(buf, 1, sizeof(buf) - 1, in);
		fclose(in);
		buf[len] = 0;
		int ok = 0, failed = 0;
		for (size_t cap = 512; cap < (1u << 20); cap = cap * 5 / 4) {
			struct bh_arena a;
			bh_arena_init(&a, cap);
			struct bh_decoder *d = bh_decoder_new(files[f], buf, len, NULL);
			assert_non_null(d);
			struct bh_doc doc;
			struct bh_err err = {0};
			int rc, docs = 0, errs = 0;
			while ((rc = bh_decoder_next(d, &a, &doc, &err)) != 0 && docs + errs < 100) {
				if (rc < 0) {
					errs++;
					assert_true(err.msg[0] != 0);
					continue;
				}
				docs++;
				bh_objects_each(&doc, &a, view_cb, &a);
			}
			assert_true(docs + errs < 100); /* the stream ends */
			errs ? failed++ : ok++;
			bh_decoder_free(d);
			bh_arena_release(&a);
		}
		assert_true(failed > 0); /* small caps did fail… */
		assert_true(ok > 0);     /* …and large ones succeeded */
	}
}

static void test_arena_cap(void **st)
{
	(void)st;
	struct bh_arena a;
	bh_arena_init(&a, 100000);
	assert_non_null(bh_arena_alloc(&a, 1000));
	assert_null(bh_arena_alloc(&a, 200000));
	bh_arena_release(&a);
}


/* reads every document of s: returns the number decoded, errors in *nerr, the first error in F.err */
static int dec_all(const char *s, size_t len, int *nerr)
{
	bh_decoder_free(F.d);
	bh_arena_release(&F.a);
	bh_arena_init(&F.a, 0);
	memset(&F.err, 0, sizeof(F.err));
	F.d = bh_decoder_new("t.yaml", s, len, NULL);
	int docs = 0, rc;
	*nerr = 0;
	struct bh_err e;
	for (;;) {
		memset(&e, 0, sizeof(e));
		if ((rc = bh_decoder_next(F.d, &F.a, &F.doc, &e)) == 0)
			break;
		if (rc > 0 && F.doc.root)
			docs++;
		if (rc < 0 && (*nerr)++ == 0)
			F.err = e;
	}
	return docs;
}

/* one bad byte in document 21: documents 1-20 and 22 survive, the error is at the byte */
static void test_bad_byte_keeps_other_documents(void **st)
{
	(void)st;
	static char buf[4096];
	size_t k = 0;
	for (int i = 0; i < 20; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "---\nkind: Pod\nmetadata: {name: p%d}\n", i);
	k += (size_t)snprintf(buf + k, sizeof(buf) - k, "---\nkind: Pod\nmetadata: {name: ab\xff}\n---\nkind: Pod\n");
	int nerr;
	assert_int_equal(dec_all(buf, k, &nerr), 21);
	assert_int_equal(nerr, 1);
	assert_int_equal(F.err.line, 63);
	assert_int_equal(F.err.col, 20);
	assert_non_null(strstr(F.err.msg, "invalid UTF-8"));
	/* NUL: the same, with its own message */
	const char nul[] = "kind: A\n---\nkind: B\nx: \"a\0b\"\n---\nkind: C\n";
	assert_int_equal(dec_all(nul, sizeof(nul) - 1, &nerr), 2);
	assert_int_equal(nerr, 1);
	assert_int_equal(F.err.line, 4);
	assert_int_equal(F.err.col, 6);
	assert_non_null(strstr(F.err.msg, "NUL"));
}

/* a byte order mark at the start of a later document (kubectl splits before go-yaml sees it) */
static void test_bom_later_document(void **st)
{
	(void)st;
	const char s[] = "\xEF\xBB\xBFkind: A\n---\n\xEF\xBB\xBFkind: B\nhostPID: true\n---\nkind: C\n";
	int nerr;
	assert_int_equal(dec_all(s, sizeof(s) - 1, &nerr), 3);
	assert_int_equal(nerr, 0);
}

/* merge keys in document order (go-yaml v2): later << wins, << after an explicit key wins (v3's value is
 * kept as the first reading), a list's earlier map wins, nested merges */
static void test_merge_document_order(void **st)
{
	(void)st;
	bool v = false;
	assert_int_equal(dec("m:\n  privileged: false\n  <<: {privileged: true}\n"), 1);
	const struct bh_node *m = get("m");
	assert_int_equal(bh_as_bool(bh_map_get(m, "privileged", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_int_equal(bh_as_bool(bh_map_get(m, "privileged", BH_READ_FIRST, NULL, NULL), &v), BH_OK);
	assert_false(v);
	assert_true(F.doc.has_dups);
	assert_int_equal(dec("m:\n  <<: {privileged: false}\n  <<: {privileged: true}\n"), 1);
	assert_int_equal(bh_as_bool(bh_map_get(get("m"), "privileged", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_int_equal(dec("m:\n  <<: {privileged: false}\n  privileged: true\n"), 1);
	assert_int_equal(bh_as_bool(bh_map_get(get("m"), "privileged", BH_READ_FIRST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_false(F.doc.has_dups);
	assert_int_equal(dec("m:\n  <<: {<<: {hostPID: true}}\n"), 1);
	assert_int_equal(bh_as_bool(bh_map_get(get("m"), "hostPID", BH_READ_LAST, NULL, NULL), &v), BH_OK);
	assert_true(v);
	assert_int_equal(dec("kind: ConfigMap\n<<: {kind: Pod}\n"), 1);
	const char *s;
	size_t l;
	assert_int_equal(bh_as_str(get("kind"), &s, &l), BH_OK);
	assert_string_equal(s, "Pod");
}

/* `- []` alone: no memcpy from a NULL value stack (UBSan) */
static void test_empty_nested_sequence(void **st)
{
	(void)st;
	assert_int_equal(dec("- []\n"), 1);
	assert_int_equal(F.doc.root->type, BH_SEQ);
	assert_int_equal(F.doc.root->items[0]->n, 0);
}

/* integral JSON floats land in int fields as that integer */
static void test_json_integral_float(void **st)
{
	(void)st;
	int64_t u = 7;
	assert_int_equal(dec("{\"u\": 0.0, \"v\": 0e0, \"w\": 1.5}"), 1);
	assert_int_equal(bh_as_int(get("u"), &u), BH_OK);
	assert_int_equal(u, 0);
	assert_int_equal(bh_as_int(get("v"), &u), BH_OK);
	assert_int_equal(bh_as_int(get("w"), &u), BH_BAD);
}

/* 50,000 duplicate keys: linear, and the warnings stop at the cap with one line counting the rest */
static void test_warning_cap(void **st)
{
	(void)st;
	static char buf[1 << 20];
	size_t k = (size_t)snprintf(buf, sizeof(buf), "m:\n");
	for (int i = 0; i < 50000; i++)
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "  k: %d\n", i);
	assert_int_equal(dec(buf), 1);
	assert_int_equal(F.doc.nwarnings, BH_DOC_MAX_WARNINGS + 1);
	const struct bh_diag *d = F.doc.warnings;
	while (d->next)
		d = d->next;
	assert_non_null(strstr(d->msg, "49899 more warnings"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_yaml11_bools, teardown),
		cmocka_unit_test_teardown(test_quoted_bool_is_a_string, teardown),
		cmocka_unit_test_teardown(test_explicit_tags, teardown),
		cmocka_unit_test_teardown(test_ints, teardown),
		cmocka_unit_test_teardown(test_nulls, teardown),
		cmocka_unit_test_teardown(test_anchor_alias, teardown),
		cmocka_unit_test_teardown(test_merge_single_and_list, teardown),
		cmocka_unit_test_teardown(test_merge_large, teardown),
		cmocka_unit_test_teardown(test_streams, teardown),
		cmocka_unit_test_teardown(test_duplicate_keys, teardown),
		cmocka_unit_test_teardown(test_case_variant_keys, teardown),
		cmocka_unit_test_teardown(test_json_escapes, teardown),
		cmocka_unit_test_teardown(test_bom, teardown),
		cmocka_unit_test_teardown(test_locations, teardown),
		cmocka_unit_test_teardown(test_billion_laughs, teardown),
		cmocka_unit_test_teardown(test_depth_limit, teardown),
		cmocka_unit_test_teardown(test_error_resync, teardown),
		cmocka_unit_test_teardown(test_arena_cap, teardown),
		cmocka_unit_test_teardown(test_arena_cap_sweep, teardown),
		cmocka_unit_test_teardown(test_bad_byte_keeps_other_documents, teardown),
		cmocka_unit_test_teardown(test_bom_later_document, teardown),
		cmocka_unit_test_teardown(test_merge_document_order, teardown),
		cmocka_unit_test_teardown(test_empty_nested_sequence, teardown),
		cmocka_unit_test_teardown(test_json_integral_float, teardown),
		cmocka_unit_test_teardown(test_warning_cap, teardown),
	};
	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
