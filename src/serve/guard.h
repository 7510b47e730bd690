/* Connection deadlines for `bulkhead serve` that a slow client cannot extend. libmicrohttpd's timeout
 * is an idle timeout: a client sending one byte every few seconds keeps a connection (and a slot of the
 * connection limit) forever. The guard keeps, per connection, a deadline for the phase it is in and a
 * watchdog thread shuts down (shutdown(2)) the sockets past theirs; libmicrohttpd then sees the end of
 * the stream and closes the connection as usual.
 *   handshake + request headers: header_timeout from accept (or from the end of the previous request)
 *   request body:                read_timeout + 1 s from the end of the headers (the server's own read
 *                                timeout answers a trickling client first)
 *   keep-alive, waiting:         idle_timeout from the end of the previous request
 *   answering:                   no deadline (the review has its own time budget)
 * When more than (limit - reserve) connections are open, the watchdog also closes, oldest first, those
 * that are idle or still in their headers after PRESSURE_GRACE ms, so that a flood of slow or idle
 * connections cannot take the slots the API server and the kubelet's probes need. */
#ifndef BH_SERVE_GUARD_H
#define BH_SERVE_GUARD_H
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

enum bh_gphase { BH_G_HEAD = 0, BH_G_BODY, BH_G_BUSY, BH_G_IDLE };

struct bh_guard_opts {
	unsigned header_timeout, read_timeout, idle_timeout; /* seconds */
	unsigned limit, reserve;                             /* connections */
};

struct bh_guard_stats {
	_Atomic uint64_t cut[4];  /* by phase whose deadline passed */
	_Atomic uint64_t evicted; /* closed to keep the reserve free */
	_Atomic long open;
};

struct bh_guard;
struct bh_gconn;

int bh_guard_start(struct bh_guard **g, const struct bh_guard_opts *o, struct bh_guard_stats *stats);
void bh_guard_stop(struct bh_guard *g);
/* A new connection (phase head). NULL when out of memory (the connection is then not guarded). */
struct bh_gconn *bh_guard_open(struct bh_guard *g, int fd, const struct sockaddr *peer, socklen_t len);
/* Before the socket is closed. */
void bh_guard_close(struct bh_guard *g, struct bh_gconn *c);
void bh_guard_phase(struct bh_guard *g, struct bh_gconn *c, enum bh_gphase ph);
/* The phase whose deadline closed the connection + 1 (evicted: BH_G_IDLE + 2), or 0. */
int bh_guard_cut(struct bh_guard *g, const struct bh_gconn *c);

#endif
