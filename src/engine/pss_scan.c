#include "pss_scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode/keyhash.h"
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
	uint32_t line_base; /* lines before the decoded slice */
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
		bh_engine_warning(x->e, file, o->ref.line + x->line_base, o->ref.col,
				  "Namespace %s: invalid pod-security.kubernetes.io/enforce%s label; Pod Security "
				  "Admission then enforces restricted:latest, and so does this scan for its objects",
				  o->ref.name, level < 0 ? "" : "-version");
	else
		bh_engine_warning(x->e, file, o->ref.line + x->line_base, o->ref.col,
				  "Namespace %s enforces Pod Security %s:%s; objects of this namespace are checked at "
				  "that level and version instead of --pss",
				  o->ref.name, bh_pss_level_name((enum bh_pss_level)level), v);
	return 0;
}

static void decode_slice(struct nsctx *x, const char *file, const char *buf, size_t len)
{
	struct bh_arena a;
	bh_arena_init(&a, 0);
	struct bh_decoder *d = bh_decoder_new(file, buf, len, x->e->lim);
	for (int guard = 0; d && guard < 1000000; guard++) {
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_reset(&a);
		int rc = bh_decoder_next(d, &a, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0)
			continue; /* the main pass reports it */
		bh_objects_each(&doc, &a, ns_cb, x);
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
}

/* A line that starts a new YAML document ("---") or ends one ("..."), at offset i (a line start). */
static bool doc_marker(const char *b, size_t len, size_t i)
{
	if (i + 3 > len || (memcmp(b + i, "---", 3) && memcmp(b + i, "...", 3)))
		return false;
	return i + 3 == len || b[i + 3] == '\n' || b[i + 3] == '\r' || b[i + 3] == ' ' || b[i + 3] == '\t';
}

static bool looks_json(const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n' || (unsigned char)b[i] >= 0x80)
			continue;
		return b[i] == '{' || b[i] == '[';
	}
	return false;
}

/* memmem, but anchored on the needle's rarest byte in manifests ('/' or '\\') and found with memchr,
 * which is vectorised where glibc's memmem is not: the pre-pass reads every byte of every input. */
static const char *scan_for(const char *b, size_t len, const char *needle, size_t nl)
{
	const char *slash = memchr(needle, '\\', nl);
	if (!slash)
		slash = memchr(needle, '/', nl);
	if (!slash)
		return memmem(b, len, needle, nl);
	size_t k = (size_t)(slash - needle);
	for (const char *p = b + k; p < b + len;) {
		const char *a = memchr(p, needle[k], (size_t)(b + len - p));
		if (!a)
			return NULL;
		if (a - k + nl <= b + len && !memcmp(a - k, needle, nl))
			return a - k;
		p = a + 1;
	}
	return NULL;
}

/* memmem over [pos, len) in windows; with mapped, pages behind the window are dropped from memory (a
 * read-only file mapping reads them again if needed), so a search over a large file stays small. */
#define WINDOW (8u << 20)
static const char *find(const char *buf, size_t len, size_t pos, const char *needle, size_t nl, bool mapped)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	while (pos < len) {
		size_t w = len - pos > WINDOW + nl ? WINDOW + nl : len - pos;
		const char *hit = scan_for(buf + pos, w, needle, nl);
		if (hit)
			return hit;
		if (mapped && page > 1) {
			uintptr_t a = ((uintptr_t)buf + pos + page - 1) & ~(page - 1);
			uintptr_t b = ((uintptr_t)buf + pos + w) & ~(page - 1);
			if (b > a)
				madvise((void *)a, b - a, MADV_DONTNEED);
		}
		if (w < WINDOW + nl)
			break;
		pos += WINDOW;
	}
	return NULL;
}

/* newlines in [from, to), dropping the pages behind as find() does */
static uint32_t count_lines(const char *buf, size_t from, size_t to, bool mapped)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uint32_t n = 0;
	while (from < to) {
		size_t w = to - from > WINDOW ? WINDOW : to - from;
		for (const char *p = buf + from; (p = memchr(p, '\n', (size_t)(buf + from + w - p))); p++)
			n++;
		if (mapped && page > 1) {
			uintptr_t a = ((uintptr_t)buf + from + page - 1) & ~(page - 1);
			uintptr_t b = ((uintptr_t)buf + from + w) & ~(page - 1);
			if (b > a)
				madvise((void *)a, b - a, MADV_DONTNEED);
		}
		from += w;
	}
	return n;
}

void bh_pss_scan_namespaces(struct bh_pss_scan *s, struct bh_engine *e, const char *file, const char *buf, size_t len,
			    bool mapped)
{
	static const char key[] = "pod-security.kubernetes.io/enforce";
	struct nsctx x = {s, e, 0};
	/* JSON, or escapes that could spell the key: decode everything */
	if (looks_json(buf, len) || find(buf, len, 0, "\\u", 2, mapped)) {
		if (find(buf, len, 0, key, sizeof(key) - 1, false) || find(buf, len, 0, "\\u", 2, false))
			decode_slice(&x, file, buf, len);
		return;
	}
	/* YAML: decode only the documents that mention the key, so a large stream with one labelled
	 * Namespace costs one small document, not a second full parse */
	size_t pos = 0, lines_at = 0;
	uint32_t lines = 0;
	const char *hit;
	while (pos < len && (hit = find(buf, len, pos, key, sizeof(key) - 1, mapped))) {
		size_t h = (size_t)(hit - buf);
		size_t start = h;
		for (;;) { /* back to the line that opens this document */
			while (start > 0 && buf[start - 1] != '\n')
				start--;
			if (start == 0 || doc_marker(buf, len, start))
				break;
			start--;
		}
		if (start < pos)
			start = pos;
		size_t end = h;
		for (;;) { /* forward to the next document marker */
			while (end < len && buf[end] != '\n')
				end++;
			if (end >= len)
				break;
			end++;
			if (doc_marker(buf, len, end))
				break;
		}
		lines += count_lines(buf, lines_at, start, mapped);
		lines_at = start;
		x.line_base = lines;
		decode_slice(&x, file, buf + start, end - start);
		pos = end > h ? end : h + 1;
	}
}

/* Which PSS sites an escape rule already reported: a site is covered when a finding of this object carries
 * the same PSA check (not through a BH01xx row) and names the same field, or a more or less precise form of
 * it ("…volumes[0].hostPath" vs "…volumes[0].hostPath.path"). The object's findings are indexed once per
 * pod — each field and each of its '.'/'[' prefixes — so each site is answered with a few lookups: the
 * pairwise test it replaces made a pod with 5,000 containers take 25 s (sites × findings). Fields come from
 * input-dependent indices, so the table is hashed with the decoder's seeded SipHash. */
struct cov_ent {
	uint64_t h;
	const char *check, *field;
	uint32_t len;
	bool whole; /* len is the whole field (else a prefix of it) */
};
struct cov {
	struct cov_ent *t;
	size_t cap; /* power of two; 0 = no table (no candidate findings) */
};

static uint64_t cov_hash(const char *check, const char *field, size_t len)
{
	return bh_keyhash(field, len, false) * 31 + bh_keyhash(check, strlen(check), false);
}

static void cov_put(struct cov *c, const char *check, const char *field, size_t len, bool whole)
{
	uint64_t h = cov_hash(check, field, len);
	size_t i = h & (c->cap - 1);
	for (; c->t[i].field; i = (i + 1) & (c->cap - 1)) {
		struct cov_ent *x = &c->t[i];
		if (x->h == h && x->len == len && x->whole == whole && !strcmp(x->check, check) &&
		    !strncmp(x->field, field, len))
			return;
	}
	c->t[i] = (struct cov_ent){h, check, field, (uint32_t)len, whole};
}

static bool cov_has(const struct cov *c, const char *check, const char *field, size_t len, bool whole)
{
	uint64_t h = cov_hash(check, field, len);
	for (size_t i = h & (c->cap - 1); c->t[i].field; i = (i + 1) & (c->cap - 1)) {
		const struct cov_ent *x = &c->t[i];
		if (x->h == h && x->len == len && (!whole || x->whole) && !strcmp(x->check, check) &&
		    !strncmp(x->field, field, len))
			return true;
	}
	return false;
}

static bool cov_candidate(const struct bh_finding *f)
{
	return f->rule && f->rule->pss_check && f->field && !(f->rule->id[2] == '0' && f->rule->id[3] == '1');
}

static bool boundary(char ch)
{
	return ch == '.' || ch == '[';
}

/* Indexes the current object's findings; -ENOMEM leaves c empty (then nothing counts as covered, so a
 * PSS finding may be reported twice, never lost). */
static int cov_build(struct cov *c, const struct bh_engine *e)
{
	size_t n = 0;
	for (size_t i = e->obj_first; i < e->findings.n; i++)
		if (cov_candidate(&e->findings.v[i]))
			for (const char *p = e->findings.v[i].field; *p; p++)
				n += boundary(*p) + !p[1];
	c->cap = 0;
	c->t = NULL;
	if (!n)
		return 0;
	size_t cap = 16;
	while (cap < 2 * n)
		cap <<= 1;
	if (!(c->t = calloc(cap, sizeof(*c->t))))
		return -ENOMEM;
	c->cap = cap;
	for (size_t i = e->obj_first; i < e->findings.n; i++) {
		const struct bh_finding *f = &e->findings.v[i];
		if (!cov_candidate(f))
			continue;
		const char *chk = f->rule->pss_check;
		size_t len = strlen(f->field);
		for (size_t k = 1; k < len; k++)
			if (boundary(f->field[k]))
				cov_put(c, chk, f->field, k, false);
		cov_put(c, chk, f->field, len, true);
	}
	return 0;
}

static bool covered(const struct cov *c, const char *check, const char *field)
{
	if (!c->cap)
		return false;
	size_t len = strlen(field);
	/* a finding names this field or a more precise one: the site is a prefix (or all) of its field */
	if (cov_has(c, check, field, len, false))
		return true;
	/* a finding names a less precise field: one of the site's prefixes is a whole finding field */
	for (size_t k = 1; k < len; k++)
		if (boundary(field[k]) && cov_has(c, check, field, k, true))
			return true;
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
	struct cov cov;
	if (res.n && cov_build(&cov, e) < 0)
		bh_engine_error(e, p->obj->doc->file, p->obj->ref.line, p->obj->ref.col, "out of memory evaluating PSS");
	for (uint32_t i = 0; i < res.n; i++) {
		const struct bh_pss_violation *v = &res.v[i];
		const struct bh_rule *row = bh_rule_find(v->check->rule_id);
		for (uint32_t k = 0; row && k < v->nsites; k++) {
			const struct bh_pss_site *st = &v->sites[k];
			if (covered(&cov, v->check->id, st->field))
				continue;
			bh_emit(&e->findings, row, row->sev, st->container, st->field, st->at ? st->at->line : 0,
				st->at ? st->at->col : 0, "violates PodSecurity \"%s:%s\": %.*s (%.*s)", bh_pss_level_name(level),
				ver, BH_FINDING_MSG_MAX, v->reason, BH_FINDING_MSG_MAX, v->detail);
		}
	}
	if (res.n)
		free(cov.t);
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
