/* Internals of the API client shared by its files. */
#ifndef BH_KUBE_INT_H
#define BH_KUBE_INT_H
#include <curl/curl.h>
#include <stdbool.h>

#include "decode/node.h"
#include "kube.h"

struct bh_kube {
	CURL *h;
	char server[512];
	char sni[256];
	char ca[4096], cert[4096], key[4096]; /* file paths (memfd paths for data) */
	char token[8192];                     /* static bearer token (kubeconfig token or exec plugin) */
	char token_file[4096];                /* re-read for every request */
	bool insecure;
	char dir[4096];                       /* the kubeconfig's folder */
	char context[256], source[4200], desc[5000];
	int fds[4];
	unsigned nfds;
	size_t max_page;
	long timeout;
};

int bh_kube_memfile(struct bh_kube *k, const void *data, size_t len, char *path, size_t size);
int bh_kube_load_kubeconfig(struct bh_kube *k, const char *path, const char *ctxname, struct bh_err *err);
/* $KUBECONFIG: colon-separated files merged as kubectl merges them */
int bh_kube_load_kubeconfig_env(struct bh_kube *k, const char *list, const char *ctxname, struct bh_err *err);
int bh_kube_load_incluster(struct bh_kube *k, const char *root, struct bh_err *err);
/* users[].user.exec: runs the plugin, takes status.token or the client certificate from its ExecCredential */
int bh_kube_exec_plugin(struct bh_kube *k, const struct bh_node *exec, struct bh_err *err);

#endif
