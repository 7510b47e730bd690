/* Unit tests for watch/identity.c: the cgroup path parser over every driver and runtime format, hostile paths
 * (too long, too many components, "..", cut or forged names), the /var/log/pods and /var/log/containers
 * parsers, and the resolver over a fake --root and a fake /proc. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "watch/identity.h"

#define ID64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define UID "1a2b3c4d-1111-2222-3333-444455556666"
#define UIDU "1a2b3c4d_1111_2222_3333_444455556666"

struct pcase {
	const char *path, *id, *runtime, *uid, *qos;
};

static void check(const struct pcase *c)
{
	struct bhw_identity id;
	memset(&id, 0, sizeof(id));
	assert_int_equal(bhw_identity_parse_cgroup(c->path, &id), 0);
	if (strcmp(id.container_id, c->id) || strcmp(id.pod_uid, c->uid))
		fail_msg("%s: id '%s' uid '%s'", c->path, id.container_id, id.pod_uid);
	if ((c->runtime == NULL) != (id.runtime == NULL) || (c->runtime && strcmp(c->runtime, id.runtime)))
		fail_msg("%s: runtime %s", c->path, id.runtime ? id.runtime : "NULL");
	if ((c->qos == NULL) != (id.qos == NULL) || (c->qos && strcmp(c->qos, id.qos)))
		fail_msg("%s: qos %s", c->path, id.qos ? id.qos : "NULL");
}

static void test_formats(void **state)
{
	(void)state;
	static const struct pcase cases[] = {
		/* systemd driver: containerd, CRI-O, docker (cri-dockerd) */
		{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64 ".scope",
		 ID64, "containerd", UID, "besteffort"},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/crio-" ID64 ".scope", ID64,
		 "cri-o", UID, "burstable"},
		{"/kubepods.slice/kubepods-pod" UIDU ".slice/docker-" ID64 ".scope", ID64, "docker", UID, "guaranteed"},
		/* CRI-O's conmon scope is not the container */
		{"/kubepods.slice/kubepods-pod" UIDU ".slice/crio-conmon-" ID64 ".scope", "", NULL, UID, "guaranteed"},
		/* cgroupfs driver */
		{"/kubepods/burstable/pod" UID "/" ID64, ID64, NULL, UID, "burstable"},
		{"/kubepods/besteffort/pod" UID "/" ID64, ID64, NULL, UID, "besteffort"},
		{"/kubepods/pod" UID "/" ID64, ID64, NULL, UID, "guaranteed"},
		/* a static pod: its UID is the manifest hash, 32 hex */
		{"/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID64, ID64, NULL,
		 "0123456789abcdef0123456789abcdef", "burstable"},
		/* outside Kubernetes */
		{"/system.slice/docker-" ID64 ".scope", ID64, "docker", "", NULL},
		{"/docker/" ID64, ID64, "docker", "", NULL},
		{"/machine.slice/libpod-" ID64 ".scope", ID64, "podman", "", NULL},
		/* the event's names only (parent/leaf) */
		{"kubepods-burstable-pod" UIDU ".slice/cri-containerd-" ID64 ".scope", ID64, "containerd", UID, "burstable"},
		{"pod" UID "/" ID64, ID64, NULL, UID, NULL},
		/* seen from another cgroup namespace: ".." hides what lies above */
		{"/../../pod" UID "/" ID64, ID64, NULL, UID, NULL},
		{"/../kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU ".slice/cri-containerd-" ID64 ".scope", ID64,
		 "containerd", UID, "besteffort"},
		{"/", "", NULL, "", NULL},
		{"", "", NULL, "", NULL},
		{"/user.slice/user-1000.slice/session-3.scope", "", NULL, "", NULL},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);
}

static void test_hostile(void **state)
{
	(void)state;
	static const struct pcase cases[] = {
		/* cut, padded, upper-case or misplaced UIDs and ids are not taken */
		{"/kubepods/burstable/pod1a2b3c4d-1111-2222-3333-44445555666/" ID64, ID64, NULL, "", NULL},
		{"/kubepods/burstable/pod1a2b3c4d-1111-2222-3333-4444555566667/" ID64, ID64, NULL, "", NULL},
		{"/kubepods/burstable/pod1A2B3C4D-1111-2222-3333-444455556666/x", "", NULL, "", NULL},
		{"/kubepods/burstable/pod1a2b3c4d11112-222-3333-444455556666/x", "", NULL, "", NULL},
		{"/kubepods.slice/kubepods-besteffort-pod" UIDU ".scope/x", "", NULL, "", NULL},
		{"/kubepods.slice/kubepods-besteffort-pod" UID ".slice/x", "", NULL, "", NULL}, /* dashes: not systemd's */
		{"/x/cri-containerd-" ID64 "0.scope", "", NULL, "", NULL},
		{"/x/cri-containerd-0123.scope", "", NULL, "", NULL},
		{"/x/cri-containerd-" ID64 ".scope.scope", "", NULL, "", NULL},
		/* a container that makes cgroups below its own cannot replace the kubelet's pod or the runtime's id */
		{"/kubepods/pod" UID "/" ID64 "/pod99999999-1111-2222-3333-444455556666/fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210",
		 ID64, NULL, UID, "guaranteed"},
		{"/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID64 ".scope/kubepods-pod99999999_1111_2222_3333_444455556666.slice",
		 ID64, "containerd", UID, "guaranteed"},
		{"/kubepods/burstable/../pod" UID "/" ID64, ID64, NULL, UID, NULL},
		{"/kubepods/burstable/./pod" UID "/" ID64, ID64, NULL, UID, "burstable"},
		{"//kubepods///pod" UID "//" ID64 "/", ID64, NULL, UID, "guaranteed"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(&cases[i]);

	/* too long, too many components, a component over 255 bytes: refused, nothing set */
	struct bhw_identity id;
	char *big = malloc(BHW_ID_PATH_MAX + 200);
	assert_non_null(big);
	memset(big, 'a', BHW_ID_PATH_MAX + 100);
	big[BHW_ID_PATH_MAX + 100] = 0;
	memcpy(big, "/kubepods/pod" UID "/", strlen("/kubepods/pod" UID "/"));
	memset(&id, 0, sizeof(id));
	assert_int_equal(bhw_identity_parse_cgroup(big, &id), -ENAMETOOLONG);
	assert_string_equal(id.pod_uid, "");
	big[400] = 0;
	assert_int_equal(bhw_identity_parse_cgroup(big, &id), -ENAMETOOLONG);
	assert_string_equal(id.pod_uid, "");
	size_t o = 0;
	for (int i = 0; i < BHW_ID_COMPS_MAX; i++)
		o += (size_t)sprintf(big + o, "/a");
	assert_int_equal(bhw_identity_parse_cgroup(big, &id), -ENAMETOOLONG);
	free(big);
}

static void test_log_names(void **state)
{
	(void)state;
	char ns[64], pod[254], uid[40], ctr[64];
	assert_int_equal(bhw_identity_parse_pod_dir("team_evil-7f9c_" UID, ns, pod, uid), 0);
	assert_string_equal(ns, "team");
	assert_string_equal(pod, "evil-7f9c");
	assert_string_equal(uid, UID);
	assert_int_equal(bhw_identity_parse_pod_dir("kube-system_etcd-node.example.com_0123456789abcdef0123456789abcdef",
						     ns, pod, uid), 0);
	assert_string_equal(pod, "etcd-node.example.com");
	static const char *const bad[] = {
		"team_" UID, "_evil_" UID, "team__" UID, "Team_evil_" UID, "team_evil_" UID "x", "team_ev il_" UID,
		"team_evil_../../etc", "team_evil", "", "team_evil-_" UID, "a_b_c_" UID,
		"0123456789012345678901234567890123456789012345678901234567890123_evil_" UID, /* namespace of 64 */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (bhw_identity_parse_pod_dir(bad[i], ns, pod, uid) == 0)
			fail_msg("accepted pod dir '%s'", bad[i]);
	assert_int_equal(bhw_identity_parse_log_target("/var/log/pods/team_evil_" UID "/shell/0.log", ns, pod, uid, ctr), 0);
	assert_string_equal(ctr, "shell");
	assert_string_equal(ns, "team");
	static const char *const badt[] = {
		"/var/log/pods/team_evil_" UID "/shell/0.txt", "/var/log/pods/team_evil_" UID "/../0.log",
		"/var/log/pods/team_evil_" UID "/Shell/0.log", "team_evil_" UID "/shell/0.log", "0.log", "",
		"/var/log/pods/team_evil_" UID "/she_ll/0.log",
	};
	for (size_t i = 0; i < sizeof(badt) / sizeof(badt[0]); i++)
		if (bhw_identity_parse_log_target(badt[i], ns, pod, uid, ctr) == 0)
			fail_msg("accepted log target '%s'", badt[i]);
}

static struct bhw_event ev_of(const char *leaf, const char *parent, uint32_t pid)
{
	struct bhw_event e;
	memset(&e, 0, sizeof(e));
	e.pid = pid;
	e.cgroup_id = 77;
	snprintf(e.cgroup[0], BHW_CGNAME, "%s", leaf);
	snprintf(e.cgroup[1], BHW_CGNAME, "%s", parent);
	return e;
}

/* the identity of a task in cgroup parent/leaf (no /proc entry): namespace, pod and container names */
static void expect_names(struct bhw_ident *r, const char *leaf, const char *parent, uint64_t cgid, const char *ns,
			 const char *pod, const char *ctr)
{
	struct bhw_event e = ev_of(leaf, parent, 4242);
	e.cgroup_id = cgid;
	const struct bhw_identity *id = bhw_ident_lookup(r, &e);
	if (strcmp(id->ns, ns) || strcmp(id->pod, pod) || strcmp(id->container, ctr))
		fail_msg("%s/%s: '%s' '%s' '%s', want '%s' '%s' '%s'", parent, leaf, id->ns, id->pod, id->container, ns, pod,
			 ctr);
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* a fake host: --root with /var/log/pods and /var/log/containers, a /proc with one task's cgroup file */
static void test_resolver(void **state)
{
	(void)state;
	char root[] = "/tmp/bh-ident-XXXXXX", p[600], q[600];
	assert_non_null(mkdtemp(root));
	static const char *const dirs[] = {"var", "var/log", "var/log/pods", "var/log/containers", "proc", "proc/42",
					   "var/log/pods/team_evil_" UID, "var/log/pods/team_evil_" UID "/shell",
					   "var/log/pods/other_two_99999999-1111-2222-3333-444455556666",
					   "var/log/pods/other_two_99999999-1111-2222-3333-444455556666/a",
					   "var/log/pods/other_two_99999999-1111-2222-3333-444455556666/b"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/proc/42/cgroup", root);
	put(p, "12:pids:/\n4:memory:/kubepods/burstable/pod" UID "/" ID64 "\n0::/\n");
	snprintf(q, sizeof(q), "%s/proc", root);
	struct bhw_ident *r = bhw_ident_new(root, q, "node-1");
	assert_non_null(r);

	/* the full path from /proc: QoS known though the names alone ("pod<uid>") do not tell it */
	struct bhw_event e = ev_of(ID64, "pod" UID, 42);
	const struct bhw_identity *id = bhw_ident_lookup(r, &e);
	assert_string_equal(id->cgroup_path, "/kubepods/burstable/pod" UID "/" ID64);
	assert_string_equal(id->qos, "burstable");
	assert_string_equal(id->ns, "team");
	assert_string_equal(id->pod, "evil");
	assert_string_equal(id->container, "shell"); /* the only container directory */
	assert_string_equal(id->node, "node-1");
	struct bhw_ident_stats st;
	bhw_ident_lookup(r, &e);
	bhw_ident_stats(r, &st);
	assert_int_equal(st.lookups, 2);
	assert_int_equal(st.hits, 1);

	/* a task whose /proc entry names another cgroup now (pid reused): the event's names are used */
	struct bhw_event e2 = ev_of("cri-containerd-" ID64 ".scope", "kubepods-besteffort-pod" UIDU ".slice", 42);
	e2.cgroup_id = 78;
	id = bhw_ident_lookup(r, &e2);
	assert_string_equal(id->cgroup_path, "");
	assert_string_equal(id->qos, "besteffort");
	assert_string_equal(id->runtime, "containerd");
	assert_string_equal(id->pod, "evil");

	/* two containers in the pod's log directory: namespace and name, no container name (not guessed) */
	expect_names(r, ID64, "pod99999999-1111-2222-3333-444455556666", 90, "other", "two", "");

	/* the /var/log/containers symlink names the container, even among several */
	const char *id2 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
	snprintf(p, sizeof(p), "%s/var/log/containers/two_other_b-%s.log", root, id2);
	assert_int_equal(symlink("/var/log/pods/other_two_99999999-1111-2222-3333-444455556666/b/0.log", p), 0);
	/* a link whose target belongs to another pod UID is not believed */
	snprintf(q, sizeof(q), "%s/var/log/containers/evil_team_x-%s.log", root, ID64);
	assert_int_equal(symlink("/var/log/pods/other_two_99999999-1111-2222-3333-444455556666/b/0.log", q), 0);
	expect_names(r, id2, "pod99999999-1111-2222-3333-444455556666", 79, "other", "two", "b");
	expect_names(r, ID64, "pod" UID, 80, "team", "evil", "shell");

	/* a pod UID the node does not know: the UID only */
	expect_names(r, ID64, "pod00000000-1111-2222-3333-444455556666", 81, "", "", "");
	bhw_ident_free(r);

	/* no root, no proc, an invalid node name: names only, no node */
	r = bhw_ident_new(NULL, NULL, "Node_1");
	id = bhw_ident_lookup(r, &e);
	assert_string_equal(id->pod_uid, UID);
	assert_null(id->node);
	assert_string_equal(id->ns, "");
	bhw_ident_free(r);
	unlink(p);
	unlink(q);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_log_names),
		cmocka_unit_test(test_resolver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
