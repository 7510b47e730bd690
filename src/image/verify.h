/* Image signature verification as a service: a bounded pool of worker threads resolves references
 * (tag → manifest digest) and verifies cosign-style signatures (registry.c) while callers wait up to a
 * deadline; a bounded LRU cache keeps "tag → digest" for a short time and "digest → verdict" longer, both
 * keyed also by the key set (the key files' paths and identities), so that a new key or a reloaded config
 * never meets an old verdict. A caller that gives up at its deadline leaves the work running: the result
 * warms the cache for the next caller. Used by `scan --verify-images` (no deadline) and by `serve` at
 * admission (a deadline under the review's budget). */
#ifndef BH_IMAGE_VERIFY_H
#define BH_IMAGE_VERIFY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image/image.h"

struct bh_img_vcfg {
	struct bh_img_opts o;     /* registry_ca, docker_config, plain_http; timeout_ms: each request (default 10 s) */
	unsigned workers;         /* verification threads; 0: 4 */
	unsigned cache_max;       /* cached entries (tags and digests); 0: 4096 */
	unsigned queue_max;       /* verifications waiting for a worker; 0: 256 (more: an error at once) */
	unsigned tag_ttl_ms;      /* tag → digest; 0: 30 s */
	unsigned verdict_ttl_ms;  /* digest → valid/unsigned/invalid; 0: 10 min */
	unsigned error_ttl_ms;    /* a registry error is remembered this long; 0: 5 s */
};

enum bh_img_vstate { BH_IV_VALID = 0, BH_IV_UNSIGNED, BH_IV_INVALID, BH_IV_ERROR, BH_IV_TIMEOUT };

struct bh_img_vres {
	enum bh_img_vstate st;
	bool cached;              /* answered from the cache without waiting */
	char digest[72];          /* the manifest digest the reference resolved to ("" when unknown) */
	char why[400];
	char key[256];            /* the key that verified */
};

struct bh_img_vstats {
	uint64_t requests, hits, misses, resolves, verifications, timeouts, errors, busy, evictions;
	uint64_t entries;
};

struct bh_img_verifier;

/* NULL when out of memory or threads cannot start. Call before other threads use libcurl (it runs
 * curl_global_init). */
struct bh_img_verifier *bh_img_verifier_new(const struct bh_img_vcfg *c);
/* Waits for the workers to finish what they fetch (each request is bounded by timeout_ms), frees all. */
void bh_img_verifier_free(struct bh_img_verifier *v);
/* Verifies refs[i] (HOST/REPO[:TAG|@DIGEST], no docker://) against keys[i] (nkeys[i] PEM files) and fills
 * res[i]. Waits until all are decided or deadline_ns (CLOCK_MONOTONIC; 0: no deadline) passes; undecided
 * ones are BH_IV_TIMEOUT and go on in the background. At most 64 refs per call (the rest: BH_IV_ERROR). */
void bh_img_verify_batch(struct bh_img_verifier *v, size_t n, const char *const *refs,
			 const char *const *const *keys, const size_t *nkeys, uint64_t deadline_ns,
			 struct bh_img_vres *res);
void bh_img_verifier_stats(struct bh_img_verifier *v, struct bh_img_vstats *out);
/* "HOST/REPOSITORY" of an image reference (Docker Hub: "docker.io/library/NAME" for a one-component name)
 * into out; false when it is no reference. */
bool bh_img_ref_repo(const char *ref, char *out, size_t n);
uint64_t bh_img_mono_ns(void);

#endif
