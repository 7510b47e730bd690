/* Audit rules on object contents other than pods: RBAC roles and bindings, certificate signing requests,
 * webhook configurations and Pod Security Admission namespace labels. */
#include <stdio.h>
#include <string.h>

#include "audit_int.h"
#include "config/config.h"

static bool off(struct bh_audit *a, const struct bh_rule *r)
{
	return a->o.cfg && (bh_config_rule_disabled(a->o.cfg, r) || bh_area_rule_disabled(&a->o.cfg->audit, r));
}

static bool once(struct bh_audit *a, const struct bha_event *ev, const struct bh_rule *r)
{
	uint64_t h = bha_hash(BHA_HASH0 ^ 0x5a, ev->audit_id, strlen(ev->audit_id));
	return !bha_set_add(&a->once, bha_hash(h, r->id, strlen(r->id)));
}

static bool has(const struct bh_node *seq, const char *s)
{
	if (!seq || seq->type != BH_SEQ)
		return false;
	for (uint32_t i = 0; i < seq->n; i++) {
		const struct bh_node *n = seq->items[i];
		if (n->type == BH_SCALAR && n->style == BH_STYLE_JSON_STRING && !strcmp(n->s, s))
			return true;
	}
	return false;
}

static void add(char *buf, size_t size, const char *what)
{
	size_t l = strlen(buf);
	if (!strstr(buf, what) && l < size)
		snprintf(buf + l, size - l, "%s%s", l ? "; " : "", what);
}

/* What one PolicyRule grants that leads to escalation (RBAC good practices, "privilege escalation risks"). */
static void rule_risks(const struct bh_node *pr, char *out, size_t size)
{
	const struct bh_node *v = bha_get(pr, "verbs"), *res = bha_get(pr, "resources");
	bool any = has(v, "*");
	if (any)
		add(out, size, "* verbs");
	if (has(res, "*"))
		add(out, size, "* resources");
	static const char *const special[] = {"bind", "escalate", "impersonate", "approve", NULL};
	for (const char *const *s = special; *s; s++)
		if (has(v, *s))
			add(out, size, *s);
	bool read = any || has(v, "get") || has(v, "list") || has(v, "watch");
	bool create = any || has(v, "create");
	if (has(res, "pods/exec") && (create || has(v, "get")))
		add(out, size, "pods/exec");
	if (has(res, "pods/attach") && (create || has(v, "get")))
		add(out, size, "pods/attach");
	if (has(res, "nodes/proxy"))
		add(out, size, "nodes/proxy");
	if (has(res, "secrets") && read)
		add(out, size, "secrets");
	if (has(res, "serviceaccounts/token") && create)
		add(out, size, "serviceaccounts/token");
	if (has(res, "certificatesigningrequests/approval") && (any || has(v, "update") || has(v, "patch")))
		add(out, size, "certificatesigningrequests/approval");
}

static uint64_t role_key(const char *kind, const char *ns, const char *name)
{
	uint64_t h = bha_hash(BHA_HASH0 ^ 0x7e, kind, strlen(kind));
	return bha_hash(bha_hash(h, ns, strlen(ns)), name, strlen(name));
}

/* What the bootstrap policy gives everyone: discovery, the user's own access review, version and health. */
static bool public_role(const char *kind, const char *name)
{
	return !strcmp(kind, "ClusterRole") && (!strcmp(name, "system:basic-user") || !strcmp(name, "system:discovery") ||
						!strcmp(name, "system:public-info-viewer"));
}

/* Bindings: to cluster-admin, to everyone, to admin/edit cluster-wide, or to a role seen granting a risk. */
static enum bh_sev binding_risk(struct bh_audit *a, const struct bha_event *ev, const struct bh_node *obj, char *out,
				size_t size)
{
	const struct bh_node *ref = bha_get(obj, "roleRef");
	const char *rk = bha_str(ref, "kind"), *rn = bha_str(ref, "name");
	const struct bh_node *subs = bha_get(obj, "subjects");
	enum bh_sev sev = BH_SEV_NONE;
	for (uint32_t i = 0; subs && subs->type == BH_SEQ && i < subs->n; i++) {
		const char *sn = bha_str(subs->items[i], "name");
		if ((!strcmp(sn, "system:anonymous") || !strcmp(sn, "system:unauthenticated") ||
		     !strcmp(sn, "system:authenticated")) && !public_role(rk, rn)) {
			snprintf(out, size, "%s %s bound to %s", rk, rn, sn);
			sev = BH_SEV_CRITICAL;
		}
	}
	if (!strcmp(rk, "ClusterRole") && !strcmp(rn, "cluster-admin")) {
		snprintf(out, size, "ClusterRole cluster-admin");
		return BH_SEV_CRITICAL;
	}
	if (sev != BH_SEV_NONE)
		return sev;
	bool cluster = !strcmp(bha_str(obj, "kind"), "ClusterRoleBinding");
	if (cluster && !strcmp(rk, "ClusterRole") && (!strcmp(rn, "admin") || !strcmp(rn, "edit"))) {
		snprintf(out, size, "ClusterRole %s in every namespace", rn);
		return BH_SEV_HIGH;
	}
	/* a Role is looked up in the binding's namespace, a ClusterRole cluster-wide */
	if (bha_set_has(&a->roles, role_key(rk, !strcmp(rk, "Role") ? ev->ns : "", rn))) {
		snprintf(out, size, "%s %s, which grants escalation (seen earlier in this log)", rk, rn);
		return BH_SEV_HIGH;
	}
	return BH_SEV_NONE;
}

void bha_rbac(struct bh_audit *a, struct bha_event *ev, const struct bh_node *obj)
{
	const struct bh_rule *r = BHA_RULE(RBAC_ESCALATION);
	/* the API server's own bootstrap policy (RBAC post-start hook) creates cluster-admin and the system roles */
	if (!strcmp(bha_effective_user(ev), "system:apiserver"))
		return;
	const char *kind = bha_str(obj, "kind");
	const char *name = bha_str(bha_get(obj, "metadata"), "name");
	enum bha_outcome oc = bha_outcome(ev);
	char risks[400] = "";
	enum bh_sev sev = BH_SEV_NONE;
	if (!strcmp(kind, "Role") || !strcmp(kind, "ClusterRole")) {
		const struct bh_node *rules = bha_get(obj, "rules");
		for (uint32_t i = 0; rules && rules->type == BH_SEQ && i < rules->n; i++)
			rule_risks(rules->items[i], risks, sizeof(risks));
		if (*risks) {
			sev = r->sev;
			if (oc != BHA_DENIED) /* remember it: a later binding to it grants the same */
				bha_set_add(&a->roles, role_key(kind, !strcmp(kind, "Role") ? ev->ns : "", name));
		}
	} else
		sev = binding_risk(a, ev, obj, risks, sizeof(risks));
	if (sev == BH_SEV_NONE || off(a, r) || !once(a, ev, r))
		return;
	bha_emit(a, ev, r, oc == BHA_DENIED ? BH_SEV_MEDIUM : sev, NULL, NULL, "%s %s %s %s %s%s%s granting %s (%s, code %d)",
		 bha_effective_user(ev), oc == BHA_DENIED ? "tried to" : "did", ev->verb, kind, ev->ns, *ev->ns ? "/" : "",
		 name, risks, bha_outcome_text(ev), ev->code);
}

/* Certificate signing requests for the kubelet signers, created or approved by someone who is not part of
 * the node bootstrap flow (kubelet TLS bootstrapping: the kubelet requests, the controller-manager approves). */
void bha_csr(struct bh_audit *a, struct bha_event *ev, const struct bh_node *obj)
{
	const struct bh_rule *r = BHA_RULE(CSR_NODE);
	const char *signer = bha_str(bha_get(obj, "spec"), "signerName");
	if (strcmp(signer, "kubernetes.io/kube-apiserver-client-kubelet") && strcmp(signer, "kubernetes.io/kubelet-serving"))
		return;
	const char *u = bha_effective_user(ev);
	enum bha_outcome oc = bha_outcome(ev);
	bool approve = !strcmp(ev->subresource, "approval");
	if (approve) {
		if (!strcmp(u, "system:serviceaccount:kube-system:certificate-controller") ||
		    !strcmp(u, "system:kube-controller-manager"))
			return;
	} else if (!strncmp(u, "system:node:", 12) || has(ev->groups, "system:nodes") ||
		   has(ev->groups, "system:bootstrappers"))
		return;
	if (off(a, r) || !once(a, ev, r))
		return;
	bha_emit(a, ev, r, oc == BHA_DENIED ? BH_SEV_MEDIUM : r->sev, NULL, NULL,
		 "%s %s a certificate signing request %s for the node signer %s (%s, code %d)", u,
		 approve ? (oc == BHA_DENIED ? "tried to approve" : "approved") : (oc == BHA_DENIED ? "tried to create" : "created"),
		 *ev->name ? ev->name : bha_str(bha_get(obj, "metadata"), "name"), signer, bha_outcome_text(ev), ev->code);
}

void bha_webhook(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(WEBHOOK_TAMPER);
	enum bha_outcome oc = bha_outcome(ev);
	bool own = !strcmp(ev->verb, "deletecollection") && !strcmp(ev->resource, "validatingwebhookconfigurations");
	for (size_t i = 0; i < a->o.nwebhooks && !own; i++)
		own = !strcmp(ev->name, a->o.webhooks[i]);
	own = own && !strcmp(ev->resource, "validatingwebhookconfigurations");
	if ((!own && oc != BHA_ALLOWED) || off(a, r) || !once(a, ev, r))
		return;
	enum bh_sev sev = own ? (oc == BHA_DENIED ? BH_SEV_MEDIUM : r->sev) : BH_SEV_MEDIUM;
	bha_emit(a, ev, r, sev, NULL, NULL, "%s %s %s %s%s%s (%s, code %d)", bha_effective_user(ev),
		 oc == BHA_DENIED ? "tried to" : "did", ev->verb, ev->resource, *ev->name ? " " : "", ev->name,
		 bha_outcome_text(ev), ev->code);
}

#define PSA_ENFORCE "pod-security.kubernetes.io/enforce"

/* The enforce label in a namespace object, a merge patch or a JSON patch: 1 privileged, 2 removed, 0 other. */
static int psa_change(const struct bh_node *obj, bool patch)
{
	if (obj && obj->type == BH_SEQ) { /* JSON patch (RFC 6902) */
		int res = 0;
		for (uint32_t i = 0; i < obj->n; i++) {
			const char *path = bha_str(obj->items[i], "path"), *op = bha_str(obj->items[i], "op");
			const char *tail = strstr(path, "pod-security.kubernetes.io~1enforce");
			if (!tail || tail[35])
				continue;
			if (!strcmp(op, "remove"))
				res = 2;
			else if (!strcmp(bha_str(obj->items[i], "value"), "privileged"))
				res = 1;
		}
		return res;
	}
	const struct bh_node *labels = bha_get(bha_get(obj, "metadata"), "labels");
	const struct bh_node *v = bha_get(labels, PSA_ENFORCE);
	if (v && v->type == BH_SCALAR && v->style == BH_STYLE_JSON_STRING && !strcmp(v->s, "privileged"))
		return 1;
	if (patch && v && bh_is_null(v))
		return 2; /* a merge patch removes a label with null */
	return 0;
}

void bha_namespace(struct bh_audit *a, struct bha_event *ev)
{
	const struct bh_rule *r = BHA_RULE(PSA_LOWERED);
	bool patch = !strcmp(ev->verb, "patch");
	if (bha_outcome(ev) != BHA_ALLOWED || !ev->req) {
		return;
	}
	int ch = psa_change(ev->req, patch);
	if (!ch || off(a, r) || !once(a, ev, r))
		return;
	const char *name = *ev->name ? ev->name : bha_str(bha_get(ev->req, "metadata"), "name");
	bool create = !strcmp(ev->verb, "create");
	bha_emit(a, ev, r, create ? BH_SEV_MEDIUM : r->sev, NULL, NULL, "%s %s namespace %s: %s (code %d)",
		 bha_effective_user(ev), create ? "created" : patch ? "patched" : "updated", name,
		 ch == 1 ? PSA_ENFORCE "=privileged" : PSA_ENFORCE " removed", ev->code);
}
