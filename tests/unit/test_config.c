/* Config loading, validation errors with line:col, and application to findings. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config/config.h"
#include "rules/rules.h"
#include "serve/admission.h"
#include "serve/buf.h"

#define FIX "tests/fixtures/config/"

static void test_load_full(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "full.yaml", &c, &err), 0);
	assert_int_equal(c->ndisabled, 1);
	assert_true(bh_config_rule_disabled(c, bh_rule_find("BH0003")));
	assert_false(bh_config_rule_disabled(c, bh_rule_find("BH0001")));
	assert_int_equal(c->nexemptions, 3);
	assert_string_equal(c->exemptions[0].reason, "CNI agent needs privileged; owned by platform team (JIRA-123)");
	assert_int_equal(bh_config_action(c, BH_SEV_CRITICAL), BH_ACT_DENY);
	assert_int_equal(bh_config_action(c, BH_SEV_HIGH), BH_ACT_WARN);
	assert_int_equal(bh_config_action(c, BH_SEV_MEDIUM), BH_ACT_AUDIT);
	assert_int_equal(bh_config_action(c, BH_SEV_LOW), BH_ACT_NONE);
	const char *groups[] = {"system:authenticated", "system:masters"};
	assert_true(bh_config_exempt_request(c, "system:serviceaccount:kube-system:replicaset-controller", NULL, 0, "web"));
	assert_true(bh_config_exempt_request(c, "alice", groups, 2, "web"));
	assert_true(bh_config_exempt_request(c, "alice", NULL, 0, "kube-system"));
	assert_false(bh_config_exempt_request(c, "alice", groups, 1, "web"));
	bh_config_free(c);
}

static void expect_error(const char *file, unsigned line, const char *needle)
{
	struct bh_config *c = (void *)1;
	struct bh_err err = {0};
	assert_true(bh_config_load(file, &c, &err) < 0);
	assert_null(c);
	assert_int_equal(err.line, line);
	if (!strstr(err.msg, needle))
		fail_msg("%s: message \"%s\" lacks \"%s\"", file, err.msg, needle);
}

static void test_errors(void **st)
{
	(void)st;
	expect_error(FIX "no-reason.yaml", 2, "needs a reason");
	expect_error(FIX "unknown-key.yaml", 3, "unknown key \"enable\"");
	expect_error(FIX "bad-date.yaml", 4, "YYYY-MM-DD");
	expect_error(FIX "unknown-rule.yaml", 2, "unknown rule \"BH9999\"");
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "does-not-exist.yaml", &c, &err), -ENOENT);
}

static void test_registries(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "full.yaml", &c, &err), 0);
	assert_true(bh_config_trusted_registry(c, "registry.example.com/team/app:1"));
	assert_true(bh_config_trusted_registry(c, "ghcr.io/acme/tool@sha256:abc"));
	assert_false(bh_config_trusted_registry(c, "ghcr.io/acmex/tool:1"));
	assert_false(bh_config_trusted_registry(c, "registry.example.com.evil.io/app:1"));
	assert_true(bh_config_trusted_registry(c, "nginx:1.25"));      /* docker.io/library/nginx */
	assert_true(bh_config_trusted_registry(c, "bitnami/redis:7"));  /* docker.io/bitnami/redis */
	assert_true(bh_config_trusted_registry(c, "index.docker.io/library/busybox"));
	assert_false(bh_config_trusted_registry(c, "quay.io/x/y:1"));
	assert_false(bh_config_trusted_registry(c, "localhost:5000/x"));
	bh_config_free(c);
}

/* findings for one object decoded from yaml */
struct fx {
	struct bh_arena a, res;
	struct bh_decoder *d;
	struct bh_doc doc;
	struct bh_object o;
	struct bh_findings f;
	char notes[2048];
};

static int grab(const struct bh_object *o, void *ctx)
{
	((struct fx *)ctx)->o = *o;
	return 1;
}

static void fx_init(struct fx *x, const char *yaml)
{
	memset(x, 0, sizeof(*x));
	bh_arena_init(&x->a, 0);
	bh_arena_init(&x->res, 0);
	struct bh_err err = {0};
	x->d = bh_decoder_new("t.yaml", yaml, strlen(yaml), NULL);
	assert_int_equal(bh_decoder_next(x->d, &x->a, &x->doc, &err), 1);
	bh_objects_each(&x->doc, &x->a, grab, x);
	bh_findings_init(&x->f, &x->res);
	const char *ids[] = {"BH0001", "BH0003", "BH0004", "BH0002"};
	for (int i = 0; i < 4; i++) {
		const struct bh_rule *r = bh_rule_find(ids[i]);
		bh_emit(&x->f, r, r->sev, NULL, NULL, 1, 1, "%s", ids[i]);
	}
}

static void fx_free(struct fx *x)
{
	bh_findings_release(&x->f);
	bh_decoder_free(x->d);
	bh_arena_release(&x->a);
	bh_arena_release(&x->res);
}

static void note(const struct bh_object *o, const char *msg, void *ctx)
{
	(void)o;
	struct fx *x = ctx;
	strncat(x->notes, msg, sizeof(x->notes) - strlen(x->notes) - 2);
	strcat(x->notes, "\n");
}

static const struct bh_finding *find(struct fx *x, const char *id)
{
	for (size_t i = 0; i < x->f.n; i++)
		if (!strcmp(x->f.v[i].rule->id, id))
			return &x->f.v[i];
	return NULL;
}

static time_t day(int y, int m, int d)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
	return timegm(&tm);
}

static void test_apply(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "full.yaml", &c, &err), 0);
	struct fx x;

	fx_init(&x, "kind: DaemonSet\nmetadata: {name: calico-node, namespace: kube-system}\n");
	bh_config_apply(c, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_null(find(&x, "BH0003"));                   /* disabled */
	assert_int_equal(find(&x, "BH0004")->sev, BH_SEV_MEDIUM); /* override by name */
	assert_true(find(&x, "BH0001")->suppressed);
	assert_string_equal(find(&x, "BH0001")->suppress_reason,
			    "CNI agent needs privileged; owned by platform team (JIRA-123)");
	assert_false(find(&x, "BH0002")->suppressed);
	assert_string_equal(x.notes, "");
	fx_free(&x);

	/* the expired exemption: reported, not applied */
	fx_init(&x, "kind: Deployment\nmetadata: {name: old, namespace: web, labels: {app: legacy}}\n");
	bh_config_apply(c, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_false(find(&x, "BH0001")->suppressed);
	assert_non_null(strstr(x.notes, "expired on 2026-01-31"));
	fx_free(&x);
	/* …and before its date it applies (the whole expiry day included) */
	fx_init(&x, "kind: Deployment\nmetadata: {name: old, namespace: web, labels: {app: legacy}}\n");
	bh_config_apply(c, &x.o, &x.f, 0, day(2026, 1, 31), note, &x);
	assert_true(find(&x, "BH0001")->suppressed);
	fx_free(&x);

	/* kind + namespace selector, all rules */
	fx_init(&x, "kind: DaemonSet\nmetadata: {name: node-exporter, namespace: monitoring}\n");
	bh_config_apply(c, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_true(find(&x, "BH0001")->suppressed);
	assert_true(find(&x, "BH0002")->suppressed);
	fx_free(&x);
	bh_config_free(c);

	/* the annotation, with and without a reason, default config */
	fx_init(&x, "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    bulkhead.io/ignore: \"BH0001,host-pid debug pod, removed Friday\"\n");
	bh_config_apply(NULL, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_true(find(&x, "BH0001")->suppressed);
	assert_string_equal(find(&x, "BH0001")->suppress_reason, "debug pod, removed Friday");
	assert_true(find(&x, "BH0002")->suppressed);
	assert_false(find(&x, "BH0004")->suppressed);
	fx_free(&x);
	fx_init(&x, "kind: Pod\nmetadata:\n  name: p\n  annotations: {bulkhead.io/ignore: BH0001}\n");
	bh_config_apply(NULL, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_false(find(&x, "BH0001")->suppressed);
	assert_non_null(strstr(x.notes, "has no reason"));
	fx_free(&x);
}

static void test_empty(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "empty.yaml", &c, &err), BH_CONFIG_EMPTY);
	assert_non_null(c);
	assert_true(c->empty);
	assert_int_equal(bh_config_action(c, BH_SEV_CRITICAL), BH_ACT_DENY); /* the defaults */
	bh_config_free(c);
	assert_int_equal(bh_config_parse("mem.yaml", "", 0, &c, &err), BH_CONFIG_EMPTY);
	bh_config_free(c);
	assert_int_equal(bh_config_load(FIX "full.yaml", &c, &err), 0);
	assert_false(c->empty);
	bh_config_free(c);
}

static void count_expired(const struct bh_config *c, const struct bh_exemption *x, void *ctx)
{
	char msg[512];
	bh_config_expired_msg(c, x, msg, sizeof(msg));
	assert_non_null(strstr(msg, "areas.yaml:5 expired on 2001-01-01"));
	++*(int *)ctx;
}

static void test_areas(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "areas.yaml", &c, &err), 0);
	const struct bh_area_config *w = &c->watch;
	assert_true(w->present);
	assert_int_equal(w->ndisabled, 1);
	assert_string_equal(w->disabled[0].s, "container-setns");
	assert_int_equal(w->disabled[0].line, 2);
	assert_int_equal(w->disabled[0].col, 13);
	assert_int_equal(w->nsev, 1);
	assert_int_equal(w->sev_value[0], BH_SEV_LOW);
	assert_int_equal(w->nexemptions, 2);
	assert_int_equal(w->exemptions[0].nrules, 2);
	assert_string_equal(w->exemptions[0].comm, "sh");
	assert_int_equal(w->exemptions[1].nrules, 0); /* rule: "*" = every rule */
	assert_string_equal(w->exemptions[1].container, "0123");
	int n = 0;
	assert_int_equal(bh_config_each_expired(c, w->exemptions, w->nexemptions, time(NULL), count_expired, &n), 1);
	assert_int_equal(n, 1);
	/* serve: a service account exempt for every rule, and one only for some rules */
	assert_true(bh_config_exempt_request(c, "system:serviceaccount:argo:workflow-controller", NULL, 0, "web"));
	assert_false(bh_config_exempt_request(c, "system:serviceaccount:argo:server", NULL, 0, "web"));
	assert_false(bh_config_exempt_request(c, "argo/workflow-controller", NULL, 0, "web"));
	assert_false(bh_config_exempt_request(c, "system:serviceaccount:kube-system:ds", NULL, 0, "kube-system"));
	bh_config_free(c);
	expect_error(FIX "watch-typo.yaml", 6, "unknown key \"contianer\" in a watch.allow entry");
	expect_error(FIX "rule-and-rules.yaml", 3, "give rule or rules, not both");
}

static void test_sa_apply(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "areas.yaml", &c, &err), 0);
	struct fx x;
	const char *ds = "kind: DaemonSet\nmetadata: {name: agent, namespace: kube-system}\n";
	fx_init(&x, ds);
	struct bh_apply_opts opt = {.now = day(2026, 11, 28), .note = note, .ctx = &x,
				    .user = "system:serviceaccount:kube-system:daemon-set-controller"};
	bh_config_apply_opts(c, &x.o, &x.f, 0, &opt);
	assert_true(find(&x, "BH0002")->suppressed);
	assert_false(find(&x, "BH0001")->suppressed);
	fx_free(&x);
	fx_init(&x, ds); /* scan: no requester, a serviceAccount exemption never matches */
	bh_config_apply(c, &x.o, &x.f, 0, day(2026, 11, 28), note, &x);
	assert_false(find(&x, "BH0002")->suppressed);
	fx_free(&x);
	bh_config_free(c);
}

/* the serviceAccount selector through the whole admission path: the requester reaches the config */
static void review_as(const struct bh_config *c, const char *user, struct bh_admit_result *res)
{
	char body[1024];
	snprintf(body, sizeof(body),
		 "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"request\": {\"uid\": \"u1\", "
		 "\"kind\": {\"group\": \"apps\", \"version\": \"v1\", \"kind\": \"DaemonSet\"}, \"namespace\": "
		 "\"kube-system\", \"operation\": \"CREATE\", \"userInfo\": {\"username\": \"%s\"}, \"object\": "
		 "{\"apiVersion\": \"apps/v1\", \"kind\": \"DaemonSet\", \"metadata\": {\"name\": \"agent\", "
		 "\"namespace\": \"kube-system\"}, \"spec\": {\"template\": {\"spec\": {\"hostPID\": true, "
		 "\"containers\": [{\"name\": \"a\", \"image\": \"a@sha256:00\"}]}}}}}}",
		 user);
	struct bh_admission x;
	struct bh_buf out;
	bh_admission_init(&x);
	x.now = day(2026, 11, 28);
	bh_buf_init(&out, 0);
	assert_int_equal(bh_admission_review(&x, c, body, strlen(body), &out, res), 200);
	bh_buf_release(&out);
	bh_admission_release(&x);
}

static void test_sa_admission(void **st)
{
	(void)st;
	struct bh_config *c;
	struct bh_err err = {0};
	assert_int_equal(bh_config_load(FIX "areas.yaml", &c, &err), 0);
	struct bh_admit_result a, b, w;
	review_as(c, "system:serviceaccount:kube-system:daemon-set-controller", &a);
	review_as(c, "alice", &b);
	review_as(c, "system:serviceaccount:argo:workflow-controller", &w);
	assert_true(a.nsuppressed >= 1);            /* BH0002 exempt for this requester… */
	assert_int_equal(b.nsuppressed, 0);         /* …not for anyone else */
	assert_int_equal(a.nfindings + 1, b.nfindings);
	assert_int_equal(w.decision, BH_DEC_EXEMPT); /* every rule: the whole request */
	bh_config_free(c);
}

static void test_discover(void **st)
{
	(void)st;
	char path[4096];
	unsetenv("BULKHEAD_CONFIG");
	assert_int_equal(bh_config_discover("x.yaml", path, sizeof(path)), BH_CONFIG_OPTION);
	assert_string_equal(path, "x.yaml");
	setenv("BULKHEAD_CONFIG", "env.yaml", 1);
	assert_int_equal(bh_config_discover("x.yaml", path, sizeof(path)), BH_CONFIG_OPTION);
	assert_int_equal(bh_config_discover(NULL, path, sizeof(path)), BH_CONFIG_ENV);
	assert_string_equal(path, "env.yaml");
	assert_string_equal(bh_config_source_name(BH_CONFIG_ENV), "$BULKHEAD_CONFIG");
	setenv("BULKHEAD_CONFIG", "", 1); /* empty = unset */
	assert_int_not_equal(bh_config_discover(NULL, path, sizeof(path)), BH_CONFIG_ENV);
	unsetenv("BULKHEAD_CONFIG");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_full),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_registries),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_sa_apply),
		cmocka_unit_test(test_sa_admission),
		cmocka_unit_test(test_discover),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
