/* The HTTPS server of `bulkhead serve`: libmicrohttpd with GnuTLS, a thread pool sized to the cores
 * polling with epoll, routes /validate /healthz /readyz /metrics. Certificates and config are swapped
 * atomically on reload; shutdown drains requests in flight. Library code: it never prints; everything
 * worth a log line goes to the log callback. */
#ifndef BH_SERVE_SERVER_H
#define BH_SERVE_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "serve/admission.h"
#include "util/err.h"

enum bh_loglevel { BH_LOG_DEBUG = 0, BH_LOG_INFO, BH_LOG_WARN, BH_LOG_ERROR };

/* One log event. Fields that do not apply are NULL / 0. */
struct bh_serve_log {
	enum bh_loglevel level;
	const char *event;   /* "request", "reload", "tls", "listen", "drain", "http" */
	const char *msg;
	const char *path, *method, *peer;
	int status;
	uint64_t duration_us;
	const struct bh_admit_result *adm;  /* /validate answers */
};

struct bh_server_opts {
	const char *listen;          /* "ADDR:PORT", "[V6]:PORT" or ":PORT" (all IPv4); port 0 = any */
	const char *cert_file, *key_file;
	const char *config_file;     /* NULL: built-in defaults */
	unsigned threads;            /* 0: one per online CPU */
	unsigned max_connections;    /* 0: 1024 */
	unsigned max_per_client;     /* connections from one IP address; 0: 256 */
	unsigned reserve;            /* slots kept free by closing idle and slow connections; 0: 64 */
	unsigned header_timeout;     /* seconds for the TLS handshake and the request headers; 0: 10 */
	unsigned idle_timeout;       /* seconds a keep-alive connection may wait for its next request; 0: 60 */
	unsigned read_timeout;       /* seconds to receive a request body after its headers; 0: 10 */
	const char *client_ca_file;  /* PEM: /validate requires a client certificate signed by it; NULL: none */
	size_t max_body;             /* 0: BH_ADMIT_MAX_BODY */
	size_t max_body_total;       /* request bodies held at once, all connections; 0: 3 x BH_ADMIT_MAX_BODY */
	const char *tls_priorities;  /* GnuTLS priority string; NULL: TLS 1.2+ with the system's ciphers */
	bool log_allowed;            /* log every /validate answer, not only denials, warnings and errors */
	void (*log)(void *ctx, const struct bh_serve_log *l);
	void *log_ctx;
	/* Another POST endpoint in place of /validate (the audit webhook backend of `bulkhead audit --listen`):
	 * requests to post_path get /validate's body limit, Content-Type check, deadlines and metrics, and are
	 * answered by post_handler (status returned, body in out, res filled) instead of the AdmissionReview
	 * handler; /validate itself then answers 404. NULL: /validate as usual. */
	const char *post_path;
	int (*post_handler)(void *ctx, const char *body, size_t len, struct bh_buf *out, struct bh_admit_result *res);
	void *post_ctx;
	/* per-pod hook of every admission engine (struct bh_admission.on_pod: image signatures) */
	void (*on_pod)(struct bh_engine *e, const struct bh_pod *p, void *ctx);
	void *on_pod_ctx;
	/* appends more Prometheus lines to /metrics (the image verifier's counters) */
	void (*metrics_extra)(void *ctx, struct bh_buf *out);
	void *metrics_ctx;
};

struct bh_server;

/* Loads certificate and config, binds and starts serving. One server per process (the GnuTLS certificate
 * callback has no user pointer). */
int bh_server_start(const struct bh_server_opts *o, struct bh_server **out, struct bh_err *err);
unsigned bh_server_port(const struct bh_server *s);
/* Reloads certificate and config when their files changed (force: unconditionally, e.g. SIGHUP).
 * A file that fails to load leaves the previous one in use (and is logged and counted). Call it about once
 * a second: it also frees retired certificates. */
void bh_server_reload(struct bh_server *s, bool force);
/* Stops accepting connections and marks /readyz unready; requests on open connections are still
 * answered, with "Connection: close". */
void bh_server_drain(struct bh_server *s);
/* Requests being received or decided now. */
long bh_server_inflight(struct bh_server *s);
/* Closes every connection, joins the threads, frees everything. Accepts NULL. */
void bh_server_stop(struct bh_server *s);

#endif
