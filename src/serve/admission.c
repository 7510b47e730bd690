/* AdmissionReview v1 → decision. Shapes follow k8s.io/api admission/v1 (request/response) as summarised in
 * research/cluster-anchors.md §1.1–1.2. */
#include "admission.h"

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
 * limit; the body cap already bounds the input. */
#define MAX_FINDINGS 4096
#define MAX_NOTES 4
/* The tree of a 3 MiB body: real objects take about 10 bytes of tree per byte of JSON; inputs that need
 * more are rejected as too complex rather than allowed to take the pod's memory. */
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

static int skip(struct bh_buf *out, struct bh_admit_result *res, const char *uid, size_t uidlen, const char *why)
{
	res->decision = BH_DEC_SKIP;
	res->reason = why;
	respond(out, uid, uidlen, true);
	bh_buf_puts(out, "}}\n");
	return res->status = out->err ? 500 : 200;
}

/* Evaluates request.object and writes the whole response. */
static int evaluate(struct bh_admission *x, const struct bh_config *cfg, const struct bh_doc *doc,
		    const struct bh_node *req, const struct bh_node *obj, const char *uid, size_t uidlen,
		    struct bh_buf *out, struct bh_admit_result *res)
{
	struct bh_engine *e = &x->e;
	e->lim = &x->lim;
	e->cfg = cfg;
	e->no_ignore_annotation = !(cfg ? cfg : bh_config_default())->serve_honor_ignore;
	e->now = x->now ? x->now : time(NULL);
	e->findings.max = MAX_FINDINGS;

	struct bh_object o;
	bh_object_init(&o, doc, obj);
	/* CREATE bodies may leave namespace (from the URL) and kind out of the object; the request carries them */
	const char *s;
	size_t n;
	if (!o.ref.namespace && sfield(req, "namespace", &s, &n) == 1 && n)
		o.ref.namespace = s;
	if (!o.ref.name && sfield(req, "name", &s, &n) == 1 && n)
		o.ref.name = s;
	const struct bh_node *rk = get(req, "kind");
	if (!o.ref.kind && sfield(rk, "kind", &s, &n) == 1)
		o.ref.kind = s;
	if (!o.ref.api_version) {
		const char *g, *v;
		size_t gl, vl;
		if (sfield(rk, "group", &g, &gl) >= 0 && sfield(rk, "version", &v, &vl) == 1)
			o.ref.api_version = gl ? bh_arena_printf(&x->tree, "%s/%s", g, v) : v;
	}
	cpy(res->kind, sizeof(res->kind), o.ref.kind, SIZE_MAX);
	cpy(res->ns, sizeof(res->ns), o.ref.namespace, SIZE_MAX);
	cpy(res->name, sizeof(res->name), o.ref.name, SIZE_MAX);

	/* the engine applies the config: disabled rules, severity overrides, exemptions, the ignore annotation */
	bh_engine_object(e, &o);

	enum bh_action worst = BH_ACT_NONE;
	struct bh_findings *fs = &e->findings;
	for (size_t i = 0; i < fs->n; i++) {
		const struct bh_finding *f = &fs->v[i];
		if (f->suppressed) {
			res->nsuppressed++;
			continue;
		}
		res->nfindings++;
		enum bh_action a = bh_config_action(cfg, f->sev);
		if (a > worst)
			worst = a;
		if (a >= BH_ACT_AUDIT && f->rule && res->nrule < sizeof(res->rule) / sizeof(res->rule[0]) &&
		    f->rule >= bh_rules && f->rule < bh_rules + bh_nrules) {
			res->rule[res->nrule] = (uint16_t)(f->rule - bh_rules);
			res->action[res->nrule++] = (uint8_t)a;
		}
	}
	/* An object the API server itself would reject (a security field of the wrong type) is not "fine":
	 * deny it rather than allow what we could not read (DESIGN §2). */
	bool unreadable = e->errors.n > 0 || fs->oom;
	char label[256];
	obj_label(&o, label, sizeof(label));

	bool allowed = worst < BH_ACT_DENY && !unreadable;
	res->decision = unreadable || worst == BH_ACT_DENY ? BH_DEC_DENY
			: worst == BH_ACT_WARN		   ? BH_DEC_WARN
			: worst == BH_ACT_AUDIT		   ? BH_DEC_AUDIT
							   : BH_DEC_ALLOW;
	respond(out, uid, uidlen, allowed);

	if (!allowed) {
		struct bh_buf m;
		bh_buf_init(&m, 0);
		size_t shown = 0, total = 0;
		if (unreadable) {
			bh_buf_printf(&m, "bulkhead cannot evaluate %s: ", label);
			for (size_t i = 0; i < e->errors.n; i++) {
				if (m.len < BH_ADMIT_MAX_MESSAGE)
					bh_buf_printf(&m, "%s%s", i ? "; " : "", e->errors.v[i].message);
			}
			if (fs->oom)
				bh_buf_puts(&m, e->errors.n ? "; out of memory" : "out of memory");
		} else {
			for (size_t i = 0; i < fs->n; i++)
				total += !fs->v[i].suppressed && bh_config_action(cfg, fs->v[i].sev) == BH_ACT_DENY;
			bh_buf_printf(&m, "bulkhead denied %s: %zu escape risk%s. ", label, total, total == 1 ? "" : "s");
			/* worst first: severities from critical down */
			for (int sev = BH_SEV_CRITICAL; sev >= BH_SEV_INFO; sev--)
				for (size_t i = 0; i < fs->n; i++) {
					const struct bh_finding *f = &fs->v[i];
					if (f->suppressed || (int)f->sev != sev || bh_config_action(cfg, f->sev) != BH_ACT_DENY)
						continue;
					size_t mark = m.len;
					if (shown)
						bh_buf_puts(&m, " ");
					finding_text(&m, f);
					if (m.len > BH_ADMIT_MAX_MESSAGE - 64) {
						m.len = mark; /* this one does not fit: stop at the previous finding */
						goto full;
					}
					shown++;
				}
		full:
			if (shown < total)
				bh_buf_printf(&m, " ... and %zu more.", total - shown);
			if (shown)
				bh_buf_printf(&m, " See `bulkhead explain RULE`.");
		}
		if (m.p)
			m.len = bh_utf8_prefix(m.p, m.len, BH_ADMIT_MAX_MESSAGE);
		bh_buf_printf(out, ", \"status\": {\"code\": %d, \"reason\": \"%s\", \"message\": ", unreadable ? 400 : 403,
			      unreadable ? "BadRequest" : "Forbidden");
		bh_buf_json(out, m.p ? m.p : "", m.len);
		bh_buf_puts(out, "}");
		if (m.err)
			out->err = m.err;
		bh_buf_release(&m);
	}

	/* warnings: findings whose action is warn, then notes about the config (expired exemptions) */
	bool first = true;
	size_t nwarn = 0, morewarn = 0;
	for (size_t i = 0; i < fs->n; i++) {
		const struct bh_finding *f = &fs->v[i];
		if (f->suppressed || bh_config_action(cfg, f->sev) != BH_ACT_WARN)
			continue;
		if (nwarn == BH_ADMIT_MAX_WARNINGS - 1) {
			morewarn++;
			continue;
		}
		char w[512];
		snprintf(w, sizeof(w), "%s %s (%s)%s%s%s: %s", f->rule ? f->rule->id : "?", f->rule ? f->rule->name : "?",
			 bh_sev_name(f->sev), f->container ? " container \"" : "", f->container ? f->container : "",
			 f->container ? "\"" : "", f->message ? f->message : "");
		warning(out, &first, w);
		nwarn++;
	}
	/* the engine's warnings: expired exemptions, an ignore annotation without reason, case-variant keys */
	for (size_t i = 0; i < e->warnings.n; i++) {
		if (nwarn == BH_ADMIT_MAX_WARNINGS - 1) {
			morewarn++;
			continue;
		}
		char w[512];
		snprintf(w, sizeof(w), "bulkhead: %s", e->warnings.v[i].message);
		warning(out, &first, w);
		nwarn++;
	}
	if (morewarn) {
		char w[128];
		snprintf(w, sizeof(w), "bulkhead: %zu more warning%s; run bulkhead scan on the manifest", morewarn,
			 morewarn == 1 ? "" : "s");
		warning(out, &first, w);
	}
	if (!first)
		bh_buf_puts(out, "]");

	/* auditAnnotations: every finding at audit or above, and the suppressed ones */
	if (worst >= BH_ACT_AUDIT || res->nsuppressed || unreadable) {
		struct bh_buf a;
		bh_buf_init(&a, 0);
		for (size_t i = 0; i < fs->n; i++) {
			const struct bh_finding *f = &fs->v[i];
			if (f->suppressed || bh_config_action(cfg, f->sev) < BH_ACT_AUDIT)
				continue;
			size_t mark = a.len;
			bh_buf_printf(&a, "%s%s(%s%s%s)", a.len ? ", " : "", f->rule ? f->rule->id : "?", bh_sev_name(f->sev),
				      f->container ? "," : "", f->container ? f->container : "");
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
		bh_buf_puts(out, "}");
		if (a.err)
			out->err = a.err;
		bh_buf_release(&a);
	}
	bh_buf_puts(out, "}}\n");
	return res->status = out->err ? 500 : 200;
}

int bh_admission_review(struct bh_admission *x, const struct bh_config *cfg, const char *body, size_t len,
			struct bh_buf *out, struct bh_admit_result *res)
{
	memset(res, 0, sizeof(*res));
	int status;
	if (x->tree.reserved > TREE_KEEP) {
		bh_arena_release(&x->tree);
		bh_arena_init(&x->tree, TREE_CAP);
	} else
		bh_arena_reset(&x->tree);
	if (x->e.doc.reserved + x->e.results.reserved > TREE_KEEP) {
		bh_engine_release(&x->e);
		bh_engine_init(&x->e);
	} else
		bh_engine_reset(&x->e);
	x->e.findings.oom = 0;

	if (len > BH_ADMIT_MAX_BODY) {
		res->decision = BH_DEC_INVALID;
		res->status = 413;
		snprintf(res->error, sizeof(res->error), "request body larger than %u bytes", BH_ADMIT_MAX_BODY);
		bh_admission_error_body(out, 413, res->error);
		return 413;
	}
	size_t i = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i == len)
		return invalid(out, res, "empty body: expected an AdmissionReview (JSON)");
	if (body[i] != '{')
		return invalid(out, res, "expected an AdmissionReview JSON object");

	struct bh_decoder *d = bh_decoder_new("AdmissionReview", body, len, &x->lim);
	if (!d) {
		res->decision = BH_DEC_INVALID;
		bh_admission_error_body(out, 500, "out of memory");
		return res->status = 500;
	}
	struct bh_doc doc;
	struct bh_err err = {0};
	int rc = bh_decoder_next(d, &x->tree, &doc, &err);
	if (rc < 0) {
		status = invalid(out, res, "malformed JSON at %u:%u: %s", err.line, err.col, err.msg);
		goto out_free;
	}
	if (rc == 0 || !doc.root) {
		status = invalid(out, res, "empty body: expected an AdmissionReview (JSON)");
		goto out_free;
	}
	{
		/* Go's json.Unmarshal rejects anything after the value; so do we */
		struct bh_doc more;
		struct bh_err err2 = {0};
		if (bh_decoder_next(d, &x->tree, &more, &err2) != 0) {
			status = invalid(out, res, "unexpected data after the AdmissionReview object");
			goto out_free;
		}
	}
	const struct bh_node *root = doc.root, *req;
	const char *s, *uid;
	size_t n, uidlen;
	if (root->type != BH_MAP) {
		status = invalid(out, res, "expected an AdmissionReview JSON object");
		goto out_free;
	}
	if (sfield(root, "kind", &s, &n) != 1 || !streq(s, n, "AdmissionReview")) {
		status = invalid(out, res, "kind must be AdmissionReview");
		goto out_free;
	}
	if (sfield(root, "apiVersion", &s, &n) != 1 || !streq(s, n, "admission.k8s.io/v1")) {
		char v[64];
		cpy(v, sizeof(v), s ? s : "(none)", s ? n : SIZE_MAX);
		status = invalid(out, res,
				 "AdmissionReview apiVersion %s is not supported: only admission.k8s.io/v1 "
				 "(set admissionReviewVersions: [\"v1\"] in the webhook configuration)",
				 v);
		goto out_free;
	}
	req = get(root, "request");
	if (!req || req->type != BH_MAP) {
		status = invalid(out, res, "AdmissionReview has no request");
		goto out_free;
	}
	if (sfield(req, "uid", &uid, &uidlen) != 1 || !uidlen) {
		status = invalid(out, res, "request.uid is missing or not a string");
		goto out_free;
	}
	cpy(res->uid, sizeof(res->uid), uid, uidlen);
	const char *op, *sub;
	size_t oplen, sublen;
	if (sfield(req, "operation", &op, &oplen) != 1) {
		status = invalid(out, res, "request.operation is missing or not a string");
		goto out_free;
	}
	cpy(res->op, sizeof(res->op), op, oplen);
	if (sfield(req, "subResource", &sub, &sublen) < 0) {
		status = invalid(out, res, "request.subResource is not a string");
		goto out_free;
	}
	cpy(res->subresource, sizeof(res->subresource), sub, sublen);
	bool dry = false;
	enum bh_res dr = bh_as_bool(get(req, "dryRun"), &dry);
	if (dr == BH_BAD) {
		status = invalid(out, res, "request.dryRun is not a boolean");
		goto out_free;
	}
	res->dry_run = dry; /* dry runs are decided exactly like real ones; we change nothing either way */

	const struct bh_node *ui = get(req, "userInfo");
	const char *user;
	size_t userlen;
	if (sfield(ui, "username", &user, &userlen) < 0) {
		status = invalid(out, res, "request.userInfo.username is not a string");
		goto out_free;
	}
	cpy(res->user, sizeof(res->user), user, userlen);
	const char *ns;
	size_t nslen;
	if (sfield(req, "namespace", &ns, &nslen) < 0) {
		status = invalid(out, res, "request.namespace is not a string");
		goto out_free;
	}
	cpy(res->ns, sizeof(res->ns), ns, nslen);
	if (sfield(req, "name", &s, &n) == 1)
		cpy(res->name, sizeof(res->name), s, n);
	if (sfield(get(req, "kind"), "kind", &s, &n) == 1)
		cpy(res->kind, sizeof(res->kind), s, n);

	if (streq(op, oplen, "DELETE") || streq(op, oplen, "CONNECT")) {
		status = skip(out, res, uid, uidlen, "operation is not evaluated");
		goto out_free;
	}
	if (!streq(op, oplen, "CREATE") && !streq(op, oplen, "UPDATE")) {
		status = invalid(out, res, "request.operation must be CREATE, UPDATE, DELETE or CONNECT");
		goto out_free;
	}
	/* pods/ephemeralcontainers carries the whole Pod with its new ephemeral containers: evaluated as a Pod.
	 * Other subresources (status, scale, binding, …) cannot add or change containers. */
	if (sublen && !streq(sub, sublen, "ephemeralcontainers")) {
		status = skip(out, res, uid, uidlen, "subresource is not evaluated");
		goto out_free;
	}
	const struct bh_node *obj = get(req, "object");
	if (!obj || bh_is_null(obj)) {
		status = skip(out, res, uid, uidlen, "request has no object");
		goto out_free;
	}
	if (obj->type != BH_MAP) {
		status = invalid(out, res, "request.object is not a JSON object");
		goto out_free;
	}

	/* exemptions by user, group or namespace (serve.exempt* in the config) */
	const char *groups[BH_ADMIT_MAX_GROUPS];
	size_t ngroups = 0;
	const struct bh_node *gs = get(ui, "groups");
	if (gs && gs->type == BH_SEQ)
		for (uint32_t k = 0; k < gs->n && ngroups < BH_ADMIT_MAX_GROUPS; k++)
			if (bh_as_str(gs->items[k], &s, &n) == BH_OK && strlen(s) == n)
				groups[ngroups++] = s;
	if (bh_config_exempt_request(cfg, user && strlen(user) == userlen ? user : "", groups, ngroups,
				     ns && strlen(ns) == nslen ? ns : "")) {
		res->decision = BH_DEC_EXEMPT;
		res->reason = "user, group or namespace exempt in the config";
		respond(out, uid, uidlen, true);
		bh_buf_puts(out, ", \"auditAnnotations\": {\"decision\": \"exempt\"}}}\n");
		status = res->status = out->err ? 500 : 200;
		goto out_free;
	}
	x->e.user = user && strlen(user) == userlen ? user : NULL; /* serviceAccount exemptions of some rules */

	if (streq(op, oplen, "UPDATE")) {
		const struct bh_node *meta = get(obj, "metadata");
		const struct bh_node *dts = get(meta, "deletionTimestamp");
		/* finalizer removal on an object being deleted must never be blocked (it would hang the deletion) */
		if (dts && !bh_is_null(dts)) {
			status = skip(out, res, uid, uidlen, "object is being deleted");
			goto out_free;
		}
		/* metadata-only updates (labels, annotations, finalizers, owner references) start nothing new:
		 * like Pod Security Admission, let them through so that objects admitted before bulkhead was
		 * installed stay manageable */
		const struct bh_node *old = get(req, "oldObject");
		if (!sublen && old && old->type == BH_MAP && node_eq(get(obj, "spec"), get(old, "spec"))) {
			status = skip(out, res, uid, uidlen, "spec unchanged");
			goto out_free;
		}
	}
	status = evaluate(x, cfg, &doc, req, obj, uid, uidlen, out, res);
	if (status == 500)
		bh_admission_error_body(out, 500, "out of memory while building the response");
out_free:
	bh_decoder_free(d);
	return status;
}
