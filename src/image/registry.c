/* Images from a registry: the OCI distribution API (distribution-spec spec.md) over HTTPS with libcurl.
 * GET /v2/<name>/manifests/<reference> (an index is narrowed to --platform), then the config and layers with
 * GET /v2/<name>/blobs/<digest>, each verified against its digest: JSON blobs in memory, layers through an
 * unlinked temporary file that the layer reader hashes again while it streams it. Authentication: anonymous;
 * on 401 the WWW-Authenticate challenge decides — Bearer (realm, service, scope: the token endpoint of the
 * distribution token spec, asked anonymously or with the basic credentials) or Basic — with credentials
 * from a docker config.json ("auths": {HOST: {"auth": base64(user:password)}}). */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <strings.h>
#include <sys/mman.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "decode/json.h"
#include "image.h"

struct reg {
	CURL *c;
	char host[256], repo[512], ref[200];
	char auth[4096];          /* "Authorization: …" once known */
	char basic[512];          /* base64(user:password) from config.json, or "" */
	const struct bh_img_opts *o;
	bool tried_auth;
};

struct sink {
	char *buf;
	size_t n, cap, max;
	int fd;                   /* >= 0: write there */
	bool over;
	char challenge[1024];
	char digest[80];
};

static size_t on_body(char *p, size_t sz, size_t nm, void *arg)
{
	struct sink *s = arg;
	size_t n = sz * nm;
	if (s->n + n > s->max) {
		s->over = true;
		return 0;
	}
	if (s->fd >= 0) {
		if (write(s->fd, p, n) != (ssize_t)n)
			return 0;
	} else {
		if (s->n + n + 1 > s->cap) {
			size_t nc = (s->n + n + 1) * 2;
			char *nb = realloc(s->buf, nc);
			if (!nb)
				return 0;
			s->buf = nb;
			s->cap = nc;
		}
		memcpy(s->buf + s->n, p, n);
		s->buf[s->n + n] = 0;
	}
	s->n += n;
	return n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *arg)
{
	struct sink *s = arg;
	size_t n = sz * nm;
	if (n > 18 && !strncasecmp(p, "WWW-Authenticate:", 17))
		snprintf(s->challenge, sizeof(s->challenge), "%.*s", (int)(n - 17), p + 17);
	else if (n > 22 && !strncasecmp(p, "Docker-Content-Digest:", 22))
		snprintf(s->digest, sizeof(s->digest), "%.*s", (int)(n - 22), p + 22);
	return n;
}

static void trim(char *s)
{
	size_t a = strspn(s, " \t"), n = strlen(s);
	while (n > a && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	memmove(s, s + a, n - a);
	s[n - a] = 0;
}

static long get(struct reg *r, const char *url, const char *accept, struct sink *s, struct bh_err *err)
{
	struct curl_slist *h = NULL;
	char acc[600];
	if (accept) {
		snprintf(acc, sizeof(acc), "Accept: %s", accept);
		h = curl_slist_append(h, acc);
	}
	if (r->auth[0])
		h = curl_slist_append(h, r->auth);
	curl_easy_reset(r->c);
	curl_easy_setopt(r->c, CURLOPT_URL, url);
	curl_easy_setopt(r->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(r->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->c, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(r->c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(r->c, CURLOPT_HEADERDATA, s);
	curl_easy_setopt(r->c, CURLOPT_FOLLOWLOCATION, 1L); /* blob GETs redirect to storage */
	curl_easy_setopt(r->c, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(r->c, CURLOPT_PROTOCOLS_STR, r->o->plain_http ? "https,http" : "https");
	curl_easy_setopt(r->c, CURLOPT_REDIR_PROTOCOLS_STR, r->o->plain_http ? "https,http" : "https");
	curl_easy_setopt(r->c, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(r->c, CURLOPT_LOW_SPEED_LIMIT, 1024L); /* a stalled registry ends the read */
	curl_easy_setopt(r->c, CURLOPT_LOW_SPEED_TIME, 30L);
	curl_easy_setopt(r->c, CURLOPT_USERAGENT, "bulkhead");
	curl_easy_setopt(r->c, CURLOPT_NOSIGNAL, 1L); /* threads (the verifier's workers): no SIGALRM */
	if (r->o->timeout_ms) /* the whole transfer, however slowly the registry trickles */
		curl_easy_setopt(r->c, CURLOPT_TIMEOUT_MS, r->o->timeout_ms);
	if (r->o->registry_ca)
		curl_easy_setopt(r->c, CURLOPT_CAINFO, r->o->registry_ca);
	CURLcode rc = curl_easy_perform(r->c);
	curl_slist_free_all(h);
	long status = 0;
	curl_easy_getinfo(r->c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK && !(s->over && rc == CURLE_WRITE_ERROR))
		return bh_err_set(err, -EIO, 0, 0, "%s: %s", url, curl_easy_strerror(rc)), -1;
	if (s->over)
		return bh_err_set(err, -EFBIG, 0, 0, "%s: larger than the limit of %zu bytes", url, s->max), -1;
	trim(s->challenge);
	trim(s->digest);
	return status;
}

/* key="value" out of a challenge's parameters */
static bool param(const char *ch, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	for (const char *p = ch; (p = strstr(p, key)); p += kl) {
		if ((p != ch && p[-1] != ' ' && p[-1] != ',') || p[kl] != '=' || p[kl + 1] != '"')
			continue;
		const char *v = p + kl + 2, *e = strchr(v, '"');
		if (!e || (size_t)(e - v) >= n)
			return false;
		memcpy(out, v, (size_t)(e - v));
		out[e - v] = 0;
		return true;
	}
	return false;
}

static int token(struct reg *r, const char *ch, struct bh_err *err)
{
	char realm[512], service[256] = "", scope[600] = "", url[2048];
	if (!param(ch, "realm", realm, sizeof(realm)))
		return bh_err_set(err, -EACCES, 0, 0, "registry %s: Bearer challenge without a realm", r->host), -1;
	param(ch, "service", service, sizeof(service));
	if (!param(ch, "scope", scope, sizeof(scope)))
		snprintf(scope, sizeof(scope), "repository:%s:pull", r->repo);
	char *es = curl_easy_escape(r->c, service, 0), *esc = curl_easy_escape(r->c, scope, 0);
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?", es ? es : "",
		 esc ? esc : "");
	curl_free(es);
	curl_free(esc);
	snprintf(r->auth, sizeof(r->auth), "%s%s", r->basic[0] ? "Authorization: Basic " : "", r->basic);
	struct sink s = {.fd = -1, .max = 1 << 20};
	long st = get(r, url, "application/json", &s, err);
	struct bh_arena a;
	bh_arena_init(&a, 4u << 20);
	struct bh_json_reader jr;
	struct bh_doc doc;
	int ok = -1;
	if (st == 200 && s.buf) {
		bh_json_init(&jr, "token", s.buf, s.n, &bh_default_limits);
		const char *t = NULL;
		size_t tl;
		if (bh_json_next(&jr, &a, &doc, err) > 0 && doc.root && doc.root->type == BH_MAP &&
		    (bh_as_str(bh_map_get(doc.root, "token", BH_READ_LAST, NULL, NULL), &t, &tl) == BH_OK ||
		     bh_as_str(bh_map_get(doc.root, "access_token", BH_READ_LAST, NULL, NULL), &t, &tl) == BH_OK) &&
		    tl < sizeof(r->auth) - 40) {
			snprintf(r->auth, sizeof(r->auth), "Authorization: Bearer %s", t);
			ok = 0;
		}
	}
	if (ok && st >= 0)
		bh_err_set(err, -EACCES, 0, 0, "registry %s: token endpoint %s answered %ld without a token", r->host, realm, st);
	if (ok)
		r->auth[0] = 0;
	bh_arena_release(&a);
	free(s.buf);
	return ok;
}

/* GET with authentication: anonymous first, then what the 401's challenge asks for (once). */
static long fetch(struct reg *r, const char *path, const char *accept, struct sink *s, struct bh_err *err)
{
	char url[2048];
	snprintf(url, sizeof(url), "%s://%s/v2/%s/%s", r->o->plain_http ? "http" : "https", r->host, r->repo, path);
	for (;;) {
		size_t n0 = s->n;
		long st = get(r, url, accept, s, err);
		if (st != 401 || r->tried_auth)
			return st;
		r->tried_auth = true;
		if (s->fd >= 0 && (lseek(s->fd, 0, SEEK_SET) || ftruncate(s->fd, 0)))
			return bh_err_set(err, -errno, 0, 0, "temporary file: %s", strerror(errno)), -1;
		s->n = n0 = 0;
		if (!strncasecmp(s->challenge, "Bearer ", 7)) {
			if (token(r, s->challenge + 7, err))
				return -1;
		} else if (!strncasecmp(s->challenge, "Basic", 5) && r->basic[0]) {
			snprintf(r->auth, sizeof(r->auth), "Authorization: Basic %s", r->basic);
		} else {
			return 401;
		}
	}
}

static const char accept_manifest[] =
	"application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "
	"application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v2+json";

static char *reg_json(struct bh_image *img, void *ctx, const char *digest, const char *what, size_t *len,
		      struct bh_err *err)
{
	struct reg *r = ctx;
	char path[200];
	snprintf(path, sizeof(path), "%s/%s", strcmp(what, "manifest") ? "blobs" : "manifests", digest);
	struct sink s = {.fd = -1, .max = img->lim->max_json};
	long st = fetch(r, path, strcmp(what, "manifest") ? NULL : accept_manifest, &s, err);
	char *out = NULL;
	if (st >= 0 && st != 200)
		bh_err_set(err, -EIO, 0, 0, "registry %s: %s %s: HTTP %ld", r->host, what, digest, st);
	else if (st == 200 && (out = bh_arena_alloc(&img->arena, s.n + 1))) {
		memcpy(out, s.buf ? s.buf : "", s.n);
		/* verified like any blob: the bytes must hash to the digest that named them */
		struct bh_img_blob *b = bh_arena_alloc(&img->arena, sizeof(*b));
		int fd = memfd_create("bh-json", MFD_CLOEXEC);
		if (!b || fd < 0 || write(fd, out, s.n) != (ssize_t)s.n || lseek(fd, 0, SEEK_SET)) {
			out = NULL;
			bh_err_set(err, -EIO, 0, 0, "%s: cannot verify (out of memory)", what);
		} else {
			b->fd = fd;
			out = bh_img_blob_slurp(img, b, digest, what, len, err);
		}
		if (fd >= 0)
			close(fd);
	}
	free(s.buf);
	return out;
}

static int reg_open(struct bh_image *img, void *ctx, const char *digest, struct bh_err *err)
{
	struct reg *r = ctx;
	const char *dir = getenv("TMPDIR");
	int fd = open(dir && *dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
		return bh_err_set(err, -errno, 0, 0, "temporary file for a layer: %s", strerror(errno)), -1;
	char path[200];
	snprintf(path, sizeof(path), "blobs/%s", digest);
	struct sink s = {.fd = fd, .max = img->lim->max_blob};
	long st = fetch(r, path, NULL, &s, err);
	if (st != 200 || lseek(fd, 0, SEEK_SET)) {
		if (st > 0)
			bh_err_set(err, -EIO, 0, 0, "registry %s: blob %s: HTTP %ld", r->host, digest, st);
		close(fd);
		return -1;
	}
	return fd;
}

/* docker://[HOST/]REPO[:TAG|@DIGEST], the reference grammar of distribution/reference: the first component
 * is a registry when it has a "." or ":" or is "localhost"; otherwise Docker Hub. */
static int parse_ref(struct reg *r, const char *s, struct bh_err *err)
{
	const char *slash = strchr(s, '/');
	size_t hl = slash ? (size_t)(slash - s) : 0;
	bool host = slash && (memchr(s, '.', hl) || memchr(s, ':', hl) || (hl == 9 && !memcmp(s, "localhost", 9)));
	const char *rest = host ? slash + 1 : s;
	snprintf(r->host, sizeof(r->host), "%.*s", host ? (int)hl : 20, host ? s : "registry-1.docker.io");
	const char *at = strchr(rest, '@'), *colon = strrchr(rest, ':');
	if (colon && strchr(colon, '/'))
		colon = NULL;
	size_t rl = at ? (size_t)(at - rest) : colon ? (size_t)(colon - rest) : strlen(rest);
	snprintf(r->repo, sizeof(r->repo), "%s%.*s", !host && !memchr(rest, '/', rl) ? "library/" : "", (int)rl, rest);
	snprintf(r->ref, sizeof(r->ref), "%s", at ? at + 1 : colon ? colon + 1 : "latest");
	bool ok = rl && strspn(r->repo, "abcdefghijklmnopqrstuvwxyz0123456789._/-") == strlen(r->repo) &&
		  strspn(r->host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == strlen(r->host);
	ok = ok && (at ? bh_img_digest_ok(r->ref, strlen(r->ref))
		       : strspn(r->ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") == strlen(r->ref));
	if (!ok)
		return bh_err_set(err, -EINVAL, 0, 0, "\"%s\" is not an image reference HOST/REPOSITORY[:TAG|@DIGEST]", s), -1;
	return 0;
}

/* "auth" of the registry's entry in a docker config.json ($DOCKER_CONFIG/config.json, ~/.docker/config.json) */
static void credentials(struct reg *r, const char *path)
{
	char def[1024];
	if (!path) {
		const char *d = getenv("DOCKER_CONFIG"), *home = getenv("HOME");
		if (d)
			snprintf(def, sizeof(def), "%s/config.json", d);
		else
			snprintf(def, sizeof(def), "%s/.docker/config.json", home ? home : "/");
		path = def;
	}
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char *buf = malloc(1 << 20);
	size_t n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	struct bh_arena a;
	bh_arena_init(&a, 8u << 20);
	struct bh_json_reader jr;
	struct bh_doc doc;
	struct bh_err e = {0};
	if (buf && (bh_json_init(&jr, path, buf, n, &bh_default_limits), bh_json_next(&jr, &a, &doc, &e) > 0) && doc.root) {
		const struct bh_node *auths = bh_map_get(doc.root, "auths", BH_READ_LAST, NULL, NULL);
		char https[300];
		snprintf(https, sizeof(https), "https://%s", r->host);
		const struct bh_node *ent = bh_map_get(auths, r->host, BH_READ_LAST, NULL, NULL);
		ent = ent ? ent : bh_map_get(auths, https, BH_READ_LAST, NULL, NULL);
		const char *s;
		size_t sl;
		if (bh_as_str(bh_map_get(ent, "auth", BH_READ_LAST, NULL, NULL), &s, &sl) == BH_OK && sl < sizeof(r->basic))
			snprintf(r->basic, sizeof(r->basic), "%s", s);
	}
	bh_arena_release(&a);
	free(buf);
}

static int hash_mem(const char *buf, size_t len, char out[72])
{
	unsigned char md[32];
	if (gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, len, md) < 0)
		return -1;
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
	return 0;
}

int bh_img_read_registry(struct bh_image *img, const char *ref, const struct bh_img_opts *o, struct bh_err *err)
{
	struct reg *r = calloc(1, sizeof(*r));
	if (!r)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	r->o = o;
	img->kind = "registry";
	int rc = -1;
	if (!parse_ref(r, ref, err) && (r->c = curl_easy_init())) {
		credentials(r, o->docker_config);
		char path[300], got[72];
		snprintf(path, sizeof(path), "manifests/%s", r->ref);
		struct sink s = {.fd = -1, .max = img->lim->max_json};
		long st = fetch(r, path, accept_manifest, &s, err);
		if (st >= 0 && st != 200)
			bh_err_set(err, -EIO, 0, 0, "registry %s: %s:%s: HTTP %ld%s", r->host, r->repo, r->ref, st,
				   st == 401 ? " (unauthorized: credentials in a docker config.json?)" : st == 404 ? " (not found)" : "");
		else if (st == 200 && (!s.buf || hash_mem(s.buf, s.n, got)))
			bh_err_set(err, -EIO, 0, 0, "registry %s: empty manifest", r->host);
		else if (st == 200 && !strncmp(r->ref, "sha256:", 7) && strcmp(got, r->ref))
			bh_err_set(err, -EBADMSG, 0, 0, "manifest: digest mismatch: expected %s, content hashes to %s", r->ref, got);
		else if (st == 200 && s.digest[0] && strcmp(got, s.digest))
			bh_err_set(err, -EBADMSG, 0, 0, "manifest: digest mismatch: the registry says %s, content hashes to %s",
				   s.digest, got);
		else if (st == 200) {
			struct bh_img_src src = {.ctx = r, .json = reg_json, .open = reg_open};
			char *buf = bh_arena_strndup(&img->arena, s.buf, s.n);
			rc = buf ? bh_img_manifest(img, &src, buf, s.n, got, o, 0, err) : -1;
			snprintf(img->manifest_digest, sizeof(img->manifest_digest), "%s", got);
		}
		free(s.buf);
	} else if (!r->c && !err->msg[0]) {
		bh_err_set(err, -ENOMEM, 0, 0, "cannot start libcurl");
	}
	if (r->c)
		curl_easy_cleanup(r->c);
	free(r);
	return rc;
}

/* The manifest digest a reference names: a digest as is; a tag by GET of its manifest (at most max_json or
 * 4 MiB), hashed here and compared with the registry's Docker-Content-Digest when it sends one. */
int bh_img_resolve(const char *ref, const struct bh_img_opts *o, char digest[72], struct bh_err *err)
{
	struct reg *r = calloc(1, sizeof(*r));
	if (!r)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory"), -1;
	r->o = o;
	int rc = -1;
	if (parse_ref(r, ref, err)) {
		/* err set */
	} else if (!strncmp(r->ref, "sha256:", 7)) {
		snprintf(digest, 72, "%s", r->ref);
		rc = 0;
	} else if (!(r->c = curl_easy_init())) {
		bh_err_set(err, -ENOMEM, 0, 0, "cannot start libcurl");
	} else {
		credentials(r, o->docker_config);
		char path[300];
		snprintf(path, sizeof(path), "manifests/%s", r->ref);
		struct sink s = {.fd = -1, .max = o->lim ? o->lim->max_json : 4u << 20};
		long st = fetch(r, path, accept_manifest, &s, err);
		if (st >= 0 && st != 200)
			bh_err_set(err, -EIO, 0, 0, "registry %s: %s:%s: HTTP %ld%s", r->host, r->repo, r->ref, st,
				   st == 401 ? " (unauthorized)" : st == 404 ? " (not found)" : "");
		else if (st == 200 && (!s.buf || hash_mem(s.buf, s.n, digest)))
			bh_err_set(err, -EIO, 0, 0, "registry %s: empty manifest", r->host);
		else if (st == 200 && s.digest[0] && strcmp(digest, s.digest))
			bh_err_set(err, -EBADMSG, 0, 0, "manifest: digest mismatch: the registry says %s, content hashes to %s",
				   s.digest, digest);
		else if (st == 200)
			rc = 0;
		free(s.buf);
		curl_easy_cleanup(r->c);
	}
	free(r);
	return rc;
}

/* one signature layer: its payload fetched and checked against digest, then every key */
static enum bh_sig_verdict sig_layer(struct reg *r, const struct bh_node *l, const char *digest,
				     const char *const *keys, size_t nkeys, struct bh_img_sigres *res)
{
	const struct bh_node *ann = bh_map_get(l, "annotations", BH_READ_LAST, NULL, NULL);
	const struct bh_node *sn = bh_map_get(ann, "dev.cosignproject.cosign/signature", BH_READ_LAST, NULL, NULL);
	const char *sig, *pd;
	size_t sl, pl;
	if (bh_as_str(sn, &sig, &sl) != BH_OK ||
	    bh_as_str(bh_map_get(l, "digest", BH_READ_LAST, NULL, NULL), &pd, &pl) != BH_OK || !bh_img_digest_ok(pd, pl))
		return snprintf(res->why, sizeof(res->why), "a signature layer without a signature or digest"), BH_SIG_INVALID;
	char path[100], got[72];
	snprintf(path, sizeof(path), "blobs/%s", pd);
	struct sink s = {.fd = -1, .max = 1 << 20};
	struct bh_err e = {0};
	long st = fetch(r, path, NULL, &s, &e);
	enum bh_sig_verdict v = BH_SIG_INVALID;
	if (st != 200 || !s.buf || hash_mem(s.buf, s.n, got))
		snprintf(res->why, sizeof(res->why), "payload %s: %s", pd, st == 200 ? "empty" : e.msg[0] ? e.msg : "not found");
	else if (strcmp(got, pd))
		snprintf(res->why, sizeof(res->why), "payload: digest mismatch: expected %s, content hashes to %s", pd, got);
	else if (!bh_img_sig_payload(s.buf, s.n, digest, res->identity, sizeof(res->identity), res->why, sizeof(res->why)))
		v = BH_SIG_MISMATCH;
	else
		for (size_t k = 0; k < nkeys && v != BH_SIG_VALID; k++)
			if (bh_img_sig_verify(s.buf, s.n, sig, keys[k], res->why, sizeof(res->why)) == 1) {
				v = BH_SIG_VALID;
				snprintf(res->key, sizeof(res->key), "%s", keys[k]);
			}
	free(s.buf);
	return v;
}

int bh_img_cosign(const char *ref, const char *digest, const char *const *keys, size_t nkeys, const struct bh_img_opts *o,
		  struct bh_img_sigres *res, struct bh_err *err)
{
	memset(res, 0, sizeof(*res));
	struct reg *r = calloc(1, sizeof(*r));
	if (!r || !bh_img_digest_ok(digest, strlen(digest)))
		return free(r), bh_err_set(err, -EINVAL, 0, 0, "cannot verify %s", digest), -1;
	r->o = o;
	int rc = -1;
	struct bh_arena a;
	bh_arena_init(&a, 8u << 20);
	if (!parse_ref(r, ref, err) && (r->c = curl_easy_init())) {
		credentials(r, o->docker_config);
		snprintf(res->tag, sizeof(res->tag), "sha256-%s.sig", digest + 7);
		char path[200];
		snprintf(path, sizeof(path), "manifests/%s", res->tag);
		struct sink s = {.fd = -1, .max = 4 << 20};
		long st = fetch(r, path, "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json", &s, err);
		struct bh_json_reader jr;
		struct bh_doc doc;
		if (st == 404) {
			res->v = BH_SIG_UNSIGNED, rc = 0;
			snprintf(res->why, sizeof(res->why), "no signature: the registry has no tag %s", res->tag);
		} else if (st >= 0 && st != 200) {
			bh_err_set(err, -EIO, 0, 0, "registry %s: signature %s: HTTP %ld", r->host, res->tag, st);
		} else if (st == 200 && s.buf && (bh_json_init(&jr, res->tag, s.buf, s.n, &bh_default_limits),
						  bh_json_next(&jr, &a, &doc, err) > 0) && doc.root) {
			const struct bh_node *ls = bh_map_get(doc.root, "layers", BH_READ_LAST, NULL, NULL);
			res->v = BH_SIG_INVALID;
			snprintf(res->why, sizeof(res->why), "the signature manifest %s has no layers", res->tag);
			for (uint32_t i = 0; ls && ls->type == BH_SEQ && i < ls->n && i < 64 && res->v != BH_SIG_VALID; i++) {
				enum bh_sig_verdict v = sig_layer(r, ls->items[i], digest, keys, nkeys, res);
				res->v = v == BH_SIG_VALID || res->v != BH_SIG_MISMATCH ? v : res->v;
			}
			rc = 0;
		} else if (st == 200) {
			bh_err_set(err, -EINVAL, 0, 0, "signature %s: not JSON", res->tag);
		}
		free(s.buf);
	}
	bh_arena_release(&a);
	if (r->c)
		curl_easy_cleanup(r->c);
	free(r);
	return rc;
}
