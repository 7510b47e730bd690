/* bulkhead cluster: a whole-cluster snapshot (kubectl get -o json|yaml output, or pages read live through
 * src/kube/) turned into facts — RBAC permissions per subject, Pod Security per namespace, webhook
 * coverage, every workload's escape findings, service-account tokens, node versions and their CVEs — and
 * a graph whose edges are named attack steps, from which the escape paths to a Node or to cluster-admin
 * are drawn. Library code: no printing except the writers (out_*.c), which print what was decided. */
#ifndef BH_CLUSTER_H
#define BH_CLUSTER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/engine.h"
#include "host/cvedb.h"
#include "rules/pss.h"
#include "map.h"

/* label or annotation, strings in the cluster arena */
struct bh_cl_kv {
	const char *k, *v;
};

/* metav1.LabelSelector: matchLabels AND every matchExpression (In, NotIn, Exists, DoesNotExist) */
struct bh_cl_expr {
	const char *key, *op;
	const char **values;
	uint32_t nvalues;
};
struct bh_cl_sel {
	bool present;             /* false: no selector (matches everything) */
	struct bh_cl_kv *ml;
	uint32_t nml;
	struct bh_cl_expr *ex;
	uint32_t nex;
};

/* where an object came from: kind, namespace, name and file:line:col */
struct bh_cl_ref {
	const char *kind, *ns, *name, *file;
	uint32_t line, col;
};

/* rbac.authorization.k8s.io/v1 PolicyRule */
struct bh_cl_prule {
	const char **verbs, **groups, **res, **names;
	uint16_t nverbs, ngroups, nres, nnames;
	uint32_t index;           /* rules[index] in its role, for evidence */
	uint32_t line;
};

struct bh_cl_role {
	struct bh_cl_ref ref;     /* Role or ClusterRole */
	struct bh_cl_prule *rules;
	uint32_t nrules;
	struct bh_cl_kv *labels;
	uint32_t nlabels;
	struct bh_cl_sel *agg;    /* aggregationRule.clusterRoleSelectors */
	uint32_t nagg;
	struct bh_cl_prule **eff; /* own rules + those aggregated in (filled by bh_cluster_analyse) */
	uint32_t neff;
	const struct bh_cl_role *const *from; /* eff[i] came from from[i] (itself or an aggregated role) */
};

struct bh_cl_subject {
	const char *kind, *ns, *name; /* User / Group / ServiceAccount */
};

struct bh_cl_binding {
	struct bh_cl_ref ref;     /* RoleBinding or ClusterRoleBinding */
	const char *role_kind, *role_name;
	struct bh_cl_subject *subj;
	uint32_t nsubj;
	const struct bh_cl_role *role; /* resolved, NULL when the role is not in the snapshot */
};

struct bh_cl_psa {
	enum bh_pss_level level;
	int minor;
	bool set;                 /* from a label (else the default) */
};

struct bh_cl_ns {
	struct bh_cl_ref ref;
	const char *name;
	struct bh_cl_kv *labels;
	uint32_t nlabels;
	struct bh_cl_psa enforce, audit, warn;
	const char *psa_source;   /* "label", "admission-config default", "built-in default (privileged)",
	                             "exempt (admission config)" */
	bool exempt;
	bool seen;                /* a Namespace object was in the snapshot (else only referenced) */
	const char *bulkhead_hook; /* the bulkhead webhook covering pod creation here, or NULL */
	bool bulkhead_fail_open;
	const char *other_hooks;  /* other validating webhooks on pods here (comma-separated), or NULL */
	/* what PSA's enforce level lets a pod creator have here (probe pods through rules/pss.c) */
	bool allows_privileged, allows_root, allows_net_raw;
	const char *avenue;       /* the strongest escape PSA (and the webhook) leave open, or NULL */
};

struct bh_cl_sa {
	struct bh_cl_ref ref;
	const char *ns, *name;
	int automount;            /* -1 unset, 0 false, 1 true */
	bool seen;
	bool grants;              /* holds an escape-relevant permission (itself or through its groups) */
};

struct bh_cl_secret {
	struct bh_cl_ref ref;
	const char *sa;           /* kubernetes.io/service-account.name of a service-account-token Secret */
};

struct bh_cl_cvehit {
	const struct bh_cve *cve;
	const char *component, *version;
	bool maybe;               /* in range by upstream version; the distribution may have back-ported */
	bool reachable;           /* preconditions a pod can meet without special rights (none, root, net_raw, userns) */
};

struct bh_cl_node {
	struct bh_cl_ref ref;
	const char *name;
	const char *kernel, *os, *runtime, *kubelet;
	struct bh_cl_cvehit *cves;
	uint32_t ncves;
	/* `bulkhead node --format json` of this node (--node-report, joined by name), or NULL */
	const struct bh_cl_noderep *node_report;
};

/* What `bulkhead node` read on a node (docs/schema/node.schema.json), as far as the paths use it */
struct bh_cl_noderep {
	const char *name, *file;
	int userns, cgroup_v1, no_lsm;   /* 1 holds, 0 does not, -1 unknown */
	struct bh_cl_nodecve {
		const char *id, *component, *status; /* affected | in-range | not-affected-or-fixed */
	} *cves;
	uint32_t ncves;
};

struct bh_cl_hook {
	struct bh_cl_ref ref;     /* ValidatingWebhookConfiguration */
	const char *name;         /* webhooks[i].name */
	bool bulkhead, pods_create, fail_open;
	struct bh_cl_sel nssel;
};

/* A workload (a Pod, or an object with a pod template: Deployment, CronJob, …) */
struct bh_cl_pod {
	struct bh_cl_ref ref;
	const char *ns, *name, *node; /* node: spec.nodeName, NULL when not scheduled (templates) */
	const char *sa;           /* spec.serviceAccountName, "default" when unset */
	bool token;               /* mounts the service-account token */
	bool sa_grants;           /* its service account (or a group of it) holds an escape-relevant permission */
	bool is_pod;
	bool root, net_raw, sys_admin, host_net; /* what the pod can do, for CVE preconditions */
	int8_t automount;         /* spec.automountServiceAccountToken: -1 unset, 0 false, 1 true */
	/* its worst escape finding (high or critical, not suppressed) from the engine: an index in
	 * eng.findings, or -1 */
	long avenue;
	size_t first_finding, nfindings;
	/* NetworkPolicy reach of a Pod (reach.c), set only when the snapshot has policies to evaluate:
	 * BH_CL_REACH_UNKNOWN otherwise (templates, pods without an IP, no policy, no API server address) */
	int8_t api_reach, meta_reach;  /* BH_CL_REACH_NO / _YES / _UNKNOWN */
	uint32_t kubelets;             /* nodes whose kubelet port it reaches (when api_reach is known) */
};
enum { BH_CL_REACH_UNKNOWN = -1, BH_CL_REACH_NO = 0, BH_CL_REACH_YES = 1 };

struct bh_cl_admission {
	bool set;
	struct bh_cl_psa enforce, audit, warn;
	const char **ex_users, **ex_rc, **ex_ns;
	uint32_t nex_users, nex_rc, nex_ns;
};

#define BH_CL_VEC(T, nm) T *nm; size_t n##nm, cap##nm

/* The RBAC permissions the graph uses, each checked the way the RBAC authorizer matches a rule
 * (rbac.c: verbs, apiGroups, resources with subresources and * / *\/sub, resourceNames). */
enum bh_cl_cap {
	CL_ADMIN = 0,     /* every verb on every resource of every group, cluster-wide */
	CL_CREATE_PODS,
	CL_WORKLOADS,     /* create/patch/update a Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, RC */
	CL_EXEC, CL_ATTACH, CL_EPHEMERAL, CL_PORTFORWARD,
	CL_NODES_PROXY,
	CL_BIND, CL_ESCALATE, CL_IMPERSONATE,
	CL_SA_TOKEN,
	CL_SECRETS,
	CL_CSR_APPROVE,
	CL_WEBHOOKS,
	CL_NCAPS
};
extern const char *const bh_cl_cap_name[CL_NCAPS];

/* one permission of one subject, with where it comes from */
struct bh_cl_grant {
	const struct bh_cl_subject *subj;
	const char *scope;        /* namespace, or NULL: cluster-wide (ClusterRoleBinding) */
	enum bh_cl_cap cap;
	const struct bh_cl_prule *rule; /* resourceNames restriction in rule->names */
	const struct bh_cl_binding *bind;
	const struct bh_cl_role *role;  /* the role the rule belongs to (an aggregated one, maybe) */
};

struct bh_cl_graph;
struct bh_cl_netpol;

/* What the NetworkPolicy evaluator (src/netpol/) said about the snapshot (reach.c) */
struct bh_cl_reachsum {
	bool evaluated;           /* NetworkPolicies (or admin policies) were there and reach was decided */
	uint32_t policies, admin_policies;
	uint32_t cni_policies;    /* CiliumNetworkPolicy, Calico … objects: not evaluated, so no step is weakened */
	uint32_t pods, api_blocked, metadata_reachable, kubelet_reachable; /* of the Pods decided */
};

struct bh_cluster {
	struct bh_arena a;        /* every string and view of the model */
	struct bh_engine eng;     /* workloads' findings (the scan pipeline), input errors */
	struct bh_cvedb cvedb;
	bool cvedb_ok;
	BH_CL_VEC(struct bh_cl_role, roles);
	BH_CL_VEC(struct bh_cl_binding, binds);
	BH_CL_VEC(struct bh_cl_ns, nss);
	BH_CL_VEC(struct bh_cl_sa, sas);
	BH_CL_VEC(struct bh_cl_secret, secrets);
	BH_CL_VEC(struct bh_cl_node, nodes);
	BH_CL_VEC(struct bh_cl_hook, hooks);
	BH_CL_VEC(struct bh_cl_pod, pods);
	BH_CL_VEC(struct bh_cl_grant, grants);
	BH_CL_VEC(struct bh_cl_noderep, noderep);
	struct bh_cl_admission adm;
	struct bh_cl_map nsmap, samap, rolemap, nodemap; /* positions in nss, sas, roles, nodes */
	struct bh_cl_graph *g;
	struct bh_cl_netpol *np;  /* the same objects, as src/netpol/ models them (reach.c) */
	struct bh_cl_reachsum reach;
	size_t ignored;           /* objects of kinds the analysis does not use */
	const char *hint_kind, *hint_api; /* the document is a *List: the kind of its items (the API server
	                                     leaves kind and apiVersion out of list items) */
	struct bh_cl_pod *cur;
	struct bh_vulndb *vulns;  /* --vulns (image/vulns.h): BH0311 findings for the workloads; NULL: none */
};

/* ---- loading (snapshot.c) ---- */
int bh_cluster_init(struct bh_cluster *c, struct bh_err *err);
void bh_cluster_release(struct bh_cluster *c);
/* One input: a stream of documents (YAML or JSON), each an object, a List or a *List. Errors become input
 * errors in c->eng (file:line:col); the other documents are still read. */
void bh_cluster_buffer(struct bh_cluster *c, const char *file, const char *buf, size_t len);
void bh_cluster_file(struct bh_cluster *c, const char *path);
/* A Pod Security AdmissionConfiguration (or a bare PodSecurityConfiguration): defaults and exemptions.
 * 0, or -EINVAL with err (file:line:col). */
int bh_cluster_admission_file(struct bh_cluster *c, const char *path, struct bh_err *err);
/* `bulkhead node --format json` output (one or several documents): joined to the Node objects by name, it
 * confirms or clears nodeInfo's CVE matches (distribution packages), adds runtime CVEs nodeInfo cannot
 * see (runc) and answers the preconditions userns, cgroup_v1 and no_lsm. 0, or negative with err. */
int bh_cluster_node_report(struct bh_cluster *c, const char *path, struct bh_err *err);

/* ---- analysis (rbac.c, psa.c, nodes.c, graph.c) ---- */
/* Resolves roles and aggregation, Pod Security per namespace, webhook coverage, node CVEs, builds the
 * graph and draws the paths. 0 or -ENOMEM. */
int bh_cluster_analyse(struct bh_cluster *c);

/* RBAC: does a rule allow verb on group/resource[/sub] (name NULL = any object, as for create)? */
bool bh_cl_rule_allows(const struct bh_cl_prule *r, const char *verb, const char *group, const char *res,
		       const char *name);

/* ---- paths (graph.c) ---- */
struct bh_cl_step {
	const char *rule;         /* BH07xx, or the workload finding's rule for an escape avenue */
	enum bh_sev sev;
	const char *text;
	struct bh_cl_ref obj;     /* the object the step acts on or comes from */
	struct bh_cl_ref via;     /* evidence: the binding / finding / node that allows it (kind NULL: none) */
	const char *field;        /* evidence field (rules[2], spec.containers[0].securityContext.privileged) */
};

struct bh_cl_path {
	enum bh_sev sev;
	struct bh_cl_ref from;
	const char *to_kind, *to_name; /* "Node" / "ClusterAdmin", node name or "*" */
	struct bh_cl_step *steps;
	uint32_t nsteps;
};

struct bh_cl_paths {
	struct bh_cl_path *v;
	size_t n, cap;
};
/* Paths of the last analysis, ranked: severity, then fewest steps, then source. */
const struct bh_cl_paths *bh_cluster_paths(const struct bh_cluster *c);

/* ---- writers (out_*.c) ---- */
enum bh_cl_format { BH_CL_TEXT = 0, BH_CL_JSON, BH_CL_SARIF, BH_CL_DOT, BH_CL_MERMAID, BH_CL_HTML };
int bh_cl_format_parse(const char *s);
struct bh_cl_out {
	bool color, show_suppressed;
	enum bh_sev min_finding;   /* json/sarif/text: list findings at or above (the summary counts all) */
	size_t max_paths;          /* text: paths shown (0 = all) */
};
int bh_cluster_write(FILE *out, int format, struct bh_cluster *c, const struct bh_cl_out *o);
int bh_cluster_text(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o);
int bh_cluster_json(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o);
int bh_cluster_sarif(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o);
int bh_cluster_dot(FILE *out, struct bh_cluster *c, bool mermaid);
int bh_cluster_html(FILE *out, struct bh_cluster *c, const struct bh_cl_out *o);

/* internal helpers shared by the cluster files */
const char *bh_cl_str(struct bh_cluster *c, const struct bh_node *n);
bool bh_cl_sel_match(const struct bh_cl_sel *s, const struct bh_cl_kv *labels, uint32_t n, const char *extra_k,
		     const char *extra_v);
int bh_cl_grow(void **v, size_t *cap, size_t n, size_t size);
#define BH_CL_PUSH(c, nm) \
	(bh_cl_grow((void **)&(c)->nm, &(c)->cap##nm, (c)->n##nm, sizeof(*(c)->nm)) ? NULL : &(c)->nm[(c)->n##nm++])
struct bh_cl_ns *bh_cl_ns_get(struct bh_cluster *c, const char *name);
struct bh_cl_sa *bh_cl_sa_get(struct bh_cluster *c, const char *ns, const char *name);
void bh_cl_analyse_psa(struct bh_cluster *c);
void bh_cl_analyse_nodes(struct bh_cluster *c);
void bh_cl_join_node_reports(struct bh_cluster *c);
int bh_cl_analyse_rbac(struct bh_cluster *c);
int bh_cl_graph_build(struct bh_cluster *c);
/* reach.c: feed each decoded object to the NetworkPolicy model; decide each Pod's reach (0 or -ENOMEM) */
int bh_cl_np_new(struct bh_cluster *c);
void bh_cl_np_object(struct bh_cluster *c, const struct bh_object *o);
int bh_cl_np_analyse(struct bh_cluster *c);
void bh_cl_np_free(struct bh_cluster *c);
void bh_cl_graph_free(struct bh_cl_graph *g);

#endif
