/* The kubelet's effective security settings: its command line (a kubelet process under the root's /proc, or
 * --kubelet-flags) over its config file (KubeletConfiguration, decoded with the project's YAML decoder),
 * over the defaults of whichever applies. The defaults differ: without --config the flag defaults hold
 * (--anonymous-auth=true, --authorization-mode=AlwaysAllow, --read-only-port=10255); with a config file
 * the v1beta1 defaults hold (anonymous off, Webhook, readOnlyPort 0) — k8s.io/kubernetes
 * pkg/kubelet/apis/config/v1beta1/defaults.go and the kubelet flag help. */
#include "node.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "decode/node.h"
#include "util/file.h"

enum { W_ANON, W_AUTHZ, W_RO, W_SECCOMP, W_PKD, W_ROTATE, W_TLSBOOT };

static void set_where(struct bh_node_kubelet *k, int w, const char *fmt, const char *a, unsigned line)
{
	snprintf(k->where[w], sizeof(k->where[w]), fmt, a, line);
}

/* The value of --name (either "--name=value" or "--name value"), NULL when absent; bare boolean flags
 * yield "true". */
static const char *flag(const char *flags, const char *name, char *out, size_t len)
{
	size_t nl = strlen(name);
	for (const char *p = flags; (p = strstr(p, name)); p += nl) {
		if ((p != flags && p[-1] != ' ') || (p[nl] && p[nl] != '=' && p[nl] != ' '))
			continue;
		const char *v = p + nl;
		if (*v == '=')
			v++;
		else if (*v == ' ' && v[1] && v[1] != '-')
			v++;
		else {
			snprintf(out, len, "true");
			return out;
		}
		snprintf(out, len, "%.*s", (int)strcspn(v, " "), v);
	}
	return out[0] ? out : NULL;
}

static int as_tri(const char *v)
{
	return v ? (!strcmp(v, "true") || !strcmp(v, "1")) : -1;
}

static void apply_flags(struct bh_node_kubelet *k)
{
	char v[300] = "";
	const char *f = k->flags;
	if (flag(f, "--anonymous-auth", v, sizeof(v)))
		k->anonymous = as_tri(v), set_where(k, W_ANON, "flag --anonymous-auth=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--authorization-mode", v, sizeof(v)))
		snprintf(k->authz_mode, sizeof(k->authz_mode), "%s", v), set_where(k, W_AUTHZ, "flag --authorization-mode=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--read-only-port", v, sizeof(v)))
		k->read_only_port = strtol(v, NULL, 10), set_where(k, W_RO, "flag --read-only-port=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--seccomp-default", v, sizeof(v)))
		k->seccomp_default = as_tri(v), set_where(k, W_SECCOMP, "flag --seccomp-default=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--protect-kernel-defaults", v, sizeof(v)))
		k->protect_kernel_defaults = as_tri(v), set_where(k, W_PKD, "flag --protect-kernel-defaults=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--rotate-certificates", v, sizeof(v)))
		k->rotate_certs = as_tri(v), set_where(k, W_ROTATE, "flag --rotate-certificates=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--rotate-server-certificates", v, sizeof(v)))
		k->server_tls_bootstrap = as_tri(v), set_where(k, W_TLSBOOT, "flag --rotate-server-certificates=%s", v, 0);
	v[0] = 0;
	if (flag(f, "--client-ca-file", v, sizeof(v)))
		snprintf(k->client_ca, sizeof(k->client_ca), "%s", v);
	v[0] = 0;
	if (flag(f, "--feature-gates", v, sizeof(v)))
		snprintf(k->feature_gates, sizeof(k->feature_gates), "%s", v);
}

static void defaults(struct bh_node_kubelet *k, bool config_file)
{
	const char *src = config_file ? "default (KubeletConfiguration v1beta1)%s" : "default (kubelet flags, no --config)%s";
	k->anonymous = !config_file;
	k->webhook_authn = config_file;
	snprintf(k->authz_mode, sizeof(k->authz_mode), "%s", config_file ? "Webhook" : "AlwaysAllow");
	k->read_only_port = config_file ? 0 : 10255;
	k->seccomp_default = k->protect_kernel_defaults = k->rotate_certs = k->server_tls_bootstrap = 0;
	k->rotate_server_gate = -1;
	for (int w = 0; w < 7; w++)
		set_where(k, w, src, "", 0);
}

static const struct bh_node *path_get(const struct bh_node *root, const char *a, const char *b, const char *c)
{
	const struct bh_node *x = bh_map_get(root, a, BH_READ_LAST, NULL, NULL);
	if (x && b)
		x = bh_map_get(x, b, BH_READ_LAST, NULL, NULL);
	if (x && c)
		x = bh_map_get(x, c, BH_READ_LAST, NULL, NULL);
	return x;
}

static void cfg_bool(struct bh_node_kubelet *k, const struct bh_node *v, int *dst, int w)
{
	bool b;
	if (bh_as_bool(v, &b) == BH_OK) {
		*dst = b;
		if (w >= 0)
			set_where(k, w, "%s:%u", k->config, v->line);
	}
}

static void apply_config_doc(struct bh_node_kubelet *k, const struct bh_node *r)
{
	const char *s;
	size_t l;
	int64_t i;
	cfg_bool(k, path_get(r, "authentication", "anonymous", "enabled"), &k->anonymous, W_ANON);
	int wh = -1;
	cfg_bool(k, path_get(r, "authentication", "webhook", "enabled"), &wh, -1);
	if (wh >= 0)
		k->webhook_authn = wh;
	const struct bh_node *v = path_get(r, "authentication", "x509", "clientCAFile");
	if (bh_as_str(v, &s, &l) == BH_OK)
		snprintf(k->client_ca, sizeof(k->client_ca), "%.*s", (int)l, s);
	v = path_get(r, "authorization", "mode", NULL);
	if (bh_as_str(v, &s, &l) == BH_OK)
		snprintf(k->authz_mode, sizeof(k->authz_mode), "%.*s", (int)l, s), set_where(k, W_AUTHZ, "%s:%u", k->config, v->line);
	v = path_get(r, "readOnlyPort", NULL, NULL);
	if (bh_as_int(v, &i) == BH_OK)
		k->read_only_port = (long)i, set_where(k, W_RO, "%s:%u", k->config, v->line);
	cfg_bool(k, path_get(r, "seccompDefault", NULL, NULL), &k->seccomp_default, W_SECCOMP);
	cfg_bool(k, path_get(r, "protectKernelDefaults", NULL, NULL), &k->protect_kernel_defaults, W_PKD);
	cfg_bool(k, path_get(r, "rotateCertificates", NULL, NULL), &k->rotate_certs, W_ROTATE);
	cfg_bool(k, path_get(r, "serverTLSBootstrap", NULL, NULL), &k->server_tls_bootstrap, W_TLSBOOT);
	const struct bh_node *fg = path_get(r, "featureGates", NULL, NULL);
	for (uint32_t j = 0; fg && fg->type == BH_MAP && j < fg->n; j++) {
		bool b;
		size_t used = strlen(k->feature_gates);
		if (bh_as_bool(fg->pairs[j].val, &b) != BH_OK || used >= sizeof(k->feature_gates) - 1)
			continue;
		snprintf(k->feature_gates + used, sizeof(k->feature_gates) - used, "%s%s=%s", used ? "," : "",
			 fg->pairs[j].key->s, b ? "true" : "false");
		if (!strcmp(fg->pairs[j].key->s, "RotateKubeletServerCertificate"))
			k->rotate_server_gate = b;
	}
}

static void read_config(struct bh_nodefacts *n, struct bh_node_kubelet *k)
{
	char full[1024], *buf = NULL;
	size_t len;
	int rc = bh_read_file(bh_node_path(n, k->config, full, sizeof(full)), 1u << 20, &buf, &len);
	if (rc) {
		bh_node_unread(n, "kubelet config %s: %s", k->config, strerror(-rc));
		return;
	}
	struct bh_arena a;
	bh_arena_init(&a, 4u << 20);
	struct bh_decoder *d = bh_decoder_new(k->config, buf, len, &bh_default_limits);
	struct bh_doc doc;
	struct bh_err err = {0};
	int r = d ? bh_decoder_next(d, &a, &doc, &err) : -ENOMEM;
	if (r == 1 && doc.root && doc.root->type == BH_MAP)
		apply_config_doc(k, doc.root);
	else if (r < 0) {
		snprintf(k->config_error, sizeof(k->config_error), "%s:%u:%u: %s", k->config, err.line, err.col, err.msg);
		snprintf(k->config_error_msg, sizeof(k->config_error_msg), "%s", err.msg);
		k->config_error_line = err.line;
		k->config_error_col = err.col;
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
	free(buf);
}

/* a kubelet process: /proc/PID/cmdline whose argv[0] ends in "kubelet" */
static bool find_process(struct bh_nodefacts *n, struct bh_node_kubelet *k)
{
	char full[1024];
	DIR *d = opendir(bh_node_path(n, "/proc", full, sizeof(full)));
	for (struct dirent *e; d && (e = readdir(d));) {
		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		char path[300], buf[sizeof(k->flags)];
		snprintf(path, sizeof(path), "/proc/%s/cmdline", e->d_name);
		char fp[1024];
		FILE *f = fopen(bh_node_path(n, path, fp, sizeof(fp)), "re");
		size_t got = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
		if (f)
			fclose(f);
		buf[got] = 0;
		const char *base = strrchr(buf, '/') ? strrchr(buf, '/') + 1 : buf;
		if (!got || strcmp(base, "kubelet"))
			continue;
		for (size_t i = 0; i + 1 < got; i++)
			if (!buf[i])
				buf[i] = ' ';
		snprintf(k->flags, sizeof(k->flags), "%s", buf);
		snprintf(k->cmdline_from, sizeof(k->cmdline_from), "%s", path);
		closedir(d);
		return true;
	}
	if (d)
		closedir(d);
	return false;
}

static void file_perm(struct bh_nodefacts *n, struct bh_node_kubelet *k, const char *path, const char *cis)
{
	char full[1024];
	struct stat st;
	if (!path || !*path || k->nfiles == sizeof(k->files) / sizeof(k->files[0]) ||
	    stat(bh_node_path(n, path, full, sizeof(full)), &st))
		return;
	snprintf(k->files[k->nfiles].path, sizeof(k->files[0].path), "%s", path);
	k->files[k->nfiles].mode = st.st_mode & 07777;
	k->files[k->nfiles].uid = (long)st.st_uid;
	k->files[k->nfiles].gid = (long)st.st_gid;
	k->files[k->nfiles++].cis = cis;
}

void bh_node_probe_kubelet(const struct bh_node_opts *o, struct bh_nodefacts *n)
{
	struct bh_node_kubelet *k = &n->kubelet;
	if (o->kubelet_flags) {
		snprintf(k->flags, sizeof(k->flags), "kubelet %s", o->kubelet_flags);
		snprintf(k->cmdline_from, sizeof(k->cmdline_from), "--kubelet-flags");
	} else if (!find_process(n, k)) {
		bh_node_unread(n, "no kubelet process under %s/proc: kubelet flags unknown%s", n->live ? "" : n->root,
			       o->kubelet_config ? "" : " (give --kubelet-flags or --kubelet-config)");
	}
	char v[200] = "";
	const char *cfg = o->kubelet_config ? o->kubelet_config : flag(k->flags, "--config", v, sizeof(v));
	struct stat st;
	char full[1024];
	if (!cfg && !k->cmdline_from[0] && !stat(bh_node_path(n, "/var/lib/kubelet/config.yaml", full, sizeof(full)), &st))
		cfg = "/var/lib/kubelet/config.yaml";
	k->found = cfg || k->cmdline_from[0];
	if (!k->found)
		return;
	defaults(k, cfg != NULL);
	if (cfg) {
		snprintf(k->config, sizeof(k->config), "%s", cfg);
		read_config(n, k);
	}
	apply_flags(k);
	/* the gate may come from the file's featureGates or from --feature-gates=…,RotateKubeletServerCertificate=… */
	const char *g = strstr(k->feature_gates, "RotateKubeletServerCertificate=");
	if (g)
		k->rotate_server_gate = !strncmp(g + 31, "true", 4);
	char cd[200] = "";
	if (flag(k->flags, "--config-dir", cd, sizeof(cd)))
		bh_node_unread(n, "kubelet --config-dir %s: drop-in files are not read (settings there may override the "
			       "values reported)", cd);
	char kc[200] = "";
	const char *kubeconfig = flag(k->flags, "--kubeconfig", kc, sizeof(kc));
	file_perm(n, k, cfg, "4.1.9/4.1.10");
	file_perm(n, k, kubeconfig ? kubeconfig : "/etc/kubernetes/kubelet.conf", "4.1.5/4.1.6");
	file_perm(n, k, k->client_ca, "4.1.7/4.1.8");
	file_perm(n, k, "/etc/systemd/system/kubelet.service.d/10-kubeadm.conf", "4.1.1/4.1.2");
}
