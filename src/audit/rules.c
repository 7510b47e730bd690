/* The audit rules (rows in src/rules/audit.def): one function per class of event (audit_int.h, bha_classify). */
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "config/config.h"

static bool streq(const char *a, const char *b)
{
	return !strcmp(a, b);
}

static bool rule_off(struct bh_audit *a, const struct bh_rule *r)
{
	return a->o.cfg && (bh_config_rule_disabled(a->o.cfg, r) || bh_area_rule_disabled(&a->o.cfg->audit, r));
}

/* One finding per request and rule: the API server logs a request at several stages (ResponseStarted and
 * ResponseComplete of an exec), and the first stage that shows it is enough. */
static bool first_time(struct bh_audit *a, const struct bha_event *ev, const struct bh_rule *r)
{
	uint64_t h = bha_hash(BHA_HASH0 ^ 0x5a, ev->audit_id, strlen(ev->audit_id));
	return !bha_set_add(&a->once, bha_hash(h, r->id, strlen(r->id)));
}

/* One finding per pod creation, user, kind of access and outcome: kubectl exec tries a WebSocket and then
 * SPDY (two requests, two audit IDs) for one command. */
static bool first_access(struct bh_audit *a, const struct bh_rule *r, const struct bha_pod *p, const struct bha_event *ev,
			 const char *what)
{
	const char *u = bha_effective_user(ev);
	const char *oc = bha_outcome_name(bha_outcome(ev));
	uint64_t h = bha_hash(BHA_HASH0 ^ 0xac, p->audit_id, strlen(p->audit_id));
	h = bha_hash(bha_hash(h, u, strlen(u)), what, strlen(what));
	return !bha_set_add(&a->once, bha_hash(bha_hash(h, oc, strlen(oc)), r->id, strlen(r->id)));
}

static const char *kind_or_resource(const struct bha_event *ev, const struct bh_node *obj)
{
	const char *k = bha_str(obj, "kind");
	return *k ? k : ev->resource;
}

/* The full object of a write: the request body, unless it is a patch (then the stored result). */
static const struct bh_node *written_object(const struct bha_event *ev)
{
	bool patch = streq(ev->verb, "patch") || !*bha_str(ev->req, "kind");
	const struct bh_node *o = patch ? ev->resp : ev->req;
	if (!o || o->type != BH_MAP)
		o = patch ? NULL : ev->resp;
	return o && o->type == BH_MAP && *bha_str(o, "kind") ? o : NULL;
}

/* No full object although the request went through: the policy's level hid it (Metadata logs no object;
 * Request logs a patch but not the result). A refused patch has no object to show. */
static bool missing_object(const struct bha_event *ev)
{
	return !ev->req || (bha_outcome(ev) != BHA_DENIED && strcmp(ev->level, "RequestResponse"));
}

static void blind_spot(struct bh_audit *a, const struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(BLIND_SPOT);
	uint64_t h = bha_hash(BHA_HASH0 ^ 0xb1, ev->resource, strlen(ev->resource));
	h = bha_hash(h, ev->subresource, strlen(ev->subresource));
	if (rule_off(a, r) || bha_set_add(&a->once, bha_hash(h, ev->verb, strlen(ev->verb))))
		return;
	bha_emit(a, ev, r, r->sev, NULL, NULL,
		 "%s of %s%s%s logged at level %s without the object: whether it opened an escape avenue cannot be seen "
		 "(first such event; later ones are not reported)",
		 ev->verb, ev->resource, *ev->subresource ? "/" : "", ev->subresource, *ev->level ? ev->level : "(none)");
}

/* ---- pods with avenues ---- */

static struct bha_pod *pod_find(struct bh_audit *a, const char *ns, const char *name)
{
	char key[320];
	snprintf(key, sizeof(key), "%s/%s", ns, name);
	uint64_t h = bha_hash(BHA_HASH0, key, strlen(key));
	size_t n = a->npods < BHA_PODS ? a->npods : BHA_PODS;
	for (size_t i = 0; i < n; i++) { /* newest first */
		struct bha_pod *p = &a->pods[(a->npods - 1 - i) % BHA_PODS];
		if (p->h == h && !strcmp(p->key, key))
			return p;
	}
	return NULL;
}

static void pod_forget(struct bh_audit *a, const char *ns, const char *name)
{
	struct bha_pod *p = pod_find(a, ns, name);
	if (p)
		memset(p, 0, sizeof(*p));
}

static void pod_remember(struct bh_audit *a, const struct bha_event *ev, const char *ns, const char *name,
			 enum bh_sev sev, const char *summary)
{
	struct bha_pod *p = pod_find(a, ns, name);
	if (!p)
		p = &a->pods[a->npods++ % BHA_PODS];
	snprintf(p->key, sizeof(p->key), "%s/%s", ns, name);
	p->h = bha_hash(BHA_HASH0, p->key, strlen(p->key));
	snprintf(p->user, sizeof(p->user), "%s", bha_effective_user(ev));
	snprintf(p->audit_id, sizeof(p->audit_id), "%s", ev->audit_id);
	snprintf(p->summary, sizeof(p->summary), "%s", summary);
	p->sev = sev;
	p->t = ev->t;
}

/* ---- workloads: the scan rules on the object ---- */

struct escapes {
	enum bh_sev worst;
	size_t n;
	char ids[160], text[640];
};

/* Evaluates obj with the scan rules (config applied: disabled rules, exemptions); keeps high and above. */
static void scan_object(struct bh_audit *a, const struct bha_event *ev, const struct bh_node *obj, struct escapes *x,
			bool eph_only)
{
	memset(x, 0, sizeof(*x));
	x->worst = BH_SEV_NONE;
	struct bh_object o;
	bh_object_init(&o, ev->doc, obj);
	if (!o.ref.namespace && *ev->ns)
		o.ref.namespace = ev->ns;
	if (!o.ref.name && *ev->name)
		o.ref.name = ev->name;
	bh_engine_reset(&a->x);
	a->x.user = bha_effective_user(ev);
	bh_engine_object(&a->x, &o);
	size_t li = 0, lt = 0;
	for (size_t i = 0; i < a->x.findings.n; i++) {
		const struct bh_finding *f = &a->x.findings.v[i];
		if (f->suppressed || f->sev < BH_SEV_HIGH || f->sev == BH_SEV_NONE)
			continue;
		/* pods/ephemeralcontainers carries the whole pod: what is new are its ephemeral containers */
		if (eph_only && (!f->field || !strstr(f->field, "ephemeralContainers")))
			continue;
		if (x->worst == BH_SEV_NONE || f->sev > x->worst)
			x->worst = f->sev;
		if (strstr(x->ids, f->rule->id) == NULL && li < sizeof(x->ids))
			li += (size_t)snprintf(x->ids + li, sizeof(x->ids) - li, "%s%s", li ? "," : "", f->rule->id);
		if (lt < sizeof(x->text))
			lt += (size_t)snprintf(x->text + lt, sizeof(x->text) - lt, "%s%s %s%s%s%s", lt ? "; " : "",
					       f->rule->id, f->rule->name, f->container ? " (container " : "",
					       f->container ? f->container : "", f->container ? ")" : "");
		x->n++;
	}
}

static void incident(struct bh_audit *a, const struct bha_event *ev, const struct bha_pod *p, const char *what)
{
	const struct bh_rule *r = BHA_RULE(INCIDENT);
	long dt = (long)(ev->t - p->t);
	if (rule_off(a, r) || strcmp(p->user, bha_effective_user(ev)) || dt < 0 || dt > (long)a->o.window ||
	    !first_access(a, r, p, ev, what))
		return;
	enum bha_outcome oc = bha_outcome(ev);
	bool started = ev->code == 101 || (oc == BHA_ALLOWED && ev->code < 300);
	bha_emit(a, ev, r, started ? r->sev : BH_SEV_HIGH, p->audit_id, NULL,
		 "%s created pod %s with an escape avenue (%s; auditID %s) and %lds later %s it (%s, code %d)", p->user,
		 p->key, p->summary, p->audit_id, dt, what, bha_outcome_text(ev), ev->code);
}

static void ephemeral(struct bh_audit *a, const struct bha_event *ev, const struct escapes *x)
{
	const struct bh_rule *r = BHA_RULE(EPHEMERAL);
	if (rule_off(a, r) || !first_time(a, ev, r))
		return;
	struct bha_pod *p = pod_find(a, ev->ns, ev->name);
	bool avenue = p || x->n;
	bha_emit(a, ev, r, avenue ? BH_SEV_HIGH : r->sev, p ? p->audit_id : NULL, x->n ? x->ids : NULL,
		 "%s added an ephemeral container to pod %s/%s%s%s (code %d)", bha_effective_user(ev), ev->ns, ev->name,
		 avenue ? ", a pod with an escape avenue: " : "", p ? p->summary : x->n ? x->text : "", ev->code);
	if (p)
		incident(a, ev, p, "added an ephemeral container to");
}

static void workload(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(WORKLOAD_AVENUE);
	bool eph = streq(ev->subresource, "ephemeralcontainers");
	enum bha_outcome oc = bha_outcome(ev);
	const struct bh_node *obj = written_object(ev);
	if (!obj) {
		if (missing_object(ev))
			blind_spot(a, ev);
		return;
	}
	struct escapes x;
	scan_object(a, ev, obj, &x, eph);
	bool pod = streq(ev->resource, "pods");
	if (eph && oc == BHA_ALLOWED)
		ephemeral(a, ev, &x);
	const char *name = *ev->name ? ev->name : bha_str(bha_get(obj, "metadata"), "name");
	if (!*name)
		name = bha_str(bha_get(ev->resp, "metadata"), "name");
	/* a pod of that name created again without an avenue: sessions into it are everyday work */
	if (!x.n && pod && !eph && streq(ev->verb, "create") && oc == BHA_ALLOWED)
		pod_forget(a, ev->ns, name);
	if (!x.n || rule_off(a, r) || !first_time(a, ev, r))
		return;
	enum bh_sev sev = oc == BHA_DENIED ? BH_SEV_MEDIUM : x.worst;
	bha_emit(a, ev, r, sev, NULL, x.ids, "%s %s %s %s %s%s%s%s: %s (%s, code %d)", bha_effective_user(ev),
		 oc == BHA_DENIED ? "tried to" : "did", ev->verb, kind_or_resource(ev, obj), ev->ns, *ev->ns ? "/" : "", name,
		 eph ? " (ephemeral containers)" : "", x.text, bha_outcome_text(ev), ev->code);
	if (pod && oc != BHA_DENIED && *name)
		pod_remember(a, ev, ev->ns, name, x.worst, x.ids);
}

static void session(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(EXEC_AVENUE_POD);
	struct bha_pod *p = pod_find(a, ev->ns, ev->name);
	if (!p)
		return; /* a session into a pod not known to have an avenue: everyday work */
	enum bha_outcome oc = bha_outcome(ev);
	char what[32];
	snprintf(what, sizeof(what), "%s into", ev->subresource);
	incident(a, ev, p, what);
	if (rule_off(a, r) || !first_time(a, ev, r) || !first_access(a, r, p, ev, what))
		return;
	bha_emit(a, ev, r, oc == BHA_ALLOWED ? r->sev : BH_SEV_MEDIUM, p->audit_id, p->summary,
		 "%s %s %s into pod %s, which has an escape avenue (%s; created by %s, auditID %s) (%s, code %d)",
		 bha_effective_user(ev), oc == BHA_ALLOWED ? "opened" : "tried to open", ev->subresource, p->key, p->summary, p->user,
		 p->audit_id, bha_outcome_text(ev), ev->code);
}

static void node_proxy(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(NODES_PROXY);
	if (rule_off(a, r) || !first_time(a, ev, r))
		return;
	enum bha_outcome oc = bha_outcome(ev);
	bha_emit(a, ev, r, oc == BHA_DENIED ? BH_SEV_MEDIUM : r->sev, NULL, NULL,
		 "%s %s the kubelet API of node %s through nodes/proxy: %s %s (%s, code %d)", bha_effective_user(ev),
		 oc == BHA_DENIED ? "tried to reach" : "reached", ev->name, ev->verb, ev->uri, bha_outcome_text(ev), ev->code);
}

static void token(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(SA_TOKEN);
	const char *u = bha_effective_user(ev);
	if (bha_outcome(ev) != BHA_ALLOWED || rule_off(a, r) || !first_time(a, ev, r))
		return;
	char self[400];
	snprintf(self, sizeof(self), "system:serviceaccount:%s:%s", ev->ns, ev->name);
	bool by_sa = !strncmp(u, "system:serviceaccount:", 22);
	bool other = by_sa && strcmp(u, self);
	bha_emit(a, ev, r, other ? BH_SEV_HIGH : r->sev, NULL, NULL, "%s requested a token for service account %s/%s%s", u,
		 ev->ns, ev->name, other ? " (a service account acting as another one)" : "");
}

static void anonymous(struct bh_audit *a, struct bha_event *ev)
{
	/* what system:public-info-viewer and the discovery roles give everyone */
	static const char *const public[] = {"/healthz", "/livez", "/readyz", "/version", "/.well-known/openid-configuration",
					     "/openid/v1/jwks", NULL};
	const struct bh_rule *r = BHA_RULE(ANONYMOUS);
	if (bha_outcome(ev) != BHA_ALLOWED || rule_off(a, r))
		return;
	if (!ev->has_ref)
		for (const char *const *p = public; *p; p++) {
			size_t n = strlen(*p);
			if (!strncmp(ev->uri, *p, n) && (ev->uri[n] == 0 || ev->uri[n] == '?' || ev->uri[n] == '/'))
				return;
		}
	if (!first_time(a, ev, r))
		return;
	bha_emit(a, ev, r, r->sev, NULL, NULL, "an unauthenticated request succeeded: %s %s (code %d)", ev->verb, ev->uri,
		 ev->code);
}

static void secrets(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(SA_LIST_SECRETS);
	if (bha_outcome(ev) != BHA_ALLOWED || rule_off(a, r) || !first_time(a, ev, r))
		return;
	bha_emit(a, ev, r, r->sev, NULL, NULL, "%s (a pod's service account) did %s secrets in every namespace (code %d)",
		 bha_effective_user(ev), ev->verb, ev->code);
}


void bha_judge(struct bh_audit *a, struct bha_event *ev)
{
	unsigned c = ev->cls;
	if (c & BHA_C_ANON)
		anonymous(a, ev);
	if (c & BHA_C_WORKLOAD)
		workload(a, ev);
	if (c & BHA_C_SESSION)
		session(a, ev);
	if (c & BHA_C_NODEPROXY)
		node_proxy(a, ev);
	if (c & BHA_C_TOKEN)
		token(a, ev);
	if (c & BHA_C_SECRETS)
		secrets(a, ev);
	if (c & (BHA_C_RBAC | BHA_C_CSR)) {
		const struct bh_node *obj = written_object(ev);
		if (!obj && missing_object(ev))
			blind_spot(a, ev);
		else if (obj && (c & BHA_C_RBAC))
			bha_rbac(a, ev, obj);
		else if (obj)
			bha_csr(a, ev, obj);
	}
	if (c & BHA_C_WEBHOOK)
		bha_webhook(a, ev);
	if (c & BHA_C_NAMESPACE)
		bha_namespace(a, ev);
}
