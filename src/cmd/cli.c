#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report/report.h"

int bh_cli_error(const char *cmd, int json, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json) {
		fputs("{\"error\": ", stdout);
		bh_json_str(stdout, msg);
		fputs("}\n", stdout);
	}
	fprintf(stderr, "bulkhead %s: %s\n", cmd, msg);
	return 2;
}

int bh_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return -errno;
	size_t cap = 64 * 1024, n = 0;
	char *b = malloc(cap + 1);
	int rc = 0;
	if (!b) {
		rc = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		if (n == cap) {
			if (cap >= max) {
				rc = -EFBIG;
				goto out_free;
			}
			cap = cap * 2 > max ? max : cap * 2;
			char *nb = realloc(b, cap + 1);
			if (!nb) {
				rc = -ENOMEM;
				goto out_free;
			}
			b = nb;
		}
		size_t got = fread(b + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f)) {
				rc = -EIO;
				goto out_free;
			}
			break;
		}
	}
	b[n] = 0;
	*buf = b;
	*len = n;
	goto out_close;
out_free:
	free(b);
out_close:
	if (f != stdin)
		fclose(f);
	return rc;
}
