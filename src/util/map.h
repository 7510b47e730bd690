/* One way to get an input's bytes: regular files are mapped, everything else (stdin, pipes, FIFOs,
 * devices, /dev/fd/N of a process substitution) is read exactly once into memory, with a size cap. */
#ifndef BH_MAP_H
#define BH_MAP_H
#include <stdbool.h>
#include <stddef.h>

struct bh_map_guard;

struct bh_map {
	const char *p;        /* the bytes; NUL-terminated when read, not when mapped */
	size_t len;
	bool mapped;          /* p is a read-only private file mapping (pages may be dropped with madvise) */
	bool regular;         /* the input is a regular file */
	struct bh_map_guard *guard; /* mapped only: notices a truncation while the mapping is read */
};

/* "-" is stdin. Returns 0, or a negative errno: -EFBIG when larger than max. A regular file of 0 bytes
 * and any file that cannot be mapped are read instead. */
int bh_map_file(const char *path, size_t max, struct bh_map *m);
/* Same, for an open descriptor (not closed). */
int bh_map_fd(int fd, size_t max, struct bh_map *m);
void bh_map_release(struct bh_map *m);

/* A mapped file that shrinks while it is read would raise SIGBUS on the pages past its new end; for
 * every live bh_map those pages are replaced by zero pages instead and this returns true. The caller
 * reports the input as changed while it was read (its decoder has seen NUL bytes). */
bool bh_map_truncated(const struct bh_map *m);

/* Reads fd to EOF into a malloc'ed, NUL-terminated buffer of at most max bytes (-EFBIG beyond). */
int bh_read_fd(int fd, size_t max, char **buf, size_t *len);

#endif
