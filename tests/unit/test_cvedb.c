/* The escape knowledge base: the built-in file loads and validates, version ranges and preconditions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "host/cvedb.h"
#include "host/pkgver.h"

static struct bh_cvedb db;

static int setup(void **state)
{
	struct bh_err err = {0};
	int rc = bh_cvedb_load_builtin(&db, &err);
	if (rc)
		fprintf(stderr, "built-in data: %s\n", err.msg);
	return rc;
}

static int teardown(void **state)
{
	bh_cvedb_release(&db);
	return 0;
}

static const struct bh_cve *find(const char *id)
{
	for (size_t i = 0; i < db.n; i++)
		if (!strcmp(db.v[i].id, id))
			return &db.v[i];
	fail_msg("%s not in the data file", id);
	return NULL;
}

static enum bh_cve_match kmatch(const char *id, const char *rel, const char *pv)
{
	struct bh_kernel k;
	struct bh_err err = {0};
	assert_int_equal(bh_kernel_parse(&k, rel, pv, NULL, &err), 0);
	return bh_cve_match_kernel(find(id), &k);
}

static enum bh_cve_match vmatch(const char *id, const char *ver)
{
	struct bh_ver v;
	assert_int_equal(bh_ver_parse(ver, &v, NULL), 0);
	return bh_cve_match_version(find(id), &v);
}

static void test_builtin_valid(void **state)
{
	assert_true(db.n >= 30);
	for (size_t i = 0; i < db.n; i++) {
		const struct bh_cve *c = &db.v[i];
		assert_non_null(c->component);
		assert_true(c->nrefs > 0);
		assert_true(c->nfixed > 0);
		assert_non_null(c->summary);
		/* every record cites its CVE record or the project's advisory */
		int cited = 0;
		for (unsigned r = 0; r < c->nrefs; r++)
			if (strstr(c->refs[r], c->id) || strstr(c->refs[r], "/advisories/GHSA-"))
				cited = 1;
		if (!cited)
			fail_msg("%s cites neither its CVE record nor an advisory", c->id);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(db.v[j].id, c->id))
				fail_msg("%s appears twice", c->id);
	}
}

static void test_kernel_ranges(void **state)
{
	/* Dirty Pipe: 5.8-rc1 .. fixed 5.10.102, 5.15.25, 5.16.11, mainline 5.17 */
	assert_int_equal(kmatch("CVE-2022-0847", "5.10.101", NULL), BH_CVE_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0847", "5.10.102", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0847", "5.15.24", NULL), BH_CVE_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0847", "5.13.19", NULL), BH_CVE_AFFECTED);  /* EOL branch */
	assert_int_equal(kmatch("CVE-2022-0847", "5.17.0", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0847", "5.17-rc5", NULL), BH_CVE_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0847", "5.4.250", NULL), BH_CVE_NOT_AFFECTED); /* before 5.8 */
	assert_int_equal(kmatch("CVE-2022-0847", "6.18.44-fc-v657", NULL), BH_CVE_NOT_AFFECTED);
	/* CVE-2024-1086 */
	assert_int_equal(kmatch("CVE-2024-1086", "6.1.75", NULL), BH_CVE_AFFECTED);
	assert_int_equal(kmatch("CVE-2024-1086", "6.1.76", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2024-1086", "3.10.108", NULL), BH_CVE_NOT_AFFECTED); /* before 3.15 */
}

static void test_kernel_distro(void **state)
{
	/* Debian ABI spelling: only the branch is known, so a fix may be back-ported */
	assert_int_equal(kmatch("CVE-2022-0847", "5.10.0-28-amd64", NULL), BH_CVE_MAYBE);
	assert_int_equal(kmatch("CVE-2022-0847", "6.1.0-18-cloud-amd64", NULL), BH_CVE_NOT_AFFECTED);
	/* ... unless the banner names the level */
	assert_int_equal(kmatch("CVE-2022-0847", "5.10.0-28-amd64", "#1 SMP Debian 5.10.209-2 (2024-01-31)"),
			 BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2024-1086", "5.10.0-28-amd64", "#1 SMP Debian 5.10.209-2 (2024-01-31)"),
			 BH_CVE_MAYBE);
	/* RHEL 8 (4.18) predates Dirty Pipe but is in CVE-2022-0492's range */
	assert_int_equal(kmatch("CVE-2022-0847", "4.18.0-513.el8.x86_64", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2022-0492", "4.18.0-513.el8.x86_64", NULL), BH_CVE_MAYBE);
	/* Ubuntu-only records never match other kernels */
	assert_int_equal(kmatch("CVE-2023-2640", "6.2.0-25-generic", NULL), BH_CVE_AFFECTED);
	assert_int_equal(kmatch("CVE-2023-2640", "6.2.0-26-generic", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2023-2640", "6.2.16", NULL), BH_CVE_NOT_AFFECTED);
	assert_int_equal(kmatch("CVE-2023-2640", "6.1.0-18-amd64", NULL), BH_CVE_NOT_AFFECTED);
	/* Amazon Linux carries the stable level but back-ports */
	assert_int_equal(kmatch("CVE-2024-1086", "6.1.55-75.123.amzn2023.x86_64", NULL), BH_CVE_MAYBE);
}

static void test_runtime_ranges(void **state)
{
	assert_int_equal(vmatch("CVE-2024-21626", "1.1.11"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2024-21626", "1.1.12"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2024-21626", "1.0.0-rc92"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2024-21626", "1.0.0-rc93"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2024-21626", "1.0.3"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2019-5736", "1.0.0-rc6"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2019-5736", "1.1.5"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2025-31133", "1.1.5"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2025-31133", "1.2.8"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2025-31133", "1.3.2"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2025-31133", "1.4.0-rc.2"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2025-31133", "1.4.0"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2022-0811", "1.18.4"), BH_CVE_NOT_AFFECTED);
	assert_int_equal(vmatch("CVE-2022-0811", "1.22.2"), BH_CVE_AFFECTED);
	assert_int_equal(vmatch("CVE-2022-0811", "1.24.0"), BH_CVE_NOT_AFFECTED);
}

struct probe_tab {
	const char *tok;
	int val;
};

static int probe(const char *tok, void *ctx)
{
	for (const struct probe_tab *t = ctx; t->tok; t++)
		if (!strcmp(t->tok, tok))
			return t->val;
	return -1;
}

static void test_needs(void **state)
{
	char why[256];
	const struct bh_cve *c = find("CVE-2022-0492"); /* cgroup_v1 no_lsm cap_sys_admin|userns */
	struct probe_tab open_[] = {{"cgroup_v1", 1}, {"no_lsm", 1}, {"cap_sys_admin", 0}, {"userns", 1}, {0}};
	assert_int_equal(bh_cve_needs_eval(c, probe, open_, why, sizeof(why)), 1);
	assert_non_null(strstr(why, "userns=yes"));
	assert_non_null(strstr(why, "cap_sys_admin=no"));
	struct probe_tab closed[] = {{"cgroup_v1", 1}, {"no_lsm", 0}, {"cap_sys_admin", 1}, {"userns", 1}, {0}};
	assert_int_equal(bh_cve_needs_eval(c, probe, closed, why, sizeof(why)), 0);
	struct probe_tab unknown[] = {{"cgroup_v1", 1}, {"no_lsm", 1}, {"cap_sys_admin", 0}, {0}};
	assert_int_equal(bh_cve_needs_eval(c, probe, unknown, why, sizeof(why)), -1);
	assert_int_equal(bh_cve_needs_eval(find("CVE-2022-0847"), probe, closed, why, sizeof(why)), 1);
	assert_string_equal(why, "");
}

/* dpkg order (Debian Policy 5.6.12): '~' before everything, letters before other characters, epochs first */
static void test_dpkg_order(void **state)
{
	assert_true(bh_dpkg_vercmp("5.10.46-4", "5.10.92-2") < 0);
	assert_true(bh_dpkg_vercmp("5.10.103-1", "5.10.92-2") > 0);
	assert_true(bh_dpkg_vercmp("1.0~rc1", "1.0") < 0);
	assert_true(bh_dpkg_vercmp("1.4.13~ds1-1~deb11u1", "1.4.13~ds1-1") < 0);
	assert_true(bh_dpkg_vercmp("1.0.0~rc93+ds1-5+deb11u2", "1.0.0~rc93+ds1-5+deb11u3") < 0);
	assert_true(bh_dpkg_vercmp("1.1.5+ds1-1+deb12u1", "1.1.5+ds1-1+deb12u1") == 0);
	assert_true(bh_dpkg_vercmp("5.13.0-35.40~20.04.1", "5.13.0-35.40") < 0);
	assert_true(bh_dpkg_vercmp("5.13.0-30.33~20.04.1", "5.13.0-35.40~20.04.1") < 0);
	assert_true(bh_dpkg_vercmp("1:1.0", "2.0") > 0);
	assert_true(bh_dpkg_vercmp("1.0a", "1.0+") < 0); /* letters sort before non-letters */
	assert_true(bh_dpkg_vercmp("1.01", "1.1") == 0);
}

/* rpm order (rpmvercmp): numeric segments compare as numbers and beat alphabetic ones */
static void test_rpm_order(void **state)
{
	assert_true(bh_rpm_vercmp("4.18.0-348.7.1.el8_5", "4.18.0-348.20.1.el8_5") < 0);
	assert_true(bh_rpm_vercmp("4.18.0-372.9.1.el8", "4.18.0-348.20.1.el8_5") > 0);
	assert_true(bh_rpm_vercmp("1.0~rc1", "1.0") < 0);
	assert_true(bh_rpm_vercmp("1.0.1", "1.0a") > 0);
	assert_true(bh_rpm_vercmp("2:1.0", "1:9.9") > 0);
	assert_true(bh_rpm_vercmp("1.0-1", "1.0-1") == 0);
}

/* distfix: the distribution's own verdict, per release and kernel branch */
static void test_distfix(void **state)
{
	const struct bh_cve *c = find("CVE-2022-0847");
	const struct bh_cve_distfix *d;
	assert_int_equal(bh_cve_distfix(c, "debian", "11", NULL, "5.10.46-4", &d), BH_DISTFIX_AFFECTED);
	assert_string_equal(d->version, "5.10.92-2");
	assert_int_equal(bh_cve_distfix(c, "debian", "11", NULL, "5.10.92-2", NULL), BH_DISTFIX_FIXED);
	assert_int_equal(bh_cve_distfix(c, "debian", "12", NULL, "6.1.76-1", NULL), BH_DISTFIX_UNKNOWN);
	assert_int_equal(bh_cve_distfix(c, "ubuntu", "20.04", NULL, "5.13.0-35.40~20.04.1", NULL), BH_DISTFIX_FIXED);
	assert_int_equal(bh_cve_distfix(c, "ubuntu", "20.04", NULL, "5.13.0-30.33~20.04.1", NULL), BH_DISTFIX_AFFECTED);
	/* another branch of the same release has no entry: no verdict */
	assert_int_equal(bh_cve_distfix(c, "ubuntu", "20.04", NULL, "5.4.0-100.113", NULL), BH_DISTFIX_UNKNOWN);
	assert_int_equal(bh_cve_distfix(c, "rhel", "8.5", NULL, "4.18.0-348.7.1.el8_5", NULL), BH_DISTFIX_AFFECTED);
	assert_int_equal(bh_cve_distfix(c, "rhel", "8.6", NULL, "4.18.0-372.9.1.el8", NULL), BH_DISTFIX_FIXED);
	assert_int_equal(bh_cve_distfix(c, "rhel", "80", NULL, "4.18.0-348.7.1.el8_5", NULL), BH_DISTFIX_UNKNOWN);
	const struct bh_cve *r = find("CVE-2024-21626");
	assert_int_equal(bh_cve_distfix(r, "debian", "12", "runc", "1.1.5+ds1-1+deb12u1", NULL), BH_DISTFIX_FIXED);
	assert_int_equal(bh_cve_distfix(r, "debian", "12", "runc", "1.1.5+ds1-1", NULL), BH_DISTFIX_AFFECTED);
	/* Docker's containerd.io is not Debian's containerd */
	const struct bh_cve *k = find("CVE-2022-23648");
	assert_int_equal(bh_cve_distfix(k, "debian", "11", "containerd.io", "1.4.5-1", NULL), BH_DISTFIX_UNKNOWN);
	/* every distfix line cites an advisory of its distribution */
	for (size_t i = 0; i < db.n; i++)
		for (unsigned j = 0; j < db.v[i].ndistfix; j++) {
			const struct bh_cve_distfix *x = &db.v[i].distfix[j];
			const char *want = !strcmp(x->distro, "debian") ? "https://www.debian.org/security/"
					   : !strcmp(x->distro, "ubuntu") ? "https://ubuntu.com/security/notices/USN-"
									  : "https://access.redhat.com/errata/RHSA-";
			assert_true(!strncmp(x->ref, want, strlen(want)));
		}
}

static void load_err(const char *text, const char *want)
{
	struct bh_cvedb d;
	struct bh_err err = {0};
	int rc = bh_cvedb_load(&d, text, strlen(text), "t.txt", &err);
	bh_cvedb_release(&d);
	assert_true(rc < 0);
	if (!strstr(err.msg, want))
		fail_msg("error '%s' does not mention '%s'", err.msg, want);
}

static void test_load_errors(void **state)
{
	static const char ok[] = "# c\n\ncve CVE-1-1\ncomponent runc\nfixed 1.0\nneeds none\nseverity high\n"
				 "summary s\nref https://x/CVE-1-1\n";
	struct bh_cvedb d;
	struct bh_err err = {0};
	assert_int_equal(bh_cvedb_load(&d, ok, strlen(ok), "t.txt", &err), 0);
	assert_int_equal(d.n, 1);
	bh_cvedb_release(&d);
	load_err("cve CVE-1-1\ncomponent bios\n", "unknown component 'bios'");
	load_err("cve CVE-1-1\ncomponent runc\nfixed one\n", "t.txt:3: bad version 'one'");
	load_err("cve CVE-1-1\ncomponent runc\nneeds magic\n", "unknown precondition");
	load_err("cve CVE-1-1\ncomponent runc\nseverity dire\n", "unknown severity");
	load_err("cve CVE-1-1\ncomponent runc\nwhatever x\n", "unknown key 'whatever'");
	load_err("component runc\n", "before any 'cve' line");
	load_err("cve CVE-1-1\ncomponent runc\nfixed 1.0\nneeds none\nseverity high\nsummary s\n",
		 "cites no reference");
	load_err("cve CVE-1-1\ncomponent runc\ncve CVE-1-2\n", "blank line");
	load_err("cve XYZ\n", "not a CVE id");
	load_err("cve CVE-1-1\ncomponent runc\nfixed\n", "has no value");
	load_err("cve CVE-1-1\ncomponent runc\ndistfix debian 11 runc 1.0-1\n", "t.txt:3: distfix needs");
	load_err("cve CVE-1-1\ncomponent runc\ndistfix gentoo 1 runc 1.0 https://x\n", "unknown distribution 'gentoo'");
	load_err("cve CVE-1-1\ncomponent runc\ndistfix debian 11 runc 1.0 http://x\n", "not an https URL");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin_valid), cmocka_unit_test(test_kernel_ranges),
		cmocka_unit_test(test_kernel_distro), cmocka_unit_test(test_runtime_ranges),
		cmocka_unit_test(test_needs),         cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_dpkg_order),    cmocka_unit_test(test_rpm_order), cmocka_unit_test(test_distfix),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
