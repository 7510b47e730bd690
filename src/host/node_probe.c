/* bh_node_probe: read-only facts about a node, through a root directory (fixture trees, /host in a
 * DaemonSet, or / itself). Kernel, os-release and the kernel package, escape-relevant sysctls, cgroup
 * hierarchies, LSMs and seccomp support; runtimes and the kubelet are in node_runtime.c / node_kubelet.c. */
#include "node.h"
#include "util/file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DPKG_STATUS_MAX (64u << 20)

const char *const bh_node_sysctl_names[BH_SC_N] = {
	"kernel.unprivileged_userns_clone", "user.max_user_namespaces", "kernel.unprivileged_bpf_disabled",
	"kernel.io_uring_disabled", "kernel.kptr_restrict", "kernel.perf_event_paranoid",
	"kernel.yama.ptrace_scope", "kernel.dmesg_restrict", "kernel.modules_disabled",
	"fs.protected_symlinks", "fs.protected_hardlinks", "fs.protected_fifos", "fs.protected_regular",
};

void bh_node_unread(struct bh_nodefacts *n, const char *fmt, ...)
{
	if (n->nunread == BH_NODE_MAX_UNREAD)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(n->unread[n->nunread++], sizeof(n->unread[0]), fmt, ap);
	va_end(ap);
}

const char *bh_node_path(const struct bh_nodefacts *n, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", n->live ? "" : n->root, path);
	return buf;
}

int bh_node_read(const struct bh_nodefacts *n, const char *path, char *buf, size_t len)
{
	char full[1024];
	int fd = open(bh_node_path(n, path, full, sizeof(full)), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t r = read(fd, buf + got, len - 1 - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	buf[got] = 0;
	return 0;
}

static void chomp(char *s)
{
	size_t l = strlen(s);
	while (l && isspace((unsigned char)s[l - 1]))
		s[--l] = 0;
}

/* KEY=value or KEY="value" from an os-release buffer */
static void osrel_get(const char *buf, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, key, kl) || p[kl] != '=')
			continue;
		const char *v = p + kl + 1;
		size_t vl = strcspn(v, "\n");
		if (vl >= 2 && (*v == '"' || *v == '\'') && v[vl - 1] == *v)
			v++, vl -= 2;
		snprintf(out, len, "%.*s", (int)vl, v);
		return;
	}
}

static void probe_os(struct bh_nodefacts *n)
{
	char buf[4096];
	if (bh_node_read(n, "/etc/os-release", buf, sizeof(buf)) && bh_node_read(n, "/usr/lib/os-release", buf, sizeof(buf))) {
		bh_node_unread(n, "os-release (/etc/os-release, /usr/lib/os-release): distribution unknown");
		snprintf(n->distro, sizeof(n->distro), "other");
		return;
	}
	osrel_get(buf, "ID", n->os_id, sizeof(n->os_id));
	osrel_get(buf, "ID_LIKE", n->os_like, sizeof(n->os_like));
	osrel_get(buf, "VERSION_ID", n->os_version_id, sizeof(n->os_version_id));
	osrel_get(buf, "PRETTY_NAME", n->os_pretty, sizeof(n->os_pretty));
	static const char *const rhel_ids[] = {"rhel", "centos", "rocky", "almalinux", NULL};
	const char *d = "other";
	if (!strcmp(n->os_id, "debian") || !strcmp(n->os_id, "ubuntu"))
		d = n->os_id;
	for (const char *const *r = rhel_ids; *r; r++)
		if (!strcmp(n->os_id, *r) || strstr(n->os_like, "rhel"))
			d = "rhel";
	snprintf(n->distro, sizeof(n->distro), "%s", d);
}

/* dpkg status: the Version of an installed package, "" when not installed. */
static int dpkg_version(const char *status, const char *pkg, char *out, size_t len)
{
	size_t pl = strlen(pkg);
	for (const char *p = status; (p = strstr(p, "Package: ")); p++) {
		if ((p != status && p[-1] != '\n') || strncmp(p + 9, pkg, pl) || p[9 + pl] != '\n')
			continue;
		const char *end = strstr(p, "\n\n");
		const char *st = strstr(p, "\nStatus: "), *ver = strstr(p, "\nVersion: ");
		if (!st || !ver || (end && (st > end || ver > end)))
			return 0;
		if (strncmp(st + 9, "install ok installed", 20))
			return 0;
		snprintf(out, len, "%.*s", (int)strcspn(ver + 10, "\n"), ver + 10);
		return 1;
	}
	return 0;
}

/* every installed linux-image-* package (a fixed kernel may be installed but not booted) */
static void dpkg_kernels(struct bh_nodefacts *n, const char *status)
{
	for (const char *p = status; p && (p = strstr(p, "Package: linux-image-")) && n->nkernel_pkgs < BH_NODE_MAX_KERNELS; p++) {
		if (p != status && p[-1] != '\n')
			continue;
		char name[96], ver[96];
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(p + 9, "\n"), p + 9);
		if (isdigit((unsigned char)name[12]) && dpkg_version(status, name, ver, sizeof(ver))) {
			snprintf(n->kernel_pkgs[n->nkernel_pkgs][0], sizeof(n->kernel_pkgs[0][0]), "%s", name);
			snprintf(n->kernel_pkgs[n->nkernel_pkgs++][1], sizeof(n->kernel_pkgs[0][1]), "%s", ver);
		}
	}
}

static char *read_dpkg_status(struct bh_nodefacts *n, size_t *len)
{
	char full[1024];
	char *buf = NULL;
	int rc = bh_read_file(bh_node_path(n, "/var/lib/dpkg/status", full, sizeof(full)), DPKG_STATUS_MAX, &buf, len);
	if (rc) {
		if (rc != -ENOENT)
			bh_node_unread(n, "/var/lib/dpkg/status: %s", strerror(-rc));
		return NULL;
	}
	return buf;
}

/* The running kernel's package version: dpkg status, else the banners, else (RHEL) the release string. */
static void probe_kernel_pkg(struct bh_nodefacts *n, const char *status, const char *proc_version, const char *sig)
{
	const char *rel = n->kernel.release;
	char pkg[160];
	if (status) {
		const char *fmt[] = {"linux-image-%s", "linux-image-%s-unsigned", "linux-image-unsigned-%s"};
		for (size_t i = 0; i < 3 && !n->kernel_pkg_version[0]; i++) {
			snprintf(pkg, sizeof(pkg), fmt[i], rel);
			if (dpkg_version(status, pkg, n->kernel_pkg_version, sizeof(n->kernel_pkg_version))) {
				snprintf(n->kernel_pkg, sizeof(n->kernel_pkg), "%s", pkg);
				snprintf(n->kernel_pkg_from, sizeof(n->kernel_pkg_from), "/var/lib/dpkg/status");
			}
		}
	}
	if (n->kernel_pkg_version[0])
		return;
	const char *deb = proc_version ? strstr(proc_version, " Debian ") : NULL;
	if (!strcmp(n->distro, "debian") && deb && isdigit((unsigned char)deb[8])) {
		/* "… #1 SMP Debian 5.10.46-4 (2021-08-03)": the package version of the running kernel */
		snprintf(n->kernel_pkg_version, sizeof(n->kernel_pkg_version), "%.*s", (int)strcspn(deb + 8, " \n"), deb + 8);
		snprintf(n->kernel_pkg, sizeof(n->kernel_pkg), "linux-image-%s", rel);
		snprintf(n->kernel_pkg_from, sizeof(n->kernel_pkg_from), "/proc/version");
	} else if (!strcmp(n->distro, "ubuntu") && sig && !strncmp(sig, "Ubuntu ", 7)) {
		/* "Ubuntu 5.13.0-35.40~20.04.1-generic 5.13.19": the package version precedes the flavour */
		const char *v = sig + 7;
		size_t vl = strcspn(v, " \n");
		const char *fl = n->kernel.flavour[0] ? strstr(v, n->kernel.flavour) : NULL;
		if (fl && fl > v && fl[-1] == '-' && (size_t)(fl - v) < vl)
			vl = (size_t)(fl - v - 1);
		snprintf(n->kernel_pkg_version, sizeof(n->kernel_pkg_version), "%.*s", (int)vl, v);
		snprintf(n->kernel_pkg, sizeof(n->kernel_pkg), "linux-image-%s", rel);
		snprintf(n->kernel_pkg_from, sizeof(n->kernel_pkg_from), "/proc/version_signature");
	} else if (!strcmp(n->distro, "rhel") && n->kernel.distro == BH_DISTRO_RHEL) {
		/* RHEL names its kernels kernel-VERSION-RELEASE.ARCH and uname -r is VERSION-RELEASE.ARCH */
		const char *dot = strrchr(rel, '.');
		size_t l = dot && strncmp(dot + 1, "el", 2) ? (size_t)(dot - rel) : strlen(rel);
		snprintf(n->kernel_pkg_version, sizeof(n->kernel_pkg_version), "%.*s", (int)l, rel);
		snprintf(n->kernel_pkg, sizeof(n->kernel_pkg), "kernel-core");
		snprintf(n->kernel_pkg_from, sizeof(n->kernel_pkg_from), "the release string (kernel-VERSION-RELEASE.ARCH)");
	}
}

static void probe_rpmdb(struct bh_nodefacts *n)
{
	static const char *const dbs[] = {"/var/lib/rpm/rpmdb.sqlite", "/var/lib/rpm/Packages",
					  "/usr/lib/sysimage/rpm/rpmdb.sqlite", NULL};
	char full[1024];
	struct stat st;
	for (const char *const *d = dbs; *d; d++)
		if (!stat(bh_node_path(n, *d, full, sizeof(full)), &st)) {
			bh_node_unread(n, "%s not read (rpm database; bulkhead has no rpm database reader): package "
				       "versions come from the kernel release string and executables", *d);
			return;
		}
}

static void probe_installed_kernels(struct bh_nodefacts *n)
{
	char full[1024];
	DIR *d = opendir(bh_node_path(n, "/usr/lib/modules", full, sizeof(full)));
	if (!d)
		d = opendir(bh_node_path(n, "/lib/modules", full, sizeof(full)));
	for (struct dirent *e; d && (e = readdir(d)) && n->nkernels < BH_NODE_MAX_KERNELS;)
		if (e->d_name[0] != '.')
			snprintf(n->kernels_installed[n->nkernels++], sizeof(n->kernels_installed[0]), "%s", e->d_name);
	if (d)
		closedir(d);
	char path[200];
	struct stat st;
	snprintf(path, sizeof(path), "/boot/config-%s", n->kernel.release);
	n->kernel_config = !stat(bh_node_path(n, path, full, sizeof(full)), &st);
}

static void probe_kernel(struct bh_nodefacts *n)
{
	char rel[160], pv[1024] = "", sig[256] = "";
	if (bh_node_read(n, "/proc/sys/kernel/osrelease", rel, sizeof(rel))) {
		bh_node_unread(n, "kernel release (/proc/sys/kernel/osrelease): no kernel CVE matching");
		return;
	}
	chomp(rel);
	bool has_pv = !bh_node_read(n, "/proc/version", pv, sizeof(pv));
	bool has_sig = !bh_node_read(n, "/proc/version_signature", sig, sizeof(sig));
	struct bh_err err = {0};
	if (bh_kernel_parse(&n->kernel, rel, has_pv ? pv : NULL, has_sig ? sig : NULL, &err)) {
		bh_node_unread(n, "kernel release: %s", err.msg);
		return;
	}
	n->kernel_known = true;
	size_t len = 0;
	char *status = read_dpkg_status(n, &len);
	probe_kernel_pkg(n, status, has_pv ? pv : NULL, has_sig ? sig : NULL);
	dpkg_kernels(n, status);
	free(status);
	if (!n->kernel_pkg_version[0])
		bh_node_unread(n, "kernel package of %s: not in dpkg status, /proc/version or /proc/version_signature "
			       "(not a distribution kernel?): matched by upstream version only", rel);
	if (!strcmp(n->distro, "rhel") || strstr(n->os_like, "fedora"))
		probe_rpmdb(n);
	probe_installed_kernels(n);
}

static void probe_sysctls(struct bh_nodefacts *n)
{
	for (int i = 0; i < BH_SC_N; i++) {
		char path[128] = "/proc/sys/";
		size_t l = strlen(path);
		for (const char *s = bh_node_sysctl_names[i]; *s && l + 1 < sizeof(path); s++)
			path[l++] = *s == '.' ? '/' : *s;
		path[l] = 0;
		if (bh_node_read(n, path, n->sysctl[i], sizeof(n->sysctl[i])))
			continue;
		chomp(n->sysctl[i]);
		n->sysctl_present[i] = true;
	}
}

/* /proc/cgroups rows "name hierarchy num_cgroups enabled": a hierarchy id > 0 is a v1 hierarchy in use */
static void probe_cgroups(struct bh_nodefacts *n)
{
	char buf[4096], v1[160] = "";
	struct stat st;
	char full[1024];
	n->cgroup_v2 = !stat(bh_node_path(n, "/sys/fs/cgroup/cgroup.controllers", full, sizeof(full)), &st);
	n->cgroup_v1 = -1;
	if (!bh_node_read(n, "/proc/cgroups", buf, sizeof(buf))) {
		n->cgroup_v1 = 0;
		for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
			char name[32];
			unsigned hier, num, en;
			if (line[0] == '#' || sscanf(line, "%31s %u %u %u", name, &hier, &num, &en) != 4 || !hier || !en)
				continue;
			n->cgroup_v1 = 1;
			size_t l = strlen(v1);
			snprintf(v1 + l, sizeof(v1) - l, "%s%s", l ? "," : "", name);
		}
	} else {
		bh_node_unread(n, "/proc/cgroups: cgroup v1 use unknown");
	}
	char cmdline[2048] = "";
	bool no_v1 = !bh_node_read(n, "/proc/cmdline", cmdline, sizeof(cmdline)) && strstr(cmdline, "cgroup_no_v1=all");
	snprintf(n->cgroup_evidence, sizeof(n->cgroup_evidence), "%s%s%s; /sys/fs/cgroup/cgroup.controllers %s%s",
		 n->cgroup_v1 == 1 ? "/proc/cgroups: v1 hierarchies in use by " : n->cgroup_v1 == 0
		 ? "/proc/cgroups: no v1 hierarchy in use" : "/proc/cgroups unreadable", v1, "",
		 n->cgroup_v2 ? "present (cgroup v2)" : "absent", no_v1 ? "; cgroup_no_v1=all on the kernel command line" : "");
}

static void probe_lsm(struct bh_nodefacts *n)
{
	char buf[256];
	if (!bh_node_read(n, "/sys/kernel/security/lsm", n->lsm_list, sizeof(n->lsm_list)))
		chomp(n->lsm_list);
	else
		bh_node_unread(n, "/sys/kernel/security/lsm (securityfs not mounted or not readable)");
	n->apparmor = -1;
	n->apparmor_profiles = n->apparmor_enforce = -1;
	struct stat st;
	char full[1024];
	if (!bh_node_read(n, "/sys/module/apparmor/parameters/enabled", buf, sizeof(buf)))
		n->apparmor = buf[0] == 'Y';
	else if (n->lsm_list[0])
		n->apparmor = strstr(n->lsm_list, "apparmor") != NULL;
	else if (!stat(bh_node_path(n, "/sys/module", full, sizeof(full)), &st))
		n->apparmor = 0; /* built-in AppArmor always has /sys/module/apparmor */
	static char prof[256 * 1024];
	if (n->apparmor == 1 && !bh_node_read(n, "/sys/kernel/security/apparmor/profiles", prof, sizeof(prof))) {
		n->apparmor_profiles = n->apparmor_enforce = 0;
		for (char *p = prof; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
			n->apparmor_profiles++;
			size_t l = strcspn(p, "\n");
			if (l >= 9 && !strncmp(p + l - 9, "(enforce)", 9))
				n->apparmor_enforce++;
		}
	} else if (n->apparmor == 1) {
		bh_node_unread(n, "/sys/kernel/security/apparmor/profiles (needs root): loaded profiles unknown");
	}
	n->selinux = n->selinux_enforcing = -1;
	if (!bh_node_read(n, "/sys/fs/selinux/enforce", buf, sizeof(buf))) {
		n->selinux = 1;
		n->selinux_enforcing = buf[0] == '1';
	} else if (n->lsm_list[0]) {
		n->selinux = strstr(n->lsm_list, "selinux") != NULL;
	} else if (!stat(bh_node_path(n, "/sys/fs", full, sizeof(full)), &st)) {
		n->selinux = 0; /* an enabled SELinux mounts selinuxfs at /sys/fs/selinux */
	}
}

static void probe_seccomp(struct bh_nodefacts *n)
{
	char buf[512];
	n->seccomp = -1;
	if (!bh_node_read(n, "/proc/sys/kernel/seccomp/actions_avail", buf, sizeof(buf))) {
		chomp(buf);
		n->seccomp = strstr(buf, "errno") != NULL;
		snprintf(n->seccomp_evidence, sizeof(n->seccomp_evidence), "/proc/sys/kernel/seccomp/actions_avail: %s", buf);
	} else if (!bh_node_read(n, "/proc/self/status", buf, sizeof(buf))) {
		n->seccomp = strstr(buf, "\nSeccomp:") != NULL;
		snprintf(n->seccomp_evidence, sizeof(n->seccomp_evidence), "/proc/self/status %s a Seccomp: line",
			 n->seccomp ? "has" : "lacks");
	} else {
		bh_node_unread(n, "seccomp support (/proc/sys/kernel/seccomp/actions_avail)");
	}
}

int bh_node_probe(const struct bh_node_opts *o, struct bh_nodefacts *n, struct bh_err *err)
{
	memset(n, 0, sizeof(*n));
	n->root = o->root && *o->root ? o->root : "/";
	struct stat st;
	if (stat(n->root, &st) || !S_ISDIR(st.st_mode))
		return bh_err_set(err, -ENOTDIR, 0, 0, "%s: not a directory", n->root);
	char real[4096];
	n->live = realpath(n->root, real) && !strcmp(real, "/");
	n->as_root = geteuid() == 0;
	if (!bh_node_read(n, "/etc/hostname", n->hostname, sizeof(n->hostname)) ||
	    !bh_node_read(n, "/proc/sys/kernel/hostname", n->hostname, sizeof(n->hostname)))
		chomp(n->hostname);
	probe_os(n);
	probe_kernel(n);
	probe_sysctls(n);
	probe_cgroups(n);
	probe_lsm(n);
	probe_seccomp(n);
	bh_node_probe_runtimes(o, n);
	bh_node_probe_kubelet(o, n);
	if (!n->as_root)
		bh_node_unread(n, "running as uid %u, not root: root-only files (kubelet process of another user, "
			       "AppArmor profiles, 0600 configs) may be missing from these results", (unsigned)geteuid());
	return 0;
}
