/* Whole-file reads with a size cap: configs, certificates, stdin. (Manifests on disk are mapped by the
 * engine instead.) */
#include "file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
