/* exec credential plugins (client.authentication.k8s.io/v1, KEP-541): run the command with its args and
 * env plus KUBERNETES_EXEC_INFO, read the ExecCredential it prints (bounded), take status.token or
 * status.clientCertificateData/clientKeyData (PEM, kept in memfds). Non-interactive: stdin is /dev/null. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kube_int.h"

#define EXEC_MAX_OUT (1u << 20)
#define EXEC_MAX_ARGS 64

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

static void child(const struct bh_kube *k, const struct bh_node *exec, const char *cmd, int out)
{
	const char *argv[EXEC_MAX_ARGS + 2] = {cmd};
	int n = 1;
	const struct bh_node *args = get(exec, "args"), *env = get(exec, "env");
	for (uint32_t i = 0; args && args->type == BH_SEQ && i < args->n && n <= EXEC_MAX_ARGS; i++) {
		const char *s;
		size_t len;
		if (bh_as_str(args->items[i], &s, &len) == BH_OK)
			argv[n++] = s;
	}
	for (uint32_t i = 0; env && env->type == BH_SEQ && i < env->n; i++) {
		const char *nm = str(env->items[i], "name"), *v = str(env->items[i], "value");
		if (nm && v)
			setenv(nm, v, 1);
	}
	setenv("KUBERNETES_EXEC_INFO",
	       "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
	       "\"spec\":{\"interactive\":false}}", 1);
	int devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		dup2(devnull, 0);
	dup2(out, 1);
	if (strchr(cmd, '/') && cmd[0] != '/' && k->dir[0] && chdir(k->dir) != 0)
		_exit(127); /* a relative command path is relative to the kubeconfig (clientcmd) */
	execvp(cmd, (char *const *)argv);
	_exit(127);
}

static int run(const struct bh_kube *k, const struct bh_node *exec, const char *cmd, char **buf, size_t *len,
	       struct bh_err *err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return bh_err_set(err, -errno, 0, 0, "exec plugin: pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child(k, exec, cmd, p[1]);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return bh_err_set(err, -errno, 0, 0, "exec plugin: fork: %s", strerror(errno));
	}
	*buf = malloc(EXEC_MAX_OUT + 1);
	*len = 0;
	ssize_t r = 0;
	while (*buf && *len < EXEC_MAX_OUT && (r = read(p[0], *buf + *len, EXEC_MAX_OUT - *len)) > 0)
		*len += (size_t)r;
	close(p[0]);
	int st = 0;
	waitpid(pid, &st, 0);
	if (!*buf)
		return bh_err_set(err, -ENOMEM, 0, 0, "exec plugin: out of memory");
	(*buf)[*len] = 0;
	if (*len >= EXEC_MAX_OUT)
		return bh_err_set(err, -EFBIG, 0, 0, "exec plugin %s: output over %u bytes", cmd, EXEC_MAX_OUT);
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		return bh_err_set(err, -EIO, 0, 0, "exec plugin %s failed (exit status %d)", cmd,
				  WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

static int credential(struct bh_kube *k, const char *cmd, const char *buf, size_t len, struct bh_err *err)
{
	struct bh_arena a;
	bh_arena_init(&a, 16u << 20);
	struct bh_decoder *d = bh_decoder_new("ExecCredential", buf, len, &bh_default_limits);
	struct bh_doc doc;
	struct bh_err derr = {0};
	int rc = d ? bh_decoder_next(d, &a, &doc, &derr) : -ENOMEM;
	const char *kind = rc > 0 ? str(doc.root, "kind") : NULL;
	const struct bh_node *st = rc > 0 ? get(doc.root, "status") : NULL;
	const char *tok = str(st, "token"), *cert = str(st, "clientCertificateData"), *key = str(st, "clientKeyData");
	if (!kind || strcmp(kind, "ExecCredential"))
		rc = bh_err_set(err, -EINVAL, 0, 0, "exec plugin %s: output is not an ExecCredential%s%s", cmd,
				derr.msg[0] ? ": " : "", derr.msg);
	else if (tok) {
		snprintf(k->token, sizeof(k->token), "%s", tok);
		rc = 0;
	} else if (cert && key) {
		rc = bh_kube_memfile(k, cert, strlen(cert), k->cert, sizeof(k->cert));
		if (!rc)
			rc = bh_kube_memfile(k, key, strlen(key), k->key, sizeof(k->key));
	} else
		rc = bh_err_set(err, -EINVAL, 0, 0, "exec plugin %s: ExecCredential status has no token and no "
				"client certificate", cmd);
	bh_decoder_free(d);
	bh_arena_release(&a);
	return rc;
}

int bh_kube_exec_plugin(struct bh_kube *k, const struct bh_node *exec, struct bh_err *err)
{
	const char *cmd = str(exec, "command"), *api = str(exec, "apiVersion");
	if (!cmd)
		return bh_err_set(err, -EINVAL, 0, 0, "kubeconfig: exec without command");
	if (api && strcmp(api, "client.authentication.k8s.io/v1") && strcmp(api, "client.authentication.k8s.io/v1beta1"))
		return bh_err_set(err, -ENOTSUP, 0, 0, "exec plugin apiVersion %s is not supported", api);
	char *buf = NULL;
	size_t len = 0;
	int rc = run(k, exec, cmd, &buf, &len, err);
	if (!rc)
		rc = credential(k, cmd, buf, len, err);
	free(buf);
	return rc;
}
