/* Where the API server is and who we are: a kubeconfig (clientcmd's format: clusters, users, contexts,
 * current-context; relative paths are relative to the folder of the file that holds them) or the in-cluster
 * service account. $KUBECONFIG may list several files, merged as kubectl merges them
 * (https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/, "Merging
 * kubeconfig files"): empty names and missing files are skipped, a file that cannot be decoded is an error,
 * and the first file to set a value or a map key wins — current-context from the first file that sets it,
 * a context, cluster or user entirely from the first file that has one of that name. */
#include <errno.h>
#include <gnutls/gnutls.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode/node.h"
#include "kube_int.h"
#include "util/file.h"

static const struct bh_node *get(const struct bh_node *m, const char *k)
{
	return bh_map_get(m, k, BH_READ_LAST, NULL, NULL);
}

static const char *str(const struct bh_node *m, const char *k)
{
	const char *s;
	size_t len;
	return bh_as_str(get(m, k), &s, &len) == BH_OK ? s : NULL;
}

/* the entry of a named list (clusters, users, contexts) and its inner map (cluster, user, context) */
static const struct bh_node *named(const struct bh_node *root, const char *list, const char *inner, const char *name)
{
	const struct bh_node *l = get(root, list);
	for (uint32_t i = 0; name && l && l->type == BH_SEQ && i < l->n; i++) {
		const char *n = str(l->items[i], "name");
		if (n && !strcmp(n, name))
			return get(l->items[i], inner);
	}
	return NULL;
}

/* data (memory) into a memfd whose /proc/self/fd path libcurl/GnuTLS can open: no secret on disk */
int bh_kube_memfile(struct bh_kube *k, const void *data, size_t len, char *path, size_t size)
{
	int fd = memfd_create("bulkhead-kube", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	if (k->nfds < sizeof(k->fds) / sizeof(*k->fds))
		k->fds[k->nfds++] = fd;
	snprintf(path, size, "/proc/self/fd/%d", fd);
	return 0;
}

static int b64file(struct bh_kube *k, const char *b64, char *path, size_t size, struct bh_err *err, const char *what)
{
	gnutls_datum_t in = {(unsigned char *)b64, (unsigned)strlen(b64)}, out = {0};
	if (gnutls_base64_decode2(&in, &out) < 0)
		return bh_err_set(err, -EINVAL, 0, 0, "kubeconfig: %s is not base64", what);
	int rc = bh_kube_memfile(k, out.data, out.size, path, size);
	gnutls_free(out.data);
	return rc < 0 ? bh_err_set(err, rc, 0, 0, "kubeconfig: %s: %s", what, strerror(-rc)) : 0;
}

/* a file path relative to the kubeconfig's folder */
static void rel(const struct bh_kube *k, const char *p, char *out, size_t size)
{
	if (p[0] == '/' || !k->dir[0])
		snprintf(out, size, "%s", p);
	else
		snprintf(out, size, "%s/%s", k->dir, p);
}

static int cluster_part(struct bh_kube *k, const struct bh_node *cl, struct bh_err *err)
{
	const char *server = str(cl, "server"), *ca = str(cl, "certificate-authority"),
		   *cad = str(cl, "certificate-authority-data"), *sni = str(cl, "tls-server-name");
	if (!server)
		return bh_err_set(err, -EINVAL, 0, 0, "kubeconfig: the cluster has no server");
	snprintf(k->server, sizeof(k->server), "%s", server);
	size_t l = strlen(k->server);
	while (l && k->server[l - 1] == '/')
		k->server[--l] = 0;
	bool insecure = false;
	k->insecure = bh_as_bool(get(cl, "insecure-skip-tls-verify"), &insecure) == BH_OK && insecure;
	if (sni)
		snprintf(k->sni, sizeof(k->sni), "%s", sni);
	if (cad)
		return b64file(k, cad, k->ca, sizeof(k->ca), err, "certificate-authority-data");
	if (ca)
		rel(k, ca, k->ca, sizeof(k->ca));
	return 0;
}

static int user_part(struct bh_kube *k, const struct bh_node *u, struct bh_err *err)
{
	const char *tok = str(u, "token"), *tf = str(u, "tokenFile"), *cc = str(u, "client-certificate"),
		   *ccd = str(u, "client-certificate-data"), *ck = str(u, "client-key"), *ckd = str(u, "client-key-data");
	int rc = 0;
	if (tok)
		snprintf(k->token, sizeof(k->token), "%s", tok);
	if (tf)
		rel(k, tf, k->token_file, sizeof(k->token_file));
	if (ccd)
		rc = b64file(k, ccd, k->cert, sizeof(k->cert), err, "client-certificate-data");
	else if (cc)
		rel(k, cc, k->cert, sizeof(k->cert));
	if (!rc && ckd)
		rc = b64file(k, ckd, k->key, sizeof(k->key), err, "client-key-data");
	else if (!rc && ck)
		rel(k, ck, k->key, sizeof(k->key));
	const struct bh_node *ex = get(u, "exec");
	if (!rc && ex)
		rc = bh_kube_exec_plugin(k, ex, err);
	if (!rc && (str(u, "auth-provider") || get(u, "auth-provider")))
		rc = bh_err_set(err, -ENOTSUP, 0, 0, "kubeconfig: auth-provider plugins are not supported (use exec)");
	return rc;
}

#define KC_MAX_FILES 16

struct kc_file {
	const char *path;
	char *buf;
	const struct bh_node *root;
	struct bh_decoder *d;
};

/* the first file that has list entry NAME (clientcmd: the first to set a map key wins); *from = its index */
static const struct bh_node *first_named(const struct kc_file *f, size_t n, const char *list, const char *inner,
					 const char *name, size_t *from)
{
	for (size_t i = 0; name && i < n; i++) {
		const struct bh_node *e = named(f[i].root, list, inner, name);
		if (e) {
			*from = i;
			return e;
		}
	}
	return NULL;
}

static void set_dir(struct bh_kube *k, const char *path)
{
	char tmp[sizeof(k->dir)];
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(k->dir, sizeof(k->dir), "%s", dirname(tmp));
}

static int resolve(struct bh_kube *k, const struct kc_file *f, size_t n, const char *ctxname, struct bh_err *err)
{
	const char *cur = ctxname;
	for (size_t i = 0; !cur && i < n; i++) {
		const char *c = str(f[i].root, "current-context");
		cur = c && *c ? c : NULL;
	}
	size_t fx = 0, fc = 0, fu = 0;
	const struct bh_node *cx = first_named(f, n, "contexts", "context", cur, &fx);
	const struct bh_node *cl = cx ? first_named(f, n, "clusters", "cluster", str(cx, "cluster"), &fc) : NULL;
	const struct bh_node *u = cx ? first_named(f, n, "users", "user", str(cx, "user"), &fu) : NULL;
	snprintf(k->context, sizeof(k->context), "%s", cur ? cur : "");
	const char *where = n == 1 ? f[0].path : "$KUBECONFIG";
	if (!cx)
		return bh_err_set(err, -EINVAL, 0, 0, "%s: no context '%s'", where, cur ? cur : "(current-context unset)");
	if (!cl)
		return bh_err_set(err, -EINVAL, 0, 0, "%s: context '%s' names no known cluster", n == 1 ? where : f[fx].path,
				  cur);
	set_dir(k, f[fc].path);
	int rc = cluster_part(k, cl, err);
	if (!rc && u) {
		set_dir(k, f[fu].path);
		rc = user_part(k, u, err);
	}
	return rc;
}

/* read and decode one file into f; 1 = skipped (missing, and allowed to be) */
static int load_one(struct kc_file *f, const char *path, bool skip_missing, struct bh_arena *a, struct bh_err *err)
{
	size_t len = 0;
	f->path = path;
	int rc = bh_read_file(path, 4u << 20, &f->buf, &len);
	if (rc == -ENOENT && skip_missing)
		return 1;
	if (rc < 0)
		return bh_err_set(err, rc, 0, 0, "%s: %s", path, strerror(-rc));
	f->d = bh_decoder_new(path, f->buf, len, &bh_default_limits);
	struct bh_doc doc;
	rc = f->d ? bh_decoder_next(f->d, a, &doc, err) : -ENOMEM;
	if (rc > 0) {
		f->root = doc.root;
		return 0;
	}
	if (rc == 0)
		return bh_err_set(err, -EINVAL, 0, 0, "%s: empty kubeconfig", path);
	return bh_err_set(err, rc, err->line, err->col, "%s:%u:%u: %s", path, err->line, err->col, err->msg);
}

/* list: one path, or (from $KUBECONFIG) colon-separated paths merged in order */
static int load_files(struct bh_kube *k, const char *list, bool is_list, const char *ctxname, struct bh_err *err)
{
	struct kc_file f[KC_MAX_FILES] = {0};
	char *copy = strdup(list), *save = NULL;
	size_t n = 0;
	int rc = copy ? 0 : -ENOMEM;
	struct bh_arena a;
	bh_arena_init(&a, 64u << 20);
	for (char *p = is_list ? strtok_r(copy, ":", &save) : copy; !rc && p; p = is_list ? strtok_r(NULL, ":", &save) : NULL) {
		if (n == KC_MAX_FILES) {
			rc = bh_err_set(err, -E2BIG, 0, 0, "$KUBECONFIG: more than %d files", KC_MAX_FILES);
			break;
		}
		int r = load_one(&f[n], p, is_list, &a, err);
		if (r < 0 || f[n].root)
			n++;
		rc = r < 0 ? r : 0;
	}
	if (!rc && !n)
		rc = bh_err_set(err, -ENOENT, 0, 0, "$KUBECONFIG: none of the files exists: %s", list);
	if (!rc) {
		snprintf(k->source, sizeof(k->source), "kubeconfig %s", n == 1 ? f[0].path : list);
		rc = resolve(k, f, n, ctxname, err);
	}
	for (size_t i = 0; i < n; i++) {
		bh_decoder_free(f[i].d);
		free(f[i].buf);
	}
	bh_arena_release(&a);
	free(copy);
	return rc < 0 ? rc : 0;
}

int bh_kube_load_kubeconfig(struct bh_kube *k, const char *path, const char *ctxname, struct bh_err *err)
{
	return load_files(k, path, false, ctxname, err);
}

int bh_kube_load_kubeconfig_env(struct bh_kube *k, const char *list, const char *ctxname, struct bh_err *err)
{
	return load_files(k, list, true, ctxname, err);
}

/* in a pod: KUBERNETES_SERVICE_HOST/PORT, the service account's token (re-read per request) and CA */
int bh_kube_load_incluster(struct bh_kube *k, const char *root, struct bh_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	if (!host || !*host)
		return bh_err_set(err, -ENOENT, 0, 0,
				  "no kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not in a cluster "
				  "(KUBERNETES_SERVICE_HOST unset)");
	bool v6 = strchr(host, ':') != NULL;
	snprintf(k->server, sizeof(k->server), "https://%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "",
		 port && *port ? port : "443");
	/* $BULKHEAD_SERVICEACCOUNT_DIR: where the projected files are when not at the usual place (tests) */
	const char *sa = getenv("BULKHEAD_SERVICEACCOUNT_DIR");
	if (!sa || !*sa)
		sa = "/var/run/secrets/kubernetes.io/serviceaccount";
	snprintf(k->token_file, sizeof(k->token_file), "%s%s/token", root ? root : "", sa);
	snprintf(k->ca, sizeof(k->ca), "%s%s/ca.crt", root ? root : "", sa);
	snprintf(k->source, sizeof(k->source), "in-cluster service account");
	if (access(k->token_file, R_OK) != 0)
		return bh_err_set(err, -ENOENT, 0, 0, "in-cluster: %s: %s", k->token_file, strerror(errno));
	return 0;
}
