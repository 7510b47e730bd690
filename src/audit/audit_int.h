/* Internal to src/audit/: the event view, the fast-path key, the rule indexes and the state. */
#ifndef BH_AUDIT_INT_H
#define BH_AUDIT_INT_H
#include "audit.h"
#include "decode/node.h"
#include "rules/finding.h"

/* BHA_R_<SYM>: 0-based index of each audit rule, generated from rules/audit.def. */
enum {
#define BH_RULE(id, sym, ...) BHA_R_##sym = BH_RULE_##id - BH_RULES_AUDIT_FIRST,
#include "rules/audit.def"
#undef BH_RULE
	BHA_R_MAX
};
#define BHA_RULE(sym) (&bh_rules[BH_RULES_AUDIT_FIRST + BHA_R_##sym])

/* A byte slice (fast path: points into the raw line; full path: a decoded scalar). */
struct bha_sv {
	const char *p;
	size_t n;
};

/* What decides whether an event can matter: the same function judges the raw line (fast path) and the
 * decoded event, so the fast path never skips an event the full path would have judged. */
struct bha_key {
	struct bha_sv stage, verb, user, resource, subresource, group, ns;
	bool has_ref;
};

enum bha_class {
	BHA_C_NONE = 0,
	BHA_C_WORKLOAD = 1 << 0, /* pods, templates, workloads: create/update/patch; pods/ephemeralcontainers */
	BHA_C_SESSION = 1 << 1,  /* pods/exec, attach, portforward */
	BHA_C_NODEPROXY = 1 << 2,
	BHA_C_RBAC = 1 << 3,
	BHA_C_TOKEN = 1 << 4,
	BHA_C_CSR = 1 << 5,
	BHA_C_SECRETS = 1 << 6,  /* cluster-wide list/watch of secrets by a service account */
	BHA_C_WEBHOOK = 1 << 7,
	BHA_C_NAMESPACE = 1 << 8,
	BHA_C_ANON = 1 << 9,
};
unsigned bha_classify(const struct bha_key *k);
bool bha_sv_eq(struct bha_sv s, const char *lit);

/* Fast path over one raw line: 0 when no rule can match it (skip), 1 when it must be decoded. */
int bha_prefilter(const char *p, size_t n);
/* The same for an EventList item (kind and apiVersion may be absent). */
int bha_prefilter_ex(const char *p, size_t n, bool item);
struct bha_span {
	size_t off, len;
};
/* The items of a compact EventList body, located without decoding; -1 when it is anything else. */
long bha_split_items(const char *p, size_t n, size_t max, struct bha_span **out);

enum bha_outcome { BHA_DENIED = 0, BHA_ALLOWED, BHA_UNKNOWN };

/* One decoded event. Strings are NUL-terminated ("" when absent) and live in the event's arena. */
struct bha_event {
	const char *file;
	uint32_t line, col;
	const struct bh_doc *doc;
	const struct bh_node *root;
	const char *audit_id, *stage, *verb, *uri, *level, *user, *imp_user, *user_agent, *decision;
	const struct bh_node *groups, *source_ips;
	const char *resource, *subresource, *ns, *name, *group, *version;
	bool has_ref;
	int code; /* responseStatus.code, 0 when absent */
	const struct bh_node *req, *resp;
	const char *ts;
	time_t t;
	struct bha_key key;
	unsigned cls;
};
/* Fills ev from an Event's mapping; returns 0 or -EINVAL with a message in err (line/col set). */
int bha_event_parse(struct bha_event *ev, const struct bh_doc *doc, const struct bh_node *root, struct bh_err *err);
enum bha_outcome bha_outcome(const struct bha_event *ev);
/* The user the request acted as (impersonatedUser when set). */
const char *bha_effective_user(const struct bha_event *ev);
struct bh_config;
struct bh_exemption;
/* The audit.allow entry of the config that exempts rule r on ev, or NULL. */
const struct bh_exemption *bha_allowed(const struct bh_config *cfg, const struct bha_event *ev, const struct bh_rule *r,
				       time_t now);
const char *bha_outcome_name(enum bha_outcome o);
/* For messages: allowed, denied (401/403), failed, "authorized, then failed" (e.g. exec into a pod without a node). */
const char *bha_outcome_text(const struct bha_event *ev);

/* A two-generation set of 64-bit keys: bounded memory, remembers at least the last `gen` keys. */
struct bha_set {
	uint64_t *t[2];
	size_t mask, n, gen;
	int cur;
};
int bha_set_init(struct bha_set *s, size_t gen);
void bha_set_release(struct bha_set *s);
/* true when k was already in the set; adds it otherwise */
bool bha_set_add(struct bha_set *s, uint64_t k);
bool bha_set_has(const struct bha_set *s, uint64_t k);
uint64_t bha_hash(uint64_t h, const char *s, size_t n);
#define BHA_HASH0 0xcbf29ce484222325ull

/* Pods seen created with an escape avenue (for sessions into them and for correlation). */
#define BHA_PODS 4096
struct bha_pod {
	uint64_t h;
	char key[320];       /* namespace/name */
	char user[160];
	char audit_id[48];
	char summary[200];   /* the scan rules that fired */
	enum bh_sev sev;
	time_t t;
};

/* Structured evidence of one finding (for JSON lines), parallel to the findings. */
struct bha_evid {
	size_t finding;
	const char *audit_id, *stage, *verb, *uri, *user, *imp_user, *user_agent, *ts, *related;
	const char **groups, **ips;
	size_t ngroups, nips;
	const char *resource, *subresource, *ns, *name, *group;
	int code;
	enum bha_outcome outcome;
	const char *outcome_text; /* allowed, denied, failed, "authorized, then failed", unknown */
	int authorized;           /* the authorizer's decision annotation: 1 allow, 0 forbid, -1 absent */
	const char *escapes; /* "BH0001,BH0010" */
};

struct bh_audit {
	struct bh_audit_opts o;
	time_t now; /* when the run started: audit.allow expiry */
	struct bh_limits lim;
	struct bh_engine out;  /* audit findings, input errors, counts: what the reporters print */
	struct bh_engine x;    /* scratch: evaluates one event's object with the scan rules */
	struct bh_arena ev;    /* one event's tree */
	struct bh_audit_stats st;
	struct bha_evid *evid;
	size_t nevid, capevid;
	struct bha_set seen;   /* auditID + stage: duplicates */
	struct bha_set once;   /* auditID + rule, and blind spots by resource + verb: one finding each */
	struct bha_set roles;  /* roles seen granting escalation (kind, namespace, name) */
	struct bha_pod *pods;  /* ring of BHA_PODS */
	size_t npods;
};

/* Judges one parsed event: appends findings to a->out. */
void bha_judge(struct bh_audit *a, struct bha_event *ev);
/* Rules on object contents other than pods (rbac.c). */
void bha_rbac(struct bh_audit *a, struct bha_event *ev, const struct bh_node *obj);
void bha_csr(struct bh_audit *a, struct bha_event *ev, const struct bh_node *obj);
void bha_webhook(struct bh_audit *a, struct bha_event *ev);
void bha_namespace(struct bh_audit *a, struct bha_event *ev);
/* Emits a finding of rule with the event's evidence; the message is printf-style. */
struct bh_finding *bha_emit(struct bh_audit *a, const struct bha_event *ev, const struct bh_rule *r, enum bh_sev sev,
			    const char *related, const char *escapes, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

/* node helpers */
const struct bh_node *bha_get(const struct bh_node *m, const char *k);
const char *bha_str(const struct bh_node *m, const char *k); /* "" when absent or not a string */

#endif
