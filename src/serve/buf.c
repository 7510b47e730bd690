#include "buf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"

void bh_buf_init(struct bh_buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void bh_buf_release(struct bh_buf *b)
{
	if (!b)
		return;
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void bh_buf_clear(struct bh_buf *b, size_t keep)
{
	if (b->cap > keep) {
		free(b->p);
		b->p = NULL;
		b->cap = 0;
	}
	b->len = 0;
	b->err = 0;
}

static int grow(struct bh_buf *b, size_t need)
{
	if (b->err)
		return b->err;
	if (need < b->len || (b->max && need > b->max))
		return b->err = -E2BIG;
	if (need + 1 <= b->cap)
		return 0;
	size_t nc = b->cap ? b->cap : 4096;
	while (nc < need + 1)
		nc *= 2;
	if (b->max && nc > b->max + 1)
		nc = b->max + 1;
	char *np = realloc(b->p, nc);
	if (!np)
		return b->err = -ENOMEM;
	b->p = np;
	b->cap = nc;
	return 0;
}

int bh_buf_add(struct bh_buf *b, const void *p, size_t n)
{
	if (grow(b, b->len + n))
		return b->err;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0; /* always NUL-terminated for the parsers and for logging */
	return 0;
}

int bh_buf_puts(struct bh_buf *b, const char *s)
{
	return bh_buf_add(b, s, strlen(s));
}

int bh_buf_printf(struct bh_buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return b->err = -EINVAL;
	if ((size_t)n < sizeof(tmp))
		return bh_buf_add(b, tmp, (size_t)n);
	if (grow(b, b->len + (size_t)n))
		return b->err;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int bh_buf_json(struct bh_buf *b, const char *s, size_t n)
{
	if (!s)
		return bh_buf_add(b, "null", 4);
	/* reserve the worst case once, then escape in place (util/json.c: the one escaper) */
	if (grow(b, b->len + 2 + BH_JSON_ESCAPED_MAX(n)))
		return b->err;
	char *o = b->p + b->len;
	*o++ = '"';
	o += bh_json_escape(o, s, n);
	*o++ = '"';
	b->len = (size_t)(o - b->p);
	b->p[b->len] = 0;
	return 0;
}

int bh_buf_jsonz(struct bh_buf *b, const char *s)
{
	return bh_buf_json(b, s, s ? strlen(s) : 0);
}

size_t bh_utf8_prefix(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	size_t k = max;
	/* step back over continuation bytes to the start of the sequence that crosses max */
	while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
		k--;
	return k;
}
