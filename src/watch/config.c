/* The `watch:` section of the config file (disable, severity, allow), read by the one config loader
 * (src/config/): unknown keys, a missing reason or a bad date are errors with file:line:col there. This
 * file turns that section into the detector's fixed-size struct and checks what only watch knows: its
 * rule ids and the detector's field sizes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "detect.h"

void bhw_config_init(struct bhw_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 100; i++)
		c->sev_override[i] = -1;
}

static int rule_index(const char *s)
{
	size_t n;
	const struct bh_rule *rows = bhw_rules(&n);
	const struct bh_rule *r = bhw_rule_find(s);
	return r ? (int)(r - rows) : -1;
}

static int bad(struct bh_err *err, const char *file, uint32_t line, uint32_t col, const char *what, const char *arg)
{
	return bh_err_set(err, -EINVAL, line, col, "%s:%u:%u: watch.%s%s%s", file, line, col, what, arg ? arg : "",
			  arg ? "'" : "");
}

static int copy_field(char *dst, size_t size, const char *v, const char *name, const struct bh_exemption *x,
		      const char *file, struct bh_err *err)
{
	if (!v)
		return 0;
	if (strlen(v) >= size)
		return bh_err_set(err, -EINVAL, x->line, x->col, "%s:%u:%u: watch.allow: %s is longer than %zu bytes", file,
				  x->line, x->col, name, size - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

/* one exemption → one detector entry per rule it names ("*" when none) */
static int add_allow(struct bhw_config *c, const struct bh_exemption *x, const char *file, struct bh_err *err)
{
	size_t nr = x->nrules ? x->nrules : 1;
	for (size_t i = 0; i < nr; i++) {
		const char *rule = x->nrules ? x->rules[i] : "*";
		int ri = strcmp(rule, "*") ? rule_index(rule) : -2;
		if (ri == -1)
			return bad(err, file, x->rules_line, x->rules_col, "allow: unknown watch rule '", rule);
		if (c->nallow >= BHW_ALLOW_MAX)
			return bh_err_set(err, -E2BIG, x->line, x->col, "%s:%u:%u: more than %d watch.allow entries", file,
					  x->line, x->col, BHW_ALLOW_MAX);
		struct bhw_allow *a = &c->allow[c->nallow];
		memset(a, 0, sizeof(*a));
		size_t n;
		snprintf(a->rule, sizeof(a->rule), "%s", ri >= 0 ? bhw_rules(&n)[ri].id : "*");
		int rc;
		if ((rc = copy_field(a->exe, sizeof(a->exe), x->exe, "exe", x, file, err)) ||
		    (rc = copy_field(a->comm, sizeof(a->comm), x->comm, "comm", x, file, err)) ||
		    (rc = copy_field(a->container, sizeof(a->container), x->container, "container", x, file, err)) ||
		    (rc = copy_field(a->reason, sizeof(a->reason), x->reason, "reason", x, file, err)))
			return rc;
		/* the config's expiry is the first second after the day; the detector's the day's last second */
		a->expires = x->expires ? (int64_t)x->expires - 1 : 0;
		c->nallow++;
	}
	return 0;
}

int bhw_config_from(struct bhw_config *c, const struct bh_config *cfg, struct bh_err *err)
{
	const struct bh_area_config *w = &cfg->watch;
	const char *file = cfg->file ? cfg->file : "config";
	for (size_t i = 0; i < w->ndisabled; i++) {
		int ri = rule_index(w->disabled[i].s);
		if (ri < 0)
			return bad(err, file, w->disabled[i].line, w->disabled[i].col, "disable: unknown watch rule '",
				   w->disabled[i].s);
		c->disabled[ri] = true;
	}
	for (size_t i = 0; i < w->nsev; i++) {
		int ri = rule_index(w->sev_rule[i].s);
		if (ri < 0)
			return bad(err, file, w->sev_rule[i].line, w->sev_rule[i].col, "severity: unknown watch rule '",
				   w->sev_rule[i].s);
		c->sev_override[ri] = (int)w->sev_value[i];
	}
	for (size_t i = 0; i < w->nexemptions; i++) {
		int rc = add_allow(c, &w->exemptions[i], file, err);
		if (rc)
			return rc;
	}
	return 0;
}

/* loader errors carry line:col apart; watch's messages name the place themselves */
static int load_with(struct bhw_config *c, int rc, struct bh_config *cfg, const char *name, struct bh_err *err)
{
	if (rc < 0) {
		char msg[sizeof(err->msg)];
		snprintf(msg, sizeof(msg), "%s", err->msg);
		if (err->line)
			return bh_err_set(err, rc, err->line, err->col, "%s:%u:%u: %s", name, err->line, err->col, msg);
		return bh_err_set(err, rc, 0, 0, "%s: %s", name, msg);
	}
	rc = bhw_config_from(c, cfg, err);
	bh_config_free(cfg);
	return rc;
}

int bhw_config_parse(struct bhw_config *c, const char *buf, size_t len, const char *name, struct bh_err *err)
{
	struct bh_config *cfg;
	int rc = bh_config_parse(name, buf, len, &cfg, err);
	return load_with(c, rc, cfg, name, err);
}

int bhw_config_load(struct bhw_config *c, const char *path, struct bh_err *err)
{
	struct bh_config *cfg;
	int rc = bh_config_load(path, &cfg, err);
	return load_with(c, rc, cfg, path, err);
}
