/* The rule registry: the rows of every area from registry.def, the area table, and the explanation text. */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "finding.h"

const struct bh_rule bh_rules[BH_RULES_COUNT] = {
#define BH_AREA(A, shown, group)
#define BH_RULE(id_, sym, ...) [BH_RULE_##id_] = {.id = #id_, __VA_ARGS__},
#define BH_CHECK(id_, fn, ...) [BH_RULE_##id_] = {.id = #id_, .check = bh_rule_##fn, __VA_ARGS__},
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK
};

/* An area's rows run from its FIRST constant to the next area's. */
static const size_t area_first[BH_AREA_N + 1] = {
#define BH_AREA(A, shown, group) BH_RULES_##A##_FIRST,
#define BH_RULE(id, sym, ...)
#define BH_CHECK(id, fn, ...)
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK
	BH_RULES_COUNT,
};

const struct bh_area_info bh_areas[BH_AREA_N] = {
#define BH_AREA(A, shown, group) \
	[BH_AREA_##A] = {shown, group, BH_RULES_##A##_FIRST},
#define BH_RULE(id, sym, ...)
#define BH_CHECK(id, fn, ...)
#include "registry.def"
#undef BH_AREA
#undef BH_RULE
#undef BH_CHECK
};

/* the manifest and PSS rows come first: scan, pss and serve evaluate and count those */
_Static_assert(BH_RULES_MANIFEST_FIRST == 0 && BH_RULES_PSS_FIRST <= BH_RULES_INSIDE_FIRST, "scan rows first");
const size_t bh_nrules = BH_RULES_INSIDE_FIRST;

const struct bh_rule *bh_area_rows(enum bh_area a, size_t *n)
{
	if ((unsigned)a >= BH_AREA_N) {
		*n = 0;
		return NULL;
	}
	*n = area_first[a + 1] - area_first[a];
	return &bh_rules[area_first[a]];
}

enum bh_area bh_rule_area(const struct bh_rule *r)
{
	if (r < bh_rules || r >= bh_rules + BH_RULES_COUNT)
		return BH_AREA_N;
	size_t i = (size_t)(r - bh_rules);
	enum bh_area a = 0;
	while (a + 1 < BH_AREA_N && i >= area_first[a + 1])
		a++;
	return a;
}

size_t bh_rule_explain(const struct bh_rule *r, char *buf, size_t size)
{
	const char *fix = r->fix ? r->fix : r->remediation;
	int n = snprintf(buf, size, "What:\n%s\n\nWhy it leads to escape:\n%s\n\nHow it is exploited:\n%s\n\nFix:\n%s%s%s",
			 r->what ? r->what : "", r->why ? r->why : "", r->how ? r->how : "", fix ? fix : "",
			 r->snippet ? "\n\n" : "", r->snippet ? r->snippet : "");
	return n < 0 ? 0 : (size_t)n;
}
