/* Finding rules by id or name, running the manifest rules over a pod view, and the helpers rule functions
 * share. The rows themselves are in registry.def (manifest.def for these rules). */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "escape.h"

static const struct bh_rule *find(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(bh_rules[i].id, s) || !strcmp(bh_rules[i].name, s))
			return &bh_rules[i];
	return NULL;
}

const struct bh_rule *bh_rule_find(const char *s)
{
	return find(s, bh_nrules);
}

const struct bh_rule *bh_rule_find_any(const char *s)
{
	return find(s, BH_RULES_COUNT);
}

void bh_rules_eval(const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	for (size_t i = BH_RULES_MANIFEST_FIRST; i < BH_RULES_PSS_FIRST; i++)
		if (bh_rules[i].check && !(cx->rule_off && cx->rule_off(cx->arg, &bh_rules[i])))
			bh_rules[i].check(&bh_rules[i], cx, out);
}

const char *bh_cap_norm(const char *s, size_t len, char *buf, size_t size)
{
	if (len >= 4 && !strncasecmp(s, "CAP_", 4)) {
		s += 4;
		len -= 4;
	}
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < size; i++) {
		char c = s[i];
		buf[k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	buf[k] = 0;
	return buf;
}

const char *bh_path_norm(const char *s, size_t len, char *buf, size_t size)
{
	/* segments are pushed onto buf; ".." pops one (it cannot climb above "/") */
	size_t k = 0;
	buf[0] = 0;
	size_t i = 0;
	bool abs = len && s[0] == '/';
	while (i < len) {
		while (i < len && s[i] == '/')
			i++;
		size_t st = i;
		while (i < len && s[i] != '/')
			i++;
		size_t l = i - st;
		if (l == 0 || (l == 1 && s[st] == '.'))
			continue;
		if (l == 2 && s[st] == '.' && s[st + 1] == '.') {
			while (k > 0 && buf[k - 1] != '/')
				k--;
			if (k > 0)
				k--;
			buf[k] = 0;
			continue;
		}
		if (k + l + 2 >= size)
			break;
		if (k > 0 || abs)
			buf[k++] = '/';
		memcpy(buf + k, s + st, l);
		k += l;
		buf[k] = 0;
	}
	if (k == 0 && abs) {
		buf[0] = '/';
		buf[1] = 0;
	}
	return buf;
}

struct bh_finding *bh_vemit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				  const struct bh_pod *p, const struct bh_container *c, bool pod_field, const char *suffix,
				  const struct bh_node *at, const char *fmt, va_list ap)
{
	char msg[1024];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char field[512];
	snprintf(field, sizeof(field), "%s.%s", (c && !pod_field) ? c->path : p->spec_path, suffix);
	const struct bh_node *loc = at ? at : (c ? c->n : p->spec);
	return bh_emit(out, r, sev, c ? c->name.s : NULL, field, loc ? loc->line : 0, loc ? loc->col : 0, "%s", msg);
}

struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	struct bh_finding *f = bh_vemit_field(out, r, sev, p, c, false, suffix, at, fmt, ap);
	va_end(ap);
	return f;
}
