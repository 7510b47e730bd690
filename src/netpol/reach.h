/* Reach analysis over a snapshot: per pod, whether it can connect to the API server, the kubelets, the
 * cloud metadata address and node ports; per pair of namespaces, how many pods of one reach at least one
 * pod of the other; isolation per namespace and direction; findings (rules BH0900-BH0999). Pods with the
 * same namespace, labels, declared ports, hostNetwork and ipBlock memberships decide alike, so decisions
 * are made once per such class, not per pod. */
#ifndef BH_NETPOL_REACH_H
#define BH_NETPOL_REACH_H
#include "netpol.h"
#include "rules/finding.h"

enum { BH_NP_NO = 0, BH_NP_YES = 1, BH_NP_NA = 2 };

struct bh_np_preach {
	uint8_t api, metadata, nodeport;  /* BH_NP_NO / YES / NA (no such target in the snapshot) */
	uint32_t kubelets;                /* nodes whose kubelet port it reaches */
	bool iso_in, iso_eg;              /* a NetworkPolicy isolates it for ingress / egress */
	bool addressed;                   /* has an IP (pending pods have none and are left out) */
	bool cross;                       /* reaches a pod of another namespace */
	uint32_t cls;
};

struct bh_np_nsreach {
	uint32_t pods, addressed, api, metadata, nodeport, kubelet, open_in, open_eg, hostnet;
	uint32_t other_ns;                /* other namespaces some of its pods reach */
	bool default_deny_in, default_deny_eg; /* a policy with podSelector {} isolates the direction */
};

struct bh_np_reach {
	struct bh_np_preach *pod;   /* npods */
	struct bh_np_nsreach *ns;   /* nns */
	uint32_t *matrix;           /* nns * nns: pods of row that reach at least one pod of column */
	uint32_t nns, npods, classes;
	uint64_t decisions;
	bool api_known, nodes_known;
};

/* Computes r (malloc'ed; bh_np_reach_release frees) and appends findings to fs. 0 or -ENOMEM. */
int bh_np_reach(const struct bh_np_snap *s, struct bh_np_reach *r, struct bh_findings *fs);
void bh_np_reach_release(struct bh_np_reach *r);

#endif
