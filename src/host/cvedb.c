#include "cvedb.h"
#include "pkgver.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

size_t bh_cvedata_size(void);
const char *bh_cvedata_ptr(void);

#define CVEDB_MAX_RECORDS 4096
#define CVEDB_MAX_BYTES (4u << 20)

static const char *const components[] = {"kernel", "runc", "containerd", "cri-o", "docker", "kubelet", NULL};
static const char *const tokens[] = {
	"none", "userns", "cap_sys_admin", "cap_net_admin", "cap_net_raw", "root", "cgroup_v1", "no_lsm",
	"host_net", NULL,
};

int bh_cve_token_known(const char *token, size_t len)
{
	for (const char *const *t = tokens; *t; t++)
		if (strlen(*t) == len && !strncmp(*t, token, len))
			return 1;
	return 0;
}

static const char *known(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return *list;
	return NULL;
}

void bh_cvedb_release(struct bh_cvedb *db)
{
	if (!db)
		return;
	bh_arena_release(&db->arena);
	db->v = NULL;
	db->n = 0;
}

static int check_needs(const char *s)
{
	while (*s) {
		size_t n = strcspn(s, " |");
		if (!n || !bh_cve_token_known(s, n))
			return -1;
		s += n;
		if (*s)
			s++;
	}
	return 0;
}

static int finish_record(struct bh_cve *c, const char *name, struct bh_err *err)
{
	if (!c->component)
		return bh_err_set(err, -EINVAL, c->line, 1, "%s: %s has no component", name, c->id);
	if (!c->nfixed)
		return bh_err_set(err, -EINVAL, c->line, 1, "%s: %s has no fixed versions", name, c->id);
	if (!c->needs)
		return bh_err_set(err, -EINVAL, c->line, 1, "%s: %s has no needs line (use 'needs none')",
				  name, c->id);
	if (c->sev == BH_SEV_NONE)
		return bh_err_set(err, -EINVAL, c->line, 1, "%s: %s has no severity", name, c->id);
	if (!c->nrefs)
		return bh_err_set(err, -EINVAL, c->line, 1, "%s: %s cites no reference", name, c->id);
	return 0;
}

static int parse_sev(const char *s)
{
	static const char *const names[] = {"info", "low", "medium", "high", "critical"};
	for (int i = 0; i < 5; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

struct loader {
	struct bh_cvedb *db;
	const char *name;
	struct bh_err *err;
	struct bh_cve *cur;
	size_t cap;
	uint32_t lineno;
};

static int new_record(struct loader *L, const char *val)
{
	struct bh_cvedb *db = L->db;
	if (L->cur)
		return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: records must be separated by a blank line",
				  L->name, L->lineno);
	if (strncmp(val, "CVE-", 4))
		return bh_err_set(L->err, -EINVAL, L->lineno, 5, "%s:%u: '%s' is not a CVE id", L->name, L->lineno,
				  val);
	if (db->n == CVEDB_MAX_RECORDS)
		return bh_err_set(L->err, -EFBIG, L->lineno, 1, "%s:%u: more than %u records", L->name, L->lineno,
				  CVEDB_MAX_RECORDS);
	if (db->n == L->cap) {
		struct bh_cve *nv = bh_arena_alloc(&db->arena, 2 * L->cap * sizeof(*nv));
		if (!nv)
			return bh_err_set(L->err, -ENOMEM, 0, 0, "out of memory");
		memcpy(nv, db->v, L->cap * sizeof(*nv));
		db->v = nv;
		L->cap *= 2;
	}
	L->cur = &db->v[db->n++];
	memset(L->cur, 0, sizeof(*L->cur));
	L->cur->sev = BH_SEV_NONE;
	L->cur->line = L->lineno;
	L->cur->id = bh_arena_strndup(&db->arena, val, strlen(val));
	return L->cur->id ? 0 : bh_err_set(L->err, -ENOMEM, 0, 0, "out of memory");
}

static int bad_value(struct loader *L, int col, const char *what, const char *val)
{
	return bh_err_set(L->err, -EINVAL, L->lineno, col, "%s:%u: %s '%s'", L->name, L->lineno, what, val);
}

static int set_fixed(struct loader *L, char *val)
{
	struct bh_cve *c = L->cur;
	for (char *tok = strtok(val, " \t"); tok; tok = strtok(NULL, " \t")) {
		const char *end;
		if (c->nfixed == BH_CVE_MAX_FIXED)
			return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: more than %d fixed versions", L->name,
					  L->lineno, BH_CVE_MAX_FIXED);
		if (bh_ver_parse(tok, &c->fixed[c->nfixed], &end) || *end)
			return bad_value(L, 7, "bad version", tok);
		c->nfixed++;
	}
	return 0;
}

/* "distfix DISTRO RELEASE PACKAGE VERSION REF" */
static int set_distfix(struct loader *L, char *val)
{
	static const char *const distros[] = {"debian", "ubuntu", "rhel", NULL};
	struct bh_cve *c = L->cur;
	char *f[5];
	int n = 0;
	for (char *tok = strtok(val, " \t"); tok; tok = strtok(NULL, " \t"))
		if (n < 6)
			f[n < 5 ? n : 4] = tok, n++;
	if (n != 5)
		return bh_err_set(L->err, -EINVAL, L->lineno, 9, "%s:%u: distfix needs DISTRO RELEASE PACKAGE VERSION "
				  "REF", L->name, L->lineno);
	if (!known(f[0], distros))
		return bad_value(L, 9, "unknown distribution", f[0]);
	if (strncmp(f[4], "https://", 8))
		return bad_value(L, 9, "distfix reference is not an https URL:", f[4]);
	if (c->ndistfix == BH_CVE_MAX_DISTFIX)
		return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: more than %d distfix lines", L->name,
				  L->lineno, BH_CVE_MAX_DISTFIX);
	struct bh_cve_distfix *d = &c->distfix[c->ndistfix];
	const char **dst[5] = {&d->distro, &d->release, &d->package, &d->version, &d->ref};
	for (int i = 0; i < 5; i++)
		if (!(*dst[i] = bh_arena_strndup(&L->db->arena, f[i], strlen(f[i]))))
			return bh_err_set(L->err, -ENOMEM, 0, 0, "out of memory");
	c->ndistfix++;
	return 0;
}

static int set_field(struct loader *L, const char *key, char *val, char *copy)
{
	struct bh_cve *c = L->cur;
	if (!strcmp(key, "component")) {
		if (!(c->component = known(val, components)))
			return bad_value(L, 11, "unknown component", val);
	} else if (!strcmp(key, "name")) {
		c->name = copy;
	} else if (!strcmp(key, "summary")) {
		c->summary = copy;
	} else if (!strcmp(key, "distro")) {
		c->distro = copy;
	} else if (!strcmp(key, "needs")) {
		if (check_needs(val))
			return bad_value(L, 7, "unknown precondition in", val);
		c->needs = copy;
	} else if (!strcmp(key, "severity")) {
		int s = parse_sev(val);
		if (s < 0)
			return bad_value(L, 10, "unknown severity", val);
		c->sev = (enum bh_sev)s;
	} else if (!strcmp(key, "introduced")) {
		const char *end;
		if (bh_ver_parse(val, &c->introduced, &end) || *end)
			return bad_value(L, 12, "bad version", val);
		c->has_introduced = 1;
	} else if (!strcmp(key, "fixed")) {
		return set_fixed(L, val);
	} else if (!strcmp(key, "distfix")) {
		return set_distfix(L, val);
	} else if (!strcmp(key, "ref")) {
		if (c->nrefs == BH_CVE_MAX_REFS)
			return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: more than %d refs", L->name, L->lineno,
					  BH_CVE_MAX_REFS);
		c->refs[c->nrefs++] = copy;
	} else {
		return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: unknown key '%s'", L->name, L->lineno, key);
	}
	return 0;
}

/* One non-blank, non-comment line "KEY VALUE…" (line is modified). */
static int load_line(struct loader *L, char *line)
{
	char *val = line + strcspn(line, " \t");
	if (*val)
		*val++ = 0;
	while (*val == ' ' || *val == '\t')
		val++;
	const char *key = line;
	if (!*val)
		return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: '%s' has no value", L->name, L->lineno, key);
	if (!strcmp(key, "cve"))
		return new_record(L, val);
	if (!L->cur)
		return bh_err_set(L->err, -EINVAL, L->lineno, 1, "%s:%u: '%s' before any 'cve' line", L->name,
				  L->lineno, key);
	char *copy = bh_arena_strndup(&L->db->arena, val, strlen(val));
	if (!copy)
		return bh_err_set(L->err, -ENOMEM, 0, 0, "out of memory");
	return set_field(L, key, val, copy);
}

int bh_cvedb_load(struct bh_cvedb *db, const char *buf, size_t len, const char *name, struct bh_err *err)
{
	memset(db, 0, sizeof(*db));
	bh_arena_init(&db->arena, 8u << 20);
	if (len > CVEDB_MAX_BYTES)
		return bh_err_set(err, -EFBIG, 0, 0, "%s: larger than %u bytes", name, CVEDB_MAX_BYTES);
	struct loader L = {.db = db, .name = name, .err = err, .cap = 64};
	db->v = bh_arena_alloc(&db->arena, L.cap * sizeof(*db->v));
	if (!db->v)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	char line[1024];
	for (size_t pos = 0; pos < len;) {
		size_t e = pos;
		while (e < len && buf[e] != '\n')
			e++;
		size_t ll = e - pos;
		L.lineno++;
		if (ll >= sizeof(line))
			return bh_err_set(err, -EINVAL, L.lineno, 1, "%s:%u: line too long", name, L.lineno);
		memcpy(line, buf + pos, ll);
		line[ll] = 0;
		pos = e + 1;
		while (ll && isspace((unsigned char)line[ll - 1]))
			line[--ll] = 0;
		int rc = 0;
		if (ll == 0 && L.cur) {
			rc = finish_record(L.cur, name, err);
			L.cur = NULL;
		} else if (ll && line[0] != '#') {
			rc = load_line(&L, line);
		}
		if (rc)
			return rc;
	}
	return L.cur ? finish_record(L.cur, name, err) : 0;
}

static bool release_matches(const char *want, const char *have)
{
	size_t n = strlen(want);
	return have && !strncmp(want, have, n) && (have[n] == 0 || have[n] == '.');
}

/* "5.10.92-2", "1:5.10.92-2", "4.18.0-348.20.1.el8_5": the X.Y branch after the epoch */
static bool same_branch(const char *a, const char *b)
{
	const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
	struct bh_ver va, vb;
	if (bh_ver_parse(ca ? ca + 1 : a, &va, NULL) || bh_ver_parse(cb ? cb + 1 : b, &vb, NULL))
		return false;
	return bh_ver_same_branch(&va, &vb);
}

enum bh_distfix_verdict bh_cve_distfix(const struct bh_cve *c, const char *distro, const char *release,
				       const char *package, const char *installed, const struct bh_cve_distfix **which)
{
	if (which)
		*which = NULL;
	if (!distro || !installed || !*installed)
		return BH_DISTFIX_UNKNOWN;
	bool kernel = !strcmp(c->component, "kernel");
	for (unsigned i = 0; i < c->ndistfix; i++) {
		const struct bh_cve_distfix *d = &c->distfix[i];
		if (strcmp(d->distro, distro) || !release_matches(d->release, release))
			continue;
		if (package && !kernel && strcmp(d->package, package))
			continue;
		if (!strcmp(d->version, "not-affected")) {
			if (which)
				*which = d;
			return BH_DISTFIX_NOT_AFFECTED;
		}
		if (kernel && !same_branch(d->version, installed))
			continue;
		if (which)
			*which = d;
		return bh_pkg_vercmp(distro, installed, d->version) < 0 ? BH_DISTFIX_AFFECTED : BH_DISTFIX_FIXED;
	}
	return BH_DISTFIX_UNKNOWN;
}

int bh_cvedb_load_builtin(struct bh_cvedb *db, struct bh_err *err)
{
	return bh_cvedb_load(db, bh_cvedata_ptr(), bh_cvedata_size(), "data/escape-cves.txt (built in)", err);
}

/* Is v (an exact upstream level) below the fix? Fixed list semantics are described in the data file. */
static int version_affected(const struct bh_cve *c, const struct bh_ver *v, int with_abi)
{
	int (*cmp)(const struct bh_ver *, const struct bh_ver *) = with_abi ? bh_ver_cmp_abi : bh_ver_cmp;
	if (c->has_introduced && cmp(v, &c->introduced) < 0)
		return 0;
	const struct bh_ver *max = &c->fixed[0];
	for (unsigned i = 0; i < c->nfixed; i++) {
		if (cmp(&c->fixed[i], max) > 0)
			max = &c->fixed[i];
		if (bh_ver_same_branch(&c->fixed[i], v) && !c->fixed[i].pre)
			return cmp(v, &c->fixed[i]) < 0;
	}
	return cmp(v, max) < 0;
}

enum bh_cve_match bh_cve_match_version(const struct bh_cve *c, const struct bh_ver *v)
{
	return version_affected(c, v, 0) ? BH_CVE_AFFECTED : BH_CVE_NOT_AFFECTED;
}

/* Could any release of v's X.Y branch be affected? (The release string does not tell the stable level.) */
static int branch_affected(const struct bh_cve *c, const struct bh_ver *v)
{
	struct bh_ver first = {{v->n[0], v->n[1], 0}, 0, 0}, last = {{v->n[0], v->n[1], 0xffffff}, 0, 0};
	if (c->has_introduced && bh_ver_cmp(&last, &c->introduced) < 0)
		return 0;
	/* introduced inside the branch counts too: the first release is then unaffected but later ones are */
	return version_affected(c, &first, 0) || (c->has_introduced && version_affected(c, &c->introduced, 0) &&
						   bh_ver_same_branch(&c->introduced, v));
}

enum bh_cve_match bh_cve_match_kernel(const struct bh_cve *c, const struct bh_kernel *k)
{
	if (strcmp(c->component, "kernel"))
		return BH_CVE_NOT_AFFECTED;
	if (c->distro) {
		if (strcmp(c->distro, bh_distro_name(k->distro)))
			return BH_CVE_NOT_AFFECTED;
		/* distribution-specific fixed versions are spelled like the release ("6.2.0-26") */
		for (unsigned i = 0; i < c->nfixed; i++)
			if (bh_ver_same_branch(&c->fixed[i], &k->rel))
				return bh_ver_cmp_abi(&k->rel, &c->fixed[i]) < 0 ? BH_CVE_AFFECTED
										: BH_CVE_NOT_AFFECTED;
		return version_affected(c, &k->rel, 1) ? BH_CVE_MAYBE : BH_CVE_NOT_AFFECTED;
	}
	if (!k->exact)
		return branch_affected(c, &k->ver) ? BH_CVE_MAYBE : BH_CVE_NOT_AFFECTED;
	if (!version_affected(c, &k->ver, 0))
		return BH_CVE_NOT_AFFECTED;
	return k->backports ? BH_CVE_MAYBE : BH_CVE_AFFECTED;
}

static int term_eval(const char *s, size_t n, bh_cve_probe_fn probe, void *ctx, char *why, size_t whylen)
{
	int best = 0;
	while (n) {
		size_t a = 0;
		while (a < n && s[a] != '|')
			a++;
		char tok[32];
		snprintf(tok, sizeof(tok), "%.*s", (int)a, s);
		int r = strcmp(tok, "none") ? probe(tok, ctx) : 1;
		if (why && strcmp(tok, "none")) {
			size_t used = strlen(why);
			if (used < whylen)
				snprintf(why + used, whylen - used, "%s%s=%s", used ? " " : "", tok,
					 r > 0 ? "yes" : r == 0 ? "no" : "unknown");
		}
		if (r > 0)
			best = 1;
		else if (r < 0 && best == 0)
			best = -1;
		s += a;
		n -= a;
		if (n) {
			s++;
			n--;
		}
	}
	return best;
}

int bh_cve_needs_eval(const struct bh_cve *c, bh_cve_probe_fn probe, void *ctx, char *why, size_t whylen)
{
	if (why && whylen)
		why[0] = 0;
	int all = 1;
	const char *s = c->needs ? c->needs : "none";
	while (*s) {
		size_t n = strcspn(s, " ");
		int r = term_eval(s, n, probe, ctx, why, whylen);
		if (r == 0)
			all = 0;
		else if (r < 0 && all == 1)
			all = -1;
		s += n;
		while (*s == ' ')
			s++;
	}
	return all;
}
