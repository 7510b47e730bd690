#include "metrics.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rules/rules.h"

#define RELAXED memory_order_relaxed

static const int codes[BH_M_NCODES - 1] = {200, 400, 404, 405, 408, 413, 415, 500, 503};
static const char *const paths[BH_MP_COUNT] = {"/validate", "/healthz", "/readyz", "/metrics", "other"};
static const char *const errs[BH_ME_COUNT] = {"bad_request", "too_large", "timeout", "internal"};
static const char *const reloads[BH_MR_COUNT] = {"certificate", "config"};
static const char *const acts[3] = {"audit", "warn", "deny"};
/* seconds; an admission decision is expected in tens of microseconds, the API server gives up at 1-30 s */
static const double buckets[BH_M_NBUCKETS] = {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
					     0.01,    0.025,  0.05,    0.1,    0.25,  1,     5};

int bh_metrics_init(struct bh_metrics *m)
{
	memset(m, 0, sizeof(*m));
	m->start = time(NULL);
	m->rule_hits = calloc(bh_nrules * 3 + 1, sizeof(*m->rule_hits));
	return m->rule_hits ? 0 : -1;
}

void bh_metrics_release(struct bh_metrics *m)
{
	if (!m)
		return;
	free(m->rule_hits);
	m->rule_hits = NULL;
}

enum bh_mpath bh_metrics_path(const char *url)
{
	for (int i = 0; i < BH_MP_OTHER; i++)
		if (!strcmp(url, paths[i]))
			return (enum bh_mpath)i;
	return BH_MP_OTHER;
}

void bh_metrics_http(struct bh_metrics *m, enum bh_mpath p, int code)
{
	int k = BH_M_NCODES - 1;
	for (int i = 0; i < BH_M_NCODES - 1; i++)
		if (codes[i] == code)
			k = i;
	atomic_fetch_add_explicit(&m->http[p][k], 1, RELAXED);
}

void bh_metrics_latency(struct bh_metrics *m, uint64_t ns)
{
	int b = 0;
	double s = (double)ns / 1e9;
	while (b < BH_M_NBUCKETS && s > buckets[b])
		b++;
	atomic_fetch_add_explicit(&m->lat[b], 1, RELAXED); /* non-cumulative here; summed when rendered */
	atomic_fetch_add_explicit(&m->lat_sum_ns, ns, RELAXED);
	atomic_fetch_add_explicit(&m->lat_count, 1, RELAXED);
}

/* Row of a rule id in the registry. Ids in decisions are the registry's own strings: the first try
 * compares the pointer with the row a small direct-mapped cache remembers for it; otherwise by name. */
static size_t rule_row(const char *id)
{
	static _Thread_local struct {
		const char *id;
		size_t row;
	} cache[64];
	if (!id)
		return bh_nrules;
	size_t h = ((uintptr_t)id >> 3) & 63;
	if (cache[h].id == id)
		return cache[h].row;
	const struct bh_rule *rule = bh_rule_find(id);
	size_t row = rule ? (size_t)(rule - bh_rules) : bh_nrules;
	cache[h].id = id;
	cache[h].row = row;
	return row;
}

void bh_metrics_decision(struct bh_metrics *m, const struct bh_admit_result *r)
{
	if ((unsigned)r->decision < BH_DEC_COUNT)
		atomic_fetch_add_explicit(&m->decisions[r->decision], 1, RELAXED);
	if (r->dry_run)
		atomic_fetch_add_explicit(&m->dry_run, 1, RELAXED);
	for (size_t i = 0; i < r->nrule; i++) {
		unsigned a = r->action[i];
		/* the decision names rules by id; the counters are kept per row of the registry */
		size_t row = rule_row(r->rule[i]);
		if (row < bh_nrules && a >= BH_ACT_AUDIT && a <= BH_ACT_DENY)
			atomic_fetch_add_explicit(&m->rule_hits[row * 3 + (a - BH_ACT_AUDIT)], 1, RELAXED);
	}
}

void bh_metrics_error(struct bh_metrics *m, enum bh_merr e)
{
	atomic_fetch_add_explicit(&m->errors[e], 1, RELAXED);
}

void bh_metrics_reload(struct bh_metrics *m, enum bh_mreload what, int ok)
{
	atomic_fetch_add_explicit(&m->reloads[what][ok ? 0 : 1], 1, RELAXED);
}

static uint64_t ld(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, RELAXED);
}

static void help(struct bh_buf *o, const char *name, const char *type, const char *text)
{
	bh_buf_printf(o, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

void bh_metrics_render(struct bh_metrics *m, struct bh_buf *o, long connections, int ready)
{
	help(o, "bulkhead_http_requests_total", "counter", "HTTP requests by path and status code.");
	for (int p = 0; p < BH_MP_COUNT; p++)
		for (int k = 0; k < BH_M_NCODES; k++) {
			uint64_t v = ld(&m->http[p][k]);
			if (!v && !(p == BH_MP_VALIDATE && k == 0))
				continue;
			if (k < BH_M_NCODES - 1)
				bh_buf_printf(o, "bulkhead_http_requests_total{path=\"%s\",code=\"%d\"} %llu\n", paths[p],
					      codes[k], (unsigned long long)v);
			else
				bh_buf_printf(o, "bulkhead_http_requests_total{path=\"%s\",code=\"other\"} %llu\n", paths[p],
					      (unsigned long long)v);
		}
	help(o, "bulkhead_admission_decisions_total", "counter",
	     "AdmissionReview decisions: allow, audit, warn, deny, exempt, skip (not evaluated), invalid (HTTP 400).");
	for (int d = 0; d < BH_DEC_COUNT; d++)
		bh_buf_printf(o, "bulkhead_admission_decisions_total{decision=\"%s\"} %llu\n",
			      bh_decision_name((enum bh_decision)d), (unsigned long long)ld(&m->decisions[d]));
	help(o, "bulkhead_admission_dry_run_total", "counter", "Dry-run AdmissionReviews (decided like the others).");
	bh_buf_printf(o, "bulkhead_admission_dry_run_total %llu\n", (unsigned long long)ld(&m->dry_run));
	help(o, "bulkhead_admission_rule_hits_total", "counter",
	     "Findings that drove an answer, by rule and the action taken (suppressed findings are not counted).");
	for (size_t r = 0; r < bh_nrules; r++)
		for (int a = 0; a < 3; a++) {
			uint64_t v = ld(&m->rule_hits[r * 3 + (size_t)a]);
			if (v)
				bh_buf_printf(o, "bulkhead_admission_rule_hits_total{rule=\"%s\",name=\"%s\",action=\"%s\"} %llu\n",
					      bh_rules[r].id, bh_rules[r].name, acts[a], (unsigned long long)v);
		}
	help(o, "bulkhead_admission_duration_seconds", "histogram",
	     "Time from the first byte of a /validate request to its answer being queued.");
	uint64_t cum = 0;
	for (int b = 0; b < BH_M_NBUCKETS; b++) {
		cum += ld(&m->lat[b]);
		bh_buf_printf(o, "bulkhead_admission_duration_seconds_bucket{le=\"%g\"} %llu\n", buckets[b],
			      (unsigned long long)cum);
	}
	cum += ld(&m->lat[BH_M_NBUCKETS]);
	bh_buf_printf(o, "bulkhead_admission_duration_seconds_bucket{le=\"+Inf\"} %llu\n", (unsigned long long)cum);
	bh_buf_printf(o, "bulkhead_admission_duration_seconds_sum %.9f\n", (double)ld(&m->lat_sum_ns) / 1e9);
	bh_buf_printf(o, "bulkhead_admission_duration_seconds_count %llu\n", (unsigned long long)ld(&m->lat_count));
	help(o, "bulkhead_errors_total", "counter", "Requests answered with an error, by kind.");
	for (int e = 0; e < BH_ME_COUNT; e++)
		bh_buf_printf(o, "bulkhead_errors_total{kind=\"%s\"} %llu\n", errs[e], (unsigned long long)ld(&m->errors[e]));
	help(o, "bulkhead_reloads_total", "counter", "Certificate and config reloads, by result.");
	for (int w = 0; w < BH_MR_COUNT; w++) {
		bh_buf_printf(o, "bulkhead_reloads_total{what=\"%s\",result=\"ok\"} %llu\n", reloads[w],
			      (unsigned long long)ld(&m->reloads[w][0]));
		bh_buf_printf(o, "bulkhead_reloads_total{what=\"%s\",result=\"failed\"} %llu\n", reloads[w],
			      (unsigned long long)ld(&m->reloads[w][1]));
	}
	help(o, "bulkhead_inflight_requests", "gauge", "Requests being received or decided now.");
	bh_buf_printf(o, "bulkhead_inflight_requests %lld\n", (long long)atomic_load_explicit(&m->inflight, RELAXED));
	if (connections >= 0) {
		help(o, "bulkhead_connections", "gauge", "Open client connections.");
		bh_buf_printf(o, "bulkhead_connections %ld\n", connections);
	}
	static const char *const phases[] = {"headers", "body", "answer", "idle"};
	help(o, "bulkhead_connections_cut_total", "counter",
	     "Connections closed because the deadline of their phase passed (TLS handshake and headers, body, "
	     "keep-alive), however slowly they kept sending.");
	for (int ph = 0; ph < 4; ph++)
		bh_buf_printf(o, "bulkhead_connections_cut_total{phase=\"%s\"} %llu\n", phases[ph],
			      (unsigned long long)ld(&m->guard.cut[ph]));
	help(o, "bulkhead_connections_evicted_total", "counter",
	     "Idle or slow connections closed to keep a reserve of connection slots free.");
	bh_buf_printf(o, "bulkhead_connections_evicted_total %llu\n", (unsigned long long)ld(&m->guard.evicted));
	help(o, "bulkhead_ready", "gauge", "1 while the server accepts admission traffic, 0 while draining.");
	bh_buf_printf(o, "bulkhead_ready %d\n", ready);
	help(o, "bulkhead_certificate_expiry_timestamp_seconds", "gauge", "notAfter of the serving certificate.");
	bh_buf_printf(o, "bulkhead_certificate_expiry_timestamp_seconds %lld\n",
		      (long long)atomic_load_explicit(&m->cert_not_after, RELAXED));
	help(o, "bulkhead_config_load_timestamp_seconds", "gauge", "When the config in use was loaded.");
	bh_buf_printf(o, "bulkhead_config_load_timestamp_seconds %lld\n",
		      (long long)atomic_load_explicit(&m->config_loaded, RELAXED));
	help(o, "bulkhead_start_timestamp_seconds", "gauge", "When the server started.");
	bh_buf_printf(o, "bulkhead_start_timestamp_seconds %lld\n", (long long)m->start);
}
