#include "cvedb.h"

#include <ctype.h>
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

int bh_cvedb_load(struct bh_cvedb *db, const char *buf, size_t len, const char *name, struct bh_err *err)
{
	memset(db, 0, sizeof(*db));
	bh_arena_init(&db->arena, 8u << 20);
	if (len > CVEDB_MAX_BYTES)
		return bh_err_set(err, -EFBIG, 0, 0, "%s: larger than %u bytes", name, CVEDB_MAX_BYTES);
	size_t cap = 64;
	db->v = bh_arena_alloc(&db->arena, cap * sizeof(*db->v));
	if (!db->v)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	struct bh_cve *cur = NULL;
	uint32_t lineno = 0;
	char line[1024];
	size_t pos = 0;
	while (pos < len) {
		size_t e = pos;
		while (e < len && buf[e] != '\n')
			e++;
		size_t ll = e - pos;
		lineno++;
		if (ll >= sizeof(line))
			return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: line too long", name, lineno);
		memcpy(line, buf + pos, ll);
		line[ll] = 0;
		pos = e + 1;
		while (ll && isspace((unsigned char)line[ll - 1]))
			line[--ll] = 0;
		if (ll == 0 || line[0] == '#') {
			if (ll == 0 && cur) {
				int rc = finish_record(cur, name, err);
				if (rc)
					return rc;
				cur = NULL;
			}
			continue;
		}
		char *val = line + strcspn(line, " \t");
		if (*val)
			*val++ = 0;
		while (*val == ' ' || *val == '\t')
			val++;
		const char *key = line;
		if (!*val)
			return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: '%s' has no value", name, lineno, key);
		if (!strcmp(key, "cve")) {
			if (cur)
				return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: records must be separated by a "
						  "blank line", name, lineno);
			if (strncmp(val, "CVE-", 4))
				return bh_err_set(err, -EINVAL, lineno, 5, "%s:%u: '%s' is not a CVE id", name,
						  lineno, val);
			if (db->n == CVEDB_MAX_RECORDS)
				return bh_err_set(err, -EFBIG, lineno, 1, "%s:%u: more than %u records", name,
						  lineno, CVEDB_MAX_RECORDS);
			if (db->n == cap) {
				struct bh_cve *nv = bh_arena_alloc(&db->arena, 2 * cap * sizeof(*nv));
				if (!nv)
					return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
				memcpy(nv, db->v, cap * sizeof(*nv));
				db->v = nv;
				cap *= 2;
			}
			cur = &db->v[db->n++];
			memset(cur, 0, sizeof(*cur));
			cur->sev = BH_SEV_NONE;
			cur->line = lineno;
			cur->id = bh_arena_strndup(&db->arena, val, strlen(val));
			continue;
		}
		if (!cur)
			return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: '%s' before any 'cve' line", name, lineno,
					  key);
		char *copy = bh_arena_strndup(&db->arena, val, strlen(val));
		if (!copy)
			return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		if (!strcmp(key, "component")) {
			if (!(cur->component = known(val, components)))
				return bh_err_set(err, -EINVAL, lineno, 11, "%s:%u: unknown component '%s'", name,
						  lineno, val);
		} else if (!strcmp(key, "name")) {
			cur->name = copy;
		} else if (!strcmp(key, "summary")) {
			cur->summary = copy;
		} else if (!strcmp(key, "distro")) {
			cur->distro = copy;
		} else if (!strcmp(key, "needs")) {
			if (check_needs(val))
				return bh_err_set(err, -EINVAL, lineno, 7, "%s:%u: unknown precondition in '%s'",
						  name, lineno, val);
			cur->needs = copy;
		} else if (!strcmp(key, "severity")) {
			int s = parse_sev(val);
			if (s < 0)
				return bh_err_set(err, -EINVAL, lineno, 10, "%s:%u: unknown severity '%s'", name,
						  lineno, val);
			cur->sev = (enum bh_sev)s;
		} else if (!strcmp(key, "introduced")) {
			const char *end;
			if (bh_ver_parse(val, &cur->introduced, &end) || *end)
				return bh_err_set(err, -EINVAL, lineno, 12, "%s:%u: bad version '%s'", name, lineno,
						  val);
			cur->has_introduced = 1;
		} else if (!strcmp(key, "fixed")) {
			for (char *tok = strtok(val, " \t"); tok; tok = strtok(NULL, " \t")) {
				const char *end;
				if (cur->nfixed == BH_CVE_MAX_FIXED)
					return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: more than %d fixed versions",
							  name, lineno, BH_CVE_MAX_FIXED);
				if (bh_ver_parse(tok, &cur->fixed[cur->nfixed], &end) || *end)
					return bh_err_set(err, -EINVAL, lineno, 7, "%s:%u: bad version '%s'", name,
							  lineno, tok);
				cur->nfixed++;
			}
		} else if (!strcmp(key, "ref")) {
			if (cur->nrefs == BH_CVE_MAX_REFS)
				return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: more than %d refs", name, lineno,
						  BH_CVE_MAX_REFS);
			cur->refs[cur->nrefs++] = copy;
		} else {
			return bh_err_set(err, -EINVAL, lineno, 1, "%s:%u: unknown key '%s'", name, lineno, key);
		}
	}
	if (cur)
		return finish_record(cur, name, err);
	return 0;
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
