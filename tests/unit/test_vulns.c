/* The vulnerability import (src/image/vulns.c) and the image-reference normaliser it shares with the image
 * rules: references as the runtimes resolve them, the severity of the CVE × exposure chain, grouping of two
 * reports of one image with deduplication by id, digest-only matching of pinned images, and positions of
 * errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image/vulns.h"
#include "rules/rules.h"

static void norm(const char *in, const char *ref, const char *dig)
{
	char r[512], d[160];
	bh_imgref_normalise(in, strlen(in), r, sizeof(r), d, sizeof(d));
	assert_string_equal(r, ref);
	assert_string_equal(d, dig);
}

static void test_normalise(void **st)
{
	norm("nginx", "docker.io/library/nginx:latest", "");
	norm("nginx:1.25", "docker.io/library/nginx:1.25", "");
	norm("library/nginx:1.25", "docker.io/library/nginx:1.25", "");
	norm("docker.io/nginx:1.25", "docker.io/library/nginx:1.25", "");
	norm("index.docker.io/library/nginx", "docker.io/library/nginx:latest", "");
	norm("registry-1.docker.io/bitnami/redis:7", "docker.io/bitnami/redis:7", "");
	norm("bitnami/redis", "docker.io/bitnami/redis:latest", "");
	norm("localhost:5000/app:v1", "localhost:5000/app:v1", "");
	norm("localhost/app", "localhost/app:latest", "");
	norm("ghcr.io/org/team/app:2.4.1", "ghcr.io/org/team/app:2.4.1", "");
	norm("nginx@sha256:abc", "docker.io/library/nginx", "sha256:abc");
	norm("quay.io/x/y:1@sha256:abc", "quay.io/x/y:1", "sha256:abc");
}

static void test_rank(void **st)
{
	assert_int_equal(bh_vulns_rank(BH_SEV_CRITICAL, BH_SEV_CRITICAL), BH_SEV_CRITICAL);
	assert_int_equal(bh_vulns_rank(BH_SEV_CRITICAL, BH_SEV_HIGH), BH_SEV_HIGH);
	assert_int_equal(bh_vulns_rank(BH_SEV_CRITICAL, BH_SEV_INFO), BH_SEV_LOW); /* restricted: still worth patching */
	assert_int_equal(bh_vulns_rank(BH_SEV_HIGH, BH_SEV_CRITICAL), BH_SEV_HIGH);
	assert_int_equal(bh_vulns_rank(BH_SEV_INFO, BH_SEV_CRITICAL), BH_SEV_INFO); /* negligible / unknown */
}

static const char trivy[] =
	"{\"SchemaVersion\": 2, \"ArtifactName\": \"app:1\", \"Metadata\": {\"RepoDigests\": [\"app@sha256:d1\"]},\n"
	" \"Results\": [{\"Vulnerabilities\": [\n"
	"  {\"VulnerabilityID\": \"CVE-1\", \"PkgName\": \"a\", \"InstalledVersion\": \"1\", \"Severity\": \"MEDIUM\"},\n"
	"  {\"VulnerabilityID\": \"CVE-2\", \"PkgName\": \"b\", \"InstalledVersion\": \"1\", \"FixedVersion\": \"2\", \"Severity\": \"LOW\"}]}]}";
static const char grype[] =
	"{\"matches\": [{\"vulnerability\": {\"id\": \"CVE-1\", \"severity\": \"Critical\", \"fix\": {\"versions\": [\"1.1\", \"2.0\"]}},\n"
	"  \"artifact\": {\"name\": \"a\", \"version\": \"1\"}}],\n"
	" \"source\": {\"type\": \"image\", \"target\": {\"userInput\": \"other:9\", \"manifestDigest\": \"sha256:d1\"}}}";

static void test_group_and_match(void **st)
{
	struct bh_vulndb db;
	struct bh_err err;
	bh_vulns_init(&db, NULL);
	assert_int_equal(bh_vulns_load_buffer(&db, "t.json", trivy, strlen(trivy), &err), 0);
	assert_int_equal(bh_vulns_load_buffer(&db, "g.json", grype, strlen(grype), &err), 0);
	assert_int_equal(bh_vulns_finish(&db, &err), 0);
	assert_int_equal(db.ng, 1); /* one image: the digest is shared */
	const struct bh_vgroup *g = &db.g[0];
	assert_int_equal(g->nv, 2); /* CVE-1 once */
	assert_string_equal(g->v[0].id, "CVE-1");
	assert_int_equal(g->v[0].sev, BH_SEV_CRITICAL); /* the worse reading wins */
	assert_string_equal(g->v[0].fixed, "1.1, 2.0"); /* a fix from the other report fills the gap */
	assert_string_equal(g->v[1].id, "CVE-2");
	char by[256];
	assert_int_equal(bh_vulns_match(&db, "docker.io/library/app:1", 23, by, sizeof(by)), 0);
	assert_string_equal(by, "tag docker.io/library/app:1");
	assert_int_equal(bh_vulns_match(&db, "other:9", 7, by, sizeof(by)), 0);
	assert_int_equal(bh_vulns_match(&db, "x@sha256:d1", 11, by, sizeof(by)), 0);
	assert_string_equal(by, "digest sha256:d1");
	assert_int_equal(bh_vulns_match(&db, "app:1@sha256:d2", 15, by, sizeof(by)), -1); /* pinned elsewhere */
	assert_int_equal(bh_vulns_match(&db, "app:2", 5, by, sizeof(by)), -1);
	bh_vulns_release(&db);
}

static void test_errors(void **st)
{
	struct bh_vulndb db;
	struct bh_err err;
	bh_vulns_init(&db, NULL);
	static const char bad[] = "{\"matches\": [{\"vulnerability\": {\"id\": \"CVE-1\", \"severity\": [1]}}],\n"
				  " \"source\": {\"target\": {\"userInput\": \"a\"}}}";
	assert_int_equal(bh_vulns_load_buffer(&db, "b.json", bad, strlen(bad), &err), -1);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, 60); /* the "[" of the array */
	assert_non_null(strstr(err.msg, "severity: expected a string"));
	static const char noimage[] = "{\"SchemaVersion\": 2, \"Results\": []}";
	assert_int_equal(bh_vulns_load_buffer(&db, "n.json", noimage, strlen(noimage), &err), -1);
	assert_non_null(strstr(err.msg, "the image's name or digest"));
	assert_int_equal(db.n, 0); /* nothing of a failed report is kept */
	assert_int_equal(db.nvulns, 0);
	bh_vulns_release(&db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise),
		cmocka_unit_test(test_rank),
		cmocka_unit_test(test_group_and_match),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
