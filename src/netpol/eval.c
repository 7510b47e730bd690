/* One packet: allowed or denied. The order is the one KEP-2091 defines and the reference implementation
 * (sigs.k8s.io/kube-network-policies v0.8.0, Controller.evaluatePacket) follows:
 *   1. AdminNetworkPolicies of the source pod, egress (Deny drops, Allow skips 2 and 3, Pass goes on)
 *   2. NetworkPolicies of the source pod, egress
 *   3. BaselineAdminNetworkPolicies of the source pod, egress (only when no NetworkPolicy selects it)
 *   4. AdminNetworkPolicies of the destination pod, ingress (Deny drops, Allow accepts, Pass goes on)
 *   5. NetworkPolicies of the destination pod, ingress (when any selects it, their answer is final)
 *   6. BaselineAdminNetworkPolicies of the destination pod, ingress.
 * A connection needs both ends: the source's egress AND the destination's ingress (NetworkPolicy
 * concepts: "both the egress policy on the source pod and the ingress policy on the destination pod
 * need to allow the connection"). Endpoints are known by IP: pods by status.podIPs, hostNetwork pods and
 * anything else are cluster-external and only ipBlock / networks peers can match them. */
#include <string.h>

#include "netpol_int.h"

struct np_q { /* one direction's view of the packet: the policy's own pod and the other end */
	const struct bh_np_snap *s;
	const struct bh_np_pod *peer;    /* the other end's pod, NULL when it is no pod */
	const struct bh_np_ip *peer_ip;
	const struct bh_np_pod *target;  /* the destination pod (named ports resolve on it), or NULL */
	uint8_t proto;
	uint32_t port;
};

/* NetworkPolicyPort: protocol must match; no port = every port of it; a number or a range
 * [port, endPort]; a name resolves to the destination pod's container port of that name and protocol. */
static bool np_ports(const struct bh_np_rule *r, const struct np_q *q)
{
	if (!r->nports) /* "If this field is empty or missing, this rule matches all ports" */
		return true;
	for (uint32_t i = 0; i < r->nports; i++) {
		const struct bh_np_port *p = &r->ports[i];
		if (p->proto != q->proto)
			continue;
		if (!p->has_port)
			return true;
		if (!p->named && (q->port == p->port || (p->end && q->port > p->port && q->port <= p->end)))
			return true;
		for (uint32_t j = 0; p->named && q->target && j < q->target->nports; j++) {
			const struct bh_np_cport *c = &q->target->ports[j];
			if (c->name && !strcmp(c->name, p->named) && c->port == q->port && c->proto == q->proto)
				return true;
		}
	}
	return false;
}

static bool ipblock_has(const struct bh_np_peer *p, const struct bh_np_ip *ip)
{
	/* "except is a slice of CIDRs that should not be included within an IPBlock" */
	if (!ip->fam || !bh_np_cidr_has(&p->cidr, ip))
		return false;
	for (uint32_t i = 0; i < p->nexcept; i++)
		if (bh_np_cidr_has(&p->except[i], ip))
			return false;
	return true;
}

/* NetworkPolicyPeer selectors. podSelector alone: pods of the policy's namespace; namespaceSelector
 * alone: every pod of the selected namespaces ({} = all namespaces); both in one peer: pods matching
 * podSelector in namespaces matching namespaceSelector (AND; separate peers OR). */
static bool peer_sel(const struct bh_np_snap *s, const struct bh_np_peer *p, const struct bh_np_pod *pod,
		     const char *polns)
{
	if (p->pod.present) {
		if (!bh_np_sel_match(&p->pod, &pod->labels))
			return false;
		if (!p->ns.present)
			return !strcmp(pod->ns, polns);
	}
	if (!p->ns.present)
		return true;
	if (bh_np_sel_empty(&p->ns))
		return true;
	const struct bh_np_ns *ns = &s->ns[pod->nsidx];
	return ns->known && bh_np_sel_match(&p->ns, &ns->labels);
}

static bool np_rule_allows(const struct bh_np_policy *pol, const struct bh_np_rule *r, const struct np_q *q)
{
	if (!np_ports(r, q))
		return false;
	if (!r->npeers) /* from/to empty or missing: every source / destination */
		return true;
	for (uint32_t i = 0; i < r->npeers; i++) {
		const struct bh_np_peer *p = &r->peers[i];
		if (p->kind == BH_NP_PEER_IPBLOCK) {
			/* ipBlock is matched against the peer's IP whether or not it is a pod's (the API leaves
			 * pod IPs to the implementation; the reference implementation matches them) */
			if (ipblock_has(p, q->peer_ip))
				return true;
			continue;
		}
		if (q->peer && peer_sel(q->s, p, q->peer, pol->ns))
			return true;
	}
	return false;
}

/* The NetworkPolicies selecting a pod, one direction: no policy of that type -> allowed; else allowed iff
 * some rule of some such policy allows ("the ingress rules for each are combined additively"); a
 * policy of the type without rules isolates only. *deny gets the first isolating policy. */
static bool np_dir(const struct bh_np_pod *own, bool egress, const struct np_q *q, int32_t *deny)
{
	bool verdict = true;
	for (uint32_t i = 0; i < own->nnp; i++) {
		const struct bh_np_policy *pol = &q->s->pol[own->np[i]];
		if (!(egress ? pol->egress : pol->ingress))
			continue;
		if (verdict)
			*deny = (int32_t)own->np[i];
		verdict = false;
		const struct bh_np_rule *r = egress ? pol->eg : pol->in;
		uint32_t n = egress ? pol->neg : pol->nin;
		for (uint32_t j = 0; j < n; j++)
			if (np_rule_allows(pol, &r[j], q)) {
				*deny = -1;
				return true;
			}
	}
	return verdict;
}

/* AdminNetworkPolicyPort: portNumber (port + protocol), portRange (start..end + protocol), namedPort (the
 * target pod's container port of that name: number and protocol). No ports: every port. */
static bool anp_ports(const struct bh_np_arule *r, const struct np_q *q)
{
	if (!r->has_ports || !r->nports)
		return true;
	for (uint32_t i = 0; i < r->nports; i++) {
		const struct bh_np_aport *p = &r->ports[i];
		if (p->kind == BH_NP_APORT_NUMBER && p->port == q->port && p->proto == q->proto)
			return true;
		if (p->kind == BH_NP_APORT_RANGE && p->proto == q->proto && p->port <= q->port && q->port <= p->end)
			return true;
		for (uint32_t j = 0; p->kind == BH_NP_APORT_NAMED && q->target && j < q->target->nports; j++) {
			const struct bh_np_cport *c = &q->target->ports[j];
			if (c->name && !strcmp(c->name, p->named) && c->port == q->port && c->proto == q->proto)
				return true;
		}
	}
	return false;
}

static bool anp_peer(const struct bh_np_apeer *p, const struct np_q *q)
{
	const struct bh_np_ns *ns = q->peer ? &q->s->ns[q->peer->nsidx] : NULL;
	switch (p->kind) {
	case BH_NP_APEER_NS:
		return ns && ns->known && bh_np_sel_match(&p->ns, &ns->labels);
	case BH_NP_APEER_PODS:
		return ns && ns->known && bh_np_sel_match(&p->ns, &ns->labels) && bh_np_sel_match(&p->pod, &q->peer->labels);
	case BH_NP_APEER_NETWORKS:
		for (uint32_t i = 0; i < p->nnets; i++)
			if (q->peer_ip->fam && bh_np_cidr_has(&p->nets[i], q->peer_ip))
				return true;
		return false;
	default: /* nodes: node IPs are not matched yet; domainNames need DNS answers a snapshot lacks */
		return false;
	}
}

/* The first rule (policies by priority, rules in order) whose ports and a peer match decides. */
static int anp_dir(const uint32_t *v, uint32_t n, bool egress, const struct np_q *q, int32_t *who, int dflt)
{
	for (uint32_t i = 0; i < n; i++) {
		const struct bh_np_anp *a = &q->s->anp[v[i]];
		const struct bh_np_arule *r = egress ? a->eg : a->in;
		uint32_t nr = egress ? a->neg : a->nin;
		for (uint32_t j = 0; j < nr; j++) {
			if (!anp_ports(&r[j], q))
				continue;
			for (uint32_t k = 0; k < r[j].npeers; k++)
				if (anp_peer(&r[j].peers[k], q)) {
					*who = (int32_t)v[i];
					return r[j].action;
				}
		}
	}
	return dflt;
}

static bool decide_egress(const struct bh_np_pod *src, const struct np_q *q, struct bh_np_verdict *v)
{
	bool nps = true;
	if (src->nanp) {
		int a = anp_dir(src->anp, src->nanp, true, q, &v->policy, BH_NP_PASS);
		v->stage = BH_NP_BY_ANP_EGRESS;
		if (a == BH_NP_DENY)
			return false;
		nps = a != BH_NP_ALLOW;
		v->stage = BH_NP_BY_NONE;
	}
	/* BANP egress only for a pod no NetworkPolicy selects (the reference implementation counts every
	 * selecting policy, whatever its policyTypes) */
	bool banp = nps && !src->nnp;
	if (nps && src->nnp) {
		v->stage = BH_NP_BY_NP_EGRESS;
		if (!np_dir(src, true, q, &v->policy))
			return false;
		v->stage = BH_NP_BY_NONE;
	}
	if (banp && src->nbanp) {
		int a = anp_dir(src->banp, src->nbanp, true, q, &v->policy, BH_NP_ALLOW);
		if (a == BH_NP_DENY) {
			v->stage = BH_NP_BY_BANP_EGRESS;
			return false;
		}
	}
	v->policy = -1;
	return true;
}

static bool decide_ingress(const struct bh_np_pod *dst, const struct np_q *q, struct bh_np_verdict *v)
{
	/* AdminNetworkPolicy ingress peers are pods and namespaces: a source that is no pod matches none */
	if (dst->nanp && q->peer) {
		int a = anp_dir(dst->anp, dst->nanp, false, q, &v->policy, BH_NP_PASS);
		v->stage = BH_NP_BY_ANP_INGRESS;
		if (a != BH_NP_PASS)
			return a == BH_NP_ALLOW;
		v->stage = BH_NP_BY_NONE;
		v->policy = -1;
	}
	if (dst->nnp) {
		v->stage = BH_NP_BY_NP_INGRESS;
		bool ok = np_dir(dst, false, q, &v->policy);
		if (ok)
			v->stage = BH_NP_BY_NONE, v->policy = -1;
		return ok;
	}
	if (dst->nbanp && q->peer) {
		int a = anp_dir(dst->banp, dst->nbanp, false, q, &v->policy, BH_NP_ALLOW);
		v->stage = BH_NP_BY_BANP_INGRESS;
		if (a == BH_NP_DENY)
			return false;
		v->stage = BH_NP_BY_NONE;
		v->policy = -1;
	}
	return true;
}

void bh_np_decide_pods(const struct bh_np_snap *s, int32_t src, int32_t dst, const struct bh_np_packet *p,
		       struct bh_np_verdict *v)
{
	const struct bh_np_pod *sp = src >= 0 ? &s->pods[src] : NULL, *dp = dst >= 0 ? &s->pods[dst] : NULL;
	v->allow = true;
	v->stage = BH_NP_BY_NONE;
	v->policy = -1;
	struct np_q eq = {s, dp, &p->dst, dp, p->proto, p->port};
	if (sp && !decide_egress(sp, &eq, v)) {
		v->allow = false;
		return;
	}
	struct np_q iq = {s, sp, &p->src, dp, p->proto, p->port};
	if (dp && !decide_ingress(dp, &iq, v))
		v->allow = false;
}

void bh_np_decide(const struct bh_np_snap *s, const struct bh_np_packet *p, struct bh_np_verdict *v)
{
	bh_np_decide_pods(s, bh_np_pod_by_ip(s, &p->src), bh_np_pod_by_ip(s, &p->dst), p, v);
}

const char *bh_np_stage_name(int stage)
{
	static const char *const n[] = {"none", "AdminNetworkPolicy egress", "NetworkPolicy egress",
					"BaselineAdminNetworkPolicy egress", "AdminNetworkPolicy ingress",
					"NetworkPolicy ingress", "BaselineAdminNetworkPolicy ingress"};
	return stage >= 0 && stage <= BH_NP_BY_BANP_INGRESS ? n[stage] : "?";
}
