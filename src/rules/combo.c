/* Combinations: settings that are each a step towards the node and together a known, named technique.
 * Each is reported in addition to the single-setting findings, at the severity of the technique
 * (DESIGN §4: combinations raise severity), with its ATT&CK id in the rule row. */
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* CAP_SYS_ADMIN with seccomp or AppArmor unconfined: mount a cgroup v1 hierarchy, set release_agent to a
 * script in the container's overlay upper dir, empty a cgroup — the kernel runs the script as root on the
 * node (Felix Wilhelm 2019; CVE-2022-0492 is the variant without the capability). The runtime's default
 * AppArmor profile denies mount and its seccomp profile filters unshare/mount; without them nothing
 * stands in the way. https://attack.mitre.org/techniques/T1611/ */
void bh_rule_combo_sys_admin_unconfined(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged))
			continue; /* privileged: BH0001 and BH0201 */
		int k = bh_cap_add_index(c, "SYS_ADMIN", true);
		if (k < 0)
			continue;
		const struct bh_fstr *sc = bh_eff_seccomp_type(p, c, NULL);
		const struct bh_fstr *aa = bh_eff_apparmor_type(p, c, NULL);
		char key[512];
		snprintf(key, sizeof(key), "container.apparmor.security.beta.kubernetes.io/%s", c->name.s);
		const struct bh_kv *aann = bh_pod_annotation(p, key);
		bool aa_off = BH_STREQ(*aa, "Unconfined") ||
			      (aa->r != BH_OK && aann && aann->val.r == BH_OK && !strcmp(aann->val.s, "unconfined"));
		const char *why = NULL;
		if (BH_STREQ(*sc, "Unconfined"))
			why = aa_off ? "seccomp and AppArmor are Unconfined" : "seccomp is Unconfined";
		else if (aa_off)
			why = "AppArmor is Unconfined";
		else if (sc->r != BH_OK)
			why = "no seccomp profile is set (Unconfined unless the kubelet enforces seccompDefault)";
		if (!why)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%d]", k);
		enum bh_sev sev = bh_userns_lower(p, r->sev, BH_SEV_MEDIUM);
		bh_emit_field(out, r, sev, p, c, suffix, c->sc.cap_add.v[k].n,
			      "container \"%s\" holds CAP_SYS_ADMIN and %s: it can mount a cgroup hierarchy and have the "
			      "node run its release_agent as root%s",
			      c->name.s, why, sev < r->sev ? BH_USERNS_NOTE : "");
	}
}

/* privileged + hostPID: `nsenter -t 1 -m -u -i -n -p sh` enters every namespace of the node's init
 * process — a root shell on the node in one command (badPods "priv-and-hostpid"). */
void bh_rule_combo_privileged_host_pid(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (!BH_TRUE(p->host_pid))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged))
			bh_emit_field(out, r, r->sev, p, c, "securityContext.privileged", c->sc.privileged.n,
				      "container \"%s\" is privileged in the host PID namespace: nsenter into PID 1 gives a "
				      "root shell on the node",
				      c->name.s);
	}
}

/* hostPID + CAP_SYS_PTRACE: attach to a host process running as root and inject code (or read its
 * memory and /proc/<pid>/environ). The runtime's AppArmor profile restricts ptrace to its own peers, so
 * hosts without AppArmor are the reliable case. */
void bh_rule_combo_host_pid_ptrace(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (!BH_TRUE(p->host_pid))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged) || !bh_may_run_as_root(p, c))
			continue;
		int k = bh_cap_add_index(c, "SYS_PTRACE", true);
		if (k < 0)
			continue;
		char suffix[64];
		snprintf(suffix, sizeof(suffix), "securityContext.capabilities.add[%d]", k);
		bh_emit_field(out, r, r->sev, p, c, suffix, c->sc.cap_add.v[k].n,
			      "container \"%s\" holds CAP_SYS_PTRACE in the host PID namespace and may run as root: it can "
			      "inject code into host processes",
			      c->name.s);
	}
}

/* A runtime socket reachable by root in the container: ask the runtime for a new privileged container
 * with the host's / mounted (T1610 Deploy Container), then chroot into it. Read-only mounts do not
 * matter (connect() needs no write access to the mount). */
void bh_rule_combo_runtime_socket(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	struct bh_hp_index x = {0};
	if (bh_hp_index_build(&x, p) < 0) {
		out->oom = 1;
		bh_hp_index_free(&x);
		return;
	}
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (!bh_may_run_as_root(p, c))
			continue;
		for (uint32_t m = 0; m < c->nmounts; m++) {
			const struct bh_mount *mt = &c->mounts[m];
			uint32_t vi = mt->name.r == BH_OK ? bh_hp_index_find(&x, p, &mt->name) : 0;
			if (!vi)
				continue;
			const struct bh_volume *v = &p->v[vi - 1];
			char buf[4096];
			const char *path = bh_hp_mount_path(v, mt, buf, sizeof(buf));
			struct bh_hp_class k;
			bh_hp_classify(path, !BH_TRUE(mt->read_only), true, &k);
			if (!k.runtime)
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "volumeMounts[%u]", m);
			bh_emit_field(out, r, r->sev, p, c, suffix, mt->mount_path.n ? mt->mount_path.n : mt->n,
				      "container \"%s\" may run as root and reaches %s%s through \"%s\"%s: it can start a "
				      "privileged sibling container with the node's / mounted",
				      c->name.s, k.what, k.below ? " (below the mounted directory)" : "", mt->mount_path.s, BH_TRUE(mt->read_only) ? " (readOnly does not help)" : "");
		}
	}
	bh_hp_index_free(&x);
}

/* hostNetwork + root with NET_RAW or NET_ADMIN granted: in the node's network namespace the container
 * sniffs and spoofs the node's traffic (other pods' included), rewrites its firewall, reaches services
 * bound to loopback and abstract Unix sockets (containerd-shim's gave root: CVE-2020-15257) and the cloud
 * metadata endpoint regardless of hop limits (node credentials). Only explicit grants count: NET_RAW in
 * the runtime's default set depends on the runtime and its version, and BH0029 reports it. */
void bh_rule_combo_host_network_services(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (!BH_TRUE(p->host_network) || bh_pod_windows(p))
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.privileged) || !bh_may_run_as_root(p, c))
			continue;
		const char *cap = bh_cap_add_index(c, "NET_ADMIN", true) >= 0 ? "NET_ADMIN"
				  : bh_cap_add_index(c, "NET_RAW", false) >= 0 ? "NET_RAW" : NULL;
		if (!cap)
			continue;
		bh_emit_at(out, r, r->sev, p, c, true, "hostNetwork", p->host_network.n,
			   "container \"%s\" may run as root with CAP_%s in the node's network namespace: it can sniff and "
			   "spoof the node's traffic and reach loopback-only services and abstract sockets",
			   c->name.s, cap);
	}
}
