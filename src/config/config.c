/* Config file: YAML read with the project's own decoder, so every error has file:line:col. */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

static int fail(struct ld *l, const struct bh_node *n, const char *fmt, const char *what)
{
	bh_err_set(l->err, -EINVAL, n ? n->line : 0, n ? n->col : 0, fmt, what);
	return -EINVAL;
}

static int str(struct ld *l, const struct bh_node *n, const char *key, const char **out)
{
	const char *s;
	size_t len;
	if (bh_as_str(n, &s, &len) != BH_OK || n->type != BH_SCALAR)
		return fail(l, n, "%s: expected a string", key);
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

static bool rule_known(const char *s)
{
	return bh_rule_find(s) != NULL;
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
			return fail(l, get(n, "disable")->items[i], "rules.disable: unknown rule \"%s\"", c->disabled[i]);
	const struct bh_node *sv = get(n, "severity");
	if (sv && !bh_is_null(sv)) {
		if (sv->type != BH_MAP)
			return fail(l, sv, "%s: expected a mapping of rule to severity", "rules.severity");
		c->sev_rule = bh_arena_alloc(l->a, (sv->n + 1) * sizeof(*c->sev_rule));
		c->sev_value = bh_arena_alloc(l->a, (sv->n + 1) * sizeof(*c->sev_value));
		if (!c->sev_rule || !c->sev_value)
			return -ENOMEM;
		for (uint32_t i = 0; i < sv->n; i++) {
			const char *rule, *sev;
			if (str(l, sv->pairs[i].key, "rules.severity", &rule) || str(l, sv->pairs[i].val, "rules.severity", &sev))
				return -EINVAL;
			if (!rule_known(rule))
				return fail(l, sv->pairs[i].key, "rules.severity: unknown rule \"%s\"", rule);
			int s = bh_sev_parse(sev);
			if (s < 0 || s == BH_SEV_NONE)
				return fail(l, sv->pairs[i].val, "rules.severity: \"%s\" is not critical, high, medium, low or info", sev);
			c->sev_rule[c->nsev] = rule;
			c->sev_value[c->nsev++] = (enum bh_sev)s;
		}
	}
	return 0;
}

static int load_exemption(struct ld *l, const struct bh_node *n, struct bh_exemption *x)
{
	static const char *const keys[] = {"rules", "namespace", "name", "kind", "labels", "reason", "expires", NULL};
	if (n->type != BH_MAP)
		return fail(l, n, "%s: each exemption is a mapping", "exemptions");
	if (known_keys(l, n, "an exemption", keys))
		return -EINVAL;
	x->line = n->line;
	if (strlist(l, get(n, "rules"), "exemptions[].rules", &x->rules, &x->nrules))
		return -EINVAL;
	for (size_t i = 0; i < x->nrules; i++)
		if (!rule_known(x->rules[i]))
			return fail(l, get(n, "rules")->items[i], "exemptions[].rules: unknown rule \"%s\"", x->rules[i]);
	const struct bh_node *v;
	if ((v = get(n, "namespace")) && str(l, v, "namespace", &x->namespace))
		return -EINVAL;
	if ((v = get(n, "name")) && str(l, v, "name", &x->name))
		return -EINVAL;
	if ((v = get(n, "kind")) && str(l, v, "kind", &x->kind))
		return -EINVAL;
	v = get(n, "reason");
	if (!v || bh_is_null(v) || str(l, v, "reason", &x->reason) || !x->reason[strspn(x->reason, " \t")])
		return fail(l, n, "%s: an exemption needs a reason (why is this risk accepted, and by whom?)", "exemptions");
	if ((v = get(n, "expires")) && !bh_is_null(v)) {
		if (str(l, v, "expires", &x->expires_text) || parse_date(x->expires_text, &x->expires))
			return fail(l, v, "%s: expires must be a date YYYY-MM-DD", "exemptions");
	}
	const struct bh_node *lb = get(n, "labels");
	if (lb && !bh_is_null(lb)) {
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
	}
	if (!x->nrules && !x->namespace && !x->name && !x->kind && !x->nlabels)
		return fail(l, n, "%s: an exemption must name rules or select objects (namespace, name, kind, labels)",
			    "exemptions");
	return 0;
}

static int load_serve(struct ld *l, const struct bh_node *n)
{
	static const char *const keys[] = {"actions", "exemptUsers", "exemptGroups", "exemptNamespaces",
					   "honorIgnoreAnnotation", NULL};
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

int bh_config_load(const char *path, struct bh_config **out, struct bh_err *err)
{
	*out = NULL;
	err->file = path;
	struct bh_config *c = calloc(1, sizeof(*c));
	struct priv *p = calloc(1, sizeof(*p));
	if (!c || !p) {
		free(c);
		free(p);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	*c = defaults;
	c->priv = p;
	c->file = path;
	bh_arena_init(&p->a, 64u << 20);
	size_t len;
	int rc = bh_read_file(path, 4u << 20, &p->buf, &len);
	if (rc < 0) {
		bh_err_set(err, rc, 0, 0, "cannot read config: %s", strerror(-rc));
		goto out_free;
	}
	struct bh_decoder *d = bh_decoder_new(path, p->buf, len, NULL);
	if (!d) {
		rc = bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		goto out_free;
	}
	struct bh_doc doc;
	rc = bh_decoder_next(d, &p->a, &doc, err);
	bh_decoder_free(d);
	if (rc < 0)
		goto out_free;
	rc = 0;
	if (!doc.root)
		goto done; /* an empty config is the defaults */
	struct ld l = {c, &p->a, err};
	const struct bh_node *r = doc.root;
	static const char *const keys[] = {"apiVersion", "kind", "rules", "trustedRegistries", "exemptions",
					   "podTemplatePaths", "serve",
					   "watch" /* read by bulkhead watch (src/watch/config.c) */, NULL};
	if (r->type != BH_MAP) {
		rc = fail(&l, r, "%s: the config is a mapping", "config");
		goto out_free;
	}
	if (doc.has_dups) {
		rc = fail(&l, doc.warnings ? NULL : r, "%s", doc.warnings ? doc.warnings->msg : "duplicate keys");
		if (doc.warnings) {
			err->line = doc.warnings->line;
			err->col = doc.warnings->col;
		}
		goto out_free;
	}
	if ((rc = known_keys(&l, r, "the config", keys)))
		goto out_free;
	const struct bh_node *v;
	if ((v = get(r, "kind")) && !bh_is_null(v)) {
		const char *k;
		if (str(&l, v, "kind", &k) || strcmp(k, "Config")) {
			rc = fail(&l, v, "%s: kind must be Config", "config");
			goto out_free;
		}
	}
	if ((v = get(r, "rules")) && !bh_is_null(v) && (rc = load_rules(&l, v)))
		goto out_free;
	if ((rc = strlist(&l, get(r, "trustedRegistries"), "trustedRegistries", &c->registries, &c->nregistries)))
		goto out_free;
	if ((v = get(r, "exemptions")) && !bh_is_null(v)) {
		if (v->type != BH_SEQ) {
			rc = fail(&l, v, "%s: expected a list", "exemptions");
			goto out_free;
		}
		c->exemptions = bh_arena_alloc(&p->a, (v->n ? v->n : 1) * sizeof(*c->exemptions));
		if (!c->exemptions) {
			rc = -ENOMEM;
			goto out_free;
		}
		for (uint32_t i = 0; i < v->n; i++)
			if ((rc = load_exemption(&l, v->items[i], &c->exemptions[c->nexemptions++])))
				goto out_free;
	}
	if ((v = get(r, "podTemplatePaths")) && !bh_is_null(v) && (rc = load_podpaths(&l, v)))
		goto out_free;
	if ((v = get(r, "serve")) && !bh_is_null(v) && (rc = load_serve(&l, v)))
		goto out_free;
done:
	/* resolve rule selectors once: rule evaluation asks per rule and per pod */
	if (!(c->rule_state = bh_arena_alloc(&p->a, bh_nrules * sizeof(*c->rule_state)))) {
		rc = bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		goto out_free;
	}
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
	*out = c;
	return 0;
out_free:
	bh_config_free(c);
	return rc ? rc : -EINVAL;
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
	bh_config_apply_flags(c, o, fs, first, now, note, ctx, 0);
}

void bh_config_apply_flags(const struct bh_config *c, const struct bh_object *o, struct bh_findings *fs, size_t first,
			   time_t now, bh_config_note_cb note, void *ctx, unsigned flags)
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
		int st = rule_state(c, f.rule);
		if (st >= 0 && st < BH_SEV_NONE)
			f.sev = (enum bh_sev)st;
		for (size_t k = 0; st < 0 && k < c->nsev; k++)
			if (rule_matches(c->sev_rule[k], f.rule))
				f.sev = c->sev_value[k];
		for (size_t k = 0; k < c->nexemptions && !f.suppressed; k++) {
			const struct bh_exemption *x = &c->exemptions[k];
			if (!exemption_selects(x, o, &f))
				continue;
			if (x->expires && now >= x->expires) {
				if (note && !(k < 64 && (noted_expired >> k & 1))) {
					char msg[512];
					snprintf(msg, sizeof(msg),
						 "exemption at %s:%u expired on %s and no longer applies (reason was: %s)",
						 c->file ? c->file : "config", x->line, x->expires_text, x->reason);
					note(o, msg, ctx);
					if (k < 64)
						noted_expired |= 1ull << k;
				}
				continue;
			}
			f.suppressed = true;
			f.suppress_reason = x->reason;
		}
		const char *reason = NULL;
		bool noreason = false;
		if (!f.suppressed && !(flags & BH_APPLY_NO_ANNOTATION) && annotation_ignores(o, &f, &reason, &noreason)) {
			f.suppressed = true;
			f.suppress_reason = bh_arena_strndup(fs->a, reason, strlen(reason));
		}
		if (noreason && note && !noted_noreason) {
			note(o, "annotation bulkhead.io/ignore has no reason after the rule list; it is not applied", ctx);
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
	return false;
}
