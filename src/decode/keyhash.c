/* SipHash-1-3 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012; 1 compression and 3
 * finalisation rounds as in Rust's std HashMap) keyed once per process from getrandom(2). */
#include "keyhash.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static uint64_t k0, k1;
static pthread_once_t seeded = PTHREAD_ONCE_INIT;

static void seed(void)
{
	uint64_t k[2];
	if (getrandom(k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		/* no entropy yet (early boot): time and addresses still differ between runs */
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		k[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)(uintptr_t)&ts;
		k[1] = (uint64_t)ts.tv_sec * 0xC2B2AE3D27D4EB4Full ^ (uint64_t)(uintptr_t)&k0;
	}
	k0 = k[0];
	k1 = k[1];
}

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                             \
	do {                                                                                                 \
		v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);                                   \
		v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;                                                      \
		v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;                                                      \
		v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);                                   \
	} while (0)

static inline unsigned char lower(unsigned char c, bool fold)
{
	return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

uint64_t bh_keyhash(const char *s, size_t n, bool fold)
{
	pthread_once(&seeded, seed);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ull, v1 = k1 ^ 0x646f72616e646f6dull;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ull, v3 = k1 ^ 0x7465646279746573ull;
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t m = 0;
		for (int b = 7; b >= 0; b--)
			m = m << 8 | lower(p[i + (size_t)b], fold);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	uint64_t last = (uint64_t)(n & 0xff) << 56;
	for (int b = (int)(n - i) - 1; b >= 0; b--)
		last |= (uint64_t)lower(p[i + (size_t)b], fold) << (8 * b);
	v3 ^= last;
	SIPROUND;
	v0 ^= last;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}
