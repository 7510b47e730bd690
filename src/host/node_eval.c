/* Evaluation of node facts (node_probe.c) into findings with the rows of node_rules.c, and the facts as
 * JSON for `node --format json` (joined to Node objects by name). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/node.h"
#include "host/node_int.h"
#include "host/pkgver.h"

#define rules bh_node_rule_table

struct ev {
	const struct bh_nodefacts *n;
	struct bh_findings *out;
	int oom;
};

static void emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence, const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_finding *x = bh_emit(e->out, &rules[r], sev, NULL, field, 0, 0, "%s", msg);
	if (!x) {
		e->oom = 1;
		return;
	}
	if (evidence && *evidence && !(x->evidence = bh_arena_strndup(e->out->a, evidence, strlen(evidence))))
		e->oom = 1;
}

static enum bh_sev lower(enum bh_sev s)
{
	return s > BH_SEV_INFO ? s - 1 : s;
}

static long sc(const struct bh_nodefacts *n, int i, long absent)
{
	return n->sysctl_present[i] ? strtol(n->sysctl[i], NULL, 10) : absent;
}

/* 1: an unprivileged process on the node can create a user namespace (the sysctls allow it) */
static int userns_open(const struct bh_nodefacts *n)
{
	if (n->sysctl_present[BH_SC_USERNS_CLONE] && sc(n, BH_SC_USERNS_CLONE, 1) == 0)
		return 0;
	if (n->sysctl_present[BH_SC_MAX_USERNS])
		return sc(n, BH_SC_MAX_USERNS, 1) > 0;
	return n->sysctl_present[BH_SC_USERNS_CLONE] ? 1 : -1;
}

static int lsm_confines(const struct bh_nodefacts *n)
{
	if ((n->apparmor == 1 && n->apparmor_profiles != 0) || n->selinux_enforcing == 1)
		return n->apparmor_profiles < 0 && n->selinux_enforcing != 1 ? -1 : 1;
	if (n->apparmor == 0 && n->selinux != 1)
		return 0;
	if (n->apparmor == 1 && n->apparmor_profiles == 0 && n->selinux_enforcing != 1)
		return 0;
	return n->selinux == 1 && n->selinux_enforcing == 0 && n->apparmor != 1 ? 0 : -1;
}

/* Preconditions as a default (non-privileged) pod on this node meets them. */
static int precond(const char *tok, void *ctx)
{
	const struct bh_nodefacts *n = ctx;
	if (!strcmp(tok, "userns"))
		return userns_open(n);
	if (!strcmp(tok, "root"))
		return 1;
	if (!strcmp(tok, "cgroup_v1"))
		return n->cgroup_v1 == 1 ? 1 : -1;
	if (!strcmp(tok, "no_lsm")) {
		int c = lsm_confines(n);
		return c < 0 ? -1 : !c;
	}
	if (!strcmp(tok, "cap_net_raw"))
		return n->rtcfg.crio_drops_net_raw == 1 && !n->rt[BH_RT_CONTAINERD].version[0] ? 0 : 1;
	return -1; /* cap_sys_admin, cap_net_admin, host_net: only the pods that ask for them */
}

/* A fixed kernel installed but not booted: dpkg's linux-image-* packages of the same branch, or on RHEL the
 * /usr/lib/modules names, which are package versions (plus .ARCH). */
static const char *installed_fixed(const struct bh_nodefacts *n, const char *fixed)
{
	static char name[96];
	struct bh_ver fv, iv;
	const char *colon = strchr(fixed, ':');
	for (size_t i = 0; i < n->nkernel_pkgs && !bh_ver_parse(colon ? colon + 1 : fixed, &fv, NULL); i++)
		if (!bh_ver_parse(n->kernel_pkgs[i][1], &iv, NULL) && bh_ver_same_branch(&fv, &iv) &&
		    bh_dpkg_vercmp(n->kernel_pkgs[i][1], fixed) >= 0)
			return n->kernel_pkgs[i][0];
	for (size_t i = 0; !strcmp(n->distro, "rhel") && i < n->nkernels; i++) {
		snprintf(name, sizeof(name), "%s", n->kernels_installed[i]);
		char *dot = strrchr(name, '.');
		if (dot && strncmp(dot + 1, "el", 2))
			*dot = 0;
		if (bh_rpm_vercmp(name, fixed) >= 0)
			return n->kernels_installed[i];
	}
	return NULL;
}

int bh_node_kernel_cve(const struct bh_nodefacts *n, const struct bh_cve *c, char *why, size_t len)
{
	char vb[40];
	const struct bh_cve_distfix *d;
	enum bh_cve_match m = bh_cve_match_kernel(c, &n->kernel);
	enum bh_distfix_verdict v = bh_cve_distfix(c, n->distro, n->os_version_id, NULL, n->kernel_pkg_version, &d);
	struct bh_ver up = n->kernel.ver;
	up.abi = 0;
	bh_ver_str(&up, vb, sizeof(vb));
	if (v == BH_DISTFIX_FIXED || v == BH_DISTFIX_NOT_AFFECTED) {
		snprintf(why, len, "%s %s: %s %s %s (%s)", n->kernel_pkg, n->kernel_pkg_version,
			 v == BH_DISTFIX_FIXED ? "the fix is in" : "the distribution says", d->package,
			 v == BH_DISTFIX_FIXED ? d->version : "is not affected", d->ref);
		return 0;
	}
	if (v == BH_DISTFIX_AFFECTED) {
		const char *booted = installed_fixed(n, d->version);
		snprintf(why, len, "%s kernel package %s is older than the fixed %s %s (%s %s: %s)%s%s%s",
			 m == BH_CVE_NOT_AFFECTED ? "out of range by upstream version, but the distribution says the"
			 : "in range by upstream version, and the", n->kernel_pkg_version, d->package, d->version,
			 d->distro, d->release, d->ref, booted ? "; the fixed kernel " : "", booted ? booted : "",
			 booted ? " is installed but not running: reboot into it" : "");
		return 1;
	}
	if (m == BH_CVE_NOT_AFFECTED)
		return 0;
	char confirm[300];
	bh_distro_confirm(n->kernel.distro, c->id, confirm, sizeof(confirm));
	if (m == BH_CVE_AFFECTED)
		snprintf(why, len, "kernel %s is affected by upstream version %s (no distribution back-ports known)",
			 n->kernel.release, vb);
	else
		snprintf(why, len, "in range by upstream version (%s %s%s%s); check the distribution's fixed package "
			 "(%s %s): %s", n->kernel.exact ? "level" : "branch", vb, n->kernel_pkg_version[0] ? ", package " : "",
			 n->kernel_pkg_version, n->distro, n->os_version_id, confirm);
	return m == BH_CVE_AFFECTED ? 1 : 2;
}

/* packages built by the upstream projects themselves carry no back-ports */
static bool upstream_pkg(const char *pkg)
{
	static const char *const up[] = {"containerd.io", "docker-ce", "kubelet", "cri-o", NULL};
	for (const char *const *p = up; *p; p++)
		if (!strcmp(pkg, *p))
			return true;
	return false;
}

int bh_node_runtime_cve(const struct bh_nodefacts *n, const struct bh_node_runtime *r, const struct bh_cve *c,
			char *why, size_t len)
{
	if (strcmp(c->component, r->name) || !r->version[0])
		return 0;
	const struct bh_cve_distfix *d;
	enum bh_distfix_verdict v = r->pkg_version[0] ? bh_cve_distfix(c, n->distro, n->os_version_id, r->pkg,
								       r->pkg_version, &d) : BH_DISTFIX_UNKNOWN;
	if (v == BH_DISTFIX_FIXED || v == BH_DISTFIX_NOT_AFFECTED) {
		snprintf(why, len, "%s %s: fixed by the distribution in %s (%s)", r->pkg, r->pkg_version, d->version, d->ref);
		return 0;
	}
	if (v == BH_DISTFIX_AFFECTED) {
		snprintf(why, len, "%s %s is older than the distribution's fix %s (%s)", r->pkg, r->pkg_version,
			 d->version, d->ref);
		return 1;
	}
	struct bh_ver ver;
	if (bh_ver_parse(r->version, &ver, NULL) || bh_cve_match_version(c, &ver) == BH_CVE_NOT_AFFECTED)
		return 0;
	if (r->pkg_version[0] && !upstream_pkg(r->pkg)) {
		snprintf(why, len, "%s %s (from %s) is in range by upstream version; check the distribution's fixed "
			 "package for %s %s", r->name, r->version, r->from, n->distro, n->os_version_id);
		return 2;
	}
	snprintf(why, len, "%s %s (from %s) is affected by upstream version", r->name, r->version, r->from);
	return 1;
}


static void eval_kernel(struct ev *e, const struct bh_cvedb *db, int *backported)
{
	const struct bh_nodefacts *n = e->n;
	if (!db || !n->kernel_known)
		return;
	for (size_t i = 0; i < db->n; i++) {
		const struct bh_cve *c = &db->v[i];
		char why[600], need[300], ev[1200];
		if (strcmp(c->component, "kernel"))
			continue;
		int v = bh_node_kernel_cve(n, c, why, sizeof(why));
		if (v == 0) {
			*backported += bh_cve_match_kernel(c, &n->kernel) != BH_CVE_NOT_AFFECTED;
			continue;
		}
		int ok = bh_cve_needs_eval(c, precond, (void *)n, need, sizeof(need));
		enum bh_sev s = v == 2 ? lower(c->sev) : c->sev;
		if (ok < 0)
			s = lower(s);
		if (ok == 0)
			s = BH_SEV_INFO;
		snprintf(ev, sizeof(ev), "kernel %s (%s, package %s); needs %s%s%s (for a default pod); ref %s",
			 n->kernel.release, n->os_pretty[0] ? n->os_pretty : n->distro,
			 n->kernel_pkg_version[0] ? n->kernel_pkg_version : "unknown", c->needs, need[0] ? " → " : "", need,
			 c->refs[0]);
		emit(e, R_KERNEL_CVE, s, c->id, ev, "%s (%s): %s — %s", c->id, c->name ? c->name : "", why,
		     ok == 1 ? "its preconditions hold for a default pod" : ok == 0 ? "a precondition does not hold for a "
		     "default pod (privileged pods still reach it)" : "some preconditions depend on the pod");
	}
}

static void eval_runtimes(struct ev *e, const struct bh_cvedb *db, int *backported)
{
	const struct bh_nodefacts *n = e->n;
	for (int r = 0; db && r < BH_RT_N; r++) {
		const struct bh_node_runtime *rt = &n->rt[r];
		for (size_t i = 0; rt->version[0] && i < db->n; i++) {
			const struct bh_cve *c = &db->v[i];
			char why[600] = "", ev[900];
			int v = bh_node_runtime_cve(n, rt, c, why, sizeof(why));
			*backported += v == 0 && why[0];
			if (!v)
				continue;
			snprintf(ev, sizeof(ev), "%s (%s); ref %s", rt->raw, rt->from, c->refs[0]);
			emit(e, R_RUNTIME_CVE, v == 2 ? lower(c->sev) : c->sev, c->id, ev, "%s (%s): %s", c->id,
			     c->name ? c->name : "", why);
		}
	}
}

static void sysctl_ev(const struct bh_nodefacts *n, const int *idx, size_t k, char *ev, size_t len)
{
	size_t used = 0;
	ev[0] = 0;
	for (size_t i = 0; i < k && used < len; i++)
		used += (size_t)snprintf(ev + used, len - used, "%s%s=%s", used ? " " : "", bh_node_sysctl_names[idx[i]],
					 n->sysctl_present[idx[i]] ? n->sysctl[idx[i]] : "(absent)");
}

static void eval_sysctls(struct ev *e)
{
	const struct bh_nodefacts *n = e->n;
	char ev[400];
	static const int uns[] = {BH_SC_USERNS_CLONE, BH_SC_MAX_USERNS}, bpf[] = {BH_SC_UNPRIV_BPF},
			 uring[] = {BH_SC_IO_URING}, leak[] = {BH_SC_KPTR, BH_SC_DMESG, BH_SC_PERF},
			 ptr[] = {BH_SC_PTRACE}, mods[] = {BH_SC_MODULES},
			 fsp[] = {BH_SC_PROT_SYMLINKS, BH_SC_PROT_HARDLINKS, BH_SC_PROT_FIFOS, BH_SC_PROT_REGULAR};
	if (userns_open(n) == 1) {
		sysctl_ev(n, uns, 2, ev, sizeof(ev));
		emit(e, R_USERNS, BH_SEV_MEDIUM, "user.max_user_namespaces", ev, "unprivileged processes can create user "
		     "namespaces (namespaced CAP_SYS_ADMIN/CAP_NET_ADMIN reach nf_tables, mount, cgroup v1)");
	}
	if (n->sysctl_present[BH_SC_UNPRIV_BPF] && sc(n, BH_SC_UNPRIV_BPF, 1) == 0) {
		sysctl_ev(n, bpf, 1, ev, sizeof(ev));
		emit(e, R_BPF, BH_SEV_MEDIUM, bh_node_sysctl_names[BH_SC_UNPRIV_BPF], ev,
		     "unprivileged processes may load BPF programs: the verifier is kernel attack surface");
	}
	if (n->kernel_known && (n->kernel.ver.n[0] > 5 || (n->kernel.ver.n[0] == 5 && n->kernel.ver.n[1] >= 1)) &&
	    sc(n, BH_SC_IO_URING, 0) == 0) {
		sysctl_ev(n, uring, 1, ev, sizeof(ev));
		emit(e, R_IO_URING, BH_SEV_LOW, bh_node_sysctl_names[BH_SC_IO_URING], ev, "io_uring is open to every process");
	}
	if (sc(n, BH_SC_KPTR, 1) == 0 || sc(n, BH_SC_DMESG, 1) == 0 || sc(n, BH_SC_PERF, 2) < 2) {
		sysctl_ev(n, leak, 3, ev, sizeof(ev));
		emit(e, R_INFO_LEAK, BH_SEV_LOW, NULL, ev, "kernel addresses, the kernel log or perf events are "
		     "available to unprivileged processes");
	}
	if (sc(n, BH_SC_PTRACE, 0) == 0) {
		sysctl_ev(n, ptr, 1, ev, sizeof(ev));
		emit(e, R_PTRACE, BH_SEV_LOW, bh_node_sysctl_names[BH_SC_PTRACE], ev, "%s",
		     n->sysctl_present[BH_SC_PTRACE] ? "Yama ptrace_scope is 0" : "Yama is not active (no ptrace_scope)");
	}
	if (n->sysctl_present[BH_SC_MODULES] && sc(n, BH_SC_MODULES, 1) == 0) {
		sysctl_ev(n, mods, 1, ev, sizeof(ev));
		emit(e, R_MODULES, BH_SEV_INFO, bh_node_sysctl_names[BH_SC_MODULES], ev, "kernel modules can be loaded "
		     "(a pod with CAP_SYS_MODULE puts code in the node's kernel)");
	}
	for (int i = BH_SC_PROT_SYMLINKS; i <= BH_SC_PROT_REGULAR; i++)
		if (n->sysctl_present[i] && sc(n, i, 1) == 0) {
			sysctl_ev(n, fsp, 4, ev, sizeof(ev));
			emit(e, R_FS_PROT, BH_SEV_LOW, bh_node_sysctl_names[i], ev, "link/FIFO/regular-file protections are off");
			break;
		}
}

static void eval_platform(struct ev *e, char *mit, size_t mlen)
{
	const struct bh_nodefacts *n = e->n;
	char ev[500];
	size_t m = strlen(mit);
	if (n->cgroup_v1 == 1)
		emit(e, R_CGROUP_V1, BH_SEV_MEDIUM, "/sys/fs/cgroup", n->cgroup_evidence, "cgroup v1 hierarchies are in "
		     "use: their release_agent runs as root on the node");
	else if (n->cgroup_v1 == 0 && n->cgroup_v2)
		m += (size_t)snprintf(mit + m, mlen - m, "%scgroup v2 only", m ? "; " : "");
	snprintf(ev, sizeof(ev), "lsm=%s; apparmor enabled=%d profiles=%d enforce=%d; selinux enabled=%d enforcing=%d",
		 n->lsm_list[0] ? n->lsm_list : "?", n->apparmor, n->apparmor_profiles, n->apparmor_enforce, n->selinux,
		 n->selinux_enforcing);
	int lsm = lsm_confines(n);
	if (lsm == 0)
		emit(e, R_NO_LSM, BH_SEV_HIGH, NULL, ev, "%s", n->selinux == 1 && n->selinux_enforcing == 0
		     ? "SELinux is permissive and no AppArmor confines pods" : n->apparmor == 1
		     ? "AppArmor is enabled but no profile is loaded" : "neither AppArmor nor SELinux is enabled");
	else if (lsm == 1 && m < mlen)
		m += (size_t)snprintf(mit + m, mlen - m, "%s%s", m ? "; " : "", n->selinux_enforcing == 1
				      ? "SELinux enforcing" : "AppArmor with loaded profiles");
	if (n->seccomp == 0)
		emit(e, R_NO_SECCOMP, BH_SEV_HIGH, NULL, n->seccomp_evidence, "the kernel offers no seccomp filtering");
	if (userns_open(n) == 0 && m < mlen)
		snprintf(mit + m, mlen - m, "%sunprivileged user namespaces disabled", m ? "; " : "");
}

static void eval_kubelet_auth(struct ev *e)
{
	const struct bh_nodefacts *n = e->n;
	const struct bh_node_kubelet *k = &n->kubelet;
	char ev[600];
	bool always = !strcmp(k->authz_mode, "AlwaysAllow");
	if (k->anonymous == 1) {
		snprintf(ev, sizeof(ev), "anonymous auth from %s; authorization %s from %s", k->where[0], k->authz_mode,
			 k->where[1]);
		emit(e, R_ANON, always ? BH_SEV_CRITICAL : BH_SEV_HIGH, "authentication.anonymous.enabled", ev,
		     "the kubelet API (port 10250) accepts anonymous requests%s", always ? " and authorizes them all "
		     "(AlwaysAllow): anyone who reaches the node can exec into its pods" : "");
	}
	if (always) {
		snprintf(ev, sizeof(ev), "authorization.mode=%s from %s", k->authz_mode, k->where[1]);
		emit(e, R_ALWAYS_ALLOW, BH_SEV_CRITICAL, "authorization.mode", ev, "kubelet authorization is AlwaysAllow: "
		     "every authenticated client may run commands in every container on the node");
	}
	if (k->read_only_port > 0) {
		snprintf(ev, sizeof(ev), "readOnlyPort=%ld from %s", k->read_only_port, k->where[2]);
		emit(e, R_RO_PORT, BH_SEV_MEDIUM, "readOnlyPort", ev, "the unauthenticated read-only port %ld serves "
		     "every pod spec on the node", k->read_only_port);
	}
	if (!k->client_ca[0])
		emit(e, R_NO_CLIENT_CA, BH_SEV_MEDIUM, "authentication.x509.clientCAFile", k->config[0] ? k->config : k->flags,
		     "no client CA file: the kubelet cannot verify client certificates");
}

static void eval_kubelet(struct ev *e, char *mit, size_t mlen)
{
	const struct bh_node_kubelet *k = &e->n->kubelet;
	char ev[600];
	if (!k->found)
		return;
	if (k->config_error[0])
		emit(e, R_UNREAD, BH_SEV_INFO, "kubelet config", k->config_error, "the kubelet config could not be decoded; "
		     "its defaults were assumed");
	eval_kubelet_auth(e);
	if (k->seccomp_default == 0)
		emit(e, R_SECCOMP_DEFAULT, BH_SEV_MEDIUM, "seccompDefault", k->where[3], "seccompDefault is off: pods "
		     "without a seccompProfile run Unconfined");
	else if (k->seccomp_default == 1)
		snprintf(mit + strlen(mit), mlen - strlen(mit), "%sseccompDefault on", mit[0] ? "; " : "");
	if (k->protect_kernel_defaults == 0)
		emit(e, R_PKD, BH_SEV_LOW, "protectKernelDefaults", k->where[4], "protectKernelDefaults is off");
	if (k->rotate_certs == 0 || (k->server_tls_bootstrap == 0 && k->rotate_server_gate != 1)) {
		snprintf(ev, sizeof(ev), "rotateCertificates from %s; serverTLSBootstrap from %s", k->where[5], k->where[6]);
		emit(e, R_ROTATION, BH_SEV_LOW, k->rotate_certs == 0 ? "rotateCertificates" : "serverTLSBootstrap", ev,
		     "%s%s%s", k->rotate_certs == 0 ? "client certificate rotation is off" : "",
		     k->rotate_certs == 0 && k->server_tls_bootstrap == 0 ? "; " : "",
		     k->server_tls_bootstrap == 0 ? "the serving certificate is not bootstrapped (CIS 4.2.11)" : "");
	}
	for (size_t i = 0; i < k->nfiles; i++) {
		const struct bh_node_file *f = &k->files[i];
		bool writable = (f->mode & 022) || f->uid != 0;
		if (!(f->mode & 077) && f->uid == 0 && f->gid == 0)
			continue;
		snprintf(ev, sizeof(ev), "%s mode %04o owner %ld:%ld (CIS %s)", f->path, f->mode, f->uid, f->gid, f->cis);
		emit(e, R_FILE_PERMS, writable ? BH_SEV_HIGH : BH_SEV_MEDIUM, f->path, ev, "%s is %s (want 0600 root:root)",
		     f->path, writable ? "writable by others than root" : "readable by others than root");
	}
}

static void eval_rtcfg(struct ev *e)
{
	const struct bh_node_runtime_cfg *c = &e->n->rtcfg;
	char ev[400];
	if (c->containerd_no_apparmor == 1 || c->containerd_unset_seccomp == 1) {
		snprintf(ev, sizeof(ev), "%s:%s%s", c->containerd_path, c->containerd_no_apparmor == 1 ? " disable_apparmor = true" : "",
			 c->containerd_unset_seccomp == 1 ? " unset_seccomp_profile set" : "");
		emit(e, R_RT_UNCONFINED, BH_SEV_HIGH, c->containerd_path, ev, "containerd switches off its default "
		     "confinement for every container");
	}
	if (c->crio_seccomp[0] && strstr(c->crio_seccomp, "unconfined")) {
		snprintf(ev, sizeof(ev), "%s: seccomp_profile = \"%s\"", c->crio_path, c->crio_seccomp);
		emit(e, R_RT_UNCONFINED, BH_SEV_HIGH, c->crio_path, ev, "CRI-O's default seccomp profile is unconfined");
	}
	if (!strcmp(c->crio_apparmor, "unconfined") && e->n->apparmor == 1) {
		snprintf(ev, sizeof(ev), "%s: apparmor_profile = \"unconfined\"", c->crio_path);
		emit(e, R_RT_UNCONFINED, BH_SEV_HIGH, c->crio_path, ev, "CRI-O runs containers without AppArmor by default");
	}
	if (!strcmp(c->docker_seccomp, "unconfined")) {
		snprintf(ev, sizeof(ev), "%s: \"seccomp-profile\": \"unconfined\"", c->docker_path);
		emit(e, R_RT_UNCONFINED, BH_SEV_HIGH, c->docker_path, ev, "Docker runs containers without seccomp by default");
	}
	if (c->containerd_unpriv_ports == 1 || c->containerd_unpriv_icmp == 1) {
		snprintf(ev, sizeof(ev), "%s: enable_unprivileged_ports=%d enable_unprivileged_icmp=%d", c->containerd_path,
			 c->containerd_unpriv_ports, c->containerd_unpriv_icmp);
		emit(e, R_RT_UNPRIV_PORTS, BH_SEV_LOW, c->containerd_path, ev, "pods may bind ports below 1024 or open ICMP "
		     "sockets without capabilities");
	}
}

int bh_node_evaluate(const struct bh_nodefacts *n, const struct bh_cvedb *db, struct bh_findings *out)
{
	struct ev e = {.n = n, .out = out};
	struct bh_objref saved = out->cur;
	out->cur.kind = "Node";
	out->cur.name = n->hostname[0] ? bh_arena_strndup(out->a, n->hostname, strlen(n->hostname)) : NULL;
	out->cur.file = bh_arena_strndup(out->a, n->root, strlen(n->root)); /* the tree the facts came from */
	char mit[400] = "";
	int backported = 0;
	eval_kernel(&e, db, &backported);
	eval_runtimes(&e, db, &backported);
	eval_sysctls(&e);
	eval_platform(&e, mit, sizeof(mit));
	eval_kubelet(&e, mit, sizeof(mit));
	eval_rtcfg(&e);
	if (backported)
		snprintf(mit + strlen(mit), sizeof(mit) - strlen(mit), "%s%d CVE%s in range by upstream version fixed "
			 "by distribution back-ports", mit[0] ? "; " : "", backported, backported == 1 ? "" : "s");
	if (mit[0])
		emit(&e, R_MITIGATIONS, BH_SEV_INFO, NULL, mit, "mitigations: %s", mit);
	for (size_t i = 0; i < n->nunread; i++)
		emit(&e, R_UNREAD, BH_SEV_INFO, NULL, n->unread[i], "not read: %s", n->unread[i]);
	out->cur = saved;
	return e.oom || out->oom ? -ENOMEM : 0;
}
