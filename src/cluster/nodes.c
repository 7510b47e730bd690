/* Node versions (status.nodeInfo: kernelVersion, containerRuntimeVersion, kubeletVersion) against the escape
 * CVE table (data/escape-cves.txt through host/cvedb.c and host/kver.c). A distribution kernel's release
 * string is not its upstream version (Debian "6.1.0-18-amd64", RHEL "4.18.0-513.el8"): such a match says
 * "in range by upstream version; check the distribution's fixed package" and counts as a weaker step. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "util/file.h"

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
	bh_cl_join_node_reports(c);
}

/* ---- `bulkhead node` reports ---- */
static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

static int tri_bool(const struct bh_node *n)
{
	bool v;
	return bh_as_bool(n, &v) == BH_OK ? v : -1;
}

/* user namespaces: kernel.unprivileged_userns_clone (Debian/Ubuntu) and user.max_user_namespaces */
static int userns(struct bh_cluster *c, const struct bh_node *sys)
{
	const char *clone = bh_cl_str(c, get(sys, "kernel.unprivileged_userns_clone"));
	const char *max = bh_cl_str(c, get(sys, "user.max_user_namespaces"));
	if ((clone && !strcmp(clone, "0")) || (max && !strcmp(max, "0")))
		return 0;
	return clone || max ? 1 : -1;
}

static void report_doc(struct bh_cluster *c, const char *file, const struct bh_node *root)
{
	const struct bh_node *n = get(root, "node");
	const char *name = bh_cl_str(c, get(n, "name"));
	struct bh_cl_noderep *r = name ? BH_CL_PUSH(c, noderep) : NULL;
	if (!r)
		return;
	r->name = name;
	r->file = file;
	r->userns = userns(c, get(n, "sysctls"));
	r->cgroup_v1 = tri_bool(get(get(n, "cgroups"), "v1"));
	const struct bh_node *lsm = get(n, "lsm");
	int aa = tri_bool(get(get(lsm, "apparmor"), "enabled")), se = tri_bool(get(get(lsm, "selinux"), "enabled"));
	r->no_lsm = aa == 1 || se == 1 ? 0 : (aa == 0 && se == 0 ? 1 : -1);
	const struct bh_node *cv = get(n, "cves");
	if (!cv || cv->type != BH_SEQ || !cv->n)
		return;
	r->cves = bh_arena_alloc(&c->a, cv->n * sizeof(*r->cves));
	for (uint32_t i = 0; r->cves && i < cv->n; i++) {
		struct bh_cl_nodecve *x = &r->cves[r->ncves];
		x->id = bh_cl_str(c, get(cv->items[i], "id"));
		x->component = bh_cl_str(c, get(cv->items[i], "component"));
		x->status = bh_cl_str(c, get(cv->items[i], "status"));
		if (x->id && x->component && x->status)
			r->ncves++;
	}
}

int bh_cluster_node_report(struct bh_cluster *c, const char *path, struct bh_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = bh_read_file(path, 64u << 20, &buf, &len);
	if (rc < 0)
		return bh_err_set(err, rc, 0, 0, "cannot read: %s", strerror(-rc));
	const char *file = bh_arena_strndup(&c->a, path, strlen(path));
	struct bh_arena a;
	bh_arena_init(&a, 256u << 20);
	struct bh_decoder *d = bh_decoder_new(file, buf, len, &bh_default_limits);
	int docs = 0;
	for (rc = d ? 0 : -ENOMEM; rc == 0;) {
		struct bh_doc doc;
		bh_arena_reset(&a);
		int r = bh_decoder_next(d, &a, &doc, err);
		if (r <= 0) {
			rc = r;
			break;
		}
		if (!get(doc.root, "node"))
			rc = bh_err_set(err, -EINVAL, doc.root ? doc.root->line : 1, doc.root ? doc.root->col : 1,
					"not a `bulkhead node --format json` report (no \"node\" key)");
		else
			report_doc(c, file, doc.root), docs++;
	}
	if (rc == 0 && !docs)
		rc = bh_err_set(err, -EINVAL, 1, 1, "empty node report");
	bh_decoder_free(d);
	bh_arena_release(&a);
	free(buf);
	return rc;
}

static const struct bh_cve *cve_by_id(const struct bh_cluster *c, const char *id)
{
	for (size_t i = 0; i < c->cvedb.n; i++)
		if (!strcmp(c->cvedb.v[i].id, id))
			return &c->cvedb.v[i];
	return NULL;
}

/* the node's own verdicts replace nodeInfo's: cleared (a back-ported fix), confirmed, or added (runc…) */
static void join_report(struct bh_cluster *c, struct bh_cl_node *n, const struct bh_cl_noderep *r)
{
	n->node_report = r;
	uint32_t w = 0;
	for (uint32_t k = 0; k < n->ncves; k++) {
		const char *st = NULL;
		for (uint32_t i = 0; i < r->ncves && !st; i++)
			if (!strcmp(r->cves[i].id, n->cves[k].cve->id))
				st = r->cves[i].status;
		/* not listed: the node evaluated the same table with its packages and found nothing */
		if (!st || !strcmp(st, "not-affected-or-fixed"))
			continue;
		n->cves[k].maybe = strcmp(st, "affected") != 0;
		n->cves[w++] = n->cves[k];
	}
	n->ncves = w;
	for (uint32_t i = 0; i < r->ncves; i++) {
		const struct bh_cl_nodecve *x = &r->cves[i];
		bool have = false;
		for (uint32_t k = 0; k < n->ncves && !have; k++)
			have = !strcmp(n->cves[k].cve->id, x->id);
		const struct bh_cve *cve = have || !strcmp(x->status, "not-affected-or-fixed") ? NULL : cve_by_id(c, x->id);
		if (cve)
			add_hit(c, n, cve, x->component, "(bulkhead node)", strcmp(x->status, "affected") != 0);
	}
}

void bh_cl_join_node_reports(struct bh_cluster *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		for (size_t k = 0; k < c->nnoderep; k++)
			if (!strcmp(c->noderep[k].name, c->nodes[i].name)) {
				join_report(c, &c->nodes[i], &c->noderep[k]);
				break;
			}
}
