/* Kubernetes objects over the decoded tree: object identity, List expansion, pod templates wherever they
 * sit (built-in workloads, known CRDs, unknown kinds shaped like a workload) and a typed pod view that
 * rules read. The view keeps, for every field, the node it came from (file:line:col) and whether its
 * value had the wrong type for the API server. */
#ifndef BH_OBJECTS_H
#define BH_OBJECTS_H
#include <stdint.h>

#include "decode/node.h"

/* The Kubernetes object a finding belongs to (NULL strings when unknown / not applicable). */
struct bh_objref {
	const char *api_version, *kind, *namespace, *name;
	const char *file;
	uint32_t line, col;  /* where the object starts */
};

struct bh_object {
	const struct bh_node *root; /* the object's mapping */
	const struct bh_doc *doc;
	struct bh_objref ref;       /* strings point into the document arena */
	const struct bh_node *metadata;
	const char *in_list;        /* "items[3]" when the object came from a List, else NULL */
};

/* Calls cb for every object of doc (List / *List kinds expanded, nested too). cb returns 0 to go on.
 * Non-mapping documents and items are skipped (they are no Kubernetes objects). */
typedef int (*bh_object_cb)(const struct bh_object *o, void *ctx);
int bh_objects_each(const struct bh_doc *doc, struct bh_arena *a, bh_object_cb cb, void *ctx);
/* The document is a List (kind List, PodList…, with an items sequence), however many items it holds: what
 * `kubectl get … -o yaml` prints for an empty namespace is a valid answer, not an unreadable input. */
bool bh_doc_is_list(const struct bh_doc *doc);
/* A document that kubectl would refuse as no object at all (a top-level list or scalar, a mapping without
 * kind, a lower-case kind; the same for List items): the message with a hint, or NULL. */
const char *bh_doc_problem(const struct bh_doc *doc, struct bh_arena *a, uint32_t *line, uint32_t *col);
/* Fills o for the object whose mapping is root (e.g. an AdmissionReview's request.object). */
void bh_object_init(struct bh_object *o, const struct bh_doc *doc, const struct bh_node *root);

/* ---- typed fields ---- */
struct bh_fbool {
	enum bh_res r;
	bool v;
	const struct bh_node *n;
};
struct bh_fint {
	enum bh_res r;
	int64_t v;
	const struct bh_node *n;
};
struct bh_fstr {
	enum bh_res r;
	const char *s; /* NUL-terminated; "" when not BH_OK */
	size_t len;
	const struct bh_node *n;
};
#define BH_SET(f) ((f).r == BH_OK)
#define BH_TRUE(f) ((f).r == BH_OK && (f).v)
#define BH_FALSE(f) ((f).r == BH_OK && !(f).v)
#define BH_STREQ(f, lit) ((f).r == BH_OK && (f).len == sizeof(lit) - 1 && !memcmp((f).s, lit, sizeof(lit) - 1))

struct bh_strlist {
	enum bh_res r;   /* of the list itself */
	const struct bh_node *n;
	struct bh_fstr *v;
	uint32_t len;
};

struct bh_kv {
	const char *key;
	size_t keylen;
	const struct bh_node *keynode;
	struct bh_fstr val;
};

struct bh_sysctl {
	struct bh_fstr name, value;
	const struct bh_node *n;
};

/* securityContext: pod level (PodSecurityContext) or container level (SecurityContext). Fields that exist
 * at only one level stay BH_ABSENT at the other. */
struct bh_secctx {
	const struct bh_node *n;  /* the securityContext mapping, NULL if absent */
	enum bh_res r;
	struct bh_fbool privileged, allow_priv_esc, ro_rootfs, run_as_non_root, win_host_process;
	struct bh_fint run_as_user, run_as_group, fs_group;
	struct bh_fstr proc_mount;
	const struct bh_node *caps;  /* capabilities mapping */
	struct bh_strlist cap_add, cap_drop;
	const struct bh_node *seccomp;   /* seccompProfile mapping */
	struct bh_fstr seccomp_type, seccomp_localhost;
	const struct bh_node *apparmor;  /* appArmorProfile mapping */
	struct bh_fstr apparmor_type, apparmor_localhost;
	const struct bh_node *selinux;   /* seLinuxOptions mapping */
	struct bh_fstr se_user, se_role, se_type, se_level;
	struct bh_sysctl *sysctls;       /* pod level only */
	uint32_t nsysctls;
};

struct bh_port {
	const struct bh_node *n;
	struct bh_fint container_port, host_port;
	struct bh_fstr host_ip, protocol;
};

struct bh_mount {
	const struct bh_node *n;
	struct bh_fstr name, mount_path, sub_path, sub_path_expr, propagation;
	struct bh_fbool read_only;
};

/* probe / lifecycle handler host field (PSA hostProbesAndHostLifecycle) */
struct bh_hostref {
	const char *where; /* "livenessProbe.httpGet.host", "lifecycle.preStop.tcpSocket.host", … */
	struct bh_fstr host;
};

enum bh_clist { BH_CL_INIT = 0, BH_CL_REGULAR, BH_CL_EPHEMERAL };
extern const char *const bh_clist_key[3]; /* "initContainers", "containers", "ephemeralContainers" */

struct bh_container {
	const struct bh_node *n;
	enum bh_clist list;
	uint32_t index;
	const char *path;  /* "spec.template.spec.containers[0]" */
	struct bh_fstr name, image;
	struct bh_secctx sc;
	struct bh_port *ports;
	uint32_t nports;
	struct bh_mount *mounts;
	uint32_t nmounts;
	struct bh_hostref *hosts; /* only non-absent host fields */
	uint32_t nhosts;
};

struct bh_volsrc {
	const char *key; /* "hostPath", "emptyDir", … (any key but "name") */
	const struct bh_node *keynode, *n;
};

struct bh_volume {
	const struct bh_node *n;
	uint32_t index;
	struct bh_fstr name;
	struct bh_volsrc *src; /* every source key present with a non-null value */
	uint32_t nsrc;
	const struct bh_node *host_path; /* hostPath mapping, if any */
	struct bh_fstr host_path_path, host_path_type;
};

struct bh_pod {
	const struct bh_object *obj;
	enum bh_reading reading;
	const char *spec_path;  /* "spec", "spec.template.spec", "spec.jobTemplate.spec.template.spec" */
	const char *meta_path;  /* metadata of the pod (template): "metadata", "spec.template.metadata" */
	const struct bh_node *spec, *meta;
	bool guessed;           /* unknown kind, scanned because it is shaped like a workload */
	struct bh_fbool host_network, host_pid, host_ipc, host_users, share_pid, automount_sat;
	struct bh_fstr os_name, service_account, node_name;
	struct bh_secctx sc;    /* pod-level securityContext */
	struct bh_container *c; /* init, then regular, then ephemeral containers */
	uint32_t nc;
	struct bh_volume *v;
	uint32_t nv;
	struct bh_kv *ann;      /* annotations of the pod (template) metadata */
	uint32_t nann;
	struct bh_kv *labels;
	uint32_t nlabels;
	struct bh_diag *errors, **errors_tail;     /* wrong-typed fields: the API server would reject */
	struct bh_diag *warnings, **warnings_tail; /* case-variant keys and similar */
	uint32_t nerrors, nwarnings;
	uint32_t ncasevar;      /* fields found under a key that differs only by case: evaluate both readings */
};

/* Where pod templates sit. The built-in table covers the core workloads and known CRDs; the config adds
 * rows (podTemplatePaths) that the engine passes to bh_pod_build_ex. */
struct bh_podpath {
	const char *group;   /* API group ("" = core, "*" = any) */
	const char *kind;
	const char *spec;    /* dotted path to the PodSpec */
	const char *meta;    /* dotted path to the pod metadata, or NULL */
};

/* The built-in table (core workloads and known CRDs), e.g. for `bulkhead serve --print-webhook`. */
const struct bh_podpath *bh_podpaths_builtin(size_t *n);

/* Finds the pod template of o (if any) and builds the view. Returns 1 built, 0 no pod template, <0 error.
 * Strings are allocated in a. */
int bh_pod_build(struct bh_pod *p, const struct bh_object *o, enum bh_reading rd, struct bh_arena *a);
/* The same with extra pod-template paths, consulted before the built-in table. */
int bh_pod_build_ex(struct bh_pod *p, const struct bh_object *o, enum bh_reading rd, struct bh_arena *a,
		    const struct bh_podpath *extra, size_t nextra);

/* Path of a field relative to the pod spec or a container, e.g.
 * bh_pod_field(a, pod, c, "securityContext.privileged") */
const char *bh_pod_field(struct bh_arena *a, const struct bh_pod *p, const struct bh_container *c, const char *suffix);

/* The effective value for the fields a pod-level securityContext defaults (DESIGN §3):
 * the container's when set, else the pod's. *from_pod tells which. */
const struct bh_fbool *bh_eff_run_as_non_root(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);
const struct bh_fint *bh_eff_run_as_user(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);
const struct bh_fint *bh_eff_run_as_group(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);
const struct bh_fstr *bh_eff_seccomp_type(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);
const struct bh_fstr *bh_eff_apparmor_type(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);
const struct bh_fbool *bh_eff_host_process(const struct bh_pod *p, const struct bh_container *c, bool *from_pod);

/* Annotation / label lookup on the pod (template) metadata; NULL if absent */
const struct bh_kv *bh_pod_annotation(const struct bh_pod *p, const char *key);

#endif
