/* Kernel/runtime version comparator and distribution recognition, on the spellings seen on real nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host/kver.h"

static struct bh_ver V(const char *s)
{
	struct bh_ver v;
	const char *end;
	assert_int_equal(bh_ver_parse(s, &v, &end), 0);
	return v;
}

static int cmp(const char *a, const char *b)
{
	struct bh_ver x = V(a), y = V(b);
	int c = bh_ver_cmp(&x, &y);
	return c < 0 ? -1 : c > 0;
}

static void test_ver_parse(void **state)
{
	struct bh_ver v = V("5.10.0-28-amd64");
	assert_int_equal(v.n[0], 5);
	assert_int_equal(v.n[1], 10);
	assert_int_equal(v.n[2], 0);
	assert_int_equal(v.abi, 28);
	assert_int_equal(v.pre, 0);
	v = V("1.0.0-rc93");
	assert_int_equal(v.pre, 93);
	v = V("1.4.0-rc.3");
	assert_int_equal(v.pre, 3);
	v = V("6.8-rc2");
	assert_int_equal(v.n[1], 8);
	assert_int_equal(v.n[2], 0);
	assert_int_equal(v.pre, 2);
	v = V("v1.28.3");
	assert_int_equal(v.n[1], 28);
	assert_int_equal(v.n[2], 3);
	v = V("18.09.2");
	assert_int_equal(v.n[1], 9);
	struct bh_ver bad;
	assert_int_equal(bh_ver_parse("amd64", &bad, NULL), -22);
	assert_int_equal(bh_ver_parse("", &bad, NULL), -22);
	assert_int_equal(bh_ver_parse(NULL, &bad, NULL), -22);
	assert_int_equal(bh_ver_parse("99999999999.1", &bad, NULL), -22);
}

static void test_ver_cmp(void **state)
{
	assert_int_equal(cmp("5.10.102", "5.10.101"), 1);
	assert_int_equal(cmp("5.10.9", "5.10.10"), -1);   /* numeric, not lexical */
	assert_int_equal(cmp("5.9", "5.10"), -1);
	assert_int_equal(cmp("5.17", "5.17.0"), 0);
	assert_int_equal(cmp("5.17-rc6", "5.17"), -1);    /* candidates come before the release */
	assert_int_equal(cmp("5.17-rc6", "5.16.20"), 1);
	assert_int_equal(cmp("1.0.0-rc93", "1.0.0-rc10"), 1);
	assert_int_equal(cmp("1.0.0-rc95", "1.0.0"), -1);
	assert_int_equal(cmp("1.4.0-rc.3", "1.4.0-rc.2"), 1);
	assert_int_equal(cmp("1.1.12", "1.1.12"), 0);
	assert_int_equal(cmp("6.1.0-18", "6.1.0-17"), 0); /* the ABI is not an upstream level */
	struct bh_ver a = V("6.2.0-25"), b = V("6.2.0-26");
	assert_true(bh_ver_cmp_abi(&a, &b) < 0);
	assert_true(bh_ver_same_branch(&a, &b));
	char buf[32];
	assert_string_equal(bh_ver_str(&b, buf, sizeof(buf)), "6.2.0-26");
	struct bh_ver c = V("1.0.0-rc93");
	assert_string_equal(bh_ver_str(&c, buf, sizeof(buf)), "1.0.0-rc93");
}

static struct bh_kernel K(const char *rel, const char *pv, const char *sig)
{
	struct bh_kernel k;
	struct bh_err err = {0};
	assert_int_equal(bh_kernel_parse(&k, rel, pv, sig, &err), 0);
	return k;
}

static void test_kernel_debian(void **state)
{
	struct bh_kernel k = K("5.10.0-28-amd64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_DEBIAN);
	assert_string_equal(k.flavour, "amd64");
	assert_false(k.exact);
	assert_true(k.backports);
	assert_int_equal(k.rel.abi, 28);

	k = K("6.1.0-18-cloud-amd64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_DEBIAN);
	assert_string_equal(k.flavour, "cloud-amd64");
	assert_int_equal(k.ver.n[1], 1);

	/* the banner carries the real stable level */
	k = K("5.10.0-28-amd64",
	      "Linux version 5.10.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-10 (Debian 10.2.1-6) 10.2.1 "
	      "20210110, GNU ld (GNU Binutils for Debian) 2.35.2) #1 SMP Debian 5.10.209-2 (2024-01-31)\n",
	      NULL);
	assert_int_equal(k.distro, BH_DISTRO_DEBIAN);
	assert_true(k.exact);
	assert_int_equal(k.ver.n[2], 209);
	assert_int_equal(k.rel.n[2], 0);
	assert_non_null(strstr(k.upstream_from, "5.10.209"));

	/* unknown flavour, banner decides */
	k = K("6.1.0-13-foo", "Linux version 6.1.0-13-foo #1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1", NULL);
	assert_int_equal(k.distro, BH_DISTRO_DEBIAN);
	assert_int_equal(k.ver.n[2], 55);
}

static void test_kernel_ubuntu(void **state)
{
	struct bh_kernel k = K("5.15.0-1051-aws", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_UBUNTU);
	assert_string_equal(k.flavour, "aws");
	assert_false(k.exact);
	assert_int_equal(k.rel.abi, 1051);

	k = K("5.4.0-155-generic", NULL, "Ubuntu 5.4.0-155.172-generic 5.4.243\n");
	assert_int_equal(k.distro, BH_DISTRO_UBUNTU);
	assert_true(k.exact);
	assert_true(k.backports);
	assert_int_equal(k.ver.n[2], 243);
	assert_int_equal(k.rel.abi, 155);

	/* HWE kernels of an older release: the signature's package version carries "~20.04.1" */
	k = K("5.13.0-35-generic", NULL, "Ubuntu 5.13.0-35.40~20.04.1-generic 5.13.19\n");
	assert_int_equal(k.distro, BH_DISTRO_UBUNTU);
	assert_true(k.exact);
	assert_int_equal(k.ver.n[1], 13);
	assert_int_equal(k.ver.n[2], 19);
	assert_non_null(strstr(k.upstream_from, "5.13.19"));
	/* a signature of another branch does not move the level */
	k = K("5.15.0-91-generic", NULL, "Ubuntu 5.13.0-35.40~20.04.1-generic 5.13.19\n");
	assert_false(k.exact);
	assert_int_equal(k.ver.n[2], 0);
}

static void test_kernel_rpm(void **state)
{
	struct bh_kernel k = K("4.18.0-513.el8.x86_64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_RHEL);
	assert_false(k.exact);
	assert_true(k.backports);
	assert_int_equal(k.ver.n[0], 4);
	assert_int_equal(k.ver.n[1], 18);
	assert_int_equal(k.rel.abi, 513);

	k = K("5.14.0-362.8.1.el9_3.x86_64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_RHEL);

	k = K("5.4.17-2136.325.5.el8uek.x86_64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_ORACLE_UEK);
	assert_true(k.exact);

	k = K("6.1.55-75.123.amzn2023.x86_64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_AMAZON);
	assert_true(k.exact);
	assert_true(k.backports);
	assert_int_equal(k.ver.n[2], 55);

	k = K("5.14.21-150500.55.39-default", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_SUSE);
	assert_false(k.exact);

	k = K("6.5.6-300.fc39.x86_64", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_FEDORA);
	assert_true(k.exact);
}

static void test_kernel_upstream(void **state)
{
	struct bh_kernel k = K("6.18.44-fc-v657", NULL, NULL); /* ".fc" needs a digit: not Fedora */
	assert_int_equal(k.distro, BH_DISTRO_UPSTREAM);
	assert_true(k.exact);
	assert_false(k.backports);
	assert_int_equal(k.ver.n[2], 44);

	k = K("5.15.133-flatcar", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_FLATCAR);
	k = K("5.15.133+", NULL, NULL);
	assert_int_equal(k.distro, BH_DISTRO_COS);
	k = K("6.8.0-rc3", NULL, NULL);
	assert_int_equal(k.ver.pre, 3);
	assert_int_equal(k.distro, BH_DISTRO_UPSTREAM);
	k = K("5.15.153.1-microsoft-standard-WSL2", NULL, NULL);
	assert_int_equal(k.ver.n[2], 153);

	struct bh_kernel bad;
	struct bh_err err = {0};
	assert_int_equal(bh_kernel_parse(&bad, "linux", NULL, NULL, &err), -22);
	assert_non_null(strstr(err.msg, "linux"));
	assert_int_equal(bh_kernel_parse(&bad, "", NULL, NULL, &err), -22);
	assert_int_equal(bh_kernel_parse(&bad, NULL, NULL, NULL, &err), -22);
}

static void test_distro_confirm(void **state)
{
	char buf[256];
	assert_non_null(strstr(bh_distro_confirm(BH_DISTRO_DEBIAN, "CVE-2022-0847", buf, sizeof(buf)),
			       "security-tracker.debian.org/tracker/CVE-2022-0847"));
	assert_non_null(strstr(bh_distro_confirm(BH_DISTRO_RHEL, "CVE-2022-0847", buf, sizeof(buf)),
			       "rpm -q --changelog"));
	assert_string_equal(bh_distro_name(BH_DISTRO_UBUNTU), "ubuntu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ver_parse),       cmocka_unit_test(test_ver_cmp),
		cmocka_unit_test(test_kernel_debian),   cmocka_unit_test(test_kernel_ubuntu),
		cmocka_unit_test(test_kernel_rpm),      cmocka_unit_test(test_kernel_upstream),
		cmocka_unit_test(test_distro_confirm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
