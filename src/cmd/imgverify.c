/* The image-signature hook of scan and serve (imgverify.h). */
#include "imgverify.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "rules/rules.h"

#define MAX_KEYS 64

struct want {
	const char *ref;             /* the image as written */
	const char *keys[MAX_KEYS];
	size_t nkeys;
	bool warn;                   /* every matching policy says onError: warn */
};

/* the keys of the policies whose repository glob matches the image's HOST/REPOSITORY; false: none */
static bool policy(const struct bh_config *cfg, const char *ref, struct want *w)
{
	char repo[600];
	if (!bh_img_ref_repo(ref, repo, sizeof(repo)))
		return false;
	w->ref = ref;
	w->nkeys = 0;
	w->warn = true;
	for (size_t i = 0; i < cfg->nimage_keys; i++) {
		const struct bh_image_keys *k = &cfg->image_keys[i];
		if (fnmatch(k->repository, repo, 0))
			continue;
		w->warn = w->warn && k->on_error_warn;
		for (size_t j = 0; j < k->nkeys && w->nkeys < MAX_KEYS; j++)
			w->keys[w->nkeys++] = k->keys[j];
	}
	return w->nkeys > 0;
}

static void emit(struct bh_engine *e, const struct bh_pod *p, const struct bh_container *c, const struct want *w,
		 const struct bh_img_vres *r, bool verbose)
{
	static const char *const ids[] = {"BH0310", "BH0308", "BH0309", "BH0318", "BH0318"};
	if (r->st == BH_IV_VALID && !verbose)
		return;
	const struct bh_rule *row = bh_rule_find_any(ids[r->st]);
	if (!row)
		return;
	enum bh_sev sev = row->sev;
	if (r->st >= BH_IV_ERROR && w->warn)
		sev = BH_SEV_MEDIUM;
	static const char *const what[] = {"verifies with", "is unsigned:", "has an invalid signature:",
					   "could not be verified:", "could not be verified in time:"};
	bh_emit_field(&e->findings, row, sev, p, c, "image", c->image.n, "container \"%s\": image \"%s\"%s%s%s %s %.*s%s",
		      c->name.s, c->image.s, r->digest[0] ? " (" : "", r->digest, r->digest[0] ? ")" : "", what[r->st],
		      BH_FINDING_MSG_MAX, r->st == BH_IV_VALID ? r->key : r->why,
		      r->st >= BH_IV_ERROR ? (w->warn ? " (onError: warn)" : " (onError: deny)") : "");
}

/* the pod's distinct images that a policy covers; *over: how many were left out */
static size_t collect(const struct bh_config *cfg, const struct bh_pod *p, struct want *w, size_t *over)
{
	size_t n = 0;
	*over = 0;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->image.r != BH_OK || !c->image.len)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n && !seen; k++)
			seen = !strcmp(w[k].ref, c->image.s);
		if (seen)
			continue;
		struct want cand;
		if (!policy(cfg, c->image.s, &cand))
			continue;
		if (n == BH_IMGV_MAX_IMAGES)
			(*over)++;
		else
			w[n++] = cand;
	}
	return n;
}

void bh_imgv_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	struct bh_imgv_hook *h = ctx;
	if (h->chain)
		h->chain(e, p, h->chain_ctx);
	const struct bh_config *cfg = h->cfg ? h->cfg : e->cfg;
	if (!cfg || !cfg->nimage_keys || (!h->cfg && !cfg->serve_verify_images))
		return;
	static _Thread_local struct want w[BH_IMGV_MAX_IMAGES];
	static _Thread_local struct bh_img_vres res[BH_IMGV_MAX_IMAGES];
	size_t over, n = collect(cfg, p, w, &over);
	if (!n)
		return;
	const char *refs[BH_IMGV_MAX_IMAGES];
	const char *const *keys[BH_IMGV_MAX_IMAGES];
	size_t nkeys[BH_IMGV_MAX_IMAGES];
	for (size_t i = 0; i < n; i++)
		refs[i] = w[i].ref, keys[i] = w[i].keys, nkeys[i] = w[i].nkeys;
	unsigned ms = h->cfg ? h->timeout_ms : cfg->serve_verify_timeout_ms ? cfg->serve_verify_timeout_ms : 500;
	bh_img_verify_batch(h->v, n, refs, keys, nkeys, ms ? bh_img_mono_ns() + (uint64_t)ms * 1000000u : 0, res);
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (size_t k = 0; c->image.r == BH_OK && k < n; k++)
			if (!strcmp(w[k].ref, c->image.s))
				emit(e, p, c, &w[k], &res[k], h->verbose);
	}
	if (over) {
		struct bh_img_vres r = {.st = BH_IV_ERROR};
		snprintf(r.why, sizeof(r.why), "the pod names more than %d distinct images to verify", BH_IMGV_MAX_IMAGES);
		struct want cand;
		for (uint32_t i = 0; i < p->nc; i++) {
			const struct bh_container *c = &p->c[i];
			bool done = false;
			for (size_t k = 0; k < n && !done; k++)
				done = !strcmp(w[k].ref, c->image.s);
			if (!done && c->image.r == BH_OK && c->image.len && policy(cfg, c->image.s, &cand))
				emit(e, p, c, &cand, &r, false);
		}
	}
}
