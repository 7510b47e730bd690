/* bulkhead respond: the containment plan for one alert or pod (see respond.h).
 * References: NetworkPolicy semantics (a policy selecting a pod with policyTypes Ingress+Egress and no rules
 * denies all traffic; hostNetwork pods are not subject to it),
 * https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies ; kubectl cordon
 * (no drain: eviction would destroy the evidence); the kubelet checkpoint API (POST
 * /checkpoint/{namespace}/{pod}/{container}, ContainerCheckpoint, beta and on by default since v1.30),
 * https://kubernetes.io/docs/reference/node/kubelet-checkpoint-api/ ; bound service-account tokens are
 * invalid once their ServiceAccount (by UID) or their pod is deleted,
 * https://kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/#bound-service-account-tokens */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "decode/node.h"
#include "respond.h"
#include "util/json.h"

void bh_resp_init(struct bh_resp_plan *p)
{
	memset(p, 0, sizeof(*p));
	bh_arena_init(&p->a, 64u << 20);
}

void bh_resp_release(struct bh_resp_plan *p)
{
	bh_arena_release(&p->a);
	memset(p, 0, sizeof(*p));
}

/* ---- what an alert may put into a command ---- */
static bool dns_name(const char *s) /* RFC 1123 subdomain: namespaces, pods, nodes, service accounts */
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > 253 || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-' || s[i] == '.'))
			return false;
	return true;
}

static bool token(const char *s, const char *extra, size_t max) /* ids: alnum and a few marks */
{
	size_t n = s ? strlen(s) : 0;
	if (!n || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(extra, s[i]))
			return false;
	return true;
}

/* A shell word in single quotes (safe for any text without NUL). */
static const char *sq(struct bh_arena *a, const char *s)
{
	size_t n = 2, k = 0;
	for (const char *c = s; *c; c++)
		n += *c == '\'' ? 4 : 1;
	char *o = bh_arena_alloc(a, n + 1);
	if (!o)
		return "''";
	o[k++] = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(o + k, "'\\''", 4);
			k += 4;
		} else
			o[k++] = *c;
	}
	o[k++] = '\'';
	return o;
}

/* ---- reading the alert ---- */
static const struct bh_node *at(const struct bh_node *n, const char *path)
{
	char buf[96];
	snprintf(buf, sizeof(buf), "%s", path);
	for (char *save = NULL, *k = strtok_r(buf, ".", &save); k && n; k = strtok_r(NULL, ".", &save))
		n = n->type == BH_MAP ? bh_map_get(n, k, BH_READ_LAST, NULL, NULL) : NULL;
	return n;
}

static const char *str_at(struct bh_resp_plan *p, const struct bh_node *root, const char *path)
{
	const char *s;
	size_t len;
	const struct bh_node *n = at(root, path);
	if (!n || n->type != BH_SCALAR || bh_is_null(n) || bh_as_str(n, &s, &len) != BH_OK || !len ||
	    memchr(s, 0, len))
		return NULL;
	return bh_arena_strndup(&p->a, s, len);
}

/* The watch rule → the manifest rules that open the same avenue (what `scan` finds in the cluster). */
static const char *avenue_of(const char *rule)
{
	static const char *const map[][2] = {
		{"BH0501", "BH0001 BH0007"}, {"BH0502", "BH0001 BH0007 BH0021 BH0023"},
		{"BH0503", "BH0001 BH0007"}, {"BH0504", "BH0001 BH0007 BH0021 BH0023"},
		{"BH0505", "BH0001 BH0007 BH0021"}, {"BH0506", "BH0001 BH0025"}, {"BH0507", "BH0001 BH0025"},
		{"BH0508", "BH0001 BH0025"}, {"BH0509", "BH0001 BH0025"}, {"BH0510", "BH0001 BH0017"},
		{"BH0511", "BH0001 BH0017"}, {"BH0512", "BH0002 BH0003 BH0004 BH0201 BH0202"},
		{"BH0513", "BH0002 BH0003 BH0004 BH0201"}, {"BH0514", "BH0021 BH0036"},
		{"BH0515", "BH0010 BH0202"}, {"BH0516", "BH0001 BH0008"}, {"BH0517", "BH0001 BH0015 BH0016"},
		{"BH0518", "BH0203 BH0005"}, {"BH0519", "BH0005"}, {"BH0520", "BH0021"}, {"BH0521", "BH0011"},
	};
	for (size_t i = 0; rule && i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(map[i][0], rule))
			return map[i][1];
	return rule && !strncmp(rule, "BH0", 3) && rule[3] < '3' ? rule : NULL; /* a manifest rule itself */
}

static const char *join_seq(struct bh_resp_plan *p, const struct bh_node *seq, const char *key)
{
	if (!seq || seq->type != BH_SEQ)
		return NULL;
	char buf[512] = "";
	for (uint32_t i = 0; i < seq->n && i < 16; i++) {
		const struct bh_node *n = key ? at(seq->items[i], key) : seq->items[i];
		char t[64];
		if (n && n->type == BH_SCALAR)
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", *buf ? " " : "",
				 bh_node_text(n, t, sizeof(t)));
	}
	return *buf ? bh_arena_strndup(&p->a, buf, strlen(buf)) : NULL;
}

static void read_watch(struct bh_resp_plan *p, const struct bh_node *r)
{
	p->source = "watch";
	p->rule = str_at(p, r, "rule"), p->rule_name = str_at(p, r, "name");
	p->severity = str_at(p, r, "severity"), p->title = str_at(p, r, "title");
	p->message = str_at(p, r, "message"), p->time = str_at(p, r, "time");
	p->container_id = str_at(p, r, "container.id"), p->pod_uid = str_at(p, r, "container.pod_uid");
	p->comm = str_at(p, r, "process.comm"), p->exe = str_at(p, r, "process.exe");
	p->args = str_at(p, r, "process.args"), p->event_type = str_at(p, r, "event.type");
	p->shared_ns = join_seq(p, at(r, "namespaces.shared_with_host"), NULL);
	p->parents = join_seq(p, at(r, "parents"), "comm");
	/* optional Kubernetes identity, when the sensor (or a pipeline) adds it */
	p->ns = str_at(p, r, "pod.namespace"), p->pod = str_at(p, r, "pod.name"), p->node = str_at(p, r, "node");
	p->container_name = str_at(p, r, "container.name");
	if (!p->pod_uid)
		p->pod_uid = str_at(p, r, "pod.uid");
	int64_t pid = 0;
	if (bh_as_int(at(r, "process.pid"), &pid) == BH_OK && pid > 0)
		p->pid = pid;
}

static void read_audit(struct bh_resp_plan *p, const struct bh_node *r)
{
	p->source = "audit";
	p->rule = str_at(p, r, "finding.rule"), p->rule_name = str_at(p, r, "finding.name");
	p->severity = str_at(p, r, "finding.severity"), p->title = str_at(p, r, "finding.title");
	p->message = str_at(p, r, "finding.message"), p->time = str_at(p, r, "event.time");
	p->user = str_at(p, r, "event.user.username"), p->verb = str_at(p, r, "event.verb");
	p->uri = str_at(p, r, "event.requestURI");
	p->source_ips = join_seq(p, at(r, "event.sourceIPs"), NULL);
	/* the manifest rules the audited object broke: the avenue to look for elsewhere */
	char *esc = (char *)str_at(p, r, "event.escapes");
	for (char *c = esc; c && *c; c++)
		*c = *c == ',' ? ' ' : *c;
	p->avenue = esc;
	p->ns = str_at(p, r, "event.objectRef.namespace");
	const char *res = str_at(p, r, "event.objectRef.resource");
	p->kind = res;
	if (res && !strcmp(res, "pods"))
		p->pod = str_at(p, r, "event.objectRef.name");
	else if (res) /* a workload: its pods are found through its selector in the target step */
		p->pod = NULL, p->kind = bh_arena_printf(&p->a, "%s/%s", res, str_at(p, r, "event.objectRef.name")
								     ? str_at(p, r, "event.objectRef.name") : "");
}

static int check_fields(struct bh_resp_plan *p, struct bh_err *err)
{
	struct {
		const char *v, *what;
		bool ok;
	} f[] = {
		{p->ns, "namespace", !p->ns || dns_name(p->ns)},
		{p->pod, "pod name", !p->pod || dns_name(p->pod)},
		{p->container_name, "container name", !p->container_name || dns_name(p->container_name)},
		{p->node, "node name", !p->node || dns_name(p->node)},
		{p->pod_uid, "pod UID", !p->pod_uid || token(p->pod_uid, "-_", 64)},
		{p->container_id, "container id", !p->container_id || token(p->container_id, "-_.:", 128)},
		{p->rule, "rule", !p->rule || token(p->rule, "", 16)},
		{p->kind, "object", !p->kind || token(p->kind, "-./", 300)},
		{p->avenue, "avenue", !p->avenue || token(p->avenue, " ", 60)},
	};
	for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++)
		if (!f[i].ok)
			return bh_err_set(err, -EINVAL, 0, 0, "the alert's %s \"%.64s\" is not a valid Kubernetes value: "
							      "refusing to write it into commands", f[i].what, f[i].v);
	return 0;
}

int bh_resp_from_alert(struct bh_resp_plan *p, const char *name, const char *buf, size_t len, struct bh_err *err)
{
	struct bh_decoder *d = bh_decoder_new(name, buf, len, &bh_default_limits);
	if (!d)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	struct bh_doc doc;
	int rc = bh_decoder_next(d, &p->a, &doc, err);
	bh_decoder_free(d);
	if (rc < 0)
		return rc;
	if (rc == 0 || !doc.root || doc.root->type != BH_MAP)
		return bh_err_set(err, -EINVAL, 1, 1, "an alert is one JSON object (a watch alert or an audit jsonl line)");
	if (at(doc.root, "finding") && at(doc.root, "event"))
		read_audit(p, doc.root);
	else if (at(doc.root, "rule") && at(doc.root, "container"))
		read_watch(p, doc.root);
	else
		return bh_err_set(err, -EINVAL, doc.root->line, doc.root->col,
				  "not a watch alert (rule, container) nor an audit alert (finding, event)");
	if (!p->avenue)
		p->avenue = avenue_of(p->rule);
	return check_fields(p, err);
}

int bh_resp_from_pod(struct bh_resp_plan *p, const char *ref, struct bh_err *err)
{
	const char *slash = strchr(ref, '/');
	p->source = "pod";
	if (slash) {
		p->ns = bh_arena_strndup(&p->a, ref, (size_t)(slash - ref));
		p->pod = bh_arena_strndup(&p->a, slash + 1, strlen(slash + 1));
	}
	if (!slash || !dns_name(p->ns) || !dns_name(p->pod))
		return bh_err_set(err, -EINVAL, 0, 0, "'%.80s' is not NAMESPACE/POD (lower-case RFC 1123 names)", ref);
	return 0;
}

/* ---- the plan ---- */
static struct bh_resp_step *step(struct bh_resp_plan *p, const char *id, const char *title, bool mutates,
				 const char *why)
{
	if (p->nsteps >= BH_RESP_MAX_STEPS)
		return NULL;
	struct bh_resp_step *s = &p->steps[p->nsteps++];
	*s = (struct bh_resp_step){.id = id, .title = title, .mutates = mutates, .why = why};
	return s;
}

static void cmd(struct bh_resp_plan *p, struct bh_resp_step *s, const char *c)
{
	if (s && c && s->ncmds < BH_RESP_MAX_CMDS)
		s->cmds[s->ncmds++] = c;
	(void)p;
}

#define CMDF(p, s, ...) cmd(p, s, bh_arena_printf(&(p)->a, __VA_ARGS__))

static const char quarantine_yaml[] =
	"apiVersion: networking.k8s.io/v1\n"
	"kind: NetworkPolicy\n"
	"metadata:\n"
	"  name: bulkhead-quarantine\n"
	"  labels: {app.kubernetes.io/managed-by: bulkhead}\n"
	"spec:\n"
	"  podSelector:\n"
	"    matchLabels: {bulkhead.io/quarantine: \"true\"}\n"
	"  policyTypes: [Ingress, Egress]\n";

static void target_pod(struct bh_resp_plan *p, struct bh_resp_step *s)
{
	struct bh_arena *a = &p->a;
	if (p->ns && p->pod) {
		CMDF(p, s, "NS=%s POD=%s", sq(a, p->ns), sq(a, p->pod));
	} else if (p->pod_uid) {
		CMDF(p, s, "read -r NS POD < <(kubectl get pods -A -o jsonpath='{range .items[?(@.metadata.uid==\"%s\")]}"
			   "{.metadata.namespace}{\" \"}{.metadata.name}{\"\\n\"}{end}')", p->pod_uid);
	} else if (p->ns && p->kind) {
		CMDF(p, s, "NS=%s OBJ=%s", sq(a, p->ns), sq(a, p->kind));
		cmd(p, s, "POD=$(kubectl get pods -n \"$NS\" -o name -l \"$(kubectl get \"$OBJ\" -n \"$NS\" -o json | jq -r "
			  "'.spec.selector.matchLabels // .spec.template.metadata.labels | to_entries | "
			  "map(\"\\(.key)=\\(.value)\") | join(\",\")')\" | head -1 | cut -d/ -f2)");
	} else if (p->container_id) {
		cmd(p, s, "# on the node that raised the alert, as root:");
		CMDF(p, s, "read -r NS POD < <(crictl inspect %s | jq -r '.status.labels[\"io.kubernetes.pod.namespace\"] + \" \" + "
			   ".status.labels[\"io.kubernetes.pod.name\"]')", sq(a, p->container_id));
		CMDF(p, s, "[ -n \"$POD\" ] || echo 'not a Kubernetes container: pause it where it runs: runc pause %s'",
		     p->container_id);
	} else {
		cmd(p, s, "NS=<namespace> POD=<pod>   # the alert names no pod: fill them in");
	}
}

static void step_target(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(p, "target", "Name the pod, its node, service account and container", false,
				      "every later command uses these variables; nothing is changed yet");
	target_pod(p, s);
	if (p->node)
		CMDF(p, s, "NODE=%s", sq(&p->a, p->node));
	else
		cmd(p, s, "NODE=$(kubectl get pod -n \"$NS\" \"$POD\" -o jsonpath='{.spec.nodeName}')");
	cmd(p, s, "SA=$(kubectl get pod -n \"$NS\" \"$POD\" -o jsonpath='{.spec.serviceAccountName}'); SA=${SA:-default}");
	if (p->container_name)
		CMDF(p, s, "CONTAINER=%s", sq(&p->a, p->container_name));
	else if (p->container_id)
		CMDF(p, s, "CONTAINER=$(kubectl get pod -n \"$NS\" \"$POD\" -o json | jq -r --arg id %s '[.status.containerStatuses[]?, "
			   ".status.initContainerStatuses[]?, .status.ephemeralContainerStatuses[]?] | "
			   "map(select((.containerID // \"\") | endswith($id))) | .[0].name // empty')",
		     sq(&p->a, p->container_id));
	else
		cmd(p, s, "CONTAINER=$(kubectl get pod -n \"$NS\" \"$POD\" -o jsonpath='{.spec.containers[0].name}')");
	cmd(p, s, "EV=evidence/$NS-$POD-$(date -u +%Y%m%dT%H%M%SZ); mkdir -p \"$EV\"");
}

static void step_quarantine(struct bh_resp_plan *p)
{
	bool hostnet = p->shared_ns && strstr(p->shared_ns, "net");
	struct bh_resp_step *s = step(
		p, "quarantine", "Quarantine the pod: label it and deny all its traffic", true,
		hostnet ? "the label selects the pod for a NetworkPolicy that allows no ingress and no egress. The alert says the "
			  "pod shares the node's network namespace: NetworkPolicy does not apply to hostNetwork pods, so the "
			  "node itself must be isolated (cordon below, then the node's firewall or cloud security group)"
			: "the label selects the pod for a NetworkPolicy that allows no ingress and no egress (a policy with "
			  "both policyTypes and no rules); the pod keeps running so that its state can be collected. It needs "
			  "a CNI that enforces NetworkPolicy");
	if (!s)
		return;
	s->manifest = quarantine_yaml;
	cmd(p, s, "kubectl label pod -n \"$NS\" \"$POD\" bulkhead.io/quarantine=true --overwrite");
	CMDF(p, s, "kubectl apply -n \"$NS\" -f - <<'EOF'\n%sEOF", quarantine_yaml);
}

static void step_cordon(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(p, "cordon", "Cordon the node", true,
				      "no new pod lands on a node whose kernel or runtime may be in the intruder's hands; do "
				      "not drain: eviction would delete the pod and its evidence");
	cmd(p, s, "kubectl cordon \"$NODE\"");
}

static void node_view(struct bh_resp_plan *p, struct bh_resp_step *s)
{
	cmd(p, s, "# on the node, as root: the process the alert names, its mounts and namespaces");
	int64_t pid = p->pid;
	CMDF(p, s, "P=%" PRId64 "; { cat /proc/$P/status; tr '\\0' ' ' </proc/$P/cmdline; echo; ls -l /proc/$P/ns /proc/$P/fd; } "
		   "> \"$EV/process-$P.txt\" 2>&1", pid);
	cmd(p, s, "cat /proc/$P/mountinfo > \"$EV/mountinfo-$P.txt\"; cp /proc/$P/exe \"$EV/exe-$P.bin\"");
	cmd(p, s, "ps -eo pid,ppid,user,lstart,args --forest > \"$EV/ps-forest.txt\"");
}

static void step_evidence(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(p, "evidence", "Collect evidence before anything is deleted", false,
				      "the pod object, its owner, logs and events, the node's view of the process from the "
				      "alert, and a checkpoint of the container where the kubelet allows it");
	cmd(p, s, "kubectl get pod -n \"$NS\" \"$POD\" -o yaml > \"$EV/pod.yaml\"");
	cmd(p, s, "OWNER=$(kubectl get pod -n \"$NS\" \"$POD\" -o jsonpath='{.metadata.ownerReferences[0].kind}/"
		  "{.metadata.ownerReferences[0].name}'); [ \"$OWNER\" = / ] || kubectl get \"$OWNER\" -n \"$NS\" -o yaml > "
		  "\"$EV/owner.yaml\"");
	cmd(p, s, "kubectl logs -n \"$NS\" \"$POD\" --all-containers --timestamps > \"$EV/logs.txt\"; kubectl logs -n \"$NS\" "
		  "\"$POD\" --all-containers --timestamps --previous > \"$EV/logs-previous.txt\" 2>&1");
	cmd(p, s, "kubectl get events -n \"$NS\" --field-selector involvedObject.name=\"$POD\" -o yaml > \"$EV/events.yaml\"");
	if (p->pid)
		node_view(p, s);
	cmd(p, s, "# kubelet checkpoint (ContainerCheckpoint, v1.30+; the archive lands under /var/lib/kubelet/checkpoints on "
		  "the node)");
	cmd(p, s, "kubectl create --raw \"/api/v1/nodes/$NODE/proxy/checkpoint/$NS/$POD/$CONTAINER\" -f /dev/null > "
		  "\"$EV/checkpoint.json\"");
}

static void step_revoke(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(
		p, "revoke", "Revoke the pod's service-account credentials", true,
		"the token in the pod is the intruder's way to the API server. Bound tokens die with their ServiceAccount "
		"(checked by UID) and with their pod; legacy token Secrets must be deleted. Recreating the ServiceAccount "
		"also cuts the other pods that use it until they restart: with SA=default that is the whole namespace");
	cmd(p, s, "kubectl get sa -n \"$NS\" \"$SA\" -o yaml > \"$EV/serviceaccount.yaml\"");
	cmd(p, s, "kubectl auth can-i --list -n \"$NS\" --as=\"system:serviceaccount:$NS:$SA\" > \"$EV/sa-permissions.txt\"");
	cmd(p, s, "kubectl get secret -n \"$NS\" -o json | jq -r --arg sa \"$SA\" '.items[] | select(.type == "
		  "\"kubernetes.io/service-account-token\" and .metadata.annotations[\"kubernetes.io/service-account.name\"] == "
		  "$sa) | .metadata.name' | xargs -r kubectl delete secret -n \"$NS\"");
	cmd(p, s, "kubectl delete sa -n \"$NS\" \"$SA\" && kubectl create sa -n \"$NS\" \"$SA\"");
}

static void step_hunt(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(p, "hunt", "Find the same image and the same avenue elsewhere", false,
				      "an image that was used to escape once is used again; so is the setting that opened "
				      "the way (the avenue: the manifest rules behind the alert)");
	cmd(p, s, "IMAGES=$(kubectl get pod -n \"$NS\" \"$POD\" -o jsonpath='{.status.containerStatuses[*].imageID}')");
	cmd(p, s, "kubectl get pods -A -o json | jq -r --arg ids \"$IMAGES\" '.items[] | select([.status.containerStatuses[]?.imageID] "
		  "| any(. as $i | $ids | split(\" \") | index($i))) | \"\\(.metadata.namespace)/\\(.metadata.name) "
		  "\\(.spec.nodeName)\"' > \"$EV/same-image.txt\"");
	if (p->avenue) {
		char sel[256] = "";
		char av[64];  /* avenue: at most 60 characters (check_fields) */
		snprintf(av, sizeof(av), "%s", p->avenue);
		for (char *save = NULL, *r = strtok_r(av, " ", &save); r; r = strtok_r(NULL, " ", &save))
			snprintf(sel + strlen(sel), sizeof(sel) - strlen(sel), "%s.rule == \"%s\"", *sel ? " or " : "", r);
		CMDF(p, s, "kubectl get pods,deployments,daemonsets,statefulsets,jobs,cronjobs -A -o json | bulkhead scan --pss none "
			   "--fail-on none --format json - | jq -r '.findings[] | select(%s) | \"\\(.object.kind) "
			   "\\(.object.namespace)/\\(.object.name) \\(.rule) \\(.field)\"' > \"$EV/same-avenue.txt\"",
		     sel);
	}
	if (p->user)
		CMDF(p, s, "bulkhead audit --format jsonl /var/log/kubernetes/audit.log | jq -c --arg u %s "
			   "'select(.event.user.username == $u)' > \"$EV/same-user.jsonl\"",
		     sq(&p->a, p->user));
}

static void step_eradicate(struct bh_resp_plan *p)
{
	struct bh_resp_step *s = step(p, "eradicate", "After the evidence is safe: remove the pod, fix the workload, check the node",
				      true,
				      "deleting the pod ends its bound tokens and processes; the owner recreates it, so its "
				      "manifest gets the fixes first; the node returns to service only after it was checked "
				      "(or is replaced)");
	cmd(p, s, "[ \"$OWNER\" = / ] || kubectl get \"$OWNER\" -n \"$NS\" -o yaml | bulkhead fix --patch - > \"$EV/fix-patch.yaml\"");
	cmd(p, s, "kubectl delete pod -n \"$NS\" \"$POD\" --wait=false");
	cmd(p, s, "# on the node: bulkhead node; replace the node if the kernel or runtime was reached, else:");
	cmd(p, s, "kubectl uncordon \"$NODE\"");
}

void bh_resp_build(struct bh_resp_plan *p)
{
	p->nsteps = 0;
	step_target(p);
	step_quarantine(p);
	step_cordon(p);
	step_evidence(p);
	step_revoke(p);
	step_hunt(p);
	step_eradicate(p);
}

/* ---- output ---- */
static void printable(FILE *out, const char *s) /* alert text in the runbook: no control characters */
{
	for (; s && *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static void field(FILE *out, const char *label, const char *v)
{
	if (!v)
		return;
	fprintf(out, "  %-10s ", label);
	printable(out, v);
	fputc('\n', out);
}

void bh_resp_text(FILE *out, const struct bh_resp_plan *p)
{
	fprintf(out, "# Containment plan (bulkhead respond, from %s)\n\n", p->source);
	field(out, "rule", p->rule ? bh_arena_printf((struct bh_arena *)&p->a, "%s %s (%s)", p->rule,
						       p->rule_name ? p->rule_name : "", p->severity ? p->severity : "?")
				    : NULL);
	field(out, "alert", p->title);
	field(out, "message", p->message);
	field(out, "time", p->time);
	field(out, p->pod ? "pod" : "object",
	      p->pod ? bh_arena_printf((struct bh_arena *)&p->a, "%s/%s", p->ns, p->pod) : p->kind);
	field(out, "pod uid", p->pod_uid);
	field(out, "container", p->container_name && p->container_id
					? bh_arena_printf((struct bh_arena *)&p->a, "%s (%s)", p->container_name, p->container_id)
					: p->container_id);
	field(out, "node", p->node);
	field(out, "process", p->pid ? bh_arena_printf((struct bh_arena *)&p->a, "pid %" PRId64 " %s (%s) args: %s",
						      p->pid, p->comm ? p->comm : "?", p->exe ? p->exe : "?",
						      p->args ? p->args : "") : NULL);
	field(out, "parents", p->parents);
	field(out, "host ns", p->shared_ns);
	field(out, "user", p->user);
	field(out, "request", p->verb ? bh_arena_printf((struct bh_arena *)&p->a, "%s %s", p->verb, p->uri ? p->uri : "")
				       : NULL);
	field(out, "from", p->source_ips);
	field(out, "avenue", p->avenue);
	fputs("\nKeep the alert itself with the evidence. Run the steps in order; steps marked [changes the cluster]\n"
	      "can be tried first with kubectl's --dry-run=server.\n",
	      out);
	for (int i = 0; i < p->nsteps; i++) {
		const struct bh_resp_step *s = &p->steps[i];
		fprintf(out, "\n## %d. %s%s\n%c%s.\n\n", i + 1, s->title, s->mutates ? " [changes the cluster]" : "",
			toupper((unsigned char)s->why[0]), s->why + 1);
		for (int k = 0; k < s->ncmds; k++) {
			fputs("    ", out);
			for (const char *c = s->cmds[k]; *c; c++) /* keep heredocs aligned */
				fputs(*c == '\n' ? "\n    " : (char[2]){*c, 0}, out);
			fputc('\n', out);
		}
	}
}

static void jkey(FILE *out, const char *k, const char *v, bool *first)
{
	if (!v)
		return;
	fprintf(out, "%s\"%s\": ", *first ? "" : ", ", k);
	bh_json_str(out, v);
	*first = false;
}

void bh_resp_json(FILE *out, const struct bh_resp_plan *p)
{
	bool f = true;
	fprintf(out, "{\"source\": \"%s\", \"alert\": {", p->source);
	jkey(out, "rule", p->rule, &f), jkey(out, "name", p->rule_name, &f), jkey(out, "severity", p->severity, &f);
	jkey(out, "title", p->title, &f), jkey(out, "message", p->message, &f), jkey(out, "time", p->time, &f);
	fputs("}, \"target\": {", out);
	f = true;
	jkey(out, "namespace", p->ns, &f), jkey(out, "pod", p->pod, &f), jkey(out, "object", p->kind, &f);
	jkey(out, "podUID", p->pod_uid, &f), jkey(out, "containerID", p->container_id, &f), jkey(out, "node", p->node, &f);
	jkey(out, "container", p->container_name, &f);
	fputs("}, \"process\": {", out);
	f = true;
	if (p->pid)
		fprintf(out, "\"pid\": %" PRId64, p->pid), f = false;
	jkey(out, "comm", p->comm, &f), jkey(out, "exe", p->exe, &f), jkey(out, "args", p->args, &f);
	jkey(out, "parents", p->parents, &f), jkey(out, "sharedWithHost", p->shared_ns, &f);
	fputs("}, \"request\": {", out);
	f = true;
	jkey(out, "user", p->user, &f), jkey(out, "verb", p->verb, &f), jkey(out, "requestURI", p->uri, &f);
	jkey(out, "sourceIPs", p->source_ips, &f);
	fputs("}, \"avenue\": [", out);
	char av[64];  /* avenue: at most 60 characters (check_fields) */
	snprintf(av, sizeof(av), "%s", p->avenue ? p->avenue : "");
	f = true;
	for (char *save = NULL, *r = strtok_r(av, " ", &save); r; r = strtok_r(NULL, " ", &save), f = false)
		fprintf(out, "%s\"%s\"", f ? "" : ", ", r);
	fputs("], \"steps\": [", out);
	for (int i = 0; i < p->nsteps; i++) {
		const struct bh_resp_step *s = &p->steps[i];
		fprintf(out, "%s\n  {\"order\": %d, \"id\": \"%s\", \"title\": ", i ? "," : "", i + 1, s->id);
		bh_json_str(out, s->title);
		fprintf(out, ", \"mutates\": %s, \"why\": ", s->mutates ? "true" : "false");
		bh_json_str(out, s->why);
		if (s->manifest)
			fputs(", \"manifest\": ", out), bh_json_str(out, s->manifest);
		fputs(", \"commands\": [", out);
		for (int k = 0; k < s->ncmds; k++) {
			fputs(k ? ", " : "", out);
			bh_json_str(out, s->cmds[k]);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}
