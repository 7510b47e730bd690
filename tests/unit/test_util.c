/* util: the JSON string escaper every JSON writer shares, and getting an input's bytes (bh_map_file,
 * bh_read_fd): size caps, streams, and a mapped file truncated under the reader (no SIGBUS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/json.h"
#include "util/map.h"

static void test_json_escape(void **state)
{
	char in[256], out[BH_JSON_ESCAPED_MAX(256)];
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	size_t n = bh_json_escape(out, in, 256);
	/* 32 control bytes and DEL: \n \r \t as two bytes, the other 30 as \u00XX; " and \ as two bytes */
	assert_int_equal(n, 256 - 33 - 2 + 3 * 2 + 30 * 6 + 2 * 2);
	assert_memory_equal(out, "\\u0000\\u0001", 12);
	assert_non_null(memmem(out, n, "\\t\\n\\u000b\\u000c\\r", 18));
	assert_non_null(memmem(out, n, "!\\\"#", 4));
	assert_non_null(memmem(out, n, "[\\\\]", 4));
	assert_non_null(memmem(out, n, "~\\u007f\x80", 8));
	/* to a FILE, quoted, longer than one internal chunk; NULL is null */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	char big[1000];
	memset(big, '"', sizeof(big));
	bh_json_strn(f, big, sizeof(big));
	bh_json_str(f, NULL);
	fclose(f);
	assert_int_equal(len, 2 + 2 * sizeof(big) + 4);
	assert_memory_equal(buf + len - 7, "\\\"\"null", 7);
	free(buf);
}

static int pipe_with(const char *data, size_t n)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], data, n), (ssize_t)n);
	close(p[1]);
	return p[0];
}

static void test_read_fd_cap(void **state)
{
	char *buf;
	size_t len;
	int fd = pipe_with("0123456789", 10);
	assert_int_equal(bh_read_fd(fd, 10, &buf, &len), 0); /* exactly the cap */
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);
	close(fd);
	fd = pipe_with("0123456789", 10);
	assert_int_equal(bh_read_fd(fd, 9, &buf, &len), -EFBIG);
	close(fd);
}

static char tmpl[] = "/tmp/bh-test-util-XXXXXX";

static void test_map_file(void **state)
{
	char path[sizeof(tmpl)];
	memcpy(path, tmpl, sizeof(tmpl));
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	struct bh_map m;
	assert_int_equal(bh_map_file(path, 100, &m), 0); /* empty: read, not mapped */
	assert_false(m.mapped);
	assert_int_equal(m.len, 0);
	bh_map_release(&m);
	assert_int_equal(write(fd, "kind: Pod\n", 10), 10);
	assert_int_equal(bh_map_file(path, 9, &m), -EFBIG);
	assert_int_equal(bh_map_file(path, 10, &m), 0);
	assert_true(m.mapped && m.regular);
	assert_memory_equal(m.p, "kind: Pod\n", 10);
	assert_false(bh_map_truncated(&m));
	bh_map_release(&m);
	close(fd);
	unlink(path);
}

/* The SIGBUS case made deterministic: map 64 pages, cut the file to one page, read the rest. */
static void test_map_truncated(void **state)
{
	char path[sizeof(tmpl)];
	memcpy(path, tmpl, sizeof(tmpl));
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), size = 64 * pg;
	char *data = malloc(size);
	memset(data, 'x', size);
	assert_int_equal(write(fd, data, size), (ssize_t)size);
	struct bh_map m, other;
	assert_int_equal(bh_map_file(path, size, &m), 0);
	assert_int_equal(bh_map_file(path, size, &other), 0);
	assert_true(m.mapped);
	assert_int_equal(ftruncate(fd, (off_t)pg), 0);
	size_t xs = 0, zeros = 0;
	for (size_t i = 0; i < m.len; i += 512) /* would be SIGBUS from the second page on */
		m.p[i] == 'x' ? xs++ : m.p[i] == 0 ? zeros++ : 0;
	assert_int_equal(xs, pg / 512);
	assert_int_equal(zeros, (size - pg) / 512);
	assert_true(bh_map_truncated(&m));
	assert_false(bh_map_truncated(&other)); /* the other mapping of that file was not read past the end */
	bh_map_release(&m);
	bh_map_release(&other);
	free(data);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_read_fd_cap),
		cmocka_unit_test(test_map_file),
		cmocka_unit_test(test_map_truncated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
