/* The node facts as JSON: the "node" member of `bulkhead node --format json` (docs/schema/node.schema.json).
 * Its "name" is the node's hostname, which is the Node object's name for kubelets that do not override it,
 * so `bulkhead cluster` can join these facts to Node objects. Unknown tri-states are null. */
#include <stdio.h>
#include <string.h>

#include "host/node.h"
#include "report/report.h"

static void tri(FILE *o, int v)
{
	fputs(v < 0 ? "null" : v ? "true" : "false", o);
}

static void kv(FILE *o, const char *sep, const char *k, const char *v)
{
	fprintf(o, "%s\"%s\": ", sep, k);
	bh_json_str(o, v && *v ? v : NULL);
}

static void json_kernel(FILE *o, const struct bh_nodefacts *n)
{
	char vb[40];
	struct bh_ver up = n->kernel.ver;
	up.abi = 0;
	fputs(", \"kernel\": {", o);
	kv(o, "", "release", n->kernel_known ? n->kernel.release : NULL);
	kv(o, ", ", "distribution", n->kernel_known ? bh_distro_name(n->kernel.distro) : NULL);
	kv(o, ", ", "upstreamVersion", n->kernel_known ? bh_ver_str(&up, vb, sizeof(vb)) : NULL);
	fprintf(o, ", \"exact\": %s, \"backports\": %s", n->kernel.exact ? "true" : "false",
		n->kernel.backports ? "true" : "false");
	kv(o, ", ", "package", n->kernel_pkg);
	kv(o, ", ", "packageVersion", n->kernel_pkg_version);
	kv(o, ", ", "packageFrom", n->kernel_pkg_from);
	fputs(", \"installed\": [", o);
	for (size_t i = 0; i < n->nkernels; i++) {
		fputs(i ? ", " : "", o);
		bh_json_str(o, n->kernels_installed[i]);
	}
	fputs("], \"packagesInstalled\": [", o);
	for (size_t i = 0; i < n->nkernel_pkgs; i++) {
		fputs(i ? ", {\"name\": " : "{\"name\": ", o);
		bh_json_str(o, n->kernel_pkgs[i][0]);
		fputs(", \"version\": ", o);
		bh_json_str(o, n->kernel_pkgs[i][1]);
		fputs("}", o);
	}
	fprintf(o, "], \"configFile\": %s}", n->kernel_config ? "true" : "false");
}

static void json_platform(FILE *o, const struct bh_nodefacts *n)
{
	fputs(", \"sysctls\": {", o);
	for (int i = 0; i < BH_SC_N; i++)
		kv(o, i ? ", " : "", bh_node_sysctl_names[i], n->sysctl_present[i] ? n->sysctl[i] : NULL);
	fputs("}, \"cgroups\": {\"v1\": ", o);
	tri(o, n->cgroup_v1);
	fprintf(o, ", \"v2\": %s", n->cgroup_v2 ? "true" : "false");
	kv(o, ", ", "evidence", n->cgroup_evidence);
	fputs("}, \"lsm\": {", o);
	kv(o, "", "list", n->lsm_list);
	fputs(", \"apparmor\": {\"enabled\": ", o);
	tri(o, n->apparmor);
	fprintf(o, ", \"profiles\": %d, \"enforce\": %d}, \"selinux\": {\"enabled\": ", n->apparmor_profiles,
		n->apparmor_enforce);
	tri(o, n->selinux);
	fputs(", \"enforcing\": ", o);
	tri(o, n->selinux_enforcing);
	fputs("}}, \"seccomp\": {\"supported\": ", o);
	tri(o, n->seccomp);
	kv(o, ", ", "evidence", n->seccomp_evidence);
	fputs("}", o);
}

static void json_runtimes(FILE *o, const struct bh_nodefacts *n)
{
	fputs(", \"runtimes\": [", o);
	int k = 0;
	for (int i = 0; i < BH_RT_N; i++) {
		const struct bh_node_runtime *r = &n->rt[i];
		if (!r->path[0] && !r->pkg[0])
			continue;
		fputs(k++ ? ", {" : "{", o);
		kv(o, "", "name", r->name);
		kv(o, ", ", "path", r->path);
		kv(o, ", ", "version", r->version);
		kv(o, ", ", "raw", r->raw);
		kv(o, ", ", "package", r->pkg);
		kv(o, ", ", "packageVersion", r->pkg_version);
		kv(o, ", ", "from", r->from);
		fputs("}", o);
	}
	const struct bh_node_runtime_cfg *c = &n->rtcfg;
	fputs("], \"runtimeConfig\": {\"containerd\": {", o);
	kv(o, "", "file", c->containerd_path);
	kv(o, ", ", "snapshotter", c->snapshotter);
	fputs(", \"enableUnprivilegedPorts\": ", o);
	tri(o, c->containerd_unpriv_ports);
	fputs(", \"enableUnprivilegedICMP\": ", o);
	tri(o, c->containerd_unpriv_icmp);
	fputs(", \"disableAppArmor\": ", o);
	tri(o, c->containerd_no_apparmor);
	fputs("}, \"crio\": {", o);
	kv(o, "", "file", c->crio_path);
	kv(o, ", ", "seccompProfile", c->crio_seccomp);
	kv(o, ", ", "apparmorProfile", c->crio_apparmor);
	fputs(", \"dropsNetRaw\": ", o);
	tri(o, c->crio_drops_net_raw);
	fputs("}, \"docker\": {", o);
	kv(o, "", "file", c->docker_path);
	kv(o, ", ", "seccompProfile", c->docker_seccomp);
	fputs(", \"usernsRemap\": ", o);
	tri(o, c->docker_userns);
	fputs("}}", o);
}

static void json_kubelet(FILE *o, const struct bh_nodefacts *n)
{
	const struct bh_node_kubelet *k = &n->kubelet;
	fprintf(o, ", \"kubelet\": {\"found\": %s", k->found ? "true" : "false");
	if (k->found) {
		kv(o, ", ", "config", k->config);
		kv(o, ", ", "cmdlineFrom", k->cmdline_from);
		fputs(", \"anonymousAuth\": ", o);
		tri(o, k->anonymous);
		kv(o, ", ", "authorizationMode", k->authz_mode);
		fprintf(o, ", \"readOnlyPort\": %ld, \"seccompDefault\": ", k->read_only_port);
		tri(o, k->seccomp_default);
		fputs(", \"protectKernelDefaults\": ", o);
		tri(o, k->protect_kernel_defaults);
		fputs(", \"rotateCertificates\": ", o);
		tri(o, k->rotate_certs);
		fputs(", \"serverTLSBootstrap\": ", o);
		tri(o, k->server_tls_bootstrap);
		kv(o, ", ", "clientCAFile", k->client_ca);
		kv(o, ", ", "featureGates", k->feature_gates);
		kv(o, ", ", "configError", k->config_error);
		fputs(", \"files\": [", o);
		for (size_t i = 0; i < k->nfiles; i++) {
			fprintf(o, "%s{\"path\": ", i ? ", " : "");
			bh_json_str(o, k->files[i].path);
			fprintf(o, ", \"mode\": \"%04o\", \"uid\": %ld, \"gid\": %ld, \"cis\": \"%s\"}", k->files[i].mode,
				k->files[i].uid, k->files[i].gid, k->files[i].cis);
		}
		fputs("]", o);
	}
	fputs("}", o);
}

static void json_cves(FILE *o, const struct bh_nodefacts *n, const struct bh_cvedb *db)
{
	static const char *const status[] = {"not-affected-or-fixed", "affected", "in-range"};
	fputs(", \"cves\": [", o);
	int k = 0;
	for (size_t i = 0; db && i < db->n; i++) {
		const struct bh_cve *c = &db->v[i];
		char why[600] = "";
		int v = -1;
		if (!strcmp(c->component, "kernel") && n->kernel_known) {
			v = bh_node_kernel_cve(n, c, why, sizeof(why));
			if (v == 0 && !why[0])
				continue; /* out of range by version and no distribution entry: not worth a line */
		} else {
			for (int r = 0; r < BH_RT_N && v < 0; r++)
				if (!strcmp(n->rt[r].name, c->component) && n->rt[r].version[0])
					v = bh_node_runtime_cve(n, &n->rt[r], c, why, sizeof(why));
			if (v <= 0 && !why[0])
				continue;
		}
		fprintf(o, "%s{\"id\": \"%s\", \"component\": \"%s\", \"status\": \"%s\", \"detail\": ", k++ ? ", " : "",
			c->id, c->component, status[v]);
		bh_json_str(o, why);
		fputs("}", o);
	}
	fputs("]", o);
}

void bh_node_json(FILE *o, const struct bh_nodefacts *n, const struct bh_cvedb *db)
{
	fputs("{", o);
	kv(o, "", "name", n->hostname);
	kv(o, ", ", "root", n->root);
	fprintf(o, ", \"live\": %s, \"asRoot\": %s, \"os\": {", n->live ? "true" : "false", n->as_root ? "true" : "false");
	kv(o, "", "id", n->os_id);
	kv(o, ", ", "versionId", n->os_version_id);
	kv(o, ", ", "prettyName", n->os_pretty);
	kv(o, ", ", "distribution", n->distro);
	fputs("}", o);
	json_kernel(o, n);
	json_platform(o, n);
	json_runtimes(o, n);
	json_kubelet(o, n);
	json_cves(o, n, db);
	fputs(", \"unread\": [", o);
	for (size_t i = 0; i < n->nunread; i++) {
		fputs(i ? ", " : "", o);
		bh_json_str(o, n->unread[i]);
	}
	fputs("]}", o);
}
