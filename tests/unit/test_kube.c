/* The API client (src/kube/): kubeconfig errors without a server, and — when tests/cluster/live.test.sh
 * runs it against the lab (BH_KUBE_TEST_KUBECONFIG set) — a write with dryRun=All (what `bulkhead respond`
 * will do: the API server validates and admits, stores nothing), a real create, a paginated list and a
 * delete. Without the variable the lab parts are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kube/kube.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_kubeconfig_errors(void **st)
{
	char dir[] = "/tmp/bh-kube-XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/config", dir);
	struct bh_kube *k = NULL;
	struct bh_err err = {0};
	struct bh_kube_opts o = {.kubeconfig = path};
	write_file(path, "apiVersion: v1\nkind: Config\ncurrent-context: nope\ncontexts: []\n");
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "no context 'nope'"));
	write_file(path, "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
			 "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1', certificate-authority-data: '!!notbase64'}}]\n");
	err = (struct bh_err){0};
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "certificate-authority-data"));
	write_file(path, "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
			 "clusters: [{name: c, cluster: {server: 'https://127.0.0.1:1/'}}]\n"
			 "users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/false}}}]\n");
	err = (struct bh_err){0};
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "exec plugin /bin/false failed"));
	unlink(path);
	rmdir(dir);
}

/* $KUBECONFIG lists files merged as kubectl merges them: the first to set a key wins, missing files are
 * skipped. Without a server the merge is seen through which entry the error names. */
static void test_kubeconfig_env_merge(void **st)
{
	char dir[] = "/tmp/bh-kube-XXXXXX", a[64], b[64], env[256];
	assert_non_null(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	struct bh_kube *k = NULL;
	struct bh_err err = {0};
	struct bh_kube_opts o = {0};
	/* a: current-context and the context; b: the cluster (with an undecodable CA: the error proves it was
	 * read from b) and a second context "x" that must lose */
	write_file(a, "apiVersion: v1\nkind: Config\ncurrent-context: x\ncontexts: [{name: x, context: {cluster: cb, user: u}}]\n");
	write_file(b, "apiVersion: v1\nkind: Config\ncurrent-context: other\n"
		      "contexts: [{name: x, context: {cluster: nothere, user: u}}]\n"
		      "clusters: [{name: cb, cluster: {server: 'https://127.0.0.1:1', certificate-authority-data: '!!'}}]\n");
	snprintf(env, sizeof(env), "%s/missing::%s:%s", dir, a, b);
	setenv("KUBECONFIG", env, 1);
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "certificate-authority-data"));
	/* the other order: b's current-context "other" wins and names no context */
	snprintf(env, sizeof(env), "%s:%s", b, a);
	setenv("KUBECONFIG", env, 1);
	err = (struct bh_err){0};
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "no context 'other'"));
	/* --context x from b first: b's context x names cluster "nothere", defined nowhere */
	o.context = "x";
	err = (struct bh_err){0};
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "names no known cluster"));
	/* a file that cannot be decoded is an error, not skipped */
	write_file(a, "apiVersion: v1\nkind: [\n");
	snprintf(env, sizeof(env), "%s:%s", a, b);
	setenv("KUBECONFIG", env, 1);
	err = (struct bh_err){0};
	assert_true(bh_kube_open(&k, &o, &err) < 0);
	assert_non_null(strstr(err.msg, a));
	unsetenv("KUBECONFIG");
	unlink(a);
	unlink(b);
	rmdir(dir);
}

static int pages;
static int count_page(const char *body, size_t len, void *ctx)
{
	(void)ctx;
	pages++;
	return strstr(body, "\"kind\":\"ConfigMapList\"") ? 0 : -1;
}

static void test_lab_write_dry_run(void **st)
{
	const char *kc = getenv("BH_KUBE_TEST_KUBECONFIG");
	if (!kc)
		skip();
	struct bh_kube *k = NULL;
	struct bh_err err = {0};
	struct bh_kube_opts o = {.kubeconfig = kc};
	assert_int_equal(bh_kube_open(&k, &o, &err), 0);
	const char *cm = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bh-dry\"},\"data\":{\"a\":\"b\"}}";
	struct bh_kube_resp r = {0};
	assert_int_equal(bh_kube_request(k, "POST", "/api/v1/namespaces/default/configmaps", cm, strlen(cm),
					 "application/json", true, &r, &err), 0);
	assert_int_equal(r.status, 201);
	free(r.body);
	r = (struct bh_kube_resp){0};
	assert_int_equal(bh_kube_request(k, "GET", "/api/v1/namespaces/default/configmaps/bh-dry", NULL, 0, NULL, false, &r, &err), 0);
	assert_int_equal(r.status, 404); /* dry run: nothing stored */
	free(r.body);
	for (int i = 0; i < 3; i++) {
		char body[256];
		snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bh-page-%d\"}}", i);
		r = (struct bh_kube_resp){0};
		assert_int_equal(bh_kube_request(k, "POST", "/api/v1/namespaces/default/configmaps", body, strlen(body),
						 "application/json", false, &r, &err), 0);
		assert_int_equal(r.status, 201);
		free(r.body);
	}
	pages = 0;
	assert_int_equal(bh_kube_list(k, "/api/v1/namespaces/default/configmaps", 1, NULL, count_page, NULL, &err), 0);
	assert_true(pages >= 3); /* one object per page: continue tokens followed */
	for (int i = 0; i < 3; i++) {
		char path[128];
		snprintf(path, sizeof(path), "/api/v1/namespaces/default/configmaps/bh-page-%d", i);
		r = (struct bh_kube_resp){0};
		assert_int_equal(bh_kube_request(k, "DELETE", path, NULL, 0, NULL, false, &r, &err), 0);
		assert_int_equal(r.status, 200);
		free(r.body);
	}
	bh_kube_close(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kubeconfig_errors),
		cmocka_unit_test(test_kubeconfig_env_merge),
		cmocka_unit_test(test_lab_write_dry_run),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
