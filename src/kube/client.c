/* HTTP to the API server through libcurl (GnuTLS): one handle, kept alive across requests; bounded
 * response bodies; list pages handed to a callback one at a time. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube_int.h"
#include "util/file.h"

#define DEFAULT_MAX_PAGE (256u << 20)

struct body {
	char *p;
	size_t len, cap, max;
	bool over;
};

static size_t on_data(char *ptr, size_t size, size_t n, void *ud)
{
	struct body *b = ud;
	size_t add = size * n;
	if (b->len + add > b->max) {
		b->over = true;
		return 0; /* aborts the transfer */
	}
	if (b->len + add + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 1u << 16;
		while (nc < b->len + add + 1)
			nc *= 2;
		char *np = realloc(b->p, nc);
		if (!np)
			return 0;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->len, ptr, add);
	b->len += add;
	b->p[b->len] = 0;
	return add;
}

static int bearer(const struct bh_kube *k, char *hdr, size_t size)
{
	char tok[8192];
	const char *t = k->token;
	if (k->token_file[0]) {
		char *buf = NULL;
		size_t len = 0;
		if (bh_read_file(k->token_file, sizeof(tok) - 1, &buf, &len) < 0)
			return -EACCES;
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
			len--;
		snprintf(tok, sizeof(tok), "%.*s", (int)len, buf);
		free(buf);
		t = tok;
	}
	if (!t[0])
		return 0;
	snprintf(hdr, size, "Authorization: Bearer %s", t);
	return 1;
}

/* tls-server-name: the certificate is checked against (and SNI says) that name while the connection goes to
 * the server's address: the URL names the server name and CONNECT_TO maps it to the real host and port */
static struct curl_slist *server_name(const struct bh_kube *k, char *url, size_t size, const char *path)
{
	const char *hp = strstr(k->server, "://");
	hp = hp ? hp + 3 : k->server;
	const char *colon = hp[0] == '[' ? strstr(hp, "]:") : strrchr(hp, ':');
	if (colon && hp[0] == '[')
		colon++;
	const char *port = colon ? colon + 1 : "443";
	char map[1100];
	snprintf(map, sizeof(map), "%s:%s:%.*s:%s", k->sni, port, (int)(colon ? colon - hp : (long)strlen(hp)), hp, port);
	snprintf(url, size, "https://%s:%s%s", k->sni, port, path);
	return curl_slist_append(NULL, map);
}

static void tls_opts(struct bh_kube *k)
{
	CURL *h = k->h;
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, k->insecure ? 0L : 1L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, k->insecure ? 0L : 2L);
	if (k->ca[0])
		curl_easy_setopt(h, CURLOPT_CAINFO, k->ca);
	if (k->cert[0])
		curl_easy_setopt(h, CURLOPT_SSLCERT, k->cert);
	if (k->key[0])
		curl_easy_setopt(h, CURLOPT_SSLKEY, k->key);
}

/* whether one of the colon-separated files can be read */
static bool any_readable(const char *list)
{
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", list);
	char *save = NULL;
	for (char *s = strtok_r(buf, ":", &save); s; s = strtok_r(NULL, ":", &save))
		if (access(s, R_OK) == 0)
			return true;
	return false;
}

int bh_kube_open(struct bh_kube **out, const struct bh_kube_opts *o, struct bh_err *err)
{
	*out = NULL;
	struct bh_kube *k = calloc(1, sizeof(*k));
	if (!k)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	k->max_page = o->max_page ? o->max_page : DEFAULT_MAX_PAGE;
	k->timeout = o->timeout ? o->timeout : 60;
	const char *path = o->kubeconfig, *env = getenv("KUBECONFIG");
	char home[4096] = "";
	bool use_env = !path && env && *env && strspn(env, ":") < strlen(env);
	if (!path && !(env && *env) && getenv("HOME")) {
		snprintf(home, sizeof(home), "%s/.kube/config", getenv("HOME"));
		if (access(home, R_OK) == 0)
			path = home;
	}
	/* clientcmd: with $KUBECONFIG set, ~/.kube/config is not read; when none of its files exists the merged
	 * config is empty and the in-cluster account is used (DeferredLoadingClientConfig) */
	if (use_env && !any_readable(env))
		use_env = false, path = NULL, home[0] = 0;
	int rc = use_env ? bh_kube_load_kubeconfig_env(k, env, o->context, err)
		 : path	 ? bh_kube_load_kubeconfig(k, path, o->context, err)
			 : bh_kube_load_incluster(k, o->in_cluster_root, err);
	if (!rc && !(k->h = curl_easy_init()))
		rc = bh_err_set(err, -ENOMEM, 0, 0, "libcurl: cannot create a handle");
	if (rc) {
		bh_kube_close(k);
		return rc;
	}
	snprintf(k->desc, sizeof(k->desc), "%s (%s%s%s)", k->server, k->context[0] ? "context " : "", k->context,
		 k->context[0] ? ", " : "");
	snprintf(k->desc + strlen(k->desc) - 1, sizeof(k->desc) - strlen(k->desc) + 1, "%s)", k->source);
	*out = k;
	return 0;
}

void bh_kube_close(struct bh_kube *k)
{
	if (!k)
		return;
	if (k->h)
		curl_easy_cleanup(k->h);
	for (unsigned i = 0; i < k->nfds; i++)
		close(k->fds[i]);
	explicit_bzero(k->token, sizeof(k->token));
	free(k);
}

const char *bh_kube_describe(const struct bh_kube *k)
{
	return k->desc;
}

/* the Status message of an error response, or the HTTP status */
static void status_msg(struct bh_err *err, int code, const char *method, const char *path, long st, const char *body)
{
	const char *m = body ? strstr(body, "\"message\":\"") : NULL;
	int n = 0;
	if (m) {
		m += 11;
		while (m[n] && m[n] != '"' && n < 200)
			n++;
	}
	bh_err_set(err, code, 0, 0, "%s %s: HTTP %ld%s%.*s", method, path, st, m ? ": " : "", n, m ? m : "");
}

struct req {
	const char *method, *path, *accept, *body, *content_type;
	size_t len;
	bool dry_run;
};

static int perform(struct bh_kube *k, const struct req *q, struct bh_kube_resp *resp, struct bh_err *err)
{
	char url[16800], auth[8300], ct[256], acc[300];
	const char *method = q->method, *path = q->path, *body = q->body, *content_type = q->content_type;
	size_t len = q->len;
	char full[16400];
	snprintf(full, sizeof(full), "%s%s", path, q->dry_run ? (strchr(path, '?') ? "&dryRun=All" : "?dryRun=All") : "");
	struct curl_slist *connect_to = NULL;
	if (k->sni[0])
		connect_to = server_name(k, url, sizeof(url), full);
	else
		snprintf(url, sizeof(url), "%s%s", k->server, full);
	snprintf(acc, sizeof(acc), "Accept: %s", q->accept ? q->accept : "application/json");
	struct curl_slist *hdrs = curl_slist_append(NULL, acc);
	int b = bearer(k, auth, sizeof(auth));
	if (b < 0) {
		curl_slist_free_all(hdrs);
		return bh_err_set(err, -EACCES, 0, 0, "cannot read the token file %s", k->token_file);
	}
	if (b)
		hdrs = curl_slist_append(hdrs, auth);
	if (content_type) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, ct);
	}
	struct body out = {.max = k->max_page};
	CURL *h = k->h;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, k->timeout);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	if (body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	tls_opts(k);
	if (connect_to)
		curl_easy_setopt(h, CURLOPT_CONNECT_TO, connect_to);
	CURLcode cc = curl_easy_perform(h);
	curl_slist_free_all(hdrs);
	curl_slist_free_all(connect_to);
	explicit_bzero(auth, sizeof(auth));
	if (cc != CURLE_OK) {
		free(out.p);
		if (out.over)
			return bh_err_set(err, -EFBIG, 0, 0, "%s %s: response over %zu bytes", method, path, k->max_page);
		return bh_err_set(err, -EIO, 0, 0, "%s %s: %s", method, k->server, curl_easy_strerror(cc));
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->body = out.p ? out.p : calloc(1, 1);
	resp->len = out.len;
	return resp->body ? 0 : -ENOMEM;
}

int bh_kube_request(struct bh_kube *k, const char *method, const char *path, const char *body, size_t len,
		    const char *content_type, bool dry_run, struct bh_kube_resp *resp, struct bh_err *err)
{
	struct req q = {.method = method, .path = path, .body = body, .len = len, .content_type = content_type,
			.dry_run = dry_run};
	return perform(k, &q, resp, err);
}

/* metadata.continue of a list page: the API server writes kind, apiVersion and metadata before items, so
 * the token is found before "items" without decoding the page twice */
static int continue_token(const char *body, size_t len, char *out, size_t size)
{
	const char *items = memmem(body, len, "\"items\"", 7);
	size_t scan = items ? (size_t)(items - body) : (len < 65536 ? len : 65536);
	const char *c = memmem(body, scan, "\"continue\":\"", 12);
	out[0] = 0;
	if (!c)
		return 0;
	c += 12;
	size_t n = 0;
	while (c + n < body + scan && c[n] != '"' && n + 1 < size)
		n++;
	if (c + n >= body + scan || c[n] != '"')
		return -EINVAL;
	memcpy(out, c, n);
	out[n] = 0;
	return 0;
}

static void url_escape(const char *s, char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	for (; *s && o + 4 < size; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-_.~", ch))
			out[o++] = (char)ch;
		else
			out[o++] = '%', out[o++] = hex[ch >> 4], out[o++] = hex[ch & 15];
	}
	out[o] = 0;
}

int bh_kube_list(struct bh_kube *k, const char *path, unsigned limit, const char *accept, bh_kube_page_cb cb,
		 void *ctx, struct bh_err *err)
{
	char cont[4096] = "", esc[12288], url[16384];
	for (;;) {
		url_escape(cont, esc, sizeof(esc));
		snprintf(url, sizeof(url), "%s%climit=%u%s%s", path, strchr(path, '?') ? '&' : '?', limit,
			 cont[0] ? "&continue=" : "", cont[0] ? esc : "");
		struct bh_kube_resp r = {0};
		struct req q = {.method = "GET", .path = url, .accept = accept};
		int rc = perform(k, &q, &r, err);
		if (rc < 0)
			return rc;
		if (r.status != 200) {
			int code = r.status == 401 || r.status == 403 ? -EACCES : r.status == 404 ? -ENOENT : -EPROTO;
			status_msg(err, code, "GET", path, r.status, r.body);
			free(r.body);
			return code;
		}
		rc = continue_token(r.body, r.len, cont, sizeof(cont));
		if (rc == 0)
			rc = cb(r.body, r.len, ctx);
		else
			bh_err_set(err, rc, 0, 0, "GET %s: malformed continue token", path);
		free(r.body);
		if (rc)
			return rc < 0 ? rc : 0;
		if (!cont[0])
			return 0;
	}
}
