/* NetworkPolicy (networking.k8s.io/v1) and AdminNetworkPolicy / BaselineAdminNetworkPolicy
 * (policy.networking.k8s.io/v1alpha1) into the model. */
#include <errno.h>
#include <string.h>

#include "netpol_int.h"

/* IntOrString: a plain (or JSON number) integer is a port number, any string a port name. */
static int port_value(struct np_ctx *x, const struct bh_node *n, uint32_t *num, const char **name)
{
	int64_t v;
	size_t len;
	if ((n->style == BH_STYLE_PLAIN || n->style == BH_STYLE_JSON_NUMBER) && !n->tag && bh_as_int(n, &v) == BH_OK) {
		if (v < 1 || v > 65535)
			return np_bad(x, n, "port %lld is outside 1-65535", (long long)v);
		*num = (uint32_t)v;
		return 0;
	}
	if (bh_as_str(n, name, &len) != BH_OK || !len)
		return np_bad(x, n, "port must be a number or a port name");
	return (*name = np_keep(x, *name)) ? 0 : -ENOMEM;
}

static int np_port(struct np_ctx *x, const struct bh_node *m, struct bh_np_port *p)
{
	memset(p, 0, sizeof(*p));
	if (np_proto(x, m, &p->proto))
		return -EINVAL;
	const struct bh_node *pn = np_get(m, "port");
	if (pn) {
		p->has_port = true;
		int rc = port_value(x, pn, &p->port, &p->named);
		if (rc)
			return rc;
	}
	int64_t e;
	if (np_int(m, "endPort", &e)) {
		/* endPort needs a numeric port and is >= port (validation: ValidateNetworkPolicyPort) */
		if (!p->has_port || p->named || e < p->port || e > 65535)
			return np_bad(x, np_get(m, "endPort"), "endPort needs a numeric port not above it");
		p->end = (uint32_t)e;
	}
	return 0;
}

static int np_peer(struct np_ctx *x, const struct bh_node *m, struct bh_np_peer *p)
{
	memset(p, 0, sizeof(*p));
	const struct bh_node *ib = np_map(m, "ipBlock");
	if (ib) {
		/* ipBlock excludes the selectors in the same peer (validation) */
		const char *c = np_str(ib, "cidr");
		p->kind = BH_NP_PEER_IPBLOCK;
		if (!c || bh_np_cidr_parse(c, &p->cidr))
			return np_bad(x, ib, "ipBlock.cidr '%s' is not a CIDR", c ? c : "");
		return np_cidrs(x, np_seq(ib, "except"), &p->except, &p->nexcept);
	}
	p->kind = BH_NP_PEER_SEL;
	if (np_sel(x, np_get(m, "podSelector"), &p->pod) || np_sel(x, np_get(m, "namespaceSelector"), &p->ns))
		return -EINVAL;
	if (!p->pod.present && !p->ns.present)
		return np_bad(x, m, "a peer needs podSelector, namespaceSelector or ipBlock");
	return 0;
}

static int np_rules(struct np_ctx *x, const struct bh_node *seq, const char *peers, struct bh_np_rule **out,
		    uint32_t *n)
{
	*n = 0;
	if (!seq || !seq->n)
		return 0;
	*out = bh_arena_alloc(x->s->a, seq->n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (uint32_t i = 0; i < seq->n; i++) {
		struct bh_np_rule *r = &(*out)[i];
		const struct bh_node *ps = np_seq(seq->items[i], "ports"), *pe = np_seq(seq->items[i], peers);
		if (ps && ps->n && !(r->ports = bh_arena_alloc(x->s->a, ps->n * sizeof(*r->ports))))
			return -ENOMEM;
		for (uint32_t j = 0; ps && j < ps->n; j++, r->nports++)
			if (np_port(x, ps->items[j], &r->ports[j]))
				return -EINVAL;
		if (pe && pe->n && !(r->peers = bh_arena_alloc(x->s->a, pe->n * sizeof(*r->peers))))
			return -ENOMEM;
		for (uint32_t j = 0; pe && j < pe->n; j++, r->npeers++)
			if (np_peer(x, pe->items[j], &r->peers[j]))
				return -EINVAL;
		(*n)++;
	}
	return 0;
}

/* policyTypes: as given, else Ingress always and Egress when spec.egress has at least one rule
 * (API defaulting, SetDefaults_NetworkPolicy; API reference: "If this field is not specified, it will
 * default based on the existence of ingress or egress rules"). */
static int np_types(struct np_ctx *x, const struct bh_node *spec, struct bh_np_policy *p)
{
	const struct bh_node *t = np_seq(spec, "policyTypes"), *eg = np_seq(spec, "egress");
	if (!t || !t->n) {
		p->ingress = true;
		p->egress = eg && eg->n;
		return 0;
	}
	p->types_given = true;
	for (uint32_t i = 0; i < t->n; i++) {
		const char *v = NULL;
		size_t len;
		bh_as_str(t->items[i], &v, &len);
		if (v && !strcmp(v, "Ingress"))
			p->ingress = true;
		else if (v && !strcmp(v, "Egress"))
			p->egress = true;
		else
			return np_bad(x, t->items[i], "policyTypes entry '%s' is not Ingress or Egress", v ? v : "");
	}
	return 0;
}

int np_add_policy(struct np_ctx *x)
{
	struct bh_np_snap *s = x->s;
	s->pol = np_grow(s->a, s->pol, s->npol, &s->cappol, sizeof(*s->pol));
	if (!s->pol)
		return -ENOMEM;
	struct bh_np_policy *p = &s->pol[s->npol];
	memset(p, 0, sizeof(*p));
	p->ns = x->o->ref.namespace ? x->o->ref.namespace : "default";
	p->name = x->o->ref.name ? x->o->ref.name : "";
	p->ref = x->o->ref;
	const struct bh_node *spec = np_map(x->o->root, "spec");
	/* spec.podSelector is required; {} selects every pod of the namespace. A policy without one is
	 * rejected by the API server. */
	const struct bh_node *ps = np_get(spec, "podSelector");
	if (!ps)
		return np_bad(x, spec, "spec.podSelector is required ({} selects every pod of the namespace)");
	int rc = np_sel(x, ps, &p->sel);
	if (!rc)
		rc = np_types(x, spec, p);
	if (!rc)
		rc = np_rules(x, np_seq(spec, "ingress"), "from", &p->in, &p->nin);
	if (!rc)
		rc = np_rules(x, np_seq(spec, "egress"), "to", &p->eg, &p->neg);
	if (rc)
		return rc;
	s->npol++;
	return 1;
}

/* ---- AdminNetworkPolicy / BaselineAdminNetworkPolicy (KEP-2091, API v1alpha1) ---- */

static int anp_port(struct np_ctx *x, const struct bh_node *m, struct bh_np_aport *p)
{
	const struct bh_node *n;
	int64_t v = 0, e = 0;
	memset(p, 0, sizeof(*p));
	if ((n = np_map(m, "portNumber"))) {
		p->kind = BH_NP_APORT_NUMBER;
		np_int(n, "port", &v);
		p->port = (uint32_t)v;
		return np_proto(x, n, &p->proto);
	}
	if ((n = np_map(m, "portRange"))) {
		p->kind = BH_NP_APORT_RANGE;
		np_int(n, "start", &v);
		np_int(n, "end", &e);
		p->port = (uint32_t)v;
		p->end = (uint32_t)e;
		return np_proto(x, n, &p->proto);
	}
	if ((p->named = np_keep(x, np_str(m, "namedPort")))) {
		p->kind = BH_NP_APORT_NAMED;
		return 0;
	}
	return np_bad(x, m, "an AdminNetworkPolicyPort needs portNumber, portRange or namedPort");
}

static int anp_peer(struct np_ctx *x, const struct bh_node *m, struct bh_np_apeer *p)
{
	const struct bh_node *n;
	memset(p, 0, sizeof(*p));
	if ((n = np_map(m, "namespaces"))) {
		p->kind = BH_NP_APEER_NS;
		return np_sel(x, n, &p->ns);
	}
	if ((n = np_map(m, "pods"))) {
		p->kind = BH_NP_APEER_PODS;
		if (np_sel(x, np_map(n, "namespaceSelector"), &p->ns) || np_sel(x, np_map(n, "podSelector"), &p->pod))
			return -EINVAL;
		return 0;
	}
	if ((n = np_map(m, "nodes"))) {
		p->kind = BH_NP_APEER_NODES;
		return np_sel(x, n, &p->pod);
	}
	if ((n = np_seq(m, "networks"))) {
		p->kind = BH_NP_APEER_NETWORKS;
		return np_cidrs(x, n, &p->nets, &p->nnets);
	}
	if (np_seq(m, "domainNames")) {
		p->kind = BH_NP_APEER_DOMAINS;
		return 0;
	}
	return np_bad(x, m, "an AdminNetworkPolicy peer names none of namespaces, pods, nodes, networks, domainNames");
}

static int anp_action(struct np_ctx *x, const struct bh_node *m, bool baseline, uint8_t *out)
{
	const char *a = np_str(m, "action");
	if (a && !strcmp(a, "Allow"))
		*out = BH_NP_ALLOW;
	else if (a && !strcmp(a, "Deny"))
		*out = BH_NP_DENY;
	else if (a && !strcmp(a, "Pass") && !baseline)
		*out = BH_NP_PASS;
	else
		return np_bad(x, m, "action '%s' is not %s", a ? a : "", baseline ? "Allow or Deny" : "Allow, Deny or Pass");
	return 0;
}

static int anp_rule(struct np_ctx *x, const struct bh_node *m, const char *peers, bool baseline,
		    struct bh_np_arule *r)
{
	r->name = np_keep(x, np_str(m, "name"));
	if (anp_action(x, m, baseline, &r->action))
		return -EINVAL;
	const struct bh_node *ps = np_seq(m, "ports"), *pe = np_seq(m, peers);
	r->has_ports = ps != NULL;
	if (ps && ps->n && !(r->ports = bh_arena_alloc(x->s->a, ps->n * sizeof(*r->ports))))
		return -ENOMEM;
	for (uint32_t j = 0; ps && j < ps->n; j++, r->nports++)
		if (anp_port(x, ps->items[j], &r->ports[j]))
			return -EINVAL;
	if (pe && pe->n && !(r->peers = bh_arena_alloc(x->s->a, pe->n * sizeof(*r->peers))))
		return -ENOMEM;
	for (uint32_t j = 0; pe && j < pe->n; j++, r->npeers++)
		if (anp_peer(x, pe->items[j], &r->peers[j]))
			return -EINVAL;
	return 0;
}

static int anp_rules(struct np_ctx *x, const struct bh_node *seq, const char *peers, bool baseline,
		     struct bh_np_arule **out, uint32_t *n)
{
	*n = 0;
	if (!seq || !seq->n)
		return 0;
	if (!(*out = bh_arena_alloc(x->s->a, seq->n * sizeof(**out))))
		return -ENOMEM;
	for (uint32_t i = 0; i < seq->n; i++, (*n)++)
		if (anp_rule(x, seq->items[i], peers, baseline, &(*out)[i]))
			return -EINVAL;
	return 0;
}

int np_add_anp(struct np_ctx *x, bool baseline)
{
	struct bh_np_snap *s = x->s;
	s->anp = np_grow(s->a, s->anp, s->nanp, &s->capanp, sizeof(*s->anp));
	if (!s->anp)
		return -ENOMEM;
	struct bh_np_anp *p = &s->anp[s->nanp];
	memset(p, 0, sizeof(*p));
	p->name = x->o->ref.name ? x->o->ref.name : "";
	p->ref = x->o->ref;
	p->baseline = baseline;
	const struct bh_node *spec = np_map(x->o->root, "spec"), *subj = np_map(spec, "subject"), *n;
	if (!baseline && !np_int(spec, "priority", &p->priority))
		return np_bad(x, spec, "spec.priority is required");
	if ((n = np_map(subj, "pods"))) {
		p->subj_pods = true;
		if (np_sel(x, np_map(n, "namespaceSelector"), &p->subj_ns) ||
		    np_sel(x, np_map(n, "podSelector"), &p->subj_pod))
			return -EINVAL;
	} else if ((n = np_map(subj, "namespaces"))) {
		if (np_sel(x, n, &p->subj_ns))
			return -EINVAL;
	} else {
		return np_bad(x, spec, "spec.subject needs namespaces or pods");
	}
	if (anp_rules(x, np_seq(spec, "ingress"), "from", baseline, &p->in, &p->nin) ||
	    anp_rules(x, np_seq(spec, "egress"), "to", baseline, &p->eg, &p->neg))
		return x->err->code ? x->err->code : -ENOMEM;
	s->nanp++;
	return 1;
}
