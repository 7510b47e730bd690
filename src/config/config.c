/* Config file: YAML read with the project's own decoder, so every error has file:line:col. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"
#include "decode/node.h"
#include "rules/rules.h"

#define RULE_DISABLED 0xff

static bool rule_matches(const char *sel, const struct bh_rule *r);

struct priv {
	struct bh_arena a;
	char *buf;
};

static const struct bh_config defaults = {
	.actions = {BH_ACT_NONE, BH_ACT_AUDIT, BH_ACT_WARN, BH_ACT_DENY, BH_ACT_DENY},
	.serve_honor_ignore = false, /* self-exemption at admission is opt-in (issue 12) */
	.serve_verify_timeout_ms = 500,
};

const struct bh_config *bh_config_default(void)
{
	return &defaults;
}

const char *bh_action_name(enum bh_action a)
{
	static const char *const n[] = {"none", "audit", "warn", "deny"};
	return (unsigned)a <= BH_ACT_DENY ? n[a] : "?";
}

void bh_config_free(struct bh_config *c)
{
	if (!c)
		return;
	struct priv *p = c->priv;
	if (p) {
		bh_arena_release(&p->a);
		free(p->buf);
		free(p);
	}
	free(c);
}

struct ld {
	struct bh_config *c;
	struct bh_arena *a;
	struct bh_err *err;
};

static int fail(struct ld *l, const struct bh_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct ld *l, const struct bh_node *n, const char *fmt, ...)
{
	char msg[sizeof(l->err->msg)];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bh_err_set(l->err, -EINVAL, n ? n->line : 0, n ? n->col : 0, "%s", msg);
	return -EINVAL;
}

static int str(struct ld *l, const struct bh_node *n, const char *key, const char **out)
{
	const char *s;
	size_t len;
	if (bh_as_str(n, &s, &len) != BH_OK || n->type != BH_SCALAR) {
		fail(l, n, "%s: expected a string", key);
		return -EINVAL; /* spelled out: the compiler then knows *out is set on 0 */
	}
	*out = s;
	return 0;
}

static int strlist(struct ld *l, const struct bh_node *n, const char *key, const char ***out, size_t *count)
{
	if (!n || bh_is_null(n))
		return 0;
	if (n->type != BH_SEQ)
		return fail(l, n, "%s: expected a list of strings", key);
	const char **v = bh_arena_alloc(l->a, (n->n ? n->n : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->n; i++)
		if (str(l, n->items[i], key, &v[i]))
			return -EINVAL;
	*out = v;
	*count = n->n;
	return 0;
}

/* every key of map must be one of allowed (NULL-terminated) */
static int known_keys(struct ld *l, const struct bh_node *map, const char *where, const char *const *allowed)
{
	for (uint32_t i = 0; i < map->n; i++) {
		const struct bh_node *k = map->pairs[i].key;
		bool ok = false;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = k->type == BH_SCALAR && k->len == strlen(*a) && !memcmp(k->s, *a, k->len);
		if (!ok) {
			char b[64], msg[160];
			snprintf(msg, sizeof(msg), "unknown key \"%s\" in %s", bh_node_text(k, b, sizeof(b)), where);
			bh_err_set(l->err, -EINVAL, k->line, k->col, "%s", msg);
			return -EINVAL;
		}
	}
	return 0;
}

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

/* rules the top-level sections (rules:, exemptions:) apply to: what scan and serve report — the manifest and
 * PSS rules, and the image rules scan raises on workloads (--vulns, --verify-images) */
static bool rule_known(const char *s)
{
	const struct bh_rule *r = bh_rule_find(s) ? bh_rule_find(s) : bh_rule_find_any(s);
	return r && (r < bh_rules + bh_nrules || bh_rule_area(r) == BH_AREA_IMAGE);
}

/* for an error: a rule of an area with its own section says where it belongs */
static const char *other_area(const char *s)
{
	const struct bh_rule *r = bh_rule_find_any(s);
	enum bh_area a = r ? bh_rule_area(r) : BH_AREA_N;
	return a == BH_AREA_WATCH ? " here (a watch rule: use the watch: section)"
	       : a == BH_AREA_AUDIT ? " here (an audit rule: use the audit: section)"
	       : r ? " here (this section applies to what scan and serve report)" : "";
}

/* YYYY-MM-DD → the first second after that day (UTC) */
static int parse_date(const char *s, time_t *out)
{
	int y, m, d;
	char tail;
	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d};
	time_t t = timegm(&tm);
	struct tm chk;
	gmtime_r(&t, &chk);
	if (chk.tm_mday != d) /* 2027-02-31 */
		return -1;
	*out = t + 86400;
	return 0;
}

static int load_sev_map(struct ld *l, const struct bh_node *sv, const char *where, struct bh_cfg_ref **rules,
			enum bh_sev **sevs, size_t *n)
{
	if (sv->type != BH_MAP)
		return fail(l, sv, "%s: expected a mapping of rule to severity", where);
	*rules = bh_arena_alloc(l->a, (sv->n + 1) * sizeof(**rules));
	*sevs = bh_arena_alloc(l->a, (sv->n + 1) * sizeof(**sevs));
	if (!*rules || !*sevs)
		return -ENOMEM;
	for (uint32_t i = 0; i < sv->n; i++) {
		const struct bh_node *k = sv->pairs[i].key;
		const char *rule, *sev;
		if (str(l, k, where, &rule) || str(l, sv->pairs[i].val, where, &sev))
			return -EINVAL;
		int s = bh_sev_parse(sev);
		if (s < 0 || s == BH_SEV_NONE)
			return fail(l, sv->pairs[i].val, "%s: \"%s\" is not critical, high, medium, low or info", where, sev);
		(*rules)[*n] = (struct bh_cfg_ref){rule, k->line, k->col};
		(*sevs)[(*n)++] = (enum bh_sev)s;
	}
	return 0;
}

static int reflist(struct ld *l, const struct bh_node *n, const char *key, struct bh_cfg_ref **out, size_t *count)
{
	const char **v = NULL;
	if (strlist(l, n, key, &v, count))
		return -EINVAL;
	if (!*count)
		return 0;
	if (!(*out = bh_arena_alloc(l->a, *count * sizeof(**out))))
		return -ENOMEM;
	for (size_t i = 0; i < *count; i++)
		(*out)[i] = (struct bh_cfg_ref){v[i], n->items[i]->line, n->items[i]->col};
	return 0;
}

static int load_rules(struct ld *l, const struct bh_node *n)
{
	static const char *const keys[] = {"disable", "severity", NULL};
	if (n->type != BH_MAP)
		return fail(l, n, "%s: expected a mapping", "rules");
	if (known_keys(l, n, "rules", keys))
		return -EINVAL;
	struct bh_config *c = l->c;
	if (strlist(l, get(n, "disable"), "rules.disable", &c->disabled, &c->ndisabled))
		return -EINVAL;
	for (size_t i = 0; i < c->ndisabled; i++)
		if (!rule_known(c->disabled[i]))
			return fail(l, get(n, "disable")->items[i], "rules.disable: unknown rule \"%s\"%s", c->disabled[i],
				    other_area(c->disabled[i]));
	const struct bh_node *sv = get(n, "severity");
	if (!sv || bh_is_null(sv))
		return 0;
	struct bh_cfg_ref *refs;
	size_t ns = 0;
	int rc = load_sev_map(l, sv, "rules.severity", &refs, &c->sev_value, &ns);
	if (rc)
		return rc;
	if (!(c->sev_rule = bh_arena_alloc(l->a, (ns + 1) * sizeof(*c->sev_rule))))
		return -ENOMEM;
	for (size_t i = 0; i < ns; i++) {
		if (!rule_known(refs[i].s)) {
			bh_err_set(l->err, -EINVAL, refs[i].line, refs[i].col, "rules.severity: unknown rule \"%s\"%s", refs[i].s,
				   other_area(refs[i].s));
			return -EINVAL;
		}
		c->sev_rule[c->nsev++] = refs[i].s;
	}
	return 0;
}

/* ---- exemptions: one model, per-area selector keys ---- */
enum xarea { XA_MANIFEST = 1, XA_WATCH = 2, XA_AUDIT = 4, XA_NODE = 8 };
enum xtype { XT_STR, XT_RULE, XT_RULES, XT_LABELS, XT_DATE };
struct xkey {
	const char *key;
	unsigned areas;
	enum xtype type;
	size_t off;
};
#define XOFF(f) offsetof(struct bh_exemption, f)
static const struct xkey xkeys[] = {
	{"rules", XA_MANIFEST | XA_WATCH | XA_AUDIT | XA_NODE, XT_RULES, 0},
	{"rule", XA_MANIFEST | XA_WATCH | XA_AUDIT | XA_NODE, XT_RULE, 0},
	{"reason", XA_MANIFEST | XA_WATCH | XA_AUDIT | XA_NODE, XT_STR, XOFF(reason)},
	{"expires", XA_MANIFEST | XA_WATCH | XA_AUDIT | XA_NODE, XT_DATE, 0},
	{"namespace", XA_MANIFEST | XA_AUDIT, XT_STR, XOFF(namespace)},
	{"name", XA_MANIFEST, XT_STR, XOFF(name)},
	{"kind", XA_MANIFEST, XT_STR, XOFF(kind)},
	{"labels", XA_MANIFEST, XT_LABELS, 0},
	{"serviceAccount", XA_MANIFEST, XT_STR, XOFF(service_account)},
	{"exe", XA_WATCH, XT_STR, XOFF(exe)},
	{"comm", XA_WATCH, XT_STR, XOFF(comm)},
	{"container", XA_WATCH, XT_STR, XOFF(container)},
	{"user", XA_AUDIT, XT_STR, XOFF(user)},
	{"group", XA_AUDIT, XT_STR, XOFF(group)},
	{"field", XA_NODE, XT_STR, XOFF(field)},
	{"node", XA_NODE, XT_STR, XOFF(node)},
};

static int x_labels(struct ld *l, const struct bh_node *lb, struct bh_exemption *x)
{
	if (lb->type != BH_MAP)
		return fail(l, lb, "%s: labels must be a mapping", "exemptions");
	x->label_keys = bh_arena_alloc(l->a, (lb->n + 1) * sizeof(char *));
	x->label_vals = bh_arena_alloc(l->a, (lb->n + 1) * sizeof(char *));
	if (!x->label_keys || !x->label_vals)
		return -ENOMEM;
	for (uint32_t i = 0; i < lb->n; i++)
		if (str(l, lb->pairs[i].key, "labels", &x->label_keys[i]) ||
		    str(l, lb->pairs[i].val, "labels", &x->label_vals[i]))
			return -EINVAL;
	x->nlabels = lb->n;
	return 0;
}

/* one selector key of an exemption */
static int x_field(struct ld *l, const struct xkey *k, const struct bh_node *v, struct bh_exemption *x,
		   const char *where)
{
	char key[64];
	snprintf(key, sizeof(key), "%s.%s", where, k->key);
	switch (k->type) {
	case XT_STR:
		return str(l, v, key, (const char **)((char *)x + k->off));
	case XT_RULE:
		if (x->rules_line)
			return fail(l, v, "%s: give rule or rules, not both", where);
		if (!(x->rules = bh_arena_alloc(l->a, sizeof(*x->rules))))
			return -ENOMEM;
		x->nrules = 1;
		x->rules_line = v->line, x->rules_col = v->col;
		if (str(l, v, key, &x->rules[0]))
			return -EINVAL;
		if (!strcmp(x->rules[0], "*")) /* watch's spelling of "every rule" */
			x->nrules = 0;
		return 0;
	case XT_RULES:
		if (x->rules_line)
			return fail(l, v, "%s: give rule or rules, not both", where);
		x->rules_line = v->line, x->rules_col = v->col;
		return strlist(l, v, key, &x->rules, &x->nrules);
	case XT_LABELS:
		return x_labels(l, v, x);
	case XT_DATE:
		if (str(l, v, key, &x->expires_text) || parse_date(x->expires_text, &x->expires))
			return fail(l, v, "%s: expires must be a date YYYY-MM-DD", where);
		return 0;
	}
	return 0;
}

static const struct xkey *x_key(const struct bh_node *k, unsigned area)
{
	for (size_t i = 0; i < sizeof(xkeys) / sizeof(xkeys[0]); i++)
		if ((xkeys[i].areas & area) && k->type == BH_SCALAR && k->len == strlen(xkeys[i].key) &&
		    !memcmp(k->s, xkeys[i].key, k->len))
			return &xkeys[i];
	return NULL;
}

static int load_exemption(struct ld *l, const struct bh_node *n, unsigned area, const char *where,
			  struct bh_exemption *x)
{
	if (n->type != BH_MAP)
		return fail(l, n, "%s: each exemption is a mapping", where);
	x->line = n->line;
	x->col = n->col;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct bh_node *kn = n->pairs[i].key, *v = n->pairs[i].val;
		const struct xkey *k = x_key(kn, area);
		if (!k) {
			char b[64];
			bh_err_set(l->err, -EINVAL, kn->line, kn->col, "unknown key \"%s\" in %s", bh_node_text(kn, b, sizeof(b)),
				   area == XA_WATCH ? "a watch.allow entry" : area == XA_AUDIT ? "an audit.allow entry"
				   : area == XA_NODE ? "a node.allow entry" : "an exemption");
			return -EINVAL;
		}
		int rc = bh_is_null(v) ? 0 : x_field(l, k, v, x, where);
		if (rc)
			return rc;
	}
	if (!x->reason || !x->reason[strspn(x->reason, " \t")])
		return fail(l, n, "%s: an exemption needs a reason (why is this risk accepted, and by whom?)", where);
	if (!x->nrules && !x->namespace && !x->name && !x->kind && !x->nlabels && !x->service_account && !x->exe &&
	    !x->comm && !x->container && !x->user && !x->group && !x->field && !x->node)
		return fail(l, n, "%s: an exemption must name rules or select what it exempts (it would match everything)",
			    where);
	return 0;
}

static int load_exemptions(struct ld *l, const struct bh_node *v, unsigned area, const char *where,
			   struct bh_exemption **out, size_t *count)
{
	if (v->type != BH_SEQ)
		return fail(l, v, "%s: expected a list", where);
	if (!(*out = bh_arena_alloc(l->a, (v->n ? v->n : 1) * sizeof(**out))))
		return -ENOMEM;
	memset(*out, 0, (v->n ? v->n : 1) * sizeof(**out));
	for (uint32_t i = 0; i < v->n; i++) {
		int rc = load_exemption(l, v->items[i], area, where, &(*out)[i]);
		if (rc)
			return rc;
		*count = i + 1;
	}
	return 0;
}

static int load_manifest_exemptions(struct ld *l, const struct bh_node *v)
{
	int rc = load_exemptions(l, v, XA_MANIFEST, "exemptions", &l->c->exemptions, &l->c->nexemptions);
	for (size_t i = 0; !rc && i < l->c->nexemptions; i++) {
		const struct bh_exemption *x = &l->c->exemptions[i];
		for (size_t k = 0; k < x->nrules; k++)
			if (!rule_known(x->rules[k])) {
				const struct bh_node *rn = get(v->items[i], "rules");
				const struct bh_node *at = rn && rn->type == BH_SEQ ? rn->items[k] : get(v->items[i], "rule");
				return fail(l, at, "exemptions[].rules: unknown rule \"%s\"%s", x->rules[k], other_area(x->rules[k]));
			}
	}
	return rc;
}

/* an area's own section (watch:): disable, severity, allow */
static int load_area(struct ld *l, const struct bh_node *n, const char *name, unsigned area, struct bh_area_config *ac)
{
	static const char *const keys[] = {"disable", "severity", "allow", NULL};
	char where[64];
	if (n->type != BH_MAP)
		return fail(l, n, "%s: expected a mapping", name);
	if (known_keys(l, n, name, keys))
		return -EINVAL;
	ac->present = true;
	const struct bh_node *v;
	snprintf(where, sizeof(where), "%s.disable", name);
	int rc = reflist(l, get(n, "disable"), where, &ac->disabled, &ac->ndisabled);
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s.severity", name);
	rc = (v = get(n, "severity")) && !bh_is_null(v) ? load_sev_map(l, v, where, &ac->sev_rule, &ac->sev_value, &ac->nsev) : 0;
	if (rc)
		return rc;
	snprintf(where, sizeof(where), "%s.allow", name);
	if ((v = get(n, "allow")) && !bh_is_null(v))
		return load_exemptions(l, v, area, where, &ac->exemptions, &ac->nexemptions);
	return 0;
}

static int load_watch(struct ld *l, const struct bh_node *n)
{
	return load_area(l, n, "watch", XA_WATCH, &l->c->watch);
}

/* serve: verifyImages (signatures at admission, default false), imageVerifyTimeoutMs (the wait for a
 * verdict before onError decides; 10-800, default 500: under the review's 1 s budget) */
static int load_serve_images(struct ld *l, const struct bh_node *n)
{
	struct bh_config *c = l->c;
	const struct bh_node *vi = get(n, "verifyImages"), *to = get(n, "imageVerifyTimeoutMs");
	if (vi && !bh_is_null(vi) && bh_as_bool(vi, &c->serve_verify_images) != BH_OK)
		return fail(l, vi, "%s: expected true or false", "serve.verifyImages");
	int64_t ms = 0;
	if (to && !bh_is_null(to) && (bh_as_int(to, &ms) != BH_OK || ms < 10 || ms > 800))
		return fail(l, to, "%s: expected milliseconds from 10 to 800 (the review's budget is 1 s)",
			    "serve.imageVerifyTimeoutMs");
	c->serve_verify_timeout_ms = ms ? (unsigned)ms : 500;
	return 0;
}

/* a rule id of an area's section (audit:, node:) must name a rule of that area */
static int area_rule(struct ld *l, enum bh_area area, const char *s, uint32_t line, uint32_t col)
{
	const struct bh_rule *r = bh_rule_find_any(s);
	if (r && bh_rule_area(r) == area)
		return 0;
	const char *name = bh_areas[area].group;
	return bh_err_set(l->err, -EINVAL, line, col, "%s:%u:%u: %s: '%s' is not a%s %s rule (`bulkhead rules --area %s` "
			  "lists them)", l->c->file ? l->c->file : "config", line, col, name, s, name[0] == 'a' ? "n" : "", name,
			  bh_areas[area].shown);
}

/* an area's section whose rule ids the config checks itself (the area's rows are in the registry) */
static int load_checked_area(struct ld *l, const struct bh_node *n, const char *name, unsigned xa, enum bh_area area,
			     struct bh_area_config *ac)
{
	int rc = load_area(l, n, name, xa, ac);
	for (size_t i = 0; !rc && i < ac->ndisabled; i++)
		rc = area_rule(l, area, ac->disabled[i].s, ac->disabled[i].line, ac->disabled[i].col);
	for (size_t i = 0; !rc && i < ac->nsev; i++)
		rc = area_rule(l, area, ac->sev_rule[i].s, ac->sev_rule[i].line, ac->sev_rule[i].col);
	for (size_t i = 0; !rc && i < ac->nexemptions; i++)
		for (size_t k = 0; !rc && k < ac->exemptions[i].nrules; k++)
			rc = area_rule(l, area, ac->exemptions[i].rules[k], ac->exemptions[i].rules_line,
				       ac->exemptions[i].rules_col);
	return rc;
}

static int load_audit(struct ld *l, const struct bh_node *n)
{
	return load_checked_area(l, n, "audit", XA_AUDIT, BH_AREA_AUDIT, &l->c->audit);
}

static int load_node(struct ld *l, const struct bh_node *n)
{
	return load_checked_area(l, n, "node", XA_NODE, BH_AREA_NODE, &l->c->node);
}

static int load_serve(struct ld *l, const struct bh_node *n)
{
	static const char *const keys[] = {"actions", "exemptUsers", "exemptGroups", "exemptNamespaces",
					   "honorIgnoreAnnotation", "verifyImages", "imageVerifyTimeoutMs", NULL};
	struct bh_config *c = l->c;
	if (n->type != BH_MAP)
		return fail(l, n, "%s: expected a mapping", "serve");
	if (known_keys(l, n, "serve", keys))
		return -EINVAL;
	const struct bh_node *ac = get(n, "actions");
	if (ac && !bh_is_null(ac)) {
		if (ac->type != BH_MAP)
			return fail(l, ac, "%s: expected a mapping of severity to deny|warn|audit|none", "serve.actions");
		for (uint32_t i = 0; i < ac->n; i++) {
			const char *sev, *act;
			if (str(l, ac->pairs[i].key, "serve.actions", &sev) || str(l, ac->pairs[i].val, "serve.actions", &act))
				return -EINVAL;
			int s = bh_sev_parse(sev);
			if (s < 0 || s == BH_SEV_NONE)
				return fail(l, ac->pairs[i].key, "serve.actions: unknown severity \"%s\"", sev);
			int a = -1;
			for (int k = 0; k <= BH_ACT_DENY; k++)
				if (!strcmp(act, bh_action_name((enum bh_action)k)))
					a = k;
			if (a < 0)
				return fail(l, ac->pairs[i].val, "serve.actions: \"%s\" is not deny, warn, audit or none", act);
			c->actions[s] = (enum bh_action)a;
		}
	}
	const struct bh_node *hi = get(n, "honorIgnoreAnnotation");
	if (hi && !bh_is_null(hi) && bh_as_bool(hi, &c->serve_honor_ignore) != BH_OK)
		return fail(l, hi, "%s: expected true or false", "serve.honorIgnoreAnnotation");
	if (load_serve_images(l, n))
		return -EINVAL;
	if (strlist(l, get(n, "exemptUsers"), "serve.exemptUsers", &c->exempt_users, &c->nexempt_users) ||
	    strlist(l, get(n, "exemptGroups"), "serve.exemptGroups", &c->exempt_groups, &c->nexempt_groups) ||
	    strlist(l, get(n, "exemptNamespaces"), "serve.exemptNamespaces", &c->exempt_namespaces, &c->nexempt_namespaces))
		return -EINVAL;
	return 0;
}

static int load_podpaths(struct ld *l, const struct bh_node *n)
{
	if (n->type != BH_SEQ)
		return fail(l, n, "%s: expected a list", "podTemplatePaths");
	static const char *const keys[] = {"group", "kind", "spec", "metadata", NULL};
	l->c->podpaths = bh_arena_alloc(l->a, (n->n ? n->n : 1) * sizeof(*l->c->podpaths));
	if (!l->c->podpaths)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct bh_node *m = n->items[i];
		if (m->type != BH_MAP)
			return fail(l, m, "%s: each entry is a mapping", "podTemplatePaths");
		if (known_keys(l, m, "podTemplatePaths[]", keys))
			return -EINVAL;
		const char *group = "*", *kind, *spec, *meta = NULL;
		const struct bh_node *v;
		if (((v = get(m, "group")) && str(l, v, "group", &group)) || !get(m, "kind") ||
		    str(l, get(m, "kind"), "kind", &kind) || !get(m, "spec") || str(l, get(m, "spec"), "spec", &spec) ||
		    ((v = get(m, "metadata")) && str(l, v, "metadata", &meta)))
			return l->err->code ? -EINVAL : fail(l, m, "%s: kind and spec are required", "podTemplatePaths[]");
		/* strings live in the config's arena, as long as the config */
		l->c->podpaths[l->c->npodpaths++] = (struct bh_podpath){group, kind, spec, meta};
	}
	return 0;
}

static int load_kind(struct ld *l, const struct bh_node *v)
{
	const char *k;
	if (str(l, v, "kind", &k) || strcmp(k, "Config"))
		return fail(l, v, "%s: kind must be Config", "config");
	return 0;
}

static int load_apiversion(struct ld *l, const struct bh_node *v)
{
	const char *s;
	return str(l, v, "apiVersion", &s);
}

static int load_registries(struct ld *l, const struct bh_node *v)
{
	return strlist(l, v, "trustedRegistries", &l->c->registries, &l->c->nregistries);
}

/* imageSignatures: [{repository: GLOB, keys: [PEM FILE…]}] */
static int load_image_sigs(struct ld *l, const struct bh_node *n)
{
	static const char *const keys[] = {"repository", "keys", "onError", NULL};
	if (n->type != BH_SEQ)
		return fail(l, n, "%s: expected a list", "imageSignatures");
	l->c->image_keys = bh_arena_alloc(l->a, (n->n ? n->n : 1) * sizeof(*l->c->image_keys));
	if (!l->c->image_keys)
		return -ENOMEM;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct bh_node *m = n->items[i];
		struct bh_image_keys *k = &l->c->image_keys[i];
		if (m->type != BH_MAP)
			return fail(l, m, "%s: each entry is a mapping", "imageSignatures");
		if (known_keys(l, m, "imageSignatures[]", keys) || !get(m, "repository") ||
		    str(l, get(m, "repository"), "repository", &k->repository) ||
		    strlist(l, get(m, "keys"), "keys", &k->keys, &k->nkeys))
			return l->err->code ? -EINVAL : fail(l, m, "%s: repository is required", "imageSignatures[]");
		if (!k->nkeys)
			return fail(l, m, "%s: keys: at least one PEM public key file", "imageSignatures[]");
		const struct bh_node *oe = get(m, "onError");
		const char *act = "deny";
		if (oe && (str(l, oe, "onError", &act) || (strcmp(act, "deny") && strcmp(act, "warn"))))
			return l->err->code ? -EINVAL : fail(l, oe, "%s: onError: \"%s\" is not deny or warn", "imageSignatures[]", act);
		k->on_error_warn = !strcmp(act, "warn");
		l->c->nimage_keys++;
	}
	return 0;
}

/* The top-level sections. A new area (node, cluster, audit) adds one row; its section reuses load_area. */
static const struct section {
	const char *key;
	int (*load)(struct ld *l, const struct bh_node *v);
} sections[] = {
	{"apiVersion", load_apiversion},
	{"kind", load_kind},
	{"rules", load_rules},
	{"trustedRegistries", load_registries},
	{"exemptions", load_manifest_exemptions},
	{"podTemplatePaths", load_podpaths},
	{"serve", load_serve},
	{"watch", load_watch},
	{"audit", load_audit},
	{"node", load_node},
	{"imageSignatures", load_image_sigs},
};

static int load_root(struct ld *l, const struct bh_doc *doc)
{
	const struct bh_node *r = doc->root;
	if (r->type != BH_MAP)
		return fail(l, r, "%s: the config is a mapping", "config");
	if (doc->has_dups) {
		const struct bh_diag *w = doc->warnings;
		int rc = fail(l, w ? NULL : r, "%s", w ? w->msg : "duplicate keys");
		if (w)
			l->err->line = w->line, l->err->col = w->col;
		return rc;
	}
	for (uint32_t i = 0; i < r->n; i++) {
		const struct bh_node *k = r->pairs[i].key, *v = r->pairs[i].val;
		const struct section *s = NULL;
		for (size_t j = 0; j < sizeof(sections) / sizeof(sections[0]) && !s; j++)
			if (k->type == BH_SCALAR && k->len == strlen(sections[j].key) && !memcmp(k->s, sections[j].key, k->len))
				s = &sections[j];
		if (!s) {
			char b[64];
			return bh_err_set(l->err, -EINVAL, k->line, k->col, "unknown key \"%s\" in the config",
					  bh_node_text(k, b, sizeof(b)));
		}
		int rc = bh_is_null(v) ? 0 : s->load(l, v);
		if (rc)
			return rc;
	}
	return 0;
}

/* rule selectors resolved once: rule evaluation asks per rule and per pod */
static int resolve_rules(struct bh_config *c, struct bh_arena *a)
{
	if (!(c->rule_state = bh_arena_alloc(a, bh_nrules * sizeof(*c->rule_state))))
		return -ENOMEM;
	for (size_t i = 0; i < bh_nrules; i++) {
		uint8_t st = BH_SEV_NONE + 1; /* no override */
		for (size_t k = 0; k < c->nsev; k++)
			if (rule_matches(c->sev_rule[k], &bh_rules[i]))
				st = (uint8_t)c->sev_value[k];
		for (size_t k = 0; k < c->ndisabled; k++)
			if (rule_matches(c->disabled[k], &bh_rules[i]))
				st = RULE_DISABLED;
		c->rule_state[i] = st;
	}
	return 0;
}

/* takes buf (malloc'd, len bytes) */
static int load_buf(const char *name, char *buf, size_t len, struct bh_config **out, struct bh_err *err)
{
	*out = NULL;
	err->file = name;
	struct bh_config *c = calloc(1, sizeof(*c));
	struct priv *p = calloc(1, sizeof(*p));
	if (!c || !p) {
		free(c);
		free(p);
		free(buf);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	*c = defaults;
	c->priv = p;
	p->buf = buf;
	bh_arena_init(&p->a, 64u << 20);
	c->file = bh_arena_strndup(&p->a, name, strlen(name)); /* the caller's name may be a stack buffer */
	if (!c->file) {
		bh_config_free(c);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	struct bh_decoder *d = bh_decoder_new(name, buf, len, NULL);
	if (!d) {
		bh_config_free(c);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	struct bh_doc doc;
	int rc = bh_decoder_next(d, &p->a, &doc, err);
	bh_decoder_free(d);
	struct ld l = {c, &p->a, err};
	c->empty = rc == 0 || (rc > 0 && !doc.root);
	if (rc > 0 && doc.root)
		rc = load_root(&l, &doc);
	if (rc >= 0 && (rc = resolve_rules(c, &p->a)) < 0)
		bh_err_set(err, rc, 0, 0, "out of memory");
	if (rc < 0) {
		bh_config_free(c);
		return rc;
	}
	*out = c;
	return c->empty ? BH_CONFIG_EMPTY : 0;
}

int bh_config_load(const char *path, struct bh_config **out, struct bh_err *err)
{
	char *buf = NULL;
	size_t len;
	*out = NULL;
	err->file = path;
	int rc = bh_read_file(path, 4u << 20, &buf, &len);
	if (rc < 0)
		return bh_err_set(err, rc, 0, 0, "cannot read config: %s", strerror(-rc));
	return load_buf(path, buf, len, out, err);
}

int bh_config_parse(const char *name, const char *buf, size_t len, struct bh_config **out, struct bh_err *err)
{
	*out = NULL;
	err->file = name;
	if (len > 4u << 20)
		return bh_err_set(err, -EFBIG, 0, 0, "config larger than %u bytes", 4u << 20);
	char *copy = malloc(len + 1);
	if (!copy)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	memcpy(copy, buf, len);
	copy[len] = 0;
	return load_buf(name, copy, len, out, err);
}

static bool rule_matches(const char *sel, const struct bh_rule *r)
{
	return r && (!strcasecmp(sel, r->id) || !strcmp(sel, r->name));
}

/* the precomputed state of a row of the static table, or -1 for rows of other tables */
static int rule_state(const struct bh_config *c, const struct bh_rule *r)
{
	if (!c || !c->rule_state || r < bh_rules || r >= bh_rules + bh_nrules)
		return -1;
	return c->rule_state[r - bh_rules];
}

bool bh_config_rule_disabled(const struct bh_config *c, const struct bh_rule *r)
{
	int st = rule_state(c, r);
	if (st >= 0)
		return st == RULE_DISABLED;
	for (size_t i = 0; c && i < c->ndisabled; i++)
		if (rule_matches(c->disabled[i], r))
			return true;
	return false;
}

bool bh_area_rule_disabled(const struct bh_area_config *ac, const struct bh_rule *r)
{
	for (size_t i = 0; ac && i < ac->ndisabled; i++)
		if (rule_matches(ac->disabled[i].s, r))
			return true;
	return false;
}

enum bh_sev bh_area_severity(const struct bh_area_config *ac, const struct bh_rule *r, enum bh_sev sev)
{
	for (size_t i = 0; ac && i < ac->nsev; i++)
		if (rule_matches(ac->sev_rule[i].s, r))
			return ac->sev_value[i];
	return sev;
}

bool bh_exemption_names_rule(const struct bh_exemption *x, const struct bh_rule *r)
{
	if (!x->nrules)
		return true;
	for (size_t i = 0; i < x->nrules; i++)
		if (rule_matches(x->rules[i], r))
			return true;
	return false;
}

void bh_area_apply(const struct bh_config *c, const struct bh_area_config *ac, struct bh_findings *fs, time_t now)
{
	size_t w = 0;
	for (size_t i = 0; i < fs->n; i++) {
		struct bh_finding f = fs->v[i];
		if (bh_area_rule_disabled(ac, f.rule))
			continue;
		f.sev = bh_area_severity(ac, f.rule, f.sev);
		for (size_t k = 0; !f.suppressed && k < ac->nexemptions; k++) {
			const struct bh_exemption *x = &ac->exemptions[k];
			if (bh_exemption_names_rule(x, f.rule) && (!x->expires || now < x->expires) &&
			    (!x->field || !fnmatch(x->field, f.field ? f.field : "", 0)) &&
			    (!x->node || !fnmatch(x->node, f.obj.name ? f.obj.name : "", 0))) {
				f.suppressed = true;
				f.suppress_reason = x->reason;
			}
		}
		fs->v[w++] = f;
	}
	fs->n = w;
}

static bool glob(const char *pat, const char *s)
{
	return pat && s && fnmatch(pat, s, 0) == 0;
}

static const char *label(const struct bh_object *o, const char *key)
{
	const struct bh_node *labels = bh_map_get(o->metadata, "labels", BH_READ_LAST, NULL, NULL);
	const char *s;
	size_t len;
	if (bh_as_str(bh_map_get(labels, key, BH_READ_LAST, NULL, NULL), &s, &len) != BH_OK)
		return NULL;
	return s;
}

static bool exemption_selects(const struct bh_exemption *x, const struct bh_object *o, const struct bh_finding *f)
{
	if (x->nrules) {
		bool hit = false;
		for (size_t i = 0; i < x->nrules && !hit; i++)
			hit = rule_matches(x->rules[i], f->rule);
		if (!hit)
			return false;
	}
	if (x->namespace && !glob(x->namespace, o->ref.namespace ? o->ref.namespace : ""))
		return false;
	if (x->name && !glob(x->name, o->ref.name ? o->ref.name : ""))
		return false;
	if (x->kind && !glob(x->kind, o->ref.kind ? o->ref.kind : ""))
		return false;
	for (size_t i = 0; i < x->nlabels; i++) {
		const char *v = label(o, x->label_keys[i]);
		if (!v || strcmp(v, x->label_vals[i]))
			return false;
	}
	return true;
}

/* bulkhead.io/ignore: "BH0001,privileged-container reason text" */
static bool annotation_ignores(const struct bh_object *o, const struct bh_finding *f, const char **reason, bool *noreason)
{
	const struct bh_node *ann = bh_map_get(o->metadata, "annotations", BH_READ_LAST, NULL, NULL);
	const char *v;
	size_t len;
	if (bh_as_str(bh_map_get(ann, "bulkhead.io/ignore", BH_READ_LAST, NULL, NULL), &v, &len) != BH_OK)
		return false;
	size_t ids = strcspn(v, " \t");
	const char *rs = v + ids;
	rs += strspn(rs, " \t");
	bool hit = false;
	for (size_t i = 0; i < ids && !hit;) {
		size_t l = strcspn(v + i, ", \t");
		if (l > ids - i)
			l = ids - i;
		char sel[64];
		if (l && l < sizeof(sel)) {
			memcpy(sel, v + i, l);
			sel[l] = 0;
			hit = rule_matches(sel, f->rule);
		}
		i += l + 1;
	}
	if (!hit)
		return false;
	if (!*rs) {
		*noreason = true;
		return false;
	}
	*reason = rs;
	return true;
}

void bh_config_apply(const struct bh_config *c, const struct bh_object *o, struct bh_findings *fs, size_t first,
		     time_t now, bh_config_note_cb note, void *ctx)
{
	struct bh_apply_opts opt = {.now = now, .note = note, .ctx = ctx};
	bh_config_apply_opts(c, o, fs, first, &opt);
}

void bh_config_apply_flags(const struct bh_config *c, const struct bh_object *o, struct bh_findings *fs, size_t first,
			   time_t now, bh_config_note_cb note, void *ctx, unsigned flags)
{
	struct bh_apply_opts opt = {.now = now, .note = note, .ctx = ctx, .flags = flags};
	bh_config_apply_opts(c, o, fs, first, &opt);
}

void bh_config_expired_msg(const struct bh_config *c, const struct bh_exemption *x, char *buf, size_t size)
{
	snprintf(buf, size, "exemption at %s:%u expired on %s and no longer applies (reason was: %s)",
		 c && c->file ? c->file : "config", x->line, x->expires_text ? x->expires_text : "?", x->reason);
}

size_t bh_config_each_expired(const struct bh_config *c, const struct bh_exemption *x, size_t n, time_t now,
			      bh_config_expired_cb cb, void *ctx)
{
	size_t k = 0;
	for (size_t i = 0; x && i < n; i++)
		if (x[i].expires && now >= x[i].expires) {
			k++;
			if (cb)
				cb(c, &x[i], ctx);
		}
	return k;
}

/* "system:serviceaccount:NS:NAME" against a "NS/NAME" glob */
static bool sa_matches(const char *pat, const char *user)
{
	static const char pre[] = "system:serviceaccount:";
	char sa[320];
	if (!pat || !user || strncmp(user, pre, sizeof(pre) - 1) || strlen(user) >= sizeof(sa))
		return false;
	snprintf(sa, sizeof(sa), "%s", user + sizeof(pre) - 1);
	char *colon = strchr(sa, ':');
	if (!colon)
		return false;
	*colon = '/';
	return fnmatch(pat, sa, 0) == 0;
}

/* the first exemption selecting f; an expired one that would have is noted (once per exemption) */
static const struct bh_exemption *exempt(const struct bh_config *c, const struct bh_object *o,
					 const struct bh_finding *f, const struct bh_apply_opts *opt, uint64_t *noted)
{
	for (size_t k = 0; k < c->nexemptions; k++) {
		const struct bh_exemption *x = &c->exemptions[k];
		if (!exemption_selects(x, o, f) || (x->service_account && !sa_matches(x->service_account, opt->user)))
			continue;
		if (!x->expires || opt->now < x->expires)
			return x;
		if (opt->note && !(k < 64 && (*noted >> k & 1))) {
			char msg[512];
			bh_config_expired_msg(c, x, msg, sizeof(msg));
			opt->note(o, msg, opt->ctx);
			if (k < 64)
				*noted |= 1ull << k;
		}
	}
	return NULL;
}

static enum bh_sev effective_sev(const struct bh_config *c, const struct bh_finding *f)
{
	int st = rule_state(c, f->rule);
	if (st >= 0)
		return st < BH_SEV_NONE ? (enum bh_sev)st : f->sev;
	enum bh_sev s = f->sev;
	for (size_t k = 0; k < c->nsev; k++)
		if (rule_matches(c->sev_rule[k], f->rule))
			s = c->sev_value[k];
	return s;
}

void bh_config_apply_opts(const struct bh_config *c, const struct bh_object *o, struct bh_findings *fs, size_t first,
			  const struct bh_apply_opts *opt)
{
	if (!c)
		c = &defaults;
	size_t w = first;
	bool noted_noreason = false;
	uint64_t noted_expired = 0; /* bit per exemption (first 64) */
	for (size_t i = first; i < fs->n; i++) {
		struct bh_finding f = fs->v[i];
		if (bh_config_rule_disabled(c, f.rule))
			continue;
		f.sev = effective_sev(c, &f);
		const struct bh_exemption *x = f.suppressed ? NULL : exempt(c, o, &f, opt, &noted_expired);
		if (x) {
			f.suppressed = true;
			f.suppress_reason = x->reason;
		}
		const char *reason = NULL;
		bool noreason = false;
		if (!f.suppressed && !(opt->flags & BH_APPLY_NO_ANNOTATION) && annotation_ignores(o, &f, &reason, &noreason)) {
			f.suppressed = true;
			f.suppress_reason = bh_arena_strndup(fs->a, reason, strlen(reason));
		}
		if (noreason && opt->note && !noted_noreason) {
			opt->note(o, "annotation bulkhead.io/ignore has no reason after the rule list; it is not applied",
				  opt->ctx);
			noted_noreason = true;
		}
		fs->v[w++] = f;
	}
	fs->n = w;
}

/* docker.io/library/nginx:1 ← "nginx:1"; a first path component with '.' or ':' or "localhost" is a
 * registry host (the reference grammar of distribution/reference). */
static void image_ref(const char *image, char *out, size_t size)
{
	const char *slash = strchr(image, '/');
	bool host = slash && (memchr(image, '.', (size_t)(slash - image)) || memchr(image, ':', (size_t)(slash - image)) ||
			      !strncmp(image, "localhost/", 10));
	if (!host)
		snprintf(out, size, "docker.io/%s%s", slash ? "" : "library/", image);
	else if (!strncmp(image, "index.docker.io/", 16) || !strncmp(image, "registry-1.docker.io/", 21))
		snprintf(out, size, "docker.io/%s", slash + 1);
	else
		snprintf(out, size, "%s", image);
}

bool bh_config_trusted_registry(const struct bh_config *c, const char *image)
{
	if (!c || !image)
		return false;
	char ref[1024], want[1024];
	image_ref(image, ref, sizeof(ref));
	for (size_t i = 0; i < c->nregistries; i++) {
		const char *r = c->registries[i];
		size_t l = strlen(r);
		while (l && r[l - 1] == '/')
			l--;
		snprintf(want, sizeof(want), "%.*s", (int)l, r);
		if (!strcmp(want, "index.docker.io") || !strcmp(want, "registry-1.docker.io"))
			snprintf(want, sizeof(want), "docker.io");
		l = strlen(want);
		if (!strncmp(ref, want, l) && (ref[l] == '/' || ref[l] == 0))
			return true;
	}
	return false;
}

enum bh_action bh_config_action(const struct bh_config *c, enum bh_sev s)
{
	if (!c)
		c = &defaults;
	return (unsigned)s < BH_SEV_NONE ? c->actions[s] : BH_ACT_NONE;
}

bool bh_config_exempt_request(const struct bh_config *c, const char *user, const char *const *groups, size_t ngroups,
			      const char *namespace)
{
	if (!c)
		return false;
	for (size_t i = 0; i < c->nexempt_users; i++)
		if (glob(c->exempt_users[i], user))
			return true;
	for (size_t i = 0; i < c->nexempt_groups; i++)
		for (size_t g = 0; g < ngroups; g++)
			if (glob(c->exempt_groups[i], groups[g]))
				return true;
	for (size_t i = 0; i < c->nexempt_namespaces; i++)
		if (glob(c->exempt_namespaces[i], namespace))
			return true;
	time_t now = time(NULL);
	for (size_t i = 0; i < c->nexemptions; i++) {
		const struct bh_exemption *x = &c->exemptions[i];
		if (x->service_account && !x->nrules && !x->name && !x->kind && !x->nlabels &&
		    (!x->namespace || glob(x->namespace, namespace ? namespace : "")) &&
		    (!x->expires || now < x->expires) && sa_matches(x->service_account, user))
			return true;
	}
	return false;
}

/* ---- discovery: --config, $BULKHEAD_CONFIG, ./.bulkhead.yaml, <repository root>/.bulkhead.yaml ---- */
#define DISCOVER_NAME ".bulkhead.yaml"

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* dir/name into out; false when it does not fit */
static bool join(char *out, size_t size, const char *dir, const char *name)
{
	int n = snprintf(out, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);
	return n > 0 && (size_t)n < size;
}

/* the nearest directory upward from the working directory holding .git (dir, or file in a worktree) */
static bool repo_root(char *dir, size_t size)
{
	if (!getcwd(dir, size))
		return false;
	for (int depth = 0; depth < 256; depth++) { /* a path has far fewer components */
		char probe[4096];
		struct stat st;
		if (join(probe, sizeof(probe), dir, ".git") && stat(probe, &st) == 0)
			return true;
		char *slash = strrchr(dir, '/');
		if (!slash || slash == dir) {
			if (!strcmp(dir, "/"))
				return false;
			strcpy(dir, "/");
			continue;
		}
		*slash = 0;
	}
	return false;
}

enum bh_config_source bh_config_discover(const char *explicit_path, char *path, size_t size)
{
	const char *env = getenv("BULKHEAD_CONFIG");
	char dir[4096];
	path[0] = 0;
	if (explicit_path) {
		snprintf(path, size, "%s", explicit_path);
		return BH_CONFIG_OPTION;
	}
	if (env && *env) {
		snprintf(path, size, "%s", env);
		return BH_CONFIG_ENV;
	}
	if (is_file(DISCOVER_NAME)) {
		snprintf(path, size, "%s", DISCOVER_NAME);
		return BH_CONFIG_CWD;
	}
	if (repo_root(dir, sizeof(dir)) && join(path, size, dir, DISCOVER_NAME) && is_file(path))
		return BH_CONFIG_REPO;
	path[0] = 0;
	return BH_CONFIG_NONE;
}

const char *bh_config_source_name(enum bh_config_source s)
{
	static const char *const n[] = {"none", "--config", "$BULKHEAD_CONFIG", "working directory", "repository root"};
	return (unsigned)s <= BH_CONFIG_REPO ? n[s] : "?";
}
