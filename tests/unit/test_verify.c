/* The image signature verifier (src/image/verify.c) without a registry: references to a closed loopback
 * port fail at once, which is enough to see the cache at work — errors remembered for error_ttl, the LRU
 * bound, the key set as part of the key, the batch limit — and the repository names policies match. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "image/verify.h"

static void test_ref_repo(void **st)
{
	char b[300];
	assert_true(bh_img_ref_repo("nginx", b, sizeof(b)));
	assert_string_equal(b, "docker.io/library/nginx");
	assert_true(bh_img_ref_repo("nginx:1.27@sha256:abc", b, sizeof(b)));
	assert_string_equal(b, "docker.io/library/nginx");
	assert_true(bh_img_ref_repo("team/app:1", b, sizeof(b)));
	assert_string_equal(b, "docker.io/team/app");
	assert_true(bh_img_ref_repo("127.0.0.1:5000/test/signed:valid", b, sizeof(b)));
	assert_string_equal(b, "127.0.0.1:5000/test/signed");
	assert_true(bh_img_ref_repo("localhost/a/b@sha256:00", b, sizeof(b)));
	assert_string_equal(b, "localhost/a/b");
	assert_true(bh_img_ref_repo("registry.example.com/x", b, sizeof(b)));
	assert_string_equal(b, "registry.example.com/x");
	assert_false(bh_img_ref_repo("", b, sizeof(b)));
	assert_false(bh_img_ref_repo("registry.example.com/x", b, 8)); /* does not fit */
}

static char keyfile[64];

static void verify1(struct bh_img_verifier *v, const char *ref, const char *key, struct bh_img_vres *r)
{
	const char *refs[] = {ref};
	const char *keys[] = {key};
	const char *const *ks[] = {keys};
	size_t nk[] = {1};
	bh_img_verify_batch(v, 1, refs, ks, nk, 0, r);
}

static void test_cache(void **st)
{
	snprintf(keyfile, sizeof(keyfile), "/tmp/bh-test-verify-%d.pub", (int)getpid());
	FILE *f = fopen(keyfile, "w");
	assert_non_null(f);
	fputs("not a key\n", f);
	fclose(f);
	struct bh_img_vcfg c = {.cache_max = 4, .workers = 2, .error_ttl_ms = 60000};
	c.o.timeout_ms = 2000;
	struct bh_img_verifier *v = bh_img_verifier_new(&c);
	assert_non_null(v);
	struct bh_img_vres r;
	verify1(v, "127.0.0.1:1/a/b:t0", keyfile, &r);
	assert_int_equal(r.st, BH_IV_ERROR); /* connection refused: an error, never a pass */
	assert_false(r.cached);
	assert_non_null(strstr(r.why, "127.0.0.1:1"));
	verify1(v, "127.0.0.1:1/a/b:t0", keyfile, &r);
	assert_int_equal(r.st, BH_IV_ERROR);
	assert_true(r.cached); /* the error is remembered, the registry not asked again */
	struct bh_img_vstats s;
	bh_img_verifier_stats(v, &s);
	assert_int_equal(s.requests, 2);
	assert_int_equal(s.hits, 1);
	assert_int_equal(s.resolves, 1);
	/* another key set: another entry */
	verify1(v, "127.0.0.1:1/a/b:t0", "/nonexistent.pub", &r);
	assert_false(r.cached);
	/* the LRU bound: ten more references, at most 4 entries kept */
	char ref[64];
	for (int i = 1; i <= 10; i++) {
		snprintf(ref, sizeof(ref), "127.0.0.1:1/a/b:t%d", i);
		verify1(v, ref, keyfile, &r);
		assert_int_equal(r.st, BH_IV_ERROR);
	}
	bh_img_verifier_stats(v, &s);
	assert_true(s.entries <= 4);
	assert_true(s.evictions >= 7);
	/* a batch over the limit: the extra references are errors, the first ones answered */
	enum { N = 70 };
	const char *refs[N], *keys[] = {keyfile}, *const *ks[N];
	size_t nk[N];
	struct bh_img_vres *rs = calloc(N, sizeof(*rs));
	assert_non_null(rs);
	for (int i = 0; i < N; i++)
		refs[i] = "127.0.0.1:1/a/b:t10", ks[i] = keys, nk[i] = 1;
	bh_img_verify_batch(v, N, refs, ks, nk, 0, rs);
	assert_int_equal(rs[0].st, BH_IV_ERROR);
	if (!rs[0].cached)
		fprintf(stderr, "rs[0]: %d %s\n", rs[0].st, rs[0].why);
	assert_true(rs[0].cached);
	assert_non_null(strstr(rs[N - 1].why, "more than 64 images"));
	free(rs);
	bh_img_verifier_free(v);
	unlink(keyfile);
}

static void test_deadline(void **st)
{
	/* a deadline already past: the caller does not wait; the work goes on and is freed with the verifier */
	struct bh_img_vcfg c = {.workers = 1};
	c.o.timeout_ms = 2000;
	struct bh_img_verifier *v = bh_img_verifier_new(&c);
	assert_non_null(v);
	const char *refs[] = {"127.0.0.1:1/x/y:1"}, *keys[] = {"/nonexistent.pub"}, *const *ks[] = {keys};
	size_t nk[] = {1};
	struct bh_img_vres r;
	bh_img_verify_batch(v, 1, refs, ks, nk, bh_img_mono_ns() - 1, &r);
	assert_true(r.st == BH_IV_TIMEOUT || r.st == BH_IV_ERROR);
	if (r.st == BH_IV_TIMEOUT)
		assert_non_null(strstr(r.why, "time budget"));
	bh_img_verifier_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ref_repo),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
