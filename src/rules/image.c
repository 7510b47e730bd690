/* Image reference rules: a tag can be moved to another image after review (T1525 Implant Internal Image),
 * and an image from a registry outside the trusted list is unreviewed supply chain (T1195.002). The
 * reference grammar is the distribution/reference one: [registry/]path[:tag][@digest], where the first
 * component is a registry only if it has a "." or ":" or is "localhost". */
#include <stdio.h>
#include <string.h>

#include "escape.h"

struct imgref {
	bool digest;
	const char *tag; /* NULL: no tag */
	size_t taglen;
};

static void parse(const char *s, size_t len, struct imgref *r)
{
	memset(r, 0, sizeof(*r));
	const char *at = memchr(s, '@', len);
	size_t end = at ? (size_t)(at - s) : len;
	r->digest = at != NULL;
	size_t slash = 0;
	for (size_t i = 0; i < end; i++)
		if (s[i] == '/')
			slash = i + 1;
	for (size_t i = slash; i < end; i++)
		if (s[i] == ':') {
			r->tag = s + i + 1;
			r->taglen = end - i - 1;
			break;
		}
}

void bh_imgref_normalise(const char *s, size_t len, char *ref, size_t rsize, char *dig, size_t dsize)
{
	struct imgref ir;
	parse(s, len, &ir);
	const char *at = memchr(s, '@', len);
	size_t end = ir.tag ? (size_t)(ir.tag - 1 - s) : at ? (size_t)(at - s) : len;
	snprintf(dig, dsize, "%.*s", at ? (int)(len - (size_t)(at + 1 - s)) : 0, at ? at + 1 : "");
	const char *slash = memchr(s, '/', end);
	size_t hl = slash ? (size_t)(slash - s) : 0;
	bool host = slash && (memchr(s, '.', hl) || memchr(s, ':', hl) || (hl == 9 && !memcmp(s, "localhost", 9)));
	bool hub = host && ((hl == 9 && !memcmp(s, "docker.io", 9)) || (hl == 15 && !memcmp(s, "index.docker.io", 15)) || (hl == 20 && !memcmp(s, "registry-1.docker.io", 20)));
	const char *path = host ? slash + 1 : s;
	int pl = (int)(end - (size_t)(path - s));
	const char *pre = !host || hub ? (memchr(path, '/', (size_t)pl) ? "docker.io/" : "docker.io/library/") : "";
	int hostl = host && !hub ? (int)hl + 1 : 0;
	const char *tag = ir.tag ? ir.tag : at ? "" : "latest";
	int tl = ir.tag ? (int)ir.taglen : (int)strlen(tag);
	snprintf(ref, rsize, "%s%.*s%.*s%s%.*s", pre, hostl, s, pl, path, tl ? ":" : "", tl, tag);
}

typedef void (*img_fn)(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out,
		       const struct bh_container *c, const struct imgref *ir);

static void each_image(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out, img_fn fn)
{
	const struct bh_pod *p = cx->pod;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->image.r != BH_OK || !c->image.len)
			continue;
		struct imgref ir;
		parse(c->image.s, c->image.len, &ir);
		fn(r, cx, out, c, &ir);
	}
}

static void latest(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out,
		   const struct bh_container *c, const struct imgref *ir)
{
	const struct bh_pod *p = cx->pod;
	if (!ir->digest && ir->tag && ir->taglen == 6 && !memcmp(ir->tag, "latest", 6))
		bh_emit_field(out, r, r->sev, p, c, "image", c->image.n,
			      "container \"%s\" uses image \"%s\": \"latest\" points at whatever was pushed last", c->name.s,
			      c->image.s);
}

static void notag(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out,
		  const struct bh_container *c, const struct imgref *ir)
{
	const struct bh_pod *p = cx->pod;
	if (!ir->digest && !ir->tag)
		bh_emit_field(out, r, r->sev, p, c, "image", c->image.n,
			      "container \"%s\" uses image \"%s\" without tag or digest: it resolves to \"latest\"", c->name.s,
			      c->image.s);
}

static void nodigest(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out,
		     const struct bh_container *c, const struct imgref *ir)
{
	const struct bh_pod *p = cx->pod;
	if (!ir->digest && ir->tag && !(ir->taglen == 6 && !memcmp(ir->tag, "latest", 6)))
		bh_emit_field(out, r, r->sev, p, c, "image", c->image.n,
			      "container \"%s\" uses image \"%s\" by tag only: the tag can be moved to another image", c->name.s,
			      c->image.s);
}

static void untrusted(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out,
		      const struct bh_container *c, const struct imgref *ir)
{
	const struct bh_pod *p = cx->pod;
	if (!cx->image_trusted || cx->image_trusted(cx->arg, c->image.s))
		return;
	bh_emit_field(out, r, r->sev, p, c, "image", c->image.n,
		      "container \"%s\" uses image \"%s\" from a registry outside the configured trusted list", c->name.s,
		      c->image.s);
}

void bh_rule_image_latest(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	each_image(r, cx, out, latest);
}

void bh_rule_image_no_tag(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	each_image(r, cx, out, notag);
}

void bh_rule_image_no_digest(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	each_image(r, cx, out, nodigest);
}

/* Without a trusted list (no config, or none in it) there is no opinion. */
void bh_rule_image_untrusted_registry(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	each_image(r, cx, out, untrusted);
}
