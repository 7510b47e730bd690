/* Bump allocator: one arena per input document / request / event, released in one call.
 * Every arena has a hard cap so that hostile input ends in an error, never in memory exhaustion. */
#ifndef BH_ARENA_H
#define BH_ARENA_H
#include <stddef.h>

struct bh_arena_chunk;

struct bh_arena {
	struct bh_arena_chunk *head;
	size_t used;      /* bytes handed out, all chunks */
	size_t reserved;  /* bytes malloc'ed, all chunks */
	size_t cap;       /* hard cap on reserved; 0 = no cap */
};

void bh_arena_init(struct bh_arena *a, size_t cap);
/* Returns NULL with errno=ENOMEM when the cap would be passed or malloc fails. Memory is zeroed. */
void *bh_arena_alloc(struct bh_arena *a, size_t n);
char *bh_arena_strndup(struct bh_arena *a, const char *s, size_t n);
char *bh_arena_printf(struct bh_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees every chunk but the first; keeps the arena usable. */
void bh_arena_reset(struct bh_arena *a);
void bh_arena_release(struct bh_arena *a);

#endif
