/* Indexes built once per snapshot so that one decision costs only the policies of the two pods: the
 * NetworkPolicies of each namespace, the policies that select each pod (selectors matched once per pod,
 * not per packet), and an IP -> pod hash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netpol_int.h"

static bool req_match(const struct bh_np_req *r, const struct bh_np_labels *l)
{
	const char *v = bh_np_label(l, r->key);
	bool in = false;
	for (uint32_t i = 0; v && i < r->nvals && !in; i++)
		in = !strcmp(v, r->vals[i]);
	switch (r->op) {
	case BH_NP_IN:
		return in;
	case BH_NP_NOTIN: /* labels.Selector: NotIn also matches when the label is absent */
		return !in;
	case BH_NP_EXISTS:
		return v != NULL;
	default:
		return v == NULL;
	}
}

/* LabelSelectorAsSelector: nil selects nothing, {} everything, else every requirement must hold. */
bool bh_np_sel_match(const struct bh_np_sel *s, const struct bh_np_labels *l)
{
	if (!s->present)
		return false;
	for (uint32_t i = 0; i < s->nreq; i++)
		if (!req_match(&s->req[i], l))
			return false;
	return true;
}

const struct bh_np_ns *bh_np_ns_find(const struct bh_np_snap *s, const char *name)
{
	for (uint32_t h = s->nsh_cap ? np_name_hash(name) & (s->nsh_cap - 1) : 0; s->nsh_cap && s->nsh[h];
	     h = (h + 1) & (s->nsh_cap - 1))
		if (!strcmp(s->ns[s->nsh[h] - 1].name, name))
			return &s->ns[s->nsh[h] - 1];
	return NULL;
}

static uint32_t ip_hash(const struct bh_np_ip *ip)
{
	uint32_t h = 2166136261u ^ ip->fam;
	for (unsigned i = 0; i < (ip->fam == 4 ? 4u : 16u); i++)
		h = (h ^ ip->a[i]) * 16777619u;
	return h;
}

int32_t bh_np_pod_by_ip(const struct bh_np_snap *s, const struct bh_np_ip *ip)
{
	if (!s->niph || !ip->fam)
		return -1;
	int32_t first = -1;
	for (uint32_t h = ip_hash(ip) & (s->niph - 1);; h = (h + 1) & (s->niph - 1)) {
		uint32_t v = s->iph[h];
		if (!v)
			return first;
		const struct bh_np_pod *p = &s->pods[(v - 1) >> 4];
		if (memcmp(&p->ips[(v - 1) & 15], ip, sizeof(*ip)))
			continue;
		/* several pods with one IP: the running one, else the first (getPodAssignedToIP) */
		if (p->running)
			return (int32_t)((v - 1) >> 4);
		if (first < 0)
			first = (int32_t)((v - 1) >> 4);
	}
}

static int index_ips(struct bh_np_snap *s)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < s->npods; i++)
		n += s->pods[i].host_network ? 0 : (s->pods[i].nips < 16 ? s->pods[i].nips : 16);
	s->niph = 16;
	while (s->niph < 2 * n)
		s->niph *= 2;
	if (!(s->iph = calloc(s->niph, sizeof(*s->iph))))
		return -ENOMEM;
	for (uint32_t i = 0; i < s->npods; i++) {
		const struct bh_np_pod *p = &s->pods[i];
		/* hostNetwork pods share the node's IP: policies do not select them and their traffic is
		 * the node's (API reference: podSelector; reference implementation's podIPIndex skips them) */
		for (uint32_t j = 0; !p->host_network && j < p->nips && j < 16; j++) {
			uint32_t h = ip_hash(&p->ips[j]) & (s->niph - 1);
			while (s->iph[h])
				h = (h + 1) & (s->niph - 1);
			s->iph[h] = (i << 4 | j) + 1;
		}
	}
	return 0;
}

static int by_priority(const void *a, const void *b, void *ctx)
{
	const struct bh_np_anp *v = ctx, *x = &v[*(const uint32_t *)a], *y = &v[*(const uint32_t *)b];
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool anp_selects(const struct bh_np_snap *s, const struct bh_np_anp *a, const struct bh_np_pod *p)
{
	const struct bh_np_ns *ns = &s->ns[p->nsidx];
	/* subject.namespaces / subject.pods.namespaceSelector pick among existing Namespaces */
	if (!ns->known || !bh_np_sel_match(&a->subj_ns, &ns->labels))
		return false;
	return !a->subj_pods || bh_np_sel_match(&a->subj_pod, &p->labels);
}

static int index_pod(struct bh_np_snap *s, struct bh_np_pod *p, uint32_t *tmp)
{
	const struct bh_np_ns *ns = &s->ns[p->nsidx];
	uint32_t n = 0;
	for (uint32_t i = 0; i < ns->nnp; i++)
		if (bh_np_sel_match(&s->pol[ns->np[i]].sel, &p->labels))
			tmp[n++] = ns->np[i];
	if (n && !(p->np = bh_arena_alloc(s->a, n * sizeof(*p->np))))
		return -ENOMEM;
	if (n)
		memcpy(p->np, tmp, n * sizeof(*tmp));
	p->nnp = n;
	for (int base = 0; base < 2; base++) {
		n = 0;
		for (uint32_t i = 0; i < s->nanp; i++)
			if (s->anp[i].baseline == base && anp_selects(s, &s->anp[i], p))
				tmp[n++] = i;
		if (!base)
			qsort_r(tmp, n, sizeof(*tmp), by_priority, s->anp);
		uint32_t *v = n ? bh_arena_alloc(s->a, n * sizeof(*v)) : NULL;
		if (n && !v)
			return -ENOMEM;
		if (n)
			memcpy(v, tmp, n * sizeof(*tmp));
		*(base ? &p->banp : &p->anp) = v;
		*(base ? &p->nbanp : &p->nanp) = n;
	}
	return 0;
}

static int index_ns(struct bh_np_snap *s)
{
	for (uint32_t i = 0; i < s->npods; i++) {
		struct bh_np_ns *ns = np_ns_get(s, s->pods[i].ns);
		if (!ns)
			return -ENOMEM;
		s->pods[i].nsidx = (uint32_t)(ns - s->ns);
		ns->npods++;
	}
	for (uint32_t i = 0; i < s->npol; i++) {
		struct bh_np_ns *ns = np_ns_get(s, s->pol[i].ns);
		if (!ns)
			return -ENOMEM;
		ns->nnp++;
	}
	for (uint32_t i = 0; i < s->nns; i++) {
		if (s->ns[i].nnp && !(s->ns[i].np = bh_arena_alloc(s->a, s->ns[i].nnp * sizeof(uint32_t))))
			return -ENOMEM;
		s->ns[i].nnp = 0;
	}
	for (uint32_t i = 0; i < s->npol; i++) {
		struct bh_np_ns *ns = np_ns_get(s, s->pol[i].ns);
		ns->np[ns->nnp++] = i;
	}
	return 0;
}

int bh_np_index(struct bh_np_snap *s)
{
	int rc = index_ns(s);
	if (rc)
		return rc;
	uint32_t max = s->nanp;
	for (uint32_t i = 0; i < s->nns; i++)
		max = s->ns[i].nnp > max ? s->ns[i].nnp : max;
	uint32_t *tmp = malloc((max + 1) * sizeof(*tmp));
	if (!tmp)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->npods && !rc; i++)
		rc = index_pod(s, &s->pods[i], tmp);
	free(tmp);
	if (!rc)
		rc = index_ips(s);
	s->indexed = !rc;
	return rc;
}
