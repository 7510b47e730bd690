/* Prototypes of the manifest rules' check functions, one per BH_CHECK row of manifest.def: bh_rule_<fn>. */
#ifndef BH_CHECKS_H
#define BH_CHECKS_H
#include "rules.h"

#define BH_AREA(A, shown, group)
#define BH_RULE(id, sym, ...)
#define BH_CHECK(id, fn, ...) \
	void bh_rule_##fn(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out);
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK

#endif
