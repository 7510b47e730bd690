/* Pod Security per namespace: the enforce/audit/warn levels and versions of its labels, else the
 * AdmissionConfiguration's defaults, else privileged (the API server's built-in default); exempt
 * namespaces; and what a pod creator can get through there, decided by running probe pods through the
 * same PSA checks as `bulkhead pss` (rules/pss.c). A ValidatingWebhookConfiguration that sends pod
 * creation in the namespace to bulkhead serve closes the privileged avenues PSA leaves open. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"
#include "util/file.h"

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

static const char *lbl(const struct bh_cl_ns *ns, const char *k)
{
	for (uint32_t i = 0; i < ns->nlabels; i++)
		if (!strcmp(ns->labels[i].k, k))
			return ns->labels[i].v;
	return NULL;
}

/* k8s.io/pod-security-admission api/helpers.go: an invalid level or version is evaluated as
 * restricted:latest (fail closed); a missing version means latest */
static void parse_psa(const char *level, const char *version, struct bh_cl_psa *out)
{
	if (!level)
		return;
	int l = bh_pss_level_parse(level), minor = BH_PSS_LATEST;
	if (l < 0 || (version && bh_pss_version_parse(version, &minor) < 0)) {
		l = BH_PSS_RESTRICTED;
		minor = BH_PSS_LATEST;
	}
	*out = (struct bh_cl_psa){.level = (enum bh_pss_level)l, .minor = minor, .set = true};
}

static const char **strs(struct bh_cluster *c, const struct bh_node *seq, uint32_t *n)
{
	*n = 0;
	if (!seq || seq->type != BH_SEQ || !seq->n)
		return NULL;
	const char **v = bh_arena_alloc(&c->a, seq->n * sizeof(*v));
	for (uint32_t i = 0; v && i < seq->n; i++)
		if ((v[*n] = bh_cl_str(c, seq->items[i])))
			(*n)++;
	return v;
}

static const char *sget(struct bh_cluster *c, const struct bh_node *m, const char *k)
{
	return bh_cl_str(c, get(m, k));
}

static int admission_doc(struct bh_cluster *c, const struct bh_node *root, struct bh_err *err)
{
	const struct bh_node *cfg = NULL;
	const char *kind = sget(c, root, "kind");
	if (kind && !strcmp(kind, "PodSecurityConfiguration"))
		cfg = root;
	const struct bh_node *plugins = get(root, "plugins");
	for (uint32_t i = 0; !cfg && plugins && plugins->type == BH_SEQ && i < plugins->n; i++) {
		const char *name = sget(c, plugins->items[i], "name");
		if (name && !strcmp(name, "PodSecurity"))
			cfg = get(plugins->items[i], "configuration");
	}
	if (!cfg)
		return bh_err_set(err, -EINVAL, root ? root->line : 1, root ? root->col : 1,
				  "no PodSecurity plugin configuration (AdmissionConfiguration plugins[].name: "
				  "PodSecurity with an embedded configuration, or a PodSecurityConfiguration)");
	const struct bh_node *d = get(cfg, "defaults"), *ex = get(cfg, "exemptions");
	struct bh_cl_admission *a = &c->adm;
	a->set = true;
	parse_psa(sget(c, d, "enforce"), sget(c, d, "enforce-version"), &a->enforce);
	parse_psa(sget(c, d, "audit"), sget(c, d, "audit-version"), &a->audit);
	parse_psa(sget(c, d, "warn"), sget(c, d, "warn-version"), &a->warn);
	a->ex_users = strs(c, get(ex, "usernames"), &a->nex_users);
	a->ex_rc = strs(c, get(ex, "runtimeClasses"), &a->nex_rc);
	a->ex_ns = strs(c, get(ex, "namespaces"), &a->nex_ns);
	return 0;
}

int bh_cluster_admission_file(struct bh_cluster *c, const char *path, struct bh_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc = bh_read_file(path, 1u << 20, &buf, &len);
	if (rc < 0)
		return bh_err_set(err, rc, 0, 0, "cannot read: %s", strerror(-rc));
	struct bh_arena a;
	bh_arena_init(&a, 64u << 20);
	struct bh_decoder *d = bh_decoder_new(path, buf, len, &bh_default_limits);
	struct bh_doc doc;
	rc = d ? bh_decoder_next(d, &a, &doc, err) : -ENOMEM;
	if (rc == 0)
		rc = bh_err_set(err, -EINVAL, 1, 1, "empty admission configuration");
	else if (rc > 0)
		rc = admission_doc(c, doc.root, err);
	bh_decoder_free(d);
	bh_arena_release(&a);
	free(buf);
	return rc;
}

/* ---- probe pods: what does PSA's enforce level let a pod creator have? ---- */
static const char *const probe_yaml[] = {
	/* 0: a privileged container (every node avenue: host /, nsenter, devices) */
	"apiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  containers:\n  - name: c\n    image: x\n"
	"    securityContext: {privileged: true}\n",
	/* 1: root with the runtime's default capabilities (NET_RAW): what kernel CVEs often need */
	"apiVersion: v1\nkind: Pod\nmetadata: {name: probe}\nspec:\n  containers:\n  - name: c\n    image: x\n"
	"    securityContext: {runAsUser: 0}\n",
};

static bool probe(enum bh_pss_level level, int minor, int which)
{
	struct bh_arena a;
	bh_arena_init(&a, 8u << 20);
	const char *y = probe_yaml[which];
	struct bh_decoder *d = bh_decoder_new("probe", y, strlen(y), &bh_default_limits);
	struct bh_doc doc;
	struct bh_err err = {0};
	bool allowed = false;
	if (d && bh_decoder_next(d, &a, &doc, &err) > 0) {
		struct bh_object o;
		bh_object_init(&o, &doc, doc.root);
		struct bh_pod p;
		struct bh_pss_result r;
		if (bh_pod_build(&p, &o, BH_READ_LAST, &a) > 0 && bh_pss_eval(&p, level, minor, &a, &r) == 0)
			allowed = r.allowed;
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
	return allowed;
}

static void ns_webhooks(struct bh_cluster *c, struct bh_cl_ns *ns)
{
	char *others = NULL;
	size_t olen = 0;
	for (size_t i = 0; i < c->nhooks; i++) {
		const struct bh_cl_hook *h = &c->hooks[i];
		if (!h->pods_create ||
		    !bh_cl_sel_match(&h->nssel, ns->labels, ns->nlabels, "kubernetes.io/metadata.name", ns->name))
			continue;
		if (h->bulkhead && !ns->bulkhead_hook) {
			ns->bulkhead_hook = h->name;
			ns->bulkhead_fail_open = h->fail_open;
		} else if (!h->bulkhead && h->name && olen < 200) {
			char *n = bh_arena_printf(&c->a, "%s%s%s", others ? others : "", others ? ", " : "", h->name);
			if (n)
				others = n, olen = strlen(n);
		}
	}
	ns->other_hooks = others;
}

static bool exempt_ns(const struct bh_cluster *c, const char *name)
{
	for (uint32_t i = 0; i < c->adm.nex_ns; i++)
		if (!strcmp(c->adm.ex_ns[i], name))
			return true;
	return false;
}

static void ns_psa(struct bh_cluster *c, struct bh_cl_ns *ns)
{
	const struct bh_cl_psa def = {.level = BH_PSS_PRIVILEGED, .minor = BH_PSS_LATEST};
	ns->enforce = c->adm.enforce.set ? c->adm.enforce : def;
	ns->audit = c->adm.audit.set ? c->adm.audit : def;
	ns->warn = c->adm.warn.set ? c->adm.warn : def;
	ns->enforce.set = ns->audit.set = ns->warn.set = false;
	parse_psa(lbl(ns, "pod-security.kubernetes.io/enforce"), lbl(ns, "pod-security.kubernetes.io/enforce-version"),
		  &ns->enforce);
	parse_psa(lbl(ns, "pod-security.kubernetes.io/audit"), lbl(ns, "pod-security.kubernetes.io/audit-version"),
		  &ns->audit);
	parse_psa(lbl(ns, "pod-security.kubernetes.io/warn"), lbl(ns, "pod-security.kubernetes.io/warn-version"),
		  &ns->warn);
	ns->psa_source = ns->enforce.set       ? "label"
			 : c->adm.enforce.set ? "admission-config default"
					      : "built-in default (privileged)";
	if (exempt_ns(c, ns->name)) {
		ns->exempt = true;
		ns->psa_source = "exempt (admission config exemptions.namespaces)";
	}
}

void bh_cl_analyse_psa(struct bh_cluster *c)
{
	/* probe results per (level, minor): at most 3 × (BH_PSS_MAX_MINOR + 2) evaluations */
	static int8_t cache[3][BH_PSS_MAX_MINOR + 2][2];
	memset(cache, -1, sizeof(cache));
	for (size_t i = 0; i < c->nnss; i++) {
		struct bh_cl_ns *ns = &c->nss[i];
		ns_psa(c, ns);
		ns_webhooks(c, ns);
		enum bh_pss_level l = ns->exempt || c->adm.nex_rc ? BH_PSS_PRIVILEGED : ns->enforce.level;
		int m = bh_pss_effective_minor(ns->enforce.minor);
		if (m < 0 || m > BH_PSS_MAX_MINOR)
			m = BH_PSS_MAX_MINOR;
		for (int k = 0; k < 2; k++)
			if (cache[l][m][k] < 0)
				cache[l][m][k] = probe(l, m, k);
		ns->allows_privileged = cache[l][m][0] && !ns->bulkhead_hook;
		ns->allows_root = ns->allows_net_raw = cache[l][m][1];
		if (ns->allows_privileged)
			ns->avenue = ns->exempt    ? "privileged pods (namespace exempt from Pod Security)"
				     : c->adm.nex_rc ? "privileged pods (a runtimeClass is exempt from Pod Security)"
						     : "privileged pods (Pod Security enforce: privileged)";
	}
}
