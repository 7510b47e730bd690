/* NetworkPolicy semantics: a model of pods, namespaces, NetworkPolicies (networking.k8s.io/v1) and
 * AdminNetworkPolicy / BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) read from decoded
 * objects, and a decision for one packet (source IP, destination IP, protocol, destination port) made as the
 * API documents it and as SIG Network's reference implementation (sigs.k8s.io/kube-network-policies
 * v0.8.0, pkg/networkpolicy) evaluates it. tests/oracle/netpol/ compares the two on random clusters.
 *
 * Sources: NetworkPolicy API reference
 * https://kubernetes.io/docs/reference/kubernetes-api/policy-resources/network-policy-v1/ and concepts page
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/; AdminNetworkPolicy KEP-2091
 * https://github.com/kubernetes/enhancements/tree/master/keps/sig-network/2091-admin-network-policy and
 * https://network-policy-api.sigs.k8s.io/reference/spec/ */
#ifndef BH_NETPOL_H
#define BH_NETPOL_H
#include <stdbool.h>
#include <stdint.h>

#include "objects/objects.h"
#include "util/arena.h"
#include "util/diagnostic.h"
#include "util/err.h"

enum bh_np_proto { BH_NP_TCP = 0, BH_NP_UDP, BH_NP_SCTP, BH_NP_NPROTO };
const char *bh_np_proto_name(int p);
int bh_np_proto_parse(const char *s); /* -1 when not TCP/UDP/SCTP */

struct bh_np_ip {
	uint8_t fam; /* 4 or 6; 0 = none */
	uint8_t a[16];
};
struct bh_np_cidr {
	struct bh_np_ip ip;
	uint8_t bits;
};
int bh_np_ip_parse(const char *s, struct bh_np_ip *ip);        /* 0 or -1 */
int bh_np_cidr_parse(const char *s, struct bh_np_cidr *c);     /* 0 or -1 */
bool bh_np_cidr_has(const struct bh_np_cidr *c, const struct bh_np_ip *ip);
void bh_np_ip_str(const struct bh_np_ip *ip, char *buf, size_t len);

struct bh_np_label {
	const char *k, *v;
};
struct bh_np_labels {
	struct bh_np_label *v;
	uint32_t n;
};
const char *bh_np_label(const struct bh_np_labels *l, const char *key);

enum bh_np_op { BH_NP_IN = 0, BH_NP_NOTIN, BH_NP_EXISTS, BH_NP_DOESNOTEXIST };
struct bh_np_req {
	const char *key;
	uint8_t op;
	const char **vals;
	uint32_t nvals;
};
/* metav1.LabelSelector: absent (nil: selects nothing where a selector is optional) or a list of
 * requirements (matchLabels as In with one value), all ANDed; no requirements selects everything. */
struct bh_np_sel {
	bool present;
	struct bh_np_req *req;
	uint32_t nreq;
};
bool bh_np_sel_match(const struct bh_np_sel *s, const struct bh_np_labels *l);
static inline bool bh_np_sel_empty(const struct bh_np_sel *s) { return s->present && s->nreq == 0; }

struct bh_np_cport {  /* a container port: name, number, protocol (TCP when unset) */
	const char *name;
	uint32_t port;
	uint8_t proto;
};

struct bh_np_pod {
	const char *ns, *name, *node, *sa;
	uint32_t nsidx;
	struct bh_np_labels labels;
	struct bh_np_ip *ips;
	uint32_t nips;
	bool host_network, running;
	struct bh_np_cport *ports;
	uint32_t nports;
	struct bh_objref ref;
	/* indexes (bh_np_index): the NetworkPolicies whose podSelector selects the pod, the (B)ANPs whose
	 * subject does (ANPs sorted by priority, then name) */
	uint32_t *np, nnp;
	uint32_t *anp, nanp;
	uint32_t *banp, nbanp;
};

struct bh_np_ns {
	const char *name;
	struct bh_np_labels labels;
	bool known; /* a Namespace object was in the input */
	uint32_t *np, nnp; /* NetworkPolicies of the namespace */
	uint32_t npods;
};

struct bh_np_port { /* NetworkPolicyPort */
	uint8_t proto;
	bool has_port;
	const char *named; /* named port, resolved per destination pod */
	uint32_t port, end; /* end: endPort, 0 when unset */
};
enum bh_np_peer_kind { BH_NP_PEER_IPBLOCK = 0, BH_NP_PEER_SEL };
struct bh_np_peer {
	uint8_t kind;
	struct bh_np_cidr cidr;
	struct bh_np_cidr *except;
	uint32_t nexcept;
	struct bh_np_sel pod, ns;
};
struct bh_np_rule {
	struct bh_np_port *ports; /* none: every port */
	uint32_t nports;
	struct bh_np_peer *peers; /* none: every peer */
	uint32_t npeers;
};
struct bh_np_policy {
	const char *ns, *name;
	struct bh_objref ref;
	struct bh_np_sel sel;
	bool ingress, egress;      /* policyTypes after defaulting */
	bool types_given;
	struct bh_np_rule *in, *eg;
	uint32_t nin, neg;
};

enum bh_np_action { BH_NP_ALLOW = 0, BH_NP_DENY, BH_NP_PASS };
enum bh_np_aport_kind { BH_NP_APORT_NUMBER = 0, BH_NP_APORT_NAMED, BH_NP_APORT_RANGE };
struct bh_np_aport {
	uint8_t kind, proto;
	uint32_t port, end;
	const char *named;
};
enum bh_np_apeer_kind { BH_NP_APEER_NS = 0, BH_NP_APEER_PODS, BH_NP_APEER_NODES, BH_NP_APEER_NETWORKS,
			BH_NP_APEER_DOMAINS };
struct bh_np_apeer {
	uint8_t kind;
	struct bh_np_sel ns, pod;
	struct bh_np_cidr *nets;
	uint32_t nnets;
};
struct bh_np_arule {
	uint8_t action;
	const char *name;
	bool has_ports;
	struct bh_np_aport *ports;
	uint32_t nports;
	struct bh_np_apeer *peers;
	uint32_t npeers;
};
struct bh_np_anp {
	const char *name;
	struct bh_objref ref;
	bool baseline;
	int64_t priority;
	bool subj_pods; /* subject.pods (namespaceSelector + podSelector) or subject.namespaces */
	struct bh_np_sel subj_ns, subj_pod;
	struct bh_np_arule *in, *eg;
	uint32_t nin, neg;
};

/* Other objects the reach analysis uses. */
struct bh_np_svc {
	const char *ns, *name;
	struct bh_np_ip *ips;  /* clusterIPs */
	uint32_t nips;
	uint32_t *ports, nports; /* service ports (TCP) */
	uint32_t *node_ports, nnode_ports;
	struct bh_objref ref;
};
struct bh_np_eps { /* an EndpointSlice (or Endpoints) of a Service */
	const char *ns, *svc;
	struct bh_np_ip *ips;
	uint32_t nips;
	uint32_t *ports, nports;
};
struct bh_np_node {
	const char *name;
	struct bh_np_ip *ips;
	uint32_t nips;
	uint32_t kubelet_port;
	struct bh_objref ref;
};
struct bh_np_other { /* CNI-specific policy kinds present but not evaluated */
	const char *kind;
	uint32_t n;
};

struct bh_np_snap {
	struct bh_arena *a;
	struct bh_np_pod *pods;
	uint32_t npods, cappods;
	struct bh_np_ns *ns;
	uint32_t nns, capns;
	struct bh_np_policy *pol;
	uint32_t npol, cappol;
	struct bh_np_anp *anp;
	uint32_t nanp, capanp;
	struct bh_np_svc *svc;
	uint32_t nsvc, capsvc;
	struct bh_np_eps *eps;
	uint32_t neps, capeps;
	struct bh_np_node *nodes;
	uint32_t nnodes, capnodes;
	struct bh_np_other other[8];
	uint32_t nother;
	uint32_t objects, warnings;
	const char *last_kind, *last_api, *last_file; /* bh_np_add_copy's copies of repeating strings */
	uint32_t *nsh, nsh_cap; /* namespace names hashed (np_ns_get) */
	/* IP -> pod (pods that are not hostNetwork, by status.podIPs) */
	uint32_t *iph, niph;
	bool indexed;
};

void bh_np_snap_init(struct bh_np_snap *s, struct bh_arena *a);
void bh_np_snap_release(struct bh_np_snap *s);
/* Takes the object if it is one of the kinds above (its strings must outlive s: keep the document's arena).
 * Returns 1 taken, 0 not a kind of interest, <0 invalid (err says where). */
int bh_np_add(struct bh_np_snap *s, const struct bh_object *o, struct bh_err *err);
/* The same for an object whose document is dropped right after (bulkhead cluster reads one document at a
 * time and hands each object to both models): every string the model keeps is copied into s's arena,
 * nothing points into the document. Same returns. */
int bh_np_add_copy(struct bh_np_snap *s, const struct bh_object *o, struct bh_err *err);
/* Reads one snapshot file (or "-") into s: errors (file:line:col) are appended to errs, the rest is
 * read. Returns 0, or -ENOMEM. */
struct bh_limits;
int bh_np_load(struct bh_np_snap *s, const char *path, const struct bh_limits *lim, struct bh_diagvec *errs);
/* The same for a buffer already in memory (copied into the arena); file names it in errors. */
int bh_np_load_buffer(struct bh_np_snap *s, const char *file, const char *buf, size_t len,
		      const struct bh_limits *lim, struct bh_diagvec *errs);
/* Builds the indexes; call once after every bh_np_add and before deciding. */
int bh_np_index(struct bh_np_snap *s);
/* The namespace record of name (NULL when unknown). */
const struct bh_np_ns *bh_np_ns_find(const struct bh_np_snap *s, const char *name);
/* The pod that owns ip (non-hostNetwork pods, by status.podIPs; a running one first), or -1. */
int32_t bh_np_pod_by_ip(const struct bh_np_snap *s, const struct bh_np_ip *ip);

/* One packet's decision. */
struct bh_np_packet {
	struct bh_np_ip src, dst;
	uint8_t proto;
	uint32_t port;
};
enum bh_np_stage { BH_NP_BY_NONE = 0, BH_NP_BY_ANP_EGRESS, BH_NP_BY_NP_EGRESS, BH_NP_BY_BANP_EGRESS,
		   BH_NP_BY_ANP_INGRESS, BH_NP_BY_NP_INGRESS, BH_NP_BY_BANP_INGRESS };
struct bh_np_verdict {
	bool allow;
	uint8_t stage;     /* which stage decided (BH_NP_BY_NONE: nothing isolates, allowed by default) */
	int32_t policy;    /* index into pol or anp of the deciding/denying policy, -1 when none */
};
void bh_np_decide(const struct bh_np_snap *s, const struct bh_np_packet *p, struct bh_np_verdict *v);
/* The same with the pods already known (-1: no pod has that IP). */
void bh_np_decide_pods(const struct bh_np_snap *s, int32_t src, int32_t dst, const struct bh_np_packet *p,
		       struct bh_np_verdict *v);
const char *bh_np_stage_name(int stage);

#endif
