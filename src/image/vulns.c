/* Trivy and Grype JSON reports → a database of images and their vulnerabilities, and the engine hook that
 * turns "this image has CVEs" and "this workload runs it with an escape avenue" into one finding.
 *
 * Formats (field names as the tools' own types define them):
 * - Trivy `--format json`, SchemaVersion 2: pkg/types/report.go in aquasecurity/trivy (Report: SchemaVersion,
 *   ArtifactName, ArtifactType "container_image", Metadata {ImageID, RepoTags, RepoDigests}, Results[]
 *   {Target, Class, Type, Vulnerabilities[]}) and pkg/types/vulnerability.go (DetectedVulnerability:
 *   VulnerabilityID, PkgName, InstalledVersion, FixedVersion, Severity CRITICAL|HIGH|MEDIUM|LOW|UNKNOWN).
 *   https://trivy.dev/latest/docs/configuration/reporting/ shows the JSON.
 * - Grype `-o json`: grype/presenter/models/document.go in anchore/grype (Document {matches, source,
 *   distro, descriptor}), match.go (Match {vulnerability, relatedVulnerabilities, matchDetails, artifact}),
 *   vulnerability.go (id, severity Critical|High|Medium|Low|Negligible|Unknown, fix {versions, state}),
 *   package.go (artifact name, version, type) and source.go (source {type "image", target: image metadata
 *   userInput, imageID, manifestDigest, tags, repoDigests}).
 * Trivy's Metadata.ImageID and Grype's imageID are the config digest, which no workload names: they are not
 * matched. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "decode/json.h"
#include "rules/rules.h"
#include "util/file.h"
#include "vulns.h"

enum {
#define BH_RULE(id, sym, ...) VR_##sym = BH_RULE_##id,
#include "rules/image.def"
#undef BH_RULE
};

const struct bh_vulns_limits bh_vulns_default_limits = {
	.max_bytes = 256u << 20,
	.max_depth = 64,
	.max_images = 4096,
	.max_vulns = 4u * 1000 * 1000,
	.max_refs = 256,
	.max_str = 4096,
	.max_evidence = 200,
	.max_memory = (size_t)2 << 30,
};

void bh_vulns_init(struct bh_vulndb *db, const struct bh_vulns_limits *lim)
{
	memset(db, 0, sizeof(*db));
	db->lim = lim ? *lim : bh_vulns_default_limits;
	bh_arena_init(&db->a, db->lim.max_memory);
}

void bh_vulns_release(struct bh_vulndb *db)
{
	for (uint32_t i = 0; i < db->n; i++) {
		free(db->img[i].refs);
		free(db->img[i].digests);
		free(db->img[i].v);
	}
	free(db->img);
	for (uint32_t i = 0; i < db->ng; i++)
		free(db->g[i].v);
	free(db->g);
	free(db->keys);
	bh_arena_release(&db->a);
	memset(db, 0, sizeof(*db));
}

/* ---- reading a report ---- */

struct rd {
	struct bh_vulndb *db;
	struct bh_vimage *im;    /* the image being read (db->img[db->n], not yet counted) */
	struct bh_err *err;
	const char *file;
	uint32_t vcap, rcap, dcap;
};

static int bad(struct rd *r, const struct bh_node *n, const char *what, const char *expected)
{
	return bh_err_set(r->err, -EINVAL, n ? n->line : 0, n ? n->col : 0, "%s: expected %s", what, expected), -1;
}

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return m && m->type == BH_MAP ? bh_map_get(m, k, BH_READ_LAST, NULL, NULL) : NULL;
}

/* a string field (absent or null: *out = ""), copied (cut at max_str) into the db arena */
static int str(struct rd *r, const struct bh_node *m, const char *k, const char *what, const char **out)
{
	const struct bh_node *n = get(m, k);
	const char *s = "";
	size_t len = 0;
	*out = "";
	if (!n || bh_is_null(n))
		return 0;
	if (n->type != BH_SCALAR || n->style != BH_STYLE_JSON_STRING)
		return bad(r, n, what, "a string");
	s = n->s, len = n->len;
	if (len > r->db->lim.max_str)
		len = r->db->lim.max_str;
	if (!len)
		return 0;
	if (!(*out = bh_arena_strndup(&r->db->a, s, len)))
		return bh_err_set(r->err, -ENOMEM, n->line, n->col, "out of memory (the database's limit)"), -1;
	return 0;
}

/* an array field: NULL when absent or null, else the node; -1 (into *rc) when it is something else */
static const struct bh_node *arr(struct rd *r, const struct bh_node *m, const char *k, const char *what, int *rc)
{
	const struct bh_node *n = get(m, k);
	*rc = 0;
	if (!n || bh_is_null(n))
		return NULL;
	if (n->type != BH_SEQ)
		*rc = bad(r, n, what, "an array");
	return n->type == BH_SEQ ? n : NULL;
}

static int grow(struct rd *r, void **v, uint32_t n, uint32_t *cap, size_t size)
{
	if (n < *cap)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, (size_t)nc * size);
	if (!nv)
		return bh_err_set(r->err, -ENOMEM, 0, 0, "out of memory"), -1;
	*v = nv;
	*cap = nc;
	return 0;
}

/* a reference (tag, name, or REPO@DIGEST) of the image: its normalised form and digest */
static int add_ref(struct rd *r, const struct bh_node *at, const char *s, bool digest_only)
{
	struct bh_vimage *im = r->im;
	char ref[1024], dig[160];
	if (!*s)
		return 0;
	if (!strncmp(s, "sha256:", 7))
		snprintf(ref, sizeof(ref), "%s", ""), snprintf(dig, sizeof(dig), "%s", s);
	else
		bh_imgref_normalise(s, strlen(s), ref, sizeof(ref), dig, sizeof(dig));
	if (im->nrefs + im->ndigests >= r->db->lim.max_refs)
		return bh_err_set(r->err, -E2BIG, at ? at->line : 0, at ? at->col : 0, "more than %u tags and digests for one image",
				  r->db->lim.max_refs), -1;
	if (*ref && !digest_only && !strchr(dig, ':')) {
		if (grow(r, (void **)&im->refs, im->nrefs, &r->rcap, sizeof(*im->refs)) ||
		    !(im->refs[im->nrefs++] = bh_arena_strndup(&r->db->a, ref, strlen(ref))))
			return bh_err_set(r->err, -ENOMEM, 0, 0, "out of memory"), -1;
	}
	if (*dig) {
		if (grow(r, (void **)&im->digests, im->ndigests, &r->dcap, sizeof(*im->digests)) ||
		    !(im->digests[im->ndigests++] = bh_arena_strndup(&r->db->a, dig, strlen(dig))))
			return bh_err_set(r->err, -ENOMEM, 0, 0, "out of memory"), -1;
	}
	return 0;
}

/* every string of an array field as a reference */
static int add_refs(struct rd *r, const struct bh_node *m, const char *k, const char *what, bool digest_only)
{
	int rc;
	const struct bh_node *a = arr(r, m, k, what, &rc);
	for (uint32_t i = 0; a && !rc && i < a->n; i++) {
		const struct bh_node *it = a->items[i];
		if (it->type != BH_SCALAR || it->style != BH_STYLE_JSON_STRING)
			return bad(r, it, what, "an array of strings");
		char buf[1024];
		snprintf(buf, sizeof(buf), "%.*s", (int)(it->len < sizeof(buf) ? it->len : sizeof(buf) - 1), it->s);
		rc = add_ref(r, it, buf, digest_only);
	}
	return rc;
}

static enum bh_sev sev_of(const char *s)
{
	static const struct { const char *name; enum bh_sev sev; } t[] = {
		{"critical", BH_SEV_CRITICAL}, {"high", BH_SEV_HIGH}, {"medium", BH_SEV_MEDIUM}, {"low", BH_SEV_LOW},
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(s, t[i].name))
			return t[i].sev;
	return BH_SEV_INFO; /* negligible, unknown, anything else */
}

static int add_vuln(struct rd *r, const struct bh_node *at, struct bh_vuln *v)
{
	struct bh_vimage *im = r->im;
	if (!*v->id)
		return bad(r, at, "a vulnerability", "an id (VulnerabilityID / vulnerability.id)");
	if (r->db->nvulns >= r->db->lim.max_vulns)
		return bh_err_set(r->err, -E2BIG, at->line, at->col, "more than %u vulnerabilities over all reports",
				  r->db->lim.max_vulns), -1;
	char low[32];
	size_t i = 0;
	for (; v->sevname[i] && i < sizeof(low) - 1; i++)
		low[i] = (char)(v->sevname[i] >= 'A' && v->sevname[i] <= 'Z' ? v->sevname[i] + 32 : v->sevname[i]);
	low[i] = 0;
	v->sev = sev_of(low);
	v->sevname = v->sev == BH_SEV_INFO && !*low ? "unknown" : bh_arena_strndup(&r->db->a, low, i);
	if (!v->sevname || grow(r, (void **)&im->v, im->nv, &r->vcap, sizeof(*im->v)))
		return bh_err_set(r->err, -ENOMEM, 0, 0, "out of memory"), -1;
	im->v[im->nv++] = *v;
	r->db->nvulns++;
	return 0;
}

/* Trivy: Results[].Vulnerabilities[] */
static int trivy_vulns(struct rd *r, const struct bh_node *root)
{
	int rc;
	const struct bh_node *res = arr(r, root, "Results", "Results", &rc);
	for (uint32_t i = 0; res && !rc && i < res->n; i++) {
		const struct bh_node *vs = arr(r, res->items[i], "Vulnerabilities", "Results[].Vulnerabilities", &rc);
		if (res->items[i]->type != BH_MAP)
			return bad(r, res->items[i], "Results[]", "an object");
		for (uint32_t k = 0; vs && !rc && k < vs->n; k++) {
			const struct bh_node *x = vs->items[k];
			struct bh_vuln v = {0};
			if (x->type != BH_MAP)
				return bad(r, x, "Results[].Vulnerabilities[]", "an object");
			rc = str(r, x, "VulnerabilityID", "VulnerabilityID", &v.id) || str(r, x, "PkgName", "PkgName", &v.pkg) ||
			     str(r, x, "InstalledVersion", "InstalledVersion", &v.installed) ||
			     str(r, x, "FixedVersion", "FixedVersion", &v.fixed) || str(r, x, "Severity", "Severity", &v.sevname) ||
			     add_vuln(r, x, &v) ? -1 : 0;
		}
	}
	return rc;
}

static int trivy(struct rd *r, const struct bh_node *root)
{
	const char *type = "", *name = "";
	if (str(r, root, "ArtifactType", "ArtifactType", &type) || str(r, root, "ArtifactName", "ArtifactName", &name))
		return -1;
	if (*type && strcmp(type, "container_image"))
		return bad(r, get(root, "ArtifactType"), "ArtifactType", "\"container_image\" (a Trivy report of an image)");
	const struct bh_node *meta = get(root, "Metadata");
	if (meta && !bh_is_null(meta) && meta->type != BH_MAP)
		return bad(r, meta, "Metadata", "an object");
	r->im->name = name, r->im->tool = "trivy";
	if (add_ref(r, get(root, "ArtifactName"), name, false) || add_refs(r, meta, "RepoTags", "Metadata.RepoTags", false) ||
	    add_refs(r, meta, "RepoDigests", "Metadata.RepoDigests", true))
		return -1;
	return trivy_vulns(r, root);
}

/* fix.versions joined by ", " */
static int grype_fix(struct rd *r, const struct bh_node *vul, const char **out)
{
	int rc;
	const struct bh_node *fx = get(vul, "fix");
	const struct bh_node *vs = arr(r, fx, "versions", "matches[].vulnerability.fix.versions", &rc);
	char buf[512];
	size_t len = 0;
	*out = "";
	for (uint32_t i = 0; vs && !rc && i < vs->n && len < sizeof(buf) - 1; i++) {
		const struct bh_node *it = vs->items[i];
		if (it->type != BH_SCALAR || it->style != BH_STYLE_JSON_STRING)
			return bad(r, it, "matches[].vulnerability.fix.versions[]", "a string");
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%.*s", len ? ", " : "", (int)it->len, it->s);
	}
	if (len > sizeof(buf) - 1)
		len = sizeof(buf) - 1;
	if (!rc && len && !(*out = bh_arena_strndup(&r->db->a, buf, len)))
		return bh_err_set(r->err, -ENOMEM, 0, 0, "out of memory"), -1;
	return rc;
}

static int grype_match(struct rd *r, const struct bh_node *m)
{
	const struct bh_node *vul = get(m, "vulnerability"), *art = get(m, "artifact");
	if (m->type != BH_MAP || !vul || vul->type != BH_MAP)
		return bad(r, m->type == BH_MAP && vul ? vul : m, "matches[]", "an object with a \"vulnerability\" object");
	if (art && art->type != BH_MAP)
		return bad(r, art, "matches[].artifact", "an object");
	struct bh_vuln v = {0};
	if (str(r, vul, "id", "matches[].vulnerability.id", &v.id) ||
	    str(r, vul, "severity", "matches[].vulnerability.severity", &v.sevname) || grype_fix(r, vul, &v.fixed) ||
	    str(r, art, "name", "matches[].artifact.name", &v.pkg) ||
	    str(r, art, "version", "matches[].artifact.version", &v.installed))
		return -1;
	return add_vuln(r, m, &v);
}

static int grype(struct rd *r, const struct bh_node *root)
{
	const struct bh_node *src = get(root, "source"), *tg = get(src, "target");
	const char *type = "", *name = "", *md = "";
	if (src && src->type != BH_MAP)
		return bad(r, src, "source", "an object");
	if (str(r, src, "type", "source.type", &type))
		return -1;
	if (*type && strcmp(type, "image"))
		return bad(r, get(src, "type"), "source.type", "\"image\" (a Grype report of an image)");
	if (tg && tg->type != BH_MAP)
		return bad(r, tg, "source.target", "an object");
	if (str(r, tg, "userInput", "source.target.userInput", &name) ||
	    str(r, tg, "manifestDigest", "source.target.manifestDigest", &md))
		return -1;
	r->im->name = name, r->im->tool = "grype";
	if (add_ref(r, get(tg, "userInput"), name, false) || add_ref(r, get(tg, "manifestDigest"), md, true) ||
	    add_refs(r, tg, "tags", "source.target.tags", false) ||
	    add_refs(r, tg, "repoDigests", "source.target.repoDigests", true))
		return -1;
	int rc;
	const struct bh_node *ms = arr(r, root, "matches", "matches", &rc);
	for (uint32_t i = 0; ms && !rc && i < ms->n; i++)
		rc = grype_match(r, ms->items[i]);
	return rc;
}

static int load_tree(struct rd *r, const struct bh_node *root)
{
	if (!root || root->type != BH_MAP)
		return bad(r, root, "the report", "a JSON object (trivy --format json, grype -o json)");
	int rc;
	if (get(root, "SchemaVersion") || get(root, "Results") || get(root, "ArtifactName"))
		rc = trivy(r, root);
	else if (get(root, "matches") || get(root, "source"))
		rc = grype(r, root);
	else
		return bad(r, root, "the report", "a Trivy (--format json) or Grype (-o json) report of an image");
	if (!rc && !r->im->nrefs && !r->im->ndigests)
		rc = bad(r, root, "the report", "the image's name or digest (ArtifactName, Metadata.RepoDigests; "
			 "source.target.userInput, repoDigests)");
	return rc;
}

int bh_vulns_load_buffer(struct bh_vulndb *db, const char *name, const char *buf, size_t len, struct bh_err *err)
{
	memset(err, 0, sizeof(*err));
	err->file = name;
	if (db->n >= db->lim.max_images)
		return bh_err_set(err, -E2BIG, 0, 0, "more than %u images over all reports", db->lim.max_images), -1;
	struct rd r = {.db = db, .err = err, .file = name};
	if (grow(&r, (void **)&db->img, db->n, &db->cap, sizeof(*db->img)))
		return -1;
	struct bh_limits lim = bh_default_limits;
	lim.max_input = db->lim.max_bytes;
	lim.max_depth = db->lim.max_depth;
	struct bh_json_reader jr;
	struct bh_arena tree;
	struct bh_doc doc;
	bh_arena_init(&tree, 0);
	bh_json_init(&jr, name, buf, len, &lim);
	r.im = &db->img[db->n];
	memset(r.im, 0, sizeof(*r.im));
	r.im->file = bh_arena_strndup(&db->a, name, strlen(name));
	uint32_t nv0 = db->nvulns;
	int rc = len > db->lim.max_bytes ? bh_err_set(err, -EFBIG, 0, 0, "larger than %zu bytes", db->lim.max_bytes) : 0;
	if (!rc && (rc = bh_json_next(&jr, &tree, &doc, err)) == 0)
		rc = bad(&r, NULL, "the report", "a JSON object, not an empty input");
	if (rc > 0)
		rc = load_tree(&r, doc.root);
	err->file = name;
	bh_arena_release(&tree);
	if (rc < 0) { /* nothing of a failed report is kept (its strings stay in the arena until release) */
		free(r.im->refs), free(r.im->digests), free(r.im->v);
		db->nvulns = nv0;
		return -1;
	}
	db->n++;
	return 0;
}

int bh_vulns_load(struct bh_vulndb *db, const char *path, struct bh_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	int rc = bh_read_file(path, db->lim.max_bytes, &buf, &len);
	if (rc < 0) {
		memset(err, 0, sizeof(*err));
		err->file = name;
		if (rc == -EFBIG)
			return bh_err_set(err, rc, 0, 0, "larger than %zu bytes", db->lim.max_bytes), -1;
		return bh_err_set(err, rc, 0, 0, "cannot read: %s", strerror(-rc)), -1;
	}
	rc = bh_vulns_load_buffer(db, name, buf, len, err);
	free(buf);
	return rc;
}

/* ---- grouping: the same image in several reports ---- */

static int cmp_key(const void *a, const void *b)
{
	const struct bh_vkey *x = a, *y = b;
	if (x->digest != y->digest)
		return x->digest ? -1 : 1;
	return strcmp(x->s, y->s);
}

/* every digest and reference of every image, sorted */
static int build_keys(struct bh_vulndb *db)
{
	size_t n = 0;
	for (uint32_t i = 0; i < db->n; i++)
		n += db->img[i].ndigests + db->img[i].nrefs;
	if (!(db->keys = malloc((n ? n : 1) * sizeof(*db->keys))))
		return -1;
	for (uint32_t i = 0; i < db->n; i++) {
		for (uint32_t k = 0; k < db->img[i].ndigests; k++)
			db->keys[db->nkeys++] = (struct bh_vkey){.s = db->img[i].digests[k], .img = i, .digest = true};
		for (uint32_t k = 0; k < db->img[i].nrefs; k++)
			db->keys[db->nkeys++] = (struct bh_vkey){.s = db->img[i].refs[k], .img = i};
	}
	qsort(db->keys, db->nkeys, sizeof(*db->keys), cmp_key);
	return 0;
}

static uint32_t root_of(uint32_t *up, uint32_t i)
{
	while (up[i] != i)
		i = up[i] = up[up[i]];
	return i;
}

static int cmp_id(const void *a, const void *b)
{
	const struct bh_vuln *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (int)y->sev - (int)x->sev; /* the worst reading of an id first */
}

/* worst first: severity, a fix known (actionable), id */
static int cmp_rank(const void *a, const void *b)
{
	const struct bh_vuln *x = a, *y = b;
	if (x->sev != y->sev)
		return (int)y->sev - (int)x->sev;
	if (!*x->fixed != !*y->fixed)
		return !*x->fixed - !*y->fixed;
	return strcmp(x->id, y->id);
}

/* the group's vulnerabilities: every member's, deduplicated by id (the worst severity wins; a fixed
 * version from any report fills a missing one), ranked */
static int group_vulns(struct bh_vulndb *db, struct bh_vgroup *g, const uint32_t *up, uint32_t gi)
{
	size_t n = 0;
	for (uint32_t i = 0; i < db->n; i++)
		n += up[i] == gi ? db->img[i].nv : 0;
	if (!(g->v = malloc((n ? n : 1) * sizeof(*g->v))))
		return -1;
	for (uint32_t i = 0; i < db->n; i++)
		if (up[i] == gi && db->img[i].nv) { /* an image without vulnerabilities has v == NULL */
			memcpy(g->v + g->nv, db->img[i].v, db->img[i].nv * sizeof(*g->v));
			g->nv += db->img[i].nv;
		}
	qsort(g->v, g->nv, sizeof(*g->v), cmp_id);
	uint32_t w = 0;
	for (uint32_t i = 0; i < g->nv; i++) {
		if (w && !strcmp(g->v[w - 1].id, g->v[i].id)) {
			if (!*g->v[w - 1].fixed)
				g->v[w - 1].fixed = g->v[i].fixed;
			continue;
		}
		g->v[w++] = g->v[i];
	}
	g->nv = w;
	qsort(g->v, g->nv, sizeof(*g->v), cmp_rank);
	for (uint32_t i = 0; i < g->nv; i++)
		g->count[g->v[i].sev]++;
	return 0;
}

/* "FILE (tool), …" and the evidence's list of the worst max_evidence vulnerabilities */
static int group_text(struct bh_vulndb *db, struct bh_vgroup *g, const uint32_t *up, uint32_t gi)
{
	size_t cap = 256, len = 0;
	for (uint32_t i = 0; i < db->n; i++)
		cap += up[i] == gi ? strlen(db->img[i].file) + 16 : 0;
	char *s = bh_arena_alloc(&db->a, cap);
	for (uint32_t i = 0; s && i < db->n; i++)
		if (up[i] == gi)
			len += (size_t)snprintf(s + len, cap - len, "%s%s (%s)", len ? ", " : "", db->img[i].file, db->img[i].tool);
	g->reports = s;
	uint32_t shown = g->nv < db->lim.max_evidence ? g->nv : db->lim.max_evidence;
	cap = 64, len = 0;
	for (uint32_t i = 0; i < shown; i++)
		cap += strlen(g->v[i].id) + strlen(g->v[i].pkg) + strlen(g->v[i].installed) + strlen(g->v[i].fixed) + 48;
	char *l = s ? bh_arena_alloc(&db->a, cap) : NULL;
	for (uint32_t i = 0; l && i < shown; i++) {
		const struct bh_vuln *v = &g->v[i];
		len += (size_t)snprintf(l + len, cap - len, "%s%s %s %s %s%s%s", i ? "; " : "", v->id, v->sevname,
					*v->pkg ? v->pkg : "?", *v->installed ? v->installed : "?", *v->fixed ? " fixed in " : " no fix",
					v->fixed);
	}
	if (l && shown < g->nv)
		snprintf(l + len, cap - len, "; … %u more", g->nv - shown);
	g->list = l;
	return l ? 0 : -1;
}

int bh_vulns_finish(struct bh_vulndb *db, struct bh_err *err)
{
	uint32_t *up = malloc((db->n ? db->n : 1) * sizeof(*up));
	if (!up)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	for (uint32_t i = 0; i < db->n; i++)
		up[i] = i;
	if (build_keys(db) < 0) {
		free(up);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	}
	/* images that share a key (equal neighbours in the sorted keys) are one group: union by the lower index */
	for (size_t i = 1; i < db->nkeys; i++)
		if (!cmp_key(&db->keys[i - 1], &db->keys[i])) {
			uint32_t a = root_of(up, db->keys[i - 1].img), b = root_of(up, db->keys[i].img);
			if (a != b)
				up[a > b ? a : b] = a < b ? a : b;
		}
	for (uint32_t i = 0; i < db->n; i++)
		up[i] = root_of(up, i);
	int rc = 0;
	db->g = calloc(db->n ? db->n : 1, sizeof(*db->g));
	rc = db->g ? 0 : -1;
	for (uint32_t i = 0; !rc && i < db->n; i++) {
		if (up[i] != i)
			continue;
		struct bh_vgroup *g = &db->g[db->ng];
		g->name = db->img[i].name;
		rc = group_vulns(db, g, up, i) || group_text(db, g, up, i) ? -1 : 0;
		for (uint32_t k = i; k < db->n; k++)
			if (up[k] == i)
				db->img[k].group = db->ng;
		db->ng++;
	}
	free(up);
	return rc ? bh_err_set(err, -ENOMEM, 0, 0, "out of memory grouping the reports' images"), -1 : 0;
}

long bh_vulns_match(const struct bh_vulndb *db, const char *image, size_t len, char *by, size_t bysize)
{
	char ref[1024], dig[160];
	bh_imgref_normalise(image, len, ref, sizeof(ref), dig, sizeof(dig));
	struct bh_vkey want = {.s = *dig ? dig : ref, .digest = *dig != 0};
	const struct bh_vkey *k = db->nkeys ? bsearch(&want, db->keys, db->nkeys, sizeof(*db->keys), cmp_key) : NULL;
	if (!k)
		return -1;
	snprintf(by, bysize, "%s %s", *dig ? "digest" : "tag", want.s);
	return (long)db->img[k->img].group;
}

enum bh_sev bh_vulns_rank(enum bh_sev cve, enum bh_sev exposure)
{
	if (exposure < BH_SEV_LOW)
		exposure = BH_SEV_LOW; /* a restricted pod: the CVE is still worth patching */
	return cve < exposure ? cve : exposure;
}

/* ---- the engine hook ---- */

#define EXPO_MAX 12

struct expo {
	const struct bh_finding *f[EXPO_MAX];
	uint32_t n, more;
	enum bh_sev sev;
};

static bool escape_row(const struct bh_finding *f)
{
	return f->rule && bh_rule_area(f->rule) == BH_AREA_MANIFEST && strncmp(f->rule->name, "image-", 6);
}

/* the escape findings of container c and of its pod among the object's findings so far, worst first */
static void exposure(const struct bh_engine *e, const struct bh_container *c, struct expo *x)
{
	memset(x, 0, sizeof(*x));
	x->sev = BH_SEV_INFO;
	for (size_t i = e->obj_first; i < e->findings.n; i++) {
		const struct bh_finding *f = &e->findings.v[i];
		if (!escape_row(f) || (f->container && strcmp(f->container, c->name.s)))
			continue;
		bool dup = false;
		for (uint32_t k = 0; k < x->n && !dup; k++)
			dup = x->f[k]->rule == f->rule;
		if (dup)
			continue;
		if (f->sev > x->sev)
			x->sev = f->sev;
		if (x->n == EXPO_MAX) {
			x->more++;
			continue;
		}
		uint32_t k = x->n++;
		for (; k > 0 && x->f[k - 1]->sev < f->sev; k--)
			x->f[k] = x->f[k - 1];
		x->f[k] = f;
	}
}

static size_t expo_text(const struct expo *x, char *buf, size_t size, bool ids)
{
	size_t len = 0;
	buf[0] = 0;
	for (uint32_t i = 0; i < x->n && len < size; i++) {
		const struct bh_finding *f = x->f[i];
		if (ids)
			len += (size_t)snprintf(buf + len, size - len, "%s%s %s (%s)", i ? ", " : "", f->rule->id, f->rule->name,
						bh_sev_name(f->sev));
		else if (i < 3)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", f->rule->name);
	}
	if (len < size && x->more)
		len += (size_t)snprintf(buf + len, size - len, ", %u more", x->more);
	if (!x->n)
		len = (size_t)snprintf(buf, size, "%s", ids ? "none (no escape finding for the container or its pod)"
							   : "no escape avenue");
	return len < size ? len : size - 1;
}

static void emit(struct bh_engine *e, const struct bh_pod *p, const struct bh_container *c, const struct bh_vgroup *g,
		 const char *by)
{
	struct expo x;
	exposure(e, c, &x);
	const struct bh_vuln *w = &g->v[0];
	enum bh_sev sev = bh_vulns_rank(w->sev, x.sev);
	char ex[512], next[256] = "";
	expo_text(&x, ex, sizeof(ex), false);
	size_t nl = 0;
	for (uint32_t i = 1; i < g->nv && i < 4; i++)
		nl += (size_t)snprintf(next + nl, sizeof(next) - nl, "%s%s (%s)", i > 1 ? ", " : "; next: ", g->v[i].id,
				       g->v[i].sevname);
	const struct bh_objref *o = &p->obj->ref;
	const struct bh_rule *r = &bh_rules[VR_VULN_EXPOSED];
	struct bh_finding *f = bh_emit_field(
		&e->findings, r, sev, p, c, "image", c->image.n,
		"%s (%s; %s %s, %s%s) in image \"%s\", which runs with %s in %s %s%s%s container \"%s\" (exposure %s); "
		"%u vulnerabilities (%u critical, %u high, %u medium, %u low, %u other)%s", w->id, w->sevname,
		*w->pkg ? w->pkg : "?", *w->installed ? w->installed : "?", *w->fixed ? "fixed in " : "no fix",
		w->fixed, c->image.s, ex, o->kind ? o->kind : "object", o->namespace ? o->namespace : "",
		o->namespace ? "/" : "", o->name ? o->name : "(unnamed)", c->name.s, bh_sev_name(x.sev), g->nv,
		g->count[BH_SEV_CRITICAL], g->count[BH_SEV_HIGH], g->count[BH_SEV_MEDIUM], g->count[BH_SEV_LOW],
		g->count[BH_SEV_INFO], next);
	if (!f)
		return;
	expo_text(&x, ex, sizeof(ex), true);
	f->evidence = bh_arena_printf(e->findings.a, "match: %s; reports: %s; exposure: %s; vulnerabilities (%u): %s", by,
				      g->reports, ex, g->nv, g->list);
}

void bh_vulns_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	const struct bh_vulndb *db = ctx;
	if (!db || !db->ng)
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->image.r != BH_OK || !c->image.len)
			continue;
		char by[1200];
		long gi = bh_vulns_match(db, c->image.s, c->image.len, by, sizeof(by));
		if (gi >= 0 && db->g[gi].nv)
			emit(e, p, c, &db->g[gi], by);
	}
}
