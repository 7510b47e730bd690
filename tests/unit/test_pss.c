/* Unit tests for src/rules/pss.c: version gates, overrides, Windows exemption, userns relaxation and
 * PSA's wording, on pod views decoded from small manifests. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rules/pss.h"

struct one {
	struct bh_arena a;
	struct bh_doc doc;
	struct bh_object obj;
	struct bh_pod pod;
};

static int grab(const struct bh_object *o, void *ctx)
{
	((struct one *)ctx)->obj = *o;
	return 1;
}

/* Decodes the manifest and builds the pod view (first-wins reading). */
static const struct bh_pod *pod(struct one *x, const char *yaml)
{
	memset(x, 0, sizeof(*x));
	bh_arena_init(&x->a, 0);
	struct bh_decoder *d = bh_decoder_new("t.yaml", yaml, strlen(yaml), &bh_default_limits);
	struct bh_err err = {0};
	assert_int_equal(bh_decoder_next(d, &x->a, &x->doc, &err), 1);
	bh_objects_each(&x->doc, &x->a, grab, x);
	assert_int_equal(bh_pod_build(&x->pod, &x->obj, BH_READ_FIRST, &x->a), 1);
	bh_decoder_free(d);
	return &x->pod;
}

static const struct bh_pss_violation *find(const struct bh_pss_result *r, const char *id)
{
	for (uint32_t i = 0; i < r->n; i++)
		if (!strcmp(r->v[i].check->id, id))
			return &r->v[i];
	return NULL;
}

static void test_version_parse(void **st)
{
	(void)st;
	int m;
	assert_int_equal(bh_pss_version_parse("latest", &m), 0);
	assert_int_equal(m, BH_PSS_LATEST);
	assert_int_equal(bh_pss_version_parse("v1.25", &m), 0);
	assert_int_equal(m, 25);
	assert_int_equal(bh_pss_version_parse("v1.0", &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(bh_pss_version_parse("1.25", &m), -EINVAL);
	assert_int_equal(bh_pss_version_parse("v2.1", &m), -EINVAL);
	assert_int_equal(bh_pss_version_parse("v1.", &m), -EINVAL);
	assert_int_equal(bh_pss_version_parse("v1.025", &m), -EINVAL);
	assert_int_equal(bh_pss_effective_minor(BH_PSS_LATEST), BH_PSS_MAX_MINOR);
	assert_int_equal(bh_pss_effective_minor(99), BH_PSS_MAX_MINOR);
}

static void test_variants_and_overrides(void **st)
{
	(void)st;
	const struct bh_pss_check *ape = bh_pss_check_find("allowprivilegeescalation");
	assert_non_null(ape);
	assert_false(bh_pss_check_active(ape, BH_PSS_RESTRICTED, 7)); /* v1.8+ */
	assert_true(bh_pss_check_active(ape, BH_PSS_RESTRICTED, 8));
	assert_false(bh_pss_check_active(ape, BH_PSS_BASELINE, 37));
	assert_int_equal(bh_pss_variant(ape, 24), 0);
	assert_int_equal(bh_pss_variant(ape, 25), 1);
	const struct bh_pss_check *cb = bh_pss_check_find("capabilities_baseline");
	/* capabilities_restricted (v1.22) overrides capabilities_baseline at restricted only */
	assert_ptr_equal(bh_pss_check_effective(cb, BH_PSS_RESTRICTED, 21), cb);
	assert_string_equal(bh_pss_check_effective(cb, BH_PSS_RESTRICTED, 22)->id, "capabilities_restricted");
	assert_ptr_equal(bh_pss_check_effective(cb, BH_PSS_BASELINE, 37), cb);
	const struct bh_pss_check *pm = bh_pss_check_find("procMount");
	assert_ptr_equal(bh_pss_check_effective(pm, BH_PSS_RESTRICTED, 34), pm);
	assert_string_equal(bh_pss_check_effective(pm, BH_PSS_RESTRICTED, BH_PSS_LATEST)->id, "procMount_restricted");
	const struct bh_pss_check *hp = bh_pss_check_find("hostProbesAndHostLifecycle");
	assert_null(bh_pss_check_effective(hp, BH_PSS_BASELINE, 33));
	assert_ptr_equal(bh_pss_check_effective(hp, BH_PSS_BASELINE, 34), hp);
	/* the table is in PSA's aggregation order: baseline ids sorted, then restricted ids sorted */
	for (unsigned i = 1; i < BH_PSS_NCHECKS; i++)
		if (bh_pss_checks[i].level == bh_pss_checks[i - 1].level)
			assert_true(strcmp(bh_pss_checks[i - 1].id, bh_pss_checks[i].id) < 0);
}

static const char sysctl_pod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
				 "  securityContext:\n    sysctls:\n    - {name: net.ipv4.tcp_rmem, value: x}\n"
				 "    - {name: net.ipv4.tcp_notsent_lowat, value: x}\n"
				 "  containers: [{name: c, image: i}]\n";

static void test_sysctls_by_version(void **st)
{
	(void)st;
	struct one x;
	const struct bh_pod *p = pod(&x, sysctl_pod);
	struct bh_pss_result r;
	assert_int_equal(bh_pss_eval(p, BH_PSS_BASELINE, 31, &x.a, &r), 0);
	assert_string_equal(find(&r, "sysctls")->detail, "net.ipv4.tcp_rmem, net.ipv4.tcp_notsent_lowat");
	assert_int_equal(bh_pss_eval(p, BH_PSS_BASELINE, 32, &x.a, &r), 0);
	assert_string_equal(find(&r, "sysctls")->detail, "net.ipv4.tcp_notsent_lowat");
	assert_int_equal(bh_pss_eval(p, BH_PSS_BASELINE, BH_PSS_LATEST, &x.a, &r), 0);
	assert_true(r.allowed);
	assert_int_equal(bh_pss_eval(p, BH_PSS_PRIVILEGED, 0, &x.a, &r), 0);
	assert_true(r.allowed);
	bh_arena_release(&x.a);
}

static const char seccomp_pod[] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  annotations:\n"
				  "    seccomp.security.alpha.kubernetes.io/pod: unconfined\n"
				  "spec:\n  containers:\n  - name: c\n    image: i\n    securityContext:\n"
				  "      seccompProfile: {type: Unconfined}\n";

static void test_seccomp_annotation_then_field(void **st)
{
	(void)st;
	struct one x;
	const struct bh_pod *p = pod(&x, seccomp_pod);
	struct bh_pss_result r;
	bh_pss_eval(p, BH_PSS_BASELINE, 18, &x.a, &r);
	assert_string_equal(find(&r, "seccompProfile_baseline")->detail,
			    "forbidden annotation seccomp.security.alpha.kubernetes.io/pod=\"unconfined\"");
	bh_pss_eval(p, BH_PSS_BASELINE, 19, &x.a, &r);
	assert_string_equal(find(&r, "seccompProfile_baseline")->detail,
			    "container \"c\" must not set securityContext.seccompProfile.type to \"Unconfined\"");
	/* restricted v1.19+: the restricted check replaces the baseline one */
	bh_pss_eval(p, BH_PSS_RESTRICTED, 19, &x.a, &r);
	assert_null(find(&r, "seccompProfile_baseline"));
	assert_non_null(find(&r, "seccompProfile_restricted"));
	bh_arena_release(&x.a);
}

static const char win_userns_pod[] = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
				     "  os: {name: windows}\n  hostUsers: false\n"
				     "  securityContext: {runAsUser: 0}\n"
				     "  containers: [{name: c, image: i, securityContext: {procMount: Unmasked}}]\n";

static void test_windows_and_userns(void **st)
{
	(void)st;
	struct one x;
	const struct bh_pod *p = pod(&x, win_userns_pod);
	struct bh_pss_result r;
	bh_pss_eval(p, BH_PSS_RESTRICTED, 24, &x.a, &r);
	assert_non_null(find(&r, "allowPrivilegeEscalation"));
	assert_non_null(find(&r, "capabilities_restricted"));
	assert_string_equal(find(&r, "runAsUser")->detail, "pod must not set runAsUser=0");
	assert_non_null(find(&r, "procMount"));
	bh_pss_eval(p, BH_PSS_RESTRICTED, 25, &x.a, &r); /* Windows pods exempt from APE, caps, seccomp */
	assert_null(find(&r, "allowPrivilegeEscalation"));
	assert_null(find(&r, "capabilities_restricted"));
	assert_null(find(&r, "seccompProfile_restricted"));
	bh_pss_eval(p, BH_PSS_BASELINE, 35, &x.a, &r); /* hostUsers: false relaxes baseline procMount */
	assert_true(r.allowed);
	bh_pss_eval(p, BH_PSS_RESTRICTED, 35, &x.a, &r);
	assert_null(find(&r, "runAsUser"));
	assert_null(find(&r, "runAsNonRoot"));
	assert_string_equal(find(&r, "procMount_restricted")->detail,
			    "container \"c\" must not set securityContext.procMount to \"Unmasked\"");
	bh_arena_release(&x.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_parse),
		cmocka_unit_test(test_variants_and_overrides),
		cmocka_unit_test(test_sysctls_by_version),
		cmocka_unit_test(test_seccomp_annotation_then_field),
		cmocka_unit_test(test_windows_and_userns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
