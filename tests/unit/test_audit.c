/* src/audit/: the fast path never skips an event that the full decoder would judge (the attacker's variants:
 * escaped quotes and braces inside strings, other key orders, impersonation, a kind or version that is not
 * an Event), webhook batches give the same findings with and without it, and the bounded sets forget only
 * the oldest generation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit_int.h"

#define PRIV_POD "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"evil\",\"namespace\":\"team\"}," \
	"\"spec\":{\"hostPID\":true,\"containers\":[{\"name\":\"c\",\"image\":\"alpine\",\"securityContext\":{\"privileged\":true}}]}}"
#define HEAD(id, verb) "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"level\":\"RequestResponse\",\"auditID\":\"" id \
	"\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/namespaces/team/pods\",\"verb\":\"" verb "\","
#define USER "\"user\":{\"username\":\"tenant\",\"groups\":[\"tenants\"]},\"sourceIPs\":[\"10.0.0.1\"],\"userAgent\":\"kubectl\","
#define REF "\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team\",\"name\":\"evil\",\"apiVersion\":\"v1\"},"
#define TAIL "\"responseStatus\":{\"metadata\":{},\"code\":201},\"requestObject\":" PRIV_POD \
	",\"stageTimestamp\":\"2026-12-01T22:00:00.000000Z\"}"

/* the prefilter's answer must be 1 (decode) for every event the full path would judge */
static void test_prefilter_never_skips_a_match(void **st)
{
	static const char *const must_decode[] = {
		HEAD("a1", "create") USER REF TAIL,
		/* another key order: objectRef before verb and user */
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\"," REF "\"auditID\":\"a2\",\"stage\":\"ResponseComplete\","
		"\"verb\":\"create\"," USER TAIL,
		/* escaped quote and braces in a string before the deciding fields */
		HEAD("a3", "create") "\"x\":\"\\\"}{]\\\\\"," USER REF TAIL,
		/* impersonation: the effective user decides (always decoded) */
		HEAD("a4", "get") USER "\"impersonatedUser\":{\"username\":\"system:anonymous\"}," REF TAIL,
		/* an escape in a key: not read by the fast path */
		HEAD("a5", "get") "\"v\\u0065rb\":\"create\"," USER REF TAIL,
		/* not an Event or not v1: the decoder reports it */
		"{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1beta1\",\"verb\":\"get\"}",
		"{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":[]}",
		/* truncated */
		HEAD("a6", "get") USER,
		/* anonymous, no objectRef */
		HEAD("a7", "get") "\"user\":{\"username\":\"system:anonymous\"},\"responseStatus\":{\"code\":200}}",
	};
	for (size_t i = 0; i < sizeof(must_decode) / sizeof(*must_decode); i++) {
		int got = bha_prefilter(must_decode[i], strlen(must_decode[i]));
		if (got != 1)
			fail_msg("event %zu skipped: %s", i, must_decode[i]);
	}
	/* and what it is for: a read of pods by an ordinary user is skipped */
	const char *get = HEAD("b1", "get") USER REF "\"responseStatus\":{\"code\":200},\"responseObject\":" PRIV_POD "}";
	assert_int_equal(bha_prefilter(get, strlen(get)), 0);
	const char *rr = "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b2\",\"stage\":\"RequestReceived\","
			 "\"verb\":\"create\"," USER REF "\"requestObject\":" PRIV_POD "}";
	assert_int_equal(bha_prefilter(rr, strlen(rr)), 0);
}

static size_t findings(struct bh_audit *a, char *rules, size_t size)
{
	struct bh_report r;
	bh_audit_report(a, &r);
	rules[0] = 0;
	for (size_t i = 0; i < r.findings->n; i++) {
		size_t l = strlen(rules);
		snprintf(rules + l, size - l, "%s/%s ", r.findings->v[i].rule->id, bh_sev_name(r.findings->v[i].sev));
	}
	return r.findings->n;
}

/* a batch as the webhook backend sends it (items without kind/apiVersion): fast and full path agree */
static void test_batch_fast_equals_full(void **st)
{
	const char *body =
		"{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"metadata\":{},\"items\":["
		"{\"level\":\"Metadata\",\"auditID\":\"c0\",\"stage\":\"ResponseComplete\",\"requestURI\":\"/api/v1/pods\",\"verb\":\"list\"," USER
		"\"objectRef\":{\"resource\":\"pods\",\"apiVersion\":\"v1\"},\"responseStatus\":{\"code\":200}},"
		"{\"level\":\"RequestResponse\",\"auditID\":\"c1\",\"stage\":\"ResponseComplete\",\"verb\":\"create\"," USER REF TAIL ","
		"{\"level\":\"Metadata\",\"auditID\":\"c2\",\"stage\":\"ResponseStarted\",\"verb\":\"create\"," USER
		"\"objectRef\":{\"resource\":\"pods\",\"namespace\":\"team\",\"name\":\"evil\",\"apiVersion\":\"v1\",\"subresource\":\"exec\"},"
		"\"responseStatus\":{\"code\":101},\"stageTimestamp\":\"2026-12-01T22:00:30.000000Z\"}]}";
	char fast[512], full[512];
	for (int pass = 0; pass < 2; pass++) {
		struct bh_audit_opts o = {.no_fast = pass == 1};
		struct bh_audit *a;
		assert_int_equal(bh_audit_new(&o, &a), 0);
		struct bh_err err = {0};
		assert_int_equal(bh_audit_batch(a, "webhook", body, strlen(body), &err), 0);
		/* the same batch again (a retry) adds nothing */
		assert_int_equal(bh_audit_batch(a, "webhook", body, strlen(body), &err), 0);
		findings(a, pass ? full : fast, sizeof(fast));
		assert_int_equal(bh_audit_stats(a)->duplicates, 2); /* events no rule matches are not remembered */
		bh_audit_free(a);
	}
	assert_string_equal(fast, full);
	assert_string_equal(fast, "BH0800/critical BH0812/critical BH0801/high ");
}

/* a broken item is an error at its position in the body; the other items are judged */
static void test_batch_bad_item(void **st)
{
	const char *body = "{\"kind\":\"EventList\",\"apiVersion\":\"audit.k8s.io/v1\",\"items\":["
			   "{\"auditID\":\"d1\",\"stage\":\"ResponseComplete\",\"verb\":\"create\"," USER REF "\"requestObject\":tru},"
			   "{\"auditID\":\"d2\",\"stage\":\"ResponseComplete\",\"verb\":\"create\"," USER REF TAIL "]}";
	for (int pass = 0; pass < 2; pass++) {
		struct bh_audit_opts o = {.no_fast = pass == 1};
		struct bh_audit *a;
		assert_int_equal(bh_audit_new(&o, &a), 0);
		struct bh_err err = {0};
		int rc = bh_audit_batch(a, "webhook", body, strlen(body), &err);
		struct bh_report r;
		bh_audit_report(a, &r);
		if (pass == 0) { /* fast path: the bad item alone is an error */
			assert_int_equal(rc, 0);
			assert_int_equal(r.nerrors, 1);
			assert_int_equal(r.errors[0].line, 1);
			assert_true(r.errors[0].col > 60);
			assert_int_equal(r.findings->n, 1);
		} else { /* the whole body is one JSON value: the decoder stops at the first error */
			assert_true(rc < 0);
		}
		bh_audit_free(a);
	}
}

static void test_set_generations(void **st)
{
	struct bha_set s;
	assert_int_equal(bha_set_init(&s, 4), 0);
	for (uint64_t k = 1; k <= 8; k++)
		assert_false(bha_set_add(&s, k * 1000003));
	for (uint64_t k = 5; k <= 8; k++) /* the last generation is remembered */
		assert_true(bha_set_has(&s, k * 1000003));
	assert_false(bha_set_add(&s, 9 * 1000003)); /* a third generation: the first is forgotten */
	assert_false(bha_set_has(&s, 1 * 1000003));
	bha_set_release(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefilter_never_skips_a_match),
		cmocka_unit_test(test_batch_fast_equals_full),
		cmocka_unit_test(test_batch_bad_item),
		cmocka_unit_test(test_set_generations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
