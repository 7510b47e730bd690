/* Per-namespace totals of the reach analysis and the findings (rules in src/rules/netpol.def). One
 * finding per namespace and rule, located at the namespace's first affected pod, naming a few pods. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reach.h"

enum {
#define BH_RULE(id, sym, ...) NP_R_##sym = BH_RULE_##id - BH_RULES_NETPOL_FIRST,
#include "rules/netpol.def"
#undef BH_RULE
	NP_R_N
};
static const struct bh_rule *const np_rules = &bh_rules[BH_RULES_NETPOL_FIRST];

int np_reach_findings(const struct bh_np_snap *s, struct bh_np_reach *r, struct bh_findings *fs);

typedef bool (*pod_pred)(const struct bh_np_pod *p, const struct bh_np_preach *o);

/* the pods of each namespace, in snapshot order: namespace ns has pod[at[ns]] … pod[at[ns + 1] - 1] */
struct ns_pods {
	uint32_t *at, *pod;
};

static bool p_meta(const struct bh_np_pod *p, const struct bh_np_preach *o) { return o->metadata == BH_NP_YES; }
static bool p_kubelet(const struct bh_np_pod *p, const struct bh_np_preach *o) { return o->kubelets > 0; }
static bool p_api(const struct bh_np_pod *p, const struct bh_np_preach *o) { return o->api == BH_NP_YES; }
static bool p_open_in(const struct bh_np_pod *p, const struct bh_np_preach *o) { return !o->iso_in; }
static bool p_open_eg(const struct bh_np_pod *p, const struct bh_np_preach *o) { return !o->iso_eg; }
static bool p_cross(const struct bh_np_pod *p, const struct bh_np_preach *o) { return o->cross; }

/* "3 of 7 pods (web-1, web-2, db-0)" and the first such pod */
static int32_t describe(const struct bh_np_snap *s, const struct bh_np_reach *r, const struct ns_pods *np,
			uint32_t ns, pod_pred f, char *buf, size_t len, uint32_t *count)
{
	int32_t first = -1;
	uint32_t n = 0, total = 0;
	size_t at = 0;
	for (uint32_t k = np->at[ns]; k < np->at[ns + 1]; k++) {
		uint32_t i = np->pod[k];
		const struct bh_np_pod *p = &s->pods[i];
		if (p->host_network || !r->pod[i].addressed)
			continue;
		total++;
		if (!f(p, &r->pod[i]))
			continue;
		if (first < 0)
			first = (int32_t)i;
		if (n < 3 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "%s%s", n ? ", " : "", p->name);
		n++;
	}
	if (n > 3 && at < len)
		snprintf(buf + at, len - at, ", …");
	*count = n;
	r->ns[ns].addressed = total;
	return first;
}

static void emit_ns(struct bh_findings *fs, const struct bh_np_snap *s, const struct bh_np_reach *r, uint32_t ns,
		    int32_t at, int rule, const char *fmt_tail, uint32_t n, const char *names, const char *extra)
{
	const struct bh_np_pod *p = &s->pods[at];
	fs->cur = (struct bh_objref){.api_version = "v1", .kind = "Namespace", .name = s->ns[ns].name,
				     .file = p->ref.file, .line = p->ref.line, .col = p->ref.col};
	bh_emit(fs, &np_rules[rule], np_rules[rule].sev, NULL, NULL, p->ref.line, p->ref.col,
		"%u of %u pods %s%s (%s)", n, r->ns[ns].addressed, fmt_tail, extra ? extra : "", names);
}

static void ns_findings(const struct bh_np_snap *s, struct bh_np_reach *r, const struct ns_pods *np, uint32_t ns,
			struct bh_findings *fs)
{
	static const struct {
		int rule;
		pod_pred f;
		const char *text;
	} t[] = {
		{NP_R_METADATA, p_meta, "can connect to the cloud metadata address 169.254.169.254:80"},
		{NP_R_KUBELET, p_kubelet, "can connect to a node's kubelet port"},
		{NP_R_APISERVER, p_api, "can connect to the API server"},
		{NP_R_NO_INGRESS_ISOLATION, p_open_in, "are isolated for ingress by no NetworkPolicy"},
		{NP_R_NO_EGRESS_ISOLATION, p_open_eg, "are isolated for egress by no NetworkPolicy"},
	};
	char names[200];
	uint32_t n;
	for (unsigned i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		int32_t at = describe(s, r, np, ns, t[i].f, names, sizeof(names), &n);
		uint32_t *cnt[] = {&r->ns[ns].metadata, &r->ns[ns].kubelet, &r->ns[ns].api, &r->ns[ns].open_in,
				   &r->ns[ns].open_eg};
		*cnt[i] = n;
		if (at >= 0)
			emit_ns(fs, s, r, ns, at, t[i].rule, t[i].text, n, names, NULL);
	}
	/* other namespaces reached (the matrix row, the diagonal left out) */
	char list[200];
	size_t at = 0;
	uint32_t other = 0;
	for (uint32_t j = 0; j < s->nns; j++) {
		uint32_t v = r->matrix[(size_t)ns * s->nns + j];
		if (j == ns || !v)
			continue;
		if (other < 4 && at < sizeof(list))
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%s", other ? ", " : "", s->ns[j].name);
		other++;
	}
	if (other > 4 && at < sizeof(list))
		snprintf(list + at, sizeof(list) - at, ", …");
	r->ns[ns].other_ns = other;
	int32_t first = describe(s, r, np, ns, p_cross, names, sizeof(names), &n);
	if (first >= 0) {
		char extra[260];
		snprintf(extra, sizeof(extra), " %u other namespace%s: %s", other, other == 1 ? "" : "s", list);
		emit_ns(fs, s, r, ns, first, NP_R_CROSS_NAMESPACE, "can connect to pods of", n, names, extra);
	}
}

static void totals(const struct bh_np_snap *s, struct bh_np_reach *r)
{
	for (uint32_t i = 0; i < s->npods; i++) {
		struct bh_np_nsreach *n = &r->ns[s->pods[i].nsidx];
		n->pods++;
		n->hostnet += s->pods[i].host_network;
		n->nodeport += r->pod[i].nodeport == BH_NP_YES && !s->pods[i].host_network;
	}
	for (uint32_t i = 0; i < s->npol; i++) {
		const struct bh_np_policy *p = &s->pol[i];
		const struct bh_np_ns *ns = bh_np_ns_find(s, p->ns);
		if (!ns || !bh_np_sel_empty(&p->sel))
			continue;
		r->ns[ns - s->ns].default_deny_in |= p->ingress;
		r->ns[ns - s->ns].default_deny_eg |= p->egress;
	}
}

static void policy_findings(const struct bh_np_snap *s, struct bh_findings *fs)
{
	for (uint32_t i = 0; i < s->npods; i++) {
		const struct bh_np_pod *p = &s->pods[i];
		for (uint32_t j = 0; p->host_network && j < p->nnp; j++) {
			const struct bh_np_policy *pol = &s->pol[p->np[j]];
			fs->cur = pol->ref;
			bh_emit(fs, &np_rules[NP_R_HOSTNET_SELECTED], np_rules[NP_R_HOSTNET_SELECTED].sev, NULL,
				"spec.podSelector", pol->ref.line, pol->ref.col,
				"NetworkPolicy %s/%s selects hostNetwork pod %s: the policy does not isolate it", pol->ns,
				pol->name, p->name);
		}
	}
	if (s->nother) {
		char list[300];
		size_t at = 0;
		for (uint32_t i = 0; i < s->nother && at < sizeof(list); i++)
			at += (size_t)snprintf(list + at, sizeof(list) - at, "%s%u %s", i ? ", " : "", s->other[i].n,
					       s->other[i].kind);
		fs->cur = (struct bh_objref){0};
		bh_emit(fs, &np_rules[NP_R_CNI_NOT_EVALUATED], np_rules[NP_R_CNI_NOT_EVALUATED].sev, NULL, NULL, 0, 0,
			"not evaluated: %s; reach results assume only NetworkPolicy and AdminNetworkPolicy apply", list);
	}
}

/* a counting sort of the pods by namespace (stable): each namespace's findings walk its own pods, not
 * every pod of the snapshot (1,000 namespaces × 100k pods × 6 rules was 6·10^8 steps) */
static int group(const struct bh_np_snap *s, struct ns_pods *np)
{
	np->at = calloc((size_t)s->nns + 1, sizeof(*np->at));
	np->pod = malloc(((size_t)s->npods + 1) * sizeof(*np->pod));
	if (!np->at || !np->pod)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->npods; i++)
		np->at[s->pods[i].nsidx + 1]++;
	for (uint32_t ns = 0; ns < s->nns; ns++)
		np->at[ns + 1] += np->at[ns];
	uint32_t *next = np->pod; /* filled through a moving copy of the starts */
	for (uint32_t i = 0; i < s->npods; i++)
		next[np->at[s->pods[i].nsidx]++] = i;
	for (uint32_t ns = s->nns; ns > 0; ns--) /* the starts moved to the ends: shift them back */
		np->at[ns] = np->at[ns - 1];
	np->at[0] = 0;
	return 0;
}

int np_reach_findings(const struct bh_np_snap *s, struct bh_np_reach *r, struct bh_findings *fs)
{
	totals(s, r);
	struct ns_pods np = {0};
	int rc = group(s, &np);
	for (uint32_t ns = 0; rc == 0 && ns < s->nns; ns++)
		ns_findings(s, r, &np, ns, fs);
	free(np.at);
	free(np.pod);
	if (rc)
		return rc;
	policy_findings(s, fs);
	return fs->oom ? -ENOMEM : 0;
}
