/* One layer tar through libarchive, streamed: the blob's bytes are hashed on their way in (blob.c),
 * libarchive decompresses (gzip, zstd, xz, bzip2 — its own code, no external programs) and parses the
 * tar, pax headers included (SCHILY.xattr.security.capability arrives as an xattr of the entry). Nothing
 * is written to disk; only the contents of files named *passwd* or *group* (up to max_capture bytes) are kept. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <string.h>

#include "image.h"


static la_ssize_t rd(struct archive *a, void *arg, const void **out)
{
	struct bh_img_blob *b = arg;
	long r = bh_img_blob_read(b, b->buf, sizeof(b->buf));
	if (r < 0) {
		archive_set_error(a, EIO, b->over ? "blob larger than the limit" : "read error");
		return -1;
	}
	*out = b->buf;
	return r;
}

static char ftype(mode_t t)
{
	switch (t) {
	case AE_IFREG: return 'f';
	case AE_IFDIR: return 'd';
	case AE_IFLNK: return 'l';
	case AE_IFCHR: return 'c';
	case AE_IFBLK: return 'b';
	case AE_IFIFO: return 'p';
	default: return '?';
	}
}

static bool wants_content(const char *p)
{
	const char *b = strrchr(p, '/');
	b = b ? b + 1 : p;
	/* /etc/passwd may be a symlink to another name (base-passwd's passwd.master, a test's passwd-img) */
	return strstr(b, "passwd") || strstr(b, "group");
}

static int capture(struct bh_image *img, struct archive *a, struct archive_entry *e, struct bh_img_file *f)
{
	la_int64_t sz = archive_entry_size(e);
	if (sz <= 0 || (uint64_t)sz > img->lim->max_capture)
		return 0;
	char *buf = bh_arena_alloc(&img->arena, (size_t)sz + 1);
	if (!buf)
		return -1;
	la_ssize_t n = archive_read_data(a, buf, (size_t)sz);
	if (n < 0)
		return -1;
	buf[n] = 0;
	f->content = buf;
	f->clen = (uint32_t)n;
	return 0;
}

static int xattrs(struct bh_image *img, struct archive_entry *e, struct bh_img_file *f)
{
	const char *name;
	const void *val;
	size_t len;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		if (strcmp(name, "security.capability") || len > 64)
			continue;
		uint8_t *c = bh_arena_alloc(&img->arena, len ? len : 1);
		if (!c)
			return -1;
		memcpy(c, val, len);
		f->cap = c;
		f->caplen = (uint32_t)len;
	}
	return 0;
}

/* A whiteout entry: ".wh..wh..opq" makes its directory opaque, ".wh.NAME" removes NAME. */
static int whiteout(struct bh_image *img, char *path, int n, uint16_t li, struct bh_err *err)
{
	char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t dirlen = base == path ? 0 : (size_t)(base - path - 1);
	if (!strcmp(base, ".wh..wh..opq"))
		return bh_img_fs_whiteout(img, path, dirlen, true, li, err);
	memmove(base, base + 4, strlen(base + 4) + 1);
	return bh_img_fs_whiteout(img, path, (size_t)n - 4, false, li, err);
}

static int entry(struct bh_image *img, struct archive *a, struct archive_entry *e, uint16_t li, struct bh_err *err)
{
	char path[4096];
	const char *name = archive_entry_pathname(e);
	size_t maxp = img->lim->max_path < sizeof(path) ? img->lim->max_path + 1 : sizeof(path);
	int n = name ? bh_img_path_clean(name, path, maxp, err) : bh_err_set(err, -EINVAL, 0, 0, "entry without a name");
	if (n <= 0)
		return n;
	const char *base = strrchr(path, '/');
	if (!strncmp(base ? base + 1 : path, ".wh.", 4))
		return whiteout(img, path, n, li, err);
	struct bh_img_file *f = bh_img_fs_add(img, path, (size_t)n, err);
	if (!f)
		return -1;
	f->layer = li;
	f->mode = archive_entry_perm(e) | (archive_entry_mode(e) & 07000);
	f->uid = (uint32_t)archive_entry_uid(e);
	f->gid = (uint32_t)archive_entry_gid(e);
	f->type = ftype(archive_entry_filetype(e));
	const char *hl = archive_entry_hardlink(e), *sl = archive_entry_symlink(e);
	if (hl) {
		char t[4096];
		int tn = bh_img_path_clean(hl, t, sizeof(t), err);
		if (tn < 0)
			return -1;
		f->type = 'h';
		f->link = bh_arena_strndup(&img->arena, t, (size_t)tn);
	} else if (sl && f->type == 'l') {
		f->link = bh_arena_strndup(&img->arena, sl, strlen(sl));
	}
	if ((hl || sl) && !f->link)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	if (xattrs(img, e, f) || (f->type == 'f' && wants_content(path) && capture(img, a, e, f)))
		return bh_err_set(err, -EIO, 0, 0, "cannot read \"%s\" (truncated or out of memory)", path), -1;
	return 0;
}

static int check_budget(struct bh_image *img, struct archive *a, struct archive_entry *e, uint64_t base,
			struct bh_err *err)
{
	la_int64_t sz = archive_entry_size(e);
	uint64_t now = base + (uint64_t)archive_filter_bytes(a, 0) + (sz > 0 ? (uint64_t)sz : 0);
	if (now > img->lim->max_unpacked)
		return bh_err_set(err, -EFBIG, 0, 0,
				  "layers unpack to more than %llu bytes (decompression bomb or an image beyond the limit)",
				  (unsigned long long)img->lim->max_unpacked), -1;
	if (++img->entries > img->lim->max_entries)
		return bh_err_set(err, -EFBIG, 0, 0, "more than %u files in the layers", img->lim->max_entries), -1;
	return 0;
}

static int walk(struct bh_image *img, struct archive *a, uint16_t li, struct bh_err *err)
{
	struct archive_entry *e;
	uint64_t base = img->bytes_unpacked;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		if (check_budget(img, a, e, base, err) || entry(img, a, e, li, err))
			return -1;
		img->layers[li].entries++;
	}
	if (r != ARCHIVE_EOF)
		return bh_err_set(err, -EIO, 0, 0, "%s", archive_error_string(a) ? archive_error_string(a) : "unreadable tar"), -1;
	img->bytes_unpacked = base + (uint64_t)archive_filter_bytes(a, 0);
	return 0;
}

int bh_img_layer_read(struct bh_image *img, struct bh_img_blob *b, uint16_t li, struct bh_err *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	int rc = -1;
	if (archive_read_open(a, b, NULL, rd, NULL) != ARCHIVE_OK)
		bh_err_set(err, -EIO, 0, 0, "not a tar: %s", archive_error_string(a) ? archive_error_string(a) : "?");
	else
		rc = walk(img, a, li, err);
	archive_read_free(a);
	return rc;
}
