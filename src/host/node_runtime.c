/* Container runtimes on the node: their versions (from `--version` when the root is "/", else from the
 * package database) and the settings of their configuration files that decide a pod's confinement. */
#include "node.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/file.h"

static const struct {
	const char *component, *exe;
	const char *pkgs[3];          /* Debian/Ubuntu package names */
} rts[BH_RT_N] = {
	[BH_RT_RUNC] = {"runc", "runc", {"runc", NULL}},
	[BH_RT_CRUN] = {"crun", "crun", {"crun", NULL}},
	[BH_RT_CONTAINERD] = {"containerd", "containerd", {"containerd", "containerd.io", NULL}},
	[BH_RT_CRIO] = {"cri-o", "crio", {"cri-o", NULL}},
	[BH_RT_DOCKER] = {"docker", "dockerd", {"docker.io", "docker-ce", NULL}},
	[BH_RT_KUBELET] = {"kubelet", "kubelet", {"kubelet", NULL}},
};

static const char *const bindirs[] = {"/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/bin",
				      "/sbin", "/opt/bin", "/home/kubernetes/bin", NULL};

/* first word of text that reads as a version with a dot: "runc version 1.1.5+ds1" → "1.1.5" */
static bool pick_version(const char *text, char *out, size_t len)
{
	for (const char *p = text; *p; p++) {
		if (p != text && !isspace((unsigned char)p[-1]) && p[-1] != ':')
			continue;
		const char *w = *p == 'v' ? p + 1 : p;
		if (!isdigit((unsigned char)*w))
			continue;
		struct bh_ver v;
		const char *end;
		size_t wl = strcspn(w, " \t\n,");
		if (!memchr(w, '.', wl) || bh_ver_parse(w, &v, &end))
			continue;
		v.abi = 0; /* "1.6.0-1": a package revision, not part of the upstream version */
		bh_ver_str(&v, out, len);
		return true;
	}
	return false;
}

/* Runs PATH --version with no shell, a fixed environment and a 5 s limit; first line into out. */
static int run_version(const char *path, char *out, size_t len)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDWR);
		dup2(nul, 0);
		dup2(pfd[1], 1);
		dup2(nul, 2);
		char *argv[] = {(char *)path, "--version", NULL};
		char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C", NULL};
		execve(path, argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	size_t got = 0;
	struct pollfd p = {.fd = pfd[0], .events = POLLIN};
	while (got + 1 < len && poll(&p, 1, 5000) > 0) {
		ssize_t r = read(pfd[0], out + got, len - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	out[got] = 0;
	close(pfd[0]);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	out[strcspn(out, "\n")] = 0;
	return got ? 0 : -ENODATA;
}

static void find_exe(struct bh_nodefacts *n, struct bh_node_runtime *r, const char *exe)
{
	char full[1024];
	struct stat st;
	for (const char *const *d = bindirs; *d; d++) {
		char rel[200];
		snprintf(rel, sizeof(rel), "%s/%s", *d, exe);
		if (!stat(bh_node_path(n, rel, full, sizeof(full)), &st) && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			snprintf(r->path, sizeof(r->path), "%s", rel);
			return;
		}
	}
}

static void from_package(const char *status, struct bh_node_runtime *r, const char *const *pkgs)
{
	for (; status && *pkgs; pkgs++) {
		char key[80];
		snprintf(key, sizeof(key), "Package: %s\n", *pkgs);
		for (const char *p = strstr(status, key); p; p = strstr(p + 1, key)) {
			if (p != status && p[-1] != '\n')
				continue;
			const char *end = strstr(p, "\n\n"), *st = strstr(p, "\nStatus: "), *ver = strstr(p, "\nVersion: ");
			if (!st || !ver || (end && (st > end || ver > end)) || strncmp(st + 9, "install ok installed", 20))
				break;
			snprintf(r->pkg, sizeof(r->pkg), "%s", *pkgs);
			snprintf(r->pkg_version, sizeof(r->pkg_version), "%.*s", (int)strcspn(ver + 10, "\n"), ver + 10);
			return;
		}
	}
}

/* formats through a local buffer: the arguments are fields of the same struct as dst */
static void set_str(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_str(char *dst, size_t len, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	snprintf(dst, len, "%s", tmp);
}

static void probe_one(const struct bh_node_opts *o, struct bh_nodefacts *n, int i, const char *status)
{
	struct bh_node_runtime *r = &n->rt[i];
	r->name = rts[i].component;
	find_exe(n, r, rts[i].exe);
	from_package(status, r, rts[i].pkgs);
	if (r->path[0] && n->live && !o->no_exec && !run_version(r->path, r->raw, sizeof(r->raw)) &&
	    pick_version(r->raw, r->version, sizeof(r->version))) {
		set_str(r->from, sizeof(r->from), "%s --version", r->path);
		return;
	}
	if (r->pkg_version[0]) {
		const char *colon = strchr(r->pkg_version, ':');
		set_str(r->raw, sizeof(r->raw), "%s %s", r->pkg, r->pkg_version);
		if (pick_version(colon ? colon + 1 : r->pkg_version, r->version, sizeof(r->version)))
			set_str(r->from, sizeof(r->from), "dpkg status (%s)", r->pkg);
		return;
	}
	if (r->path[0])
		bh_node_unread(n, "%s: version unknown (%s is not run under --root %s, and no package database "
			       "names it)", r->name, r->path, n->root);
}

/* "key = value" of a TOML file, first occurrence, quotes stripped; 1 when found */
static int toml_get(const char *buf, const char *key, char *out, size_t len)
{
	size_t kl = strlen(key);
	for (const char *p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, key, kl) || (p[kl] != ' ' && p[kl] != '='))
			continue;
		const char *v = p + kl + strspn(p + kl, " \t=");
		size_t vl = strcspn(v, "\n#");
		while (vl && isspace((unsigned char)v[vl - 1]))
			vl--;
		if (vl >= 2 && (*v == '"' || *v == '\'') && v[vl - 1] == *v)
			v++, vl -= 2;
		snprintf(out, len, "%.*s", (int)vl, v);
		return 1;
	}
	return 0;
}

static int tri(const char *buf, const char *key)
{
	char v[16];
	return toml_get(buf, key, v, sizeof(v)) ? !strcmp(v, "true") : -1;
}

static char *read_cfg(struct bh_nodefacts *n, const char *path, char *used, size_t usedlen)
{
	char full[1024], *buf = NULL;
	size_t len;
	int rc = bh_read_file(bh_node_path(n, path, full, sizeof(full)), 1u << 20, &buf, &len);
	if (rc == -ENOENT)
		return NULL;
	if (rc) {
		bh_node_unread(n, "%s: %s", path, strerror(-rc));
		return NULL;
	}
	snprintf(used, usedlen, "%s", path);
	return buf;
}

static void containerd_cfg(struct bh_nodefacts *n, struct bh_node_runtime_cfg *c)
{
	char *b = read_cfg(n, "/etc/containerd/config.toml", c->containerd_path, sizeof(c->containerd_path));
	if (!b)
		return;
	char v[64];
	c->containerd_unpriv_ports = tri(b, "enable_unprivileged_ports");
	c->containerd_unpriv_icmp = tri(b, "enable_unprivileged_icmp");
	c->containerd_no_apparmor = tri(b, "disable_apparmor");
	c->containerd_unset_seccomp = toml_get(b, "unset_seccomp_profile", v, sizeof(v)) ? v[0] != 0 : -1;
	toml_get(b, "snapshotter", c->snapshotter, sizeof(c->snapshotter));
	free(b);
}

/* one CRI-O file: later files (crio.conf.d/ in name order) override earlier ones, as CRI-O reads them */
static void crio_file(struct bh_nodefacts *n, struct bh_node_runtime_cfg *c, const char *path)
{
	char used[160];
	char *b = read_cfg(n, path, used, sizeof(used));
	if (!b)
		return;
	snprintf(c->crio_path, sizeof(c->crio_path), "%s", used);
	toml_get(b, "seccomp_profile", c->crio_seccomp, sizeof(c->crio_seccomp));
	toml_get(b, "apparmor_profile", c->crio_apparmor, sizeof(c->crio_apparmor));
	const char *caps = strstr(b, "default_capabilities");
	if (caps) {
		const char *end = strchr(caps, ']');
		const char *raw = strstr(caps, "NET_RAW");
		c->crio_drops_net_raw = !(raw && (!end || raw < end));
	}
	free(b);
}

static int conf_only(const struct dirent *e)
{
	size_t l = strlen(e->d_name);
	return e->d_name[0] != '.' && l > 5 && !strcmp(e->d_name + l - 5, ".conf");
}

static void crio_cfg(struct bh_nodefacts *n, struct bh_node_runtime_cfg *c)
{
	crio_file(n, c, "/etc/crio/crio.conf");
	char full[1024];
	struct dirent **list = NULL;
	int k = scandir(bh_node_path(n, "/etc/crio/crio.conf.d", full, sizeof(full)), &list, conf_only, alphasort);
	for (int i = 0; i < k; i++) {
		char rel[400];
		snprintf(rel, sizeof(rel), "/etc/crio/crio.conf.d/%s", list[i]->d_name);
		crio_file(n, c, rel);
		free(list[i]);
	}
	free(list);
}

static void docker_cfg(struct bh_nodefacts *n, struct bh_node_runtime_cfg *c)
{
	char *b = read_cfg(n, "/etc/docker/daemon.json", c->docker_path, sizeof(c->docker_path));
	if (!b)
		return;
	const char *s = strstr(b, "\"seccomp-profile\"");
	if (s && (s = strchr(s + 17, '"')))
		snprintf(c->docker_seccomp, sizeof(c->docker_seccomp), "%.*s", (int)strcspn(s + 1, "\""), s + 1);
	c->docker_userns = strstr(b, "\"userns-remap\"") != NULL;
	free(b);
}

static void probe_configs(struct bh_nodefacts *n)
{
	struct bh_node_runtime_cfg *c = &n->rtcfg;
	c->containerd_unpriv_ports = c->containerd_unpriv_icmp = c->containerd_no_apparmor = -1;
	c->containerd_unset_seccomp = c->crio_drops_net_raw = c->docker_userns = -1;
	containerd_cfg(n, c);
	crio_cfg(n, c);
	docker_cfg(n, c);
}

void bh_node_probe_runtimes(const struct bh_node_opts *o, struct bh_nodefacts *n)
{
	char full[1024], *status = NULL;
	size_t len;
	int rc = bh_read_file(bh_node_path(n, "/var/lib/dpkg/status", full, sizeof(full)), 64u << 20, &status, &len);
	if (rc && rc != -ENOENT)
		status = NULL;
	for (int i = 0; i < BH_RT_N; i++)
		probe_one(o, n, i, status);
	free(status);
	probe_configs(n);
}
