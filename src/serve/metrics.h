/* Prometheus counters of `bulkhead serve` (text exposition format 0.0.4). Lock-free: every counter is a
 * relaxed atomic, so request threads never wait on each other to count. */
#ifndef BH_SERVE_METRICS_H
#define BH_SERVE_METRICS_H
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#include "serve/admission.h"
#include "serve/buf.h"
#include "serve/guard.h"

enum bh_mpath { BH_MP_VALIDATE = 0, BH_MP_HEALTHZ, BH_MP_READYZ, BH_MP_METRICS, BH_MP_OTHER, BH_MP_COUNT };
enum bh_merr {
	BH_ME_BAD_REQUEST = 0, /* malformed JSON, wrong kind or version */
	BH_ME_TOO_LARGE,       /* body over the limit */
	BH_ME_TIMEOUT,         /* body not received in time (slow client) */
	BH_ME_INTERNAL,        /* out of memory, failed to queue a response */
	BH_ME_COUNT
};
enum bh_mreload { BH_MR_CERT = 0, BH_MR_CONFIG, BH_MR_COUNT };

#define BH_M_NCODES 10    /* the status codes we answer with, plus "other" */
#define BH_M_NBUCKETS 14

struct bh_metrics {
	_Atomic uint64_t http[BH_MP_COUNT][BH_M_NCODES];
	_Atomic uint64_t decisions[BH_DEC_COUNT];
	_Atomic uint64_t dry_run;
	_Atomic uint64_t *rule_hits;  /* [bh_nrules][3]: audit, warn, deny */
	_Atomic uint64_t lat[BH_M_NBUCKETS + 1];
	_Atomic uint64_t lat_sum_ns, lat_count;
	_Atomic uint64_t errors[BH_ME_COUNT];
	_Atomic uint64_t reloads[BH_MR_COUNT][2]; /* ok, failed */
	_Atomic int64_t inflight;
	_Atomic int64_t cert_not_after;  /* unix time, 0 = unknown */
	_Atomic int64_t config_loaded;   /* unix time of the config in use */
	struct bh_guard_stats guard;     /* connections cut by deadline, evicted under pressure */
	time_t start;
};

int bh_metrics_init(struct bh_metrics *m);
void bh_metrics_release(struct bh_metrics *m);
enum bh_mpath bh_metrics_path(const char *url);
void bh_metrics_http(struct bh_metrics *m, enum bh_mpath p, int code);
void bh_metrics_latency(struct bh_metrics *m, uint64_t ns);
void bh_metrics_decision(struct bh_metrics *m, const struct bh_admit_result *r);
void bh_metrics_error(struct bh_metrics *m, enum bh_merr e);
void bh_metrics_reload(struct bh_metrics *m, enum bh_mreload what, int ok);
/* Renders every metric; connections is the daemon's current connection count (-1 unknown). */
void bh_metrics_render(struct bh_metrics *m, struct bh_buf *out, long connections, int ready);

#endif
