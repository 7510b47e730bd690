/* watch --metrics-listen ADDR:PORT: GET /metrics in the Prometheus text exposition format (version 0.0.4) over
 * plain HTTP, with libmicrohttpd's own polling thread. The event loop renders a snapshot now and then and
 * swaps it in under a mutex; a request copies the snapshot and never waits on the event loop, and the event
 * loop never waits on a client (slow or many clients cost the HTTP thread only: connection limits, idle
 * timeout, no request body read). */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cmd.h"

#define MAX_CONN 16
#define MAX_PER_IP 4
#define IDLE_S 5

struct watch_metrics_server {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *text;
	size_t len;
	unsigned port;
	unsigned long long requests;
};

/* "ADDR:PORT", "[V6]:PORT" or ":PORT"/"PORT" (loopback). 0 or -1. */
static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl, bool *v6)
{
	char host[64] = "127.0.0.1";
	const char *colon = strrchr(s, ':'), *port = colon ? colon + 1 : s;
	size_t hl = colon ? (size_t)(colon - s) : 0;
	if (hl >= sizeof(host))
		return -1;
	if (hl) {
		memcpy(host, s, hl), host[hl] = 0;
		if (host[0] == '[' && hl > 2 && host[hl - 1] == ']')
			memmove(host, host + 1, hl - 2), host[hl - 2] = 0;
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (!*port || *end || p < 0 || p > 65535)
		return -1;
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET, a4->sin_port = htons((uint16_t)p), *sl = sizeof(*a4), *v6 = false;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6, a6->sin6_port = htons((uint16_t)p), *sl = sizeof(*a6), *v6 = true;
		return 0;
	}
	return -1;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype, char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload, size_t *upload_size, void **state)
{
	struct watch_metrics_server *m = cls;
	(void)version, (void)upload;
	if (!*state) { /* first call: headers only; the answer comes with the second */
		*state = m;
		return MHD_YES;
	}
	if (*upload_size) { /* a body is never wanted: drop it unread */
		*upload_size = 0;
		return MHD_YES;
	}
	bool get = !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
	if (!get || strcmp(url, "/metrics")) {
		static const char nf[] = "only GET /metrics\n";
		char *b = strdup(nf);
		return b ? reply(c, get ? MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", b, strlen(b))
			 : MHD_NO;
	}
	pthread_mutex_lock(&m->lock);
	m->requests++;
	char *b = malloc(m->len + 1);
	size_t n = m->len;
	if (b && n)
		memcpy(b, m->text, n);
	pthread_mutex_unlock(&m->lock);
	if (!b)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", b, n);
}

int watch_metrics_start(const char *listen, struct watch_metrics_server **out, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	bool v6;
	*out = NULL;
	if (parse_addr(listen, &ss, &sl, &v6) < 0) {
		snprintf(err, errlen, "--metrics-listen '%s': give ADDR:PORT (an IPv4 or [IPv6] address; PORT alone "
				      "listens on 127.0.0.1)", listen);
		return -EINVAL;
	}
	struct watch_metrics_server *m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0);
	m->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONN, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				(unsigned)MAX_PER_IP, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_S,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384, MHD_OPTION_END);
	if (!m->d) {
		snprintf(err, errlen, "--metrics-listen %s: cannot listen (address in use or not local)", listen);
		pthread_mutex_destroy(&m->lock);
		free(m);
		return -EADDRINUSE;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
	m->port = di ? di->port : 0;
	*out = m;
	return 0;
}

unsigned watch_metrics_port(const struct watch_metrics_server *m)
{
	return m->port;
}

void watch_metrics_publish(struct watch_metrics_server *m, char *text, size_t len)
{
	pthread_mutex_lock(&m->lock);
	free(m->text);
	m->text = text;
	m->len = len;
	pthread_mutex_unlock(&m->lock);
}

void watch_metrics_stop(struct watch_metrics_server *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	pthread_mutex_destroy(&m->lock);
	free(m->text);
	free(m);
}
