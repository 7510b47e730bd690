/* The rule registry (src/rules/registry.def): row constants, area slices, explanations, and manifest rules
 * run with a struct bh_rule_ctx (the context's callbacks decide which rules run and which registries are
 * trusted; there is no hidden per-thread config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/rules.h"

/* every row constant indexes the row of that id */
static void test_row_constants(void **st)
{
	assert_string_equal(bh_rules[BH_RULE_BH0001].id, "BH0001");
	assert_string_equal(bh_rules[BH_RULE_BH0100].id, "BH0100");
	assert_string_equal(bh_rules[BH_RULE_BH0400].id, "BH0400");
	assert_string_equal(bh_rules[BH_RULE_BH0515].id, "BH0515");
	assert_int_equal(BH_RULE_BH0400, BH_RULES_INSIDE_FIRST);
	assert_int_equal(BH_RULE_BH0500, BH_RULES_WATCH_FIRST);
	assert_int_equal(bh_nrules, BH_RULES_INSIDE_FIRST); /* manifest + PSS rows come first */
	for (size_t i = 0; i < BH_RULES_COUNT; i++) {
		assert_non_null(bh_rules[i].id);
		assert_ptr_equal(bh_rule_find_any(bh_rules[i].id), &bh_rules[i]);
		assert_ptr_equal(bh_rule_find_any(bh_rules[i].name), &bh_rules[i]);
		/* bh_rule_find keeps to the rules scan evaluates */
		assert_true((bh_rule_find(bh_rules[i].id) != NULL) == (i < bh_nrules));
	}
	assert_null(bh_rule_find_any("BH9999"));
}

/* areas are contiguous slices in registry order; every row belongs to exactly one */
static void test_areas(void **st)
{
	size_t total = 0;
	for (int a = 0; a < BH_AREA_N; a++) {
		size_t n;
		const struct bh_rule *r = bh_area_rows((enum bh_area)a, &n);
		assert_ptr_equal(r, &bh_rules[total]);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(bh_rule_area(&r[i]), a);
		total += n;
	}
	assert_int_equal(total, BH_RULES_COUNT);
	size_t n;
	bh_area_rows(BH_AREA_WATCH, &n);
	assert_int_equal(n, 33); /* BH0500–BH0532 */
	bh_area_rows(BH_AREA_NODE, &n);
	assert_int_equal(n, 24); /* BH0600–BH0623 (src/rules/node.def) */
	assert_string_equal(bh_areas[BH_AREA_PSS].shown, "scan");
	assert_string_equal(bh_areas[BH_AREA_PSS].group, "pss");
	struct bh_rule outside = bh_rules[0];
	assert_int_equal(bh_rule_area(&outside), BH_AREA_N);
	/* manifest rows have a check function, every other row none */
	for (size_t i = 0; i < BH_RULES_COUNT; i++)
		assert_true((bh_rules[i].check != NULL) == (bh_rule_area(&bh_rules[i]) == BH_AREA_MANIFEST));
}

/* the four parts; the Fix part is the row's fix, or its remediation when it has none; snprintf semantics */
static void test_explain(void **st)
{
	char buf[16384];
	const struct bh_rule *w = &bh_rules[BH_RULE_BH0515];
	assert_null(w->fix);
	size_t n = bh_rule_explain(w, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_true(!strncmp(buf, "What:\n", 6));
	assert_non_null(strstr(buf, "\n\nWhy it leads to escape:\n"));
	assert_non_null(strstr(buf, "\n\nHow it is exploited:\n"));
	const char *fix = strstr(buf, "\n\nFix:\n");
	assert_non_null(fix);
	assert_string_equal(fix + 7, w->remediation);
	const struct bh_rule *m = &bh_rules[BH_RULE_BH0001];
	assert_non_null(m->fix);
	n = bh_rule_explain(m, buf, sizeof(buf));
	fix = strstr(buf, "\n\nFix:\n");
	assert_true(!strncmp(fix + 7, m->fix, strlen(m->fix)));
	assert_null(strstr(buf, m->remediation));
	assert_true(n > 20 && !strcmp(buf + n - strlen(m->snippet), m->snippet));
	char small[8];
	assert_int_equal(bh_rule_explain(m, small, sizeof(small)), n); /* the length it needs */
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_int_equal(bh_rule_explain(m, NULL, 0), n);
}

struct one {
	struct bh_arena a;
	struct bh_doc doc;
	struct bh_object obj;
	struct bh_pod pod;
	struct bh_findings out;
};

static int grab(const struct bh_object *o, void *ctx)
{
	((struct one *)ctx)->obj = *o;
	return 1;
}

static void load(struct one *x, const char *yaml)
{
	memset(x, 0, sizeof(*x));
	bh_arena_init(&x->a, 0);
	struct bh_decoder *d = bh_decoder_new("t.yaml", yaml, strlen(yaml), &bh_default_limits);
	struct bh_err err = {0};
	assert_int_equal(bh_decoder_next(d, &x->a, &x->doc, &err), 1);
	bh_objects_each(&x->doc, &x->a, grab, x);
	assert_int_equal(bh_pod_build(&x->pod, &x->obj, BH_READ_FIRST, &x->a), 1);
	bh_decoder_free(d);
	bh_findings_init(&x->out, &x->a);
}

static void unload(struct one *x)
{
	bh_findings_release(&x->out);
	bh_arena_release(&x->a);
}

static size_t count(const struct one *x, const char *id)
{
	size_t n = 0;
	for (size_t i = 0; i < x->out.n; i++)
		n += !strcmp(x->out.v[i].rule->id, id);
	return n;
}

static const char pod_yaml[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
			       "  hostPID: true\n"
			       "  containers:\n"
			       "  - name: a\n    image: registry.example.com/team/app:1\n"
			       "    securityContext: {privileged: true}\n"
			       "  - name: b\n    image: ghcr.io/other/tool:2\n";

static bool off_bh0001(const void *arg, const struct bh_rule *r)
{
	(*(int *)arg)++;
	return r == &bh_rules[BH_RULE_BH0001];
}

static bool trust_example(const void *arg, const char *image)
{
	return !strncmp(image, "registry.example.com/", 21);
}

/* without callbacks every manifest rule runs and BH0253 has no trusted list, hence no opinion */
static void test_eval_plain(void **st)
{
	struct one x;
	load(&x, pod_yaml);
	struct bh_rule_ctx cx = {.pod = &x.pod};
	bh_rules_eval(&cx, &x.out);
	assert_int_equal(count(&x, "BH0001"), 1);
	assert_int_equal(count(&x, "BH0002"), 1);
	assert_int_equal(count(&x, "BH0253"), 0);
	for (size_t i = 0; i < x.out.n; i++) /* PSS, inside and watch rows are never run here */
		assert_int_equal(bh_rule_area(x.out.v[i].rule), BH_AREA_MANIFEST);
	unload(&x);
}

/* the context's callbacks: rule_off is asked once per manifest rule; image_trusted judges each image */
static void test_eval_ctx(void **st)
{
	struct one x;
	load(&x, pod_yaml);
	int asked = 0;
	struct bh_rule_ctx cx = {.pod = &x.pod, .arg = &asked, .rule_off = off_bh0001, .image_trusted = trust_example};
	bh_rules_eval(&cx, &x.out);
	assert_int_equal(asked, BH_RULES_PSS_FIRST - BH_RULES_MANIFEST_FIRST);
	assert_int_equal(count(&x, "BH0001"), 0);
	assert_int_equal(count(&x, "BH0002"), 1);
	assert_int_equal(count(&x, "BH0253"), 1);
	for (size_t i = 0; i < x.out.n; i++)
		if (!strcmp(x.out.v[i].rule->id, "BH0253"))
			assert_string_equal(x.out.v[i].container, "b");
	unload(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_constants), cmocka_unit_test(test_areas),   cmocka_unit_test(test_explain),
		cmocka_unit_test(test_eval_plain),    cmocka_unit_test(test_eval_ctx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
