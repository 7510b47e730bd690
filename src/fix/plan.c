/* The fix plan: per pod view, which fields get which value, and which are left alone and why.
 * Kubernetes constraints respected (API validation, pkg/apis/core/validation): allowPrivilegeEscalation
 * false is refused with privileged true or CAP_SYS_ADMIN added, so neither is set while those stay. */
#include <errno.h>
#include <string.h>

#include "fix.h"
#include "objects/objects.h"

static const char *const baseline_caps[] = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID",
					    "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
					    "SETPCAP", "SETUID", "SYS_CHROOT"};

/* Workloads that need what the fixes would take away: matched on hostPath targets and on well-known
 * kube-system DaemonSets (the CNI and storage agents of the common distributions). */
static const char *const infra_names[] = {"kube-proxy", "calico-node", "cilium", "aws-node", "kube-flannel",
					  "weave-net", "kube-router", "antrea-agent", "canal", "kindnet",
					  "ebs-csi-node", "efs-csi-node", "csi-", "nvidia-device-plugin",
					  "node-local-dns", "konnectivity-agent"};

static struct fx_target *target(struct fx_ctx *x, enum fx_base kind, uint32_t ci, uint32_t mi,
				const struct bh_node *map)
{
	for (struct fx_target *t = x->targets; t; t = t->next)
		if (t->kind == kind && t->ci == ci && t->mi == mi)
			return t;
	struct fx_target *t = bh_arena_alloc(&x->r->a, sizeof(*t));
	if (!t)
		return NULL;
	*t = (struct fx_target){.kind = kind, .ci = ci, .mi = mi, .map = map};
	struct fx_target **tail = &x->targets;
	while (*tail)
		tail = &(*tail)->next;
	*tail = t;
	return t;
}

static struct fx_pend *pend_child(struct bh_arena *a, struct fx_pend **list, const char *key, size_t klen)
{
	struct fx_pend **tail = list;
	for (; *tail; tail = &(*tail)->next)
		if (strlen((*tail)->key) == klen && !memcmp((*tail)->key, key, klen))
			return *tail;
	struct fx_pend *n = bh_arena_alloc(a, sizeof(*n));
	if (!n || !(n->key = bh_arena_strndup(a, key, klen)))
		return NULL;
	*tail = n;
	return n;
}

/* The pending node for a dotted path under t (created as needed). */
static struct fx_pend *pend_path(struct fx_ctx *x, struct fx_target *t, const char *path)
{
	struct fx_pend **list = &t->root, *n = NULL;
	for (const char *s = path;;) {
		const char *dot = strchr(s, '.');
		size_t k = dot ? (size_t)(dot - s) : strlen(s);
		if (!(n = pend_child(&x->r->a, list, s, k)))
			return NULL;
		if (!dot)
			return n;
		list = &n->kids;
		s = dot + 1;
	}
}

static const char *field_of(struct fx_ctx *x, const struct bh_container *c, const char *rel)
{
	return bh_pod_field(&x->r->a, x->p, c, rel);
}

/* Plans value for path under the pod spec (c NULL) or container c. */
static int want(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *value,
		const char *rule)
{
	uint32_t ci = c ? (uint32_t)(c - x->p->c) : 0;
	struct fx_target *t = target(x, c ? FX_CONTAINER : FX_POD, ci, 0, c ? c->n : x->p->spec);
	struct fx_pend *n = t ? pend_path(x, t, path) : NULL;
	if (!n)
		return -ENOMEM;
	n->scalar = value;
	n->rule = rule;
	n->field = field_of(x, c, path);
	return n->field ? 0 : -ENOMEM;
}

int fx_want(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *value, const char *rule)
{
	return want(x, c, path, value, rule);
}

/* The pending node for path under container c (created as needed), for sequences of items. */
struct fx_pend *fx_pend_at(struct fx_ctx *x, const struct bh_container *c, const char *path)
{
	struct fx_target *t = target(x, FX_CONTAINER, (uint32_t)(c - x->p->c), 0, c->n);
	struct fx_pend *n = t ? pend_path(x, t, path) : NULL;
	if (n && !n->field)
		n->field = field_of(x, c, path);
	return n && n->field ? n : NULL;
}

static int refuse(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *rule,
		  const struct bh_node *at, const char *why);

int fx_refuse(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *rule,
	      const struct bh_node *at, const char *why)
{
	return refuse(x, c, path, rule, at, why);
}

static int refuse(struct fx_ctx *x, const struct bh_container *c, const char *path, const char *rule,
		  const struct bh_node *at, const char *why)
{
	if (!at)
		at = c ? c->n : x->p->spec;
	return fx_note(x, false, rule, field_of(x, c, path), NULL, why, NULL, at ? at->line : 0, at ? at->col : 0);
}

static bool in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return true;
	return false;
}

/* Capabilities as the runtime reads them: "CAP_SYS_ADMIN" and "SYS_ADMIN" are the same. */
static const char *capname(const char *s)
{
	return strncmp(s, "CAP_", 4) ? s : s + 4;
}

static bool adds_cap(const struct bh_container *c, const char *cap)
{
	for (uint32_t i = 0; i < c->sc.cap_add.len; i++)
		if (c->sc.cap_add.v[i].r == BH_OK && !strcmp(capname(c->sc.cap_add.v[i].s), cap))
			return true;
	return false;
}

static int plan_caps(struct fx_ctx *x, const struct bh_container *c)
{
	int rc = 0;
	bool restricted = x->o->level == BH_FIX_RESTRICTED;
	for (uint32_t i = 0; i < c->sc.cap_add.len && !rc; i++) {
		const struct bh_fstr *s = &c->sc.cap_add.v[i];
		if (s->r != BH_OK)
			continue;
		const char *cap = capname(s->s);
		bool ok = restricted ? !strcmp(cap, "NET_BIND_SERVICE")
				     : in_list(baseline_caps, sizeof(baseline_caps) / sizeof(*baseline_caps), cap);
		if (!ok)
			rc = refuse(x, c, "securityContext.capabilities.add", "BH0006", s->n,
				    bh_arena_printf(&x->r->a, "capability %s is added explicitly: the workload asked for it; "
							      "remove it by hand if it is not needed", s->s));
	}
	if (rc || !restricted)
		return rc;
	for (uint32_t i = 0; i < c->sc.cap_drop.len; i++)
		if (c->sc.cap_drop.v[i].r == BH_OK && !strcmp(capname(c->sc.cap_drop.v[i].s), "ALL"))
			return 0;
	uint32_t ci = (uint32_t)(c - x->p->c);
	struct fx_target *t = target(x, FX_CONTAINER, ci, 0, c->n);
	struct fx_pend *n = t ? pend_path(x, t, "securityContext.capabilities.drop") : NULL;
	if (!n || !(n->items = bh_arena_alloc(&x->r->a, sizeof(char *))))
		return -ENOMEM;
	n->items[0] = "ALL";
	n->nitems = 1;
	n->rule = "BH0029";
	n->field = field_of(x, c, "securityContext.capabilities.drop");
	return n->field ? 0 : -ENOMEM;
}

/* hostPath targets a workload usually writes to (sockets, state, logs): readOnly would break it. */
static const char *written_host_path(const char *path)
{
	static const char *const w[] = {"/var/run", "/run", "/var/lib/kubelet", "/var/log", "/dev", "/sys/fs/bpf",
					"/var/lib/docker", "/var/lib/containerd", "/tmp", "/var/lib/cni"};
	size_t n = strlen(path);
	if (n > 5 && !strcmp(path + n - 5, ".sock"))
		return "it is a socket: connecting needs write access";
	for (size_t i = 0; i < sizeof(w) / sizeof(*w); i++) {
		size_t k = strlen(w[i]);
		if (!strncmp(path, w[i], k) && (path[k] == 0 || path[k] == '/'))
			return "the workload is expected to write there (state, sockets or logs)";
	}
	return NULL;
}

static const struct bh_volume *volume_named(const struct bh_pod *p, const struct bh_fstr *name)
{
	for (uint32_t i = 0; i < p->nv; i++)
		if (p->v[i].name.r == BH_OK && name->r == BH_OK && !strcmp(p->v[i].name.s, name->s))
			return &p->v[i];
	return NULL;
}

static int plan_mounts(struct fx_ctx *x, const struct bh_container *c)
{
	int rc = 0;
	for (uint32_t m = 0; m < c->nmounts && !rc; m++) {
		const struct bh_mount *mt = &c->mounts[m];
		const struct bh_volume *v = volume_named(x->p, &mt->name);
		if (!v || !v->host_path || BH_TRUE(mt->read_only))
			continue;
		const char *rel = bh_arena_printf(&x->r->a, "volumeMounts[%u].readOnly", m);
		const char *why = v->host_path_path.r == BH_OK ? written_host_path(v->host_path_path.s) : "no path";
		if (!why && BH_STREQ(mt->propagation, "Bidirectional"))
			why = "mountPropagation Bidirectional: the workload mounts into the host path";
		if (why) {
			rc = refuse(x, c, rel, "BH0005", mt->n,
				    bh_arena_printf(&x->r->a, "hostPath %s not made read-only: %s", v->host_path_path.s, why));
			continue;
		}
		struct fx_target *t = target(x, FX_MOUNT, (uint32_t)(c - x->p->c), m, mt->n);
		struct fx_pend *n = t ? pend_path(x, t, "readOnly") : NULL;
		if (!n)
			return -ENOMEM;
		n->scalar = "true", n->rule = "BH0005", n->field = field_of(x, c, rel);
	}
	return rc;
}

static int plan_runasroot(struct fx_ctx *x, const struct bh_container *c, bool *pod_nonroot)
{
	bool from_pod;
	const struct bh_fint *uid = bh_eff_run_as_user(x->p, c, &from_pod);
	const struct bh_fbool *nr = bh_eff_run_as_non_root(x->p, c, &from_pod);
	if (uid->r == BH_OK && uid->v == 0)
		return refuse(x, c, "securityContext.runAsUser", "BH0028", uid->n,
			      "runAsUser: 0 is explicit: the workload asks for root; give it a non-root UID by hand");
	if (BH_TRUE(*nr) || (uid->r == BH_OK && uid->v > 0 && x->o->level == BH_FIX_BASELINE))
		return 0;
	if (BH_FALSE(*nr))
		return refuse(x, c, "securityContext.runAsNonRoot", "BH0028", nr->n,
			      "runAsNonRoot: false is explicit: the workload asks to run as root");
	if (!*pod_nonroot) {
		*pod_nonroot = true;
		return want(x, NULL, "securityContext.runAsNonRoot", "true", "BH0028");
	}
	return 0;
}

/* readOnlyRootFilesystem: only with the written paths declared (annotation bulkhead.io/writable-paths:
 * "/tmp,/var/cache/nginx"), each becoming an emptyDir. */
static int plan_rofs(struct fx_ctx *x, const struct bh_container *c, uint32_t *nvol)
{
	if (BH_TRUE(c->sc.ro_rootfs))
		return 0;
	const struct bh_kv *kv = bh_pod_annotation(x->p, "bulkhead.io/writable-paths");
	if (!kv || kv->val.r != BH_OK)
		return refuse(x, c, "securityContext.readOnlyRootFilesystem", "BH0030", c->sc.ro_rootfs.n,
			      "the paths the container writes are not declared: annotate the pod with "
			      "bulkhead.io/writable-paths: \"/tmp,…\" and run fix again");
	int rc = want(x, c, "securityContext.readOnlyRootFilesystem", "true", "BH0030");
	uint32_t ci = (uint32_t)(c - x->p->c);
	struct fx_target *tc = target(x, FX_CONTAINER, ci, 0, c->n), *tp = target(x, FX_POD, 0, 0, x->p->spec);
	struct fx_pend *vm = tc ? pend_path(x, tc, "volumeMounts") : NULL, *vs = tp ? pend_path(x, tp, "volumes") : NULL;
	if (rc || !vm || !vs)
		return -ENOMEM;
	for (const char *s = kv->val.s; *s && !x->oom;) {
		size_t k = strcspn(s, ", ");
		if (k && *s == '/' && vm->nmitems < 16) {
			const char *name = bh_arena_printf(&x->r->a, "bh-writable-%u", (*nvol)++);
			struct fx_pend *m = bh_arena_alloc(&x->r->a, sizeof(*m) * 4);
			struct fx_pend **na = bh_arena_alloc(&x->r->a, sizeof(*na) * (vm->nmitems + 1));
			struct fx_pend **nb = bh_arena_alloc(&x->r->a, sizeof(*nb) * (vs->nmitems + 1));
			if (!m || !na || !nb || !name)
				return -ENOMEM;
			m[0] = (struct fx_pend){.key = "name", .scalar = name, .next = &m[1]};
			m[1] = (struct fx_pend){.key = "mountPath", .scalar = bh_arena_strndup(&x->r->a, s, k)};
			m[2] = (struct fx_pend){.key = "name", .scalar = name, .next = &m[3]};
			m[3] = (struct fx_pend){.key = "emptyDir", .scalar = "{}"};
			if (vm->nmitems)
				memcpy(na, vm->mitems, sizeof(*na) * vm->nmitems);
			if (vs->nmitems)
				memcpy(nb, vs->mitems, sizeof(*nb) * vs->nmitems);
			na[vm->nmitems++] = &m[0], nb[vs->nmitems++] = &m[2];
			vm->mitems = na, vs->mitems = nb;
			vm->rule = vs->rule = "BH0030";
			vm->field = field_of(x, c, "volumeMounts");
			vs->field = field_of(x, NULL, "volumes");
		}
		s += k;
		s += strspn(s, ", ");
	}
	return 0;
}

static int plan_container(struct fx_ctx *x, const struct bh_container *c, bool *pod_nonroot, uint32_t *nvol)
{
	const struct bh_secctx *sc = &c->sc;
	bool restricted = x->o->level == BH_FIX_RESTRICTED, from_pod;
	int rc = 0;
	if (BH_TRUE(sc->privileged))
		rc = want(x, c, "securityContext.privileged", "false", "BH0001");
	if (!rc)
		rc = plan_caps(x, c);
	const struct bh_fstr *sec = bh_eff_seccomp_type(x->p, c, &from_pod);
	if (!rc && BH_STREQ(*sec, "Unconfined"))
		rc = want(x, from_pod ? NULL : c, "securityContext.seccompProfile.type", "RuntimeDefault", "BH0021");
	if (!rc)
		rc = plan_mounts(x, c);
	if (rc || !restricted)
		return rc;
	if (!BH_FALSE(sc->allow_priv_esc)) {
		if (adds_cap(c, "SYS_ADMIN"))
			rc = refuse(x, c, "securityContext.allowPrivilegeEscalation", "BH0027", sc->allow_priv_esc.n,
				    "CAP_SYS_ADMIN is added: the API server refuses allowPrivilegeEscalation: false with it");
		else
			rc = want(x, c, "securityContext.allowPrivilegeEscalation", "false", "BH0027");
	}
	if (!rc && sec->r != BH_OK && !x->p->sc.seccomp_type.n)
		rc = want(x, NULL, "securityContext.seccompProfile.type", "RuntimeDefault", "BH0022");
	if (!rc)
		rc = plan_runasroot(x, c, pod_nonroot);
	if (!rc)
		rc = plan_rofs(x, c, nvol);
	return rc;
}

static int plan_podlevel(struct fx_ctx *x)
{
	const struct bh_pod *p = x->p;
	static const struct {
		size_t off;
		const char *key, *rule;
	} hostns[] = {{offsetof(struct bh_pod, host_pid), "hostPID", "BH0002"},
		      {offsetof(struct bh_pod, host_ipc), "hostIPC", "BH0003"},
		      {offsetof(struct bh_pod, host_network), "hostNetwork", "BH0004"}};
	int rc = 0;
	for (size_t i = 0; i < 3 && !rc; i++)
		if (BH_TRUE(*(const struct bh_fbool *)((const char *)p + hostns[i].off)))
			rc = want(x, NULL, hostns[i].key, "false", hostns[i].rule);
	if (rc || x->o->level != BH_FIX_RESTRICTED || BH_FALSE(p->automount_sat))
		return rc;
	const struct bh_kv *api = bh_pod_annotation(p, "bulkhead.io/uses-api");
	bool named = p->service_account.r == BH_OK && p->service_account.len && strcmp(p->service_account.s, "default");
	if (api || named || BH_TRUE(p->automount_sat))
		return refuse(x, NULL, "automountServiceAccountToken", "BH0031", p->automount_sat.n,
			      named ? bh_arena_printf(&x->r->a, "the pod runs as service account \"%s\": API use is declared",
						      p->service_account.s)
				    : "API use is declared (bulkhead.io/uses-api or automountServiceAccountToken: true)");
	return want(x, NULL, "automountServiceAccountToken", "false", "BH0031");
}

/* Why the workload needs its privileges, or NULL. */
static const char *infra_reason(struct fx_ctx *x)
{
	const struct bh_pod *p = x->p;
	for (uint32_t i = 0; i < p->nv; i++) {
		const char *hp = p->v[i].host_path_path.r == BH_OK ? p->v[i].host_path_path.s : "";
		if (!strncmp(hp, "/opt/cni/bin", 12) || !strncmp(hp, "/etc/cni", 8))
			return "a CNI plugin (hostPath /opt/cni/bin or /etc/cni): it needs hostNetwork and privileges";
		if (!strncmp(hp, "/var/lib/kubelet/plugins", 24))
			return "a CSI node driver (hostPath /var/lib/kubelet/plugins): it needs privileged and "
			       "Bidirectional mounts";
	}
	const struct bh_objref *o = &p->obj->ref;
	if (o->kind && !strcmp(o->kind, "DaemonSet") && o->namespace && !strcmp(o->namespace, "kube-system") && o->name)
		for (size_t i = 0; i < sizeof(infra_names) / sizeof(*infra_names); i++)
			if (!strncmp(o->name, infra_names[i], strlen(infra_names[i])))
				return "a kube-system node agent (CNI, kube-proxy, CSI or device plugin): it needs its "
				       "host access";
	return NULL;
}

static int plan_all(struct fx_ctx *x)
{
	bool pod_nonroot = false;
	uint32_t nvol = 0;
	int rc = plan_podlevel(x);
	for (uint32_t i = 0; i < x->p->nc && !rc; i++)
		if (x->p->c[i].list != BH_CL_EPHEMERAL)
			rc = plan_container(x, &x->p->c[i], &pod_nonroot, &nvol);
	for (uint32_t i = 0; i < x->p->nc && !rc && x->o->profile; i++) /* fix --profile (profile.c) */
		if (x->p->c[i].list == BH_CL_REGULAR)
			rc = fx_plan_profile(x, &x->p->c[i]);
	return rc;
}

/* Every planned value of an infrastructure pod becomes "not fixed", with one exemption for the object. */
static int refuse_all(struct fx_ctx *x, const char *why)
{
	char rules[256] = "";
	size_t first = x->r->nnotes;
	const struct bh_objref *o = &x->p->obj->ref;
	for (struct fx_target *t = x->targets; t; t = t->next) {
		struct fx_pend *q[64];
		size_t nq = 0;
		for (struct fx_pend *n = t->root; n && nq < 64; n = n->next)
			q[nq++] = n;
		while (nq) {
			struct fx_pend *e = q[--nq];
			for (struct fx_pend *k = e->kids; k && nq < 64; k = k->next)
				q[nq++] = k;
			if (!e->rule)
				continue;
			if (!strstr(rules, e->rule) && strlen(rules) + 8 < sizeof(rules))
				strcat(strcat(rules, *rules ? ", " : ""), e->rule);
			int rc = fx_note(x, false, e->rule, e->field, NULL, why, NULL, t->map ? t->map->line : 0,
					 t->map ? t->map->col : 0);
			if (rc)
				return rc;
		}
	}
	const char *ex = bh_arena_printf(&x->r->a,
					 "exemptions:\n- kind: %s\n  namespace: \"%s\"\n  name: \"%s\"\n  rules: [%s]\n"
					 "  reason: \"%s\"\n",
					 o->kind ? o->kind : "", o->namespace ? o->namespace : "", o->name ? o->name : "",
					 rules, "node infrastructure: needs its host access (bulkhead fix left it alone)");
	for (size_t i = first; i < x->r->nnotes; i++)
		x->r->notes[i].exemption = ex;
	x->targets = NULL;
	return ex ? 0 : -ENOMEM;
}

int fx_plan_pod(struct fx_ctx *x)
{
	x->targets = NULL;
	int rc = plan_all(x);
	if (rc)
		return rc;
	const char *why = infra_reason(x);
	if (why)
		return refuse_all(x, why);
	return x->o->patch ? fx_patch_targets(x) : fx_edit_targets(x);
}
