/* `node` rules (BH0600–BH0649): their rows, explanations included, are in rules/node.def (the rule
 * registry); the evaluation is in node_eval.c. Severities follow the project's rubric: critical = on its
 * own a public, reliable path to root on the node; high = one more step; medium = a gap that widens an
 * escape; low = hygiene; info = context and mitigations. */
#include "host/node.h"
#include "host/node_int.h"

const struct bh_rule *bh_node_rules(size_t *n)
{
	*n = R_N;
	return bh_node_rule_table;
}
