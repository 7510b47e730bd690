/* bulkhead respond: from a watch or audit alert (one JSON line) or a pod reference, the ordered containment
 * plan: quarantine label + deny-all NetworkPolicy, cordon, evidence, service-account token revocation, the
 * same image and the same avenue elsewhere, then the fix. Rendered as a runbook (text, exact kubectl
 * commands) or JSON. Every value taken from an alert is checked against the syntax Kubernetes allows for
 * it before it is written into a command, so a crafted alert cannot inject shell into the runbook. */
#ifndef BH_RESPOND_H
#define BH_RESPOND_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/arena.h"
#include "util/err.h"

#define BH_RESP_MAX_STEPS 12
#define BH_RESP_MAX_CMDS 12

struct bh_resp_step {
	const char *id, *title, *why;
	const char *cmds[BH_RESP_MAX_CMDS];
	int ncmds;
	bool mutates;           /* changes the cluster (applied with --apply; dry-run first) */
	const char *manifest;   /* an object to apply (YAML), or NULL */
};

struct bh_resp_plan {
	struct bh_arena a;
	const char *source;     /* "watch", "audit" or "pod" */
	const char *rule, *rule_name, *severity, *title, *message, *time;
	const char *ns, *pod, *pod_uid, *container_id, *node, *kind; /* NULL when the input does not say */
	const char *container_name;                            /* watch: from the node's log directories */
	const char *user, *verb, *uri, *source_ips;            /* audit */
	int64_t pid;                                           /* watch: the process (host PID), 0 unknown */
	const char *comm, *exe, *args, *shared_ns, *event_type, *parents;
	const char *avenue;     /* manifest rule ids that open the same avenue, "BH0002 BH0201" */
	struct bh_resp_step steps[BH_RESP_MAX_STEPS];
	int nsteps;
};

void bh_resp_init(struct bh_resp_plan *p);
void bh_resp_release(struct bh_resp_plan *p);
/* One alert (a JSON object: a watch alert, or an audit jsonl line {"finding": …, "event": …}). 0 or <0 with
 * err (line/col of the JSON, or the field whose value is not a valid Kubernetes name). */
int bh_resp_from_alert(struct bh_resp_plan *p, const char *name, const char *buf, size_t len, struct bh_err *err);
/* A pod reference NAMESPACE/NAME. */
int bh_resp_from_pod(struct bh_resp_plan *p, const char *ref, struct bh_err *err);
/* Fills p->steps from what the input said. */
void bh_resp_build(struct bh_resp_plan *p);
void bh_resp_text(FILE *out, const struct bh_resp_plan *p);
void bh_resp_json(FILE *out, const struct bh_resp_plan *p);

#endif
