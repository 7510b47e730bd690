/* The detector: events in, alerts out. Keeps a bounded process cache (exe and argv seen at exec, so that a
 * later mount or open can name the program), de-duplicates repeats of one rule by one process (busybox
 * `mount` tries every filesystem type, nsenter joins namespaces one by one) and applies the allow-list. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "detect.h"
#include "rules_int.h"

#define PROC_SLOTS 4096  /* direct-mapped by pid: a collision forgets the older process, nothing worse */
#define DEDUP_SLOTS 4096

struct proc_slot {
	uint32_t pid;
	char exe[BHW_STR];
	char args[BHW_STR];
};

struct dedup_slot {
	uint32_t pid;
	int rule;
	uint64_t last_ns;
};

struct bhw_detector {
	struct bhw_config cfg;
	uint32_t host_ns[BHW_NS_MAX];
	int64_t mono_to_real;
	uint64_t dedup_ns;
	bhw_proc_lookup lookup;
	struct bhw_detector_stats st;
	struct proc_slot *procs;
	struct dedup_slot *dedup;
};

struct bhw_detector *bhw_detector_new(const struct bhw_config *cfg)
{
	struct bhw_detector *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->procs = calloc(PROC_SLOTS, sizeof(*d->procs));
	d->dedup = calloc(DEDUP_SLOTS, sizeof(*d->dedup));
	if (!d->procs || !d->dedup) {
		bhw_detector_free(d);
		errno = ENOMEM;
		return NULL;
	}
	if (cfg)
		d->cfg = *cfg;
	else
		bhw_config_init(&d->cfg);
	d->dedup_ns = 2000000000ull;
	return d;
}

void bhw_detector_free(struct bhw_detector *d)
{
	if (!d)
		return;
	free(d->procs);
	free(d->dedup);
	free(d);
}

void bhw_detector_set_origin(struct bhw_detector *d, const uint32_t host_ns[BHW_NS_MAX], int64_t mono_to_real)
{
	memcpy(d->host_ns, host_ns, sizeof(d->host_ns));
	d->mono_to_real = mono_to_real;
}

void bhw_detector_set_lookup(struct bhw_detector *d, bhw_proc_lookup fn)
{
	d->lookup = fn;
}

void bhw_detector_set_dedup(struct bhw_detector *d, uint64_t window_ns)
{
	d->dedup_ns = window_ns;
}

void bhw_detector_stats(const struct bhw_detector *d, struct bhw_detector_stats *st)
{
	*st = d->st;
}

/* argv as the kernel stores it (NUL-separated) to one space-separated line */
static void join_args(const char *raw, size_t n, char *out, size_t outlen)
{
	if (n >= outlen)
		n = outlen - 1;
	for (size_t i = 0; i < n; i++)
		out[i] = raw[i] ? raw[i] : ' ';
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

static struct proc_slot *proc_get(struct bhw_detector *d, uint32_t pid)
{
	struct proc_slot *p = &d->procs[pid % PROC_SLOTS];
	if (p->pid == pid)
		return p;
	if (!d->lookup)
		return NULL;
	char exe[BHW_STR] = "", args[BHW_STR] = "";
	if (d->lookup(pid, exe, sizeof(exe), args, sizeof(args)) < 0)
		return NULL;
	p->pid = pid;
	memcpy(p->exe, exe, sizeof(exe));
	memcpy(p->args, args, sizeof(args));
	return p;
}

static bool hex64(const char *s)
{
	for (int i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

void bhw_container_of(const struct bhw_event *ev, char *id, size_t idlen, const char **runtime, char *pod,
		      size_t podlen)
{
	static const struct { const char *prefix, *runtime; } pfx[] = {
		{"cri-containerd-", "containerd"}, {"docker-", "docker"}, {"crio-", "cri-o"},
		{"libpod-", "podman"}};
	const char *leaf = ev->cgroup[0], *parent = ev->cgroup[1];
	id[0] = 0;
	pod[0] = 0;
	*runtime = NULL;
	size_t ll = strnlen(leaf, BHW_CGNAME);
	for (size_t i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		size_t pl = strlen(pfx[i].prefix);
		if (ll >= pl + 64 && !strncmp(leaf, pfx[i].prefix, pl) && hex64(leaf + pl)) {
			snprintf(id, idlen, "%.64s", leaf + pl);
			*runtime = pfx[i].runtime;
			break;
		}
	}
	if (!id[0] && ll == 64 && hex64(leaf)) {
		snprintf(id, idlen, "%s", leaf);
		if (!strcmp(parent, "docker"))
			*runtime = "docker";
	}
	if (!id[0] && ll && (ev->flags & BHW_F_CONTAINER))
		snprintf(id, idlen, "%s", leaf); /* a plain runc/lab container: its cgroup is named after it */
	/* pod UID: "pod<uid>" (cgroupfs driver) or "kubepods-<qos>-pod<uid_with_underscores>.slice" (systemd);
	 * the first "pod" of "kubepods" is not it: take the occurrence followed by a 36-character UID */
	for (const char *p = strstr(parent, "pod"); p; p = strstr(p + 1, "pod")) {
		size_t n = 0;
		for (const char *c = p + 3; *c && n < 36 && n + 1 < podlen; c++) {
			if (!isxdigit((unsigned char)*c) && *c != '-' && *c != '_')
				break;
			pod[n++] = *c == '_' ? '-' : *c;
		}
		pod[n] = 0;
		if (n == 36)
			break;
		pod[0] = 0;
	}
}

static bool glob_match(const char *pat, const char *s)
{
	size_t n = strlen(pat);
	if (n && pat[n - 1] == '*')
		return !strncmp(pat, s, n - 1);
	return !strcmp(pat, s);
}

static const struct bhw_allow *allowed(const struct bhw_detector *d, const struct bh_rule *r,
				       const struct bhw_alert *a, int64_t now_s)
{
	for (size_t i = 0; i < d->cfg.nallow; i++) {
		const struct bhw_allow *w = &d->cfg.allow[i];
		if (w->expires && now_s > w->expires)
			continue;
		if (strcmp(w->rule, "*") && strcasecmp(w->rule, r->id) && strcmp(w->rule, r->name))
			continue;
		if (w->exe[0] && !glob_match(w->exe, a->exe ? a->exe : ""))
			continue;
		if (w->comm[0] && strcmp(w->comm, a->ev->comm))
			continue;
		if (w->container[0] && strncmp(w->container, a->container_id, strlen(w->container)))
			continue;
		return w;
	}
	return NULL;
}

static bool duplicate(struct bhw_detector *d, int rule, const struct bhw_event *ev)
{
	if (!d->dedup_ns)
		return false;
	struct dedup_slot *s = &d->dedup[(ev->pid * 31u + (unsigned)rule) % DEDUP_SLOTS];
	if (s->pid == ev->pid && s->rule == rule && ev->ts_ns >= s->last_ns && ev->ts_ns - s->last_ns < d->dedup_ns)
		return true;
	s->pid = ev->pid;
	s->rule = rule;
	s->last_ns = ev->ts_ns;
	return false;
}

int bhw_detector_feed(struct bhw_detector *d, const struct bhw_event *ev, bhw_alert_cb cb, void *ctx)
{
	d->st.events++;
	if (ev->type < BHW_EV_MAX)
		d->st.by_type[ev->type]++;
	if (ev->type == BHW_EV_EXEC) {
		struct proc_slot *p = &d->procs[ev->pid % PROC_SLOTS];
		p->pid = ev->pid;
		snprintf(p->exe, sizeof(p->exe), "%s", ev->s[0]);
		join_args(ev->s[1], (size_t)ev->a[0], p->args, sizeof(p->args));
	}

	struct bhw_hit hits[3];
	int n = bhw_classify(ev, hits, 3), raised = 0;
	for (int i = 0; i < n; i++) {
		int ri = hits[i].rule;
		if (d->cfg.disabled[ri])
			continue;
		/* a flood of one rule by one process: without allow-list entries the repeat is dropped before the
		 * process lookup and the cgroup parsing */
		if (!d->cfg.nallow && duplicate(d, ri, ev)) {
			d->st.deduplicated++;
			continue;
		}
		struct bhw_alert a = {.rule = bhw_rule_at(ri), .sev = hits[i].sev, .ev = ev};
		if (d->cfg.sev_override[ri] >= 0)
			a.sev = (enum bh_sev)d->cfg.sev_override[ri];
		memcpy(a.message, hits[i].message, sizeof(a.message));
		struct proc_slot *p = proc_get(d, ev->pid);
		a.exe = p ? p->exe : "";
		a.args = p ? p->args : "";
		bhw_container_of(ev, a.container_id, sizeof(a.container_id), &a.runtime, a.pod_uid, sizeof(a.pod_uid));
		a.time_ns = (int64_t)ev->ts_ns + d->mono_to_real;
		const struct bhw_allow *w = allowed(d, a.rule, &a, a.time_ns / 1000000000);
		if (w) {
			a.suppressed = true;
			a.suppress_reason = w->reason;
			d->st.suppressed++;
		} else if (d->cfg.nallow && duplicate(d, ri, ev)) {
			d->st.deduplicated++;
			continue;
		} else {
			d->st.alerts++;
			d->st.by_rule[ri]++;
			raised++;
		}
		if (cb)
			cb(ctx, &a);
	}
	if (ev->type == BHW_EV_EXIT) {
		struct proc_slot *p = &d->procs[ev->pid % PROC_SLOTS];
		if (p->pid == ev->pid)
			p->pid = 0;
	}
	return raised;
}
