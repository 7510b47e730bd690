/* AdmissionReview v1 → decision. Shapes follow k8s.io/api admission/v1 (request/response) as summarised in
 * research/cluster-anchors.md §1.1–1.2. */
#include "admission.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config/engine_ops.h"
#include "engine/engine.h"
#include "objects/objects.h"
#include "rules/rules.h"

/* Findings of one object are bounded so a pod with thousands of containers cannot grow the answer without
 * limit: at most BH_ADMIT_PER_RULE in a row from one rule (the rest counted on the last), MAX_FINDINGS in
 * all. Reaching MAX_FINDINGS means the object was not evaluated whole: it is denied. */
#define MAX_FINDINGS 4096
#define MAX_NOTES 4
/* The tree of the largest review: object and oldObject of at most 1.5 MiB each in etcd, about 3 MiB of
 * JSON structure each (escaped characters decode to one byte); real objects take about 10 bytes of tree
 * per byte of JSON. Inputs that need more are denied as too complex rather than allowed to take the pod's
 * memory. */
#define TREE_CAP (64u << 20)
/* After a request whose tree took more than this, give the memory back instead of keeping it per thread. */
#define TREE_KEEP (1u << 20)

static const char *const dec_names[BH_DEC_COUNT] = {"allow", "audit", "warn", "deny", "exempt", "skip", "invalid"};

const char *bh_decision_name(enum bh_decision d)
{
	return (unsigned)d < BH_DEC_COUNT ? dec_names[d] : "?";
}

void bh_admission_init(struct bh_admission *x)
{
	memset(x, 0, sizeof(*x));
	x->lim = bh_default_limits;
	x->lim.max_input = BH_ADMIT_MAX_BODY;
	x->lim.max_doc_bytes = TREE_CAP;
	bh_arena_init(&x->tree, TREE_CAP);
	bh_engine_init(&x->e);
	x->e.cfg_ops = &bh_config_engine_ops; /* the config (or none) as the engine applies it */
}

void bh_admission_release(struct bh_admission *x)
{
	if (!x)
		return;
	bh_arena_release(&x->tree);
	bh_engine_release(&x->e);
}

void bh_admission_error_body(struct bh_buf *out, int status, const char *msg)
{
	bh_buf_clear(out, 1u << 16);
	bh_buf_printf(out, "{\"code\": %d, \"error\": ", status);
	bh_buf_jsonz(out, msg);
	bh_buf_puts(out, "}\n");
}

static void cpy(char *dst, size_t size, const char *s, size_t n)
{
	if (!s) {
		dst[0] = 0;
		return;
	}
	n = bh_utf8_prefix(s, strnlen(s, n), size - 1);
	memcpy(dst, s, n);
	dst[n] = 0;
}

static int invalid(struct bh_buf *out, struct bh_admit_result *res, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int invalid(struct bh_buf *out, struct bh_admit_result *res, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	res->decision = BH_DEC_INVALID;
	res->status = 400;
	bh_admission_error_body(out, 400, res->error);
	return 400;
}

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	/* Go's encoding/json keeps the last of duplicate keys; the envelope is written by the API server */
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

/* A string field of the envelope: 0 absent or null, 1 set, -1 present with another type. */
static int sfield(const struct bh_node *m, const char *k, const char **s, size_t *len)
{
	*s = NULL;
	*len = 0;
	enum bh_res r = bh_as_str(get(m, k), s, len);
	if (r == BH_OK)
		return 1;
	*s = NULL;
	return r == BH_BAD ? -1 : 0;
}

static bool streq(const char *s, size_t len, const char *lit)
{
	return s && len == strlen(lit) && !memcmp(s, lit, len);
}

/* Structural equality of two subtrees (scalars by text and JSON type, maps in order). Used to let
 * metadata-only updates through: the API server serialises maps in a stable order, and a false "differs"
 * only means the object is evaluated. */
static bool node_eq(const struct bh_node *a, const struct bh_node *b)
{
	if (!a || !b)
		return a == b;
	if (a->type != b->type || a->n != b->n)
		return false;
	switch (a->type) {
	case BH_SCALAR:
		return a->style == b->style && a->len == b->len && !memcmp(a->s, b->s, a->len);
	case BH_MAP:
		for (uint32_t i = 0; i < a->n; i++)
			if (!node_eq(a->pairs[i].key, b->pairs[i].key) || !node_eq(a->pairs[i].val, b->pairs[i].val))
				return false;
		return true;
	case BH_SEQ:
		for (uint32_t i = 0; i < a->n; i++)
			if (!node_eq(a->items[i], b->items[i]))
				return false;
		return true;
	}
	return false;
}

/* One warning, at most BH_ADMIT_WARN_LEN bytes (hence characters), cut on a UTF-8 boundary with "...". */
static void warning(struct bh_buf *out, bool *first, const char *text)
{
	char w[BH_ADMIT_WARN_LEN + 1];
	size_t n = strlen(text);
	if (n > BH_ADMIT_WARN_LEN) {
		n = bh_utf8_prefix(text, n, BH_ADMIT_WARN_LEN - 3);
		memcpy(w, text, n);
		memcpy(w + n, "...", 3);
		n += 3;
	} else
		memcpy(w, text, n);
	bh_buf_puts(out, *first ? ", \"warnings\": [" : ", ");
	*first = false;
	bh_buf_json(out, w, n);
}

static const char *obj_label(const struct bh_object *o, char *buf, size_t size)
{
	snprintf(buf, size, "%s %s%s%s", o->ref.kind ? o->ref.kind : "object", o->ref.namespace ? o->ref.namespace : "",
		 o->ref.namespace ? "/" : "", o->ref.name ? o->ref.name : "(unnamed)");
	return buf;
}

/* The text of one finding for the denial message. */
static void finding_text(struct bh_buf *m, const struct bh_finding *f)
{
	const struct bh_rule *r = f->rule;
	bh_buf_printf(m, "[%s %s, %s]", r ? r->id : "?", r ? r->name : "?", bh_sev_name(f->sev));
	if (f->container)
		bh_buf_printf(m, " container \"%s\"", f->container);
	if (f->field)
		bh_buf_printf(m, " %s", f->field);
	bh_buf_printf(m, ": %s", f->message ? f->message : "");
	if (r && r->remediation)
		bh_buf_printf(m, " (fix: %s)", r->remediation);
}

static void respond(struct bh_buf *out, const char *uid, size_t uidlen, bool allowed)
{
	bh_buf_clear(out, 1u << 16);
	bh_buf_puts(out, "{\"apiVersion\": \"admission.k8s.io/v1\", \"kind\": \"AdmissionReview\", \"response\": {\"uid\": ");
	bh_buf_json(out, uid, uidlen);
	bh_buf_puts(out, allowed ? ", \"allowed\": true" : ", \"allowed\": false");
}

static int answered(struct bh_buf *out, struct bh_admit_result *res)
{
	bh_buf_puts(out, "}}\n");
	return res->status = out->err ? 500 : 200;
}

/* ---- step 1: parse the review ---- */

struct review {
	struct bh_decoder *d;
	struct bh_doc doc;
	const struct bh_node *req, *obj, *old, *ui;
	const char *uid, *op, *sub, *user, *ns;
	size_t uidlen, oplen, sublen, userlen, nslen;
};

static const char *skip_ws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The uid of a review that cannot be decoded whole (too deep, too large a tree, bytes past the limit), so
 * that it can still be denied with a reason instead of failing the call (a failed call is an allow under
 * failurePolicy: Ignore). The API server (Go encoding/json, fields in struct order) writes
 * {"kind":…,"apiVersion":…,"request":{"uid":"…", so the first "request" key is followed by the uid; only
 * uids of RFC 4122 characters are taken. */
static bool salvage_uid(const char *b, size_t len, const char **uid, size_t *n)
{
	static const char key[] = "\"request\"";
	const char *e = b + len, *p = memmem(b, len, key, sizeof(key) - 1);
	if (!p)
		return false;
	p = skip_ws(p + sizeof(key) - 1, e);
	if (p == e || *p++ != ':' || (p = skip_ws(p, e)) == e || *p++ != '{')
		return false;
	p = skip_ws(p, e);
	if (e - p < 5 || memcmp(p, "\"uid\"", 5))
		return false;
	p = skip_ws(p + 5, e);
	if (p == e || *p++ != ':' || (p = skip_ws(p, e)) == e || *p++ != '"')
		return false;
	const char *q = p;
	while (q < e && q - p < 128 && (isalnum((unsigned char)*q) || *q == '-' || *q == '_' || *q == '.'))
		q++;
	if (q == e || *q != '"' || q == p)
		return false;
	*uid = p;
	*n = (size_t)(q - p);
	return true;
}

/* A review we cannot read whole but can answer: denied, with the reason (never allowed on a partial read). */
static int deny_unreadable(struct bh_buf *out, struct bh_admit_result *res, const char *uid, size_t uidlen,
			   const char *why)
{
	cpy(res->uid, sizeof(res->uid), uid, uidlen);
	snprintf(res->error, sizeof(res->error), "%s", why);
	res->decision = BH_DEC_DENY;
	res->reason = "review not evaluated whole";
	respond(out, uid, uidlen, false);
	bh_buf_puts(out, ", \"status\": {\"code\": 400, \"reason\": \"BadRequest\", \"message\": ");
	char m[512];
	snprintf(m, sizeof(m), "bulkhead cannot evaluate this request whole, so it is denied: %s", why);
	bh_buf_jsonz(out, m);
	bh_buf_puts(out, "}, \"auditAnnotations\": {\"decision\": \"deny\", \"incomplete\": ");
	bh_buf_jsonz(out, why);
	bh_buf_puts(out, "}");
	return answered(out, res);
}

/* Bytes → one JSON document. 0 when decoded, else the status already answered. */
static int decode_body(struct bh_admission *x, const char *body, size_t len, struct review *rv, struct bh_buf *out,
		       struct bh_admit_result *res)
{
	const char *uid;
	size_t uidlen;
	char why[256];
	if (len > BH_ADMIT_MAX_BODY) {
		snprintf(why, sizeof(why), "request body of %zu bytes is larger than %u bytes", len, BH_ADMIT_MAX_BODY);
		if (salvage_uid(body, len, &uid, &uidlen))
			return deny_unreadable(out, res, uid, uidlen, why);
		res->decision = BH_DEC_INVALID;
		snprintf(res->error, sizeof(res->error), "%s", why);
		bh_admission_error_body(out, 413, res->error);
		return res->status = 413;
	}
	const char *p = skip_ws(body, body + len);
	if (p == body + len)
		return invalid(out, res, "empty body: expected an AdmissionReview (JSON)");
	if (*p != '{')
		return invalid(out, res, "expected an AdmissionReview JSON object");
	if (!(rv->d = bh_decoder_new("AdmissionReview", body, len, &x->lim))) {
		res->decision = BH_DEC_INVALID;
		bh_admission_error_body(out, 500, "out of memory");
		return res->status = 500;
	}
	struct bh_err err = {0};
	int rc = bh_decoder_next(rv->d, &x->tree, &rv->doc, &err);
	if (rc < 0) {
		snprintf(why, sizeof(why), "malformed JSON at %u:%u: %s", err.line, err.col, err.msg);
		if (salvage_uid(body, len, &uid, &uidlen))
			return deny_unreadable(out, res, uid, uidlen, why);
		return invalid(out, res, "%s", why);
	}
	if (rc == 0 || !rv->doc.root)
		return invalid(out, res, "empty body: expected an AdmissionReview (JSON)");
	/* Go's json.Unmarshal rejects anything after the value; so do we */
	struct bh_doc more;
	struct bh_err err2 = {0};
	if (bh_decoder_next(rv->d, &x->tree, &more, &err2) != 0)
		return invalid(out, res, "unexpected data after the AdmissionReview object");
	if (rv->doc.root->type != BH_MAP)
		return invalid(out, res, "expected an AdmissionReview JSON object");
	return 0;
}

/* The envelope's fields. 0 when every one we use has its type, else the 400 answered. */
static int read_envelope(struct review *rv, struct bh_buf *out, struct bh_admit_result *res)
{
	const struct bh_node *root = rv->doc.root;
	const char *s;
	size_t n;
	if (sfield(root, "kind", &s, &n) != 1 || !streq(s, n, "AdmissionReview"))
		return invalid(out, res, "kind must be AdmissionReview");
	if (sfield(root, "apiVersion", &s, &n) != 1 || !streq(s, n, "admission.k8s.io/v1")) {
		char v[64];
		cpy(v, sizeof(v), s ? s : "(none)", s ? n : SIZE_MAX);
		return invalid(out, res,
			       "AdmissionReview apiVersion %s is not supported: only admission.k8s.io/v1 "
			       "(set admissionReviewVersions: [\"v1\"] in the webhook configuration)",
			       v);
	}
	const struct bh_node *req = rv->req = get(root, "request");
	if (!req || req->type != BH_MAP)
		return invalid(out, res, "AdmissionReview has no request");
	if (sfield(req, "uid", &rv->uid, &rv->uidlen) != 1 || !rv->uidlen)
		return invalid(out, res, "request.uid is missing or not a string");
	cpy(res->uid, sizeof(res->uid), rv->uid, rv->uidlen);
	if (sfield(req, "operation", &rv->op, &rv->oplen) != 1)
		return invalid(out, res, "request.operation is missing or not a string");
	cpy(res->op, sizeof(res->op), rv->op, rv->oplen);
	if (sfield(req, "subResource", &rv->sub, &rv->sublen) < 0)
		return invalid(out, res, "request.subResource is not a string");
	cpy(res->subresource, sizeof(res->subresource), rv->sub, rv->sublen);
	bool dry = false;
	if (bh_as_bool(get(req, "dryRun"), &dry) == BH_BAD)
		return invalid(out, res, "request.dryRun is not a boolean");
	res->dry_run = dry; /* dry runs are decided exactly like real ones; we change nothing either way */
	rv->ui = get(req, "userInfo");
	if (sfield(rv->ui, "username", &rv->user, &rv->userlen) < 0)
		return invalid(out, res, "request.userInfo.username is not a string");
	cpy(res->user, sizeof(res->user), rv->user, rv->userlen);
	if (sfield(req, "namespace", &rv->ns, &rv->nslen) < 0)
		return invalid(out, res, "request.namespace is not a string");
	cpy(res->ns, sizeof(res->ns), rv->ns, rv->nslen);
	if (sfield(req, "name", &s, &n) == 1)
		cpy(res->name, sizeof(res->name), s, n);
	if (sfield(get(req, "kind"), "kind", &s, &n) == 1)
		cpy(res->kind, sizeof(res->kind), s, n);
	rv->obj = get(req, "object");
	rv->old = get(req, "oldObject");
	return 0;
}

/* ---- step 2: pre-checks (operation, subresource, object, exemptions by the config, unchanged spec) ---- */

enum pre { PRE_EVALUATE, PRE_SKIP, PRE_EXEMPT, PRE_DENY, PRE_INVALID };

static bool exempt_request(const struct bh_config *cfg, const struct review *rv)
{
	const char *groups[BH_ADMIT_MAX_GROUPS], *s;
	size_t ngroups = 0, n;
	const struct bh_node *gs = get(rv->ui, "groups");
	if (gs && gs->type == BH_SEQ)
		for (uint32_t k = 0; k < gs->n && ngroups < BH_ADMIT_MAX_GROUPS; k++)
			if (bh_as_str(gs->items[k], &s, &n) == BH_OK && strlen(s) == n)
				groups[ngroups++] = s;
	return bh_config_exempt_request(cfg, rv->user && strlen(rv->user) == rv->userlen ? rv->user : "", groups,
					ngroups, rv->ns && strlen(rv->ns) == rv->nslen ? rv->ns : "");
}

static bool key_is(const struct bh_node *k, const char *lit)
{
	return k && k->type == BH_SCALAR && streq(k->s, k->len, lit);
}

/* Everything but metadata and status is the same (the API server writes fields in a stable order, and a
 * false "differs" only means the object is evaluated). Covers kinds whose template is not under spec
 * (PodTemplate's template). Linear in the object. */
static bool same_but_metadata(const struct bh_node *a, const struct bh_node *b)
{
	if (!a || !b || a->type != BH_MAP || b->type != BH_MAP)
		return false;
	uint32_t i = 0, j = 0;
	for (;;) {
		while (i < a->n && (key_is(a->pairs[i].key, "metadata") || key_is(a->pairs[i].key, "status")))
			i++;
		while (j < b->n && (key_is(b->pairs[j].key, "metadata") || key_is(b->pairs[j].key, "status")))
			j++;
		if (i == a->n || j == b->n)
			return i == a->n && j == b->n;
		if (!node_eq(a->pairs[i].key, b->pairs[j].key) || !node_eq(a->pairs[i].val, b->pairs[j].val))
			return false;
		i++, j++;
	}
}

static enum pre precheck(const struct bh_config *cfg, const struct review *rv, const char **why)
{
	if (streq(rv->op, rv->oplen, "DELETE") || streq(rv->op, rv->oplen, "CONNECT"))
		return *why = "operation is not evaluated", PRE_SKIP;
	if (!streq(rv->op, rv->oplen, "CREATE") && !streq(rv->op, rv->oplen, "UPDATE"))
		return *why = "request.operation must be CREATE, UPDATE, DELETE or CONNECT", PRE_INVALID;
	/* pods/ephemeralcontainers carries the whole Pod with its new ephemeral containers: evaluated as a Pod.
	 * Other subresources (status, scale, binding, …) cannot add or change containers. */
	if (rv->sublen && !streq(rv->sub, rv->sublen, "ephemeralcontainers"))
		return *why = "subresource is not evaluated", PRE_SKIP;
	/* a CREATE or UPDATE is decided on its object: none means nothing can be evaluated */
	if (!rv->obj || bh_is_null(rv->obj))
		return *why = "request.object is missing or null on a CREATE or UPDATE", PRE_DENY;
	if (rv->obj->type != BH_MAP)
		return *why = "request.object is not a JSON object", PRE_INVALID;
	if (exempt_request(cfg, rv))
		return *why = "user, group or namespace exempt in the config", PRE_EXEMPT;
	/* metadata-only updates (labels, annotations, finalizers, owner references) start nothing new: like Pod
	 * Security Admission, let them through so that objects admitted before bulkhead was installed stay
	 * manageable, finalizer removal on an object being deleted included. Anything else is evaluated, also
	 * on an object being deleted (deletionTimestamp set): a pending deletion may never finish. */
	if (streq(rv->op, rv->oplen, "UPDATE") && !rv->sublen && same_but_metadata(rv->obj, rv->old))
		return *why = "only metadata changed", PRE_SKIP;
	return PRE_EVALUATE;
}

/* ---- step 3: decide ---- */

struct verdict {
	enum bh_action worst;
	const char *incomplete;  /* not evaluated whole: why (the answer is then a denial) */
	char why[256];
	size_t ndeny;
	char label[256];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* CREATE bodies may leave namespace (from the URL) and kind out of the object; the request carries them. */
static void object_ref(struct bh_admission *x, const struct review *rv, struct bh_object *o)
{
	const char *s;
	size_t n;
	if (!o->ref.namespace && sfield(rv->req, "namespace", &s, &n) == 1 && n)
		o->ref.namespace = s;
	if (!o->ref.name && sfield(rv->req, "name", &s, &n) == 1 && n)
		o->ref.name = s;
	const struct bh_node *rk = get(rv->req, "kind");
	if (!o->ref.kind && sfield(rk, "kind", &s, &n) == 1)
		o->ref.kind = s;
	if (!o->ref.api_version) {
		const char *g, *v;
		size_t gl, vl;
		if (sfield(rk, "group", &g, &gl) >= 0 && sfield(rk, "version", &v, &vl) == 1)
			o->ref.api_version = gl ? bh_arena_printf(&x->tree, "%s/%s", g, v) : v;
	}
}

/* Counts the findings by action and records the rules (by id) that drove the answer. */
static void tally(const struct bh_findings *fs, const struct bh_config *cfg, struct verdict *v,
		  struct bh_admit_result *res)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct bh_finding *f = &fs->v[i];
		if (f->suppressed) {
			res->nsuppressed += 1 + f->more;
			continue;
		}
		res->nfindings += 1 + f->more;
		enum bh_action a = bh_config_action(cfg, f->sev);
		if (a > v->worst)
			v->worst = a;
		v->ndeny += a == BH_ACT_DENY ? 1 + f->more : 0;
		if (a >= BH_ACT_AUDIT && f->rule && f->rule->id && res->nrule < BH_ADMIT_MAX_RULES) {
			res->rule[res->nrule] = f->rule->id;
			res->action[res->nrule++] = (uint8_t)a;
		}
	}
}

static void decide(struct bh_admission *x, const struct bh_config *cfg, const struct review *rv, uint64_t t0,
		   struct verdict *v, struct bh_admit_result *res)
{
	struct bh_engine *e = &x->e;
	e->lim = &x->lim;
	e->cfg = cfg;
	e->on_pod = x->on_pod;
	e->on_pod_ctx = x->on_pod_ctx;
	/* self-exemption by annotation only when the config asks for it (serve.honorIgnoreAnnotation) */
	e->no_ignore_annotation = !(cfg ? cfg : bh_config_default())->serve_honor_ignore;
	e->now = x->now ? x->now : time(NULL);
	e->findings.max = MAX_FINDINGS;
	e->findings.per_rule = BH_ADMIT_PER_RULE;
	e->findings.folded = 0;
	e->findings.run_rule = NULL;

	struct bh_object o;
	bh_object_init(&o, &rv->doc, rv->obj);
	object_ref(x, rv, &o);
	cpy(res->kind, sizeof(res->kind), o.ref.kind, SIZE_MAX);
	cpy(res->ns, sizeof(res->ns), o.ref.namespace, SIZE_MAX);
	cpy(res->name, sizeof(res->name), o.ref.name, SIZE_MAX);
	obj_label(&o, v->label, sizeof(v->label));

	/* serviceAccount exemptions of some rules need the requesting user */
	e->user = rv->user && strlen(rv->user) == rv->userlen ? rv->user : NULL;
	/* the engine applies the config: disabled rules, severity overrides, exemptions, the ignore annotation */
	bh_engine_object(e, &o);
	tally(&e->findings, cfg, v, res);

	/* a decision is made on the whole object or it is a denial */
	uint64_t spent = mono_ns() - t0, budget = x->budget_ns ? x->budget_ns : BH_ADMIT_BUDGET_NS;
	if (e->errors.n)
		v->incomplete = "unreadable"; /* the message lists the errors */
	else if (e->findings.oom)
		v->incomplete = "out of memory while evaluating the object";
	else if (e->findings.dropped) {
		snprintf(v->why, sizeof(v->why), "more than %u findings (%zu not recorded)", MAX_FINDINGS,
			 e->findings.dropped);
		v->incomplete = v->why;
	} else if (spent > budget) {
		snprintf(v->why, sizeof(v->why), "evaluation took %llu ms, over the budget of %llu ms",
			 (unsigned long long)(spent / 1000000), (unsigned long long)(budget / 1000000));
		v->incomplete = v->why;
	}
	res->decision = v->incomplete || v->worst == BH_ACT_DENY ? BH_DEC_DENY
			: v->worst == BH_ACT_WARN			 ? BH_DEC_WARN
			: v->worst == BH_ACT_AUDIT			 ? BH_DEC_AUDIT
								 : BH_DEC_ALLOW;
	if (v->incomplete)
		res->reason = "object not evaluated whole";
}

/* ---- step 4: render the answer ---- */

static void message_unreadable(struct bh_buf *m, const struct bh_engine *e, const struct verdict *v)
{
	bh_buf_printf(m, "bulkhead cannot evaluate %s whole, so it is denied: ", v->label);
	if (e->errors.n) {
		for (size_t i = 0; i < e->errors.n && m->len < BH_ADMIT_MAX_MESSAGE; i++)
			bh_buf_printf(m, "%s%s", i ? "; " : "", e->errors.v[i].message);
	} else
		bh_buf_puts(m, v->incomplete);
}

/* Denied findings, worst severity first, as many as fit. */
static void message_denied(struct bh_buf *m, const struct bh_findings *fs, const struct bh_config *cfg,
			   const struct verdict *v)
{
	size_t shown = 0, total = v->ndeny;
	bh_buf_printf(m, "bulkhead denied %s: %zu escape risk%s. ", v->label, total, total == 1 ? "" : "s");
	for (int sev = BH_SEV_CRITICAL; sev >= BH_SEV_INFO; sev--)
		for (size_t i = 0; i < fs->n; i++) {
			const struct bh_finding *f = &fs->v[i];
			if (f->suppressed || (int)f->sev != sev || bh_config_action(cfg, f->sev) != BH_ACT_DENY)
				continue;
			size_t mark = m->len;
			if (shown)
				bh_buf_puts(m, " ");
			finding_text(m, f);
			if (m->len > BH_ADMIT_MAX_MESSAGE - 64) {
				m->len = mark; /* this one does not fit: stop at the previous finding */
				goto full;
			}
			shown += 1 + f->more;
		}
full:
	if (shown < total)
		bh_buf_printf(m, " ... and %zu more.", total - shown);
	if (shown)
		bh_buf_printf(m, " See `bulkhead explain RULE`.");
}

static void render_status(struct bh_buf *out, const struct bh_engine *e, const struct bh_config *cfg,
			  const struct verdict *v)
{
	struct bh_buf m;
	bh_buf_init(&m, 0);
	if (v->incomplete)
		message_unreadable(&m, e, v);
	else
		message_denied(&m, &e->findings, cfg, v);
	if (m.p)
		m.len = bh_utf8_prefix(m.p, m.len, BH_ADMIT_MAX_MESSAGE);
	bh_buf_printf(out, ", \"status\": {\"code\": %d, \"reason\": \"%s\", \"message\": ", v->incomplete ? 400 : 403,
		      v->incomplete ? "BadRequest" : "Forbidden");
	bh_buf_json(out, m.p ? m.p : "", m.len);
	bh_buf_puts(out, "}");
	if (m.err)
		out->err = m.err;
	bh_buf_release(&m);
}

/* warnings: findings whose action is warn, then the engine's notes (expired exemptions, an ignore
 * annotation without reason, case-variant keys); at most BH_ADMIT_MAX_WARNINGS with a count of the rest */
static void render_warnings(struct bh_buf *out, const struct bh_engine *e, const struct bh_config *cfg)
{
	const struct bh_findings *fs = &e->findings;
	bool first = true;
	size_t nwarn = 0, morewarn = 0;
	char w[512];
	for (size_t i = 0; i < fs->n + e->warnings.n; i++) {
		const struct bh_finding *f = i < fs->n ? &fs->v[i] : NULL;
		if (f && (f->suppressed || bh_config_action(cfg, f->sev) != BH_ACT_WARN))
			continue;
		if (nwarn == BH_ADMIT_MAX_WARNINGS - 1) {
			morewarn += f ? 1 + f->more : 1;
			continue;
		}
		if (f)
			snprintf(w, sizeof(w), "%s %s (%s)%s%s%s: %s", f->rule ? f->rule->id : "?",
				 f->rule ? f->rule->name : "?", bh_sev_name(f->sev), f->container ? " container \"" : "",
				 f->container ? f->container : "", f->container ? "\"" : "", f->message ? f->message : "");
		else
			snprintf(w, sizeof(w), "bulkhead: %s", e->warnings.v[i - fs->n].message);
		warning(out, &first, w);
		nwarn++;
		morewarn += f ? f->more : 0;
	}
	if (morewarn) {
		snprintf(w, sizeof(w), "bulkhead: %zu more warning%s; run bulkhead scan on the manifest", morewarn,
			 morewarn == 1 ? "" : "s");
		warning(out, &first, w);
	}
	if (!first)
		bh_buf_puts(out, "]");
}

/* auditAnnotations: every finding at audit or above, the suppressed count, why it was not evaluated whole */
static void render_audit(struct bh_buf *out, const struct bh_engine *e, const struct bh_config *cfg,
			 const struct verdict *v, const struct bh_admit_result *res)
{
	const struct bh_findings *fs = &e->findings;
	if (v->worst < BH_ACT_AUDIT && !res->nsuppressed && !v->incomplete)
		return;
	struct bh_buf a;
	bh_buf_init(&a, 0);
	for (size_t i = 0; i < fs->n; i++) {
		const struct bh_finding *f = &fs->v[i];
		if (f->suppressed || bh_config_action(cfg, f->sev) < BH_ACT_AUDIT)
			continue;
		size_t mark = a.len;
		bh_buf_printf(&a, "%s%s(%s%s%s)", a.len ? ", " : "", f->rule ? f->rule->id : "?", bh_sev_name(f->sev),
			      f->container ? "," : "", f->container ? f->container : "");
		if (f->more)
			bh_buf_printf(&a, "x%u", f->more + 1);
		if (a.len > BH_ADMIT_MAX_ANNOTATION - 8) {
			a.len = mark;
			bh_buf_puts(&a, ", ...");
			break;
		}
	}
	bh_buf_printf(out, ", \"auditAnnotations\": {\"decision\": \"%s\"", bh_decision_name(res->decision));
	if (a.len) {
		bh_buf_puts(out, ", \"findings\": ");
		bh_buf_json(out, a.p, a.len);
	}
	if (res->nsuppressed)
		bh_buf_printf(out, ", \"suppressed\": \"%zu\"", res->nsuppressed);
	if (v->incomplete) {
		bh_buf_puts(out, ", \"incomplete\": ");
		bh_buf_jsonz(out, e->errors.n ? "unreadable fields" : v->incomplete);
	}
	bh_buf_puts(out, "}");
	if (a.err)
		out->err = a.err;
	bh_buf_release(&a);
}

static int render(struct bh_buf *out, const struct review *rv, const struct bh_engine *e,
		  const struct bh_config *cfg, const struct verdict *v, struct bh_admit_result *res)
{
	bool allowed = res->decision != BH_DEC_DENY;
	respond(out, rv->uid, rv->uidlen, allowed);
	if (!allowed)
		render_status(out, e, cfg, v);
	render_warnings(out, e, cfg);
	render_audit(out, e, cfg, v, res);
	return answered(out, res);
}

/* The answer of a pre-check that decides without evaluating. */
static int render_pre(struct bh_buf *out, const struct review *rv, enum pre p, const char *why,
		      struct bh_admit_result *res)
{
	if (p == PRE_INVALID)
		return invalid(out, res, "%s", why);
	res->reason = why;
	res->decision = p == PRE_SKIP ? BH_DEC_SKIP : p == PRE_EXEMPT ? BH_DEC_EXEMPT : BH_DEC_DENY;
	respond(out, rv->uid, rv->uidlen, p != PRE_DENY);
	if (p == PRE_EXEMPT)
		bh_buf_puts(out, ", \"auditAnnotations\": {\"decision\": \"exempt\"}");
	if (p == PRE_DENY) {
		char m[256];
		snprintf(m, sizeof(m), "bulkhead denied the request: %s", why);
		bh_buf_puts(out, ", \"status\": {\"code\": 400, \"reason\": \"BadRequest\", \"message\": ");
		bh_buf_jsonz(out, m);
		bh_buf_puts(out, "}, \"auditAnnotations\": {\"decision\": \"deny\"}");
	}
	return answered(out, res);
}

/* Keeps the per-thread memory warm between requests, and small after a large one. */
static void reset_state(struct bh_admission *x)
{
	if (x->tree.reserved > TREE_KEEP) {
		bh_arena_release(&x->tree);
		bh_arena_init(&x->tree, TREE_CAP);
	} else
		bh_arena_reset(&x->tree);
	if (x->e.doc.reserved + x->e.results.reserved > TREE_KEEP) {
		/* bh_engine_init zeroes the engine: without its config ops, every later review on this thread
		 * would ignore the config (podTemplatePaths, disabled rules, severities, exemptions), so one
		 * large object sent first let a configured CRD with a privileged template through */
		const struct bh_engine_cfg_ops *ops = x->e.cfg_ops;
		bh_engine_release(&x->e);
		bh_engine_init(&x->e);
		x->e.cfg_ops = ops;
	} else
		bh_engine_reset(&x->e);
	x->e.findings.oom = 0;
}

int bh_admission_review(struct bh_admission *x, const struct bh_config *cfg, const char *body, size_t len,
			struct bh_buf *out, struct bh_admit_result *res)
{
	uint64_t t0 = mono_ns();
	memset(res, 0, sizeof(*res));
	reset_state(x);
	struct review rv = {0};
	int status = decode_body(x, body, len, &rv, out, res);
	if (!status)
		status = read_envelope(&rv, out, res);
	if (!status) {
		const char *why = NULL;
		enum pre p = precheck(cfg, &rv, &why);
		if (p != PRE_EVALUATE)
			status = render_pre(out, &rv, p, why, res);
		else {
			struct verdict v = {0};
			decide(x, cfg, &rv, t0, &v, res);
			status = render(out, &rv, &x->e, cfg, &v, res);
		}
		if (status == 500)
			bh_admission_error_body(out, 500, "out of memory while building the response");
	}
	bh_decoder_free(rv.d);
	return status;
}
