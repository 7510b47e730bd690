/* Where images come from: an OCI image layout (image-layout.md: index.json, blobs/sha256/<hex>) or a
 * `docker save` archive (manifest.json naming the config and the layer tars; Docker 25+ writes an OCI
 * layout inside the tar, older versions "<id>/layer.tar" verified by the config's rootfs.diff_ids).
 * Every JSON document and layer is hashed and compared with the digest that names it before anything
 * read from it counts. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "decode/json.h"
#include "image.h"

const struct bh_img_limits bh_img_default_limits = {
	.max_json = 4u << 20,
	.max_blob = 8ull << 30,
	.max_unpacked = 32ull << 30,
	.max_layers = 256,
	.max_entries = 2000000,
	.max_path = 4095,
	.max_capture = 1u << 20,
	.max_memory = 1024u << 20,
};

static const struct bh_node *json_parse(struct bh_image *img, const char *buf, size_t len, const char *what,
					struct bh_err *err)
{
	struct bh_limits lim = bh_default_limits;
	lim.max_input = img->lim->max_json;
	lim.max_depth = 64;
	struct bh_json_reader r;
	struct bh_doc doc;
	bh_json_init(&r, what, buf, len, &lim);
	int rc = bh_json_next(&r, &img->arena, &doc, err);
	if (rc < 0) {
		char m[sizeof(err->msg)];
		snprintf(m, sizeof(m), "%s:%u:%u: %s", what, err->line, err->col, err->msg);
		return bh_err_set(err, -EINVAL, err->line, err->col, "%s", m), NULL;
	}
	if (rc == 0 || !doc.root)
		return bh_err_set(err, -EINVAL, 0, 0, "%s: empty", what), NULL;
	return doc.root;
}

static const char *jstr(const struct bh_node *map, const char *key)
{
	const char *s;
	size_t n;
	return bh_as_str(bh_map_get(map, key, BH_READ_LAST, NULL, NULL), &s, &n) == BH_OK ? s : NULL;
}

static const struct bh_node *jget(const struct bh_node *map, const char *key, enum bh_ntype t)
{
	const struct bh_node *n = bh_map_get(map, key, BH_READ_LAST, NULL, NULL);
	return n && n->type == t ? n : NULL;
}

static void parse_env(struct bh_image *img, const struct bh_node *env)
{
	for (uint32_t i = 0; env && i < env->n; i++) {
		const struct bh_node *v = env->items[i];
		if (v->type == BH_SCALAR && !strncmp(v->s, "PATH=", 5))
			img->path_env = v->s + 5;
	}
}

int bh_img_parse_config(struct bh_image *img, const char *buf, size_t len, const char ***diff_ids, uint32_t *ndiff,
			struct bh_err *err)
{
	const struct bh_node *root = json_parse(img, buf, len, "config", err);
	if (!root)
		return -1;
	if (root->type != BH_MAP)
		return bh_err_set(err, -EINVAL, root->line, root->col, "config: not a JSON object"), -1;
	img->os = jstr(root, "os");
	img->arch = jstr(root, "architecture");
	const struct bh_node *c = jget(root, "config", BH_MAP);
	img->user = c && jstr(c, "User") ? jstr(c, "User") : "";
	parse_env(img, c ? jget(c, "Env", BH_SEQ) : NULL);
	const struct bh_node *ports = c ? jget(c, "ExposedPorts", BH_MAP) : NULL;
	if (ports && ports->n) {
		img->ports = bh_arena_alloc(&img->arena, ports->n * sizeof(char *));
		for (uint32_t i = 0; img->ports && i < ports->n && i < 1024; i++)
			img->ports[img->nports++] = ports->pairs[i].key->s;
	}
	const struct bh_node *rootfs = jget(root, "rootfs", BH_MAP);
	const struct bh_node *ids = rootfs ? jget(rootfs, "diff_ids", BH_SEQ) : NULL;
	if (diff_ids && ids) {
		*diff_ids = bh_arena_alloc(&img->arena, (ids->n + 1) * sizeof(char *));
		for (uint32_t i = 0; *diff_ids && i < ids->n; i++)
			(*diff_ids)[(*ndiff)++] = ids->items[i]->type == BH_SCALAR ? ids->items[i]->s : "";
	}
	return 0;
}

/* ---- OCI image layout ---- */

static int open_blob(int dirfd, const char *digest, struct bh_err *err)
{
	if (!bh_img_digest_ok(digest, strlen(digest)))
		return bh_err_set(err, -EINVAL, 0, 0, "digest \"%.80s\" is not sha256:<64 hex digits>", digest), -1;
	char p[100];
	snprintf(p, sizeof(p), "blobs/sha256/%s", digest + 7);
	int fd = openat(dirfd, p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return bh_err_set(err, -errno, 0, 0, "blob %s: %s", digest, strerror(errno)), -1;
	return fd;
}

static char *read_blob_json(struct bh_image *img, const struct bh_img_src *src, const char *digest, const char *what,
			    size_t *len, struct bh_err *err)
{
	if (!src->dir)
		return src->json(img, src->ctx, digest, what, len, err);
	int dirfd = src->dirfd;
	struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
	if (!b)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), NULL;
	b->fd = open_blob(dirfd, digest, err);
	if (b->fd < 0)
		return NULL;
	b->outer = NULL;
	char *buf = bh_img_blob_slurp(img, b, digest, what, len, err);
	close(b->fd);
	return buf;
}

static bool platform_is(const struct bh_node *desc, const char *want)
{
	const struct bh_node *p = jget(desc, "platform", BH_MAP);
	const char *os = p ? jstr(p, "os") : NULL, *arch = p ? jstr(p, "architecture") : NULL;
	const char *var = p ? jstr(p, "variant") : NULL;
	char have[128];
	snprintf(have, sizeof(have), "%s/%s%s%s", os ? os : "", arch ? arch : "", var ? "/" : "", var ? var : "");
	size_t wn = strlen(want);
	return !strcmp(have, want) || (!strncmp(have, want, wn) && have[wn] == '/');
}

/* The manifest descriptor of an index: the only one, or the one for the platform. */
static const struct bh_node *pick(const struct bh_node *idx, const char *platform, struct bh_err *err)
{
	const struct bh_node *ms = jget(idx, "manifests", BH_SEQ);
	if (!ms || !ms->n)
		return bh_err_set(err, -EINVAL, 0, 0, "index lists no manifests"), NULL;
	if (ms->n == 1 && !platform)
		return ms->items[0];
	const char *want = platform ? platform : "linux/amd64";
	for (uint32_t i = 0; i < ms->n; i++)
		if (ms->items[i]->type == BH_MAP && platform_is(ms->items[i], want))
			return ms->items[i];
	return bh_err_set(err, -ENOENT, 0, 0, "index has %u manifests, none for platform %s (--platform)", ms->n, want), NULL;
}

static int oci_layers(struct bh_image *img, const struct bh_img_src *src, const struct bh_node *layers,
		      struct bh_err *err);

static int oci_manifest(struct bh_image *img, const struct bh_img_src *src, const struct bh_node *desc,
			const struct bh_img_opts *o, int depth, struct bh_err *err)
{
	const char *digest = jstr(desc, "digest");
	if (!digest)
		return bh_err_set(err, -EINVAL, desc->line, desc->col, "manifest descriptor without a digest"), -1;
	size_t len;
	char *buf = read_blob_json(img, src, digest, "manifest", &len, err);
	return buf ? bh_img_manifest(img, src, buf, len, digest, o, depth, err) : -1;
}

int bh_img_manifest(struct bh_image *img, const struct bh_img_src *src, const char *buf, size_t len,
		    const char *digest, const struct bh_img_opts *o, int depth, struct bh_err *err)
{
	const struct bh_node *m = json_parse(img, buf, len, "manifest", err);
	if (!m)
		return -1;
	if (m->type == BH_MAP && jget(m, "manifests", BH_SEQ)) { /* an index (nested, or a registry's) */
		const struct bh_node *d = depth < 4 ? pick(m, o->platform, err) : NULL;
		if (depth >= 4)
			return bh_err_set(err, -ELOOP, 0, 0, "indexes nested more than 4 deep"), -1;
		return d ? oci_manifest(img, src, d, o, depth + 1, err) : -1;
	}
	snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", digest);
	const struct bh_node *cfg = m->type == BH_MAP ? jget(m, "config", BH_MAP) : NULL;
	const char *cd = cfg ? jstr(cfg, "digest") : NULL;
	if (!cd)
		return bh_err_set(err, -EINVAL, 0, 0, "manifest %s has no config descriptor", digest), -1;
	size_t clen;
	char *cbuf = read_blob_json(img, src, cd, "config", &clen, err);
	if (!cbuf || bh_img_parse_config(img, cbuf, clen, NULL, NULL, err))
		return -1;
	snprintf(img->config_digest, sizeof(img->config_digest), "%s", cd);
	return oci_layers(img, src, jget(m, "layers", BH_SEQ), err);
}

static int alloc_layers(struct bh_image *img, uint32_t n, struct bh_err *err)
{
	if (n > img->lim->max_layers)
		return bh_err_set(err, -EFBIG, 0, 0, "%u layers: more than the limit of %u", n, img->lim->max_layers), -1;
	img->layers = bh_arena_alloc(&img->arena, (n ? n : 1) * sizeof(*img->layers));
	if (!img->layers)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	img->nlayers = n;
	return 0;
}

/* prefixes err's message with the layer's number and digest */
static int layer_err(struct bh_err *err, uint32_t i, const char *digest)
{
	char m[sizeof(err->msg)];
	snprintf(m, sizeof(m), "layer %u (%.19s…): %s", i + 1, digest, err->msg);
	snprintf(err->msg, sizeof(err->msg), "%s", m);
	return -1;
}

static int oci_layers(struct bh_image *img, const struct bh_img_src *src, const struct bh_node *layers,
		      struct bh_err *err)
{
	if (alloc_layers(img, layers ? layers->n : 0, err))
		return -1;
	struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
	if (!b)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	for (uint32_t i = 0; i < img->nlayers; i++) {
		const struct bh_node *d = layers->items[i];
		const char *digest = d->type == BH_MAP ? jstr(d, "digest") : NULL;
		struct bh_img_layer *l = &img->layers[i];
		if (!digest)
			return bh_err_set(err, -EINVAL, d->line, d->col, "layer %u: descriptor without a digest", i + 1), -1;
		snprintf(l->digest, sizeof(l->digest), "%s", digest);
		l->media_type = jstr(d, "mediaType");
		l->where = bh_arena_printf(&img->arena, "blobs/sha256/%s", digest + (strlen(digest) > 7 ? 7 : 0));
		if (!bh_img_digest_ok(digest, strlen(digest)))
			return bh_err_set(err, -EINVAL, 0, 0, "digest \"%.80s\" is not sha256:<64 hex digits>", digest),
			       layer_err(err, i, digest);
		b->fd = src->dir ? open_blob(src->dirfd, digest, err) : src->open(img, src->ctx, digest, err);
		if (b->fd < 0)
			return layer_err(err, i, digest);
		b->outer = NULL;
		b->max = img->lim->max_blob;
		char got[72];
		int rc = bh_img_blob_begin(b, err) || bh_img_layer_read(img, b, (uint16_t)i, err) ||
			 bh_img_blob_end(b, digest, got, "blob", err);
		if (rc && b->hash)
			bh_img_blob_end(b, NULL, got, "blob", &(struct bh_err){0});
		close(b->fd);
		l->size = b->n;
		img->bytes_stored += b->n;
		if (rc)
			return layer_err(err, i, digest);
	}
	return 0;
}

int bh_img_read_oci(struct bh_image *img, const char *dir, const struct bh_img_opts *o, struct bh_err *err)
{
	int dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return bh_err_set(err, -errno, 0, 0, "%s: %s", dir, strerror(errno)), -1;
	img->kind = "oci";
	struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
	int rc = -1;
	size_t len;
	if (!b) {
		bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	} else if ((b->fd = openat(dirfd, "index.json", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		bh_err_set(err, -errno, 0, 0, "%s/index.json: %s (not an OCI image layout)", dir, strerror(errno));
	} else {
		char *buf = bh_img_blob_slurp(img, b, NULL, "index.json", &len, err);
		close(b->fd);
		const struct bh_node *idx = buf ? json_parse(img, buf, len, "index.json", err) : NULL;
		const struct bh_node *d = idx && idx->type == BH_MAP ? pick(idx, o->platform, err) : NULL;
		if (idx && idx->type != BH_MAP)
			bh_err_set(err, -EINVAL, 0, 0, "index.json: not a JSON object");
		struct bh_img_src src = {.dir = true, .dirfd = dirfd};
		rc = d ? oci_manifest(img, &src, d, o, 0, err) : -1;
		const struct bh_node *ann = d ? jget(d, "annotations", BH_MAP) : NULL;
		const char *ref = ann ? jstr(ann, "org.opencontainers.image.ref.name") : NULL;
		if (ref && (img->tags = bh_arena_alloc(&img->arena, sizeof(char *))))
			img->tags[img->ntags++] = ref;
	}
	close(dirfd);
	return rc;
}
