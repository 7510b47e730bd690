#include "arena.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bh_arena_chunk {
	struct bh_arena_chunk *next;
	size_t size, off;
	max_align_t data[];
};

#define CHUNK_MIN (64 * 1024)

void bh_arena_init(struct bh_arena *a, size_t cap)
{
	a->head = NULL;
	a->used = 0;
	a->reserved = 0;
	a->cap = cap;
}

void *bh_arena_alloc(struct bh_arena *a, size_t n)
{
	size_t align = 8; /* nothing in an arena needs more; 16 would cost a node 64 bytes instead of 56 */
	n = (n + align - 1) & ~(align - 1);
	if (n == 0)
		n = align;
	struct bh_arena_chunk *c = a->head;
	if (!c || c->size - c->off < n) {
		size_t size = CHUNK_MIN;
		if (c && c->size < 16 * 1024 * 1024)
			size = c->size * 2; /* geometric growth keeps chunk count logarithmic */
		if (size < n)
			size = n;
		if (a->cap && a->reserved + size > a->cap) {
			if (a->reserved + n > a->cap) {
				errno = ENOMEM;
				return NULL;
			}
			size = a->cap - a->reserved;
		}
		c = malloc(sizeof(*c) + size);
		if (!c) {
			errno = ENOMEM;
			return NULL;
		}
		c->next = a->head;
		c->size = size;
		c->off = 0;
		a->head = c;
		a->reserved += size;
	}
	void *p = (char *)c->data + c->off;
	c->off += n;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *bh_arena_strndup(struct bh_arena *a, const char *s, size_t n)
{
	char *p = bh_arena_alloc(a, n + 1);
	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *bh_arena_printf(struct bh_arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = bh_arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void bh_arena_reset(struct bh_arena *a)
{
	struct bh_arena_chunk *c = a->head;
	if (!c)
		return;
	/* keep the largest (newest) chunk so a steady stream of similar documents stops calling malloc */
	struct bh_arena_chunk *keep = c;
	c = c->next;
	while (c) {
		struct bh_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	keep->next = NULL;
	keep->off = 0;
	a->head = keep;
	a->reserved = keep->size;
	a->used = 0;
}

void bh_arena_release(struct bh_arena *a)
{
	if (!a)
		return;
	struct bh_arena_chunk *c = a->head;
	while (c) {
		struct bh_arena_chunk *n = c->next;
		free(c);
		c = n;
	}
	a->head = NULL;
	a->used = a->reserved = 0;
}
