#include "pss_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

int bh_pss_scan_parse(struct bh_pss_scan *s, const char *arg)
{
	s->off = false;
	s->minor = BH_PSS_LATEST;
	if (!strcmp(arg, "none")) {
		s->off = true;
		return 0;
	}
	char lvl[32];
	const char *colon = strchr(arg, ':');
	size_t l = colon ? (size_t)(colon - arg) : strlen(arg);
	if (l >= sizeof(lvl))
		return -EINVAL;
	memcpy(lvl, arg, l);
	lvl[l] = 0;
	int level = bh_pss_level_parse(lvl);
	if (level < 0)
		return -EINVAL;
	s->level = (enum bh_pss_level)level;
	if (colon && bh_pss_version_parse(colon + 1, &s->minor) < 0)
		return -EINVAL;
	return 0;
}

static const struct bh_pss_ns *ns_find(const struct bh_pss_scan *s, const char *name)
{
	for (size_t i = 0; name && i < s->nns; i++)
		if (!strcmp(s->ns[i].name, name))
			return &s->ns[i];
	return NULL;
}

struct nsctx {
	struct bh_pss_scan *s;
	struct bh_engine *e;
};

static const char *label(const struct bh_node *labels, const char *key)
{
	const char *v;
	size_t len;
	if (bh_as_str(bh_map_get(labels, key, BH_READ_LAST, NULL, NULL), &v, &len) != BH_OK)
		return NULL;
	return v;
}

static int ns_cb(const struct bh_object *o, void *ctx)
{
	struct nsctx *x = ctx;
	if (!o->ref.kind || strcmp(o->ref.kind, "Namespace") || !o->ref.name)
		return 0;
	const struct bh_node *labels = bh_map_get(o->metadata, "labels", BH_READ_LAST, NULL, NULL);
	const char *lv = label(labels, "pod-security.kubernetes.io/enforce");
	if (!lv)
		return 0;
	const char *ver = label(labels, "pod-security.kubernetes.io/enforce-version");
	const char *file = o->doc->file;
	/* api/helpers.go PolicyToEvaluate: an invalid level or version is evaluated as restricted:latest
	 * (fail closed); a missing version means latest */
	int level = bh_pss_level_parse(lv), minor = BH_PSS_LATEST;
	bool bad = level < 0 || (ver && bh_pss_version_parse(ver, &minor) < 0);
	if (bad) {
		level = BH_PSS_RESTRICTED;
		minor = BH_PSS_LATEST;
	}
	struct bh_pss_scan *s = x->s;
	if (ns_find(s, o->ref.name))
		return 0;
	if (s->nns == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 8;
		struct bh_pss_ns *nv = realloc(s->ns, nc * sizeof(*nv));
		if (!nv)
			return 0;
		s->ns = nv;
		s->cap = nc;
	}
	char *name = strdup(o->ref.name);
	if (!name)
		return 0;
	s->ns[s->nns++] = (struct bh_pss_ns){name, (enum bh_pss_level)level, minor};
	char v[16];
	snprintf(v, sizeof(v), minor == BH_PSS_LATEST ? "latest" : "v1.%d", minor);
	if (bad)
		bh_engine_warning(x->e, file, o->ref.line, o->ref.col,
				  "Namespace %s: invalid pod-security.kubernetes.io/enforce%s label; Pod Security "
				  "Admission then enforces restricted:latest, and so does this scan for its objects",
				  o->ref.name, level < 0 ? "" : "-version");
	else
		bh_engine_warning(x->e, file, o->ref.line, o->ref.col,
				  "Namespace %s enforces Pod Security %s:%s; objects of this namespace are checked at "
				  "that level and version instead of --pss",
				  o->ref.name, bh_pss_level_name((enum bh_pss_level)level), v);
	return 0;
}

void bh_pss_scan_namespaces(struct bh_pss_scan *s, struct bh_engine *e, const char *file, const char *buf, size_t len)
{
	static const char key[] = "pod-security.kubernetes.io/enforce";
	/* JSON may escape characters of the key; "\u" anywhere means we decode to be sure */
	if (!memmem(buf, len, key, sizeof(key) - 1) && !memmem(buf, len, "\\u", 2))
		return;
	struct bh_arena a;
	bh_arena_init(&a, 0);
	struct bh_decoder *d = bh_decoder_new(file, buf, len, e->lim);
	struct nsctx x = {s, e};
	for (int guard = 0; d && guard < 1000000; guard++) {
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_reset(&a);
		int rc = bh_decoder_next(d, &a, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0)
			continue; /* the main pass reports it */
		bh_objects_each(&doc, &a, ns_cb, &x);
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
}

/* The escape rule's field and the PSS site name the same field (one may be more precise:
 * "…volumes[0].hostPath" vs "…volumes[0].hostPath.path"). */
static bool same_field(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > lb) {
		const char *t = a;
		a = b;
		b = t;
		size_t tl = la;
		la = lb;
		lb = tl;
	}
	return !strncmp(a, b, la) && (b[la] == 0 || b[la] == '.' || b[la] == '[');
}

static bool covered(const struct bh_engine *e, const char *check, const char *field)
{
	for (size_t i = e->obj_first; i < e->findings.n; i++) {
		const struct bh_finding *f = &e->findings.v[i];
		if (f->rule && f->rule->pss_check && f->field && !strcmp(f->rule->pss_check, check) &&
		    !(f->rule->id[2] == '0' && f->rule->id[3] == '1') && same_field(f->field, field))
			return true;
	}
	return false;
}

void bh_pss_scan_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	struct bh_pss_scan *s = ctx;
	if (s->off)
		return;
	enum bh_pss_level level = s->level;
	int minor = s->minor;
	const struct bh_pss_ns *ns = ns_find(s, p->obj->ref.namespace);
	if (ns) {
		level = ns->level;
		minor = ns->minor;
	}
	if (level == BH_PSS_PRIVILEGED)
		return;
	struct bh_pss_result res;
	if (bh_pss_eval(p, level, minor, &e->doc, &res) < 0)
		bh_engine_error(e, p->obj->doc->file, p->obj->ref.line, p->obj->ref.col, "out of memory evaluating PSS");
	char ver[16];
	snprintf(ver, sizeof(ver), minor == BH_PSS_LATEST ? "latest" : "v1.%d", minor);
	for (uint32_t i = 0; i < res.n; i++) {
		const struct bh_pss_violation *v = &res.v[i];
		const struct bh_rule *row = bh_rule_find(v->check->rule_id);
		for (uint32_t k = 0; row && k < v->nsites; k++) {
			const struct bh_pss_site *st = &v->sites[k];
			if (covered(e, v->check->id, st->field))
				continue;
			bh_emit(&e->findings, row, row->sev, st->container, st->field, st->at ? st->at->line : 0,
				st->at ? st->at->col : 0, "violates PodSecurity \"%s:%s\": %s (%s)", bh_pss_level_name(level),
				ver, v->reason, v->detail);
		}
	}
}

void bh_pss_scan_release(struct bh_pss_scan *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nns; i++)
		free(s->ns[i].name);
	free(s->ns);
	s->ns = NULL;
	s->nns = s->cap = 0;
}
