/* The merged filesystem of an image without extracting it: a table of paths, each with the layer that
 * wrote it last, and a table of whiteouts. Layers are applied in order as the OCI image spec says
 * (layer.md, "Whiteouts"): ".wh.NAME" removes NAME (and what lies under it) from the layers below,
 * ".wh..wh..opq" hides every entry of the lower layers in its directory. A later file that replaces a
 * directory hides what lay under that directory too. Lookups follow symlinks inside the image only: ".."
 * stops at the root and absolute targets restart at the image root (how a runtime resolves paths in the
 * container's root, e.g. securejoin), so a link such as "../../../etc/shadow" cannot reach the host. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"

static uint32_t fnv(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (uint8_t)s[i]) * 16777619u;
	return h ? h : 1;
}

static struct bh_img_file **slot(struct bh_img_file **tab, uint32_t cap, const char *p, size_t n, uint32_t h)
{
	for (uint32_t i = h & (cap - 1);; i = (i + 1) & (cap - 1)) {
		struct bh_img_file *f = tab[i];
		if (!f || (f->hash == h && !strncmp(f->path, p, n) && !f->path[n]))
			return &tab[i];
	}
}

static int grow(struct bh_img_file ***tab, uint32_t *cap, uint32_t n)
{
	if (*cap && (uint64_t)n * 4 < (uint64_t)*cap * 3)
		return 0;
	uint32_t nc = *cap ? *cap * 2 : 1024;
	struct bh_img_file **nt = calloc(nc, sizeof(*nt));
	if (!nt)
		return -1;
	for (uint32_t i = 0; i < *cap; i++) {
		struct bh_img_file *f = (*tab)[i];
		if (f)
			*slot(nt, nc, f->path, strlen(f->path), f->hash) = f;
	}
	free(*tab);
	*tab = nt;
	*cap = nc;
	return 0;
}

static struct bh_img_file *get(struct bh_img_file **tab, uint32_t cap, const char *p, size_t n)
{
	return cap ? *slot(tab, cap, p, n, fnv(p, n)) : NULL;
}

static struct bh_img_file *put(struct bh_image *img, struct bh_img_file ***tab, uint32_t *cap, uint32_t *cnt,
			       const char *p, size_t n, struct bh_err *err)
{
	if (grow(tab, cap, *cnt + 1))
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory (file table)"), NULL;
	uint32_t h = fnv(p, n);
	struct bh_img_file **s = slot(*tab, *cap, p, n, h);
	if (!*s) {
		struct bh_img_file *f = bh_arena_alloc(&img->arena, sizeof(*f));
		char *path = f ? bh_arena_strndup(&img->arena, p, n) : NULL;
		if (!path)
			return bh_err_set(err, -ENOMEM, 0, 0, "image larger than the memory limit of %zu bytes",
					  img->lim->max_memory), NULL;
		f->path = path;
		f->hash = h;
		*s = f;
		(*cnt)++;
	}
	return *s;
}

struct bh_img_file *bh_img_fs_add(struct bh_image *img, const char *path, size_t len, struct bh_err *err)
{
	struct bh_img_file *f = put(img, &img->tab, &img->tabcap, &img->nfiles, path, len, err);
	if (f) { /* a new version of the path: forget what the lower layer said */
		const char *p = f->path;
		uint32_t h = f->hash;
		memset(f, 0, sizeof(*f));
		f->path = p;
		f->hash = h;
	}
	return f;
}

/* Whiteouts: mode 1 = the path itself and below (".wh.NAME"), 2 = only below (opaque); uid holds the
 * highest layer of each kind (+1, 0 = none): gid for opaque. */
int bh_img_fs_whiteout(struct bh_image *img, const char *path, size_t len, bool opaque, uint16_t layer,
		       struct bh_err *err)
{
	struct bh_img_file *w = put(img, &img->wh, &img->whcap, &img->nwh, path, len, err);
	if (!w)
		return -1;
	if (opaque)
		w->gid = (uint32_t)layer + 1;
	else
		w->uid = (uint32_t)layer + 1;
	return 0;
}

/* Is f (written by layer f->layer) removed by a later layer? Checks the path and every ancestor. */
static bool removed(const struct bh_image *img, const struct bh_img_file *f)
{
	const char *p = f->path;
	size_t n = strlen(p);
	uint32_t L = (uint32_t)f->layer + 1;
	const struct bh_img_file *w = get(img->wh, img->whcap, p, n);
	if (w && w->uid > L)
		return true;
	for (size_t i = n; i-- > 0;) {
		if (p[i] != '/')
			continue;
		w = get(img->wh, img->whcap, p, i);
		if (w && (w->uid > L || w->gid > L))
			return true;
		const struct bh_img_file *a = get(img->tab, img->tabcap, p, i);
		if (a && a->layer + 1 > (int)L && a->type != 'd')
			return true;
	}
	return false;
}

void bh_img_fs_finish(struct bh_image *img)
{
	for (uint32_t i = 0; i < img->tabcap; i++) {
		struct bh_img_file *f = img->tab[i];
		if (f)
			f->hidden = removed(img, f);
	}
	/* hard links take the target's mode, owner and capabilities (tar stores them once) */
	for (uint32_t i = 0; i < img->tabcap; i++) {
		struct bh_img_file *f = img->tab[i];
		if (!f || f->type != 'h' || !f->link)
			continue;
		const struct bh_img_file *t = get(img->tab, img->tabcap, f->link, strlen(f->link));
		if (t && t->type == 'f') {
			f->mode = t->mode;
			if (!f->cap) {
				f->cap = t->cap;
				f->caplen = t->caplen;
			}
		}
	}
}

int bh_img_path_clean(const char *in, char *buf, size_t size, struct bh_err *err)
{
	if (in[0] == '/')
		return bh_err_set(err, -EINVAL, 0, 0, "absolute path \"%.200s\" in a layer", in), -1;
	size_t o = 0;
	const char *s = in;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 2 && s[0] == '.' && s[1] == '.')
			return bh_err_set(err, -EINVAL, 0, 0, "path \"%.200s\" in a layer climbs out with \"..\"", in), -1;
		if (n && !(n == 1 && s[0] == '.')) {
			if (o + n + 2 > size)
				return bh_err_set(err, -ENAMETOOLONG, 0, 0, "path \"%.100s…\" in a layer is longer than %zu bytes",
						  in, size - 1), -1;
			if (o)
				buf[o++] = '/';
			memcpy(buf + o, s, n);
			o += n;
		}
		s += n + (e != NULL);
	}
	buf[o] = 0;
	return (int)o;
}

static const struct bh_img_file *visible(const struct bh_image *img, const char *p, size_t n)
{
	const struct bh_img_file *f = get(img->tab, img->tabcap, p, n);
	return f && !f->hidden ? f : NULL;
}

/* Walks path component by component in cur (the resolved prefix); a symlink's target is put in front of
 * the components still to walk. At most 40 links (Linux's MAXSYMLINKS). */
const struct bh_img_file *bh_img_lookup(const struct bh_image *img, const char *path, bool follow_last)
{
	char cur[4096], rest[4096];
	size_t cn = 0;
	int hops = 0;
	if (strlen(path) >= sizeof(rest))
		return NULL;
	strcpy(rest, path);
	const struct bh_img_file *f = NULL;
	char *r = rest;
	while (*r) {
		while (*r == '/')
			r++;
		if (!*r)
			break;
		char *e = strchr(r, '/');
		size_t n = e ? (size_t)(e - r) : strlen(r);
		bool last = !e || !e[strspn(e, "/")];
		if (n == 1 && r[0] == '.') {
			r += n;
			continue;
		}
		if (n == 2 && r[0] == '.' && r[1] == '.') {
			while (cn && cur[cn - 1] != '/')
				cn--;
			if (cn)
				cn--;
			r += n;
			f = cn ? visible(img, cur, cn) : NULL;
			continue;
		}
		if (cn + n + 2 > sizeof(cur))
			return NULL;
		if (cn)
			cur[cn++] = '/';
		memcpy(cur + cn, r, n);
		cn += n;
		r += n;
		if (!(f = visible(img, cur, cn)))
			return NULL;
		if (f->type == 'l' && f->link && (!last || follow_last)) {
			if (++hops > 40)
				return NULL;
			char tmp[4096];
			int w = snprintf(tmp, sizeof(tmp), "%s/%s", f->link, r);
			if (w < 0 || (size_t)w >= sizeof(tmp))
				return NULL;
			cn -= n;
			if (cn)
				cn--;
			if (f->link[0] == '/')
				cn = 0;
			memcpy(rest, tmp, (size_t)w + 1);
			r = rest;
		}
	}
	return cn ? f : NULL;
}
