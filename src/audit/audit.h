/* `bulkhead audit`: escape preparation seen in the API server's audit log (audit.k8s.io/v1 Event JSON lines
 * or EventList documents), from a file, a pipe or the audit webhook backend's batches.
 *
 * Library code: it never prints (except the JSON-lines writer to the FILE it is given) and never exits.
 * Bad input becomes an error with file:line:col in the findings' report; every other event is still judged.
 * Findings use the common shape (rules/finding.h), their rows are src/rules/audit.def, and every finding
 * carries the event's evidence (user, groups, source IPs, user agent, object, stage, code, allowed). */
#ifndef BH_AUDIT_H
#define BH_AUDIT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "engine/engine.h"
#include "report/report.h"

/* One event: a JSON line or one item of an EventList. The API server's request limit is 3 MiB and a
 * RequestResponse event holds the request and the response object, each JSON-escaped once more. */
#define BH_AUDIT_MAX_EVENT (16u << 20)
/* Events in one EventList (the webhook backend sends 400 per batch by default). */
#define BH_AUDIT_MAX_ITEMS 100000u
/* A whole EventList document read at once (files, stdin in document mode). */
#define BH_AUDIT_MAX_DOC (256u << 20)
/* Correlation window between a pod's creation and a session into it, seconds. */
#define BH_AUDIT_WINDOW 600u
/* Depth of one event's JSON: Kubernetes objects nest ~20 deep inside an event's ~3 levels. */
#define BH_AUDIT_MAX_DEPTH 128u

struct bh_config;

struct bh_audit_opts {
	size_t max_event;            /* 0: BH_AUDIT_MAX_EVENT */
	size_t max_items;            /* 0: BH_AUDIT_MAX_ITEMS */
	unsigned window;             /* 0: BH_AUDIT_WINDOW */
	const char *const *webhooks; /* names of bulkhead's own webhook configurations; NULL: {"bulkhead"} */
	size_t nwebhooks;
	const struct bh_config *cfg; /* disabled rules, exemptions, podTemplatePaths; NULL: defaults */
	bool no_fast;                /* decode every event, even those no rule can match (tests, bench) */
	/* called after each chunk of a stream (stdin) was judged, so alerts leave while the log grows */
	void (*on_chunk)(void *ctx);
	void *ctx;
};

struct bh_audit_stats {
	uint64_t events;     /* events read (lines and EventList items) */
	uint64_t decoded;    /* fully decoded and judged */
	uint64_t skipped;    /* passed over by the fast path: no rule can match them */
	uint64_t duplicates; /* same auditID and stage seen before (webhook retries, rotated logs) */
	uint64_t errors;     /* lines or items that could not be read */
	uint64_t bytes;
};

struct bh_audit;

int bh_audit_new(const struct bh_audit_opts *o, struct bh_audit **out);
void bh_audit_free(struct bh_audit *a);

/* Reads path ("-" = stdin): JSON lines (one Event or EventList per line) or, when the first line is not a
 * whole JSON value, one or more pretty-printed Event/EventList documents. */
void bh_audit_file(struct bh_audit *a, const char *path);
/* The same for a buffer (name used in errors). */
void bh_audit_buffer(struct bh_audit *a, const char *name, const char *buf, size_t len);
/* One webhook batch: an EventList (or a single Event). Returns 0, or -EINVAL with err set when the body
 * is not an EventList at all (events inside it that are bad are errors in the report, not a failure). */
int bh_audit_batch(struct bh_audit *a, const char *name, const char *body, size_t len, struct bh_err *err);

/* The findings and errors so far (valid until the next call that adds or forgets). */
void bh_audit_report(struct bh_audit *a, struct bh_report *r);
const struct bh_audit_stats *bh_audit_stats(const struct bh_audit *a);
/* Drops reported findings and errors (a long-running listener after writing them); keeps the
 * correlation and duplicate state. */
void bh_audit_forget(struct bh_audit *a);

/* JSON lines for log pipelines: one {"finding": {…}, "event": {…}} per finding from index *from on
 * (docs/schema/audit.schema.json), and one {"error": {…}} per input error likewise; advances both. */
int bh_audit_write_jsonl(FILE *out, struct bh_audit *a, size_t *from, size_t *from_err);

#endif
