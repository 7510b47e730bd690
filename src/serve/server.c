#include "server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "config/config.h"
#include "util/file.h"
#include "serve/buf.h"
#include "serve/guard.h"
#include "serve/metrics.h"
#include "serve/tls.h"

/* TLS 1.2 and 1.3 only, AEAD suites only (no CBC, no SHA-1 MAC): the API server (Go crypto/tls) speaks
 * both versions and prefers ECDHE with AES-GCM or ChaCha20-Poly1305, nothing older is needed. */
#define DEFAULT_PRIORITIES                                                                                     \
	"NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:+AES-128-GCM:+CHACHA20-POLY1305:" \
	"-MAC-ALL:+AEAD:-RSA:-DHE-RSA"

/* A retired certificate is freed only after every handshake that could have picked it has ended; the
 * idle timeout bounds a handshake, this margin covers the rest. */
#define RETIRE_GRACE 60

struct cfgref {
	atomic_long refs;
	struct bh_config *cfg; /* NULL: built-in defaults */
};

struct fstamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	bool ok;
};

struct bh_server {
	struct bh_server_opts o;
	size_t max_body;
	struct MHD_Daemon *d;
	struct bh_guard *guard;
	char *client_ca;          /* PEM, for MHD_OPTION_HTTPS_MEM_TRUST */
	struct bh_metrics m;
	pthread_mutex_t lock;     /* taking a config reference; reloads */
	struct cfgref *cfg;
	struct bh_certset *retired;
	struct fstamp cert_st, key_st, cfg_st;
	atomic_int draining;
	_Atomic size_t body_bytes;   /* request bodies held now, all connections */
	unsigned port;
};

/* GnuTLS's certificate callback has no user pointer: the current set is process-wide. */
static _Atomic(struct bh_certset *) g_cert;

/* Per pool thread: the decision state (arena kept warm between requests) and the answer buffer. */
struct tstate {
	struct bh_admission adm;
	struct bh_buf out;
};
static pthread_key_t g_tkey;
static pthread_once_t g_tonce = PTHREAD_ONCE_INIT;

static void tstate_free(void *p)
{
	struct tstate *t = p;
	if (!t)
		return;
	bh_admission_release(&t->adm);
	bh_buf_release(&t->out);
	free(t);
}

static void tkey_init(void)
{
	pthread_key_create(&g_tkey, tstate_free);
}

static struct tstate *tstate_get(void)
{
	struct tstate *t = pthread_getspecific(g_tkey);
	if (t)
		return t;
	if (!(t = calloc(1, sizeof(*t))))
		return NULL;
	bh_admission_init(&t->adm);
	bh_buf_init(&t->out, 0);
	if (pthread_setspecific(g_tkey, t)) {
		tstate_free(t);
		return NULL;
	}
	return t;
}

/* One HTTP request (MHD's per-request context). */
struct req {
	struct bh_buf body;
	uint64_t t0;
	size_t counted;           /* body bytes counted in bh_server.body_bytes */
	enum bh_mpath path;
	bool too_large, responded, busy;
};

/* Gives a request's body back and takes it out of the server-wide count. */
static void drop_body(struct bh_server *s, struct req *r)
{
	bh_buf_release(&r->body);
	atomic_fetch_sub(&s->body_bytes, r->counted);
	r->counted = 0;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void slog(struct bh_server *s, const struct bh_serve_log *l)
{
	if (s->o.log)
		s->o.log(s->o.log_ctx, l);
}

static void slogf(struct bh_server *s, enum bh_loglevel lv, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void slogf(struct bh_server *s, enum bh_loglevel lv, const char *event, const char *fmt, ...)
{
	if (!s->o.log)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_serve_log l = {.level = lv, .event = event, .msg = msg};
	slog(s, &l);
}

/* ---- config and certificate: load, swap, reference ---- */

static struct cfgref *cfg_acquire(struct bh_server *s)
{
	pthread_mutex_lock(&s->lock);
	struct cfgref *c = s->cfg;
	atomic_fetch_add(&c->refs, 1);
	pthread_mutex_unlock(&s->lock);
	return c;
}

static void cfg_release(struct cfgref *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
		bh_config_free(c->cfg);
		free(c);
	}
}

static bool stamp(const char *path, struct fstamp *st)
{
	struct stat sb;
	struct fstamp n = {0};
	if (path && stat(path, &sb) == 0) {
		n = (struct fstamp){sb.st_dev, sb.st_ino, sb.st_size, sb.st_mtim, true};
	}
	bool changed = n.ok != st->ok || n.dev != st->dev || n.ino != st->ino || n.size != st->size ||
		       n.mtime.tv_sec != st->mtime.tv_sec || n.mtime.tv_nsec != st->mtime.tv_nsec;
	*st = n;
	return changed;
}

/* A config file with nothing but blanks, comments and document markers. Loaded, it would be the built-in
 * defaults: on a reload that is almost always a ConfigMap caught half-written or emptied by mistake, and
 * silently dropping the running config (its exemptions, actions, honorIgnoreAnnotation) is not wanted. */
static bool config_empty(const char *path)
{
	char *b = NULL;
	size_t n = 0;
	if (bh_read_file(path, 1u << 20, &b, &n) < 0)
		return false; /* the loader reports why */
	bool empty = true, bol = true, comment = false;
	for (size_t i = 0; i < n && empty; i++) {
		char ch = b[i];
		if (ch == '\n') {
			bol = true;
			comment = false;
		} else if (comment || ch == ' ' || ch == '\t' || ch == '\r') {
			continue;
		} else if (ch == '#') {
			comment = true;
		} else if (bol && i + 3 <= n && (!memcmp(b + i, "---", 3) || !memcmp(b + i, "...", 3))) {
			i += 2;
			bol = false;
		} else
			empty = false;
	}
	free(b);
	return empty;
}

static int load_config(struct bh_server *s, bool reload, struct bh_err *err)
{
	if (reload && s->o.config_file && config_empty(s->o.config_file))
		return bh_err_set(err, -EINVAL, 0, 0,
				  "the file is empty; an empty config would reset every setting to the defaults");
	struct cfgref *c = calloc(1, sizeof(*c));
	if (!c)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	atomic_init(&c->refs, 1);
	if (s->o.config_file) {
		int rc = bh_config_load(s->o.config_file, &c->cfg, err);
		if (rc < 0) {
			free(c);
			return rc;
		}
	}
	pthread_mutex_lock(&s->lock);
	struct cfgref *old = s->cfg;
	s->cfg = c;
	pthread_mutex_unlock(&s->lock);
	cfg_release(old); /* requests still holding it finish with it; the last one frees it */
	atomic_store(&s->m.config_loaded, (int64_t)time(NULL));
	return 0;
}

static int load_cert(struct bh_server *s, struct bh_err *err)
{
	struct bh_certset *c = bh_certset_load(s->o.cert_file, s->o.key_file, err);
	if (!c)
		return err->code ? err->code : -EINVAL;
	struct bh_certset *old = atomic_exchange(&g_cert, c);
	if (old) {
		pthread_mutex_lock(&s->lock);
		old->retired = time(NULL);
		old->next = s->retired;
		s->retired = old;
		pthread_mutex_unlock(&s->lock);
	}
	atomic_store(&s->m.cert_not_after, (int64_t)c->not_after);
	return 0;
}

static void free_retired(struct bh_server *s, bool all)
{
	time_t limit = time(NULL) - (time_t)(s->o.idle_timeout + RETIRE_GRACE);
	pthread_mutex_lock(&s->lock);
	struct bh_certset **pp = &s->retired;
	while (*pp) {
		struct bh_certset *c = *pp;
		if (all || c->retired < limit) {
			*pp = c->next;
			bh_certset_free(c);
		} else
			pp = &c->next;
	}
	pthread_mutex_unlock(&s->lock);
}

static int cert_cb(gnutls_session_t sess, const gnutls_datum_t *req_ca_dn, int nreqs,
		   const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length, gnutls_pcert_st **pcert,
		   unsigned int *pcert_length, gnutls_privkey_t *key)
{
	struct bh_certset *c = atomic_load(&g_cert);
	if (!c)
		return -1;
	/* GnuTLS does not free what this callback returns (retrieve_function2 semantics) */
	*pcert = c->pcert;
	*pcert_length = c->npcert;
	*key = c->key;
	return 0;
}

void bh_server_reload(struct bh_server *s, bool force)
{
	struct bh_err err = {0};
	bool cert = stamp(s->o.cert_file, &s->cert_st);
	cert |= stamp(s->o.key_file, &s->key_st);
	if (cert || force) {
		if (load_cert(s, &err) == 0) {
			bh_metrics_reload(&s->m, BH_MR_CERT, 1);
			slogf(s, BH_LOG_INFO, "reload", "certificate reloaded from %s (expires %lld)", s->o.cert_file,
			      (long long)atomic_load(&s->m.cert_not_after));
		} else {
			bh_metrics_reload(&s->m, BH_MR_CERT, 0);
			slogf(s, BH_LOG_ERROR, "reload", "certificate not reloaded, the previous one stays in use: %s", err.msg);
		}
	}
	if (s->o.config_file && (stamp(s->o.config_file, &s->cfg_st) || force)) {
		memset(&err, 0, sizeof(err));
		if (load_config(s, true, &err) == 0) {
			bh_metrics_reload(&s->m, BH_MR_CONFIG, 1);
			slogf(s, BH_LOG_INFO, "reload", "config reloaded from %s", s->o.config_file);
		} else {
			bh_metrics_reload(&s->m, BH_MR_CONFIG, 0);
			slogf(s, BH_LOG_ERROR, "reload", "config not reloaded, the previous one stays in use: %s:%u:%u: %s",
			      s->o.config_file, err.line, err.col, err.msg);
		}
	}
	free_retired(s, false);
}

/* ---- HTTP ---- */

static const char *peer(struct MHD_Connection *c, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	buf[0] = 0;
	if (!ci || !ci->client_addr)
		return NULL;
	const struct sockaddr *sa = ci->client_addr;
	char ip[INET6_ADDRSTRLEN] = "";
	unsigned port = 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		port = ntohs(in->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		port = ntohs(in6->sin6_port);
	}
	snprintf(buf, size, sa->sa_family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, port);
	return buf;
}

/* ---- connection deadlines (guard.c) ---- */

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct bh_server *s = cls;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = ad ? ad->client_addr : NULL;
		socklen_t len = !sa ? 0 : sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
		*socket_context = fd ? bh_guard_open(s->guard, fd->connect_fd, sa, len) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		bh_guard_close(s->guard, *socket_context);
		*socket_context = NULL;
	}
}

static void phase(struct bh_server *s, struct MHD_Connection *c, enum bh_gphase ph)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context)
		bh_guard_phase(s->guard, ci->socket_context, ph);
}

/* With --client-ca, reviews come only from a client whose certificate chains to it (the API server's,
 * configured with --admission-control-config-file). Probes and metrics need none. */
static bool client_verified(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	unsigned status = 0, n = 0;
	if (!ci || !ci->tls_session || !gnutls_certificate_get_peers(ci->tls_session, &n) || !n)
		return false;
	return gnutls_certificate_verify_peers2(ci->tls_session, &status) == 0 && status == 0;
}

static enum MHD_Result reply(struct bh_server *s, struct MHD_Connection *c, struct req *r, int status,
			     const char *ctype, const char *body, size_t len, const char *allow)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (!resp) {
		bh_metrics_error(&s->m, BH_ME_INTERNAL);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
	/* while draining, tell keep-alive clients (the API server) to go to another replica */
	if (atomic_load_explicit(&s->draining, memory_order_relaxed) || r->too_large)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	r->responded = true;
	bh_metrics_http(&s->m, r->path, status);
	if (ret != MHD_YES)
		bh_metrics_error(&s->m, BH_ME_INTERNAL);
	return ret;
}

static enum MHD_Result reply_error(struct bh_server *s, struct MHD_Connection *c, struct req *r, int status,
				   const char *method, const char *url, const char *allow, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
static enum MHD_Result reply_error(struct bh_server *s, struct MHD_Connection *c, struct req *r, int status,
				   const char *method, const char *url, const char *allow, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_buf b;
	bh_buf_init(&b, 0);
	bh_admission_error_body(&b, status, msg);
	enum MHD_Result ret = reply(s, c, r, status, "application/json", b.p ? b.p : "", b.len, allow);
	bh_buf_release(&b);
	if (status != 404 && status != 405) {
		char pb[64];
		struct bh_serve_log l = {.level = BH_LOG_WARN, .event = "http", .msg = msg, .path = url, .method = method,
					 .peer = peer(c, pb, sizeof(pb)), .status = status,
					 .duration_us = (now_ns() - r->t0) / 1000};
		slog(s, &l);
	}
	return ret;
}

static bool json_ctype(const char *ct)
{
	static const char want[] = "application/json";
	if (!ct || strncasecmp(ct, want, sizeof(want) - 1))
		return false;
	char next = ct[sizeof(want) - 1];
	return next == 0 || next == ';' || next == ' ' || next == '\t';
}

static enum MHD_Result validate(struct bh_server *s, struct MHD_Connection *c, struct req *r, const char *url,
				const char *method)
{
	if (r->too_large) {
		bh_metrics_error(&s->m, BH_ME_TOO_LARGE);
		return reply_error(s, c, r, 413, method, url, NULL, "request body larger than %zu bytes", s->max_body);
	}
	struct tstate *t = tstate_get();
	if (!t) {
		bh_metrics_error(&s->m, BH_ME_INTERNAL);
		return reply_error(s, c, r, 500, method, url, NULL, "out of memory");
	}
	struct cfgref *cfg = cfg_acquire(s);
	struct bh_admit_result res;
	t->adm.on_pod = s->o.on_pod;
	t->adm.on_pod_ctx = s->o.on_pod_ctx;
	int status = s->o.post_handler ? s->o.post_handler(s->o.post_ctx, r->body.p ? r->body.p : "", r->body.len, &t->out, &res)
				       : bh_admission_review(&t->adm, cfg->cfg, r->body.p ? r->body.p : "", r->body.len, &t->out, &res);
	cfg_release(cfg);
	/* the body is not needed any more: give it back before answering */
	drop_body(s, r);
	bh_metrics_decision(&s->m, &res);
	if (status == 400)
		bh_metrics_error(&s->m, BH_ME_BAD_REQUEST);
	else if (status == 413)
		bh_metrics_error(&s->m, BH_ME_TOO_LARGE);
	else if (status >= 500)
		bh_metrics_error(&s->m, BH_ME_INTERNAL);
	enum MHD_Result ret = reply(s, c, r, status, "application/json", t->out.p ? t->out.p : "", t->out.len, NULL);
	uint64_t dt = now_ns() - r->t0;
	bh_metrics_latency(&s->m, dt);
	bool interesting = status != 200 || res.decision == BH_DEC_DENY || res.decision == BH_DEC_WARN;
	if (interesting || s->o.log_allowed) {
		char pb[64];
		struct bh_serve_log l = {
			.level = status >= 500 ? BH_LOG_ERROR : status != 200 ? BH_LOG_WARN : BH_LOG_INFO,
			.event = "request",
			.msg = status != 200 ? res.error : res.reason,
			.path = url,
			.method = method,
			.peer = peer(c, pb, sizeof(pb)),
			.status = status,
			.duration_us = dt / 1000,
			.adm = &res,
		};
		slog(s, &l);
	}
	/* keep the per-thread answer buffer small after a large answer */
	bh_buf_clear(&t->out, 1u << 16);
	return ret;
}

static enum MHD_Result count_length(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	const char **first = cls;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
		return MHD_YES;
	if (!first[0])
		first[0] = value ? value : "";
	else if (strcmp(first[0], value ? value : ""))
		first[1] = value ? value : "";
	return MHD_YES;
}

static bool conflicting_lengths(struct MHD_Connection *c)
{
	const char *seen[2] = {NULL, NULL};
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_length, seen);
	return seen[1] != NULL;
}

/* The path's metrics slot; with post_path set, that path takes /validate's place (opts.post_path). */
static enum bh_mpath route(const struct bh_server *s, const char *url)
{
	enum bh_mpath p = bh_metrics_path(url);
	if (!s->o.post_path)
		return p;
	return !strcmp(url, s->o.post_path) ? BH_MP_VALIDATE : p == BH_MP_VALIDATE ? BH_MP_OTHER : p;
}

/* The headers of a request are in: checks that need no body; answers what can be answered now. */
static enum MHD_Result begin_request(struct bh_server *s, struct MHD_Connection *c, struct req *r, const char *url,
				     const char *method)
{
	phase(s, c, BH_G_BODY);
	if (conflicting_lengths(c)) {
		/* request smuggling: the two readings of the body differ; answer and close */
		bh_metrics_error(&s->m, BH_ME_BAD_REQUEST);
		r->too_large = true;
		return reply_error(s, c, r, 400, method, url, NULL, "two different Content-Length headers");
	}
	if (r->path != BH_MP_VALIDATE)
		return MHD_YES; /* unknown paths: 404 once a body (if any) has been read and dropped */
	if (strcmp(method, MHD_HTTP_METHOD_POST))
		return reply_error(s, c, r, 405, method, url, "POST", "%s needs POST", url);
	if (s->client_ca && !client_verified(c)) {
		bh_metrics_error(&s->m, BH_ME_BAD_REQUEST);
		r->too_large = true;
		return reply_error(s, c, r, 403, method, url, NULL,
				   "a client certificate signed by the --client-ca is required for %s", url);
	}
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl && strtoull(cl, NULL, 10) > s->max_body) {
		/* answered before the body is read: no 100-continue, no upload */
		bh_metrics_error(&s->m, BH_ME_TOO_LARGE);
		r->too_large = true;
		return reply_error(s, c, r, 413, method, url, NULL, "request body of %s bytes is larger than %zu bytes", cl,
				   s->max_body);
	}
	const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!json_ctype(ct)) {
		bh_metrics_error(&s->m, BH_ME_BAD_REQUEST);
		r->too_large = true; /* do not read a body we will not use: close after answering */
		return reply_error(s, c, r, 415, method, url, NULL, "Content-Type must be application/json, not %s",
				   ct ? ct : "(none)");
	}
	return MHD_YES; /* wait for the body */
}

/* A piece of a /validate body. */
static enum MHD_Result receive_body(struct bh_server *s, struct MHD_Connection *c, struct req *r, const char *url,
				    const char *method, const char *data, size_t *size)
{
	/* read timeout: a client that trickles its body cannot hold a connection for long (the guard also
	 * cuts connections that stop sending) */
	if (now_ns() - r->t0 > (uint64_t)s->o.read_timeout * 1000000000u) {
		bh_metrics_error(&s->m, BH_ME_TIMEOUT);
		char pb[64];
		struct bh_serve_log l = {.level = BH_LOG_WARN, .event = "http",
					 .msg = "request body not received within the read timeout; connection closed",
					 .path = url, .method = method, .peer = peer(c, pb, sizeof(pb)),
					 .status = 408, .duration_us = (now_ns() - r->t0) / 1000};
		slog(s, &l);
		bh_metrics_http(&s->m, r->path, 408);
		r->responded = true;
		return MHD_NO;
	}
	/* bodies held by all connections together are bounded too: many large bodies at once would take
	 * the pod's memory; past the budget, answer 503 (the API server retries on another replica) */
	if (!r->too_large && !r->busy &&
	    atomic_fetch_add(&s->body_bytes, *size) + *size > s->o.max_body_total) {
		atomic_fetch_sub(&s->body_bytes, *size);
		r->busy = true;
		drop_body(s, r);
	} else if (!r->too_large && !r->busy) {
		r->counted += *size;
		if (bh_buf_add(&r->body, data, *size)) {
			/* over the limit without a Content-Length (chunked): drop what we have, read on and answer
			 * 413 at the end */
			r->too_large = true;
			drop_body(s, r);
		}
	}
	*size = 0;
	return MHD_YES;
}

static enum MHD_Result serve_get(struct bh_server *s, struct MHD_Connection *c, struct req *r, const char *url,
				 const char *method)
{
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_error(s, c, r, 405, method, url, "GET, HEAD", "%s needs GET", url);
	bool draining = atomic_load(&s->draining);
	if (r->path == BH_MP_HEALTHZ)
		return reply(s, c, r, 200, "text/plain", "ok\n", 3, NULL);
	if (r->path == BH_MP_READYZ) {
		/* ready = a certificate and a config are loaded (start fails otherwise) and we are not draining */
		if (draining)
			return reply(s, c, r, 503, "text/plain", "draining\n", 9, NULL);
		return reply(s, c, r, 200, "text/plain", "ok\n", 3, NULL);
	}
	struct bh_buf b;
	bh_buf_init(&b, 0);
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	bh_metrics_render(&s->m, &b, di ? (long)di->num_connections : -1, !draining);
	if (s->o.metrics_extra)
		s->o.metrics_extra(s->o.metrics_ctx, &b);
	enum MHD_Result ret;
	if (b.err)
		ret = reply_error(s, c, r, 500, method, url, NULL, "out of memory");
	else
		ret = reply(s, c, r, 200, "text/plain; version=0.0.4; charset=utf-8", b.p, b.len, NULL);
	bh_buf_release(&b);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	struct bh_server *s = cls;
	struct req *r = *req_cls;
	if (!r) {
		if (!(r = calloc(1, sizeof(*r))))
			return MHD_NO;
		r->t0 = now_ns();
		r->path = route(s, url);
		bh_buf_init(&r->body, s->max_body);
		*req_cls = r;
		atomic_fetch_add_explicit(&s->m.inflight, 1, memory_order_relaxed);
		enum MHD_Result ret = begin_request(s, c, r, url, method);
		if (r->responded || r->path == BH_MP_VALIDATE || r->path == BH_MP_OTHER || ret != MHD_YES)
			return ret;
	}
	if (r->path == BH_MP_OTHER) {
		if (*upload_data_size) {
			*upload_data_size = 0; /* dropped; the guard bounds how long it may take */
			return MHD_YES;
		}
		if (r->responded)
			return MHD_YES;
		return reply_error(s, c, r, 404, method, url, NULL,
				   "no such path: %s (paths: /validate, /healthz, /readyz, /metrics)", url);
	}
	if (r->path == BH_MP_VALIDATE) {
		if (*upload_data_size)
			return receive_body(s, c, r, url, method, upload_data, upload_data_size);
		if (r->responded)
			return MHD_YES;
		phase(s, c, BH_G_BUSY);
		if (r->busy) {
			r->too_large = true; /* close after answering */
			bh_metrics_error(&s->m, BH_ME_INTERNAL);
			return reply_error(s, c, r, 503, method, url, NULL,
					   "busy: request bodies in flight exceed %zu bytes; try again", s->o.max_body_total);
		}
		return validate(s, c, r, url, method);
	}
	if (r->responded)
		return MHD_YES;
	return serve_get(s, c, r, url, method);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode toe)
{
	struct bh_server *s = cls;
	struct req *r = *req_cls;
	if (!r)
		return;
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	int cut = ci ? bh_guard_cut(s->guard, ci->socket_context) : 0;
	if (!r->responded && (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED || cut == BH_G_BODY + 1)) {
		bh_metrics_error(&s->m, BH_ME_TIMEOUT);
		bh_metrics_http(&s->m, r->path, 408);
		if (cut)
			slogf(s, BH_LOG_WARN, "http", "request body not received within the read timeout (%u s); connection closed",
			      s->o.read_timeout);
		else
			slogf(s, BH_LOG_WARN, "http", "connection idle for %u s in the middle of a request; closed",
			      s->o.idle_timeout);
	}
	phase(s, c, BH_G_IDLE);
	drop_body(s, r);
	free(r);
	*req_cls = NULL;
	atomic_fetch_sub_explicit(&s->m.inflight, 1, memory_order_relaxed);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct bh_server *s = cls;
	if (!s->o.log)
		return;
	char msg[512];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	/* libmicrohttpd reports client misbehaviour here (failed handshakes, resets): not our errors */
	struct bh_serve_log l = {.level = BH_LOG_DEBUG, .event = "mhd", .msg = msg};
	slog(s, &l);
}

static int parse_listen(const char *spec, struct sockaddr_storage *ss, socklen_t *len, bool *v6, struct bh_err *err)
{
	char host[128];
	const char *colon, *port;
	memset(ss, 0, sizeof(*ss));
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');
		if (!end || end[1] != ':' || (size_t)(end - spec - 1) >= sizeof(host))
			return bh_err_set(err, -EINVAL, 0, 0, "--listen %s: expected [IPV6]:PORT", spec);
		memcpy(host, spec + 1, (size_t)(end - spec - 1));
		host[end - spec - 1] = 0;
		port = end + 2;
	} else {
		if (!(colon = strrchr(spec, ':')) || (size_t)(colon - spec) >= sizeof(host))
			return bh_err_set(err, -EINVAL, 0, 0, "--listen %s: expected ADDR:PORT or :PORT", spec);
		memcpy(host, spec, (size_t)(colon - spec));
		host[colon - spec] = 0;
		port = colon + 1;
	}
	char *endp;
	unsigned long p = strtoul(port, &endp, 10);
	if (!*port || *endp || p > 65535)
		return bh_err_set(err, -EINVAL, 0, 0, "--listen %s: bad port", spec);
	struct sockaddr_in *in = (void *)ss;
	struct sockaddr_in6 *in6 = (void *)ss;
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*in6);
		*v6 = true;
		return 0;
	}
	in->sin_family = AF_INET;
	in->sin_port = htons((uint16_t)p);
	*len = sizeof(*in);
	*v6 = false;
	if (!host[0])
		in->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
		return bh_err_set(err, -EINVAL, 0, 0, "--listen %s: %s is not a numeric IPv4 or IPv6 address", spec, host);
	return 0;
}

static void defaults(struct bh_server_opts *o)
{
	if (!o->listen)
		o->listen = "0.0.0.0:8443";
	if (!o->threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		o->threads = n > 0 ? (unsigned)n : 1;
	}
	if (!o->max_connections)
		o->max_connections = 1024;
	if (!o->idle_timeout)
		o->idle_timeout = 60;
	if (!o->read_timeout)
		o->read_timeout = 10;
	if (!o->header_timeout)
		o->header_timeout = 10;
	if (!o->max_per_client)
		o->max_per_client = 256;
	if (!o->reserve)
		o->reserve = o->max_connections > 256 ? 64 : o->max_connections / 4;
	if (!o->max_body_total)
		o->max_body_total = 3 * (size_t)BH_ADMIT_MAX_BODY;
}

int bh_server_start(const struct bh_server_opts *o, struct bh_server **out, struct bh_err *err)
{
	*out = NULL;
	if (!o->cert_file || !o->key_file)
		return bh_err_set(err, -EINVAL, 0, 0, "a certificate and its key are required (--tls-cert, --tls-key)");
	if (atomic_load(&g_cert))
		return bh_err_set(err, -EBUSY, 0, 0, "a server is already running in this process");
	pthread_once(&g_tonce, tkey_init);
	struct bh_server *s = calloc(1, sizeof(*s));
	if (!s)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	s->o = *o;
	defaults(&s->o);
	s->max_body = o->max_body ? o->max_body : BH_ADMIT_MAX_BODY;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->draining, 0);
	int rc;
	if ((rc = bh_metrics_init(&s->m)) < 0) {
		bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		goto fail;
	}
	struct sockaddr_storage ss;
	socklen_t sl;
	bool v6;
	if ((rc = parse_listen(s->o.listen, &ss, &sl, &v6, err)) < 0)
		goto fail;
	stamp(s->o.cert_file, &s->cert_st);
	stamp(s->o.key_file, &s->key_st);
	if ((rc = load_cert(s, err)) < 0)
		goto fail;
	stamp(s->o.config_file, &s->cfg_st);
	if ((rc = load_config(s, false, err)) < 0) {
		char m[sizeof(err->msg)];
		snprintf(m, sizeof(m), "%s", err->msg);
		bh_err_set(err, rc, err->line, err->col, "%s:%u:%u: %s", s->o.config_file, err->line, err->col, m);
		goto fail;
	}
	if (s->o.client_ca_file) {
		size_t n;
		if ((rc = bh_read_file(s->o.client_ca_file, 1u << 20, &s->client_ca, &n)) < 0) {
			bh_err_set(err, rc, 0, 0, "--client-ca %s: %s", s->o.client_ca_file, strerror(-rc));
			goto fail;
		}
	}
	struct bh_guard_opts go = {s->o.header_timeout, s->o.read_timeout, s->o.idle_timeout, s->o.max_connections,
				   s->o.reserve};
	if ((rc = bh_guard_start(&s->guard, &go, &s->m.guard)) < 0) {
		bh_err_set(err, rc, 0, 0, "cannot start the connection watchdog");
		goto fail;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_TLS | MHD_USE_ITC |
			 MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
	struct MHD_OptionItem opts[16] = {
		{MHD_OPTION_SOCK_ADDR, 0, &ss},
		{MHD_OPTION_HTTPS_CERT_CALLBACK, 0, (void *)cert_cb},
		{MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)(s->o.tls_priorities ? s->o.tls_priorities : DEFAULT_PRIORITIES)},
		{MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->o.max_connections, NULL},
		{MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->o.idle_timeout, NULL},
		{MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
		{MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)on_connection, s},
		{MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)s->o.max_per_client, NULL},
		{MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, s},
		{MHD_OPTION_LISTEN_BACKLOG_SIZE, 511, NULL},
	};
	size_t no = 10; /* the rest is optional; MHD_OPTION_END (0) ends the list */
	if (s->client_ca)
		opts[no++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_TRUST, 0, s->client_ca};
	if (s->o.threads > 1)
		opts[no++] = (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->o.threads, NULL};
	s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!s->d) {
		rc = bh_err_set(err, -EADDRNOTAVAIL, 0, 0, "cannot listen on %s (address in use, not local, or TLS setup failed)",
				s->o.listen);
		goto fail;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	*out = s;
	return 0;
fail:
	bh_server_stop(s);
	return rc < 0 ? rc : -EINVAL;
}

unsigned bh_server_port(const struct bh_server *s)
{
	return s->port;
}

void bh_server_drain(struct bh_server *s)
{
	if (atomic_exchange(&s->draining, 1))
		return;
	if (s->d) {
		MHD_socket fd = MHD_quiesce_daemon(s->d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
}

long bh_server_inflight(struct bh_server *s)
{
	return (long)atomic_load(&s->m.inflight);
}

void bh_server_stop(struct bh_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d); /* joins the pool threads: their tstate destructors have run */
	bh_guard_stop(s->guard);
	free(s->client_ca);
	struct bh_certset *c = atomic_exchange(&g_cert, NULL);
	bh_certset_free(c);
	free_retired(s, true);
	if (s->cfg)
		cfg_release(s->cfg);
	bh_metrics_release(&s->m);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
