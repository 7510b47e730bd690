/* Rule evaluation under a config: disabled rules are not run, and rules that need the config (trusted
 * registries) read it through bh_rules_config(). Thread-local, so parallel scans do not share it. */
#include "config/config.h"
#include "rules.h"

static _Thread_local const struct bh_config *current;

const struct bh_config *bh_rules_config(void)
{
	return current;
}

void bh_rules_eval_cfg(const struct bh_pod *p, const struct bh_config *cfg, struct bh_findings *out)
{
	const struct bh_config *saved = current;
	current = cfg;
	for (size_t i = 0; i < bh_nrules; i++)
		if (bh_rules[i].check && !bh_config_rule_disabled(cfg, &bh_rules[i]))
			bh_rules[i].check(&bh_rules[i], p, out);
	current = saved;
}
