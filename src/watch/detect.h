/* Detection for `bulkhead watch`: the rule rows (BH0500–BH0599, shared bh_rule shape with check = NULL), the
 * detector that turns sensor events into alerts, the allow-list and the alert writers. Pure user space:
 * the same code runs on live, replayed and synthetic events. */
#ifndef BH_WATCH_DETECT_H
#define BH_WATCH_DETECT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../rules/finding.h"
#include "../util/err.h"
#include "watch.h"

/* The watch rows of the rule registry (rules/watch.def), in BHW_R_* order. */
const struct bh_rule *bhw_rules(size_t *n);
/* By id or name; NULL if not a watch rule. */
const struct bh_rule *bhw_rule_find(const char *id_or_name);
/* The "What" part of a watch rule's explanation (bh_rule_explain gives all of it); NULL for other rules. */
const char *bhw_rule_explain(const struct bh_rule *r);
/* The event types each rule needs: sets need[type] for every enabled rule (enabled[i] matches bhw_rules()). */
void bhw_rules_needed(const bool *enabled, bool need[BHW_EV_MAX]);
/* The event types that feed rule idx (index in bhw_rules()); returns how many. */
#define BHW_RULE_TYPES 6
int bhw_rule_event_types(size_t idx, unsigned *types, int max);

/* ---- allow-list (config) ---- */
#define BHW_ALLOW_MAX 256
struct bhw_allow {
	char rule[16];       /* id, or "*" */
	char exe[256];       /* exact path, or prefix ending in '*'; empty = any */
	char comm[16];       /* exact; empty = any */
	char container[80];  /* container id prefix; empty = any */
	char reason[160];    /* required */
	int64_t expires;     /* unix seconds; 0 = never */
};

struct bhw_config {
	struct bhw_allow allow[BHW_ALLOW_MAX];
	size_t nallow;
	bool disabled[100];  /* by rule number - 500 */
	int sev_override[100]; /* -1 = default */
};

struct bh_config;
struct bhw_identity;
void bhw_config_init(struct bhw_config *c);
/* Fills c from the `watch:` section of a config loaded by bh_config_load (src/config/), checking watch rule
 * ids and field sizes. 0 or negative errno with err set; err->msg starts with file:line:col. */
int bhw_config_from(struct bhw_config *c, const struct bh_config *cfg, struct bh_err *err);
/* Loads a YAML config file with the one loader and takes its `watch:` section (see docs/watch.md). 0 or
 * negative errno with err set; err->msg starts with file:line:col. */
int bhw_config_load(struct bhw_config *c, const char *path, struct bh_err *err);
/* Same from a buffer (tests); name is used in messages. */
int bhw_config_parse(struct bhw_config *c, const char *buf, size_t len, const char *name, struct bh_err *err);

/* ---- detector ---- */
#define BHW_CHAIN_MAX (BHW_CHAIN)

struct bhw_alert {
	const struct bh_rule *rule;
	enum bh_sev sev;
	const struct bhw_event *ev;
	char message[320];
	const char *exe;         /* from the process cache or /proc; may be "" */
	const char *args;        /* space-joined argv; may be "" */
	char container_id[BHW_CGNAME]; /* "" when none */
	const char *runtime;     /* "containerd", "cri-o", "docker", "podman", NULL */
	char pod_uid[40];        /* "" when none */
	bool suppressed;
	const char *suppress_reason;
	int64_t time_ns;         /* wall clock */
	const struct bhw_identity *identity; /* Kubernetes identity (watch/identity.h), set by the caller; NULL: none */
};

typedef void (*bhw_alert_cb)(void *ctx, const struct bhw_alert *a);

/* Optional: fills exe/args for a pid the detector has not seen exec (live engine: /proc). */
typedef int (*bhw_proc_lookup)(uint32_t pid, char *exe, size_t exe_len, char *args, size_t args_len);

struct bhw_detector_stats {
	uint64_t events, alerts, suppressed, deduplicated;
	uint64_t by_type[BHW_EV_MAX];
	uint64_t by_rule[100];   /* raised alerts by rule number - 500 (not suppressed, not deduplicated) */
};

struct bhw_detector;
/* cfg is copied. Returns NULL with errno set. */
struct bhw_detector *bhw_detector_new(const struct bhw_config *cfg);
void bhw_detector_free(struct bhw_detector *d);
void bhw_detector_set_origin(struct bhw_detector *d, const uint32_t host_ns[BHW_NS_MAX], int64_t mono_to_real);
void bhw_detector_set_lookup(struct bhw_detector *d, bhw_proc_lookup fn);
/* Same rule for the same process within this window (ns) raises one alert; 0 disables (default 2 s). */
void bhw_detector_set_dedup(struct bhw_detector *d, uint64_t window_ns);
/* Evaluates one event; calls cb for each alert (suppressed ones too, flagged). Returns the alert count. */
int bhw_detector_feed(struct bhw_detector *d, const struct bhw_event *ev, bhw_alert_cb cb, void *ctx);
void bhw_detector_stats(const struct bhw_detector *d, struct bhw_detector_stats *st);

/* Parses the cgroup names of an event into a container id / runtime / pod UID (exposed for tests). */
void bhw_container_of(const struct bhw_event *ev, char *id, size_t idlen, const char **runtime, char *pod,
		      size_t podlen);
/* The path of an open event: "/sys/kernel/core_pattern" (inside its filesystem). */
void bhw_open_path(const struct bhw_event *ev, char *buf, size_t len);

/* ---- output ---- */
void bhw_alert_json(FILE *out, const struct bhw_alert *a);
void bhw_alert_text(FILE *out, const struct bhw_alert *a);

#endif
