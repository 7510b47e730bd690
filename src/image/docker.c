/* `docker save` archives: an outer tar holding manifest.json ([{"Config": PATH, "RepoTags": […],
 * "Layers": [PATH…]}]), the config and the layer tars. The outer tar is opened again for each blob and
 * read up to its entry (libarchive skips by seeking on a plain file), so memory stays bounded whatever the
 * archive's size and order. Digests: a path "blobs/sha256/<hex>" (Docker 25+) or "<hex>.json" names the
 * hash of its bytes; an older "<id>/layer.tar" is an uncompressed tar whose hash is the config's
 * rootfs.diff_ids entry for it. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "decode/json.h"
#include "image.h"

/* The outer archive positioned at the entry named path (cleaned the same way). NULL with err set. */
static struct archive *open_at(const char *file, const char *path, struct bh_err *err)
{
	char want[4096], have[4096];
	struct bh_err e2 = {0};
	if (bh_img_path_clean(path, want, sizeof(want), err) < 0)
		return NULL;
	struct archive *a = archive_read_new();
	if (!a)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), NULL;
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, file, 64 * 1024) != ARCHIVE_OK) {
		bh_err_set(err, -EIO, 0, 0, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) : "unreadable");
		archive_read_free(a);
		return NULL;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *n = archive_entry_pathname(e);
		if (n && archive_entry_filetype(e) == AE_IFREG && bh_img_path_clean(n, have, sizeof(have), &e2) >= 0 &&
		    !strcmp(have, want))
			return a;
	}
	if (r == ARCHIVE_EOF)
		bh_err_set(err, -ENOENT, 0, 0, "%s: no entry \"%.200s\" in the archive", file, path);
	else
		bh_err_set(err, -EIO, 0, 0, "%s: %s", file, archive_error_string(a) ? archive_error_string(a) : "unreadable");
	archive_read_free(a);
	return NULL;
}

/* "sha256:<hex>" from a path "blobs/sha256/<hex>" or "<hex>.json", else NULL */
static const char *digest_of_path(struct bh_image *img, const char *p)
{
	const char *b = strrchr(p, '/');
	b = b ? b + 1 : p;
	size_t n = strlen(b);
	if (n == 69 && !strcmp(b + 64, ".json"))
		n = 64;
	else if (!(n == 64 && strstr(p, "sha256/")))
		return NULL;
	char d[72];
	snprintf(d, sizeof(d), "sha256:%.64s", b);
	return bh_img_digest_ok(d, n + 7) ? bh_arena_strndup(&img->arena, d, 71) : NULL;
}

static char *slurp_entry(struct bh_image *img, const char *file, const char *path, const char *want, size_t *len,
			 struct bh_err *err)
{
	struct archive *a = open_at(file, path, err);
	if (!a)
		return NULL;
	struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
	char *buf = NULL;
	if (!b) {
		bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	} else {
		b->fd = -1;
		b->outer = a;
		buf = bh_img_blob_slurp(img, b, want, path, len, err);
	}
	archive_read_free(a);
	return buf;
}

static int read_layer(struct bh_image *img, const char *file, uint32_t i, const char *want, struct bh_err *err)
{
	struct bh_img_layer *l = &img->layers[i];
	struct archive *a = open_at(file, l->where, err);
	if (!a)
		return -1;
	struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
	int rc = -1;
	if (b) {
		char got[72];
		b->fd = -1;
		b->outer = a;
		b->max = img->lim->max_blob;
		rc = bh_img_blob_begin(b, err) || bh_img_layer_read(img, b, (uint16_t)i, err) ||
		     bh_img_blob_end(b, want, got, "blob", err);
		if (rc && b->hash)
			bh_img_blob_end(b, NULL, got, "blob", &(struct bh_err){0});
		snprintf(l->digest, sizeof(l->digest), "%s", got);
		l->size = b->n;
		img->bytes_stored += b->n;
	}
	archive_read_free(a);
	return rc ? -1 : 0;
}

static int layers(struct bh_image *img, const char *file, const struct bh_node *ls, const char **diff,
		  uint32_t ndiff, struct bh_err *err)
{
	if (ls->n > img->lim->max_layers)
		return bh_err_set(err, -EFBIG, 0, 0, "%u layers: more than the limit of %u", ls->n, img->lim->max_layers), -1;
	img->layers = bh_arena_alloc(&img->arena, (ls->n ? ls->n : 1) * sizeof(*img->layers));
	if (!img->layers)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	img->nlayers = ls->n;
	for (uint32_t i = 0; i < ls->n; i++) {
		const char *p = ls->items[i]->type == BH_SCALAR ? ls->items[i]->s : NULL;
		const char *want = p ? digest_of_path(img, p) : NULL;
		if (!want && i < ndiff && bh_img_digest_ok(diff[i], strlen(diff[i])))
			want = diff[i];
		if (!p || !want)
			return bh_err_set(err, -EINVAL, 0, 0, "layer %u: no digest to verify it against (path %s, %u diff_ids)",
					  i + 1, p ? p : "missing", ndiff), -1;
		img->layers[i].where = p;
		if (read_layer(img, file, i, want, err)) {
			char m[sizeof(err->msg)];
			snprintf(m, sizeof(m), "layer %u (%s): %s", i + 1, p, err->msg);
			snprintf(err->msg, sizeof(err->msg), "%s", m);
			return -1;
		}
	}
	return 0;
}

static void tags(struct bh_image *img, const struct bh_node *m)
{
	const struct bh_node *t = bh_map_get(m, "RepoTags", BH_READ_LAST, NULL, NULL);
	if (!t || t->type != BH_SEQ || !t->n || !(img->tags = bh_arena_alloc(&img->arena, t->n * sizeof(char *))))
		return;
	for (uint32_t i = 0; i < t->n && i < 64; i++)
		if (t->items[i]->type == BH_SCALAR)
			img->tags[img->ntags++] = t->items[i]->s;
}

int bh_img_read_docker(struct bh_image *img, const char *file, const struct bh_img_opts *o, struct bh_err *err)
{
	size_t len;
	img->kind = "docker-archive";
	char *buf = slurp_entry(img, file, "manifest.json", NULL, &len, err);
	struct bh_json_reader r;
	struct bh_doc doc;
	struct bh_limits lim = bh_default_limits;
	lim.max_depth = 64;
	if (!buf)
		return -1;
	bh_json_init(&r, "manifest.json", buf, len, &lim);
	if (bh_json_next(&r, &img->arena, &doc, err) <= 0 || !doc.root)
		return bh_err_set(err, -EINVAL, err->line, err->col, "manifest.json:%u:%u: %s", err->line, err->col,
				  err->msg[0] ? err->msg : "empty"), -1;
	const struct bh_node *m = doc.root->type == BH_SEQ && doc.root->n ? doc.root->items[0] : NULL;
	const struct bh_node *cfg = m && m->type == BH_MAP ? bh_map_get(m, "Config", BH_READ_LAST, NULL, NULL) : NULL;
	const struct bh_node *ls = m && m->type == BH_MAP ? bh_map_get(m, "Layers", BH_READ_LAST, NULL, NULL) : NULL;
	if (!cfg || cfg->type != BH_SCALAR || !ls || ls->type != BH_SEQ)
		return bh_err_set(err, -EINVAL, 0, 0, "manifest.json: expected [{\"Config\": …, \"Layers\": […]}]"), -1;
	/* several images in one archive: the first is read (docs/image.md) */
	tags(img, m);
	const char *cd = digest_of_path(img, cfg->s);
	if (!cd)
		return bh_err_set(err, -EINVAL, 0, 0, "config %s: its name is no digest to verify it against", cfg->s), -1;
	const char **diff = NULL;
	uint32_t ndiff = 0;
	char *cbuf = slurp_entry(img, file, cfg->s, cd, &len, err);
	if (!cbuf || bh_img_parse_config(img, cbuf, len, &diff, &ndiff, err))
		return -1;
	snprintf(img->config_digest, sizeof(img->config_digest), "%s", cd);
	return layers(img, file, ls, diff, ndiff, err);
}
