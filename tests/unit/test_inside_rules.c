/* `inside` rules on synthetic facts: the avenues the fixture trees (test_inside.c) do not open, each with a
 * case where the rule fires and one where it must not. Starts from a confined container (no capabilities,
 * seccomp and an LSM on, own namespaces, read-only root) and opens one avenue at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "host/inside.h"
#include "rules/rules.h"

struct run {
	struct bh_arena a;
	struct bh_findings out;
};

static void confined(struct bh_inside *f)
{
	memset(f, 0, sizeof(*f));
	f->root = "/nonexistent";
	f->in_container = true;
	snprintf(f->runtime, sizeof(f->runtime), "containerd");
	snprintf(f->container_id, sizeof(f->container_id), "c0ffee");
	f->uid = f->euid = f->gid = 1000;
	f->in_userns = 0;
	f->caps_known = true;
	f->cap_last = 40;
	f->nnp = 1;
	f->seccomp = 2;
	f->seccomp_filters = 1;
	f->lsm_confined = 1;
	snprintf(f->lsm_name, sizeof(f->lsm_name), "apparmor");
	snprintf(f->lsm_label, sizeof(f->lsm_label), "cri-containerd.apparmor.d (enforce)");
	f->root_ro = 1;
	f->proc_sys_writable = f->sysrq_writable = f->sys_writable = f->uevent_helper_writable = 0;
	f->cgroup_v1 = 0;
	f->userns_create = 0;
}

static struct run *eval(const struct bh_inside *f)
{
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	bh_arena_init(&r->a, 1u << 20);
	bh_findings_init(&r->out, &r->a);
	assert_int_equal(bh_inside_evaluate(f, NULL, &r->out), 0);
	return r;
}

static void done(struct run *r)
{
	bh_findings_release(&r->out);
	bh_arena_release(&r->a);
	free(r);
}

static const struct bh_finding *find(const struct run *r, const char *id)
{
	for (size_t i = 0; i < r->out.n; i++)
		if (!strcmp(r->out.v[i].rule->id, id))
			return &r->out.v[i];
	return NULL;
}

static void expect(const struct run *r, const char *id, enum bh_sev sev)
{
	const struct bh_finding *x = find(r, id);
	if (!x)
		fail_msg("no %s finding", id);
	if (x->sev != sev)
		fail_msg("%s: severity %s, want %s", id, bh_sev_name(x->sev), bh_sev_name(sev));
	/* the finding points at the rule's registry row */
	assert_ptr_equal(x->rule, bh_rule_find_any(id));
}

static void absent(const struct run *r, const char *id)
{
	const struct bh_finding *x = find(r, id);
	if (x)
		fail_msg("unexpected %s: %s", id, x->message);
}

/* The confined baseline opens none of the avenues below. */
static void test_confined_baseline(void **state)
{
	struct bh_inside f;
	confined(&f);
	struct run *r = eval(&f);
	expect(r, "BH0400", BH_SEV_INFO);
	static const char *const none[] = {"BH0403", "BH0404", "BH0409", "BH0410", "BH0411", "BH0412",
					   "BH0413", "BH0418", "BH0422", "BH0423", "BH0429"};
	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++)
		absent(r, none[i]);
	done(r);
}

static void test_capabilities(void **state)
{
	struct bh_inside f;
	confined(&f);
	f.cap_eff = 1ULL << 19; /* CAP_SYS_PTRACE */
	struct run *r = eval(&f);
	expect(r, "BH0403", BH_SEV_HIGH);
	assert_string_equal(find(r, "BH0403")->field, "CAP_SYS_PTRACE");
	expect(r, "BH0404", BH_SEV_MEDIUM);
	done(r);
	f.cap_eff = 1ULL << 10; /* CAP_NET_BIND_SERVICE alone is what drop: [ALL] + add keeps */
	r = eval(&f);
	absent(r, "BH0403");
	absent(r, "BH0404");
	done(r);
	f.cap_eff = 1ULL << 0; /* CAP_CHOWN: a default capability left in place */
	r = eval(&f);
	absent(r, "BH0403");
	expect(r, "BH0404", BH_SEV_MEDIUM);
	done(r);
}

static const char *const host_ns_ids[] = {"BH0409", "BH0410", "BH0411", "BH0412", "BH0413"};

/* Only namespace ns is the host's: its rule fires at sev, none of the other host-namespace rules does, and
 * an unknown namespace is not reported. */
static void expect_host_ns(enum bh_ns_kind ns, const char *id, enum bh_sev sev)
{
	struct bh_inside f;
	confined(&f);
	f.ns[ns].host = 1;
	snprintf(f.ns[ns].evidence, sizeof(f.ns[ns].evidence), "ns inode = the host's");
	struct run *r = eval(&f);
	expect(r, id, sev);
	for (size_t k = 0; k < sizeof(host_ns_ids) / sizeof(host_ns_ids[0]); k++)
		if (strcmp(host_ns_ids[k], id))
			absent(r, host_ns_ids[k]);
	done(r);
	f.ns[ns].host = -1;
	r = eval(&f);
	absent(r, id);
	done(r);
}

static void test_host_namespaces(void **state)
{
	expect_host_ns(BH_NS_NET, "BH0409", BH_SEV_HIGH);
	expect_host_ns(BH_NS_IPC, "BH0410", BH_SEV_HIGH);
	expect_host_ns(BH_NS_UTS, "BH0411", BH_SEV_LOW);
	expect_host_ns(BH_NS_CGROUP, "BH0412", BH_SEV_LOW);
	expect_host_ns(BH_NS_MNT, "BH0413", BH_SEV_CRITICAL);
}

static void test_devices(void **state)
{
	struct bh_inside f;
	confined(&f);
	f.ndevs = 1;
	snprintf(f.devs[0].path, sizeof(f.devs[0].path), "/dev/sda");
	f.devs[0].type = 'b';
	f.devs[0].major = 8;
	f.devs[0].openable = 1;
	struct run *r = eval(&f);
	expect(r, "BH0418", BH_SEV_CRITICAL);
	done(r);
	f.devs[0].openable = -1; /* offline: present, not opened */
	r = eval(&f);
	expect(r, "BH0418", BH_SEV_HIGH);
	done(r);
	f.devs[0].openable = 0; /* refused by the device cgroup: no avenue */
	f.devs[0].err = 1;
	r = eval(&f);
	absent(r, "BH0418");
	done(r);
}

static void test_cgroup_v1_mountable(void **state)
{
	struct bh_inside f;
	confined(&f);
	f.cgroup_v1 = 1;
	f.cap_eff = 1ULL << 21; /* CAP_SYS_ADMIN */
	f.ns[BH_NS_CGROUP].host = 1;
	f.seccomp = 0;
	f.lsm_confined = 0;
	struct run *r = eval(&f);
	expect(r, "BH0422", BH_SEV_CRITICAL);
	done(r);
	f.seccomp = 2; /* the runtime's seccomp profile blocks mount(2) */
	r = eval(&f);
	absent(r, "BH0422");
	done(r);
	f.seccomp = 0;
	f.in_userns = 1; /* CAP_SYS_ADMIN of a user namespace cannot mount cgroup v1 */
	r = eval(&f);
	absent(r, "BH0422");
	done(r);
}

static void test_userns_creation(void **state)
{
	struct bh_inside f;
	confined(&f);
	f.userns_create = 1;
	snprintf(f.userns_evidence, sizeof(f.userns_evidence), "unshare(CLONE_NEWUSER) in a child succeeded");
	struct run *r = eval(&f);
	expect(r, "BH0423", BH_SEV_MEDIUM);
	done(r);
	f.userns_create = -1;
	r = eval(&f);
	absent(r, "BH0423");
	done(r);
}

static void test_not_in_container(void **state)
{
	struct bh_inside f;
	confined(&f);
	f.in_container = false;
	struct run *r = eval(&f);
	expect(r, "BH0429", BH_SEV_INFO);
	absent(r, "BH0400");
	done(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confined_baseline), cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_host_namespaces),   cmocka_unit_test(test_devices),
		cmocka_unit_test(test_cgroup_v1_mountable), cmocka_unit_test(test_userns_creation),
		cmocka_unit_test(test_not_in_container),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
