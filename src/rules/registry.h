/* The rule registry (registry.def): one row per rule of every area. This header gives the compile-time
 * constants: enum bh_area, BH_RULE_<ID> (the row's index in bh_rules[]) and BH_RULES_<AREA>_FIRST (the
 * first row of an area; the rows of an area are contiguous). It depends on nothing, so finding.h and the
 * areas' own code (host/, watch/) can include it. */
#ifndef BH_REGISTRY_H
#define BH_REGISTRY_H
#include <stddef.h>

enum bh_area {
#define BH_AREA(A, shown, group) BH_AREA_##A,
#define BH_RULE(id, sym, ...)
#define BH_CHECK(id, fn, ...)
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK
	BH_AREA_N
};

enum bh_rule_index {
#define BH_AREA(A, shown, group) BH_RULES_##A##_FIRST, BH_RULES_##A##_FIRST_ = BH_RULES_##A##_FIRST - 1,
#define BH_RULE(id, sym, ...) BH_RULE_##id,
#define BH_CHECK(id, fn, ...) BH_RULE_##id,
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK
	BH_RULES_COUNT
};

/* An area of the registry: `shown` is what `bulkhead rules` prints as area (the command that reports
 * it: manifest and PSS rows both say "scan"), group the .def file it comes from. */
struct bh_area_info {
	const char *shown, *group;
	size_t first;
};
extern const struct bh_area_info bh_areas[BH_AREA_N];

#endif
