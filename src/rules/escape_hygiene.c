/* Rules that widen the impact of a compromise (DESIGN §4 medium/low) and the user-namespace mitigation
 * notice (info): writable root filesystem, service-account token, shared process namespace, hostPort,
 * volume types outside the restricted set, hostUsers: false. */
#include <stdio.h>
#include <string.h>

#include "escape.h"

/* A writable root filesystem lets an intruder drop tools and persist inside the container (T1105). */
void bh_rule_writable_rootfs(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_windows(p)) /* readOnlyRootFilesystem is not supported on Windows */
		return;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		if (BH_TRUE(c->sc.ro_rootfs))
			continue;
		bh_emit_field(out, r, r->sev, p, c, "securityContext.readOnlyRootFilesystem",
			      c->sc.ro_rootfs.n ? c->sc.ro_rootfs.n : c->sc.n,
			      "container \"%s\" has a writable root filesystem: an intruder can download and keep tools in it",
			      c->name.s);
	}
}

/* The service-account token is a credential for the API server in every container's filesystem
 * (T1552.001); with RBAC to create pods it is the road back to a privileged pod. */
void bh_rule_sa_token(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (BH_FALSE(p->automount_sat) || !p->nc)
		return;
	const char *sa = p->service_account.r == BH_OK && p->service_account.len ? p->service_account.s : "default";
	if (BH_TRUE(p->automount_sat))
		bh_emit_field(out, r, r->sev, p, NULL, "automountServiceAccountToken", p->automount_sat.n,
			      "the pod mounts the token of service account \"%s\" in every container "
			      "(automountServiceAccountToken: true)",
			      sa);
	else
		bh_emit_field(out, r, r->sev, p, NULL, "automountServiceAccountToken", NULL,
			      "the pod does not set automountServiceAccountToken: false, so the token of service account "
			      "\"%s\" is mounted unless that ServiceAccount says false (not visible here)",
			      sa);
}

/* shareProcessNamespace: every container sees the others' processes, their environment and, through
 * /proc/<pid>/root, their filesystems (secrets of a sidecar included). */
void bh_rule_share_pid(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (BH_TRUE(p->share_pid))
		bh_emit_field(out, r, r->sev, p, NULL, "shareProcessNamespace", p->share_pid.n,
			      "the containers of the pod share one PID namespace: each can read the others' environment and "
			      "files through /proc/<pid>/root");
}

/* hostPort: binds on the node's address, outside Services; takes ports of node services on that
 * address and needs a node-level rule to be filtered. */
void bh_rule_host_port(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	for (uint32_t i = 0; i < p->nc; i++) {
		const struct bh_container *c = &p->c[i];
		for (uint32_t k = 0; k < c->nports; k++) {
			const struct bh_fint *hp = &c->ports[k].host_port;
			if (!BH_SET(*hp) || hp->v == 0)
				continue;
			char suffix[64];
			snprintf(suffix, sizeof(suffix), "ports[%u].hostPort", k);
			bh_emit_field(out, r, r->sev, p, c, suffix, hp->n,
				      "container \"%s\" binds port %lld on the node's address (hostPort)%s", c->name.s,
				      (long long)hp->v, BH_TRUE(p->host_network) ? " in the host network namespace" : "");
		}
	}
}

/* Volume types outside Restricted's set (restrictedVolumes): node-attached or network storage mounted
 * with the node's identity. gitRepo runs git on the node as root with the pod's arguments
 * (CVE-2024-10220: hooks of the cloned repository executed on the node). hostPath is BH0005. */
void bh_rule_volume_types(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	static const char *const ok[] = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image",
					 "persistentVolumeClaim", "projected", "secret", "hostPath"};
	for (uint32_t i = 0; i < p->nv; i++) {
		const struct bh_volume *v = &p->v[i];
		for (uint32_t k = 0; k < v->nsrc; k++) {
			const char *key = v->src[k].key;
			bool good = false;
			for (size_t j = 0; j < sizeof(ok) / sizeof(ok[0]); j++)
				good |= !strcmp(key, ok[j]);
			if (good)
				continue;
			const struct bh_node *at = v->src[k].keynode;
			const char *field = bh_arena_printf(out->a, "%s.volumes[%u].%s", p->spec_path, v->index, key);
			if (!strcmp(key, "gitRepo"))
				bh_emit(out, r, BH_SEV_HIGH, NULL, field, at->line, at->col,
					"volume \"%s\" is a gitRepo volume: the kubelet runs git on the node as root with "
					"the pod's arguments (CVE-2024-10220 ran the repository's hooks on the node)",
					v->name.s);
			else if (!strcmp(key, "flexVolume"))
				bh_emit(out, r, r->sev, NULL, field, at->line, at->col,
					"volume \"%s\" is a flexVolume: the kubelet executes a driver binary on the node as root "
					"with the pod's options",
					v->name.s);
			else
				bh_emit(out, r, r->sev, NULL, field, at->line, at->col,
					"volume \"%s\" uses the %s volume type, outside the Restricted set: storage attached "
					"with the node's identity",
					v->name.s, key);
		}
	}
}

/* Mitigation seen: hostUsers: false. Container UIDs map to an unprivileged range on the node and
 * capabilities are confined to the pod's user namespace; the rules above lower their findings. It does
 * not protect hostPath mounts or runtime sockets (volumes are idmapped: root in the pod writes as root on
 * the host path). https://kubernetes.io/docs/concepts/workloads/pods/user-namespaces/ */
void bh_rule_user_namespace(const struct bh_rule *r, const struct bh_rule_ctx *cx, struct bh_findings *out)
{
	const struct bh_pod *p = cx->pod;
	if (bh_pod_userns(p))
		bh_emit_field(out, r, r->sev, p, NULL, "hostUsers", p->host_users.n,
			      "the pod runs in its own user namespace (hostUsers: false): root and capabilities inside map "
			      "to nothing on the node, so capability, privileged, root and procMount findings are lowered; "
			      "hostPath mounts and runtime sockets are not mitigated (idmapped mounts)");
}
