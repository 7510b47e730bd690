/* The audit event view (audit.k8s.io/v1 Event, as documented in the Kubernetes API reference:
 * https://kubernetes.io/docs/reference/config-api/apiserver-audit.v1/#audit-k8s-io-v1-Event), which events
 * any rule can match, and the bounded sets the area keeps between events. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

bool bha_sv_eq(struct bha_sv s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && !memcmp(s.p, lit, n);
}

static bool sv_in(struct bha_sv s, const char *const *set)
{
	for (; *set; set++)
		if (bha_sv_eq(s, *set))
			return true;
	return false;
}

static const char *const v_write[] = {"create", "update", "patch", NULL};
static const char *const v_change[] = {"update", "patch", "delete", "deletecollection", NULL};
static const char *const v_list[] = {"list", "watch", NULL};
/* exec over SPDY is a POST (create); over WebSocket the upgrade is a GET (get) */
static const char *const v_session[] = {"create", "get", NULL};
static const char *const core_workloads[] = {"pods", "podtemplates", "replicationcontrollers", NULL};
static const char *const app_workloads[] = {"deployments", "replicasets", "statefulsets", "daemonsets", NULL};
static const char *const batch_workloads[] = {"jobs", "cronjobs", NULL};
static const char *const sessions[] = {"exec", "attach", "portforward", NULL};
static const char *const rbac_kinds[] = {"roles", "clusterroles", "rolebindings", "clusterrolebindings", NULL};
static const char *const webhook_kinds[] = {"validatingwebhookconfigurations", "mutatingwebhookconfigurations",
					    NULL};

static unsigned classify_core(const struct bha_key *k)
{
	struct bha_sv r = k->resource, sub = k->subresource, v = k->verb;
	if (bha_sv_eq(r, "pods")) {
		if (!sub.n || bha_sv_eq(sub, "ephemeralcontainers"))
			return sv_in(v, v_write) ? BHA_C_WORKLOAD : 0;
		return sv_in(sub, sessions) && sv_in(v, v_session) ? BHA_C_SESSION : 0;
	}
	if (sv_in(r, core_workloads))
		return !sub.n && sv_in(v, v_write) ? BHA_C_WORKLOAD : 0;
	if (bha_sv_eq(r, "nodes"))
		return bha_sv_eq(sub, "proxy") ? BHA_C_NODEPROXY : 0;
	if (bha_sv_eq(r, "serviceaccounts"))
		return bha_sv_eq(sub, "token") && bha_sv_eq(v, "create") ? BHA_C_TOKEN : 0;
	if (bha_sv_eq(r, "namespaces"))
		return !sub.n && sv_in(v, v_write) ? BHA_C_NAMESPACE : 0;
	if (bha_sv_eq(r, "secrets")) {
		static const char sa[] = "system:serviceaccount:";
		bool is_sa = k->user.n > sizeof(sa) - 1 && !memcmp(k->user.p, sa, sizeof(sa) - 1);
		return is_sa && !k->ns.n && sv_in(v, v_list) ? BHA_C_SECRETS : 0;
	}
	return 0;
}

unsigned bha_classify(const struct bha_key *k)
{
	/* RequestReceived has no outcome yet; the later stage of the same request is judged instead */
	if (!k->stage.n || bha_sv_eq(k->stage, "RequestReceived"))
		return 0;
	unsigned c = bha_sv_eq(k->user, "system:anonymous") ? BHA_C_ANON : 0;
	if (!k->has_ref)
		return c;
	struct bha_sv g = k->group, r = k->resource, sub = k->subresource;
	if (!g.n)
		return c | classify_core(k);
	if (bha_sv_eq(g, "apps"))
		return c | (sv_in(r, app_workloads) && !sub.n && sv_in(k->verb, v_write) ? BHA_C_WORKLOAD : 0);
	if (bha_sv_eq(g, "batch"))
		return c | (sv_in(r, batch_workloads) && !sub.n && sv_in(k->verb, v_write) ? BHA_C_WORKLOAD : 0);
	if (bha_sv_eq(g, "rbac.authorization.k8s.io"))
		return c | (sv_in(r, rbac_kinds) && !sub.n && sv_in(k->verb, v_write) ? BHA_C_RBAC : 0);
	if (bha_sv_eq(g, "admissionregistration.k8s.io"))
		return c | (sv_in(r, webhook_kinds) && !sub.n && sv_in(k->verb, v_change) ? BHA_C_WEBHOOK : 0);
	if (bha_sv_eq(g, "certificates.k8s.io") && bha_sv_eq(r, "certificatesigningrequests")) {
		bool create = !sub.n && bha_sv_eq(k->verb, "create");
		bool approve = bha_sv_eq(sub, "approval") && sv_in(k->verb, v_write);
		return c | (create || approve ? BHA_C_CSR : 0);
	}
	return c;
}

/* ---- the decoded event ---- */

const struct bh_node *bha_get(const struct bh_node *m, const char *k)
{
	return m && m->type == BH_MAP ? bh_map_get(m, k, BH_READ_LAST, NULL, NULL) : NULL;
}

const char *bha_str(const struct bh_node *m, const char *k)
{
	const struct bh_node *n = bha_get(m, k);
	return n && n->type == BH_SCALAR && n->style == BH_STYLE_JSON_STRING ? n->s : "";
}

static struct bha_sv sv(const char *s)
{
	return (struct bha_sv){s, strlen(s)};
}

/* RFC 3339 as the API server writes it (metav1.MicroTime: 2006-01-02T15:04:05.000000Z07:00). */
static time_t parse_time(const char *s)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	time_t t = timegm(&tm);
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
		long off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 + ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		t += *p == '+' ? -off : off;
	}
	return t;
}

static int need(const char *v, const char *what, const struct bha_event *ev, struct bh_err *err)
{
	if (*v)
		return 0;
	return bh_err_set(err, -EINVAL, ev->line, ev->col, "audit event without %s (audit.k8s.io/v1 Event requires it)",
			  what);
}

int bha_event_parse(struct bha_event *ev, const struct bh_doc *doc, const struct bh_node *root, struct bh_err *err)
{
	memset(ev, 0, sizeof(*ev));
	ev->doc = doc;
	ev->file = doc->file;
	ev->root = root;
	ev->line = root->line;
	ev->col = root->col;
	ev->audit_id = bha_str(root, "auditID");
	ev->stage = bha_str(root, "stage");
	ev->verb = bha_str(root, "verb");
	ev->uri = bha_str(root, "requestURI");
	ev->level = bha_str(root, "level");
	const struct bh_node *u = bha_get(root, "user");
	ev->user = bha_str(u, "username");
	ev->groups = bha_get(u, "groups");
	ev->imp_user = bha_str(bha_get(root, "impersonatedUser"), "username");
	ev->source_ips = bha_get(root, "sourceIPs");
	ev->user_agent = bha_str(root, "userAgent");
	ev->decision = bha_str(bha_get(root, "annotations"), "authorization.k8s.io/decision");
	const struct bh_node *ref = bha_get(root, "objectRef");
	ev->has_ref = ref && ref->type == BH_MAP;
	ev->resource = bha_str(ref, "resource");
	ev->subresource = bha_str(ref, "subresource");
	ev->ns = bha_str(ref, "namespace");
	ev->name = bha_str(ref, "name");
	ev->group = bha_str(ref, "apiGroup");
	ev->version = bha_str(ref, "apiVersion");
	int64_t code = 0;
	if (bh_as_int(bha_get(bha_get(root, "responseStatus"), "code"), &code) == BH_OK && code > 0 && code < 1000)
		ev->code = (int)code;
	ev->req = bha_get(root, "requestObject");
	ev->resp = bha_get(root, "responseObject");
	ev->ts = bha_str(root, "stageTimestamp");
	if (!*ev->ts)
		ev->ts = bha_str(root, "requestReceivedTimestamp");
	ev->t = parse_time(ev->ts);
	int rc;
	if ((rc = need(ev->audit_id, "auditID", ev, err)) || (rc = need(ev->stage, "stage", ev, err)) ||
	    (rc = need(ev->verb, "verb", ev, err)))
		return rc;
	ev->key = (struct bha_key){.stage = sv(ev->stage), .verb = sv(ev->verb), .user = sv(bha_effective_user(ev)),
				   .resource = sv(ev->resource), .subresource = sv(ev->subresource),
				   .group = sv(ev->group), .ns = sv(ev->ns), .has_ref = ev->has_ref};
	ev->cls = bha_classify(&ev->key);
	return 0;
}

const char *bha_effective_user(const struct bha_event *ev)
{
	return *ev->imp_user ? ev->imp_user : ev->user;
}

/* Allowed: the API server answered with success (2xx, or 101 for an upgraded exec/attach stream). Without a
 * responseStatus (stage ResponseStarted of some clients, or a policy that drops it) the authorizer's
 * decision annotation says at least whether it was authorized. */
enum bha_outcome bha_outcome(const struct bha_event *ev)
{
	if (ev->code)
		return ev->code == 101 || (ev->code >= 200 && ev->code < 300) ? BHA_ALLOWED : BHA_DENIED;
	if (!strcmp(ev->decision, "allow"))
		return BHA_ALLOWED;
	if (!strcmp(ev->decision, "forbid"))
		return BHA_DENIED;
	return BHA_UNKNOWN;
}

const char *bha_outcome_text(const struct bha_event *ev)
{
	enum bha_outcome o = bha_outcome(ev);
	if (o == BHA_DENIED && ev->code && ev->code != 401 && ev->code != 403)
		return !strcmp(ev->decision, "allow") ? "authorized, then failed" : "failed";
	return bha_outcome_name(o);
}

const char *bha_outcome_name(enum bha_outcome o)
{
	return o == BHA_ALLOWED ? "allowed" : o == BHA_DENIED ? "denied" : "unknown";
}

/* ---- bounded sets ---- */

uint64_t bha_hash(uint64_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	h ^= 0xff; /* separator: ("ab","c") and ("a","bc") differ */
	h *= 0x100000001b3ull;
	return h;
}

int bha_set_init(struct bha_set *s, size_t gen)
{
	memset(s, 0, sizeof(*s));
	size_t size = 1;
	while (size < gen * 2)
		size <<= 1;
	s->t[0] = calloc(size, sizeof(uint64_t));
	s->t[1] = calloc(size, sizeof(uint64_t));
	if (!s->t[0] || !s->t[1]) {
		bha_set_release(s);
		return -ENOMEM;
	}
	s->mask = size - 1;
	s->gen = gen;
	return 0;
}

void bha_set_release(struct bha_set *s)
{
	free(s->t[0]);
	free(s->t[1]);
	memset(s, 0, sizeof(*s));
}

static bool probe(const uint64_t *t, size_t mask, uint64_t k, size_t *slot)
{
	size_t i = (size_t)(k ^ (k >> 29)) & mask;
	while (t[i]) {
		if (t[i] == k)
			return true;
		i = (i + 1) & mask;
	}
	*slot = i;
	return false;
}

bool bha_set_has(const struct bha_set *s, uint64_t k)
{
	size_t slot;
	k |= 1;
	return probe(s->t[0], s->mask, k, &slot) || probe(s->t[1], s->mask, k, &slot);
}

bool bha_set_add(struct bha_set *s, uint64_t k)
{
	size_t slot;
	k |= 1; /* 0 marks an empty slot */
	if (probe(s->t[s->cur ^ 1], s->mask, k, &slot))
		return true;
	if (probe(s->t[s->cur], s->mask, k, &slot))
		return true;
	if (s->n >= s->gen) { /* the current generation is full: the older one is forgotten */
		s->cur ^= 1;
		memset(s->t[s->cur], 0, (s->mask + 1) * sizeof(uint64_t));
		s->n = 0;
		probe(s->t[s->cur], s->mask, k, &slot);
	}
	s->t[s->cur][slot] = k;
	s->n++;
	return false;
}
