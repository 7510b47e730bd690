/* Blobs: bytes hashed with SHA-256 (GnuTLS) as they are read, from a file or from an entry of an outer
 * archive (a docker save tar), and compared with the digest that named them (OCI image spec,
 * descriptor.md: the digest is the hash of the bytes as stored). */
#include <archive.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

bool bh_img_digest_ok(const char *d, size_t len)
{
	if (len != 71 || memcmp(d, "sha256:", 7))
		return false;
	for (size_t i = 7; i < len; i++)
		if (!((d[i] >= '0' && d[i] <= '9') || (d[i] >= 'a' && d[i] <= 'f')))
			return false;
	return true;
}

int bh_img_blob_begin(struct bh_img_blob *b, struct bh_err *err)
{
	gnutls_hash_hd_t h;
	b->n = 0;
	b->over = false;
	b->hash = NULL;
	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0)
		return bh_err_set(err, -EIO, 0, 0, "cannot start SHA-256"), -1;
	b->hash = h;
	return 0;
}

long bh_img_blob_read(struct bh_img_blob *b, void *dst, size_t len)
{
	ssize_t r;
	if (b->fd >= 0) {
		do
			r = read(b->fd, dst, len);
		while (r < 0 && errno == EINTR);
	} else {
		r = archive_read_data((struct archive *)b->outer, dst, len);
	}
	if (r < 0)
		return -1;
	if (r > 0) {
		gnutls_hash((gnutls_hash_hd_t)b->hash, dst, (size_t)r);
		b->n += (uint64_t)r;
		if (b->max && b->n > b->max) {
			b->over = true;
			return -1;
		}
	}
	return (long)r;
}

static void finish_hash(struct bh_img_blob *b, char got[72])
{
	unsigned char md[32];
	gnutls_hash_deinit((gnutls_hash_hd_t)b->hash, md);
	b->hash = NULL;
	memcpy(got, "sha256:", 7);
	for (int i = 0; i < 32; i++) {
		got[7 + 2 * i] = "0123456789abcdef"[md[i] >> 4];
		got[8 + 2 * i] = "0123456789abcdef"[md[i] & 15];
	}
	got[71] = 0;
}

int bh_img_blob_end(struct bh_img_blob *b, const char *want, char got[72], const char *what, struct bh_err *err)
{
	long r;
	while ((r = bh_img_blob_read(b, b->buf, sizeof(b->buf))) > 0)
		;
	if (r < 0 || b->over) {
		if (b->hash)
			finish_hash(b, got);
		if (b->over)
			return bh_err_set(err, -EFBIG, 0, 0, "%s: larger than the limit of %llu bytes", what,
					  (unsigned long long)b->max), -1;
		return bh_err_set(err, -EIO, 0, 0, "%s: read error (truncated?)", what), -1;
	}
	finish_hash(b, got);
	if (want && strcmp(want, got))
		return bh_err_set(err, -EBADMSG, 0, 0, "%s: digest mismatch: expected %s, content hashes to %s", what, want,
				  got), -1;
	return 0;
}

char *bh_img_blob_slurp(struct bh_image *img, struct bh_img_blob *b, const char *want, const char *what,
			size_t *len, struct bh_err *err)
{
	size_t cap = 4096, n = 0;
	char *buf = bh_arena_alloc(&img->arena, cap + 1);
	if (!buf || bh_img_blob_begin(b, err))
		return buf ? NULL : (bh_err_set(err, -ENOMEM, 0, 0, "%s: out of memory", what), NULL);
	b->max = img->lim->max_json;
	for (;;) {
		if (n == cap) {
			char *nb = bh_arena_alloc(&img->arena, cap * 2 + 1);
			if (!nb) {
				char got[72];
				b->over = false;
				bh_img_blob_end(b, NULL, got, what, err);
				return bh_err_set(err, -ENOMEM, 0, 0, "%s: out of memory", what), NULL;
			}
			memcpy(nb, buf, n);
			buf = nb;
			cap *= 2;
		}
		long r = bh_img_blob_read(b, buf + n, cap - n);
		if (r <= 0) {
			char got[72];
			if (r < 0 && !b->over && b->hash)
				finish_hash(b, got);
			if (r < 0 && !b->over)
				return bh_err_set(err, -EIO, 0, 0, "%s: read error (truncated?)", what), NULL;
			if (bh_img_blob_end(b, want, got, what, err))
				return NULL;
			break;
		}
		n += (size_t)r;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}
