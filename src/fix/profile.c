/* bulkhead fix --profile FILE: least privilege from evidence. FILE is the JSON summary of
 * `bulkhead watch --profile TARGET --format json` (docs/schema/watch-profile.schema.json); the recorded
 * container gets
 *   securityContext.seccompProfile: {type: Localhost, localhostProfile: <the profile's name>}
 *   securityContext.capabilities: {drop: [ALL], add: [<the capabilities it used>]}
 * through the same minimal edits as every other fix. Capabilities the manifest adds but the recording never
 * saw used are listed as not fixed (removing a sequence item is left to a person: the workload may need it
 * on a path the recording did not exercise). */
#include <errno.h>
#include <string.h>

#include "decode/json.h"
#include "fix.h"
#include "objects/objects.h"

static const struct bh_node *get(const struct bh_node *map, const char *key, int type)
{
	const struct bh_node *v = map && map->type == BH_MAP ? bh_map_get(map, key, BH_READ_LAST, NULL, NULL) : NULL;
	return v && v->type == type ? v : NULL;
}

/* Values are written into YAML as plain scalars: only characters that need no quoting. */
static bool plain_safe(const char *s, size_t n, bool path)
{
	if (!n || n > 255 || (path && (s[0] == '/' || strstr(s, ".."))))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
			  (path && ((c >= 'a' && c <= 'z') || c == '.' || c == '-' || c == '/'));
		if (!ok)
			return false;
	}
	return true;
}

static int load_caps(struct bh_fix_profile *p, struct bh_arena *a, const struct bh_node *add, struct bh_err *err)
{
	for (uint32_t i = 0; i < add->n; i++) {
		const struct bh_node *c = add->items[i];
		const char *s = c->type == BH_SCALAR ? c->s : "";
		size_t n = c->type == BH_SCALAR ? c->len : 0;
		if (n > 4 && !strncmp(s, "CAP_", 4))
			s += 4, n -= 4;
		if (!plain_safe(s, n, false) || n > 32)
			return bh_err_set(err, -EINVAL, c->line, c->col, "capabilities.add: not a capability name");
		if (p->ncaps >= BH_FIX_PROFILE_CAPS)
			return bh_err_set(err, -E2BIG, c->line, c->col, "capabilities.add: more than %d entries",
					  BH_FIX_PROFILE_CAPS);
		if (!(p->caps[p->ncaps++] = bh_arena_strndup(a, s, n)))
			return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	return 0;
}

int bh_fix_profile_load(struct bh_fix_profile *p, struct bh_arena *a, const char *file, const char *buf,
			size_t len, struct bh_err *err)
{
	struct bh_json_reader r;
	struct bh_doc doc;
	const char *c = p->container;
	memset(p, 0, sizeof(*p));
	p->container = c;
	bh_json_init(&r, file, buf, len, &bh_default_limits);
	int rc = bh_json_next(&r, a, &doc, err);
	if (rc < 0)
		return rc;
	if (rc == 0 || !doc.root)
		return bh_err_set(err, -EINVAL, 1, 1, "empty input: expected the JSON of watch --profile --format json");
	const struct bh_node *prof = get(doc.root, "profile", BH_MAP);
	const struct bh_node *sec = get(prof, "seccomp", BH_MAP), *caps = get(prof, "capabilities", BH_MAP);
	const struct bh_node *name = get(sec, "localhostProfile", BH_SCALAR), *add = get(caps, "add", BH_SEQ);
	if (!prof)
		return bh_err_set(err, -EINVAL, doc.root->line, doc.root->col,
				  get(doc.root, "defaultAction", BH_SCALAR)
					  ? "this is the seccomp profile itself; give the summary of watch --profile "
					    "--format json (it names the profile and the capabilities)"
					  : "expected an object with \"profile\" (watch --profile --format json)");
	if (!sec || !name || name->style != BH_STYLE_JSON_STRING || !caps || !add)
		return bh_err_set(err, -EINVAL, prof->line, prof->col,
				  "profile needs seccomp.localhostProfile (a string: run watch --profile with "
				  "--profile-out or --profile-name) and capabilities.add (a list)");
	if (!plain_safe(name->s, name->len, true))
		return bh_err_set(err, -EINVAL, name->line, name->col,
				  "localhostProfile must be a relative path of letters, digits, '.', '_', '-' and '/' "
				  "without '..' (the kubelet resolves it under its seccomp directory)");
	p->localhost = bh_arena_strndup(a, name->s, name->len);
	return p->localhost ? load_caps(p, a, add, err) : bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
}

static bool cap_in(const struct bh_strlist *l, const char *cap)
{
	for (uint32_t i = 0; i < l->len; i++) {
		const char *s = l->v[i].r == BH_OK ? l->v[i].s : "";
		if (!strncmp(s, "CAP_", 4))
			s += 4;
		if (!strcmp(s, cap))
			return true;
	}
	return false;
}

static bool recorded(const struct bh_fix_profile *pr, const char *cap)
{
	if (!strncmp(cap, "CAP_", 4))
		cap += 4;
	for (uint32_t i = 0; i < pr->ncaps; i++)
		if (!strcmp(pr->caps[i], cap))
			return true;
	return false;
}

static int profile_caps(struct fx_ctx *x, const struct bh_container *c, const struct bh_fix_profile *pr)
{
	const struct bh_secctx *sc = &c->sc;
	int rc = 0;
	if (!cap_in(&sc->cap_drop, "ALL")) {
		struct fx_pend *n = fx_pend_at(x, c, "securityContext.capabilities.drop");
		if (!n)
			return -ENOMEM;
		if (!n->nitems) { /* the restricted plan may have asked for it already */
			if (!(n->items = bh_arena_alloc(&x->r->a, sizeof(char *))))
				return -ENOMEM;
			n->items[0] = "ALL", n->nitems = 1, n->rule = "BH0029";
		}
	}
	const char **add = bh_arena_alloc(&x->r->a, sizeof(char *) * (pr->ncaps + 1));
	uint32_t nadd = 0;
	if (!add)
		return -ENOMEM;
	for (uint32_t i = 0; i < pr->ncaps; i++)
		if (!cap_in(&sc->cap_add, pr->caps[i]))
			add[nadd++] = pr->caps[i];
	if (nadd) {
		struct fx_pend *n = fx_pend_at(x, c, "securityContext.capabilities.add");
		if (!n)
			return -ENOMEM;
		n->items = add, n->nitems = nadd, n->rule = "BH0029";
	}
	for (uint32_t i = 0; i < sc->cap_add.len && !rc; i++) {
		const struct bh_fstr *s = &sc->cap_add.v[i];
		if (s->r == BH_OK && !recorded(pr, s->s))
			rc = fx_refuse(x, c, "securityContext.capabilities.add", "BH0029", s->n,
				       bh_arena_printf(&x->r->a, "capability %s is added but the recording never saw it "
								 "used: remove it by hand if the recording covered the "
								 "workload", s->s));
	}
	return rc;
}

/* BH_STREQ is for literals (sizeof); this one for strings */
static bool fstr_is(const struct bh_fstr *f, const char *s)
{
	return f->r == BH_OK && f->len == strlen(s) && !memcmp(f->s, s, f->len);
}

static uint32_t regular_containers(const struct bh_pod *p)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < p->nc; i++)
		n += p->c[i].list == BH_CL_REGULAR;
	return n;
}

int fx_plan_profile(struct fx_ctx *x, const struct bh_container *c)
{
	const struct bh_fix_profile *pr = x->o->profile;
	if (pr->container && !fstr_is(&c->name, pr->container))
		return 0;
	if (!pr->container && regular_containers(x->p) > 1)
		return fx_refuse(x, c, "securityContext.seccompProfile", "BH0022", NULL,
				 "the pod has several containers: name the one the profile was recorded from with "
				 "--profile-container NAME");
	const struct bh_secctx *sc = &c->sc;
	int rc = 0;
	if (!BH_STREQ(sc->seccomp_type, "Localhost"))
		rc = fx_want(x, c, "securityContext.seccompProfile.type", "Localhost", "BH0022");
	if (!rc && !fstr_is(&sc->seccomp_localhost, pr->localhost))
		rc = fx_want(x, c, "securityContext.seccompProfile.localhostProfile", pr->localhost, "BH0022");
	return rc ? rc : profile_caps(x, c, pr);
}
