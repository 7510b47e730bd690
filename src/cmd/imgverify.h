/* Image signatures checked on the images of scanned or admitted workloads (scan --verify-images, serve with
 * serve.verifyImages): an engine on_pod hook that verifies every container image whose repository has keys
 * in the config's imageSignatures and emits BH0308 (unsigned), BH0309 (invalid) or BH0318 (could not be
 * verified: onError deny → high, warn → medium) on the container's image field; BH0310 (verified, info)
 * when verbose. Thread-safe: the verifier (src/image/verify.c) is shared. */
#ifndef BH_CMD_IMGVERIFY_H
#define BH_CMD_IMGVERIFY_H
#include <stdbool.h>

#include "config/config.h"
#include "engine/engine.h"
#include "image/verify.h"

/* distinct images verified per pod; more is one BH0318 finding per image left out */
#define BH_IMGV_MAX_IMAGES 32

struct bh_imgv_hook {
	struct bh_img_verifier *v;
	const struct bh_config *cfg; /* scan: the config; NULL: the engine's (serve, which also needs
	                                serve.verifyImages) */
	unsigned timeout_ms;         /* 0: wait for every verdict (scan); else the config's budget (serve) */
	bool verbose;                /* BH0310 for images that verify */
	void (*chain)(struct bh_engine *e, const struct bh_pod *p, void *ctx); /* another hook, run first */
	void *chain_ctx;
};

void bh_imgv_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx);

#endif
