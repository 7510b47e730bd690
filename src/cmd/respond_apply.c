/* bulkhead respond --apply: the plan's cluster-changing steps through the API client (src/kube/): each
 * request first with dryRun=All (admission and validation run, nothing is stored), then for real unless
 * --dry-run; every request is recorded (step, method, path, dry-run status, status). Evidence and the hunt
 * stay in the runbook: they read, and they need the node. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "decode/node.h"
#include "fix/respond.h"
#include "kube/kube.h"
#include "util/json.h"

struct applier {
	struct bh_kube *k;
	bool dry_only, json;
	int failed, n;
};

/* One write: dry-run, then (when that passed and not --dry-run) for real. ok409: AlreadyExists is fine. */
static long write1(struct applier *ap, const char *step, const char *method, const char *path, const char *ctype,
		   const char *body, bool ok409)
{
	long st[2] = {0, 0};
	struct bh_err err = {0};
	for (int real = 0; real < 2; real++) {
		if (real && (ap->dry_only || !((st[0] >= 200 && st[0] < 300) || (ok409 && st[0] == 409))))
			break;
		struct bh_kube_resp r = {0};
		int rc = bh_kube_request(ap->k, method, path, body, body ? strlen(body) : 0, ctype, !real, &r, &err);
		st[real] = rc < 0 ? -1 : r.status;
		free(r.body);
	}
	bool good = (st[0] >= 200 && st[0] < 300) || (ok409 && st[0] == 409);
	bool done = ap->dry_only || (st[1] >= 200 && st[1] < 300) || (ok409 && st[1] == 409);
	if (!good || !done)
		ap->failed++;
	if (ap->json) {
		printf("%s\n  {\"step\": \"%s\", \"method\": \"%s\", \"path\": ", ap->n++ ? "," : "", step, method);
		bh_json_str(stdout, path);
		printf(", \"dryRunStatus\": %ld, \"status\": %ld, \"applied\": %s}", st[0], st[1],
		       !ap->dry_only && st[1] >= 200 && st[1] < 300 ? "true" : "false");
	} else {
		printf("%-10s %-6s %s  dry-run: %ld  %s%ld\n", step, method, path, st[0], ap->dry_only ? "not applied: " : "applied: ",
		       st[1]);
	}
	return st[ap->dry_only ? 0 : 1];
}

/* spec.nodeName, spec.serviceAccountName, metadata.uid and, for a static pod's mirror, the kubelet's UID of it
 * (annotation kubernetes.io/config.mirror: what the node's cgroups and log directories carry) into out[0..3],
 * each of size bytes. 0 or -1. */
static int read_pod(struct applier *ap, const char *ns, const char *pod, char *out[4], size_t size)
{
	char path[600];
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s", ns, pod);
	struct bh_kube_resp r = {0};
	struct bh_err err = {0};
	if (bh_kube_request(ap->k, "GET", path, NULL, 0, NULL, false, &r, &err) < 0 || r.status != 200) {
		fprintf(stderr, "bulkhead respond: GET %s: %s\n", path, r.status ? "not found or not allowed" : err.msg);
		free(r.body);
		return -1;
	}
	struct bh_decoder *d = bh_decoder_new("pod", r.body, r.len, &bh_default_limits);
	struct bh_arena a;
	bh_arena_init(&a, 64u << 20);
	struct bh_doc doc;
	int rc = d ? bh_decoder_next(d, &a, &doc, &err) : -1;
	const struct bh_node *spec = rc == 1 ? bh_map_get(doc.root, "spec", BH_READ_LAST, NULL, NULL) : NULL;
	const struct bh_node *meta = rc == 1 ? bh_map_get(doc.root, "metadata", BH_READ_LAST, NULL, NULL) : NULL;
	const struct bh_node *ann = meta ? bh_map_get(meta, "annotations", BH_READ_LAST, NULL, NULL) : NULL;
	const char *keys[4] = {"nodeName", "serviceAccountName", "uid", "kubernetes.io/config.mirror"};
	const struct bh_node *in[4] = {spec, spec, meta, ann};
	for (int i = 0; i < 4; i++) {
		const char *s;
		size_t len;
		const struct bh_node *n = in[i] ? bh_map_get(in[i], keys[i], BH_READ_LAST, NULL, NULL) : NULL;
		out[i][0] = 0;
		if (n && bh_as_str(n, &s, &len) == BH_OK && len < size && !memchr(s, '/', len))
			memcpy(out[i], s, len), out[i][len] = 0;
	}
	if (!*out[1])
		snprintf(out[1], size, "default");
	bh_arena_release(&a);
	if (d)
		bh_decoder_free(d);
	free(r.body);
	return rc == 1 ? 0 : -1;
}

static void apply_steps(struct applier *ap, const char *ns, const char *pod, const char *node, const char *sa)
{
	char path[600], body[600];
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/pods/%s", ns, pod);
	write1(ap, "quarantine", "PATCH", path, "application/merge-patch+json",
	       "{\"metadata\":{\"labels\":{\"bulkhead.io/quarantine\":\"true\"}}}", false);
	snprintf(path, sizeof(path), "/apis/networking.k8s.io/v1/namespaces/%s/networkpolicies", ns);
	write1(ap, "quarantine", "POST", path, "application/json",
	       "{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"NetworkPolicy\",\"metadata\":{\"name\":"
	       "\"bulkhead-quarantine\",\"labels\":{\"app.kubernetes.io/managed-by\":\"bulkhead\"}},\"spec\":{"
	       "\"podSelector\":{\"matchLabels\":{\"bulkhead.io/quarantine\":\"true\"}},\"policyTypes\":[\"Ingress\","
	       "\"Egress\"]}}",
	       true);
	if (*node) {
		snprintf(path, sizeof(path), "/api/v1/nodes/%s", node);
		write1(ap, "cordon", "PATCH", path, "application/merge-patch+json", "{\"spec\":{\"unschedulable\":true}}", false);
	} else if (!ap->json) {
		printf("%-10s the pod is not scheduled on a node: nothing to cordon\n", "cordon");
	}
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/serviceaccounts/%s", ns, sa);
	write1(ap, "revoke", "DELETE", path, NULL, NULL, false);
	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/serviceaccounts", ns);
	snprintf(body, sizeof(body), "{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"%s\"}}", sa);
	write1(ap, "revoke", "POST", path, "application/json", body, true);
}

/* --apply acts on a named pod only: say what the alert lacks and where it would come from, never guess. */
static int missing_pod(const struct bh_resp_plan *p, bool json)
{
	if (p->pod_uid)
		return bh_cli_error("respond", json, "--apply needs the pod's namespace and name; the alert names only pod UID %s "
				    "(the sensor found no /var/log/pods/<namespace>_<name>_%s on its node: run watch with "
				    "--root at the host's /). Find the pod with: kubectl get pods -A -o jsonpath='{range "
				    ".items[?(@.metadata.uid==\"%s\")]}{.metadata.namespace}/{.metadata.name}{end}', then give "
				    "NAMESPACE/POD", p->pod_uid, p->pod_uid, p->pod_uid);
	if (p->container_id)
		return bh_cli_error("respond", json, "--apply needs the pod's namespace and name; the alert names only container "
				    "%.80s and no pod (not a Kubernetes pod's cgroup, or the pod UID was not in it): run "
				    "`bulkhead respond` without --apply for the runbook (crictl inspect on the node), or give "
				    "NAMESPACE/POD", p->container_id);
	return bh_cli_error("respond", json, "--apply needs the pod: give NAMESPACE/POD (the runbook's target step finds it "
					    "from this alert)");
}

int bh_respond_apply(const struct bh_resp_plan *p, const char *kubeconfig, const char *context, bool dry_only, bool json)
{
	if (!p->ns || !p->pod)
		return missing_pod(p, json);
	struct applier ap = {.dry_only = dry_only, .json = json};
	struct bh_kube_opts ko = {.kubeconfig = kubeconfig, .context = context};
	struct bh_err err = {0};
	if (bh_kube_open(&ap.k, &ko, &err) < 0)
		return bh_cli_error("respond", json, "%s", err.msg);
	char node[256], sa[256], uid[256], mirror[256];
	char *got[4] = {node, sa, uid, mirror};
	int rc = read_pod(&ap, p->ns, p->pod, got, sizeof(node));
	if (rc == 0 && p->pod_uid && strcmp(uid, p->pod_uid) && strcmp(mirror, p->pod_uid)) {
		/* same name, another pod (recreated by its controller): the one the alert saw is gone */
		bh_cli_error("respond", json, "pod %s/%s has UID %s, the alert's pod had %s: it was replaced since; nothing "
			     "applied (respond NAMESPACE/POD to contain the new one)", p->ns, p->pod, *uid ? uid : "(none)",
			     p->pod_uid);
		rc = -1;
	} else if (rc == 0 && p->node && *node && strcmp(node, p->node)) {
		fprintf(stderr, "bulkhead respond: note: the alert came from node %s, the pod is on %s now\n", p->node, node);
	}
	if (rc == 0) {
		if (json)
			printf("{\"server\": "), bh_json_str(stdout, bh_kube_describe(ap.k)), printf(", \"requests\": [");
		else
			printf("# %s %s/%s on %s (node %s, service account %s)\n", dry_only ? "dry-run of" : "applying to", p->ns,
			       p->pod, bh_kube_describe(ap.k), *node ? node : "none", sa);
		apply_steps(&ap, p->ns, p->pod, node, sa);
		if (json)
			printf("\n], \"failed\": %d}\n", ap.failed);
	}
	bh_kube_close(ap.k);
	return rc < 0 ? 2 : ap.failed ? 1 : 0;
}
