/* A growing byte buffer with a hard cap, for HTTP bodies and the JSON we answer with. Appends past the cap
 * (or a failed malloc) set `err` and are dropped; the caller checks err once at the end. */
#ifndef BH_SERVE_BUF_H
#define BH_SERVE_BUF_H
#include <stdbool.h>
#include <stddef.h>

struct bh_buf {
	char *p;
	size_t len, cap, max; /* max: hard cap on len (0 = none) */
	int err;              /* 0, -ENOMEM or -E2BIG */
};

void bh_buf_init(struct bh_buf *b, size_t max);
void bh_buf_release(struct bh_buf *b);
/* Empties the buffer and keeps its memory unless it grew past keep bytes. */
void bh_buf_clear(struct bh_buf *b, size_t keep);
int bh_buf_add(struct bh_buf *b, const void *p, size_t n);
int bh_buf_puts(struct bh_buf *b, const char *s);
int bh_buf_printf(struct bh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal (quoted, escaped) of s[0..n); s == NULL gives null. */
int bh_buf_json(struct bh_buf *b, const char *s, size_t n);
int bh_buf_jsonz(struct bh_buf *b, const char *s);
/* Length of the longest prefix of s[0..n) that is at most max bytes and does not split a UTF-8 sequence. */
size_t bh_utf8_prefix(const char *s, size_t n, size_t max);

#endif
