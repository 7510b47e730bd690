/* Services, EndpointSlices / Endpoints and Nodes (what a pod may want to reach: the API server, kubelets,
 * node ports), and the policy kinds of CNIs that this evaluator does not read. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netpol_int.h"

int bh_np_ip_parse(const char *s, struct bh_np_ip *ip)
{
	memset(ip, 0, sizeof(*ip));
	if (inet_pton(AF_INET, s, ip->a) == 1) {
		ip->fam = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, s, ip->a) == 1) {
		/* an IPv4-mapped IPv6 address is the IPv4 address (Go's net.ParseIP does the same) */
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(ip->a, mapped, 12)) {
			memmove(ip->a, ip->a + 12, 4);
			memset(ip->a + 4, 0, 12);
			ip->fam = 4;
		} else {
			ip->fam = 6;
		}
		return 0;
	}
	return -1;
}

int bh_np_cidr_parse(const char *s, struct bh_np_cidr *c)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	if (!slash || (size_t)(slash - s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, (size_t)(slash - s));
	buf[slash - s] = 0;
	if (bh_np_ip_parse(buf, &c->ip))
		return -1;
	char *end;
	long b = strtol(slash + 1, &end, 10);
	if (*end || end == slash + 1 || b < 0 || b > (c->ip.fam == 4 ? 32 : 128))
		return -1;
	c->bits = (uint8_t)b;
	return 0;
}

/* net.IPNet.Contains: same family, first bits equal */
bool bh_np_cidr_has(const struct bh_np_cidr *c, const struct bh_np_ip *ip)
{
	if (c->ip.fam != ip->fam)
		return false;
	unsigned full = c->bits / 8, rest = c->bits % 8;
	if (memcmp(c->ip.a, ip->a, full))
		return false;
	if (!rest)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (c->ip.a[full] & mask) == (ip->a[full] & mask);
}

void bh_np_ip_str(const struct bh_np_ip *ip, char *buf, size_t len)
{
	if (!ip->fam || !inet_ntop(ip->fam == 4 ? AF_INET : AF_INET6, ip->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static int ip_list(struct np_ctx *x, const struct bh_node *seq, const char *one, struct bh_np_ip **out,
		   uint32_t *n)
{
	uint32_t cap = (seq ? seq->n : 0) + 1;
	if (!(*out = bh_arena_alloc(x->s->a, cap * sizeof(**out))))
		return -ENOMEM;
	for (uint32_t i = 0; seq && i < seq->n; i++) {
		const char *s = NULL;
		size_t len;
		if (seq->items[i]->type == BH_MAP)
			s = np_str(seq->items[i], "ip");
		else
			bh_as_str(seq->items[i], &s, &len);
		if (s && !bh_np_ip_parse(s, &(*out)[*n]))
			(*n)++;
	}
	if (!*n && one && !bh_np_ip_parse(one, &(*out)[0]))
		*n = 1;
	return 0;
}

static int port_list(struct np_ctx *x, const struct bh_node *seq, const char *key, uint32_t **out, uint32_t *n)
{
	if (!seq || !seq->n)
		return 0;
	if (!(*out = bh_arena_alloc(x->s->a, seq->n * sizeof(**out))))
		return -ENOMEM;
	for (uint32_t i = 0; i < seq->n; i++) {
		int64_t v;
		if (np_int(seq->items[i], key, &v) && v > 0 && v < 65536)
			(*out)[(*n)++] = (uint32_t)v;
	}
	return 0;
}

int np_add_service(struct np_ctx *x)
{
	struct bh_np_snap *s = x->s;
	if (!(s->svc = np_grow(s->a, s->svc, s->nsvc, &s->capsvc, sizeof(*s->svc))))
		return -ENOMEM;
	struct bh_np_svc *v = &s->svc[s->nsvc];
	memset(v, 0, sizeof(*v));
	v->ns = x->o->ref.namespace ? x->o->ref.namespace : "default";
	v->name = x->o->ref.name ? x->o->ref.name : "";
	v->ref = x->o->ref;
	const struct bh_node *spec = np_map(x->o->root, "spec"), *ports = np_seq(spec, "ports");
	if (ip_list(x, np_seq(spec, "clusterIPs"), np_str(spec, "clusterIP"), &v->ips, &v->nips) ||
	    port_list(x, ports, "port", &v->ports, &v->nports) ||
	    port_list(x, ports, "nodePort", &v->node_ports, &v->nnode_ports))
		return -ENOMEM;
	s->nsvc++;
	return 1;
}

static int add_eps(struct np_ctx *x, const char *svc, const struct bh_node *addrs, const struct bh_node *ports)
{
	struct bh_np_snap *s = x->s;
	if (!(s->eps = np_grow(s->a, s->eps, s->neps, &s->capeps, sizeof(*s->eps))))
		return -ENOMEM;
	struct bh_np_eps *e = &s->eps[s->neps];
	memset(e, 0, sizeof(*e));
	e->ns = x->o->ref.namespace ? x->o->ref.namespace : "default";
	e->svc = svc;
	if (ip_list(x, addrs, NULL, &e->ips, &e->nips) || port_list(x, ports, "port", &e->ports, &e->nports))
		return -ENOMEM;
	s->neps++;
	return 0;
}

/* EndpointSlice (discovery.k8s.io/v1): endpoints[].addresses, ports[].port, the Service in the label
 * kubernetes.io/service-name. Endpoints (v1): subsets[].addresses[].ip, subsets[].ports[].port. */
int np_add_endpoints(struct np_ctx *x)
{
	if (!strcmp(x->o->ref.kind, "Endpoints")) {
		const struct bh_node *ss = np_seq(x->o->root, "subsets");
		for (uint32_t i = 0; ss && i < ss->n; i++)
			if (add_eps(x, x->o->ref.name, np_seq(ss->items[i], "addresses"), np_seq(ss->items[i], "ports")))
				return -ENOMEM;
		return 1;
	}
	const struct bh_node *lab = np_map(x->o->metadata, "labels");
	const char *svc = np_keep(x, np_str(lab, "kubernetes.io/service-name"));
	const struct bh_node *eps = np_seq(x->o->root, "endpoints"), *ports = np_seq(x->o->root, "ports");
	for (uint32_t i = 0; svc && eps && i < eps->n; i++)
		if (add_eps(x, svc, np_seq(eps->items[i], "addresses"), ports))
			return -ENOMEM;
	return 1;
}

/* Node: status.addresses (InternalIP, ExternalIP), status.daemonEndpoints.kubeletEndpoint.Port (10250) */
int np_add_node(struct np_ctx *x)
{
	struct bh_np_snap *s = x->s;
	if (!(s->nodes = np_grow(s->a, s->nodes, s->nnodes, &s->capnodes, sizeof(*s->nodes))))
		return -ENOMEM;
	struct bh_np_node *n = &s->nodes[s->nnodes];
	memset(n, 0, sizeof(*n));
	n->name = x->o->ref.name ? x->o->ref.name : "";
	n->ref = x->o->ref;
	const struct bh_node *st = np_map(x->o->root, "status"), *addrs = np_seq(st, "addresses");
	uint32_t cap = addrs ? addrs->n : 0;
	if (cap && !(n->ips = bh_arena_alloc(s->a, cap * sizeof(*n->ips))))
		return -ENOMEM;
	for (uint32_t i = 0; i < cap; i++) {
		const char *t = np_str(addrs->items[i], "type"), *a = np_str(addrs->items[i], "address");
		if (t && a && (!strcmp(t, "InternalIP") || !strcmp(t, "ExternalIP")) && !bh_np_ip_parse(a, &n->ips[n->nips]))
			n->nips++;
	}
	int64_t port = 10250;
	np_int(np_map(np_map(st, "daemonEndpoints"), "kubeletEndpoint"), "Port", &port);
	n->kubelet_port = port > 0 && port < 65536 ? (uint32_t)port : 10250;
	s->nnodes++;
	return 1;
}

/* CNI-specific kinds: counted and named in a note, never evaluated. */
int np_add_other(struct np_ctx *x)
{
	static const char *const kinds[] = {"CiliumNetworkPolicy", "CiliumClusterwideNetworkPolicy",
					    "GlobalNetworkPolicy", "StagedNetworkPolicy", "StagedGlobalNetworkPolicy",
					    "StagedKubernetesNetworkPolicy", "NetworkSet", "GlobalNetworkSet"};
	const char *k = x->o->ref.kind, *av = x->o->ref.api_version ? x->o->ref.api_version : "";
	bool calico_np = !strcmp(k, "NetworkPolicy") && strstr(av, "projectcalico.org");
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]) || calico_np; i++) {
		const char *name = calico_np ? "NetworkPolicy (projectcalico.org)" : kinds[i];
		if (!calico_np && strcmp(k, kinds[i]))
			continue;
		struct bh_np_snap *s = x->s;
		uint32_t j = 0;
		while (j < s->nother && strcmp(s->other[j].kind, name))
			j++;
		if (j == s->nother && s->nother < 8)
			s->other[s->nother++].kind = name;
		if (j < s->nother)
			s->other[j].n++;
		return 1;
	}
	return 0;
}
