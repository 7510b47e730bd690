/* Seeded hashing of mapping keys (internal to src/decode/). Keys come from untrusted input, so the hash is
 * SipHash-1-3 under a per-process random key: colliding keys cannot be prepared in advance, and the
 * duplicate-key and merge tables stay linear whatever the input (an unseeded FNV made 65k crafted keys
 * take minutes). */
#ifndef BH_KEYHASH_H
#define BH_KEYHASH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fold: hash the ASCII-lower-cased bytes (for keys that differ only by case) */
uint64_t bh_keyhash(const char *s, size_t n, bool fold);

#endif
