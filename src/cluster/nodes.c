/* Node versions (status.nodeInfo: kernelVersion, containerRuntimeVersion, kubeletVersion) against the escape
 * CVE table (data/escape-cves.txt through host/cvedb.c and host/kver.c). A distribution kernel's release
 * string is not its upstream version (Debian "6.1.0-18-amd64", RHEL "4.18.0-513.el8"): such a match says
 * "in range by upstream version; check the distribution's fixed package" and counts as a weaker step. */
#include <string.h>

#include "cluster.h"

const char *const bh_cl_backport_caveat = "in range by upstream version; check the distribution's fixed package";

static void add_hit(struct bh_cluster *c, struct bh_cl_node *n, const struct bh_cve *cve, const char *comp,
		    const char *ver, bool maybe)
{
	struct bh_cl_cvehit *v = bh_arena_alloc(&c->a, (n->ncves + 1) * sizeof(*v));
	if (!v)
		return;
	if (n->ncves)
		memcpy(v, n->cves, n->ncves * sizeof(*v));
	v[n->ncves++] = (struct bh_cl_cvehit){.cve = cve, .component = comp, .version = ver, .maybe = maybe};
	n->cves = v;
}

static void node_kernel(struct bh_cluster *c, struct bh_cl_node *n)
{
	struct bh_kernel k;
	struct bh_err err = {0};
	if (!n->kernel || bh_kernel_parse(&k, n->kernel, NULL, NULL, &err) < 0)
		return;
	for (size_t i = 0; i < c->cvedb.n; i++) {
		const struct bh_cve *cve = &c->cvedb.v[i];
		if (strcmp(cve->component, "kernel"))
			continue;
		enum bh_cve_match m = bh_cve_match_kernel(cve, &k);
		if (m != BH_CVE_NOT_AFFECTED)
			add_hit(c, n, cve, "kernel", n->kernel, m == BH_CVE_MAYBE);
	}
}

/* "containerd://1.6.20", "cri-o://1.27.1", "docker://20.10.7"; kubelet "v1.28.3" */
static void node_version(struct bh_cluster *c, struct bh_cl_node *n, const char *comp, const char *s)
{
	struct bh_ver v;
	if (!s)
		return;
	if (*s == 'v')
		s++;
	if (bh_ver_parse(s, &v, NULL) < 0)
		return;
	for (size_t i = 0; i < c->cvedb.n; i++) {
		const struct bh_cve *cve = &c->cvedb.v[i];
		if (!strcmp(cve->component, comp) && bh_cve_match_version(cve, &v) != BH_CVE_NOT_AFFECTED)
			add_hit(c, n, cve, comp, s, false);
	}
}

void bh_cl_analyse_nodes(struct bh_cluster *c)
{
	if (!c->cvedb_ok)
		return;
	static const char *const rt[] = {"containerd://", "containerd", "cri-o://", "cri-o", "docker://", "docker"};
	for (size_t i = 0; i < c->nnodes; i++) {
		struct bh_cl_node *n = &c->nodes[i];
		node_kernel(c, n);
		for (size_t k = 0; n->runtime && k < sizeof(rt) / sizeof(*rt); k += 2)
			if (!strncmp(n->runtime, rt[k], strlen(rt[k])))
				node_version(c, n, rt[k + 1], n->runtime + strlen(rt[k]));
		node_version(c, n, "kubelet", n->kubelet);
	}
}
