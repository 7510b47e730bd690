#ifndef BH_FILE_H
#define BH_FILE_H
#include <stddef.h>

/* Reads a whole file ("-" = stdin) into a malloc'ed, NUL-terminated buffer of at most max bytes.
 * Returns 0, or a negative errno (-EFBIG when larger than max). */
int bh_read_file(const char *path, size_t max, char **buf, size_t *len);

#endif
