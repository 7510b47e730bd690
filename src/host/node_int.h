/* Internal to src/host/node*.c: the rule indices of `node`, generated from the rows of rules/node.def
 * (BH_RULE(ID, SYM, …)): R_<SYM> is the 0-based index in the node area, bh_node_rule_table[R_<SYM>] its
 * row in the registry. */
#ifndef BH_HOST_NODE_INT_H
#define BH_HOST_NODE_INT_H
#include "rules/finding.h"

enum {
#define BH_RULE(id, sym, ...) R_##sym = BH_RULE_##id - BH_RULES_NODE_FIRST,
#include "rules/node.def"
#undef BH_RULE
	R_N
};
#define bh_node_rule_table (&bh_rules[BH_RULES_NODE_FIRST])

#endif
