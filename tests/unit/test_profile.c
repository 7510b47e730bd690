/* Unit tests for watch --profile's non-root parts (the generated name tables, the seccomp profile and the
 * summary writers) and for fix --profile's reader of that summary: the contract between the two. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fix/fix.h"
#include "watch/profiler.h"

static void setbit(__u64 *w, unsigned nr)
{
	w[nr / 64] |= 1ull << (nr % 64);
}

static void test_tables(void **state)
{
	(void)state;
	/* numbers from the x86_64 and i386 syscall ABIs (arch/x86/entry/syscalls/syscall_64.tbl, _32.tbl) */
	assert_string_equal(bhp_syscall_name(false, 0), "read");
	assert_string_equal(bhp_syscall_name(false, 59), "execve");
	assert_string_equal(bhp_syscall_name(false, 257), "openat");
	assert_string_equal(bhp_syscall_name(false, 165), "mount");
	assert_string_equal(bhp_syscall_name(true, 11), "execve");
	assert_string_equal(bhp_syscall_name(true, 5), "open");
	assert_null(bhp_syscall_name(false, 100000));
	assert_int_equal(bhp_syscall_nr(false, "openat"), 257);
	assert_int_equal(bhp_syscall_nr(true, "openat"), 295);
	assert_int_equal(bhp_syscall_nr(false, "no_such_call"), -1);
	/* linux/capability.h */
	assert_string_equal(bhp_cap_name(0), "CHOWN");
	assert_string_equal(bhp_cap_name(21), "SYS_ADMIN");
	assert_string_equal(bhp_cap_name(39), "BPF");
	assert_null(bhp_cap_name(63));
	/* every init call is a real x86_64 name (a typo would silently allow nothing) */
	for (int i = 0; bhp_init_syscalls[i]; i++)
		assert_true(bhp_syscall_nr(false, bhp_init_syscalls[i]) >= 0);
}

static char *render(const struct bhp_profile *p, int which)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (which == 0)
		assert_int_equal(bhp_write_seccomp(f, p), 0);
	else
		bhp_write_summary(f, p, which == 2);
	fclose(f);
	return buf;
}

static void test_seccomp(void **state)
{
	(void)state;
	struct bhp_profile p;
	memset(&p, 0, sizeof(p));
	setbit(p.st.sys64, 1);   /* write (also an init call: listed once) */
	setbit(p.st.sys64, 257); /* openat */
	setbit(p.st.sys64, 230); /* clock_nanosleep */
	char *s = render(&p, 0);
	assert_non_null(strstr(s, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
				  "\"syscalls\":[{\"names\":[\"write\",\"close\","));
	assert_non_null(strstr(s, "\"openat\""));
	assert_non_null(strstr(s, "\"clock_nanosleep\""));
	assert_non_null(strstr(s, "\"execve\""));
	assert_null(strstr(s, "\"mount\""));
	assert_null(strstr(s, "SCMP_ARCH_X86\""));
	assert_non_null(strstr(s, "],\"action\":\"SCMP_ACT_ALLOW\"}]}\n"));
	assert_null(strstr(s, "\"write\",\"write\""));
	free(s);
	/* the 32-bit ABI: listed as an architecture only when seen; names the native list has are not repeated */
	setbit(p.st.sys32, 4);  /* write */
	setbit(p.st.sys32, 5);  /* open: not in the native bitmap */
	s = render(&p, 0);
	assert_non_null(strstr(s, "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\"]"));
	assert_non_null(strstr(s, "\"open\""));
	char *w = strstr(s, "\"write\"");
	assert_non_null(w);
	assert_null(strstr(w + 1, "\"write\""));
	free(s);
}

/* the JSON summary is what fix --profile reads: write it, read it back */
static void test_summary_roundtrip(void **state)
{
	(void)state;
	struct bhp_profile p;
	memset(&p, 0, sizeof(p));
	strcpy(p.target, "abc\"def");
	strcpy(p.cgroup, "/sys/fs/cgroup/x");
	p.name = "bulkhead/web.json";
	p.out = "/tmp/web.json";
	p.st.cap_granted = 1ull << 0 | 1ull << 10;  /* CHOWN, NET_BIND_SERVICE */
	p.st.cap_checked = p.st.cap_granted | 1ull << 21;
	p.st.cap_denied = 1ull << 21;
	setbit(p.st.sys64, 257);
	char *s = render(&p, 2);
	assert_non_null(strstr(s, "\"target\":\"abc\\\"def\""));
	assert_non_null(strstr(s, "\"complete\":true"));
	assert_non_null(strstr(s, "\"syscalls\":[{\"nr\":257,\"name\":\"openat\"}]"));
	assert_non_null(strstr(s, "\"denied\":[\"SYS_ADMIN\"]"));
	struct bh_fix_profile fp = {0};
	struct bh_arena a;
	struct bh_err err = {0};
	bh_arena_init(&a, 0);
	assert_int_equal(bh_fix_profile_load(&fp, &a, "s.json", s, strlen(s), &err), 0);
	assert_string_equal(fp.localhost, "bulkhead/web.json");
	assert_int_equal(fp.ncaps, 2);
	assert_string_equal(fp.caps[0], "CHOWN");
	assert_string_equal(fp.caps[1], "NET_BIND_SERVICE");
	free(s);
	s = render(&p, 1); /* text */
	assert_non_null(strstr(s, "capabilities used (capabilities.add): CHOWN NET_BIND_SERVICE\n"));
	assert_non_null(strstr(s, "capabilities checked but not held: SYS_ADMIN\n"));
	free(s);
	bh_arena_release(&a);
}

static int load(const char *json, struct bh_err *err)
{
	struct bh_fix_profile fp = {0};
	struct bh_arena a;
	bh_arena_init(&a, 0);
	int rc = bh_fix_profile_load(&fp, &a, "p.json", json, strlen(json), err);
	bh_arena_release(&a);
	return rc;
}

static void test_profile_errors(void **state)
{
	(void)state;
	struct bh_err err = {0};
	/* the seccomp profile instead of the summary */
	assert_true(load("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[]}", &err) < 0);
	assert_non_null(strstr(err.msg, "seccomp profile itself"));
	/* a name the kubelet would resolve outside its directory, or that needs YAML quoting */
	const char *bad[] = {"../../etc/x.json", "/abs.json", "a b.json", "x: y", ""};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		char j[256];
		memset(&err, 0, sizeof(err));
		snprintf(j, sizeof(j), "{\"profile\":{\"seccomp\":{\"localhostProfile\":\"%s\"},\"capabilities\":"
				       "{\"add\":[]}}}", bad[i]);
		assert_true(load(j, &err) < 0);
		assert_int_equal(err.line, 1);
		assert_true(err.col > 1);
	}
	/* a capability name that is not one */
	assert_true(load("{\"profile\":{\"seccomp\":{\"localhostProfile\":\"a.json\"},\"capabilities\":"
			 "{\"add\":[\"chown; rm\"]}}}", &err) < 0);
	/* the name is not a string */
	assert_true(load("{\"profile\":{\"seccomp\":{\"localhostProfile\":null},\"capabilities\":{\"add\":[]}}}",
			 &err) < 0);
	/* broken JSON: an error with a position, no crash */
	assert_true(load("{\"profile\":", &err) < 0);
	/* CAP_ prefixes are accepted */
	assert_int_equal(load("{\"profile\":{\"seccomp\":{\"localhostProfile\":\"a/b.json\"},\"capabilities\":"
			      "{\"add\":[\"CAP_CHOWN\"]}}}", &err), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables), cmocka_unit_test(test_seccomp),
		cmocka_unit_test(test_summary_roundtrip), cmocka_unit_test(test_profile_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
