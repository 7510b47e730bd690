/* The rule table. A new rule is one function and one row here, plus a golden case and its explanation. */
#include "rules.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void bh_rule_privileged(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_pid(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_ipc(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_network(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_host_path(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);
void bh_rule_caps_added(const struct bh_rule *, const struct bh_pod *, struct bh_findings *);

#define PSS_REF "https://kubernetes.io/docs/concepts/security/pod-security-standards/"

const struct bh_rule bh_rules[] = {
	{"BH0001", "privileged-container", BH_SEV_CRITICAL, "Privileged container", "T1611", "baseline", "privileged",
	 "Remove securityContext.privileged or set it to false; grant the single capability the workload needs instead.",
	 PSS_REF " https://attack.mitre.org/techniques/T1611/", bh_rule_privileged},
	{"BH0002", "host-pid", BH_SEV_HIGH, "Pod shares the host PID namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostPID or set it to false.", PSS_REF, bh_rule_host_pid},
	{"BH0003", "host-ipc", BH_SEV_HIGH, "Pod shares the host IPC namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostIPC or set it to false.", PSS_REF, bh_rule_host_ipc},
	{"BH0004", "host-network", BH_SEV_HIGH, "Pod shares the host network namespace", "T1611", "baseline", "hostNamespaces",
	 "Remove spec.hostNetwork or set it to false; expose the workload through a Service.", PSS_REF,
	 bh_rule_host_network},
	{"BH0005", "host-path-volume", BH_SEV_MEDIUM, "hostPath volume", "T1611", "baseline", "hostPathVolumes",
	 "Replace the hostPath volume with a persistentVolumeClaim, configMap, secret or emptyDir; if it must stay, "
	 "mount the narrowest path readOnly and never a runtime socket.",
	 PSS_REF " https://kubernetes.io/docs/concepts/storage/volumes/#hostpath", bh_rule_host_path},
	{"BH0006", "capabilities-added", BH_SEV_MEDIUM, "Container adds Linux capabilities", "T1611", "baseline",
	 "capabilities_baseline",
	 "Remove the capability from securityContext.capabilities.add; drop ALL and add back only NET_BIND_SERVICE "
	 "if needed.",
	 PSS_REF " https://man7.org/linux/man-pages/man7/capabilities.7.html", bh_rule_caps_added},
};
const size_t bh_nrules = sizeof(bh_rules) / sizeof(bh_rules[0]);

const struct bh_rule *bh_rule_find(const char *s)
{
	for (size_t i = 0; i < bh_nrules; i++)
		if (!strcasecmp(bh_rules[i].id, s) || !strcmp(bh_rules[i].name, s))
			return &bh_rules[i];
	return NULL;
}

void bh_rules_eval(const struct bh_pod *p, struct bh_findings *out)
{
	for (size_t i = 0; i < bh_nrules; i++)
		if (bh_rules[i].check)
			bh_rules[i].check(&bh_rules[i], p, out);
}

const char *bh_cap_norm(const char *s, size_t len, char *buf, size_t size)
{
	if (len >= 4 && !strncasecmp(s, "CAP_", 4)) {
		s += 4;
		len -= 4;
	}
	size_t k = 0;
	for (size_t i = 0; i < len && k + 1 < size; i++) {
		char c = s[i];
		buf[k++] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
	}
	buf[k] = 0;
	return buf;
}

const char *bh_path_norm(const char *s, size_t len, char *buf, size_t size)
{
	/* segments are pushed onto buf; ".." pops one (it cannot climb above "/") */
	size_t k = 0;
	buf[0] = 0;
	size_t i = 0;
	bool abs = len && s[0] == '/';
	while (i < len) {
		while (i < len && s[i] == '/')
			i++;
		size_t st = i;
		while (i < len && s[i] != '/')
			i++;
		size_t l = i - st;
		if (l == 0 || (l == 1 && s[st] == '.'))
			continue;
		if (l == 2 && s[st] == '.' && s[st + 1] == '.') {
			while (k > 0 && buf[k - 1] != '/')
				k--;
			if (k > 0)
				k--;
			buf[k] = 0;
			continue;
		}
		if (k + l + 2 >= size)
			break;
		if (k > 0 || abs)
			buf[k++] = '/';
		memcpy(buf + k, s + st, l);
		k += l;
		buf[k] = 0;
	}
	if (k == 0 && abs) {
		buf[0] = '/';
		buf[1] = 0;
	}
	return buf;
}

struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	char field[512];
	snprintf(field, sizeof(field), "%s.%s", c ? c->path : p->spec_path, suffix);
	const struct bh_node *loc = at ? at : (c ? c->n : p->spec);
	return bh_emit(out, r, sev, c ? c->name.s : NULL, field, loc ? loc->line : 0, loc ? loc->col : 0, "%s", msg);
}
