/* Reach analysis (reach.h). Exactness of "reaches on some port": a decision depends on the port only
 * through the numbers and ranges the policies name, so one probe per stretch between those bounds (each
 * named port p and p+1, each range's start and end+1, and port 1) decides "any port" exactly; a
 * destination that declares container ports is probed on those ports instead. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reach.h"

#define MAX_PROBES 512

struct cls {
	uint32_t rep, n, ns;
	uint64_t key;
	bool cross;
};

struct rctx {
	const struct bh_np_snap *s;
	struct bh_np_reach *r;
	struct cls *c;
	uint32_t nc;
	const char **keys; /* the label keys some selector names (a set, open addressing) */
	uint8_t *valued;   /* per slot: some requirement reads the key's value (In, NotIn, matchLabels) */
	uint32_t keycap;
	struct bh_np_packet probe[MAX_PROBES]; /* dst unset; proto + port */
	uint32_t nprobe;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

static uint64_t str_hash(const char *s, uint64_t h)
{
	while (*s)
		h = (h ^ (uint8_t)*s++) * 0x100000001b3ULL;
	return h;
}

static bool cidr_peer_has(const struct bh_np_snap *s, uint64_t *sig, const struct bh_np_ip *ip)
{
	/* which ipBlock / networks CIDRs contain the pod's address: pods alike in all else but this decide
	 * differently only through these */
	uint64_t h = 0, k = 0;
	for (uint32_t i = 0; i < s->npol; i++)
		for (int d = 0; d < 2; d++) {
			const struct bh_np_rule *r = d ? s->pol[i].eg : s->pol[i].in;
			for (uint32_t j = 0, n = d ? s->pol[i].neg : s->pol[i].nin; j < n; j++)
				for (uint32_t p = 0; p < r[j].npeers; p++, k++) {
					const struct bh_np_peer *pe = &r[j].peers[p];
					bool in = pe->kind == BH_NP_PEER_IPBLOCK && bh_np_cidr_has(&pe->cidr, ip);
					for (uint32_t e = 0; in && e < pe->nexcept; e++)
						in = !bh_np_cidr_has(&pe->except[e], ip);
					if (in)
						h = mix(h ^ k);
				}
		}
	for (uint32_t i = 0; i < s->nanp; i++)
		for (uint32_t j = 0; j < s->anp[i].neg; j++)
			for (uint32_t p = 0; p < s->anp[i].eg[j].npeers; p++)
				for (uint32_t c = 0; c < s->anp[i].eg[j].peers[p].nnets; c++, k++)
					if (bh_np_cidr_has(&s->anp[i].eg[j].peers[p].nets[c], ip))
						h = mix(h ^ k);
	*sig = h;
	return h != 0;
}

/* ---- the label keys that matter: a pod's labels enter a decision only through selectors, and a selector
 * requirement only reads its own key: its value (In, NotIn) or only whether it is there (Exists,
 * DoesNotExist). Labels no selector names (pod-template-hash, controller-revision-hash, a per-pod name)
 * make no difference, so they do not split classes; nor do the values of keys only tested for presence. */

enum { KEY_NONE = 0, KEY_PRESENCE, KEY_VALUE };

static uint32_t key_slot(const struct rctx *x, const char *k)
{
	uint32_t h = (uint32_t)str_hash(k, 0xcbf29ce484222325ULL) & (x->keycap - 1);
	while (x->keys[h] && strcmp(x->keys[h], k))
		h = (h + 1) & (x->keycap - 1);
	return h;
}

/* KEY_NONE, KEY_PRESENCE or KEY_VALUE */
static int key_named(const struct rctx *x, const char *k)
{
	uint32_t h = key_slot(x, k);
	return !x->keys[h] ? KEY_NONE : x->valued[h] ? KEY_VALUE : KEY_PRESENCE;
}

static uint32_t sel_keys(struct rctx *x, const struct bh_np_sel *s)
{
	for (uint32_t i = 0; x->keys && i < s->nreq; i++) {
		uint32_t h = key_slot(x, s->req[i].key);
		x->keys[h] = s->req[i].key;
		x->valued[h] |= s->req[i].op == BH_NP_IN || s->req[i].op == BH_NP_NOTIN;
	}
	return s->nreq;
}

static uint32_t rule_keys(struct rctx *x, const struct bh_np_rule *r, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t j = 0; j < n; j++)
		for (uint32_t p = 0; p < r[j].npeers; p++)
			k += sel_keys(x, &r[j].peers[p].pod) + sel_keys(x, &r[j].peers[p].ns);
	return k;
}

static uint32_t arule_keys(struct rctx *x, const struct bh_np_arule *r, uint32_t n)
{
	uint32_t k = 0;
	for (uint32_t j = 0; j < n; j++)
		for (uint32_t p = 0; p < r[j].npeers; p++)
			k += sel_keys(x, &r[j].peers[p].pod) + sel_keys(x, &r[j].peers[p].ns);
	return k;
}

/* every selector's keys (pod and namespace selectors alike: a namespace key kept is only a lost merge);
 * called once to count, once to fill */
static uint32_t all_keys(struct rctx *x)
{
	const struct bh_np_snap *s = x->s;
	uint32_t k = 0;
	for (uint32_t i = 0; i < s->npol; i++)
		k += sel_keys(x, &s->pol[i].sel) + rule_keys(x, s->pol[i].in, s->pol[i].nin) +
		     rule_keys(x, s->pol[i].eg, s->pol[i].neg);
	for (uint32_t i = 0; i < s->nanp; i++)
		k += sel_keys(x, &s->anp[i].subj_ns) + sel_keys(x, &s->anp[i].subj_pod) +
		     arule_keys(x, s->anp[i].in, s->anp[i].nin) + arule_keys(x, s->anp[i].eg, s->anp[i].neg);
	return k;
}

static int named_keys(struct rctx *x)
{
	uint32_t n = all_keys(x), cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	x->keys = calloc(cap, sizeof(*x->keys));
	x->valued = calloc(cap, 1);
	if (!x->keys || !x->valued)
		return -ENOMEM;
	x->keycap = cap;
	all_keys(x);
	return 0;
}

static uint64_t pod_key(const struct rctx *x, const struct bh_np_pod *p)
{
	const struct bh_np_snap *s = x->s;
	uint64_t h = mix(p->nsidx + 1) ^ (p->host_network ? 0x9e3779b97f4a7c15ULL : 0), lab = 0, ports = 0, ipsig = 0;
	for (uint32_t i = 0; i < p->labels.n; i++) { /* order-free */
		int named = key_named(x, p->labels.v[i].k);
		uint64_t kh = str_hash(p->labels.v[i].k, 0xcbf29ce484222325ULL) ^ 0x3d;
		if (named)
			lab += mix(named == KEY_VALUE ? str_hash(p->labels.v[i].v, kh) : kh);
	}
	for (uint32_t i = 0; i < p->nports; i++)
		ports += mix(str_hash(p->ports[i].name ? p->ports[i].name : "", (uint64_t)p->ports[i].port << 2 | p->ports[i].proto));
	if (p->nips)
		cidr_peer_has(s, &ipsig, &p->ips[0]);
	return mix(h ^ mix(lab + 1) ^ mix(ports + 2) ^ mix(ipsig + 3));
}

/* Pods alike: same key (a 64-bit hash of namespace, the labels selectors name, ports, hostNetwork and
 * CIDR memberships); those labels are compared exactly besides. */
static bool same_labels(const struct rctx *x, const struct bh_np_pod *a, const struct bh_np_pod *b)
{
	if (a->nports != b->nports)
		return false;
	uint32_t na = 0, nb = 0;
	for (uint32_t i = 0; i < a->labels.n; i++) {
		int named = key_named(x, a->labels.v[i].k);
		if (!named)
			continue;
		na++;
		const char *v = bh_np_label(&b->labels, a->labels.v[i].k);
		if (!v || (named == KEY_VALUE && strcmp(v, a->labels.v[i].v)))
			return false;
	}
	for (uint32_t i = 0; i < b->labels.n; i++)
		nb += key_named(x, b->labels.v[i].k) != KEY_NONE;
	return na == nb;
}

static int classes(struct rctx *x)
{
	const struct bh_np_snap *s = x->s;
	uint32_t cap = 16;
	while (cap < 2 * s->npods)
		cap *= 2;
	uint32_t *tab = calloc(cap, sizeof(*tab));
	x->c = calloc(s->npods + 1, sizeof(*x->c));
	if (!tab || !x->c || named_keys(x)) {
		free(tab);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < s->npods; i++) {
		const struct bh_np_pod *p = &s->pods[i];
		x->r->pod[i].addressed = p->nips > 0;
		if (!p->nips)
			continue;
		uint64_t k = pod_key(x, p);
		uint32_t h = (uint32_t)k & (cap - 1);
		while (tab[h] && !(x->c[tab[h] - 1].key == k && same_labels(x, &s->pods[x->c[tab[h] - 1].rep], p)))
			h = (h + 1) & (cap - 1);
		if (!tab[h]) {
			x->c[x->nc] = (struct cls){.rep = i, .ns = p->nsidx, .key = k};
			tab[h] = ++x->nc;
		}
		x->c[tab[h] - 1].n++;
		x->r->pod[i].cls = tab[h] - 1;
	}
	free(tab);
	x->r->classes = x->nc;
	return 0;
}

static void add_probe(struct rctx *x, uint8_t *seen, uint8_t proto, uint32_t port)
{
	if (port < 1 || port > 65535 || x->nprobe >= MAX_PROBES)
		return;
	uint32_t bit = proto * 65536u + port;
	if (seen[bit / 8] & (1u << (bit % 8)))
		return;
	seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
	x->probe[x->nprobe].proto = proto;
	x->probe[x->nprobe++].port = port;
}

static int probes(struct rctx *x)
{
	uint8_t *seen = calloc(3 * 65536 / 8, 1);
	if (!seen)
		return -ENOMEM;
	const struct bh_np_snap *s = x->s;
	for (uint8_t pr = 0; pr < BH_NP_NPROTO; pr++)
		add_probe(x, seen, pr, 1);
	for (uint32_t i = 0; i < s->npol; i++)
		for (int d = 0; d < 2; d++) {
			const struct bh_np_rule *r = d ? s->pol[i].eg : s->pol[i].in;
			for (uint32_t j = 0, n = d ? s->pol[i].neg : s->pol[i].nin; j < n; j++)
				for (uint32_t p = 0; p < r[j].nports; p++) {
					const struct bh_np_port *po = &r[j].ports[p];
					add_probe(x, seen, po->proto, po->port);
					add_probe(x, seen, po->proto, (po->end ? po->end : po->port) + 1);
				}
		}
	for (uint32_t i = 0; i < s->nanp; i++)
		for (int d = 0; d < 2; d++) {
			const struct bh_np_arule *r = d ? s->anp[i].eg : s->anp[i].in;
			for (uint32_t j = 0, n = d ? s->anp[i].neg : s->anp[i].nin; j < n; j++)
				for (uint32_t p = 0; p < r[j].nports; p++) {
					const struct bh_np_aport *po = &r[j].ports[p];
					add_probe(x, seen, po->proto, po->port);
					add_probe(x, seen, po->proto, (po->end ? po->end : po->port) + 1);
				}
		}
	free(seen);
	return 0;
}

static bool allowed(struct rctx *x, int32_t src, const struct bh_np_ip *dst_ip, uint8_t proto, uint32_t port)
{
	const struct bh_np_pod *sp = &x->s->pods[src];
	struct bh_np_packet p = {.src = sp->ips[0], .dst = *dst_ip, .proto = proto, .port = port};
	struct bh_np_verdict v;
	x->r->decisions++;
	/* a hostNetwork pod's packets carry the node's address: no pod policy applies to it */
	bh_np_decide_pods(x->s, sp->host_network ? -1 : src, bh_np_pod_by_ip(x->s, dst_ip), &p, &v);
	return v.allow;
}

/* Does class a reach class b on some port? */
static bool class_reaches(struct rctx *x, const struct cls *a, const struct cls *b)
{
	const struct bh_np_pod *d = &x->s->pods[b->rep];
	for (uint32_t i = 0; i < d->nports; i++)
		if (allowed(x, (int32_t)a->rep, &d->ips[0], d->ports[i].proto, d->ports[i].port))
			return true;
	for (uint32_t i = 0; !d->nports && i < x->nprobe; i++)
		if (allowed(x, (int32_t)a->rep, &d->ips[0], x->probe[i].proto, x->probe[i].port))
			return true;
	return false;
}

static int matrix(struct rctx *x)
{
	uint32_t nns = x->s->nns;
	uint8_t *hit = malloc(nns ? nns : 1);
	if (!hit)
		return -ENOMEM;
	for (uint32_t a = 0; a < x->nc; a++) {
		if (x->s->pods[x->c[a].rep].host_network)
			continue;
		memset(hit, 0, nns);
		for (uint32_t b = 0; b < x->nc; b++)
			if (!hit[x->c[b].ns] && class_reaches(x, &x->c[a], &x->c[b]))
				hit[x->c[b].ns] = 1;
		for (uint32_t n = 0; n < nns; n++)
			if (hit[n]) {
				x->r->matrix[(size_t)x->c[a].ns * nns + n] += x->c[a].n;
				x->c[a].cross |= n != x->c[a].ns;
			}
	}
	free(hit);
	return 0;
}

int np_reach_targets(struct rctx *x);
int np_reach_findings(const struct bh_np_snap *s, struct bh_np_reach *r, struct bh_findings *fs);

int bh_np_reach(const struct bh_np_snap *s, struct bh_np_reach *r, struct bh_findings *fs)
{
	memset(r, 0, sizeof(*r));
	r->npods = s->npods;
	r->nns = s->nns;
	r->pod = calloc(s->npods + 1, sizeof(*r->pod));
	r->ns = calloc(s->nns + 1, sizeof(*r->ns));
	r->matrix = calloc((size_t)s->nns * s->nns + 1, sizeof(*r->matrix));
	struct rctx *x = calloc(1, sizeof(*x));
	int rc = -ENOMEM;
	if (r->pod && r->ns && r->matrix && x) {
		x->s = s;
		x->r = r;
		rc = classes(x);
		if (!rc)
			rc = probes(x);
		if (!rc)
			rc = matrix(x);
		if (!rc)
			rc = np_reach_targets(x);
		if (!rc)
			rc = np_reach_findings(s, r, fs);
	}
	if (x) {
		free(x->c);
		free(x->keys);
		free(x->valued);
	}
	free(x);
	return rc;
}

void bh_np_reach_release(struct bh_np_reach *r)
{
	if (!r)
		return;
	free(r->pod);
	free(r->ns);
	free(r->matrix);
	memset(r, 0, sizeof(*r));
}

/* ---- targets: the API server, kubelets, metadata, node ports ---- */

static uint8_t reach_api(struct rctx *x, int32_t src)
{
	const struct bh_np_snap *s = x->s;
	bool any = false;
	for (uint32_t i = 0; i < s->neps; i++) {
		const struct bh_np_eps *e = &s->eps[i];
		if (strcmp(e->ns, "default") || strcmp(e->svc, "kubernetes"))
			continue;
		for (uint32_t j = 0; j < e->nips; j++)
			for (uint32_t k = 0; k < (e->nports ? e->nports : 1); k++) {
				any = true;
				if (allowed(x, src, &e->ips[j], BH_NP_TCP, e->nports ? e->ports[k] : 443))
					return BH_NP_YES;
			}
	}
	for (uint32_t i = 0; !any && i < s->nsvc; i++) /* no endpoints in the snapshot: the Service's IP */
		if (!strcmp(s->svc[i].ns, "default") && !strcmp(s->svc[i].name, "kubernetes"))
			for (uint32_t j = 0; j < s->svc[i].nips; j++) {
				any = true;
				if (allowed(x, src, &s->svc[i].ips[j], BH_NP_TCP, 443))
					return BH_NP_YES;
			}
	return any ? BH_NP_NO : BH_NP_NA;
}

static void reach_nodes(struct rctx *x, int32_t src, struct bh_np_preach *o)
{
	const struct bh_np_snap *s = x->s;
	bool nodeports = false;
	o->nodeport = BH_NP_NA;
	for (uint32_t i = 0; i < s->nnodes; i++) {
		const struct bh_np_node *n = &s->nodes[i];
		bool k = false;
		for (uint32_t j = 0; j < n->nips && !k; j++)
			k = allowed(x, src, &n->ips[j], BH_NP_TCP, n->kubelet_port);
		o->kubelets += k;
		for (uint32_t v = 0; v < s->nsvc && o->nodeport != BH_NP_YES; v++)
			for (uint32_t p = 0; p < s->svc[v].nnode_ports && o->nodeport != BH_NP_YES; p++)
				for (uint32_t j = 0; j < n->nips && o->nodeport != BH_NP_YES; j++) {
					nodeports = true;
					if (allowed(x, src, &n->ips[j], BH_NP_TCP, s->svc[v].node_ports[p]))
						o->nodeport = BH_NP_YES;
				}
	}
	if (nodeports && o->nodeport != BH_NP_YES)
		o->nodeport = BH_NP_NO;
}

int np_reach_targets(struct rctx *x)
{
	const struct bh_np_snap *s = x->s;
	struct bh_np_ip meta;
	bh_np_ip_parse("169.254.169.254", &meta);
	struct bh_np_preach *cr = calloc(x->nc + 1, sizeof(*cr));
	if (!cr)
		return -ENOMEM;
	for (uint32_t c = 0; c < x->nc; c++) {
		int32_t rep = (int32_t)x->c[c].rep;
		cr[c].api = reach_api(x, rep);
		cr[c].metadata = allowed(x, rep, &meta, BH_NP_TCP, 80) ? BH_NP_YES : BH_NP_NO;
		reach_nodes(x, rep, &cr[c]);
	}
	x->r->api_known = s->neps || s->nsvc;
	x->r->nodes_known = s->nnodes > 0;
	for (uint32_t i = 0; i < s->npods; i++) {
		struct bh_np_preach *o = &x->r->pod[i];
		const struct bh_np_pod *p = &s->pods[i];
		for (uint32_t j = 0; j < p->nnp; j++) {
			o->iso_in |= s->pol[p->np[j]].ingress;
			o->iso_eg |= s->pol[p->np[j]].egress;
		}
		if (!o->addressed)
			continue;
		const struct bh_np_preach *c = &cr[o->cls];
		o->api = c->api;
		o->metadata = c->metadata;
		o->nodeport = c->nodeport;
		o->kubelets = c->kubelets;
		o->cross = x->c[o->cls].cross;
	}
	free(cr);
	return 0;
}
