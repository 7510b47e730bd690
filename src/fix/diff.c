/* A unified diff (3 lines of context) made from the edit list itself: the edits already say which old
 * lines go and which new lines come, so no diff algorithm is needed. Format: GNU diffutils' unified
 * format (https://www.gnu.org/software/diffutils/manual/html_node/Detailed-Unified.html). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fix.h"

#define CTX 3

struct out {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t c = o->cap ? o->cap * 2 : 1024;
		while (c < o->n + n + 1)
			c *= 2;
		char *q = realloc(o->p, c);
		if (!q) {
			o->oom = 1;
			return;
		}
		o->p = q, o->cap = c;
	}
	memcpy(o->p + o->n, s, n);
	o->n += n;
	o->p[o->n] = 0;
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char b[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	put(o, b, n < 0 ? 0 : (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* One line with its mark; a last line without a newline gets diff's marker. */
static void line_out(struct out *o, char mark, const char *s, size_t n)
{
	put(o, &mark, 1);
	put(o, s, n);
	if (!n || s[n - 1] != '\n')
		put(o, "\n\\ No newline at end of file\n", 30);
}

static uint32_t count_lines(const char *s, size_t n)
{
	uint32_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += s[i] == '\n';
	return c + (n && s[n - 1] != '\n');
}

static void text_out(struct out *o, char mark, const char *s, size_t n)
{
	for (size_t p = 0; p < n;) {
		const char *nl = memchr(s + p, '\n', n - p);
		size_t e = nl ? (size_t)(nl - s) + 1 : n;
		line_out(o, mark, s + p, e - p);
		p = e;
	}
}

static void hunk(struct out *o, const struct bh_fix_edit *e, size_t a, size_t b, const size_t *ls, uint32_t nold,
		 const char *buf, long *delta)
{
#define OLD(l) buf + ls[l], ls[(l) + 1] - ls[l]
	uint32_t start = e[a].line > CTX ? e[a].line - CTX : 0;
	uint32_t last = e[b - 1].line + e[b - 1].ndel, end = last + CTX < nold ? last + CTX : nold;
	uint32_t nnew = end - start;
	for (size_t i = a; i < b; i++)
		nnew += count_lines(e[i].text, e[i].len) - e[i].ndel;
	uint32_t ns = (uint32_t)((long)start + *delta);
	putf(o, "@@ -%u,%u +%u,%u @@\n", end - start ? start + 1 : start, end - start, nnew ? ns + 1 : ns, nnew);
	uint32_t l = start;
	for (size_t i = a; i < b; i++) {
		for (; l < e[i].line && l < nold; l++)
			line_out(o, ' ', OLD(l));
		for (uint32_t k = 0; k < e[i].ndel && l < nold; k++, l++)
			line_out(o, '-', OLD(l));
		text_out(o, '+', e[i].text, e[i].len);
		*delta += (long)count_lines(e[i].text, e[i].len) - (long)e[i].ndel;
	}
	for (; l < end; l++)
		line_out(o, ' ', OLD(l));
#undef OLD
}

char *bh_fix_diff(const struct bh_fix_result *r, const char *name, const char *buf, size_t len)
{
	struct out o = {0};
	put(&o, "", 0);
	if (!r->nedits)
		return o.p;
	size_t nl = 2;
	for (size_t i = 0; i < len; i++)
		nl += buf[i] == '\n';
	size_t *ls = malloc(nl * sizeof(*ls));
	struct bh_fix_edit *e = malloc(r->nedits * sizeof(*e));
	if (!ls || !e) {
		free(ls), free(e), free(o.p);
		return NULL;
	}
	uint32_t nold = 0;
	ls[0] = 0;
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\n' && i + 1 < len)
			ls[++nold] = i + 1;
	if (len)
		ls[++nold] = len;
	memcpy(e, r->edits, r->nedits * sizeof(*e));
	qsort(e, r->nedits, sizeof(*e), fx_edit_cmp);
	while (*name == '/')
		name++;
	putf(&o, "--- a/%s\n+++ b/%s\n", name, name);
	long delta = 0;
	for (size_t a = 0; a < r->nedits;) {
		size_t b = a + 1;
		while (b < r->nedits && e[b].line <= e[b - 1].line + e[b - 1].ndel + 2 * CTX)
			b++;
		hunk(&o, e, a, b, ls, nold, buf, &delta);
		a = b;
	}
	free(ls), free(e);
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	return o.p;
}
