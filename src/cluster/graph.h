/* The escape graph (internal to src/cluster/): vertices are identities, workloads, nodes, "any node",
 * cluster-admin and per-namespace relay vertices (whoever may exec in namespace X reaches every pod of X
 * through one relay, so 10k bindings × 100k pods stay linear); edges are named steps with a severity and
 * the index of their evidence. */
#ifndef BH_CL_GRAPH_H
#define BH_CL_GRAPH_H
#include "cluster.h"

enum cl_vkind {
	CV_USER = 0, CV_GROUP, CV_SA, CV_POD, CV_NODE, CV_NODE_ANY, CV_ADMIN,
	/* relays, one per namespace: never a source, merged into the step before them */
	CV_NS_CREATE, CV_NS_EXEC, CV_NS_EPHEM, CV_NS_PF, CV_NS_SECRETS, CV_NS_SATOKEN,
	CV_NKINDS
};

enum cl_ekind {
	CE_GRANT = 0,   /* subject → relay or target; ev = grant index */
	CE_EXEMPT,      /* subject exempt from Pod Security by username → any node; ev = grant */
	CE_NS_PODS,     /* exec/ephem relay → pod; ev = pod */
	CE_NS_SA,       /* create/token relay → service account; ev = sa */
	CE_NS_SECRET,   /* secrets relay → service account; ev = secret */
	CE_NS_PRIV,     /* create/ephem relay → any node (privileged allowed); ev = namespace */
	CE_NS_CVE,      /* create relay → node with a reachable CVE; ev = node, aux = cve hit */
	CE_EPHEM_NODE,  /* ephem relay → the node of a pod there (privileged allowed); ev = pod */
	CE_PF_NODE,     /* portforward relay → node of a hostNetwork pod; ev = pod */
	CE_POD_ESCAPE,  /* pod → its node (or any node for a template); ev = pod */
	CE_POD_CVE,     /* pod → its node, by CVE; ev = pod, aux = cve hit */
	CE_POD_TOKEN,   /* pod → its service account; ev = pod; aux = 1: the API server is not reachable from
	                   the pod under NetworkPolicy (a low step), 2: not, but a kubelet port is */
	CE_NODE_TOKEN,  /* node → service account of a pod on it; ev = pod */
	CE_POD_METADATA, /* pod → its node: it reaches the cloud metadata address under NetworkPolicy; ev = pod */
	CE_ANY_NODE,    /* any node → node N (spec.nodeName); ev = node */
	CE_MEMBER,      /* identity → group */
	CE_MASTERS,     /* system:masters → cluster-admin */
	CE_NKINDS
};

struct cl_vertex {
	uint8_t kind;
	const char *ns, *name;
	uint32_t obj;   /* index of the pod / sa / node / namespace */
};

struct cl_edge {
	uint32_t from, to, ev, aux;
	uint8_t kind, sev;
};

struct bh_cl_graph {
	struct cl_vertex *v;
	size_t nv, capv;
	struct cl_edge *e;
	size_t ne, cape;
	struct bh_cl_map vmap;
	uint32_t *cache[CV_NKINDS];   /* vertex + 1 by object index, for kinds that have one (no key built) */
	size_t ncache[CV_NKINDS];
	struct bh_arena keys;
	uint32_t admin, any_node;
	struct bh_cl_paths paths;
	struct bh_arena pa;   /* paths' steps and texts */
};

uint32_t bh_cl_vertex(struct bh_cluster *c, enum cl_vkind k, const char *ns, const char *name, uint32_t obj);
int bh_cl_edge(struct bh_cluster *c, uint32_t from, uint32_t to, enum cl_ekind k, enum bh_sev sev, uint32_t ev,
	       uint32_t aux);
int bh_cl_paths_draw(struct bh_cluster *c);
/* One step of a path: edge e, with in the grant edge that reached e's relay (NULL when e is not a relay's). */
int bh_cl_step(struct bh_cluster *c, const struct cl_edge *in, const struct cl_edge *e, struct bh_cl_step *out);
/* The row of a cluster rule by its symbol: CL_R_<SYM> */
enum {
#define BH_RULE(id, sym, ...) CL_R_##sym = BH_RULE_##id - BH_RULES_CLUSTER_FIRST,
#include "rules/cluster.def"
#undef BH_RULE
	CL_R_N
};
#define CL_RULE(sym) (&bh_rules[BH_RULES_CLUSTER_FIRST + CL_R_##sym])
/* 1 holds, 0 does not, -1 unknown: a CVE precondition token for a pod (p) or a namespace's pod creator (ns)
 * on node n (whose `bulkhead node` report, when joined, answers userns, cgroup_v1 and no_lsm) */
int bh_cl_cve_token(const char *tok, const struct bh_cl_pod *p, const struct bh_cl_ns *ns, const struct bh_cl_node *n);
extern const char *const bh_cl_backport_caveat;
/* DOT or Mermaid of the first max paths (0: all) */
int bh_cl_dot_n(FILE *out, struct bh_cluster *c, bool mermaid, size_t max);
void bh_cl_ref_text(FILE *out, const struct bh_cl_ref *r);

#endif
