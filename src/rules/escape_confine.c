/* Confinement rules: seccomp, AppArmor, SELinux, /proc masking, sysctls, no_new_privs, the user the
 * container runs as, and the capability bounding set. These are the walls a container escape has to get
 * through; each rule says which wall is missing. Privileged containers are skipped where privileged
 * already removes the wall (BH0001 reports them). */
#include <stdio.h>
#include <string.h>

#include "escape.h"
#include "pss.h"

static const char *ann_field(struct bh_findings *out, const struct bh_pod *p, const struct bh_kv *kv)
{
	return bh_arena_printf(out->a, "%s.annotations[\"%s\"]", p->meta_path ? p->meta_path : "metadata", kv->key);
}

static const struct bh_node *kv_node(const struct bh_kv *kv)
{
	return kv->val.n ? kv->val.n : kv->keynode;
}

static const struct bh_kv *container_ann(const struct bh_pod *p, const char *prefix, const struct bh_container *c)
{
	char key[512];
	snprintf(key, sizeof(key), "%s%s", prefix, c->name.s);
	return bh_pod_annotation(p, key);
}

static bool kv_is(const struct bh_kv *kv, const char *v)
{
	return kv && kv->val.r == BH_OK && !strcmp(kv->val.s, v);
}

/* Shared by the seccomp and AppArmor "Unconfined" rules: the effective type (container, else pod), the
 * pod-level value reported once, then the deprecated annotations (riskier reading: older kubelets still
 * apply them). */
static void unconfined(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out,
		       const struct bh_fstr *(*eff)(const struct bh_pod *, const struct bh_container *, bool *),
		       const char *suffix, const char *pod_ann, const char *ctr_ann_prefix, const char *ann_val,
		       const char *what)
{
	if (bh_pod_windows(p))
		return;
	bool pod_done = false;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged))
			continue;
		bool from_pod;
		const struct bh_fstr *t = eff(p, c, &from_pod);
		if (BH_STREQ(*t, "Unconfined")) {
			if (from_pod && !pod_done)
				bh_emit_at(out, r, r->sev, p, NULL, true, suffix, t->n,
					   "the pod sets %s Unconfined for its containers: %s", what, "no filter between them and the node's kernel");
			else if (!from_pod)
				bh_emit_field(out, r, r->sev, p, c, suffix, t->n, "container \"%s\" sets %s Unconfined",
					      c->name.s, what);
			pod_done |= from_pod;
			continue;
		}
		if (t->r == BH_OK)
			continue; /* the field wins over the annotations */
		const struct bh_kv *kv = container_ann(p, ctr_ann_prefix, c);
		if (kv_is(kv, ann_val))
			bh_emit(out, r, r->sev, c->name.s, ann_field(out, p, kv), kv_node(kv)->line, kv_node(kv)->col,
				"container \"%s\" is annotated %s \"%s\" (deprecated annotation, still applied by older "
				"clusters)", c->name.s, what, ann_val);
		else if (!kv && pod_ann && !pod_done && kv_is(bh_pod_annotation(p, pod_ann), ann_val)) {
			const struct bh_kv *pk = bh_pod_annotation(p, pod_ann);
			bh_emit(out, r, r->sev, NULL, ann_field(out, p, pk), kv_node(pk)->line, kv_node(pk)->col,
				"the pod is annotated %s \"%s\" (deprecated annotation, still applied by older clusters)",
				what, ann_val);
			pod_done = true;
		}
	}
}

/* seccomp Unconfined: every system call reaches the kernel, including those behind most kernel escapes
 * (unshare+mount, keyctl, userfaultfd, bpf). https://kubernetes.io/docs/tutorials/security/seccomp/ */
void bh_rule_seccomp_unconfined(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	unconfined(r, p, out, bh_eff_seccomp_type, "securityContext.seccompProfile.type",
		   "seccomp.security.alpha.kubernetes.io/pod", "container.seccomp.security.alpha.kubernetes.io/",
		   "unconfined", "seccomp profile");
}

/* No seccomp profile on the pod nor the container: the kubelet runs it Unconfined unless it was started
 * with seccompDefault (KEP-2413), which a manifest cannot see. One finding per container, on the field
 * PSA's restricted check names. Current kubelets no longer apply the deprecated annotations, so they do
 * not count as a profile. */
void bh_rule_seccomp_not_set(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p) || p->sc.seccomp_type.r == BH_OK)
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged) || c->sc.seccomp_type.r == BH_OK)
			continue;
		bh_emit_field(out, r, r->sev, p, c, "securityContext.seccompProfile", c->sc.seccomp ? c->sc.seccomp : c->sc.n,
			      "no seccomp profile for container \"%s\" (nor on the pod): it runs Unconfined unless the kubelet "
			      "enforces seccompDefault, which this manifest cannot show",
			      c->name.s);
	}
}

/* AppArmor Unconfined: the runtime's default profile denies mount, writes to /proc/sys and /sys, and
 * ptrace of other profiles; without it SYS_ADMIN means release_agent. An absent profile is fine: the
 * runtime applies its default on AppArmor hosts.
 * https://kubernetes.io/docs/tutorials/security/apparmor/ */
void bh_rule_apparmor_unconfined(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	unconfined(r, p, out, bh_eff_apparmor_type, "securityContext.appArmorProfile.type", NULL,
		   "container.apparmor.security.beta.kubernetes.io/", "unconfined", "AppArmor profile");
}

/* SELinux: spc_t ("super privileged container") and unconfined types are not confined at all; a custom
 * user or role leaves the container_t policy. PSA allows container_t, container_init_t, container_kvm_t,
 * container_engine_t (check_seLinuxOptions.go). */
static void selinux_one(const struct bh_rule *r, const struct bh_pod *p, struct bh_findings *out,
			const struct bh_container *c, const struct bh_secctx *sc)
{
	static const char *const ok[] = {"container_t", "container_init_t", "container_kvm_t", "container_engine_t"};
	static const char *const unconf[] = {"spc_t", "unconfined_t", "unconfined_service_t", "kernel_t", "initrc_t",
					     "init_t"};
	if (!sc->selinux)
		return;
	const char *who = c ? "container" : "pod";
	const char *name = c ? c->name.s : "";
	if (sc->se_type.r == BH_OK && sc->se_type.len) {
		bool good = false, bad = false;
		for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
			good |= !strcmp(sc->se_type.s, ok[i]);
		for (size_t i = 0; i < sizeof(unconf) / sizeof(unconf[0]); i++)
			bad |= !strcmp(sc->se_type.s, unconf[i]);
		if (bad)
			bh_emit_at(out, r, r->sev, p, c, !c, "securityContext.seLinuxOptions.type", sc->se_type.n,
				   "%s %s%s%sruns with SELinux type %s: not confined by the container policy", who,
				   c ? "\"" : "", name, c ? "\" " : "", sc->se_type.s);
		else if (!good)
			bh_emit_at(out, r, BH_SEV_MEDIUM, p, c, !c, "securityContext.seLinuxOptions.type", sc->se_type.n,
				   "%s %s%s%sruns with custom SELinux type %s: its policy, not container_t's, decides what "
				   "it may touch on the node",
				   who, c ? "\"" : "", name, c ? "\" " : "", sc->se_type.s);
	}
	if (sc->se_user.r == BH_OK && sc->se_user.len)
		bh_emit_at(out, r, r->sev, p, c, !c, "securityContext.seLinuxOptions.user", sc->se_user.n,
			   "%s %s%s%ssets SELinux user %s", who, c ? "\"" : "", name, c ? "\" " : "", sc->se_user.s);
	if (sc->se_role.r == BH_OK && sc->se_role.len)
		bh_emit_at(out, r, r->sev, p, c, !c, "securityContext.seLinuxOptions.role", sc->se_role.n,
			   "%s %s%s%ssets SELinux role %s", who, c ? "\"" : "", name, c ? "\" " : "", sc->se_role.s);
}

void bh_rule_selinux(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	selinux_one(r, p, out, NULL, &p->sc);
	for (uint32_t i = 0; i < p->nc; i++)
		if (!BH_TRUE(p->c[i].sc.privileged))
			selinux_one(r, p, out, &p->c[i], &p->c[i].sc);
}

/* procMount: Unmasked leaves /proc/sys writable and /proc/sysrq-trigger, /proc/kcore visible: root writes
 * kernel.core_pattern and the node runs its program on the next crash. Kubernetes requires hostUsers:
 * false for it (KEP-4265), and in a user namespace the non-namespaced sysctls stay read-only. */
void bh_rule_proc_mount(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (!BH_STREQ(c->sc.proc_mount, "Unmasked"))
			continue;
		enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_MEDIUM);
		bh_emit_field(out, r, sev, p, c, "securityContext.procMount", c->sc.proc_mount.n,
			      "container \"%s\" mounts /proc unmasked: /proc/sys, sysrq-trigger and kcore are exposed%s",
			      c->name.s, sev < r->sev ? BH_USERNS_NOTE : "");
	}
}

/* Safe sysctls: the newest Pod Security Standards list (check_sysctls.go, kept in pss.c): namespaced and
 * isolated. Others need the kubelet's --allowed-unsafe-sysctls and may affect the node or its other pods.
 * Names are compared with "/" read as "." (the kubelet accepts both separators). */
void bh_rule_unsafe_sysctl(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	for (uint32_t i = 0; i < p->sc.nsysctls; i++) {
		const struct bh_fstr *n = &p->sc.sysctls[i].name;
		if (n->r != BH_OK)
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%s", n->s);
		for (char *s = name; *s; s++)
			if (*s == '/')
				*s = '.';
		if (bh_pss_sysctl_safe(name, BH_PSS_LATEST))
			continue;
		bh_emit(out, r, r->sev, NULL, bh_arena_printf(out->a, "%s.securityContext.sysctls[%u].name", p->spec_path, i),
			n->n ? n->n->line : 0, n->n ? n->n->col : 0,
			"the pod sets sysctl %s, outside the safe set: the kubelet must allow it as unsafe, and it may "
			"change kernel behaviour for the node or its other pods",
			n->s);
	}
}

/* allowPrivilegeEscalation not false: no_new_privs is off, so setuid-root binaries and file capabilities
 * in the image raise a non-root process to root (T1548.001). */
void bh_rule_allow_priv_esc(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged) || BH_FALSE(c->sc.allow_priv_esc))
			continue;
		if (BH_TRUE(c->sc.allow_priv_esc))
			bh_emit_field(out, r, r->sev, p, c, "securityContext.allowPrivilegeEscalation", c->sc.allow_priv_esc.n,
				      "container \"%s\" sets allowPrivilegeEscalation: true: setuid binaries can make it root",
				      c->name.s);
		else
			bh_emit_field(out, r, r->sev, p, c, "securityContext.allowPrivilegeEscalation", c->sc.n,
				      "container \"%s\" does not set allowPrivilegeEscalation: false (it defaults to true: "
				      "setuid binaries can make it root)",
				      c->name.s);
	}
}

/* Root user: UID 0 in the container is UID 0 on the node (without user namespaces) — every file, socket
 * and kernel interface a mistake exposes is then open to it. Group 0 opens root-group files. */
void bh_rule_run_as_root(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_LOW);
	const char *note = sev < r->sev ? BH_USERNS_NOTE : "";
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		bool up, np, gp;
		const struct bh_fint *u = bh_eff_run_as_user(p, c, &up);
		const struct bh_fbool *nr = bh_eff_run_as_non_root(p, c, &np);
		const struct bh_fint *g = bh_eff_run_as_group(p, c, &gp);
		if (BH_SET(*u) && u->v == 0) {
			if (!BH_TRUE(*nr)) /* with runAsNonRoot: true the kubelet refuses to start it */
				bh_emit_at(out, r, sev, p, c, up, "securityContext.runAsUser", u->n,
					   "container \"%s\" runs as UID 0 (runAsUser: 0%s)%s", c->name.s,
					   up ? " on the pod" : "", note);
		} else if (!BH_SET(*u) && !BH_TRUE(*nr)) {
			if (BH_FALSE(*nr))
				bh_emit_at(out, r, sev, p, c, np, "securityContext.runAsNonRoot", nr->n,
					   "container \"%s\" may run as root: runAsNonRoot is false and no runAsUser is set, "
					   "so the image's USER decides%s",
					   c->name.s, note);
			else
				bh_emit_at(out, r, sev, p, c, false, "securityContext.runAsNonRoot", c->sc.n,
					   "container \"%s\" may run as root: neither runAsNonRoot: true nor a non-zero runAsUser "
					   "is set, so the image's USER decides (root unless the image says otherwise)%s",
					   c->name.s, note);
		}
		if (BH_SET(*g) && g->v == 0)
			bh_emit_at(out, r, bh_userns_lower(p, BH_SEV_LOW, BH_SEV_INFO), p, c, gp, "securityContext.runAsGroup",
				   g->n, "container \"%s\" runs with primary group 0 (runAsGroup: 0%s): root-group files of "
				   "the image and of host mounts are open to it",
				   c->name.s, gp ? " on the pod" : "");
	}
}

/* Capabilities not dropped: the runtime's default set (CHOWN, DAC_OVERRIDE, FOWNER, SETUID, NET_RAW on
 * Docker/containerd…) stays in the bounding set; most escapes need one of them or one added. */
void bh_rule_caps_not_dropped(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_LOW);
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged) || bh_cap_dropped(c, NULL))
			continue;
		bool some = c->sc.cap_drop.r == BH_OK && c->sc.cap_drop.len;
		bh_emit_field(out, r, sev, p, c, "securityContext.capabilities.drop",
			      c->sc.cap_drop.n ? c->sc.cap_drop.n : (c->sc.caps ? c->sc.caps : c->sc.n),
			      "container \"%s\" %s: it keeps the runtime's default capabilities (DAC_OVERRIDE, SETUID, "
			      "NET_RAW on some runtimes…)%s",
			      c->name.s, some ? "drops some capabilities but not ALL" : "does not drop ALL capabilities",
			      sev < r->sev ? BH_USERNS_NOTE : "");
	}
}
