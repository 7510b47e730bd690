#include "guard.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Watchdog period; deadlines are kept to within this. */
#define TICK_MS 100
/* Under pressure, a connection still in its headers this long is taken as slow (the API server sends
 * its headers in the packet after the handshake). */
#define PRESSURE_GRACE_MS 1000

struct bh_gconn {
	struct bh_gconn *prev, *next; /* oldest first */
	int fd;
	struct sockaddr_storage peer;
	socklen_t peerlen;
	/* written by the connection's thread without the lock (three times per request), read by the
	 * watchdog: a stale read lasts one tick */
	_Atomic int phase;
	_Atomic uint64_t since_ms, deadline_ms; /* deadline 0: none */
	bool cut;
	int cut_phase; /* bh_guard_cut */
};

struct bh_guard {
	struct bh_guard_opts o;
	struct bh_guard_stats *st;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop, started;
	struct bh_gconn head; /* list sentinel */
	long n;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint64_t deadline_of(const struct bh_guard *g, enum bh_gphase ph, uint64_t now)
{
	switch (ph) {
	case BH_G_HEAD: return now + g->o.header_timeout * 1000ull;
	case BH_G_BODY: return now + g->o.read_timeout * 1000ull + 1000;
	case BH_G_IDLE: return now + g->o.idle_timeout * 1000ull;
	case BH_G_BUSY: return 0;
	}
	return 0;
}

/* shutdown(2) only if the descriptor still is this connection's socket: libmicrohttpd closes sockets
 * itself, and a number closed and reused for a new connection must never be cut by mistake. */
static void cut(struct bh_gconn *c)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	c->cut = true;
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) == 0 && len == c->peerlen && !memcmp(&ss, &c->peer, len))
		shutdown(c->fd, SHUT_RDWR);
}

static void sweep(struct bh_guard *g, uint64_t now)
{
	long live = 0;
	for (struct bh_gconn *c = g->head.next; c != &g->head; c = c->next) {
		uint64_t dl = atomic_load_explicit(&c->deadline_ms, memory_order_relaxed);
		if (!c->cut && dl && now > dl) {
			int ph = atomic_load_explicit(&c->phase, memory_order_relaxed);
			atomic_fetch_add(&g->st->cut[ph & 3], 1);
			c->cut_phase = ph + 1;
			cut(c);
		}
		live += !c->cut;
	}
	long high = (long)g->o.limit - (long)g->o.reserve;
	for (struct bh_gconn *c = g->head.next; c != &g->head && live > high; c = c->next) {
		int ph = atomic_load_explicit(&c->phase, memory_order_relaxed);
		uint64_t since = atomic_load_explicit(&c->since_ms, memory_order_relaxed);
		if (c->cut || (ph != BH_G_IDLE && !(ph == BH_G_HEAD && now - since > PRESSURE_GRACE_MS)))
			continue;
		atomic_fetch_add(&g->st->evicted, 1);
		c->cut_phase = BH_G_IDLE + 2;
		cut(c);
		live--;
	}
}

static void *watchdog(void *arg)
{
	struct bh_guard *g = arg;
	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		if (!g->stop)
			sweep(g, now_ms());
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

int bh_guard_start(struct bh_guard **out, const struct bh_guard_opts *o, struct bh_guard_stats *stats)
{
	struct bh_guard *g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->o = *o;
	g->st = stats;
	g->head.next = g->head.prev = &g->head;
	pthread_mutex_init(&g->lock, NULL);
	pthread_cond_init(&g->wake, NULL);
	if (pthread_create(&g->thread, NULL, watchdog, g)) {
		bh_guard_stop(g);
		return -EAGAIN;
	}
	g->started = true;
	*out = g;
	return 0;
}

void bh_guard_stop(struct bh_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	if (g->started)
		pthread_join(g->thread, NULL);
	/* connections still listed belong to a daemon already stopped: their sockets are closed */
	for (struct bh_gconn *c = g->head.next, *n; c != &g->head; c = n) {
		n = c->next;
		free(c);
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

struct bh_gconn *bh_guard_open(struct bh_guard *g, int fd, const struct sockaddr *peer, socklen_t len)
{
	struct bh_gconn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = fd;
	if (peer && len <= sizeof(c->peer)) {
		memcpy(&c->peer, peer, len);
		c->peerlen = len;
	}
	uint64_t now = now_ms();
	atomic_init(&c->phase, BH_G_HEAD);
	atomic_init(&c->since_ms, now);
	atomic_init(&c->deadline_ms, deadline_of(g, BH_G_HEAD, now));
	pthread_mutex_lock(&g->lock);
	c->prev = g->head.prev;
	c->next = &g->head;
	g->head.prev->next = c;
	g->head.prev = c;
	g->n++;
	pthread_mutex_unlock(&g->lock);
	atomic_fetch_add(&g->st->open, 1);
	return c;
}

void bh_guard_close(struct bh_guard *g, struct bh_gconn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	g->n--;
	pthread_mutex_unlock(&g->lock);
	atomic_fetch_sub(&g->st->open, 1);
	free(c);
}

void bh_guard_phase(struct bh_guard *g, struct bh_gconn *c, enum bh_gphase ph)
{
	if (!c)
		return;
	uint64_t now = now_ms();
	atomic_store_explicit(&c->deadline_ms, deadline_of(g, ph, now), memory_order_relaxed);
	atomic_store_explicit(&c->since_ms, now, memory_order_relaxed);
	atomic_store_explicit(&c->phase, (int)ph, memory_order_relaxed);
}

int bh_guard_cut(struct bh_guard *g, const struct bh_gconn *c)
{
	if (!c)
		return 0;
	pthread_mutex_lock(&g->lock);
	int ph = c->cut ? c->cut_phase : 0;
	pthread_mutex_unlock(&g->lock);
	return ph;
}
