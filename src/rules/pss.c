/* The Pod Security Admission checks. Each function mirrors one kubernetes/pod-security-admission
 * policy/check_<id>.go: which fields it reads, what "unset" means, and its ForbiddenReason /
 * ForbiddenDetail wording (helpers.go joinQuote/pluralize, sets.List() = sorted unique). Go semantics
 * that matter here: a null pointer field is the same as an absent one; a null string in a list decodes
 * as ""; capability and profile names are compared exactly (no normalisation). */
#include "pss.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct bh_pss_ctx {
	const struct bh_pod *p;
	struct bh_arena *a;
	int minor;
	int oom;
};

struct bh_pss_out {
	const char *reason, *detail;
	struct bh_pss_site *sites;
	uint32_t nsites, cap;
};

/* ---- small helpers over the arena ---- */

struct slist {
	const char **v;
	uint32_t n, cap;
};

static void sl_grow(struct bh_pss_ctx *x, struct slist *l)
{
	if (l->n < l->cap)
		return;
	uint32_t nc = l->cap ? l->cap * 2 : 8;
	const char **nv = bh_arena_alloc(x->a, nc * sizeof(*nv));
	if (!nv) {
		x->oom = 1;
		return;
	}
	if (l->n)
		memcpy(nv, l->v, l->n * sizeof(*nv));
	l->v = nv;
	l->cap = nc;
}

/* append (Go slice) */
static void sl_add(struct bh_pss_ctx *x, struct slist *l, const char *s)
{
	sl_grow(x, l);
	if (l->n < l->cap)
		l->v[l->n++] = s;
}

/* insert into a sorted set (Go sets.String; List() sorts bytewise) */
static void sl_set(struct bh_pss_ctx *x, struct slist *l, const char *s)
{
	uint32_t i = 0;
	while (i < l->n && strcmp(l->v[i], s) < 0)
		i++;
	if (i < l->n && !strcmp(l->v[i], s))
		return;
	sl_grow(x, l);
	if (l->n >= l->cap)
		return;
	memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(*l->v));
	l->v[i] = s;
	l->n++;
}

static char *join(struct bh_pss_ctx *x, const struct slist *l, const char *pre, const char *sep, const char *post)
{
	size_t n = 1, ls = strlen(sep), lp = strlen(pre), lq = strlen(post);
	for (uint32_t i = 0; i < l->n; i++)
		n += strlen(l->v[i]) + ls + lp + lq;
	char *b = bh_arena_alloc(x->a, n);
	if (!b) {
		x->oom = 1;
		return (char *)"";
	}
	char *w = b;
	for (uint32_t i = 0; i < l->n; i++) {
		if (i)
			w = stpcpy(w, sep);
		w = stpcpy(stpcpy(stpcpy(w, pre), l->v[i]), post);
	}
	*w = 0;
	return b;
}

/* helpers.go joinQuote: "a", "b" (no escaping) */
static char *join_quote(struct bh_pss_ctx *x, const struct slist *l)
{
	return join(x, l, "\"", ", ", "\"");
}

static const char *plural(const char *one, const char *many, uint32_t n)
{
	return n == 1 ? one : many;
}

/* Go's %q for the strings PSA quotes that way (annotation values) */
static char *goquote(struct bh_pss_ctx *x, const char *s)
{
	size_t l = strlen(s);
	char *b = bh_arena_alloc(x->a, l * 4 + 3);
	if (!b) {
		x->oom = 1;
		return (char *)"\"\"";
	}
	char *w = b;
	*w++ = '"';
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		switch (*c) {
		case '"': *w++ = '\\'; *w++ = '"'; break;
		case '\\': *w++ = '\\'; *w++ = '\\'; break;
		case '\a': *w++ = '\\'; *w++ = 'a'; break;
		case '\b': *w++ = '\\'; *w++ = 'b'; break;
		case '\f': *w++ = '\\'; *w++ = 'f'; break;
		case '\n': *w++ = '\\'; *w++ = 'n'; break;
		case '\r': *w++ = '\\'; *w++ = 'r'; break;
		case '\t': *w++ = '\\'; *w++ = 't'; break;
		case '\v': *w++ = '\\'; *w++ = 'v'; break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				w += sprintf(w, "\\x%02x", *c);
			else
				*w++ = (char)*c;
		}
	}
	*w++ = '"';
	*w = 0;
	return b;
}

#define PF(...) bh_arena_printf(x->a, __VA_ARGS__)

static struct bh_pss_site *new_site(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	if (o->nsites == o->cap) {
		uint32_t nc = o->cap ? o->cap * 2 : 4;
		struct bh_pss_site *nv = bh_arena_alloc(x->a, nc * sizeof(*nv));
		if (!nv) {
			x->oom = 1;
			return NULL;
		}
		if (o->nsites)
			memcpy(nv, o->sites, o->nsites * sizeof(*nv));
		o->sites = nv;
		o->cap = nc;
	}
	return &o->sites[o->nsites++];
}

static void site(struct bh_pss_ctx *x, struct bh_pss_out *o, const struct bh_container *c, const char *suffix,
		 const struct bh_node *at)
{
	struct bh_pss_site *s = new_site(x, o);
	if (!s)
		return;
	s->field = bh_pod_field(x->a, x->p, c, suffix);
	s->container = c ? c->name.s : NULL;
	s->at = at ? at : (c ? c->n : x->p->spec);
}

static const struct bh_node *first_node(const struct bh_node *a, const struct bh_node *b, const struct bh_node *c)
{
	return a ? a : b ? b : c;
}

static bool streq(const struct bh_fstr *f, const char *lit)
{
	return f->r == BH_OK && f->len == strlen(lit) && !memcmp(f->s, lit, f->len);
}

static bool in_set(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return true;
	return false;
}

static bool has_prefix(const char *s, const char *pre)
{
	return !strncmp(s, pre, strlen(pre));
}

/* "container "a"" / "containers "a", "b"" */
static const char *containers_phrase(struct bh_pss_ctx *x, const struct slist *l)
{
	return PF("%s %s", plural("container", "containers", l->n), join_quote(x, l));
}

/* spec.os.name == "windows" (checks' v1.25 variants skip Windows pods) */
static bool windows_pod(const struct bh_pss_ctx *x)
{
	return x->minor >= 25 && streq(&x->p->os_name, "windows");
}

/* helpers.go relaxPolicyForUserNamespacePod: hostUsers explicitly false; unconditional from v1.35 */
static bool userns_relaxed(const struct bh_pss_ctx *x)
{
	return x->minor >= 35 && BH_FALSE(x->p->host_users);
}

/* The annotation entry that counts under the pod view's reading (duplicate keys). */
static bool ann_effective(const struct bh_pod *p, const struct bh_kv *kv)
{
	return bh_pod_annotation(p, kv->key) == kv;
}

static void ann_site(struct bh_pss_ctx *x, struct bh_pss_out *o, const struct bh_kv *kv)
{
	struct bh_pss_site *s = new_site(x, o);
	if (!s)
		return;
	s->field = PF("%s.annotations[\"%s\"]", x->p->meta_path ? x->p->meta_path : "metadata", kv->key);
	s->container = NULL;
	s->at = kv->val.n ? kv->val.n : kv->keynode;
}

/* ---- baseline ---- */

/* check_appArmorProfile.go: annotation values "", runtime/default, localhost/<name>; field types
 * RuntimeDefault or Localhost (Unconfined forbidden); one v1.0 variant for every version. */
static bool aa_type_ok(const struct bh_fstr *t)
{
	return streq(t, "RuntimeDefault") || streq(t, "Localhost");
}

static bool check_apparmor(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist setters = {0}, values = {0}, bad = {0}, anns = {0};
	if (p->sc.apparmor && !aa_type_ok(&p->sc.apparmor_type)) {
		sl_add(x, &setters, "pod");
		sl_set(x, &values, p->sc.apparmor_type.s);
		site(x, o, NULL, "securityContext.appArmorProfile.type", first_node(p->sc.apparmor_type.n, p->sc.apparmor, NULL));
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->sc.apparmor && !aa_type_ok(&c->sc.apparmor_type)) {
			sl_add(x, &bad, c->name.s);
			sl_set(x, &values, c->sc.apparmor_type.s);
			site(x, o, c, "securityContext.appArmorProfile.type", first_node(c->sc.apparmor_type.n, c->sc.apparmor, NULL));
		}
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	for (uint32_t i = 0; i < p->nann; i++) {
		const struct bh_kv *kv = &p->ann[i];
		if (!has_prefix(kv->key, "container.apparmor.security.beta.kubernetes.io/") || !ann_effective(p, kv))
			continue;
		const char *v = kv->val.s;
		if (!v[0] || !strcmp(v, "runtime/default") || has_prefix(v, "localhost/"))
			continue;
		sl_set(x, &anns, PF("%s=%s", kv->key, goquote(x, v)));
		ann_site(x, o, kv);
	}
	/* badValues.List() then the sorted annotations appended */
	for (uint32_t i = 0; i < anns.n; i++)
		sl_add(x, &values, anns.v[i]);
	if (anns.n)
		sl_add(x, &setters, plural("annotation", "annotations", anns.n));
	if (!setters.n)
		return false;
	o->reason = plural("forbidden AppArmor profile", "forbidden AppArmor profiles", values.n);
	o->detail = PF("%s must not set AppArmor profile type to %s", join(x, &setters, "", " and ", ""),
		       join_quote(x, &values));
	return true;
}

/* check_capabilities_baseline.go: capabilities.add ⊆ the container runtimes' default set, exact names */
static const char *const caps_default[] = {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
					   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT", NULL};

bool bh_pss_cap_allowed(const char *cap)
{
	return in_set(cap, caps_default);
}

static bool check_caps_baseline(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0}, caps = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (!c->sc.caps)
			continue;
		bool ok = true;
		for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
			const struct bh_fstr *cap = &c->sc.cap_add.v[k];
			if (in_set(cap->s, caps_default))
				continue;
			ok = false;
			sl_set(x, &caps, cap->s);
			site(x, o, c, PF("securityContext.capabilities.add[%u]", k), cap->n);
		}
		if (!ok)
			sl_add(x, &bad, c->name.s);
	}
	if (!bad.n)
		return false;
	o->reason = "non-default capabilities";
	o->detail = PF("%s must not include %s in securityContext.capabilities.add", containers_phrase(x, &bad),
		       join_quote(x, &caps));
	return true;
}

/* check_hostNamespaces.go */
static bool check_host_namespaces(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist ns = {0};
	/* PSA's order and wording: "hostNetwork=true, hostPID=true, hostIPC=true" */
	if (BH_TRUE(p->host_network)) {
		sl_add(x, &ns, "hostNetwork=true");
		site(x, o, NULL, "hostNetwork", p->host_network.n);
	}
	if (BH_TRUE(p->host_pid)) {
		sl_add(x, &ns, "hostPID=true");
		site(x, o, NULL, "hostPID", p->host_pid.n);
	}
	if (BH_TRUE(p->host_ipc)) {
		sl_add(x, &ns, "hostIPC=true");
		site(x, o, NULL, "hostIPC", p->host_ipc.n);
	}
	if (!ns.n)
		return false;
	o->reason = "host namespaces";
	o->detail = join(x, &ns, "", ", ", "");
	return true;
}

/* check_hostPathVolumes.go */
static bool check_host_path(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist vols = {0};
	for (uint32_t i = 0; i < p->nv; i++)
		if (p->v[i].host_path) {
			sl_add(x, &vols, p->v[i].name.s);
			site(x, o, NULL, PF("volumes[%u].hostPath", i), p->v[i].host_path);
		}
	if (!vols.n)
		return false;
	o->reason = "hostPath volumes";
	o->detail = PF("%s %s", plural("volume", "volumes", vols.n), join_quote(x, &vols));
	return true;
}

/* check_hostPorts.go: hostPort must be unset or 0 */
static bool check_host_ports(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0}, ports = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		bool ok = true;
		for (uint32_t k = 0; k < c->nports; k++) {
			const struct bh_fint *hp = &c->ports[k].host_port;
			if (hp->r != BH_OK || hp->v == 0)
				continue;
			ok = false;
			sl_set(x, &ports, PF("%lld", (long long)hp->v));
			site(x, o, c, PF("ports[%u].hostPort", k), hp->n);
		}
		if (!ok)
			sl_add(x, &bad, c->name.s);
	}
	if (!bad.n)
		return false;
	o->reason = "hostPort";
	o->detail = PF("%s %s %s %s", containers_phrase(x, &bad), plural("uses", "use", bad.n),
		       plural("hostPort", "hostPorts", ports.n), join(x, &ports, "", ", ", ""));
	return true;
}

/* check_hostProbesAndhostLifecycle.go (v1.34+): probe and lifecycle httpGet/tcpSocket host must be "" */
static bool check_host_probes(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0}, hosts = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (uint32_t k = 0; k < c->nhosts; k++) {
			const struct bh_fstr *h = &c->hosts[k].host;
			if (!h->len)
				continue;
			sl_set(x, &bad, c->name.s);
			sl_set(x, &hosts, h->s);
			site(x, o, c, c->hosts[k].where, h->n);
		}
	}
	if (!bad.n)
		return false;
	o->reason = "probe or lifecycle host";
	o->detail = PF("%s %s %s %s", containers_phrase(x, &bad), plural("uses", "use", bad.n),
		       plural("probe or lifecycle host", "probe or lifecycle hosts", hosts.n), join_quote(x, &hosts));
	return true;
}

/* check_privileged.go */
static bool check_privileged(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0};
	for (uint32_t i = 0; i < p->nc; i++)
		if (BH_TRUE(p->c[i].sc.privileged)) {
			sl_add(x, &bad, p->c[i].name.s);
			site(x, o, &p->c[i], "securityContext.privileged", p->c[i].sc.privileged.n);
		}
	if (!bad.n)
		return false;
	o->reason = "privileged";
	o->detail = PF("%s must not set securityContext.privileged=true", containers_phrase(x, &bad));
	return true;
}

/* check_procMount.go / check_procMount_restricted.go: unset or "Default" */
static bool proc_mount(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0}, types = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_fstr *pm = &p->c[i].sc.proc_mount;
		if (pm->r != BH_OK || streq(pm, "Default"))
			continue;
		sl_add(x, &bad, p->c[i].name.s);
		sl_set(x, &types, pm->s);
		site(x, o, &p->c[i], "securityContext.procMount", pm->n);
	}
	if (!bad.n)
		return false;
	o->reason = "procMount";
	o->detail = PF("%s must not set securityContext.procMount to %s", containers_phrase(x, &bad),
		       join_quote(x, &types));
	return true;
}

static bool check_proc_mount(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	if (userns_relaxed(x)) /* v1.35: any procMount with a user namespace */
		return false;
	return proc_mount(x, o);
}

static bool check_proc_mount_restricted(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	return proc_mount(x, o);
}

/* check_seLinuxOptions.go: type ∈ allowed set (container_engine_t from v1.31), no user, no role */
static const char *const selinux_types_1_0[] = {"", "container_t", "container_init_t", "container_kvm_t", NULL};
static const char *const selinux_types_1_31[] = {"", "container_t", "container_init_t", "container_kvm_t",
						 "container_engine_t", NULL};

static bool selinux_valid(struct bh_pss_ctx *x, const struct bh_secctx *sc, struct slist *types, bool *user,
			  bool *role, const struct bh_node **at)
{
	bool ok = true;
	*at = NULL;
	if (!in_set(sc->se_type.s, x->minor >= 31 ? selinux_types_1_31 : selinux_types_1_0)) {
		ok = false;
		sl_set(x, types, sc->se_type.s);
		*at = sc->se_type.n;
	}
	if (sc->se_user.len) {
		ok = false;
		*user = true;
		*at = *at ? *at : sc->se_user.n;
	}
	if (sc->se_role.len) {
		ok = false;
		*role = true;
		*at = *at ? *at : sc->se_role.n;
	}
	*at = *at ? *at : sc->selinux;
	return ok;
}

static bool check_selinux(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist setters = {0}, types = {0}, bad = {0};
	bool user = false, role = false;
	const struct bh_node *at;
	if (p->sc.selinux && !selinux_valid(x, &p->sc, &types, &user, &role, &at)) {
		sl_add(x, &setters, "pod");
		site(x, o, NULL, "securityContext.seLinuxOptions", at);
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->sc.selinux && !selinux_valid(x, &c->sc, &types, &user, &role, &at)) {
			sl_add(x, &bad, c->name.s);
			site(x, o, c, "securityContext.seLinuxOptions", at);
		}
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	if (!setters.n)
		return false;
	struct slist data = {0};
	if (types.n)
		sl_add(x, &data, PF("%s %s", plural("type", "types", types.n), join_quote(x, &types)));
	if (user)
		sl_add(x, &data, "user may not be set");
	if (role)
		sl_add(x, &data, "role may not be set");
	o->reason = "seLinuxOptions";
	o->detail = PF("%s set forbidden securityContext.seLinuxOptions: %s", join(x, &setters, "", " and ", ""),
		       join(x, &data, "", "; ", ""));
	return true;
}

/* check_seccompProfile_baseline.go: v1.0 reads the alpha annotations, v1.19+ the fields */
static bool seccomp_ann_ok(const char *v)
{
	return !strcmp(v, "runtime/default") || !strcmp(v, "docker/default") || has_prefix(v, "localhost/");
}

static bool seccomp_type_ok(const struct bh_fstr *t)
{
	return streq(t, "RuntimeDefault") || streq(t, "Localhost");
}

static bool seccomp_annotations(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0};
	const struct bh_kv *kv = bh_pod_annotation(p, "seccomp.security.alpha.kubernetes.io/pod");
	if (kv && !seccomp_ann_ok(kv->val.s)) {
		sl_set(x, &bad, PF("%s=%s", kv->key, goquote(x, kv->val.s)));
		ann_site(x, o, kv);
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		char key[512];
		snprintf(key, sizeof(key), "container.seccomp.security.alpha.kubernetes.io/%s", p->c[i].name.s);
		kv = bh_pod_annotation(p, key);
		if (kv && !seccomp_ann_ok(kv->val.s)) {
			sl_set(x, &bad, PF("%s=%s", kv->key, goquote(x, kv->val.s)));
			ann_site(x, o, kv);
		}
	}
	if (!bad.n)
		return false;
	o->reason = "seccompProfile";
	o->detail = PF("forbidden %s %s", plural("annotation", "annotations", bad.n), join(x, &bad, "", ", ", ""));
	return true;
}

/* shared by baseline v1.19 and restricted: explicit bad values; *implicit collects containers that set
 * nothing (restricted only) */
static bool seccomp_fields(struct bh_pss_ctx *x, struct bh_pss_out *o, bool restricted)
{
	const struct bh_pod *p = x->p;
	struct slist setters = {0}, values = {0}, bad = {0}, implicit = {0};
	bool pod_ok = false;
	if (p->sc.seccomp) {
		if (!seccomp_type_ok(&p->sc.seccomp_type)) {
			sl_add(x, &setters, "pod");
			sl_set(x, &values, p->sc.seccomp_type.s);
			site(x, o, NULL, "securityContext.seccompProfile.type", first_node(p->sc.seccomp_type.n, p->sc.seccomp, NULL));
		} else
			pod_ok = true;
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (c->sc.seccomp) {
			if (!seccomp_type_ok(&c->sc.seccomp_type)) {
				sl_add(x, &bad, c->name.s);
				sl_set(x, &values, c->sc.seccomp_type.s);
				site(x, o, c, "securityContext.seccompProfile.type", first_node(c->sc.seccomp_type.n, c->sc.seccomp, NULL));
			}
		} else if (restricted && !pod_ok)
			sl_add(x, &implicit, c->name.s);
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	o->reason = "seccompProfile";
	if (setters.n) {
		o->detail = PF("%s must not set securityContext.seccompProfile.type to %s",
			       join(x, &setters, "", " and ", ""), join_quote(x, &values));
		return true;
	}
	if (implicit.n) {
		for (uint32_t i = 0; i < p->nc; i++)
			if (!p->c[i].sc.seccomp)
				site(x, o, &p->c[i], "securityContext.seccompProfile", first_node(p->c[i].sc.n, p->c[i].n, NULL));
		o->detail = PF("pod or %s must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"",
			       containers_phrase(x, &implicit));
		return true;
	}
	return false;
}

static bool check_seccomp_baseline(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	return x->minor >= 19 ? seccomp_fields(x, o, false) : seccomp_annotations(x, o);
}

/* check_sysctls.go: the safe set grows with the version (1.27, 1.29, 1.32, 1.37) */
static const struct {
	uint8_t since;
	const char *name;
} safe_sysctls[] = {
	{0, "kernel.shm_rmid_forced"},
	{0, "net.ipv4.ip_local_port_range"},
	{0, "net.ipv4.tcp_syncookies"},
	{0, "net.ipv4.ping_group_range"},
	{0, "net.ipv4.ip_unprivileged_port_start"},
	{27, "net.ipv4.ip_local_reserved_ports"},
	{29, "net.ipv4.tcp_keepalive_time"},
	{29, "net.ipv4.tcp_fin_timeout"},
	{29, "net.ipv4.tcp_keepalive_intvl"},
	{29, "net.ipv4.tcp_keepalive_probes"},
	{32, "net.ipv4.tcp_rmem"},
	{32, "net.ipv4.tcp_wmem"},
	{37, "net.ipv4.tcp_slow_start_after_idle"},
	{37, "net.ipv4.tcp_notsent_lowat"},
};

bool bh_pss_sysctl_safe(const char *name, int minor)
{
	minor = bh_pss_effective_minor(minor);
	for (size_t k = 0; k < sizeof(safe_sysctls) / sizeof(safe_sysctls[0]); k++)
		if (safe_sysctls[k].since <= minor && !strcmp(name, safe_sysctls[k].name))
			return true;
	return false;
}

static bool check_sysctls(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0};
	for (uint32_t i = 0; i < p->sc.nsysctls; i++) {
		const struct bh_fstr *n = &p->sc.sysctls[i].name;
		bool safe = false;
		for (size_t k = 0; k < sizeof(safe_sysctls) / sizeof(safe_sysctls[0]) && !safe; k++)
			safe = safe_sysctls[k].since <= x->minor && streq(n, safe_sysctls[k].name);
		if (safe)
			continue;
		sl_add(x, &bad, n->s);
		site(x, o, NULL, PF("securityContext.sysctls[%u].name", i), first_node(n->n, p->sc.sysctls[i].n, NULL));
	}
	if (!bad.n)
		return false;
	o->reason = "forbidden sysctls";
	o->detail = join(x, &bad, "", ", ", "");
	return true;
}

/* check_windowsHostProcess.go */
static bool check_host_process(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist setters = {0}, bad = {0};
	for (uint32_t i = 0; i < p->nc; i++)
		if (BH_TRUE(p->c[i].sc.win_host_process)) {
			sl_add(x, &bad, p->c[i].name.s);
			site(x, o, &p->c[i], "securityContext.windowsOptions.hostProcess", p->c[i].sc.win_host_process.n);
		}
	if (BH_TRUE(p->sc.win_host_process)) {
		sl_add(x, &setters, "pod");
		site(x, o, NULL, "securityContext.windowsOptions.hostProcess", p->sc.win_host_process.n);
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	if (!setters.n)
		return false;
	o->reason = "hostProcess";
	o->detail = PF("%s must not set securityContext.windowsOptions.hostProcess=true", join(x, &setters, "", " and ", ""));
	return true;
}

/* ---- restricted ---- */

/* check_allowPrivilegeEscalation.go (v1.8; v1.25 skips Windows pods): must be explicitly false */
static bool check_ape(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	if (windows_pod(x))
		return false;
	struct slist bad = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_FALSE(c->sc.allow_priv_esc))
			continue;
		sl_add(x, &bad, c->name.s);
		site(x, o, c, "securityContext.allowPrivilegeEscalation", first_node(c->sc.allow_priv_esc.n, c->sc.n, c->n));
	}
	if (!bad.n)
		return false;
	o->reason = "allowPrivilegeEscalation != false";
	o->detail = PF("%s must set securityContext.allowPrivilegeEscalation=false", containers_phrase(x, &bad));
	return true;
}

/* check_capabilities_restricted.go (v1.22; v1.25 skips Windows pods): drop must contain "ALL", add only
 * NET_BIND_SERVICE */
static bool check_caps_restricted(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	if (windows_pod(x))
		return false;
	struct slist nodrop = {0}, adding = {0}, caps = {0};
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (!c->sc.caps) {
			sl_add(x, &nodrop, c->name.s);
			site(x, o, c, "securityContext.capabilities.drop", first_node(c->sc.n, c->n, NULL));
			continue;
		}
		bool all = false;
		for (uint32_t k = 0; k < c->sc.cap_drop.len && !all; k++)
			all = streq(&c->sc.cap_drop.v[k], "ALL");
		if (!all) {
			sl_add(x, &nodrop, c->name.s);
			site(x, o, c, "securityContext.capabilities.drop", first_node(c->sc.cap_drop.n, c->sc.caps, NULL));
		}
		bool bad = false;
		for (uint32_t k = 0; k < c->sc.cap_add.len; k++) {
			const struct bh_fstr *cap = &c->sc.cap_add.v[k];
			if (streq(cap, "NET_BIND_SERVICE"))
				continue;
			bad = true;
			sl_set(x, &caps, cap->s);
			site(x, o, c, PF("securityContext.capabilities.add[%u]", k), cap->n);
		}
		if (bad)
			sl_add(x, &adding, c->name.s);
	}
	struct slist parts = {0};
	if (nodrop.n)
		sl_add(x, &parts, PF("%s must set securityContext.capabilities.drop=[\"ALL\"]", containers_phrase(x, &nodrop)));
	if (adding.n)
		sl_add(x, &parts, PF("%s must not include %s in securityContext.capabilities.add",
				     containers_phrase(x, &adding), join_quote(x, &caps)));
	if (!parts.n)
		return false;
	o->reason = "unrestricted capabilities";
	o->detail = join(x, &parts, "", "; ", "");
	return true;
}

/* check_restrictedVolumes.go: only these sources; the first forbidden source in PSA's switch order names
 * the type. PSA's "unknown" type (a source newer than its switch) cannot arise here: keys we do not know
 * are dropped by the API server's decoder. */
static const char *const vol_allowed[] = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
					  "persistentVolumeClaim", "projected", "secret", NULL};
static const char *const vol_forbidden[] = {"hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs",
					    "iscsi", "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker",
					    "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk",
					    "photonPersistentDisk", "portworxVolume", "scaleIO", "storageos", NULL};

static bool check_restricted_volumes(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	struct slist bad = {0}, types = {0};
	for (uint32_t i = 0; i < p->nv; i++) {
		const struct bh_volume *v = &p->v[i];
		bool ok = false;
		for (uint32_t k = 0; k < v->nsrc && !ok; k++)
			ok = in_set(v->src[k].key, vol_allowed);
		if (ok)
			continue;
		/* a key differing only by case is read as that field (DESIGN §2: the riskier reading) */
		const char *type = NULL;
		const struct bh_volsrc *src = NULL;
		for (const char *const *f = vol_forbidden; *f && !src; f++)
			for (uint32_t k = 0; k < v->nsrc && !src; k++)
				if (!strcasecmp(v->src[k].key, *f)) {
					src = &v->src[k];
					type = *f;
				}
		/* No known source at all: the API server defaults the volume to emptyDir before admission
		 * (pkg/apis/core/v1/defaults.go SetDefaults_Volume), so PSA sees an allowed type. */
		if (!src)
			continue;
		sl_add(x, &bad, v->name.s);
		sl_set(x, &types, type);
		site(x, o, NULL, PF("volumes[%u].%s", i, src->key), src->keynode);
	}
	if (!bad.n)
		return false;
	o->reason = "restricted volume types";
	o->detail = PF("%s %s %s %s %s", plural("volume", "volumes", bad.n), join_quote(x, &bad), plural("uses", "use", bad.n),
		       plural("restricted volume type", "restricted volume types", types.n), join_quote(x, &types));
	return true;
}

/* check_runAsNonRoot.go (v1.0; v1.35 relaxed for user-namespaced pods): pod true and no container false,
 * or every container true; runAsUser != 0 does not count */
static bool check_run_as_non_root(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	if (userns_relaxed(x))
		return false;
	struct slist setters = {0}, bad = {0}, implicit = {0};
	bool pod_true = false;
	if (BH_FALSE(p->sc.run_as_non_root)) {
		sl_add(x, &setters, "pod");
		site(x, o, NULL, "securityContext.runAsNonRoot", p->sc.run_as_non_root.n);
	} else if (BH_TRUE(p->sc.run_as_non_root))
		pod_true = true;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_SET(c->sc.run_as_non_root)) {
			if (!c->sc.run_as_non_root.v) {
				sl_add(x, &bad, c->name.s);
				site(x, o, c, "securityContext.runAsNonRoot", c->sc.run_as_non_root.n);
			}
		} else if (!pod_true)
			sl_add(x, &implicit, c->name.s);
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	o->reason = "runAsNonRoot != true";
	if (setters.n) {
		o->detail = PF("%s must not set securityContext.runAsNonRoot=false", join(x, &setters, "", " and ", ""));
		return true;
	}
	if (implicit.n) {
		for (uint32_t i = 0; i < p->nc; i++)
			if (!BH_SET(p->c[i].sc.run_as_non_root))
				site(x, o, &p->c[i], "securityContext.runAsNonRoot", first_node(p->c[i].sc.n, p->c[i].n, NULL));
		o->detail = PF("pod or %s must set securityContext.runAsNonRoot=true", containers_phrase(x, &implicit));
		return true;
	}
	return false;
}

/* check_runAsUser.go (v1.23; v1.35 relaxed for user-namespaced pods): runAsUser must not be 0 */
static bool check_run_as_user(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	const struct bh_pod *p = x->p;
	if (userns_relaxed(x))
		return false;
	struct slist setters = {0}, bad = {0};
	if (BH_SET(p->sc.run_as_user) && p->sc.run_as_user.v == 0) {
		sl_add(x, &setters, "pod");
		site(x, o, NULL, "securityContext.runAsUser", p->sc.run_as_user.n);
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_SET(c->sc.run_as_user) && c->sc.run_as_user.v == 0) {
			sl_add(x, &bad, c->name.s);
			site(x, o, c, "securityContext.runAsUser", c->sc.run_as_user.n);
		}
	}
	if (bad.n)
		sl_add(x, &setters, containers_phrase(x, &bad));
	if (!setters.n)
		return false;
	o->reason = "runAsUser=0";
	o->detail = PF("%s must not set runAsUser=0", join(x, &setters, "", " and ", ""));
	return true;
}

/* check_seccompProfile_restricted.go (v1.19; v1.25 skips Windows pods) */
static bool check_seccomp_restricted(struct bh_pss_ctx *x, struct bh_pss_out *o)
{
	if (windows_pod(x))
		return false;
	return seccomp_fields(x, o, true);
}

/* ---- the table, in PSA's aggregation order ---- */

const struct bh_pss_check bh_pss_checks[BH_PSS_NCHECKS] = {
	{"appArmorProfile", BH_PSS_BASELINE, "forbidden AppArmor profile", "BH0100", NULL, 1, {0}, check_apparmor},
	{"capabilities_baseline", BH_PSS_BASELINE, "non-default capabilities", "BH0101", NULL, 1, {0}, check_caps_baseline},
	{"hostNamespaces", BH_PSS_BASELINE, "host namespaces", "BH0102", NULL, 1, {0}, check_host_namespaces},
	{"hostPathVolumes", BH_PSS_BASELINE, "hostPath volumes", "BH0103", NULL, 1, {0}, check_host_path},
	{"hostPorts", BH_PSS_BASELINE, "hostPort", "BH0104", NULL, 1, {0}, check_host_ports},
	{"hostProbesAndHostLifecycle", BH_PSS_BASELINE, "probe or lifecycle host", "BH0105", NULL, 1, {34}, check_host_probes},
	{"privileged", BH_PSS_BASELINE, "privileged", "BH0106", NULL, 1, {0}, check_privileged},
	{"procMount", BH_PSS_BASELINE, "procMount", "BH0107", NULL, 2, {0, 35}, check_proc_mount},
	{"seLinuxOptions", BH_PSS_BASELINE, "seLinuxOptions", "BH0108", NULL, 2, {0, 31}, check_selinux},
	{"seccompProfile_baseline", BH_PSS_BASELINE, "seccompProfile", "BH0109", NULL, 2, {0, 19}, check_seccomp_baseline},
	{"sysctls", BH_PSS_BASELINE, "forbidden sysctls", "BH0110", NULL, 5, {0, 27, 29, 32, 37}, check_sysctls},
	{"windowsHostProcess", BH_PSS_BASELINE, "hostProcess", "BH0111", NULL, 1, {0}, check_host_process},
	{"allowPrivilegeEscalation", BH_PSS_RESTRICTED, "allowPrivilegeEscalation != false", "BH0112", NULL, 2, {8, 25}, check_ape},
	{"capabilities_restricted", BH_PSS_RESTRICTED, "unrestricted capabilities", "BH0113", "capabilities_baseline", 2, {22, 25},
	 check_caps_restricted},
	{"procMount_restricted", BH_PSS_RESTRICTED, "procMount", "BH0114", "procMount", 1, {35}, check_proc_mount_restricted},
	{"restrictedVolumes", BH_PSS_RESTRICTED, "restricted volume types", "BH0115", "hostPathVolumes", 1, {0},
	 check_restricted_volumes},
	{"runAsNonRoot", BH_PSS_RESTRICTED, "runAsNonRoot != true", "BH0116", NULL, 2, {0, 35}, check_run_as_non_root},
	{"runAsUser", BH_PSS_RESTRICTED, "runAsUser=0", "BH0117", NULL, 2, {23, 35}, check_run_as_user},
	{"seccompProfile_restricted", BH_PSS_RESTRICTED, "seccompProfile", "BH0118", "seccompProfile_baseline", 2, {19, 25},
	 check_seccomp_restricted},
};

int bh_pss_effective_minor(int minor)
{
	return minor < 0 || minor > BH_PSS_MAX_MINOR ? BH_PSS_MAX_MINOR : minor;
}

int bh_pss_variant(const struct bh_pss_check *c, int minor)
{
	minor = bh_pss_effective_minor(minor);
	int v = -1;
	for (int i = 0; i < c->nvariants; i++)
		if (c->min_minor[i] <= minor)
			v = i;
	return v;
}

bool bh_pss_check_active(const struct bh_pss_check *c, enum bh_pss_level level, int minor)
{
	if (level == BH_PSS_PRIVILEGED || c->level > level || bh_pss_variant(c, minor) < 0)
		return false;
	if (level == BH_PSS_RESTRICTED && c->level == BH_PSS_BASELINE)
		for (unsigned i = 0; i < BH_PSS_NCHECKS; i++) {
			const struct bh_pss_check *r = &bh_pss_checks[i];
			if (r->overrides && !strcmp(r->overrides, c->id) && bh_pss_variant(r, minor) >= 0)
				return false; /* registry.go: overridden baseline checks are skipped */
		}
	return true;
}

const struct bh_pss_check *bh_pss_check_effective(const struct bh_pss_check *c, enum bh_pss_level level, int minor)
{
	if (bh_pss_check_active(c, level, minor))
		return c;
	for (unsigned i = 0; i < BH_PSS_NCHECKS; i++) {
		const struct bh_pss_check *r = &bh_pss_checks[i];
		if (r->overrides && !strcmp(r->overrides, c->id) && bh_pss_check_active(r, level, minor))
			return r;
	}
	return NULL;
}

const struct bh_pss_check *bh_pss_check_find(const char *id)
{
	for (unsigned i = 0; i < BH_PSS_NCHECKS; i++)
		if (!strcasecmp(bh_pss_checks[i].id, id))
			return &bh_pss_checks[i];
	return NULL;
}

int bh_pss_eval(const struct bh_pod *p, enum bh_pss_level level, int minor, struct bh_arena *a,
		struct bh_pss_result *out)
{
	memset(out, 0, sizeof(*out));
	out->level = level;
	out->minor = bh_pss_effective_minor(minor);
	out->allowed = true;
	struct bh_pss_ctx x = {p, a, out->minor, 0};
	for (unsigned i = 0; i < BH_PSS_NCHECKS; i++) {
		const struct bh_pss_check *c = &bh_pss_checks[i];
		if (!bh_pss_check_active(c, level, out->minor))
			continue;
		struct bh_pss_out o = {0};
		if (!c->fn(&x, &o))
			continue;
		struct bh_pss_violation *v = &out->v[out->n++];
		v->check = c;
		v->reason = o.reason;
		v->detail = o.detail;
		v->sites = o.sites;
		v->nsites = o.nsites;
		out->allowed = false;
	}
	return x.oom ? -ENOMEM : 0;
}

int bh_pss_level_parse(const char *s)
{
	if (!strcmp(s, "privileged"))
		return BH_PSS_PRIVILEGED;
	if (!strcmp(s, "baseline"))
		return BH_PSS_BASELINE;
	if (!strcmp(s, "restricted"))
		return BH_PSS_RESTRICTED;
	return -1;
}

const char *bh_pss_level_name(enum bh_pss_level l)
{
	switch (l) {
	case BH_PSS_PRIVILEGED: return "privileged";
	case BH_PSS_BASELINE: return "baseline";
	case BH_PSS_RESTRICTED: return "restricted";
	}
	return "?";
}

/* api/constants.go + api/helpers.go ParseVersion: "latest" or "v1.<minor>" */
int bh_pss_version_parse(const char *s, int *minor)
{
	if (!strcmp(s, "latest")) {
		*minor = BH_PSS_LATEST;
		return 0;
	}
	if (strncmp(s, "v1.", 3) || !s[3])
		return -EINVAL;
	long n = 0;
	for (const char *c = s + 3; *c; c++) {
		if (*c < '0' || *c > '9' || n > 100000)
			return -EINVAL;
		n = n * 10 + (*c - '0');
	}
	if (s[3] == '0' && s[4]) /* no leading zeros */
		return -EINVAL;
	*minor = (int)n;
	return 0;
}
