/* `inside` on fixture trees (tests/fixtures/inside/<case>/): probe + evaluate without a container. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/inside.h"

static struct bh_cvedb db;

struct run {
	struct bh_inside f;
	struct bh_arena a;
	struct bh_findings out;
};

static int setup(void **state)
{
	struct bh_err err = {0};
	return bh_cvedb_load_builtin(&db, &err);
}

static int teardown(void **state)
{
	bh_cvedb_release(&db);
	return 0;
}

static struct run *run(const char *fixture)
{
	char root[512];
	const char *top = getenv("TOP");
	snprintf(root, sizeof(root), "%s%stests/fixtures/inside/%s", top ? top : "", top ? "/" : "", fixture);
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	struct bh_inside_opts o = {.root = root};
	struct bh_err err = {0};
	if (bh_inside_probe(&o, &r->f, &err))
		fail_msg("probe %s: %s", root, err.msg);
	assert_false(r->f.live);
	bh_arena_init(&r->a, 1u << 20);
	bh_findings_init(&r->out, &r->a);
	assert_int_equal(bh_inside_evaluate(&r->f, &db, &r->out), 0);
	return r;
}

static void done(struct run *r)
{
	bh_findings_release(&r->out);
	bh_arena_release(&r->a);
	free(r);
}

/* the finding of rule id (and field, if given), or NULL */
static const struct bh_finding *find(const struct run *r, const char *id, const char *field)
{
	for (size_t i = 0; i < r->out.n; i++) {
		const struct bh_finding *x = &r->out.v[i];
		if (!strcmp(x->rule->id, id) && (!field || (x->field && !strcmp(x->field, field))))
			return x;
	}
	return NULL;
}

static void expect(const struct run *r, const char *id, const char *field, enum bh_sev sev)
{
	const struct bh_finding *x = find(r, id, field);
	if (!x)
		fail_msg("no %s%s%s finding", id, field ? " " : "", field ? field : "");
	if (x->sev != sev)
		fail_msg("%s %s: severity %s, want %s", id, field ? field : "", bh_sev_name(x->sev), bh_sev_name(sev));
}

static void absent(const struct run *r, const char *id)
{
	const struct bh_finding *x = find(r, id, NULL);
	if (x)
		fail_msg("unexpected %s: %s", id, x->message);
}

static void test_restricted_pod(void **state)
{
	struct run *r = run("k8s-restricted");
	const struct bh_inside *f = &r->f;
	assert_true(f->in_container);
	assert_true(f->kubernetes);
	assert_non_null(strstr(f->runtime, "containerd"));
	assert_int_equal(f->euid, 1000);
	assert_int_equal(f->cap_eff, 0);
	assert_int_equal(f->nnp, 1);
	assert_int_equal(f->seccomp, 2);
	assert_int_equal(f->lsm_confined, 1);
	assert_string_equal(f->lsm_name, "apparmor");
	for (int i = 0; i < BH_NS_N; i++)
		if (i != BH_NS_USER)
			assert_int_equal(f->ns[i].host, 0);
	assert_int_equal(f->ns[BH_NS_USER].host, 1);
	assert_int_equal(f->in_userns, 0);
	assert_int_equal(f->userns_create, 0);   /* max_user_namespaces = 0 */
	assert_int_equal(f->cgroup_v1, 0);
	assert_int_equal(f->proc_sys_writable, 0);
	assert_int_equal(f->sys_writable, 0);
	assert_int_equal(f->nmounts, 0);         /* emptyDir, hosts, hostname are kubelet/runtime files */
	assert_string_equal(f->kernel.release, "5.10.0-28-amd64");
	assert_int_equal(f->kernel.distro, BH_DISTRO_DEBIAN);
	assert_int_equal(f->kernel.ver.n[2], 209);

	expect(r, "BH0400", NULL, BH_SEV_INFO);
	expect(r, "BH0428", "Seccomp", BH_SEV_INFO);
	expect(r, "BH0427", "/", BH_SEV_INFO);
	expect(r, "BH0425", "/var/run/secrets/kubernetes.io/serviceaccount/token", BH_SEV_LOW);
	assert_non_null(strstr(find(r, "BH0425", NULL)->message, "'web'"));
	/* CVE-2024-1086 is in range (5.10.209 < 5.10.210) but unreachable: no user namespaces, no NET_ADMIN */
	expect(r, "BH0424", "CVE-2024-1086", BH_SEV_INFO);
	assert_non_null(strstr(find(r, "BH0424", "CVE-2024-1086")->evidence, "security-tracker.debian.org"));
	assert_null(find(r, "BH0424", "CVE-2022-0847")); /* fixed in 5.10.102 */
	assert_null(find(r, "BH0424", "CVE-2023-0386")); /* introduced in 5.11 */
	static const char *const none[] = {"BH0401", "BH0402", "BH0403", "BH0404", "BH0405", "BH0406", "BH0407",
					   "BH0408", "BH0409", "BH0410", "BH0413", "BH0414", "BH0416", "BH0417",
					   "BH0418", "BH0419", "BH0420", "BH0421", "BH0422", "BH0423", "BH0426"};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		absent(r, none[i]);
	/* the object of host findings is the container */
	assert_string_equal(r->out.v[0].obj.kind, "Container");
	assert_string_equal(r->out.v[0].obj.name, "api-7d9f8b6c5d-x2x9q");
	done(r);
}

static void test_privileged_docker(void **state)
{
	struct run *r = run("privileged-docker");
	const struct bh_inside *f = &r->f;
	assert_string_equal(f->runtime, "docker");
	assert_int_equal(strlen(f->container_id), 64);
	assert_int_equal(f->cap_last, 40);
	assert_int_equal(f->ns[BH_NS_PID].host, 1);
	assert_int_equal(f->ns[BH_NS_NET].host, 0);
	assert_int_equal(f->lsm_confined, 0);
	assert_int_equal(f->cgroup_v1, 1);
	assert_true(f->kernel.exact);            /* /proc/version_signature: base 5.15.131 */
	assert_int_equal(f->kernel.ver.n[2], 131);

	expect(r, "BH0401", "CapEff", BH_SEV_CRITICAL);
	assert_non_null(strstr(find(r, "BH0401", NULL)->message, "41 of 41"));
	absent(r, "BH0402");                     /* the full set is one finding, not 41 */
	expect(r, "BH0405", "NoNewPrivs", BH_SEV_MEDIUM);
	expect(r, "BH0406", "Seccomp", BH_SEV_HIGH);
	expect(r, "BH0407", NULL, BH_SEV_HIGH);
	expect(r, "BH0408", NULL, BH_SEV_CRITICAL); /* hostPID with every capability */
	assert_non_null(strstr(find(r, "BH0408", NULL)->evidence, "pid:[4026531836]"));
	absent(r, "BH0409");
	expect(r, "BH0414", NULL, BH_SEV_MEDIUM);
	expect(r, "BH0417", "/host", BH_SEV_CRITICAL);
	expect(r, "BH0417", "/src", BH_SEV_LOW);
	expect(r, "BH0416", "/var/run/docker.sock", BH_SEV_CRITICAL);
	absent(r, "BH0418");                     /* no devices in the fixture's /dev */
	expect(r, "BH0419", "/proc/sys", BH_SEV_CRITICAL);
	expect(r, "BH0420", "/sys", BH_SEV_HIGH); /* uevent_helper writability is only known live */
	expect(r, "BH0421", "/sys/fs/cgroup/memory", BH_SEV_HIGH);
	expect(r, "BH0426", "/", BH_SEV_LOW);
	/* Ubuntu 5.15 base 5.15.131 < 5.15.149: in range, NET_ADMIN held, back-ports possible → one step lower */
	expect(r, "BH0424", "CVE-2024-1086", BH_SEV_HIGH);
	assert_non_null(strstr(find(r, "BH0424", "CVE-2024-1086")->evidence, "ubuntu.com/security/CVE-2024-1086"));
	assert_non_null(find(r, "BH0424", "CVE-2023-2640"));  /* Ubuntu-only record */
	done(r);
}

static void test_user_namespace(void **state)
{
	struct run *r = run("userns");
	assert_int_equal(r->f.in_userns, 1);
	assert_int_equal(r->f.host_uid_of_root, 100000);
	expect(r, "BH0415", NULL, BH_SEV_INFO);
	/* CAP_SYS_ADMIN over a user namespace only: one step lower than critical */
	expect(r, "BH0402", "CAP_SYS_ADMIN", BH_SEV_HIGH);
	assert_non_null(strstr(find(r, "BH0402", NULL)->message, "namespaced"));
	absent(r, "BH0414");
	absent(r, "BH0404");
	absent(r, "BH0422");                     /* no cgroup v1, and SYS_ADMIN is namespaced */
	done(r);
}

static void test_bad_root(void **state)
{
	struct bh_inside *f = malloc(sizeof(*f));
	assert_non_null(f);
	struct bh_inside_opts o = {.root = "/nonexistent/bulkhead-fixture"};
	struct bh_err err = {0};
	assert_true(bh_inside_probe(&o, f, &err) < 0);
	assert_non_null(strstr(err.msg, "not a directory"));
	free(f);
}

static void test_rule_table(void **state)
{
	size_t n;
	const struct bh_rule *rules = bh_inside_rules(&n);
	assert_true(n >= 30);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(rules[i].id);
		assert_true(strncmp(rules[i].id, "BH04", 4) == 0); /* the inside range BH0400–BH0499 */
		assert_non_null(rules[i].name);
		assert_non_null(rules[i].title);
		assert_non_null(rules[i].remediation);
		assert_null(rules[i].check);                        /* host rules emit through inside.c */
		for (size_t j = 0; j < i; j++) {
			assert_string_not_equal(rules[i].id, rules[j].id);
			assert_string_not_equal(rules[i].name, rules[j].name);
		}
	}
	assert_string_equal(bh_cap_name(21), "CAP_SYS_ADMIN");
	assert_string_equal(bh_cap_name(40), "CAP_CHECKPOINT_RESTORE");
	assert_null(bh_cap_name(41));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_restricted_pod), cmocka_unit_test(test_privileged_docker),
		cmocka_unit_test(test_user_namespace), cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_rule_table),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
