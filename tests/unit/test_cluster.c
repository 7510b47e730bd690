/* bulkhead cluster internals: RBAC rule matching as the authorizer does it, label selectors, the hash
 * index, Pod Security per namespace (labels, invalid values, admission defaults) and what the probe pods
 * say each level lets through, list items without kind, and paths ranked most severe then shortest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cluster/cluster.h"

#define N(a) ((uint16_t)(sizeof(a) / sizeof(*(a))))

static void test_rule_allows(void **st)
{
	const char *verbs[] = {"get", "create"}, *groups[] = {""}, *res[] = {"pods", "pods/exec"};
	struct bh_cl_prule r = {.verbs = verbs, .nverbs = N(verbs), .groups = groups, .ngroups = N(groups),
				.res = res, .nres = N(res)};
	assert_true(bh_cl_rule_allows(&r, "create", "", "pods/exec", "p"));
	assert_true(bh_cl_rule_allows(&r, "get", "", "pods", NULL));
	assert_false(bh_cl_rule_allows(&r, "delete", "", "pods", NULL));
	assert_false(bh_cl_rule_allows(&r, "create", "apps", "pods", NULL));
	assert_false(bh_cl_rule_allows(&r, "create", "", "pods/attach", "p")); /* "pods" does not cover subresources */
	const char *star[] = {"*"}, *subany[] = {"*/exec"};
	struct bh_cl_prule w = {.verbs = star, .nverbs = 1, .groups = star, .ngroups = 1, .res = subany, .nres = 1};
	assert_true(bh_cl_rule_allows(&w, "create", "", "pods/exec", "x"));
	assert_false(bh_cl_rule_allows(&w, "create", "", "pods", NULL));
	assert_false(bh_cl_rule_allows(&w, "create", "", "pods/attach", NULL));
	struct bh_cl_prule all = {.verbs = star, .nverbs = 1, .groups = star, .ngroups = 1, .res = star, .nres = 1};
	assert_true(bh_cl_rule_allows(&all, "impersonate", "", "groups", "system:masters"));
	const char *names[] = {"agent"};
	r.names = names;
	r.nnames = 1;
	assert_true(bh_cl_rule_allows(&r, "create", "", "pods/exec", "agent"));
	assert_false(bh_cl_rule_allows(&r, "create", "", "pods/exec", "web"));
	assert_false(bh_cl_rule_allows(&r, "create", "", "pods", NULL)); /* a create names no object */
}

static void test_selector(void **st)
{
	struct bh_cl_kv labels[] = {{"team", "a"}, {"tier", "web"}};
	const char *vals[] = {"web", "api"}, *kube[] = {"kube-system"};
	struct bh_cl_expr ex[] = {{"tier", "In", vals, 2}, {"env", "DoesNotExist", NULL, 0}};
	struct bh_cl_sel s = {.present = true, .ml = labels, .nml = 1, .ex = ex, .nex = 2};
	assert_true(bh_cl_sel_match(&s, labels, 2, NULL, NULL));
	struct bh_cl_kv other[] = {{"team", "a"}, {"tier", "db"}};
	assert_false(bh_cl_sel_match(&s, other, 2, NULL, NULL));
	struct bh_cl_sel none = {0};
	assert_true(bh_cl_sel_match(&none, NULL, 0, NULL, NULL)); /* no selector: everything */
	struct bh_cl_expr notin[] = {{"kubernetes.io/metadata.name", "NotIn", kube, 1}};
	struct bh_cl_sel ns = {.present = true, .ex = notin, .nex = 1};
	assert_true(bh_cl_sel_match(&ns, NULL, 0, "kubernetes.io/metadata.name", "team"));
	assert_false(bh_cl_sel_match(&ns, NULL, 0, "kubernetes.io/metadata.name", "kube-system"));
}

static void test_map(void **st)
{
	struct bh_cl_map m = {0};
	char keys[3000][16];
	for (uint32_t i = 0; i < 3000; i++) {
		snprintf(keys[i], sizeof(keys[i]), "k%u", i);
		assert_int_equal(bh_cl_map_put(&m, keys[i], i), 0);
	}
	for (uint32_t i = 0; i < 3000; i++)
		assert_int_equal(bh_cl_map_get(&m, keys[i]), i);
	assert_int_equal(bh_cl_map_get(&m, "absent"), UINT32_MAX);
	assert_int_equal(bh_cl_map_put(&m, keys[7], 42), 0);
	assert_int_equal(bh_cl_map_get(&m, keys[7]), 42);
	assert_int_equal(m.n, 3000);
	bh_cl_map_free(&m);
}

static const struct bh_cl_ns *ns_named(const struct bh_cluster *c, const char *name)
{
	for (size_t i = 0; i < c->nnss; i++)
		if (!strcmp(c->nss[i].name, name))
			return &c->nss[i];
	return NULL;
}

static void load(struct bh_cluster *c, const char *y)
{
	struct bh_err err = {0};
	bh_cluster_init(c, &err);
	bh_cluster_buffer(c, "t.yaml", y, strlen(y));
	assert_int_equal(c->eng.errors.n, 0);
	assert_int_equal(bh_cluster_analyse(c), 0);
}

static void test_psa(void **st)
{
	struct bh_cluster c;
	load(&c, "apiVersion: v1\nkind: NamespaceList\nitems:\n"
		 "- metadata: {name: open}\n"
		 "- metadata: {name: base, labels: {pod-security.kubernetes.io/enforce: baseline}}\n"
		 "- metadata: {name: strict, labels: {pod-security.kubernetes.io/enforce: restricted,"
		 " pod-security.kubernetes.io/enforce-version: v1.30}}\n"
		 "- metadata: {name: typo, labels: {pod-security.kubernetes.io/enforce: restricted-ish}}\n");
	const struct bh_cl_ns *o = ns_named(&c, "open"), *b = ns_named(&c, "base"), *s = ns_named(&c, "strict"),
			      *t = ns_named(&c, "typo");
	assert_non_null(o);
	assert_non_null(b);
	assert_non_null(s);
	assert_non_null(t);
	assert_true(o->seen); /* items without kind took the list's (NamespaceList → Namespace) */
	assert_true(o->allows_privileged && o->allows_root);
	assert_false(b->allows_privileged);
	assert_true(b->allows_root);
	assert_false(s->allows_privileged || s->allows_root);
	assert_int_equal(s->enforce.minor, 30);
	assert_int_equal(t->enforce.level, BH_PSS_RESTRICTED); /* invalid level: restricted, as PSA */
	assert_string_equal(o->psa_source, "built-in default (privileged)");
	bh_cluster_release(&c);
}

static void test_ranking(void **st)
{
	struct bh_cluster c;
	/* alice: a 1-step critical path (create pods in an open namespace); the hostPID pod: a high avenue */
	load(&c, "apiVersion: v1\nkind: Namespace\nmetadata: {name: team}\n---\n"
		 "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r, namespace: team}\n"
		 "rules: [{apiGroups: [''], resources: [pods], verbs: [create]}]\n---\n"
		 "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: b, namespace: team}\n"
		 "roleRef: {kind: Role, name: r}\nsubjects: [{kind: User, name: alice}]\n---\n"
		 "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: team}\n"
		 "spec: {hostPID: true, automountServiceAccountToken: false, containers: [{name: c, image: x}]}\n");
	const struct bh_cl_paths *ps = bh_cluster_paths(&c);
	assert_true(ps->n >= 2);
	for (size_t i = 1; i < ps->n; i++)
		assert_true(ps->v[i - 1].sev > ps->v[i].sev ||
			    (ps->v[i - 1].sev == ps->v[i].sev && ps->v[i - 1].nsteps <= ps->v[i].nsteps));
	assert_string_equal(ps->v[0].from.name, "alice");
	assert_string_equal(ps->v[0].steps[0].rule, "BH0701");
	bool pod = false;
	for (size_t i = 0; i < ps->n; i++)
		if (!strcmp(ps->v[i].from.name, "p")) {
			pod = true;
			assert_int_equal(ps->v[i].sev, BH_SEV_HIGH);
			assert_string_equal(ps->v[i].to_name, "*"); /* not scheduled: any node */
		}
	assert_true(pod);
	bh_cluster_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_allows), cmocka_unit_test(test_selector), cmocka_unit_test(test_map),
		cmocka_unit_test(test_psa),         cmocka_unit_test(test_ranking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
