/* The engine's view of a config (engine/ may not include config/, so config/ fills the engine's table). */
#include "engine_ops.h"

#include "config.h"

static const struct bh_podpath *podpaths(const struct bh_config *c, size_t *n)
{
	*n = c ? c->npodpaths : 0;
	return c ? c->podpaths : NULL;
}

static bool rule_off(const void *c, const struct bh_rule *r)
{
	return bh_config_rule_disabled(c, r);
}

static bool image_trusted(const void *c, const char *image)
{
	return bh_config_trusted_registry(c, image);
}

static bool has_registries(const struct bh_config *c)
{
	return c && c->nregistries;
}

static void note(const struct bh_object *o, const char *msg, void *ctx)
{
	bh_engine_warning(ctx, o->doc->file, o->ref.line, o->ref.col, "%s %s: %s", o->ref.kind ? o->ref.kind : "object",
			  o->ref.name ? o->ref.name : "(unnamed)", msg);
}

static void apply(struct bh_engine *e, const struct bh_object *o, size_t first)
{
	struct bh_apply_opts ao = {.now = e->now, .note = note, .ctx = e, .user = e->user,
				   .flags = e->no_ignore_annotation ? BH_APPLY_NO_ANNOTATION : 0};
	bh_config_apply_opts(e->cfg, o, &e->findings, first, &ao);
}

const struct bh_engine_cfg_ops bh_config_engine_ops = {
	.podpaths = podpaths,
	.rule_off = rule_off,
	.image_trusted = image_trusted,
	.has_registries = has_registries,
	.apply = apply,
};
