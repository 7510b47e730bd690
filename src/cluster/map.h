/* A string-keyed hash index (open addressing, FNV-1a) from "kind/ns/name"-style keys to array positions:
 * the snapshot has 100k pods and 10k bindings, so every lookup the analysis makes is O(1). */
#ifndef BH_CL_MAP_H
#define BH_CL_MAP_H
#include <stddef.h>
#include <stdint.h>

struct bh_cl_map {
	struct bh_cl_slot {
		const char *key;  /* owned by the caller (an arena) */
		uint32_t val;
		uint32_t hash;
	} *s;
	size_t n, cap;
};

/* Value of key, or UINT32_MAX. */
uint32_t bh_cl_map_get(const struct bh_cl_map *m, const char *key);
/* Sets key (kept by pointer) to val; 0 or -ENOMEM. */
int bh_cl_map_put(struct bh_cl_map *m, const char *key, uint32_t val);
void bh_cl_map_free(struct bh_cl_map *m);
/* "a\x1fb\x1fc" into buf (for lookups without allocating); truncates at size */
const char *bh_cl_key(char *buf, size_t size, const char *a, const char *b, const char *c);

#endif
