/* NetworkPolicy reach in the escape graph: the snapshot's objects are also read into src/netpol/'s model
 * and, when it holds NetworkPolicies (or AdminNetworkPolicies / BaselineAdminNetworkPolicies), the
 * evaluator decides per Pod whether it can connect to the API server (the `kubernetes` Service and its
 * endpoints), the kubelet port of the nodes and the cloud metadata address 169.254.169.254. graph.c uses
 * it: a stolen token of a pod that reaches neither the API server nor a kubelet is a low step (its use
 * needs another way out of the pod), a pod that reaches the metadata address has a high step to its node's
 * credentials. CNI-specific policies in the snapshot (not evaluated) keep tokens as they are. Without any policy every pod reaches everything and nothing changes (that is what
 * `bulkhead netpol` reports on its own). Templates and pods without an IP stay unknown.
 *
 * The model is built from the objects the cluster reader decodes anyway (bh_np_add_copy, each object as
 * snapshot.c reads it, before its document is dropped): the snapshot is decoded once, its bytes are not
 * kept, and the model holds copies of the strings it needs only. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "netpol/reach.h"

struct bh_cl_netpol {
	struct bh_arena a;
	struct bh_np_snap s;
	struct bh_diagvec errs; /* the model's input errors (a bad CIDR, port or selector) */
	bool wanted;  /* a NetworkPolicy, AdminNetworkPolicy or BaselineAdminNetworkPolicy was read */
	bool failed;  /* out of memory while reading: no reach analysis */
};

int bh_cl_np_new(struct bh_cluster *c)
{
	struct bh_cl_netpol *np = calloc(1, sizeof(*np));
	if (!np)
		return -ENOMEM;
	bh_arena_init(&np->a, 0); /* the model's copies; each document is capped by the decoder */
	bh_np_snap_init(&np->s, &np->a);
	c->np = np;
	return 0;
}

void bh_cl_np_free(struct bh_cluster *c)
{
	if (!c->np)
		return;
	bh_np_snap_release(&c->np->s);
	free(c->np->errs.v);
	bh_arena_release(&c->np->a);
	free(c->np);
	c->np = NULL;
}

/* an object the cluster reader decoded: into the model, strings copied (its document is dropped next) */
void bh_cl_np_object(struct bh_cluster *c, const struct bh_object *o)
{
	struct bh_cl_netpol *np = c->np;
	const char *k = o->ref.kind;
	if (!np || !k || np->failed)
		return;
	if (!strcmp(k, "NetworkPolicy") || !strcmp(k, "AdminNetworkPolicy") || !strcmp(k, "BaselineAdminNetworkPolicy"))
		np->wanted = true;
	struct bh_err err = {0};
	int rc = bh_np_add_copy(&np->s, o, &err);
	if (rc == -ENOMEM) {
		np->failed = true;
		return;
	}
	if (rc < 0 && bh_cl_grow((void **)&np->errs.v, &np->errs.cap, np->errs.n, sizeof(*np->errs.v)) == 0)
		np->errs.v[np->errs.n++] = (struct bh_input_error){o->doc->file, err.line, err.col,
								   bh_arena_strndup(&np->a, err.msg, strlen(err.msg))};
}

/* the evaluator's input errors (a bad CIDR, port or selector) that the cluster reader has not reported
 * at the same place already */
static void forward_errors(struct bh_cluster *c)
{
	const struct bh_diagvec *ne = &c->np->errs, *ce = &c->eng.errors;
	for (size_t i = 0; i < ne->n; i++) {
		const struct bh_input_error *x = &ne->v[i];
		bool dup = false;
		for (size_t k = 0; k < ce->n && !dup; k++)
			dup = ce->v[k].line == x->line && ce->v[k].col == x->col && ce->v[k].file && x->file &&
			      !strcmp(ce->v[k].file, x->file);
		if (!dup)
			bh_engine_error(&c->eng, x->file, x->line, x->col, "%s", x->message);
	}
}

static const char *bh_cl_dupkey(struct bh_cluster *c, const char *k)
{
	return bh_arena_strndup(&c->a, k, strlen(k));
}

static void apply(struct bh_cluster *c, const struct bh_np_reach *r)
{
	const struct bh_np_snap *s = &c->np->s;
	struct bh_cl_map idx = {0};
	char key[600];
	for (uint32_t i = 0; i < s->npods; i++)
		if (r->pod[i].addressed && !s->pods[i].host_network &&
		    bh_cl_map_put(&idx, bh_cl_dupkey(c, bh_cl_key(key, sizeof(key), s->pods[i].ns, s->pods[i].name, NULL)),
				  i) < 0)
			break;
	for (size_t i = 0; i < c->npods; i++) {
		struct bh_cl_pod *p = &c->pods[i];
		uint32_t k = p->is_pod ? bh_cl_map_get(&idx, bh_cl_key(key, sizeof(key), p->ns, p->name, NULL)) : UINT32_MAX;
		if (k == UINT32_MAX)
			continue;
		const struct bh_np_preach *pr = &r->pod[k];
		c->reach.pods++;
		/* CNI-specific policies (Calico tiers, Cilium) are not evaluated and may allow what the
		 * Kubernetes kinds deny: then a blocked API server is not claimed, reach only adds steps */
		if (pr->api == BH_NP_YES || (pr->api == BH_NP_NO && !s->nother))
			p->api_reach = pr->api == BH_NP_YES ? BH_CL_REACH_YES : BH_CL_REACH_NO;
		if (pr->metadata != BH_NP_NA)
			p->meta_reach = pr->metadata == BH_NP_YES ? BH_CL_REACH_YES : BH_CL_REACH_NO;
		p->kubelets = pr->kubelets;
		c->reach.api_blocked += p->api_reach == BH_CL_REACH_NO;
		c->reach.metadata_reachable += p->meta_reach == BH_CL_REACH_YES;
		c->reach.kubelet_reachable += pr->kubelets > 0;
	}
	bh_cl_map_free(&idx);
}

int bh_cl_np_analyse(struct bh_cluster *c)
{
	struct bh_np_snap *s = &c->np->s;
	if (!c->np->wanted) {
		bh_cl_np_free(c); /* nothing to evaluate: drop the model now */
		return bh_cl_np_new(c);
	}
	if (c->np->failed)
		return -ENOMEM;
	forward_errors(c);
	if (s->npol == 0 && s->nanp == 0)
		return 0;
	c->reach = (struct bh_cl_reachsum){.evaluated = true, .policies = s->npol, .admin_policies = s->nanp};
	for (uint32_t i = 0; i < s->nother; i++)
		c->reach.cni_policies += s->other[i].n;
	if (bh_np_index(s) < 0)
		return -ENOMEM;
	struct bh_arena fa;
	struct bh_findings fs; /* the evaluator's own findings are `bulkhead netpol`'s report, not ours */
	bh_arena_init(&fa, 0);
	bh_findings_init(&fs, &fa);
	struct bh_np_reach r = {0};
	int rc = bh_np_reach(s, &r, &fs);
	if (rc == 0)
		apply(c, &r);
	bh_np_reach_release(&r);
	bh_findings_release(&fs);
	bh_arena_release(&fa);
	return rc;
}
