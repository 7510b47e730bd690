/* Unit tests for the watch detector, rules, config, engines and recorder — all without root: events are
 * synthetic (built here) or go through a recorded file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "watch/detect.h"
#include "watch/engine.h"

static struct bhw_event mk(unsigned type)
{
	struct bhw_event e;
	memset(&e, 0, sizeof(e));
	e.type = (uint16_t)type;
	e.version = BHW_EVENT_VERSION;
	e.flags = BHW_F_CONTAINER;
	e.ts_ns = 1000000000ull;
	e.pid = e.tid = 4242;
	e.ppid = 4000;
	strcpy(e.comm, "sh");
	e.cap_eff = 0x00000000a80425fbull; /* runc's default set: no SYS_PTRACE */
	e.host_mask = 0;
	strcpy(e.cgroup[0], "cri-containerd-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope");
	strcpy(e.cgroup[1], "kubepods-besteffort-pod1a2b3c4d_1111_2222_3333_444455556666.slice");
	return e;
}

static void set_path(struct bhw_event *e, const char *const *leaf_first, uint64_t magic, uint32_t mode, uint32_t rdev,
		     uint64_t flags)
{
	char(*comp)[BHW_COMP_LEN] = (void *)e->s;
	for (int i = 0; leaf_first[i]; i++)
		snprintf(comp[i], BHW_COMP_LEN, "%s", leaf_first[i]);
	e->a[0] = magic;
	e->a[1] = mode;
	e->a[2] = rdev;
	e->a[3] = flags;
}

struct collect {
	char rules[16][8];
	enum bh_sev sev[16];
	int n;
	char msg[320];
	char container[BHW_CGNAME], pod[40];
	const char *runtime;
	bool suppressed;
	char exe[64], args[64];
};

static void on_alert(void *ctx, const struct bhw_alert *a)
{
	struct collect *c = ctx;
	if (c->n < 16) {
		snprintf(c->rules[c->n], 8, "%s", a->rule->id);
		c->sev[c->n] = a->sev;
		c->n++;
	}
	snprintf(c->msg, sizeof(c->msg), "%s", a->message);
	snprintf(c->container, sizeof(c->container), "%s", a->container_id);
	snprintf(c->pod, sizeof(c->pod), "%s", a->pod_uid);
	c->runtime = a->runtime;
	c->suppressed = a->suppressed;
	snprintf(c->exe, sizeof(c->exe), "%s", a->exe);
	snprintf(c->args, sizeof(c->args), "%s", a->args);
}

static struct collect run1(const struct bhw_event *e, const struct bhw_config *cfg)
{
	struct collect c;
	memset(&c, 0, sizeof(c));
	struct bhw_detector *d = bhw_detector_new(cfg);
	assert_non_null(d);
	bhw_detector_feed(d, e, on_alert, &c);
	bhw_detector_free(d);
	return c;
}

static void expect_rule(const struct bhw_event *e, const char *id)
{
	struct collect c = run1(e, NULL);
	if (!id) {
		assert_int_equal(c.n, 0);
		return;
	}
	assert_int_equal(c.n, 1);
	assert_string_equal(c.rules[0], id);
}

static void test_rules_per_event(void **state)
{
	(void)state;
	struct bhw_event e = mk(BHW_EV_EXEC);
	strcpy(e.s[0], "/usr/bin/ls");
	expect_rule(&e, NULL);
	e.a[1] = BHW_EXEC_MEMFD | BHW_EXEC_UNLINKED;
	strcpy(e.s[2], "memfd:payload");
	expect_rule(&e, "BH0500");

	e = mk(BHW_EV_MOUNT);
	strcpy(e.s[0], "/dev/sda1");
	strcpy(e.s[1], "/mnt");
	strcpy(e.s[2], "ext4");
	expect_rule(&e, "BH0501");
	e.a[0] = 0x1000; /* MS_BIND of a device node is not a filesystem mount */
	expect_rule(&e, "BH0503");
	strcpy(e.s[0], "cgroup");
	strcpy(e.s[2], "cgroup");
	e.a[0] = 0;
	expect_rule(&e, "BH0502");
	strcpy(e.s[0], "none");
	strcpy(e.s[2], "tmpfs");
	expect_rule(&e, "BH0503");

	e = mk(BHW_EV_FSOPEN);
	strcpy(e.s[2], "cgroup2");
	expect_rule(&e, "BH0502");

	static const char *const ra[] = {"release_agent", "x", NULL}, *const nor[] = {"notify_on_release", NULL},
				 *const cp[] = {"core_pattern", "kernel", "sys", NULL},
				 *const ipf[] = {"ip_forward", "ipv4", "net", "sys", NULL},
				 *const modp[] = {"modprobe", "kernel", "sys", NULL},
				 *const sysrq[] = {"sysrq-trigger", NULL},
				 *const ueh[] = {"uevent_helper", "kernel", NULL},
				 *const oom[] = {"oom_score_adj", "self", NULL}, *const mem[] = {"mem", "1", NULL},
				 *const devmem[] = {"mem", NULL}, *const sda[] = {"sda", NULL};
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, ra, 0x27e0eb, 0100644, 0, 01);
	expect_rule(&e, "BH0504");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, ra, 0x27e0eb, 0100644, 0, 00); /* read-only open: nothing */
	expect_rule(&e, NULL);
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, nor, 0x27e0eb, 0100644, 0, 02);
	expect_rule(&e, "BH0505");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, cp, 0x9fa0, 0100644, 0, 02001);
	expect_rule(&e, "BH0506");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, ipf, 0x9fa0, 0100644, 0, 01);
	struct collect c = run1(&e, NULL);
	assert_string_equal(c.rules[0], "BH0507");
	assert_int_equal(c.sev[0], BH_SEV_MEDIUM); /* per network namespace */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, modp, 0x9fa0, 0100644, 0, 01);
	c = run1(&e, NULL);
	assert_string_equal(c.rules[0], "BH0507");
	assert_int_equal(c.sev[0], BH_SEV_CRITICAL);
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, sysrq, 0x9fa0, 0100200, 0, 01);
	expect_rule(&e, "BH0508");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, ueh, 0x62656572, 0100644, 0, 01);
	c = run1(&e, NULL);
	assert_string_equal(c.rules[0], "BH0509");
	assert_int_equal(c.sev[0], BH_SEV_CRITICAL);
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, oom, 0x9fa0, 0100644, 0, 01); /* ordinary /proc/self write */
	expect_rule(&e, NULL);
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, mem, 0x9fa0, 0100600, 0, 02);
	expect_rule(&e, "BH0515");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, devmem, 0x1021994, 0020640, (1u << 20) | 1, 0);
	expect_rule(&e, "BH0510");
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, sda, 0x1021994, 0060660, (8u << 20), 0);
	expect_rule(&e, "BH0511");

	e = mk(BHW_EV_SETNS);
	e.a[2] = 0;
	e.a[3] = 1u << BHW_NS_MNT;
	e.host_mask = 1u << BHW_NS_MNT;
	expect_rule(&e, "BH0512");
	e.host_mask = 0;
	expect_rule(&e, "BH0513");
	e.a[3] = 0; /* joined the namespace it was in */
	expect_rule(&e, NULL);

	e = mk(BHW_EV_UNSHARE);
	e.a[0] = 0x10000000;
	c = run1(&e, NULL);
	assert_string_equal(c.rules[0], "BH0514");
	assert_int_equal(c.sev[0], BH_SEV_HIGH);
	e.a[0] = 0x400; /* CLONE_FILES: no namespace */
	expect_rule(&e, NULL);

	e = mk(BHW_EV_PTRACE);
	e.a[0] = 16;
	e.a[1] = 1;
	expect_rule(&e, "BH0515");
	e = mk(BHW_EV_MODULE);
	expect_rule(&e, "BH0516");
	e = mk(BHW_EV_BPF);
	e.a[0] = 5;
	expect_rule(&e, "BH0517");
	e = mk(BHW_EV_CONNECT);
	strcpy(e.s[0], "/host/run/containerd/containerd.sock");
	expect_rule(&e, "BH0518");
	strcpy(e.s[0], "@/containerd-shim/k8s.io/abc/shim.sock");
	expect_rule(&e, "BH0518");
	strcpy(e.s[0], "/var/run/nscd/socket");
	expect_rule(&e, NULL);
	e = mk(BHW_EV_CHROOT);
	strcpy(e.s[0], "/mnt");
	expect_rule(&e, "BH0519");
	e = mk(BHW_EV_USERFAULTFD);
	expect_rule(&e, "BH0520");
	e.cap_eff |= 1ull << 19; /* CAP_SYS_PTRACE: privileged use */
	expect_rule(&e, NULL);
	e = mk(BHW_EV_OPEN_BY_HANDLE);
	expect_rule(&e, "BH0521");
	e = mk(BHW_EV_EXIT);
	expect_rule(&e, NULL);
}

static void test_container_context(void **state)
{
	(void)state;
	struct bhw_event e = mk(BHW_EV_BPF);
	e.a[0] = 5;
	struct collect c = run1(&e, NULL);
	assert_string_equal(c.container, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(c.runtime, "containerd");
	assert_string_equal(c.pod, "1a2b3c4d-1111-2222-3333-444455556666");

	strcpy(e.cgroup[0], "crio-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.scope");
	strcpy(e.cgroup[1], "pod0f0f0f0f-1111-2222-3333-444455556666");
	c = run1(&e, NULL);
	assert_string_equal(c.runtime, "cri-o");
	assert_string_equal(c.pod, "0f0f0f0f-1111-2222-3333-444455556666");

	strcpy(e.cgroup[0], "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
	strcpy(e.cgroup[1], "docker");
	c = run1(&e, NULL);
	assert_string_equal(c.runtime, "docker");
	assert_string_equal(c.pod, "");

	strcpy(e.cgroup[0], "mylab");
	e.cgroup[1][0] = 0;
	c = run1(&e, NULL);
	assert_string_equal(c.container, "mylab");
	assert_null(c.runtime);
}

static void test_dedup(void **state)
{
	(void)state;
	struct bhw_detector *d = bhw_detector_new(NULL);
	struct collect c;
	memset(&c, 0, sizeof(c));
	struct bhw_event e = mk(BHW_EV_MOUNT);
	strcpy(e.s[0], "/dev/sda1");
	strcpy(e.s[2], "ext3");
	bhw_detector_feed(d, &e, on_alert, &c);
	strcpy(e.s[2], "ext4"); /* busybox mount trying the next type */
	e.ts_ns += 1000;
	bhw_detector_feed(d, &e, on_alert, &c);
	assert_int_equal(c.n, 1);
	e.pid = 4243; /* another process: its own alert */
	bhw_detector_feed(d, &e, on_alert, &c);
	e.ts_ns += 3000000000ull; /* after the window: again */
	bhw_detector_feed(d, &e, on_alert, &c);
	assert_int_equal(c.n, 3);
	struct bhw_detector_stats st;
	bhw_detector_stats(d, &st);
	assert_int_equal(st.deduplicated, 1);
	assert_int_equal(st.alerts, 3);
	bhw_detector_set_dedup(d, 0);
	bhw_detector_feed(d, &e, on_alert, &c);
	assert_int_equal(c.n, 4);
	bhw_detector_free(d);
}

static void test_process_cache(void **state)
{
	(void)state;
	struct bhw_detector *d = bhw_detector_new(NULL);
	struct bhw_event x = mk(BHW_EV_EXEC);
	strcpy(x.s[0], "/bin/mount");
	memcpy(x.s[1], "mount\0-t\0ext4\0", 14);
	x.a[0] = 14;
	bhw_detector_feed(d, &x, NULL, NULL);
	struct bhw_event m = mk(BHW_EV_CHROOT);
	strcpy(m.s[0], "/mnt");
	struct collect c;
	memset(&c, 0, sizeof(c));
	bhw_detector_feed(d, &m, on_alert, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.exe, "/bin/mount"); /* a later event names the program seen at exec */
	assert_string_equal(c.args, "mount -t ext4");
	struct bhw_event x2 = mk(BHW_EV_EXIT);
	bhw_detector_feed(d, &x2, NULL, NULL);
	memset(&c, 0, sizeof(c));
	m.ts_ns += 5000000000ull;
	bhw_detector_feed(d, &m, on_alert, &c);
	assert_string_equal(c.exe, ""); /* forgotten at exit */
	bhw_detector_free(d);
}

static void test_config(void **state)
{
	(void)state;
	struct bhw_config cfg;
	struct bh_err err = {0};
	bhw_config_init(&cfg);
	/* one file for every command: the other sections are read (and checked) by the one loader */
	const char *y = "rules: {disable: [BH0003]}\nwatch:\n  disable: [container-setns]\n  severity: {BH0503: low}\n"
			"  allow:\n    - rule: BH0518\n      container: 0123\n      reason: node agent\n"
			"      expires: 2999-01-01\n";
	assert_int_equal(bhw_config_parse(&cfg, y, strlen(y), "t.yaml", &err), 0);
	assert_int_equal(cfg.nallow, 1);
	assert_string_equal(cfg.allow[0].rule, "BH0518");

	struct bhw_event e = mk(BHW_EV_CONNECT);
	strcpy(e.s[0], "/run/docker.sock");
	struct collect c = run1(&e, &cfg);
	assert_int_equal(c.n, 1);
	assert_true(c.suppressed);
	e = mk(BHW_EV_SETNS);
	e.a[3] = 4;
	c = run1(&e, &cfg);
	assert_int_equal(c.n, 0);
	e = mk(BHW_EV_UMOUNT);
	c = run1(&e, &cfg);
	assert_int_equal(c.sev[0], BH_SEV_LOW);

	/* expired entries no longer apply */
	bhw_config_init(&cfg);
	y = "watch:\n  allow:\n    - {rule: BH0518, reason: old, expires: 2001-01-01}\n";
	assert_int_equal(bhw_config_parse(&cfg, y, strlen(y), "t.yaml", &err), 0);
	e = mk(BHW_EV_CONNECT);
	strcpy(e.s[0], "/run/docker.sock");
	e.ts_ns = 1700000000ull * 1000000000ull; /* expiry is judged at the event's time (2023) */
	c = run1(&e, &cfg);
	assert_false(c.suppressed);
	e.ts_ns = 900000000ull * 1000000000ull; /* 1998: still exempt */
	c = run1(&e, &cfg);
	assert_true(c.suppressed);

	static const char *const bad[] = {
		"watch:\n  allow:\n    - rule: BH0518\n",                     /* no reason */
		"watch:\n  allow:\n    - {reason: everything}\n",              /* matches everything */
		"watch:\n  disable: [BH0001]\n",                               /* not a watch rule */
		"watch:\n  allow:\n    - {rule: BH0518, reason: x, expires: soon}\n",
		"watch:\n  allow:\n    - {rule: BH0518, reason: x, colour: red}\n",
		"watch: [1, 2]\n",
		"watch:\n  severity: {BH0503: loud}\n",
		"watch: {\n",
		"other: 1\nwatch:\n  disable: [container-setns]\n", /* unknown top-level key */
		"watch:\n  disabel: [container-setns]\n",            /* a typo is no longer ignored */
		"watch:\n  severity: {BH0001: low}\n",                 /* not a watch rule */
		"watch:\n  allow:\n    - {rule: BH9999, reason: x}\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		bhw_config_init(&cfg);
		memset(&err, 0, sizeof(err));
		assert_true(bhw_config_parse(&cfg, bad[i], strlen(bad[i]), "bad.yaml", &err) < 0);
		assert_non_null(strstr(err.msg, "bad.yaml"));
		assert_true(err.line > 0); /* every error has its line */
	}
	/* …and the column of the offending key: "bad.yaml:2:3: unknown key \"disabel\" in watch" */
	bhw_config_init(&cfg);
	memset(&err, 0, sizeof(err));
	y = "watch:\n  disabel: [container-setns]\n";
	assert_true(bhw_config_parse(&cfg, y, strlen(y), "bad.yaml", &err) < 0);
	assert_non_null(strstr(err.msg, "bad.yaml:2:3: unknown key \"disabel\" in watch"));
}

/* issue 13's last rows: the API connect after a foreign token read, keyring, splice; a token of the caller's
 * own pod (its UID in the kubelet path, 31 characters of it) is not foreign */
static void test_token_keyring_splice(void **state)
{
	(void)state;
	struct bhw_event e = mk(BHW_EV_API_CONNECT);
	e.a[0] = 6443;
	e.a[1] = 2;
	e.a[3] = 0x0100007f;
	expect_rule(&e, "BH0529");
	e = mk(BHW_EV_KEYRING);
	e.a[0] = 250;
	expect_rule(&e, "BH0530");
	e = mk(BHW_EV_SPLICE);
	strcpy(e.s[0], "passwd");
	expect_rule(&e, "BH0532");
	e = mk(BHW_EV_OPEN_WRITE);
	e.flags |= BHW_F_SA_TOKEN;
	e.a[0] = 0x01021994;
	e.a[1] = 0100644;
	const char *comps[] = {"token", "kube-api-access-x", "kubernetes.io~projected", "volumes",
			       "0a1b2c3d-1111-2222-3333-4444555", "pods", "kubelet", "lib", "var"};
	char(*comp)[BHW_COMP_LEN] = (void *)e.s;
	for (size_t i = 0; i < sizeof(comps) / sizeof(comps[0]); i++)
		snprintf(comp[i], BHW_COMP_LEN, "%s", comps[i]);
	expect_rule(&e, "BH0528");
	strcpy(e.cgroup[1], "kubepods-besteffort-pod0a1b2c3d_1111_2222_3333_444455556666.slice");
	expect_rule(&e, NULL);
}

static void test_needed(void **state)
{
	(void)state;
	size_t n;
	bhw_rules(&n);
	bool enabled[100], need[BHW_EV_MAX];
	for (size_t i = 0; i < 100; i++)
		enabled[i] = i < n;
	bhw_rules_needed(enabled, need);
	assert_true(need[BHW_EV_OPEN_WRITE] && need[BHW_EV_CONNECT] && need[BHW_EV_EXEC]);
	for (size_t i = 0; i < n; i++)
		enabled[i] = strcmp(bhw_rules(&n)[i].id, "BH0518") && strcmp(bhw_rules(&n)[i].id, "BH0527") &&
			     strcmp(bhw_rules(&n)[i].id, "BH0529"); /* BH0529's inet branch lives in on_connect */
	bhw_rules_needed(enabled, need);
	assert_false(need[BHW_EV_CONNECT]); /* no rule needs connect: the syscall is not traced */
	assert_true(need[BHW_EV_MOUNT]);
}

static void test_rule_rows(void **state)
{
	(void)state;
	size_t n;
	const struct bh_rule *r = bhw_rules(&n);
	assert_int_equal(n, 33);
	for (size_t i = 0; i < n; i++) {
		char id[24];
		snprintf(id, sizeof(id), "BH%04u", (unsigned)(500 + i));
		assert_string_equal(r[i].id, id);
		assert_non_null(r[i].name);
		assert_non_null(r[i].title);
		assert_non_null(r[i].technique);
		assert_non_null(r[i].remediation);
		assert_non_null(r[i].references);
		assert_null(r[i].check);
		assert_non_null(bhw_rule_explain(&r[i]));
		assert_ptr_equal(bhw_rule_find(r[i].name), &r[i]);
	}
}

static void test_sanitize(void **state)
{
	(void)state;
	struct bhw_event e = mk(BHW_EV_CONNECT);
	memset(e.s, 'A', sizeof(e.s));
	memset(e.comm, 'B', sizeof(e.comm));
	memset(e.cgroup, 'C', sizeof(e.cgroup));
	assert_int_equal(bhw_event_sanitize(&e), 0);
	assert_int_equal(strlen(e.s[0]), BHW_STR - 1);
	assert_int_equal(strlen(e.comm), BHW_COMM - 1);
	assert_int_equal(strlen(e.cgroup[1]), BHW_CGNAME - 1);
	e.type = BHW_EV_MAX;
	assert_int_equal(bhw_event_sanitize(&e), -EINVAL);
	e.type = BHW_EV_EXEC;
	e.version = 99;
	assert_int_equal(bhw_event_sanitize(&e), -EINVAL);
}

static int count_cb(void *ctx, const struct bhw_event *ev)
{
	(void)ev;
	(*(int *)ctx)++;
	return 0;
}

static void test_record_replay(void **state)
{
	(void)state;
	char path[] = "/tmp/bh-test-watch-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	uint32_t hns[BHW_NS_MAX] = {1, 2, 3, 4, 5, 6, 7};
	struct bh_err err = {0};
	struct bhw_recorder *r = bhw_recorder_open(path, hns, 42, &err);
	assert_non_null(r);
	struct bhw_event e = mk(BHW_EV_BPF);
	for (int i = 0; i < 10; i++)
		assert_int_equal(bhw_recorder_write(r, &e), 0);
	e.type = 999; /* invalid: refused at replay */
	assert_int_equal(bhw_recorder_write(r, &e), 0);
	assert_int_equal(bhw_recorder_close(r), 0);

	struct bhw_source *s;
	struct bhw_source_opts o = {.path = path};
	assert_int_equal(bhw_engine_replay.open(&s, &o, &err), 0);
	uint32_t got[BHW_NS_MAX];
	int64_t off;
	bhw_engine_replay.origin(s, got, &off);
	assert_int_equal(got[6], 7);
	assert_int_equal(off, 42);
	int n = 0, rc;
	while ((rc = bhw_engine_replay.poll(s, 0, count_cb, &n)) > 0)
		;
	assert_int_equal(rc, -ENODATA);
	assert_int_equal(n, 10);
	struct bhw_stats st;
	bhw_engine_replay.stats(s, &st);
	assert_int_equal(st.invalid, 1);
	bhw_engine_replay.close(s);

	/* truncated by one byte: refused */
	assert_int_equal(truncate(path, (off_t)(sizeof(struct bhw_rec_header) + 3 * sizeof(struct bhw_event) - 1)), 0);
	assert_true(bhw_engine_replay.open(&s, &o, &err) < 0);
	assert_non_null(strstr(err.msg, "truncated"));
	unlink(path);
	o.path = "/nonexistent/x.bhw";
	assert_true(bhw_engine_replay.open(&s, &o, &err) < 0);

	/* synthetic engine, same callback */
	struct bhw_event arr[3] = {mk(BHW_EV_EXEC), mk(BHW_EV_EXIT), mk(BHW_EV_BPF)};
	struct bhw_source_opts so = {.buf = arr, .nbuf = 3};
	assert_int_equal(bhw_engine_synthetic.open(&s, &so, &err), 0);
	n = 0;
	while (bhw_engine_synthetic.poll(s, 0, count_cb, &n) > 0)
		;
	assert_int_equal(n, 3);
	bhw_engine_synthetic.close(s);
	bhw_engine_synthetic.close(NULL);
}

static void test_alert_json(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct bhw_event e = mk(BHW_EV_CONNECT);
	strcpy(e.s[0], "/run/\"quoted\"\n/docker.sock");
	strcpy(e.comm, "a\"b");
	struct bhw_alert a = {.rule = bhw_rule_find("BH0518"), .sev = BH_SEV_CRITICAL, .ev = &e,
			      .exe = "/bin/x", .args = "x y", .time_ns = 1700000000123456789ll};
	snprintf(a.message, sizeof(a.message), "connected");
	bhw_alert_json(f, &a);
	fclose(f);
	assert_non_null(strstr(buf, "\"rule\":\"BH0518\""));
	assert_non_null(strstr(buf, "\"comm\":\"a\\\"b\""));
	assert_non_null(strstr(buf, "\\n/docker.sock"));
	assert_non_null(strstr(buf, "\"time\":\"2023-11-14T22:13:20.123456Z\""));
	assert_int_equal(buf[len - 1], '\n');
	assert_null(memchr(buf, '\n', len - 1)); /* one line */
	free(buf);
}

/* The variants of issue 13: the same technique reached another way gets the same rule and severity. */
static struct collect expect_sev(const struct bhw_event *e, const char *id, enum bh_sev sev)
{
	struct collect c = run1(e, NULL);
	assert_true(c.n >= 1);
	assert_string_equal(c.rules[0], id);
	assert_int_equal(c.sev[0], sev);
	return c;
}

static void test_variants(void **state)
{
	(void)state;
	/* release_agent as a mount option (mount(2) data) and as an fsconfig parameter */
	struct bhw_event e = mk(BHW_EV_MOUNT_PARAM);
	strcpy(e.s[0], "data");
	strcpy(e.s[1], "none,name=x,release_agent=/p");
	strcpy(e.s[2], "cgroup");
	expect_sev(&e, "BH0504", BH_SEV_CRITICAL);
	strcpy(e.s[1], "none,name=x_release_agent=/p"); /* not an option of its own */
	expect_rule(&e, NULL);
	e = mk(BHW_EV_MOUNT_PARAM);
	strcpy(e.s[0], "release_agent");
	strcpy(e.s[1], "/p");
	strcpy(e.s[2], "cgroup");
	expect_sev(&e, "BH0504", BH_SEV_CRITICAL);
	/* fsconfig source for a filesystem that needs a block device, whatever the name; not for tmpfs */
	e = mk(BHW_EV_MOUNT_PARAM);
	strcpy(e.s[0], "source");
	strcpy(e.s[1], "/tmp/innocent");
	strcpy(e.s[2], "ext4");
	e.a[0] = 1; /* FS_REQUIRES_DEV */
	expect_sev(&e, "BH0501", BH_SEV_CRITICAL);
	e.a[0] = 0;
	strcpy(e.s[2], "tmpfs");
	expect_rule(&e, NULL);
	/* a superblock on a block device (fsmount), and mount(2) of a block filesystem from a mknod'd node */
	e = mk(BHW_EV_SB_MOUNT);
	e.a[0] = (7u << 20) | 3;
	strcpy(e.s[2], "ext2");
	expect_sev(&e, "BH0501", BH_SEV_CRITICAL);
	e.a[0] = 0;
	strcpy(e.s[2], "cgroup");
	expect_rule(&e, "BH0502");
	e = mk(BHW_EV_MOUNT);
	strcpy(e.s[0], "/tmp/d");
	strcpy(e.s[1], "/mnt");
	strcpy(e.s[2], "ext2");
	expect_rule(&e, "BH0501");
	/* binfmt_misc register opened for writing */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, (const char *const[]){"register", NULL}, 0x42494e4d, 0100200, 0, 1);
	expect_sev(&e, "BH0526", BH_SEV_CRITICAL);
	expect_rule(&e, "BH0526");
	/* /proc/<pid>/root: a file on a mount of the host's namespace (critical) or another container's (high) */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, (const char *const[]){"marker", "tmp", NULL}, 0xef53, 0100644, 0, 1);
	e.flags |= BHW_F_FOREIGN_MNT | BHW_F_HOST_MNT;
	expect_sev(&e, "BH0522", BH_SEV_CRITICAL);
	expect_rule(&e, "BH0522");
	e.flags &= ~BHW_F_HOST_MNT;
	expect_sev(&e, "BH0522", BH_SEV_HIGH);
	e.a[3] = 0; /* O_RDONLY */
	expect_sev(&e, "BH0523", BH_SEV_MEDIUM);
	expect_rule(&e, "BH0523");
	/* sensitive host files by inode class: cron write critical, cron read nothing, PKI read high */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, (const char *const[]){"x", "cron.d", "etc", NULL}, 0xef53, 0100644, 0, 1);
	e.flags |= BHW_F_SENSITIVE;
	e.a[1] |= (uint64_t)BHW_SENS_CRON << 32;
	expect_sev(&e, "BH0524", BH_SEV_CRITICAL);
	expect_rule(&e, "BH0524");
	e.a[3] = 0;
	expect_rule(&e, NULL);
	e.a[1] = 0100600 | ((uint64_t)BHW_SENS_KUBELET_PKI << 32);
	expect_sev(&e, "BH0525", BH_SEV_HIGH);
	expect_rule(&e, "BH0525");
	/* /proc/<pid>/task/<tid>/mem and process_vm_writev; a host process as the target is critical */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, (const char *const[]){"mem", "77", "task", "77", NULL}, 0x9fa0, 0100600, 0, 2);
	expect_rule(&e, "BH0515");
	e = mk(BHW_EV_PROC_ACCESS);
	e.a[0] = 2;
	e.a[1] = 77;
	e.a[3] = 311;
	struct collect c = expect_sev(&e, "BH0515", BH_SEV_HIGH);
	assert_non_null(strstr(c.msg, "process_vm_writev"));
	e.a[2] = (1u << BHW_NS_PID) | (1u << BHW_NS_MNT);
	expect_sev(&e, "BH0515", BH_SEV_CRITICAL);
	/* clone3(CLONE_NEWUSER) and userns_create */
	e = mk(BHW_EV_UNSHARE);
	e.a[0] = 0x10000000;
	e.a[1] = 435;
	c = expect_sev(&e, "BH0514", BH_SEV_HIGH);
	assert_non_null(strstr(c.msg, "clone3"));
	e = mk(BHW_EV_USERNS);
	expect_sev(&e, "BH0514", BH_SEV_HIGH);
	/* a memfd opened again by path (the loader's first step), whatever its mode */
	e = mk(BHW_EV_OPEN_WRITE);
	set_path(&e, (const char *const[]){"memfd:payload", NULL}, 0x01021994, 0100777, 0, 0);
	e.flags |= BHW_F_MEMFD_OPEN;
	expect_sev(&e, "BH0500", BH_SEV_CRITICAL);
	/* memfd mapped executable by a loader */
	e = mk(BHW_EV_MMAP_EXEC);
	strcpy(e.s[0], "memfd:payload");
	e.a[2] = 1;
	expect_sev(&e, "BH0500", BH_SEV_CRITICAL);
	/* runtime socket judged by the listener: its bound name, or its inode in the runtime set */
	e = mk(BHW_EV_CONNECT);
	e.flags |= BHW_F_OBJECT;
	strcpy(e.s[0], "/run/containerd/containerd.sock"); /* the listener's name, whatever the caller used */
	expect_sev(&e, "BH0518", BH_SEV_CRITICAL);
	strcpy(e.s[0], "/run/renamed");
	e.a[3] = BHW_PEER_RUNTIME;
	expect_rule(&e, "BH0518");
	e.a[3] = BHW_PEER_HOST_NET | BHW_PEER_OTHER_NET;
	expect_sev(&e, "BH0527", BH_SEV_MEDIUM);
	expect_rule(&e, "BH0527");
	e.a[3] = 0; /* a socket of the container's own */
	expect_rule(&e, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_per_event), cmocka_unit_test(test_container_context),
		cmocka_unit_test(test_variants),
		cmocka_unit_test(test_dedup),           cmocka_unit_test(test_process_cache),
		cmocka_unit_test(test_config),          cmocka_unit_test(test_needed),
		cmocka_unit_test(test_token_keyring_splice),
		cmocka_unit_test(test_rule_rows),       cmocka_unit_test(test_sanitize),
		cmocka_unit_test(test_record_replay),   cmocka_unit_test(test_alert_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
