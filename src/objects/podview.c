/* The typed pod view. Reads every field a rule may need once, with the reading (first/last of duplicate
 * keys) chosen by the caller, and records wrong-typed fields as errors of the object. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "objects.h"

const char *const bh_clist_key[3] = {"initContainers", "containers", "ephemeralContainers"};

/* DESIGN §3; kubernetes/pod-security-admission admission.go (PodSpecExtractor) for the core kinds */
static const struct bh_podpath paths[] = {
	{"", "Pod", "spec", "metadata"},
	{"", "PodTemplate", "template.spec", "template.metadata"},
	{"", "ReplicationController", "spec.template.spec", "spec.template.metadata"},
	{"apps", "ReplicaSet", "spec.template.spec", "spec.template.metadata"},
	{"extensions", "ReplicaSet", "spec.template.spec", "spec.template.metadata"},
	{"apps", "Deployment", "spec.template.spec", "spec.template.metadata"},
	{"extensions", "Deployment", "spec.template.spec", "spec.template.metadata"},
	{"apps", "StatefulSet", "spec.template.spec", "spec.template.metadata"},
	{"apps", "DaemonSet", "spec.template.spec", "spec.template.metadata"},
	{"extensions", "DaemonSet", "spec.template.spec", "spec.template.metadata"},
	{"batch", "Job", "spec.template.spec", "spec.template.metadata"},
	{"batch", "CronJob", "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata"},
	/* custom resources with pod templates */
	{"argoproj.io", "Rollout", "spec.template.spec", "spec.template.metadata"},
	{"apps.openshift.io", "DeploymentConfig", "spec.template.spec", "spec.template.metadata"},
	{"", "DeploymentConfig", "spec.template.spec", "spec.template.metadata"}, /* OpenShift 3 "v1" */
	{"serving.knative.dev", "Service", "spec.template.spec", "spec.template.metadata"},
	{"serving.knative.dev", "Configuration", "spec.template.spec", "spec.template.metadata"},
};
static const unsigned npaths = sizeof(paths) / sizeof(paths[0]);

const struct bh_podpath *bh_podpaths_builtin(size_t *n)
{
	*n = npaths;
	return paths;
}

struct vb {
	struct bh_pod *p;
	struct bh_arena *a;
	enum bh_reading rd;
	bool cv; /* the last get() took a key that differs from the field only by case */
};

static void diag(struct vb *x, bool error, const struct bh_node *n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void diag(struct vb *x, bool error, const struct bh_node *n, const char *fmt, ...)
{
	struct bh_diag *d = bh_arena_alloc(x->a, sizeof(*d));
	if (!d)
		return;
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	d->msg = bh_arena_strndup(x->a, buf, strlen(buf));
	d->line = n ? n->line : 0;
	d->col = n ? n->col : 0;
	struct bh_pod *p = x->p;
	if (error) {
		*p->errors_tail = d;
		p->errors_tail = &d->next;
		p->nerrors++;
	} else {
		*p->warnings_tail = d;
		p->warnings_tail = &d->next;
		p->nwarnings++;
	}
}

/* Keys that differ from a field only by case (DESIGN §2): the API server matches field names
 * case-sensitively (sigs.k8s.io/json) and drops them as unknown; client tools that unmarshal YAML into
 * typed Go structs match case-insensitively. The two readings of a pod view are these two worlds: the
 * last reading is the server's (exact keys, the last of duplicates), the first prefers a case variant
 * where there is one. Both are evaluated, so a case variant can make a setting risky, never safe. */
static const struct bh_node *exact_last(const struct bh_node *map, const char *key, const struct bh_node **kn)
{
	const struct bh_node *v = NULL;
	size_t l = strlen(key);
	for (uint32_t i = 0; map && map->type == BH_MAP && i < map->n; i++) {
		const struct bh_node *k = map->pairs[i].key;
		if (k->type == BH_SCALAR && k->len == l && !memcmp(k->s, key, l)) {
			v = map->pairs[i].val;
			*kn = k;
		}
	}
	return v;
}

static const struct bh_node *first_variant(const struct bh_node *map, const char *key, const struct bh_node **kn)
{
	for (uint32_t i = 0; map && map->type == BH_MAP && i < map->n; i++) {
		bool cv = false;
		const struct bh_node *k = map->pairs[i].key;
		if (bh_key_is(k, key, &cv) && cv) {
			*kn = k;
			return map->pairs[i].val;
		}
	}
	return NULL;
}

/* where: path of the map the key is looked up in (for messages) */
static const struct bh_node *get(struct vb *x, const struct bh_node *map, const char *key, const char *where)
{
	bool cv = false;
	const struct bh_node *k = NULL;
	const struct bh_node *v = bh_map_get(map, key, x->rd, &cv, &k);
	x->cv = false;
	if (!v || !cv)
		return v;
	x->p->ncasevar++;
	if (x->rd == BH_READ_LAST)
		return exact_last(map, key, &k);
	v = first_variant(map, key, &k);
	x->cv = true;
	diag(x, false, k,
	     "key \"%.*s\" in %s differs from the field \"%s\" only by case: the API server drops it as an unknown "
	     "field, client tools that match case-insensitively read it as that field; both readings are evaluated",
	     (int)k->len, k->s, where, key);
	return v;
}

static const char *what(const struct bh_node *n)
{
	if (n->type == BH_MAP)
		return "a mapping";
	if (n->type == BH_SEQ)
		return "a sequence";
	switch (n->style) {
	case BH_STYLE_SQUOTE:
	case BH_STYLE_DQUOTE:
	case BH_STYLE_JSON_STRING:
		return "a quoted string";
	case BH_STYLE_LITERAL:
	case BH_STYLE_FOLDED:
		return "a block string";
	case BH_STYLE_JSON_NUMBER:
		return "a number";
	case BH_STYLE_JSON_LITERAL:
		return "a literal";
	default:
		return n->tag ? "a tagged scalar" : "a plain scalar";
	}
}

static void bad(struct vb *x, const struct bh_node *n, const char *where, const char *key, const char *type)
{
	char t[64];
	if (x->cv) { /* the server drops the key, so its value is no reason to reject the object */
		diag(x, false, n, "%s.%s: expected %s, found %s \"%s\" under a key the API server ignores (case variant)",
		     where, key, type, what(n), bh_node_text(n, t, sizeof(t)));
		return;
	}
	diag(x, true, n, "%s.%s: expected %s, found %s \"%s\"; the API server would reject this object", where, key,
	     type, what(n), bh_node_text(n, t, sizeof(t)));
}

static void gbool(struct vb *x, const struct bh_node *map, const char *key, const char *where, struct bh_fbool *f)
{
	f->n = get(x, map, key, where);
	f->r = bh_as_bool(f->n, &f->v);
	if (f->r == BH_BAD)
		bad(x, f->n, where, key, "a boolean");
}

static void gint(struct vb *x, const struct bh_node *map, const char *key, const char *where, struct bh_fint *f)
{
	f->n = get(x, map, key, where);
	f->r = bh_as_int(f->n, &f->v);
	if (f->r == BH_BAD)
		bad(x, f->n, where, key, "an integer");
}

static void sstr(struct vb *x, const struct bh_node *n, const char *where, const char *key, struct bh_fstr *f)
{
	f->n = n;
	f->s = "";
	f->len = 0;
	f->r = bh_as_str(n, &f->s, &f->len);
	if (f->r == BH_BAD) {
		bad(x, n, where, key, "a string");
		f->s = "";
		f->len = 0;
	} else if (f->r != BH_OK) {
		f->s = "";
		f->len = 0;
	}
}

static void gstr(struct vb *x, const struct bh_node *map, const char *key, const char *where, struct bh_fstr *f)
{
	sstr(x, get(x, map, key, where), where, key, f);
}

/* A mapping-valued field: NULL when absent or null; wrong type recorded. */
static const struct bh_node *gmap(struct vb *x, const struct bh_node *map, const char *key, const char *where)
{
	const struct bh_node *n = get(x, map, key, where);
	if (!n || bh_is_null(n))
		return NULL;
	if (n->type != BH_MAP) {
		bad(x, n, where, key, "a mapping");
		return NULL;
	}
	return n;
}

static const struct bh_node *gseq(struct vb *x, const struct bh_node *map, const char *key, const char *where)
{
	const struct bh_node *n = get(x, map, key, where);
	if (!n || bh_is_null(n))
		return NULL;
	if (n->type != BH_SEQ) {
		bad(x, n, where, key, "a list");
		return NULL;
	}
	return n;
}

static void gstrlist(struct vb *x, const struct bh_node *map, const char *key, const char *where, struct bh_strlist *l)
{
	l->n = get(x, map, key, where);
	if (!l->n) {
		l->r = BH_ABSENT;
		return;
	}
	if (bh_is_null(l->n)) {
		l->r = BH_NULLV;
		return;
	}
	if (l->n->type != BH_SEQ) {
		l->r = BH_BAD;
		bad(x, l->n, where, key, "a list");
		return;
	}
	l->r = BH_OK;
	l->len = l->n->n;
	l->v = bh_arena_alloc(x->a, (l->len ? l->len : 1) * sizeof(*l->v));
	if (!l->v) {
		l->len = 0;
		return;
	}
	for (uint32_t i = 0; i < l->len; i++)
		sstr(x, l->n->items[i], where, key, &l->v[i]);
}

static const char *cat(struct vb *x, const char *a, const char *b)
{
	return bh_arena_printf(x->a, "%s.%s", a, b);
}

static void secctx(struct vb *x, const struct bh_node *owner, const char *where, bool pod, struct bh_secctx *sc)
{
	sc->n = gmap(x, owner, "securityContext", where);
	if (!sc->n)
		return;
	const char *w = cat(x, where, "securityContext");
	const struct bh_node *n = sc->n;
	gbool(x, n, "runAsNonRoot", w, &sc->run_as_non_root);
	gint(x, n, "runAsUser", w, &sc->run_as_user);
	gint(x, n, "runAsGroup", w, &sc->run_as_group);
	if ((sc->seccomp = gmap(x, n, "seccompProfile", w))) {
		const char *ws = cat(x, w, "seccompProfile");
		gstr(x, sc->seccomp, "type", ws, &sc->seccomp_type);
		gstr(x, sc->seccomp, "localhostProfile", ws, &sc->seccomp_localhost);
	}
	if ((sc->apparmor = gmap(x, n, "appArmorProfile", w))) {
		const char *wa = cat(x, w, "appArmorProfile");
		gstr(x, sc->apparmor, "type", wa, &sc->apparmor_type);
		gstr(x, sc->apparmor, "localhostProfile", wa, &sc->apparmor_localhost);
	}
	if ((sc->selinux = gmap(x, n, "seLinuxOptions", w))) {
		const char *wl = cat(x, w, "seLinuxOptions");
		gstr(x, sc->selinux, "user", wl, &sc->se_user);
		gstr(x, sc->selinux, "role", wl, &sc->se_role);
		gstr(x, sc->selinux, "type", wl, &sc->se_type);
		gstr(x, sc->selinux, "level", wl, &sc->se_level);
	}
	const struct bh_node *win = gmap(x, n, "windowsOptions", w);
	if (win)
		gbool(x, win, "hostProcess", cat(x, w, "windowsOptions"), &sc->win_host_process);
	if (pod) {
		gint(x, n, "fsGroup", w, &sc->fs_group);
		const struct bh_node *sys = gseq(x, n, "sysctls", w);
		if (sys) {
			sc->sysctls = bh_arena_alloc(x->a, (sys->n ? sys->n : 1) * sizeof(*sc->sysctls));
			if (sc->sysctls) {
				const char *wy = cat(x, w, "sysctls");
				for (uint32_t i = 0; i < sys->n; i++) {
					struct bh_sysctl *s = &sc->sysctls[sc->nsysctls++];
					s->n = sys->items[i];
					gstr(x, s->n, "name", wy, &s->name);
					gstr(x, s->n, "value", wy, &s->value);
					/* Sysctl.name and .value are plain Go strings: absent or null is stored as "" */
					if (s->name.r == BH_NULLV || s->name.r == BH_ABSENT)
						s->name.r = BH_OK;
					if (s->value.r == BH_NULLV || s->value.r == BH_ABSENT)
						s->value.r = BH_OK;
				}
			}
		}
		return;
	}
	gbool(x, n, "privileged", w, &sc->privileged);
	gbool(x, n, "allowPrivilegeEscalation", w, &sc->allow_priv_esc);
	gbool(x, n, "readOnlyRootFilesystem", w, &sc->ro_rootfs);
	gstr(x, n, "procMount", w, &sc->proc_mount);
	if ((sc->caps = gmap(x, n, "capabilities", w))) {
		const char *wc = cat(x, w, "capabilities");
		gstrlist(x, sc->caps, "add", wc, &sc->cap_add);
		gstrlist(x, sc->caps, "drop", wc, &sc->cap_drop);
	}
}

static const char *const probe_keys[] = {"livenessProbe", "readinessProbe", "startupProbe"};
static const char *const hook_keys[] = {"postStart", "preStop"};
static const char *const handler_keys[] = {"httpGet", "tcpSocket"};

static void handler_hosts(struct vb *x, struct bh_container *c, const struct bh_node *h, const char *where,
			  struct bh_hostref *out, uint32_t *n)
{
	for (unsigned k = 0; k < 2; k++) {
		const struct bh_node *hm = gmap(x, h, handler_keys[k], where);
		if (!hm)
			continue;
		struct bh_fstr host;
		const char *wh = cat(x, where, handler_keys[k]);
		gstr(x, hm, "host", wh, &host);
		if (host.r == BH_ABSENT)
			continue;
		out[*n].where = bh_arena_printf(x->a, "%s.host", wh + strlen(c->path) + 1);
		out[*n].host = host;
		(*n)++;
	}
}

static void container(struct vb *x, const struct bh_node *n, enum bh_clist list, uint32_t idx, struct bh_container *c)
{
	struct bh_pod *p = x->p;
	c->n = n;
	c->list = list;
	c->index = idx;
	c->path = bh_arena_printf(x->a, "%s.%s[%u]", p->spec_path, bh_clist_key[list], idx);
	if (n->type != BH_MAP) {
		bad(x, n, p->spec_path, bh_clist_key[list], "a container mapping");
		return;
	}
	gstr(x, n, "name", c->path, &c->name);
	gstr(x, n, "image", c->path, &c->image);
	secctx(x, n, c->path, false, &c->sc);
	const struct bh_node *ports = gseq(x, n, "ports", c->path);
	if (ports) {
		c->ports = bh_arena_alloc(x->a, (ports->n ? ports->n : 1) * sizeof(*c->ports));
		const char *wp = cat(x, c->path, "ports");
		for (uint32_t i = 0; c->ports && i < ports->n; i++) {
			struct bh_port *pt = &c->ports[c->nports++];
			pt->n = ports->items[i];
			gint(x, pt->n, "containerPort", wp, &pt->container_port);
			gint(x, pt->n, "hostPort", wp, &pt->host_port);
			gstr(x, pt->n, "hostIP", wp, &pt->host_ip);
			gstr(x, pt->n, "protocol", wp, &pt->protocol);
			/* API-server defaulting PSA then sees (pkg/apis/core/v1/defaults.go SetDefaults_Pod): a Pod
			 * with hostNetwork gets hostPort = containerPort on init and regular containers; pod
			 * templates are not defaulted (DefaultHostNetworkHostPortsInPodTemplates is off) */
			if (list != BH_CL_EPHEMERAL && !strcmp(p->obj->ref.kind, "Pod") && BH_TRUE(p->host_network) &&
			    (pt->host_port.r != BH_OK || pt->host_port.v == 0) && BH_SET(pt->container_port)) {
				pt->host_port = pt->container_port;
				pt->host_port.n = pt->container_port.n;
			}
		}
	}
	const struct bh_node *vm = gseq(x, n, "volumeMounts", c->path);
	if (vm) {
		c->mounts = bh_arena_alloc(x->a, (vm->n ? vm->n : 1) * sizeof(*c->mounts));
		const char *wm = cat(x, c->path, "volumeMounts");
		for (uint32_t i = 0; c->mounts && i < vm->n; i++) {
			struct bh_mount *m = &c->mounts[c->nmounts++];
			m->n = vm->items[i];
			gstr(x, m->n, "name", wm, &m->name);
			gstr(x, m->n, "mountPath", wm, &m->mount_path);
			gstr(x, m->n, "subPath", wm, &m->sub_path);
			gstr(x, m->n, "subPathExpr", wm, &m->sub_path_expr);
			gstr(x, m->n, "mountPropagation", wm, &m->propagation);
			gbool(x, m->n, "readOnly", wm, &m->read_only);
		}
	}
	/* 3 probes + 2 lifecycle hooks, 2 handler kinds each */
	struct bh_hostref hosts[10];
	uint32_t nh = 0;
	for (unsigned i = 0; i < 3; i++) {
		const struct bh_node *pr = gmap(x, n, probe_keys[i], c->path);
		if (pr)
			handler_hosts(x, c, pr, cat(x, c->path, probe_keys[i]), hosts, &nh);
	}
	const struct bh_node *lc = gmap(x, n, "lifecycle", c->path);
	for (unsigned i = 0; lc && i < 2; i++) {
		const char *wl = cat(x, c->path, "lifecycle");
		const struct bh_node *hk = gmap(x, lc, hook_keys[i], wl);
		if (hk)
			handler_hosts(x, c, hk, cat(x, wl, hook_keys[i]), hosts, &nh);
	}
	if (nh && (c->hosts = bh_arena_alloc(x->a, nh * sizeof(*c->hosts)))) {
		memcpy(c->hosts, hosts, nh * sizeof(*hosts));
		c->nhosts = nh;
	}
}

static void volume(struct vb *x, const struct bh_node *n, uint32_t idx, struct bh_volume *v)
{
	struct bh_pod *p = x->p;
	v->n = n;
	v->index = idx;
	const char *w = bh_arena_printf(x->a, "%s.volumes[%u]", p->spec_path, idx);
	if (n->type != BH_MAP) {
		bad(x, n, p->spec_path, "volumes", "a volume mapping");
		return;
	}
	gstr(x, n, "name", w, &v->name);
	v->src = bh_arena_alloc(x->a, (n->n ? n->n : 1) * sizeof(*v->src));
	if (!v->src)
		return;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct bh_node *k = n->pairs[i].key, *val = n->pairs[i].val;
		if (k->type != BH_SCALAR || bh_key_is(k, "name", NULL) || bh_is_null(val))
			continue;
		v->src[v->nsrc].key = k->s;
		v->src[v->nsrc].keynode = k;
		v->src[v->nsrc].n = val;
		v->nsrc++;
	}
	if ((v->host_path = gmap(x, n, "hostPath", w))) {
		const char *wh = cat(x, w, "hostPath");
		gstr(x, v->host_path, "path", wh, &v->host_path_path);
		gstr(x, v->host_path, "type", wh, &v->host_path_type);
	}
}

static void kvs(struct vb *x, const struct bh_node *meta, const char *key, const char *where, struct bh_kv **out,
		uint32_t *n)
{
	const struct bh_node *m = gmap(x, meta, key, where);
	if (!m)
		return;
	*out = bh_arena_alloc(x->a, (m->n ? m->n : 1) * sizeof(**out));
	if (!*out)
		return;
	const char *w = cat(x, where, key);
	for (uint32_t i = 0; i < m->n; i++) {
		const struct bh_node *k = m->pairs[i].key;
		if (k->type != BH_SCALAR)
			continue;
		struct bh_kv *kv = &(*out)[(*n)++];
		kv->key = k->s;
		kv->keylen = k->len;
		kv->keynode = k;
		sstr(x, m->pairs[i].val, w, k->s, &kv->val);
	}
}

/* dotted path lookup ("spec.template.spec") */
static const struct bh_node *walk(struct vb *x, const struct bh_node *n, const char *path)
{
	char seg[64];
	const char *p = path;
	while (n && *p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		if (l >= sizeof(seg))
			return NULL;
		memcpy(seg, p, l);
		seg[l] = 0;
		n = get(x, n, seg, "the pod template path");
		p += l + (dot ? 1 : 0);
	}
	return n && n->type == BH_MAP ? n : NULL;
}

static bool group_is(const char *api_version, const char *group)
{
	if (!strcmp(group, "*"))
		return true;
	const char *slash = api_version ? strchr(api_version, '/') : NULL;
	if (!slash) /* "v1": the core group */
		return group[0] == 0;
	return strlen(group) == (size_t)(slash - api_version) && !strncmp(api_version, group, strlen(group));
}

int bh_pod_build(struct bh_pod *p, const struct bh_object *o, enum bh_reading rd, struct bh_arena *a)
{
	return bh_pod_build_ex(p, o, rd, a, NULL, 0);
}

static const struct bh_podpath *find_path(const struct bh_podpath *t, size_t n, const struct bh_object *o)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].kind, o->ref.kind) && group_is(o->ref.api_version, t[i].group))
			return &t[i];
	return NULL;
}

int bh_pod_build_ex(struct bh_pod *p, const struct bh_object *o, enum bh_reading rd, struct bh_arena *a,
		    const struct bh_podpath *extra, size_t nextra)
{
	memset(p, 0, sizeof(*p));
	p->obj = o;
	p->reading = rd;
	p->errors_tail = &p->errors;
	p->warnings_tail = &p->warnings;
	struct vb x = {p, a, rd};
	const char *kind = o->ref.kind;
	if (!kind)
		return 0;
	/* the config's rows first: they may also override a built-in row */
	const struct bh_podpath *pp = find_path(extra, nextra, o);
	if (!pp)
		pp = find_path(paths, npaths, o);
	if (pp) {
		p->spec = walk(&x, o->root, pp->spec);
		p->meta = pp->meta ? walk(&x, o->root, pp->meta) : NULL;
		p->spec_path = pp->spec;
		p->meta_path = pp->meta;
	} else {
		/* unknown kind shaped like a workload (DESIGN §3): spec.template.spec.containers */
		const struct bh_node *s = walk(&x, o->root, "spec.template.spec");
		if (!s || !bh_map_get(s, "containers", rd, NULL, NULL))
			return 0;
		p->spec = s;
		p->meta = walk(&x, o->root, "spec.template.metadata");
		p->spec_path = "spec.template.spec";
		p->meta_path = "spec.template.metadata";
		p->guessed = true;
	}
	if (!p->spec)
		return 0;
	const struct bh_node *s = p->spec;
	const char *w = p->spec_path;
	gbool(&x, s, "hostNetwork", w, &p->host_network);
	gbool(&x, s, "hostPID", w, &p->host_pid);
	gbool(&x, s, "hostIPC", w, &p->host_ipc);
	gbool(&x, s, "hostUsers", w, &p->host_users);
	gbool(&x, s, "shareProcessNamespace", w, &p->share_pid);
	gbool(&x, s, "automountServiceAccountToken", w, &p->automount_sat);
	gstr(&x, s, "serviceAccountName", w, &p->service_account);
	gstr(&x, s, "nodeName", w, &p->node_name);
	const struct bh_node *os = gmap(&x, s, "os", w);
	if (os)
		gstr(&x, os, "name", cat(&x, w, "os"), &p->os_name);
	secctx(&x, s, w, true, &p->sc);

	const struct bh_node *lists[3];
	uint32_t total = 0;
	for (int l = 0; l < 3; l++) {
		lists[l] = gseq(&x, s, bh_clist_key[l], w);
		total += lists[l] ? lists[l]->n : 0;
	}
	p->c = bh_arena_alloc(a, (total ? total : 1) * sizeof(*p->c));
	if (!p->c)
		return -ENOMEM;
	for (int l = 0; l < 3; l++)
		for (uint32_t i = 0; lists[l] && i < lists[l]->n; i++)
			container(&x, lists[l]->items[i], (enum bh_clist)l, i, &p->c[p->nc++]);

	const struct bh_node *vols = gseq(&x, s, "volumes", w);
	if (vols) {
		p->v = bh_arena_alloc(a, (vols->n ? vols->n : 1) * sizeof(*p->v));
		if (!p->v)
			return -ENOMEM;
		for (uint32_t i = 0; i < vols->n; i++)
			volume(&x, vols->items[i], i, &p->v[p->nv++]);
	}
	if (p->meta) {
		kvs(&x, p->meta, "annotations", p->meta_path, &p->ann, &p->nann);
		kvs(&x, p->meta, "labels", p->meta_path, &p->labels, &p->nlabels);
	}
	return 1;
}

const char *bh_pod_field(struct bh_arena *a, const struct bh_pod *p, const struct bh_container *c, const char *suffix)
{
	return bh_arena_printf(a, "%s.%s", c ? c->path : p->spec_path, suffix);
}

#define EFF(fn, type, field)                                                                   \
	const type *fn(const struct bh_pod *p, const struct bh_container *c, bool *from_pod)   \
	{                                                                                      \
		bool fp = !(c && c->sc.field.r == BH_OK);                                      \
		if (from_pod)                                                                  \
			*from_pod = fp;                                                        \
		return fp ? &p->sc.field : &c->sc.field;                                       \
	}
EFF(bh_eff_run_as_non_root, struct bh_fbool, run_as_non_root)
EFF(bh_eff_run_as_user, struct bh_fint, run_as_user)
EFF(bh_eff_run_as_group, struct bh_fint, run_as_group)
EFF(bh_eff_seccomp_type, struct bh_fstr, seccomp_type)
EFF(bh_eff_apparmor_type, struct bh_fstr, apparmor_type)
EFF(bh_eff_host_process, struct bh_fbool, win_host_process)

const struct bh_kv *bh_pod_annotation(const struct bh_pod *p, const char *key)
{
	size_t l = strlen(key);
	const struct bh_kv *hit = NULL;
	for (uint32_t i = 0; i < p->nann; i++)
		if (p->ann[i].keylen == l && !memcmp(p->ann[i].key, key, l)) {
			hit = &p->ann[i];
			if (p->reading == BH_READ_FIRST)
				break;
		}
	return hit;
}
