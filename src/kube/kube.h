/* A small Kubernetes API client (libcurl, GnuTLS flavour): where the API server is and who we are, from a
 * kubeconfig (--kubeconfig, $KUBECONFIG, ~/.kube/config; current-context or a named one) or from inside a
 * pod (service-account token and CA, KUBERNETES_SERVICE_HOST/PORT). Credentials: bearer tokens, token
 * files (re-read on every request: kubelet rotates them), client certificates and keys as data or files,
 * CA data or file, insecure-skip-tls-verify, and exec credential plugins (client.authentication.k8s.io/v1
 * ExecCredential: token or client certificate). Certificate data never touches the disk: it is handed to
 * GnuTLS through a memfd.
 *
 * Reads are paginated lists (limit/continue), each page handed to a callback and freed before the next
 * one is fetched, with a hard cap on a page's size: the caller decodes a page and keeps only its views, so
 * raw JSON is never held twice. Writes (`bulkhead respond`) go through bh_kube_request with dry-run. */
#ifndef BH_KUBE_H
#define BH_KUBE_H
#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct bh_kube;

struct bh_kube_opts {
	const char *kubeconfig;  /* NULL: $KUBECONFIG (first file of the list), else ~/.kube/config, else in-cluster */
	const char *context;     /* NULL: current-context */
	size_t max_page;         /* bytes of one response (0: 256 MiB) */
	long timeout;            /* seconds per request (0: 60) */
	const char *in_cluster_root; /* tests: where /var/run/secrets/kubernetes.io/serviceaccount lives ("" = /) */
};

/* 0, or a negative errno with err saying which file, key or step failed. */
int bh_kube_open(struct bh_kube **out, const struct bh_kube_opts *o, struct bh_err *err);
void bh_kube_close(struct bh_kube *k);
/* "https://127.0.0.1:6443 (context lab, kubeconfig /tmp/x)" */
const char *bh_kube_describe(const struct bh_kube *k);

/* One page of a list: the raw response body (a *List). Return 0 to go on, anything else stops. */
typedef int (*bh_kube_page_cb)(const char *body, size_t len, void *ctx);

/* GET path?limit=N[&continue=…] page after page (query may already hold other parameters: path may
 * contain '?'). Returns 0, or -EACCES (403/401: err says so; callers may go on with other lists),
 * -ENOENT (404: the resource is not served), other negative errno for transport or size errors. */
int bh_kube_list(struct bh_kube *k, const char *path, unsigned limit, const char *accept, bh_kube_page_cb cb,
		 void *ctx, struct bh_err *err);

struct bh_kube_resp {
	long status;             /* HTTP status */
	char *body;              /* malloc'ed, NUL-terminated; free() it */
	size_t len;
};

/* One request: method GET/POST/PUT/PATCH/DELETE, body (may be NULL) with content_type; dry_run adds
 * dryRun=All (the API server runs admission and validation and stores nothing). 0 when a response came
 * (any status), negative errno otherwise. */
int bh_kube_request(struct bh_kube *k, const char *method, const char *path, const char *body, size_t len,
		    const char *content_type, bool dry_run, struct bh_kube_resp *resp, struct bh_err *err);

#endif
