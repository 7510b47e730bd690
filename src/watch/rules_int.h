/* Internal to src/watch/: rule indexes and the per-event classifier. */
#ifndef BH_WATCH_RULES_INT_H
#define BH_WATCH_RULES_INT_H
#include "../rules/finding.h"
#include "watch.h"

/* BHW_R_<SYM>: 0-based index of each watch rule, generated from rules/watch.def (row BH_RULE(ID, SYM, …));
 * the row itself is bh_rules[BH_RULES_WATCH_FIRST + BHW_R_<SYM>]. */
enum {
#define BH_RULE(id, sym, ...) BHW_R_##sym = BH_RULE_##id - BH_RULES_WATCH_FIRST,
#include "rules/watch.def"
#undef BH_RULE
	BHW_R_MAX
};

struct bhw_hit {
	int rule;          /* BHW_R_* */
	enum bh_sev sev;
	char message[320];
};

/* Up to max rule hits for one event (0 when it matches nothing). */
int bhw_classify(const struct bhw_event *ev, struct bhw_hit *h, int max);
const struct bh_rule *bhw_rule_at(int idx);

#endif
