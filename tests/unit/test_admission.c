/* The AdmissionReview handler without sockets: answers are parsed back with the project's own JSON decoder
 * and checked field by field (uid echo, decisions by config, message and warning limits, 400s). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config/config.h"
#include "decode/node.h"
#include "serve/admission.h"

struct answer {
	struct bh_arena a;
	struct bh_doc doc;
	const struct bh_node *resp;
	int status;
	struct bh_admit_result res;
	struct bh_buf out;
};

static struct bh_admission adm;

static int setup(void **st)
{
	(void)st;
	bh_admission_init(&adm);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	bh_admission_release(&adm);
	return 0;
}

/* Runs one review and parses the answer (which must always be valid JSON). */
static void run(struct answer *an, const struct bh_config *cfg, const char *body)
{
	memset(an, 0, sizeof(*an));
	bh_buf_init(&an->out, 0);
	an->status = bh_admission_review(&adm, cfg, body, strlen(body), &an->out, &an->res);
	bh_arena_init(&an->a, 0);
	struct bh_decoder *d = bh_decoder_new("answer", an->out.p, an->out.len, NULL);
	assert_non_null(d);
	struct bh_err err = {0};
	if (bh_decoder_next(d, &an->a, &an->doc, &err) != 1)
		fail_msg("answer is not JSON (%s): %.*s", err.msg, (int)an->out.len, an->out.p);
	bh_decoder_free(d);
	assert_true(an->doc.json);
	an->resp = bh_map_get(an->doc.root, "response", BH_READ_LAST, NULL, NULL);
}

static void done(struct answer *an)
{
	bh_arena_release(&an->a);
	bh_buf_release(&an->out);
}

static const struct bh_node *at(const struct bh_node *n, const char *path)
{
	char key[64];
	while (n && *path) {
		size_t l = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)l, path);
		n = bh_map_get(n, key, BH_READ_LAST, NULL, NULL);
		path += l + (path[l] == '.');
	}
	return n;
}

static const char *str(const struct bh_node *n, const char *path)
{
	const char *s;
	size_t len;
	return bh_as_str(at(n, path), &s, &len) == BH_OK ? s : NULL;
}

static int boolean(const struct bh_node *n, const char *path)
{
	bool b;
	return bh_as_bool(at(n, path), &b) == BH_OK ? b : -1;
}

/* An AdmissionReview for a Pod with the given containers JSON and request extras. */
static char *review(const char *uid, const char *op, const char *extra, const char *containers)
{
	char *s;
	if (asprintf(&s,
		     "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"%s\", "
		     "\"kind\": {\"group\": \"\", \"version\": \"v1\", \"kind\": \"Pod\"}, \"namespace\": \"web\", "
		     "\"operation\": \"%s\", \"userInfo\": {\"username\": \"alice\", \"groups\": [\"dev\"]}%s, "
		     "\"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, "
		     "\"spec\": {\"securityContext\": {\"runAsNonRoot\": true, \"seccompProfile\": {\"type\": \"RuntimeDefault\"}}, "
		     "\"containers\": %s}}}}",
		     uid, op, extra, containers) < 0)
		abort();
	return s;
}

#define PRIV "[{\"name\": \"app\", \"image\": \"x@sha256:00\", \"securityContext\": {\"privileged\": true}}]"
#define SAFE                                                                                                   \
	"[{\"name\": \"app\", \"image\": \"x@sha256:00\", \"securityContext\": {\"allowPrivilegeEscalation\": false, " \
	"\"readOnlyRootFilesystem\": true, \"capabilities\": {\"drop\": [\"ALL\"]}}}]"
#define MEDIUM                                                                                                 \
	"[{\"name\": \"app\", \"image\": \"x@sha256:00\", \"securityContext\": {\"allowPrivilegeEscalation\": false, " \
	"\"capabilities\": {\"drop\": [\"ALL\"], \"add\": [\"SYS_TIME\"]}}}]"

static void test_allow_deny(void **st)
{
	(void)st;
	struct answer an;
	char *r = review("u-1", "CREATE", "", SAFE);
	run(&an, NULL, r);
	assert_int_equal(an.status, 200);
	assert_string_equal(str(an.doc.root, "apiVersion"), "admission.k8s.io/v1");
	assert_string_equal(str(an.doc.root, "kind"), "AdmissionReview");
	assert_string_equal(str(an.resp, "uid"), "u-1");
	assert_int_equal(boolean(an.resp, "allowed"), 1);
	assert_true(an.res.decision == BH_DEC_ALLOW || an.res.decision == BH_DEC_AUDIT); /* low hygiene findings are audited */
	done(&an);
	free(r);

	r = review("u-2", "CREATE", "", PRIV);
	run(&an, NULL, r);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_string_equal(str(an.resp, "status.reason"), "Forbidden");
	const char *m = str(an.resp, "status.message");
	assert_non_null(strstr(m, "BH0001"));
	assert_non_null(strstr(m, "Pod web/p"));
	assert_non_null(strstr(m, "spec.containers[0].securityContext.privileged"));
	assert_int_equal(an.res.decision, BH_DEC_DENY);
	assert_true(an.res.nrule >= 1);
	done(&an);
	free(r);
}

static void test_uid_echo_escaped(void **st)
{
	(void)st;
	struct answer an;
	/* \u escapes and quotes in the uid come back as the same string */
	char *r = review("a\\\"b\\u00e9\\\\c", "CREATE", "", SAFE);
	run(&an, NULL, r);
	assert_string_equal(str(an.resp, "uid"), "a\"b\xc3\xa9\\c");
	done(&an);
	free(r);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static struct bh_config *config(const char *text)
{
	char path[] = "/tmp/bh-admission-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	write_file(path, text);
	struct bh_config *c;
	struct bh_err err = {0};
	if (bh_config_load(path, &c, &err) < 0)
		fail_msg("config: %s", err.msg);
	unlink(path);
	return c;
}

static void test_actions(void **st)
{
	(void)st;
	struct answer an;
	char *r = review("u-3", "CREATE", "", MEDIUM);
	run(&an, NULL, r); /* default: medium → warn */
	assert_int_equal(boolean(an.resp, "allowed"), 1);
	assert_int_equal(an.res.decision, BH_DEC_WARN);
	const struct bh_node *w = at(an.resp, "warnings");
	assert_non_null(w);
	assert_int_equal(w->type, BH_SEQ);
	assert_non_null(strstr(w->items[0]->s, "BH0006"));
	done(&an);

	struct bh_config *c = config("serve:\n  actions: {medium: audit}\n");
	run(&an, c, r);
	assert_int_equal(boolean(an.resp, "allowed"), 1);
	assert_null(at(an.resp, "warnings"));
	assert_string_equal(str(an.resp, "auditAnnotations.decision"), "audit");
	assert_non_null(strstr(str(an.resp, "auditAnnotations.findings"), "BH0006(medium,app)"));
	done(&an);
	bh_config_free(c);

	c = config("serve:\n  actions: {medium: deny}\n");
	run(&an, c, r);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);
	bh_config_free(c);
	free(r);

	c = config("serve:\n  exemptGroups: [\"dev\"]\n");
	r = review("u-4", "CREATE", "", PRIV);
	run(&an, c, r);
	assert_int_equal(boolean(an.resp, "allowed"), 1);
	assert_int_equal(an.res.decision, BH_DEC_EXEMPT);
	done(&an);
	bh_config_free(c);
	free(r);
}

/* serve.honorIgnoreAnnotation (default false) refuses self-exemption through the annotation */
static void test_ignore_annotation_policy(void **st)
{
	(void)st;
	const char *body =
		"{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-9\", "
		"\"kind\": {\"group\": \"\", \"version\": \"v1\", \"kind\": \"Pod\"}, \"namespace\": \"web\", "
		"\"operation\": \"CREATE\", \"userInfo\": {\"username\": \"alice\"}, \"object\": {\"apiVersion\": \"v1\", "
		"\"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", \"annotations\": {\"bulkhead.io/ignore\": "
		"\"BH0001 GPU driver installer, SEC-7\"}}, \"spec\": {\"containers\": " PRIV "}}}}";
	struct answer an;
	run(&an, NULL, body);
	assert_int_equal(boolean(an.resp, "allowed"), 0); /* default: whoever writes the object cannot exempt it */
	done(&an);
	struct bh_config *c = config("serve:\n  honorIgnoreAnnotation: false\n");
	run(&an, c, body);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);
	bh_config_free(c);
	c = config("serve:\n  honorIgnoreAnnotation: true\n");
	run(&an, c, body);
	assert_int_equal(boolean(an.resp, "allowed"), 1); /* a cluster may opt in */
	done(&an);
	bh_config_free(c);
	struct bh_err err = {0};
	struct bh_config *bad = NULL;
	FILE *f = fopen("/tmp/bh-honor.yaml", "w");
	assert_non_null(f);
	fputs("serve:\n  honorIgnoreAnnotation: maybe\n", f);
	fclose(f);
	assert_true(bh_config_load("/tmp/bh-honor.yaml", &bad, &err) < 0);
	assert_non_null(strstr(err.msg, "expected true or false"));
	unlink("/tmp/bh-honor.yaml");
}

/* Every warning stays within 120 bytes, even when cut inside a multi-byte character; the list is bounded. */
static void test_warning_limits(void **st)
{
	(void)st;
	char containers[64 * 1024] = "[";
	for (int i = 0; i < 40; i++) {
		char one[512];
		snprintf(one, sizeof(one),
			 "%s{\"name\": \"c%d-\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			 "\xc3\xa9\xc3\xa9\xc3\xa9\", \"image\": \"x@sha256:00\", \"securityContext\": {\"allowPrivilegeEscalation\": false, "
			 "\"capabilities\": {\"drop\": [\"ALL\"], \"add\": [\"SYS_TIME\"]}}}",
			 i ? ", " : "", i);
		strcat(containers, one);
	}
	strcat(containers, "]");
	char *r = review("u-5", "CREATE", "", containers);
	struct answer an;
	run(&an, NULL, r); /* the decoder checks that every string is valid UTF-8 */
	const struct bh_node *w = at(an.resp, "warnings");
	assert_non_null(w);
	assert_int_equal(w->n, BH_ADMIT_MAX_WARNINGS);
	for (uint32_t i = 0; i < w->n; i++)
		assert_true(w->items[i]->len <= BH_ADMIT_WARN_LEN);
	assert_non_null(strstr(w->items[w->n - 1]->s, "more warning"));
	done(&an);
	free(r);
}

static void test_message_limit(void **st)
{
	(void)st;
	char containers[64 * 1024] = "[";
	for (int i = 0; i < 200; i++) {
		char one[256];
		snprintf(one, sizeof(one), "%s{\"name\": \"c%d\", \"image\": \"x@sha256:00\", \"securityContext\": {\"privileged\": true}}",
			 i ? ", " : "", i);
		strcat(containers, one);
	}
	strcat(containers, "]");
	char *r = review("u-6", "CREATE", "", containers);
	struct answer an;
	run(&an, NULL, r);
	const struct bh_node *m = at(an.resp, "status.message");
	assert_non_null(m);
	assert_true(m->len <= BH_ADMIT_MAX_MESSAGE);
	assert_non_null(strstr(m->s, "more."));
	assert_true(strlen(str(an.resp, "auditAnnotations.findings")) <= BH_ADMIT_MAX_ANNOTATION);
	done(&an);
	free(r);
}

static void test_skips(void **st)
{
	(void)st;
	struct answer an;
	char *r = review("u-7", "DELETE", "", PRIV);
	run(&an, NULL, r);
	assert_int_equal(boolean(an.resp, "allowed"), 1);
	assert_int_equal(an.res.decision, BH_DEC_SKIP);
	done(&an);
	free(r);
	r = review("u-8", "UPDATE", ", \"subResource\": \"status\"", PRIV);
	run(&an, NULL, r);
	assert_int_equal(an.res.decision, BH_DEC_SKIP);
	done(&an);
	free(r);
	r = review("u-9", "CREATE", ", \"dryRun\": true", PRIV);
	run(&an, NULL, r);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_true(an.res.dry_run);
	done(&an);
	free(r);
}

static void expect_400(const char *body, const char *needle)
{
	struct answer an;
	run(&an, NULL, body);
	assert_int_equal(an.status, 400);
	assert_int_equal(an.res.decision, BH_DEC_INVALID);
	const char *e = str(an.doc.root, "error");
	if (!e || !strstr(e, needle))
		fail_msg("error \"%s\" lacks \"%s\"", e ? e : "(none)", needle);
	done(&an);
}

static void test_invalid(void **st)
{
	(void)st;
	expect_400("", "empty body");
	expect_400("[]", "JSON object");
	expect_400("{\"kind\": \"AdmissionReview\"", "malformed JSON");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1beta1\", \"kind\": \"AdmissionReview\", \"request\": {}}", "only admission.k8s.io/v1");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"Pod\"}", "kind must be AdmissionReview");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\"}", "no request");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": 1}}", "uid");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"x\", \"operation\": \"PATCH\", \"object\": {}}}",
		   "operation");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"x\", \"operation\": \"CREATE\", \"object\": [1]}}",
		   "not a JSON object");
	expect_400("{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"x\"}} {}", "after the AdmissionReview");
}

/* A wrong-typed security field makes the object one the API server would reject: denied, never "fine". */
static void test_wrong_type_denied(void **st)
{
	(void)st;
	char *r = review("u-10", "CREATE", "", "[{\"name\": \"app\", \"image\": \"x\", \"securityContext\": {\"privileged\": \"true\"}}]");
	struct answer an;
	run(&an, NULL, r);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);
	free(r);
}

/* The per-thread state is reused: many requests, alternating sizes, with no growth (ASan checks leaks). */
static void test_reuse(void **st)
{
	(void)st;
	char *small = review("u-11", "CREATE", "", PRIV);
	char *pad = malloc(2u << 20);
	memset(pad, 'a', (2u << 20) - 1);
	pad[(2u << 20) - 1] = 0;
	char *extra;
	assert_true(asprintf(&extra, ", \"options\": {\"pad\": \"%s\"}", pad) > 0);
	char *big = review("u-12", "CREATE", extra, PRIV);
	for (int i = 0; i < 200; i++) {
		struct answer an;
		run(&an, NULL, i % 50 == 49 ? big : small);
		assert_int_equal(boolean(an.resp, "allowed"), 0);
		done(&an);
	}
	assert_true(adm.tree.reserved <= (1u << 20) || adm.tree.reserved < (8u << 20));
	free(small);
	free(big);
	free(extra);
	free(pad);
}

/* A privileged Widget (a CRD whose template is configured in podTemplatePaths) as a review. */
static char *widget_review(const char *uid)
{
	char *s;
	if (asprintf(&s,
		     "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"%s\", "
		     "\"kind\": {\"group\": \"example.com\", \"version\": \"v1\", \"kind\": \"Widget\"}, \"namespace\": \"web\", "
		     "\"operation\": \"CREATE\", \"userInfo\": {\"username\": \"alice\"}, "
		     "\"object\": {\"apiVersion\": \"example.com/v1\", \"kind\": \"Widget\", \"metadata\": {\"name\": \"w\"}, "
		     "\"spec\": {\"runtime\": {\"workers\": {\"template\": {\"spec\": {\"containers\": %s}}}}}}}}",
		     uid, PRIV) < 0)
		abort();
	return s;
}

/* The attacker's sequence of the e2e lab: one large pod (denied) makes the thread give its engine memory
 * back; the config must still apply to the next review on that thread: the configured CRD stays denied. */
static void test_config_after_large_review(void **st)
{
	(void)st;
	struct bh_config *c = config("podTemplatePaths:\n  - {group: example.com, kind: Widget, "
				     "spec: spec.runtime.workers.template.spec}\n");
	char *w = widget_review("u-30");
	struct answer an;
	run(&an, c, w);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);

	/* 20,000 hostPath volumes: the engine's own memory (pod view, findings) grows past what is kept */
	size_t cap = 20000 * 64 + 256;
	char *vols = malloc(cap);
	assert_non_null(vols);
	size_t n = (size_t)snprintf(vols, cap, "%s, \"volumes\": [", PRIV);
	for (int i = 0; i < 20000; i++)
		n += (size_t)snprintf(vols + n, cap - n, "%s{\"name\": \"v%d\", \"hostPath\": {\"path\": \"/srv/%d\"}}",
				      i ? ", " : "", i, i);
	snprintf(vols + n, cap - n, "]");
	char *pod = review("u-31", "CREATE", "", vols);
	run(&an, c, pod);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);
	assert_true(adm.e.doc.reserved + adm.e.results.reserved > (1u << 20)); /* the release path is taken */

	run(&an, c, w);
	assert_int_equal(an.status, 200);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_non_null(strstr(str(an.resp, "status.message"), "BH0001"));
	done(&an);
	bh_config_free(c);
	free(w);
	free(pod);
	free(vols);
}

/* A flood of one rule's findings is counted on one finding; the critical one after it still decides. */
static void test_flood_per_rule(void **st)
{
	(void)st;
	size_t cap = 5000 * 10 + 256;
	char *caps = malloc(cap), *containers = malloc(cap + 256);
	assert_non_null(caps);
	assert_non_null(containers);
	caps[0] = 0;
	size_t n = 0;
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(caps + n, cap - n, "\"SYSLOG\", ");
	snprintf(caps + n, cap - n, "\"SYS_ADMIN\"");
	snprintf(containers, cap + 256,
		 "[{\"name\": \"app\", \"image\": \"x@sha256:00\", \"securityContext\": {\"allowPrivilegeEscalation\": false, "
		 "\"capabilities\": {\"drop\": [\"ALL\"], \"add\": [%s]}}}]",
		 caps);
	char *r = review("u-20", "CREATE", "", containers);
	struct answer an;
	run(&an, NULL, r);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_non_null(strstr(str(an.resp, "status.message"), "SYS_ADMIN"));
	assert_true(an.res.nfindings >= 5000); /* counted, not dropped */
	assert_null(strstr(str(an.resp, "status.message"), "cannot evaluate"));
	done(&an);
	free(r);
	free(caps);
	free(containers);
}

/* Over the time budget: denied with the reason, never allowed on a partial evaluation. */
static void test_budget(void **st)
{
	(void)st;
	char *r = review("u-21", "CREATE", "", SAFE);
	struct answer an;
	adm.budget_ns = 1;
	run(&an, NULL, r);
	adm.budget_ns = 0;
	assert_int_equal(an.status, 200);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_non_null(strstr(str(an.resp, "status.message"), "over the budget"));
	assert_non_null(str(an.resp, "auditAnnotations.incomplete"));
	done(&an);
	free(r);
}

/* CREATE or UPDATE without an object, UPDATE of an object being deleted, undecodable bodies with a uid. */
static void test_fail_closed(void **st)
{
	(void)st;
	struct answer an;
	run(&an, NULL,
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-22\", "
	    "\"operation\": \"CREATE\", \"object\": null}}");
	assert_int_equal(an.status, 200);
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	assert_int_equal(an.res.decision, BH_DEC_DENY);
	done(&an);

	/* spec changed on an object being deleted: still evaluated */
	run(&an, NULL,
	    "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u-23\", "
	    "\"kind\": {\"group\": \"\", \"version\": \"v1\", \"kind\": \"Pod\"}, \"operation\": \"UPDATE\", "
	    "\"object\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\", "
	    "\"deletionTimestamp\": \"2026-01-01T00:00:00Z\"}, \"spec\": {\"containers\": " PRIV "}}, "
	    "\"oldObject\": {\"apiVersion\": \"v1\", \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}, "
	    "\"spec\": {\"containers\": " SAFE "}}}}");
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);

	char deep[4096];
	int k = snprintf(deep, sizeof(deep), "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\","
					   "\"request\":{\"uid\":\"u-24\",\"operation\":\"CREATE\",\"object\":");
	memset(deep + k, '[', 2000);
	deep[k + 2000] = 0;
	run(&an, NULL, deep);
	assert_int_equal(an.status, 200);
	assert_string_equal(str(an.resp, "uid"), "u-24");
	assert_int_equal(boolean(an.resp, "allowed"), 0);
	done(&an);
	expect_400("{\"kind\":\"AdmissionReview\",\"request\":{\"operation\":\"CREATE\",\"object\":[[[[", "malformed JSON");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_deny),	 cmocka_unit_test(test_uid_echo_escaped),
		cmocka_unit_test(test_actions),		 cmocka_unit_test(test_warning_limits),
		cmocka_unit_test(test_message_limit),	 cmocka_unit_test(test_skips),
		cmocka_unit_test(test_invalid),		 cmocka_unit_test(test_wrong_type_denied),
		cmocka_unit_test(test_reuse),		 cmocka_unit_test(test_ignore_annotation_policy),
		cmocka_unit_test(test_flood_per_rule),	 cmocka_unit_test(test_budget),
		cmocka_unit_test(test_fail_closed),	 cmocka_unit_test(test_config_after_large_review),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
