/* Loading a cluster snapshot: every document of every input (kubectl get -o json|yaml output: objects,
 * List and *List kinds) through the shared decoder and object model; kinds the analysis uses become
 * compact typed views in the cluster arena, workloads go through the scan engine (their escape findings)
 * and the document's tree is dropped after each document, so a snapshot costs its views, not its text. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"
#include "image/vulns.h"
#include "util/file.h"

#define CL_ARENA_CAP (4ull << 30) /* the views of 100k pods need ~100 MB; a hard cap all the same */

int bh_cl_grow(void **v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 16;
	void *nv = realloc(*v, nc * size);
	if (!nv)
		return -ENOMEM;
	memset((char *)nv + *cap * size, 0, (nc - *cap) * size);
	*v = nv;
	*cap = nc;
	return 0;
}

const char *bh_cl_str(struct bh_cluster *c, const struct bh_node *n)
{
	const char *s;
	size_t len;
	if (bh_as_str(n, &s, &len) != BH_OK)
		return NULL;
	return bh_arena_strndup(&c->a, s, len);
}

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

/* a sequence of strings (verbs, resources…) */
static const char **strseq(struct bh_cluster *c, const struct bh_node *n, uint16_t *count)
{
	*count = 0;
	if (!n || n->type != BH_SEQ || !n->n)
		return NULL;
	const char **v = bh_arena_alloc(&c->a, n->n * sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < n->n && *count < UINT16_MAX; i++) {
		const char *s = bh_cl_str(c, n->items[i]);
		if (s)
			v[(*count)++] = s;
	}
	return v;
}

static struct bh_cl_kv *kvs(struct bh_cluster *c, const struct bh_node *m, uint32_t *count)
{
	*count = 0;
	if (!m || m->type != BH_MAP || !m->n)
		return NULL;
	struct bh_cl_kv *v = bh_arena_alloc(&c->a, m->n * sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < m->n; i++) {
		const char *k = bh_cl_str(c, m->pairs[i].key), *val = bh_cl_str(c, m->pairs[i].val);
		if (k)
			v[(*count)++] = (struct bh_cl_kv){k, val ? val : ""};
	}
	return v;
}

static void selector(struct bh_cluster *c, const struct bh_node *n, struct bh_cl_sel *s)
{
	*s = (struct bh_cl_sel){0};
	if (!n || n->type != BH_MAP)
		return;
	s->present = true;
	s->ml = kvs(c, get(n, "matchLabels"), &s->nml);
	const struct bh_node *ex = get(n, "matchExpressions");
	if (!ex || ex->type != BH_SEQ || !ex->n)
		return;
	s->ex = bh_arena_alloc(&c->a, ex->n * sizeof(*s->ex));
	for (uint32_t i = 0; s->ex && i < ex->n; i++) {
		struct bh_cl_expr *e = &s->ex[s->nex];
		e->key = bh_cl_str(c, get(ex->items[i], "key"));
		e->op = bh_cl_str(c, get(ex->items[i], "operator"));
		uint16_t nv;
		e->values = strseq(c, get(ex->items[i], "values"), &nv);
		e->nvalues = nv;
		if (e->key && e->op)
			s->nex++;
	}
}

static const char *label_of(const struct bh_cl_kv *l, uint32_t n, const char *k)
{
	for (uint32_t i = 0; i < n; i++)
		if (!strcmp(l[i].k, k))
			return l[i].v;
	return NULL;
}

static bool in_list(const char **v, uint32_t n, const char *s)
{
	for (uint32_t i = 0; i < n; i++)
		if (s && !strcmp(v[i], s))
			return true;
	return false;
}

/* metav1.LabelSelectorAsSelector semantics; extra_k/extra_v: a label the API server adds (the namespace's
 * kubernetes.io/metadata.name) */
bool bh_cl_sel_match(const struct bh_cl_sel *s, const struct bh_cl_kv *labels, uint32_t n, const char *extra_k,
		     const char *extra_v)
{
	if (!s->present)
		return true;
	for (uint32_t i = 0; i < s->nml; i++) {
		const char *v = extra_k && !strcmp(s->ml[i].k, extra_k) ? extra_v : label_of(labels, n, s->ml[i].k);
		if (!v || strcmp(v, s->ml[i].v))
			return false;
	}
	for (uint32_t i = 0; i < s->nex; i++) {
		const struct bh_cl_expr *e = &s->ex[i];
		const char *v = extra_k && !strcmp(e->key, extra_k) ? extra_v : label_of(labels, n, e->key);
		bool ok = !strcmp(e->op, "In")            ? in_list(e->values, e->nvalues, v)
			  : !strcmp(e->op, "NotIn")        ? !in_list(e->values, e->nvalues, v)
			  : !strcmp(e->op, "Exists")       ? v != NULL
			  : !strcmp(e->op, "DoesNotExist") ? v == NULL
							   : false;
		if (!ok)
			return false;
	}
	return true;
}

static void ref_of(struct bh_cluster *c, const struct bh_object *o, struct bh_cl_ref *r)
{
	r->kind = o->ref.kind ? bh_arena_strndup(&c->a, o->ref.kind, strlen(o->ref.kind)) : NULL;
	r->ns = o->ref.namespace ? bh_arena_strndup(&c->a, o->ref.namespace, strlen(o->ref.namespace)) : NULL;
	r->name = o->ref.name ? bh_arena_strndup(&c->a, o->ref.name, strlen(o->ref.name)) : NULL;
	r->file = o->doc->file; /* interned by the engine: lives as long as the cluster */
	r->line = o->ref.line;
	r->col = o->ref.col;
}

struct bh_cl_ns *bh_cl_ns_get(struct bh_cluster *c, const char *name)
{
	if (!name)
		name = "default";
	uint32_t i = bh_cl_map_get(&c->nsmap, name);
	if (i != UINT32_MAX)
		return &c->nss[i];
	struct bh_cl_ns *ns = BH_CL_PUSH(c, nss);
	if (!ns)
		return NULL;
	ns->name = bh_arena_strndup(&c->a, name, strlen(name));
	ns->ref = (struct bh_cl_ref){.kind = "Namespace", .name = ns->name};
	if (!ns->name || bh_cl_map_put(&c->nsmap, ns->name, (uint32_t)(ns - c->nss)) < 0) {
		c->nnss--;
		return NULL;
	}
	return ns;
}

struct bh_cl_sa *bh_cl_sa_get(struct bh_cluster *c, const char *ns, const char *name)
{
	char key[512];
	bh_cl_key(key, sizeof(key), ns, name, NULL);
	uint32_t i = bh_cl_map_get(&c->samap, key);
	if (i != UINT32_MAX)
		return &c->sas[i];
	struct bh_cl_ns *n = bh_cl_ns_get(c, ns);
	struct bh_cl_sa *sa = n ? BH_CL_PUSH(c, sas) : NULL;
	if (!sa)
		return NULL;
	sa->ns = n->name;
	sa->name = bh_arena_strndup(&c->a, name, strlen(name));
	sa->automount = -1;
	sa->ref = (struct bh_cl_ref){.kind = "ServiceAccount", .ns = sa->ns, .name = sa->name};
	const char *k = bh_arena_strndup(&c->a, key, strlen(key));
	if (!sa->name || !k || bh_cl_map_put(&c->samap, k, (uint32_t)(sa - c->sas)) < 0) {
		c->nsas--;
		return NULL;
	}
	return sa;
}

static void load_rules(struct bh_cluster *c, struct bh_cl_role *r, const struct bh_node *rules)
{
	if (!rules || rules->type != BH_SEQ || !rules->n)
		return;
	r->rules = bh_arena_alloc(&c->a, rules->n * sizeof(*r->rules));
	for (uint32_t i = 0; r->rules && i < rules->n; i++) {
		const struct bh_node *n = rules->items[i];
		struct bh_cl_prule *p = &r->rules[r->nrules++];
		p->index = i;
		p->line = n->line;
		p->verbs = strseq(c, get(n, "verbs"), &p->nverbs);
		p->groups = strseq(c, get(n, "apiGroups"), &p->ngroups);
		p->res = strseq(c, get(n, "resources"), &p->nres);
		p->names = strseq(c, get(n, "resourceNames"), &p->nnames);
	}
}

static void load_role(struct bh_cluster *c, const struct bh_object *o, bool cluster)
{
	struct bh_cl_role *r = BH_CL_PUSH(c, roles);
	if (!r)
		return;
	ref_of(c, o, &r->ref);
	if (cluster)
		r->ref.ns = NULL;
	load_rules(c, r, get(o->root, "rules"));
	r->labels = kvs(c, get(o->metadata, "labels"), &r->nlabels);
	const struct bh_node *sels = get(get(o->root, "aggregationRule"), "clusterRoleSelectors");
	if (cluster && sels && sels->type == BH_SEQ && sels->n) {
		r->agg = bh_arena_alloc(&c->a, sels->n * sizeof(*r->agg));
		for (uint32_t i = 0; r->agg && i < sels->n; i++)
			selector(c, sels->items[i], &r->agg[r->nagg++]);
	}
	char key[512];
	bh_cl_key(key, sizeof(key), r->ref.kind, r->ref.ns, r->ref.name);
	const char *k = bh_arena_strndup(&c->a, key, strlen(key));
	if (k)
		bh_cl_map_put(&c->rolemap, k, (uint32_t)(r - c->roles));
}

static void load_binding(struct bh_cluster *c, const struct bh_object *o, bool cluster)
{
	struct bh_cl_binding *b = BH_CL_PUSH(c, binds);
	if (!b)
		return;
	ref_of(c, o, &b->ref);
	if (cluster)
		b->ref.ns = NULL;
	const struct bh_node *rr = get(o->root, "roleRef");
	b->role_kind = bh_cl_str(c, get(rr, "kind"));
	b->role_name = bh_cl_str(c, get(rr, "name"));
	const struct bh_node *s = get(o->root, "subjects");
	if (!s || s->type != BH_SEQ || !s->n)
		return;
	b->subj = bh_arena_alloc(&c->a, s->n * sizeof(*b->subj));
	for (uint32_t i = 0; b->subj && i < s->n; i++) {
		struct bh_cl_subject *x = &b->subj[b->nsubj];
		x->kind = bh_cl_str(c, get(s->items[i], "kind"));
		x->name = bh_cl_str(c, get(s->items[i], "name"));
		x->ns = bh_cl_str(c, get(s->items[i], "namespace"));
		if (x->kind && !strcmp(x->kind, "ServiceAccount") && !x->ns)
			x->ns = b->ref.ns; /* a RoleBinding's own namespace, as kubectl fills it in */
		if (x->kind && x->name)
			b->nsubj++;
	}
}

static void load_namespace(struct bh_cluster *c, const struct bh_object *o)
{
	struct bh_cl_ns *ns = bh_cl_ns_get(c, o->ref.name);
	if (!ns)
		return;
	ref_of(c, o, &ns->ref);
	ns->seen = true;
	ns->labels = kvs(c, get(o->metadata, "labels"), &ns->nlabels);
}

static void load_sa(struct bh_cluster *c, const struct bh_object *o)
{
	struct bh_cl_sa *sa = bh_cl_sa_get(c, o->ref.namespace ? o->ref.namespace : "default", o->ref.name);
	if (!sa)
		return;
	ref_of(c, o, &sa->ref);
	sa->seen = true;
	bool v;
	if (bh_as_bool(get(o->root, "automountServiceAccountToken"), &v) == BH_OK)
		sa->automount = v;
}

static bool kind_is(const struct bh_object *o, const char *k)
{
	return o->ref.kind && !strcmp(o->ref.kind, k);
}

static void load_secret(struct bh_cluster *c, const struct bh_object *o)
{
	/* a full Secret says its type; a PartialObjectMetadata (the live reader asks for metadata only, with a
	 * type=kubernetes.io/service-account-token field selector) has the account annotation only on such */
	const char *type = bh_cl_str(c, get(o->root, "type"));
	if (kind_is(o, "Secret") && (!type || strcmp(type, "kubernetes.io/service-account-token")))
		return;
	const char *sa = bh_cl_str(c, get(get(o->metadata, "annotations"), "kubernetes.io/service-account.name"));
	struct bh_cl_secret *s = sa ? BH_CL_PUSH(c, secrets) : NULL;
	if (!s)
		return;
	ref_of(c, o, &s->ref);
	if (!s->ref.ns)
		s->ref.ns = "default";
	s->sa = sa;
}

static void load_node(struct bh_cluster *c, const struct bh_object *o)
{
	struct bh_cl_node *n = BH_CL_PUSH(c, nodes);
	if (!n)
		return;
	ref_of(c, o, &n->ref);
	n->name = n->ref.name ? n->ref.name : "(unnamed)";
	const struct bh_node *ni = get(get(o->root, "status"), "nodeInfo");
	n->kernel = bh_cl_str(c, get(ni, "kernelVersion"));
	n->os = bh_cl_str(c, get(ni, "osImage"));
	n->runtime = bh_cl_str(c, get(ni, "containerRuntimeVersion"));
	n->kubelet = bh_cl_str(c, get(ni, "kubeletVersion"));
	bh_cl_map_put(&c->nodemap, n->name, (uint32_t)(n - c->nodes));
}

static bool seq_has(const struct bh_node *seq, const char *a, const char *b)
{
	if (!seq || seq->type != BH_SEQ)
		return false;
	for (uint32_t i = 0; i < seq->n; i++) {
		const char *s;
		size_t len;
		if (bh_as_str(seq->items[i], &s, &len) == BH_OK && (!strcmp(s, a) || (b && !strcmp(s, b))))
			return true;
	}
	return false;
}

/* a webhook of a ValidatingWebhookConfiguration: does it see pod CREATE, and is it bulkhead serve? */
static void load_hook(struct bh_cluster *c, const struct bh_object *o, const struct bh_node *w)
{
	struct bh_cl_hook *h = BH_CL_PUSH(c, hooks);
	if (!h)
		return;
	ref_of(c, o, &h->ref);
	h->name = bh_cl_str(c, get(w, "name"));
	const struct bh_node *cc = get(w, "clientConfig");
	const char *svc = bh_cl_str(c, get(get(cc, "service"), "name")), *url = bh_cl_str(c, get(cc, "url"));
	h->bulkhead = (h->name && strstr(h->name, "bulkhead")) || (svc && strstr(svc, "bulkhead")) ||
		      (url && strstr(url, "bulkhead"));
	const struct bh_node *rules = get(w, "rules");
	for (uint32_t i = 0; rules && rules->type == BH_SEQ && i < rules->n; i++) {
		const struct bh_node *r = rules->items[i];
		if (seq_has(get(r, "operations"), "CREATE", "*") && seq_has(get(r, "apiGroups"), "", "*") &&
		    seq_has(get(r, "resources"), "pods", "*"))
			h->pods_create = true;
	}
	const char *fp = bh_cl_str(c, get(w, "failurePolicy"));
	h->fail_open = fp && !strcmp(fp, "Ignore");
	selector(c, get(w, "namespaceSelector"), &h->nssel);
}

static bool rbac_api(const struct bh_object *o)
{
	return o->ref.api_version && !strncmp(o->ref.api_version, "rbac.authorization.k8s.io/", 26);
}

/* returns true when o was one of the non-workload kinds */
static bool load_other(struct bh_cluster *c, const struct bh_object *o)
{
	if (rbac_api(o) && (kind_is(o, "Role") || kind_is(o, "ClusterRole")))
		load_role(c, o, kind_is(o, "ClusterRole"));
	else if (rbac_api(o) && (kind_is(o, "RoleBinding") || kind_is(o, "ClusterRoleBinding")))
		load_binding(c, o, kind_is(o, "ClusterRoleBinding"));
	else if (kind_is(o, "Namespace") && o->ref.name)
		load_namespace(c, o);
	else if (kind_is(o, "ServiceAccount") && o->ref.name)
		load_sa(c, o);
	else if (kind_is(o, "Secret") || kind_is(o, "PartialObjectMetadata"))
		load_secret(c, o);
	else if (kind_is(o, "Node"))
		load_node(c, o);
	else if (kind_is(o, "ValidatingWebhookConfiguration")) {
		const struct bh_node *w = get(o->root, "webhooks");
		for (uint32_t i = 0; w && w->type == BH_SEQ && i < w->n; i++)
			load_hook(c, o, w->items[i]);
	} else
		return false;
	return true;
}

static bool cap_in(const struct bh_strlist *l, const char *cap)
{
	for (uint32_t i = 0; i < l->len; i++)
		if (l->v[i].r == BH_OK && (!strcasecmp(l->v[i].s, cap) || !strcasecmp(l->v[i].s, "ALL") ||
					   (!strncasecmp(l->v[i].s, "CAP_", 4) && !strcasecmp(l->v[i].s + 4, cap))))
			return true;
	return false;
}

/* what the pod's containers can do, for a CVE's preconditions (data/escape-cves.txt needs tokens) */
static void pod_caps(struct bh_cl_pod *cp, const struct bh_pod *p)
{
	cp->host_net = BH_TRUE(p->host_network);
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *k = &p->c[i];
		bool priv = BH_TRUE(k->sc.privileged);
		const struct bh_fbool *nonroot = bh_eff_run_as_non_root(p, k, NULL);
		const struct bh_fint *uid = bh_eff_run_as_user(p, k, NULL);
		if (!BH_TRUE(*nonroot) && !(BH_SET(*uid) && uid->v > 0))
			cp->root = true;
		if (priv || !cap_in(&k->sc.cap_drop, "NET_RAW") || cap_in(&k->sc.cap_add, "NET_RAW"))
			cp->net_raw = true;
		if (priv || cap_in(&k->sc.cap_add, "SYS_ADMIN"))
			cp->sys_admin = true;
	}
}

/* engine hook: called for each pod view after the escape rules ran (twice for duplicate keys: the first
 * reading makes the view) */
static void on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx)
{
	struct bh_cluster *c = ctx;
	if (c->cur)
		return;
	struct bh_cl_pod *cp = BH_CL_PUSH(c, pods);
	if (!cp)
		return;
	c->cur = cp;
	ref_of(c, p->obj, &cp->ref);
	struct bh_cl_ns *ns = bh_cl_ns_get(c, cp->ref.ns);
	cp->ns = ns ? ns->name : "default";
	if (!cp->ref.ns)
		cp->ref.ns = cp->ns; /* the API server puts a namespaced object without one in "default" */
	cp->name = cp->ref.name ? cp->ref.name : "(unnamed)";
	cp->is_pod = kind_is(p->obj, "Pod");
	cp->node = p->node_name.r == BH_OK ? bh_arena_strndup(&c->a, p->node_name.s, p->node_name.len) : NULL;
	cp->sa = p->service_account.r == BH_OK && p->service_account.len
			 ? bh_arena_strndup(&c->a, p->service_account.s, p->service_account.len)
			 : "default";
	cp->automount = p->automount_sat.r == BH_OK ? (int8_t)p->automount_sat.v : -1;
	cp->avenue = -1;
	cp->api_reach = cp->meta_reach = BH_CL_REACH_UNKNOWN;
	pod_caps(cp, p);
	if (c->vulns) /* after the escape rules, whose findings are the exposure */
		bh_vulns_on_pod(e, p, c->vulns);
}

static int object_cb(const struct bh_object *o, void *ctx)
{
	struct bh_cluster *c = ctx;
	struct bh_object typed;
	if (!o->ref.kind && c->hint_kind && o->in_list) {
		typed = *o;
		typed.ref.kind = c->hint_kind;
		typed.ref.api_version = c->hint_api;
		o = &typed;
	}
	bh_cl_np_object(c, o);
	if (load_other(c, o))
		return 0;
	size_t before = c->eng.findings.n;
	c->cur = NULL;
	bh_engine_object(&c->eng, o);
	struct bh_cl_pod *cp = c->cur;
	c->cur = NULL;
	if (!cp) {
		c->ignored++;
		return 0;
	}
	cp->first_finding = before;
	cp->nfindings = c->eng.findings.n - before;
	for (size_t i = before; i < c->eng.findings.n; i++) {
		const struct bh_finding *f = &c->eng.findings.v[i];
		if (f->suppressed || f->sev < BH_SEV_HIGH || (f->rule && bh_rule_area(f->rule) == BH_AREA_IMAGE))
			continue; /* a CVE ranked by exposure (--vulns) is no avenue of its own */
		if (cp->avenue < 0 || f->sev > c->eng.findings.v[cp->avenue].sev)
			cp->avenue = (long)i;
	}
	return 0;
}

/* PodList → Pod, PartialObjectMetadataList → PartialObjectMetadata (apiVersion of the list) */
static void list_hint(struct bh_cluster *c, const struct bh_doc *doc)
{
	const char *k = NULL, *api = NULL;
	size_t len = 0, alen;
	c->hint_kind = c->hint_api = NULL;
	if (bh_as_str(get(doc->root, "kind"), &k, &len) != BH_OK || len <= 4 || strcmp(k + len - 4, "List"))
		return;
	c->hint_kind = bh_arena_strndup(&c->eng.doc, k, len - 4);
	if (bh_as_str(get(doc->root, "apiVersion"), &api, &alen) == BH_OK)
		c->hint_api = api;
}

void bh_cluster_buffer(struct bh_cluster *c, const char *file, const char *buf, size_t len)
{
	struct bh_engine *e = &c->eng;
	e->files++;
	struct bh_decoder *d = bh_decoder_new(file, buf, len, e->lim);
	if (!d) {
		bh_engine_error(e, file, 0, 0, "out of memory");
		return;
	}
	for (;;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_reset(&e->doc);
		int rc = bh_decoder_next(d, &e->doc, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			bh_engine_error(e, doc.file ? doc.file : file, err.line, err.col, "%s", err.msg);
			continue;
		}
		list_hint(c, &doc);
		bh_objects_each(&doc, &e->doc, object_cb, c);
	}
	c->hint_kind = c->hint_api = NULL;
	bh_arena_reset(&e->doc);
	bh_decoder_free(d);
}

void bh_cluster_file(struct bh_cluster *c, const char *path)
{
	const char *name = strcmp(path, "-") ? path : "<stdin>";
	const char *file = bh_arena_strndup(&c->eng.results, name, strlen(name));
	char *buf = NULL;
	size_t len = 0;
	int rc = bh_read_file(path, c->eng.lim->max_input, &buf, &len);
	if (rc < 0) {
		c->eng.files++;
		bh_engine_error(&c->eng, file, 0, 0, "cannot read: %s",
				rc == -EFBIG ? "larger than the input limit" : strerror(-rc));
		return;
	}
	bh_cluster_buffer(c, file, buf, len);
	free(buf);
}

int bh_cluster_init(struct bh_cluster *c, struct bh_err *err)
{
	memset(c, 0, sizeof(*c));
	bh_arena_init(&c->a, CL_ARENA_CAP);
	bh_engine_init(&c->eng);
	c->eng.on_pod = on_pod;
	c->eng.on_pod_ctx = c;
	if (bh_cvedb_load_builtin(&c->cvedb, err) == 0)
		c->cvedb_ok = true;
	return bh_cl_np_new(c);
}

void bh_cluster_release(struct bh_cluster *c)
{
	if (!c)
		return;
	bh_cl_graph_free(c->g);
	bh_cl_np_free(c);
	free(c->roles);
	free(c->binds);
	free(c->nss);
	free(c->sas);
	free(c->secrets);
	free(c->nodes);
	free(c->hooks);
	free(c->pods);
	free(c->grants);
	free(c->noderep);
	bh_cl_map_free(&c->nsmap);
	bh_cl_map_free(&c->samap);
	bh_cl_map_free(&c->rolemap);
	bh_cl_map_free(&c->nodemap);
	bh_cvedb_release(&c->cvedb);
	bh_engine_release(&c->eng);
	bh_arena_release(&c->a);
}
