/* Reading pods, namespaces, policies, Services, EndpointSlices and Nodes from decoded objects into the
 * netpol model. Duplicate keys: the last wins, as the API server's JSON decoder keeps it. API-server
 * defaulting that changes a decision is applied here and cited where it happens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netpol_int.h"

const struct bh_node *np_get(const struct bh_node *m, const char *k)
{
	const struct bh_node *n = bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
	return n && !bh_is_null(n) ? n : NULL;
}

const char *np_str(const struct bh_node *m, const char *k)
{
	const char *s = NULL;
	size_t len = 0;
	const struct bh_node *n = np_get(m, k);
	if (!n || bh_as_str(n, &s, &len) != BH_OK)
		return NULL;
	return s;
}

bool np_int(const struct bh_node *m, const char *k, int64_t *v)
{
	const struct bh_node *n = np_get(m, k);
	return n && bh_as_int(n, v) == BH_OK;
}

const struct bh_node *np_seq(const struct bh_node *m, const char *k)
{
	const struct bh_node *n = np_get(m, k);
	return n && n->type == BH_SEQ ? n : NULL;
}

const struct bh_node *np_map(const struct bh_node *m, const char *k)
{
	const struct bh_node *n = np_get(m, k);
	return n && n->type == BH_MAP ? n : NULL;
}

void *np_grow(struct bh_arena *a, void *v, uint32_t n, uint32_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	uint32_t nc = *cap ? *cap * 2 : 16;
	void *nv = bh_arena_alloc(a, (size_t)nc * size);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, (size_t)n * size);
	*cap = nc;
	return nv;
}

const char *np_keep(struct np_ctx *x, const char *v)
{
	return x->copy && v ? bh_arena_strndup(x->s->a, v, strlen(v)) : v;
}

int np_labels(struct np_ctx *x, const struct bh_node *m, struct bh_np_labels *l)
{
	l->n = 0;
	l->v = NULL;
	if (!m || m->type != BH_MAP || !m->n)
		return 0;
	l->v = bh_arena_alloc(x->s->a, m->n * sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (uint32_t i = 0; i < m->n; i++) {
		const char *v = NULL;
		size_t len;
		if (m->pairs[i].key->type != BH_SCALAR || bh_as_str(m->pairs[i].val, &v, &len) != BH_OK)
			continue;
		/* a later duplicate key replaces the earlier one (last wins) */
		uint32_t j = 0;
		while (j < l->n && strcmp(l->v[j].k, m->pairs[i].key->s))
			j++;
		if (j == l->n && !(l->v[j].k = np_keep(x, m->pairs[i].key->s)))
			return -ENOMEM;
		if (!(l->v[j].v = np_keep(x, v)))
			return -ENOMEM;
		if (j == l->n)
			l->n++;
	}
	return 0;
}

const char *bh_np_label(const struct bh_np_labels *l, const char *key)
{
	for (uint32_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].k, key))
			return l->v[i].v;
	return NULL;
}

static const char *const op_names[] = {"In", "NotIn", "Exists", "DoesNotExist"};

static int sel_expr(struct np_ctx *x, const struct bh_node *e, struct bh_np_req *r)
{
	const char *op = np_str(e, "operator");
	r->key = np_str(e, "key");
	if (!r->key || !op)
		return np_bad(x, e, "matchExpressions entry needs key and operator");
	if (!(r->key = np_keep(x, r->key)))
		return -ENOMEM;
	unsigned i = 0;
	while (i < 4 && strcmp(op, op_names[i]))
		i++;
	if (i == 4)
		return np_bad(x, e, "matchExpressions operator '%s' is not In, NotIn, Exists or DoesNotExist", op);
	r->op = (uint8_t)i;
	const struct bh_node *vals = np_seq(e, "values");
	if (!vals)
		return 0;
	r->vals = bh_arena_alloc(x->s->a, (vals->n + 1) * sizeof(char *));
	if (!r->vals)
		return -ENOMEM;
	for (uint32_t j = 0; j < vals->n; j++) {
		size_t len;
		if (bh_as_str(vals->items[j], &r->vals[r->nvals], &len) == BH_OK &&
		    (r->vals[r->nvals] = np_keep(x, r->vals[r->nvals])))
			r->nvals++;
	}
	return 0;
}

/* metav1.LabelSelector -> requirements (LabelSelectorAsSelector: matchLabels and matchExpressions ANDed). */
int np_sel(struct np_ctx *x, const struct bh_node *m, struct bh_np_sel *s)
{
	memset(s, 0, sizeof(*s));
	if (!m)
		return 0;
	if (m->type != BH_MAP)
		return np_bad(x, m, "a label selector must be a mapping");
	s->present = true;
	const struct bh_node *ml = np_map(m, "matchLabels"), *me = np_seq(m, "matchExpressions");
	uint32_t n = (ml ? ml->n : 0) + (me ? me->n : 0);
	if (!n)
		return 0;
	s->req = bh_arena_alloc(x->s->a, n * sizeof(*s->req));
	if (!s->req)
		return -ENOMEM;
	struct bh_np_labels l;
	if (np_labels(x, ml, &l))
		return -ENOMEM;
	for (uint32_t i = 0; i < l.n; i++) {
		struct bh_np_req *r = &s->req[s->nreq++];
		r->key = l.v[i].k;
		r->op = BH_NP_IN;
		r->vals = bh_arena_alloc(x->s->a, sizeof(char *));
		if (!r->vals)
			return -ENOMEM;
		r->vals[0] = l.v[i].v;
		r->nvals = 1;
	}
	for (uint32_t i = 0; me && i < me->n; i++) {
		int rc = sel_expr(x, me->items[i], &s->req[s->nreq]);
		if (rc)
			return rc;
		s->nreq++;
	}
	return 0;
}

int np_bad(struct np_ctx *x, const struct bh_node *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	bh_err_set(x->err, -EINVAL, n ? n->line : x->o->ref.line, n ? n->col : x->o->ref.col, "%s %s/%s: %s",
		   x->o->ref.kind ? x->o->ref.kind : "object", x->o->ref.namespace ? x->o->ref.namespace : "",
		   x->o->ref.name ? x->o->ref.name : "", msg);
	return -EINVAL;
}

int bh_np_proto_parse(const char *s)
{
	static const char *const names[] = {"TCP", "UDP", "SCTP"};
	for (int i = 0; i < 3; i++)
		if (s && !strcmp(s, names[i]))
			return i;
	return -1;
}

const char *bh_np_proto_name(int p)
{
	return p == BH_NP_UDP ? "UDP" : p == BH_NP_SCTP ? "SCTP" : "TCP";
}

/* protocol fields default to TCP (API defaulting: SetDefaults_NetworkPolicyPort, SetDefaults_ContainerPort) */
int np_proto(struct np_ctx *x, const struct bh_node *m, uint8_t *out)
{
	const char *p = np_str(m, "protocol");
	int v = p ? bh_np_proto_parse(p) : BH_NP_TCP;
	if (v < 0)
		return np_bad(x, np_get(m, "protocol"), "protocol '%s' is not TCP, UDP or SCTP", p);
	*out = (uint8_t)v;
	return 0;
}

int np_cidrs(struct np_ctx *x, const struct bh_node *seq, struct bh_np_cidr **out, uint32_t *n)
{
	*n = 0;
	if (!seq || !seq->n)
		return 0;
	*out = bh_arena_alloc(x->s->a, seq->n * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (uint32_t i = 0; i < seq->n; i++) {
		const char *c = NULL;
		size_t len;
		if (bh_as_str(seq->items[i], &c, &len) != BH_OK || bh_np_cidr_parse(c, &(*out)[*n]))
			return np_bad(x, seq->items[i], "'%s' is not a CIDR", c ? c : "?");
		(*n)++;
	}
	return 0;
}

static int add_ref(struct np_ctx *x, struct bh_objref *ref)
{
	*ref = x->o->ref;
	return 0;
}

uint32_t np_name_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h;
}

/* the name table: slot -> namespace index + 1, open addressing, at most half full */
static int ns_rehash(struct bh_np_snap *s)
{
	uint32_t cap = s->nsh_cap ? s->nsh_cap * 2 : 64;
	uint32_t *v = calloc(cap, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (uint32_t i = 0; i < s->nns; i++) {
		uint32_t h = np_name_hash(s->ns[i].name) & (cap - 1);
		while (v[h])
			h = (h + 1) & (cap - 1);
		v[h] = i + 1;
	}
	free(s->nsh);
	s->nsh = v;
	s->nsh_cap = cap;
	return 0;
}

/* the namespace of that name, made when new (one per pod of a 100k-pod snapshot: hashed) */
struct bh_np_ns *np_ns_get(struct bh_np_snap *s, const char *name)
{
	if (2 * (s->nns + 1) > s->nsh_cap && ns_rehash(s))
		return NULL;
	uint32_t h = np_name_hash(name) & (s->nsh_cap - 1);
	for (; s->nsh[h]; h = (h + 1) & (s->nsh_cap - 1))
		if (!strcmp(s->ns[s->nsh[h] - 1].name, name))
			return &s->ns[s->nsh[h] - 1];
	s->ns = np_grow(s->a, s->ns, s->nns, &s->capns, sizeof(*s->ns));
	if (!s->ns)
		return NULL;
	struct bh_np_ns *n = &s->ns[s->nns++];
	memset(n, 0, sizeof(*n));
	n->name = name;
	s->nsh[h] = s->nns;
	return n;
}

static int add_namespace(struct np_ctx *x)
{
	struct bh_np_ns *n = np_ns_get(x->s, x->o->ref.name);
	if (!n)
		return -ENOMEM;
	if (np_labels(x, np_map(x->o->metadata, "labels"), &n->labels))
		return -ENOMEM;
	/* The API server sets kubernetes.io/metadata.name on every Namespace (NamespaceDefaultLabelName,
	 * Kubernetes 1.21+): a snapshot written by hand may lack it, the cluster never does. */
	if (!bh_np_label(&n->labels, "kubernetes.io/metadata.name")) {
		struct bh_np_label *v = bh_arena_alloc(x->s->a, (n->labels.n + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		if (n->labels.n)
			memcpy(v, n->labels.v, n->labels.n * sizeof(*v));
		v[n->labels.n].k = "kubernetes.io/metadata.name";
		v[n->labels.n].v = n->name;
		n->labels.v = v;
		n->labels.n++;
	}
	n->known = true;
	return 1;
}

static int pod_ports(struct np_ctx *x, struct bh_np_pod *p, const struct bh_node *spec)
{
	/* Named ports are resolved in spec.containers (not init or ephemeral containers), as Services and
	 * the reference implementation resolve them. */
	const struct bh_node *cs = np_seq(spec, "containers");
	uint32_t n = 0;
	for (uint32_t i = 0; cs && i < cs->n; i++) {
		const struct bh_node *ps = np_seq(cs->items[i], "ports");
		n += ps ? ps->n : 0;
	}
	if (!n)
		return 0;
	p->ports = bh_arena_alloc(x->s->a, n * sizeof(*p->ports));
	if (!p->ports)
		return -ENOMEM;
	for (uint32_t i = 0; cs && i < cs->n; i++) {
		const struct bh_node *ps = np_seq(cs->items[i], "ports");
		for (uint32_t j = 0; ps && j < ps->n; j++) {
			struct bh_np_cport *c = &p->ports[p->nports];
			int64_t v = 0;
			if (!np_int(ps->items[j], "containerPort", &v) || v < 1 || v > 65535)
				continue;
			c->port = (uint32_t)v;
			c->name = np_keep(x, np_str(ps->items[j], "name"));
			if (np_proto(x, ps->items[j], &c->proto))
				return -EINVAL;
			p->nports++;
		}
	}
	return 0;
}

static int pod_ips(struct np_ctx *x, struct bh_np_pod *p, const struct bh_node *status)
{
	const struct bh_node *ips = np_seq(status, "podIPs");
	const char *one = np_str(status, "podIP");
	uint32_t n = (ips ? ips->n : 0) + 1;
	p->ips = bh_arena_alloc(x->s->a, n * sizeof(*p->ips));
	if (!p->ips)
		return -ENOMEM;
	for (uint32_t i = 0; ips && i < ips->n; i++) {
		const char *ip = np_str(ips->items[i], "ip");
		if (ip && !bh_np_ip_parse(ip, &p->ips[p->nips]))
			p->nips++;
	}
	if (!p->nips && one && !bh_np_ip_parse(one, &p->ips[0]))
		p->nips = 1;
	return 0;
}

static int add_pod(struct np_ctx *x)
{
	struct bh_np_snap *s = x->s;
	s->pods = np_grow(s->a, s->pods, s->npods, &s->cappods, sizeof(*s->pods));
	if (!s->pods)
		return -ENOMEM;
	struct bh_np_pod *p = &s->pods[s->npods];
	memset(p, 0, sizeof(*p));
	const struct bh_node *spec = np_map(x->o->root, "spec"), *status = np_map(x->o->root, "status");
	p->ns = x->o->ref.namespace ? x->o->ref.namespace : "default";
	p->name = x->o->ref.name ? x->o->ref.name : "";
	p->node = np_keep(x, np_str(spec, "nodeName"));
	p->sa = np_keep(x, np_str(spec, "serviceAccountName"));
	const struct bh_node *hn = np_get(spec, "hostNetwork");
	bool b = false;
	p->host_network = hn && bh_as_bool(hn, &b) == BH_OK && b;
	const char *phase = np_str(status, "phase");
	p->running = phase && !strcmp(phase, "Running");
	add_ref(x, &p->ref);
	if (np_labels(x, np_map(x->o->metadata, "labels"), &p->labels) || pod_ports(x, p, spec) ||
	    pod_ips(x, p, status))
		return x->err->code ? x->err->code : -ENOMEM;
	s->npods++;
	return 1;
}

static int add_anp(struct np_ctx *x)
{
	return np_add_anp(x, false);
}

static int add_banp(struct np_ctx *x)
{
	return np_add_anp(x, true);
}

typedef int (*np_adder)(struct np_ctx *x);

/* the reader of a kind the model takes (NULL: np_add_other counts CNI kinds, ignores the rest) */
static np_adder adder_of(const struct bh_object *o)
{
	const char *k = o->ref.kind, *av = o->ref.api_version ? o->ref.api_version : "";
	if (!strcmp(k, "Pod") && !strcmp(av, "v1"))
		return add_pod;
	if (!strcmp(k, "Namespace") && o->ref.name)
		return add_namespace;
	if (!strcmp(k, "NetworkPolicy") && !strncmp(av, "networking.k8s.io/", 18))
		return np_add_policy;
	if ((!strcmp(k, "AdminNetworkPolicy") || !strcmp(k, "BaselineAdminNetworkPolicy")) &&
	    !strncmp(av, "policy.networking.k8s.io/", 25))
		return k[0] == 'B' ? add_banp : add_anp;
	if (!strcmp(k, "Service") && !strcmp(av, "v1"))
		return np_add_service;
	if (!strcmp(k, "EndpointSlice") || (!strcmp(k, "Endpoints") && !strcmp(av, "v1")))
		return np_add_endpoints;
	if (!strcmp(k, "Node") && !strcmp(av, "v1"))
		return np_add_node;
	return NULL;
}

/* kind, apiVersion and file repeat from object to object: one copy each while they stay the same */
static const char *keep_same(struct bh_np_snap *s, const char **last, const char *v)
{
	if (!v || (*last && !strcmp(*last, v)))
		return v ? *last : NULL;
	const char *c = bh_arena_strndup(s->a, v, strlen(v));
	if (c)
		*last = c;
	return c;
}

static int add(struct bh_np_snap *s, const struct bh_object *o, struct bh_err *err, bool copy)
{
	struct np_ctx x = {.s = s, .o = o, .err = err, .copy = copy};
	if (!o->ref.kind)
		return 0;
	s->objects++;
	np_adder f = adder_of(o);
	if (!f)
		return np_add_other(&x);
	if (!copy)
		return f(&x);
	/* the object's reference is kept by every reader: copy it first */
	struct bh_object c = *o;
	c.ref.kind = keep_same(s, &s->last_kind, o->ref.kind);
	c.ref.api_version = keep_same(s, &s->last_api, o->ref.api_version);
	c.ref.file = keep_same(s, &s->last_file, o->ref.file);
	c.ref.namespace = np_keep(&x, o->ref.namespace);
	c.ref.name = np_keep(&x, o->ref.name);
	if (!c.ref.kind || (o->ref.api_version && !c.ref.api_version) || (o->ref.file && !c.ref.file) ||
	    (o->ref.namespace && !c.ref.namespace) || (o->ref.name && !c.ref.name))
		return -ENOMEM;
	x.o = &c;
	return f(&x);
}

int bh_np_add(struct bh_np_snap *s, const struct bh_object *o, struct bh_err *err)
{
	return add(s, o, err, false);
}

int bh_np_add_copy(struct bh_np_snap *s, const struct bh_object *o, struct bh_err *err)
{
	return add(s, o, err, true);
}

void bh_np_snap_init(struct bh_np_snap *s, struct bh_arena *a)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
}

void bh_np_snap_release(struct bh_np_snap *s)
{
	if (!s)
		return;
	free(s->iph);
	s->iph = NULL;
	free(s->nsh);
	s->nsh = NULL;
	s->nsh_cap = 0;
}
