/* `inside` rules (BH0400–BH0499): the evaluation of probed facts against the rows of rules/inside.def.
 * Severities follow DESIGN §4; combinations raise them and real mitigations (a user namespace) lower them. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/inside.h"

/* R_<SYM>: 0-based index of each inside rule, generated from rules/inside.def (row BH_RULE(ID, SYM, …));
 * rules[R_<SYM>] is its row in the registry. */
enum {
#define BH_RULE(id, sym, ...) R_##sym = BH_RULE_##id - BH_RULES_INSIDE_FIRST,
#include "rules/inside.def"
#undef BH_RULE
	R_N
};
static const struct bh_rule *const rules = &bh_rules[BH_RULES_INSIDE_FIRST];

const struct bh_rule *bh_inside_rules(size_t *n)
{
	*n = R_N;
	return rules;
}

static const char *const cap_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
	"CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
	"CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

const char *bh_cap_name(unsigned cap)
{
	return cap < sizeof(cap_names) / sizeof(cap_names[0]) ? cap_names[cap] : NULL;
}

enum { CAP_NET_BIND_SERVICE_ = 10, CAP_NET_ADMIN_ = 12, CAP_NET_RAW_ = 13, CAP_SYS_MODULE_ = 16,
       CAP_SYS_RAWIO_ = 17, CAP_SYS_PTRACE_ = 19, CAP_SYS_ADMIN_ = 21, CAP_SYS_BOOT_ = 22,
       CAP_DAC_READ_SEARCH_ = 2, CAP_PERFMON_ = 38, CAP_BPF_ = 39 };

static bool has_cap(const struct bh_inside *f, unsigned c)
{
	return f->caps_known && c < 64 && (f->cap_eff >> c & 1);
}

static void caps_str(uint64_t set, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (unsigned c = 0; c < 64; c++) {
		if (!(set >> c & 1))
			continue;
		const char *n = bh_cap_name(c);
		char tmp[24];
		if (!n) {
			snprintf(tmp, sizeof(tmp), "cap_%u", c);
			n = tmp;
		}
		int w = snprintf(buf + used, len - used, "%s%s", used ? "," : "", n);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

struct ev {
	const struct bh_inside *f;
	struct bh_findings *out;
	const char *who;   /* container column: the container id or hostname */
	int oom;
};

/* a user namespace makes capabilities namespaced: lower one step, as DESIGN §4 asks for real mitigations */
static enum bh_sev lower(enum bh_sev s)
{
	return s > BH_SEV_INFO ? s - 1 : s;
}

static struct bh_finding *emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence,
			       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static struct bh_finding *emit(struct ev *e, int r, enum bh_sev sev, const char *field, const char *evidence,
			       const char *fmt, ...)
{
	char msg[900];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_finding *x = bh_emit(e->out, &rules[r], sev, e->who, field, 0, 0, "%s", msg);
	if (!x) {
		e->oom = 1;
		return NULL;
	}
	if (evidence && *evidence) {
		x->evidence = bh_arena_strndup(e->out->a, evidence, strlen(evidence));
		if (!x->evidence)
			e->oom = 1;
	}
	return x;
}

static void eval_caps(struct ev *e)
{
	const struct bh_inside *f = e->f;
	if (!f->caps_known)
		return;
	char ev[700], names[600];
	int last = f->cap_last >= 0 ? f->cap_last : 40;
	uint64_t full = last >= 63 ? ~0ULL : ((1ULL << (last + 1)) - 1);
	uint64_t missing = full & ~f->cap_eff;
	int nmissing = __builtin_popcountll(missing);
	bool ns = f->in_userns == 1;
	caps_str(f->cap_eff, names, sizeof(names));
	snprintf(ev, sizeof(ev), "CapEff=%016llx CapBnd=%016llx cap_last_cap=%d", (unsigned long long)f->cap_eff,
		 (unsigned long long)f->cap_bnd, f->cap_last);
	/* Full set decided against cap_last_cap, not a fixed mask (CDK's "3fffffffff" misses 41-cap kernels).
	 * A runtime that itself runs with a reduced bounding set cannot give the last few: count as privileged
	 * when at most two are missing and CAP_SYS_ADMIN is there. */
	if (has_cap(f, CAP_SYS_ADMIN_) && nmissing <= 2) {
		char miss[200] = "";
		caps_str(missing, miss, sizeof(miss));
		enum bh_sev s = ns ? lower(BH_SEV_CRITICAL) : BH_SEV_CRITICAL;
		emit(e, R_ALL_CAPS, s, "CapEff", ev, "%d of %d capabilities are effective%s%s%s%s", last + 1 - nmissing,
		     last + 1, nmissing ? " (missing: " : " (the full set)", miss, nmissing ? ")" : "",
		     ns ? "; namespaced by a user namespace" : "");
		return;
	}
	static const unsigned crit[] = {CAP_SYS_ADMIN_, CAP_SYS_MODULE_};
	static const unsigned high[] = {CAP_SYS_PTRACE_, CAP_DAC_READ_SEARCH_, CAP_NET_ADMIN_, CAP_BPF_, CAP_PERFMON_,
					CAP_SYS_RAWIO_, CAP_SYS_BOOT_};
	static const char *const why[64] = {
		[CAP_SYS_ADMIN_] = "mount, cgroup release_agent, BPF, namespaces: the classic escape capability",
		[CAP_SYS_MODULE_] = "loads kernel modules: code in the node's kernel",
		[CAP_SYS_PTRACE_] = "attaches to processes it can see (with hostPID: node processes)",
		[CAP_DAC_READ_SEARCH_] = "open_by_handle_at() reads any file on a mounted node filesystem (shocker)",
		[CAP_NET_ADMIN_] = "configures the network stack: nf_tables and tc kernel attack surface",
		[CAP_BPF_] = "loads BPF programs: kernel attack surface and node-wide tracing",
		[CAP_PERFMON_] = "perf and BPF tracing of the node",
		[CAP_SYS_RAWIO_] = "raw I/O on devices and ports",
		[CAP_SYS_BOOT_] = "reboots the node, kexec",
	};
	for (size_t i = 0; i < sizeof(crit) / sizeof(crit[0]); i++)
		if (has_cap(f, crit[i]))
			emit(e, R_CRIT_CAP, ns ? lower(BH_SEV_CRITICAL) : BH_SEV_CRITICAL, bh_cap_name(crit[i]), ev,
			     "%s is effective: %s%s", bh_cap_name(crit[i]), why[crit[i]],
			     ns ? " (namespaced by a user namespace)" : "");
	for (size_t i = 0; i < sizeof(high) / sizeof(high[0]); i++)
		if (has_cap(f, high[i]))
			emit(e, R_HIGH_CAP, ns ? lower(BH_SEV_HIGH) : BH_SEV_HIGH, bh_cap_name(high[i]), ev,
			     "%s is effective: %s%s", bh_cap_name(high[i]), why[high[i]],
			     ns ? " (namespaced by a user namespace)" : "");
	uint64_t rest = f->cap_eff & ~(1ULL << CAP_NET_BIND_SERVICE_);
	if (rest && !ns)
		emit(e, R_CAPS_NOT_DROPPED, BH_SEV_MEDIUM, "CapEff", ev, "effective capabilities: %s", names);
}

static void eval_ns(struct ev *e)
{
	const struct bh_inside *f = e->f;
	static const struct {
		int ns, rule;
	} map[] = {{BH_NS_PID, R_HOST_PID}, {BH_NS_NET, R_HOST_NET}, {BH_NS_IPC, R_HOST_IPC},
		   {BH_NS_UTS, R_HOST_UTS}, {BH_NS_CGROUP, R_HOST_CGROUPNS}, {BH_NS_MNT, R_HOST_MNT}};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		const struct bh_inside_ns *n = &f->ns[map[i].ns];
		if (n->host != 1)
			continue;
		enum bh_sev s = rules[map[i].rule].sev;
		const char *extra = "";
		if (map[i].ns == BH_NS_PID && (has_cap(f, CAP_SYS_PTRACE_) || has_cap(f, CAP_SYS_ADMIN_))) {
			/* DESIGN §4: hostPID + SYS_PTRACE (or privileged) → nsenter -t 1 / /proc/1/root */
			s = BH_SEV_CRITICAL;
			extra = " together with CAP_SYS_PTRACE/CAP_SYS_ADMIN: `nsenter -t 1` or /proc/1/root reach the node";
		}
		if (map[i].ns == BH_NS_NET && f->euid == 0 && !f->in_userns)
			extra = " as uid 0: abstract unix sockets of the node (containerd-shim, CVE-2020-15257) are reachable";
		emit(e, map[i].rule, s, NULL, n->evidence, "shares the node's %s namespace%s",
		     map[i].ns == BH_NS_MNT ? "mount" : map[i].ns == BH_NS_NET ? "network" : map[i].ns == BH_NS_PID ? "PID"
		     : map[i].ns == BH_NS_IPC ? "IPC" : map[i].ns == BH_NS_UTS ? "UTS" : "cgroup",
		     extra);
	}
}

static void eval_host_mounts(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->nmounts; i++) {
		const struct bh_inside_mount *m = &f->mounts[i];
		if (m->socket)
			continue; /* reported as a socket */
		snprintf(ev, sizeof(ev), "mountinfo: %s on %s (%s %s, %s)", m->root, m->mountpoint, m->fstype, m->source,
			 m->ro ? "ro" : "rw");
		enum bh_sev s;
		const char *what;
		if (m->sensitive == 2) {
			s = m->ro ? BH_SEV_HIGH : BH_SEV_CRITICAL;
			what = "the root directory of a node filesystem";
		} else if (m->sensitive == 1) {
			s = m->ro ? BH_SEV_HIGH : BH_SEV_CRITICAL;
			what = "a sensitive node path";
		} else {
			s = m->ro ? BH_SEV_LOW : BH_SEV_MEDIUM;
			what = "a node directory";
		}
		emit(e, R_HOST_PATH, s, m->mountpoint, ev, "%s: %s %s is mounted %s at %s", m->mountpoint, what, m->root,
		     m->ro ? "read-only" : "read-write", m->mountpoint);
	}
}

static void eval_sockets(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->nsockets; i++) {
		const struct bh_inside_socket *k = &f->sockets[i];
		snprintf(ev, sizeof(ev), "%s (%s)%s%s", k->path, k->how, k->detail[0] ? "; " : "", k->detail);
		emit(e, R_SOCKET, BH_SEV_CRITICAL, k->path, ev, "%s is reachable%s: whoever can talk to it can start a "
		     "privileged container on the node", k->path,
		     k->answers == 1 ? " and answers" : k->answers == 0 ? " (it did not answer now)" : "");
	}
}

static void eval_block_devices(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	/* block devices: one finding for the set (a privileged container sees every disk and loop device) */
	char list[400] = "", denied[200] = "";
	size_t nblk = 0, nopen = 0;
	for (size_t i = 0; i < f->ndevs; i++) {
		const struct bh_inside_dev *d = &f->devs[i];
		if (d->type == 'b' && d->openable == 0) {
			/* present but refused (device cgroup, LSM): said in the evidence, not an avenue */
			size_t l = strlen(denied);
			if (l < sizeof(denied) - 1)
				snprintf(denied + l, sizeof(denied) - l, "%s%s (%s)", l ? ", " : "", d->path,
					 strerror(d->err));
			continue;
		}
		if (d->type != 'b')
			continue;
		nblk++;
		nopen += d->openable == 1;
		size_t l = strlen(list);
		if (l < sizeof(list) - 1)
			snprintf(list + l, sizeof(list) - l, "%s%s %u:%u%s", l ? ", " : "", d->path, d->major, d->minor,
				 d->openable == 1 ? " (opened)" : "");
	}
	if (nblk) {
		snprintf(ev, sizeof(ev), "block devices in /dev: %s; open(O_RDONLY|O_NONBLOCK) %s%s%s", list,
			 nopen ? "succeeded" : "not tried (offline)", denied[0] ? "; refused: " : "", denied);
		emit(e, R_DEVICE, nopen ? BH_SEV_CRITICAL : BH_SEV_HIGH, "/dev", ev,
		     "%zu node block device%s %s: the node's disks can be read and written raw, or mounted",
		     nblk, nblk == 1 ? "" : "s", nopen ? "can be opened" : "are present");
	}
}

static void eval_char_devices(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[900];
	for (size_t i = 0; i < f->ndevs; i++) {
		const struct bh_inside_dev *d = &f->devs[i];
		if (d->type != 'c' || d->openable == 0)
			continue;
		bool kmsg = !strcmp(d->path, "/dev/kmsg");
		if (kmsg && d->openable != 1)
			continue;
		snprintf(ev, sizeof(ev), "%s c %u:%u; open(O_RDONLY) %s", d->path, d->major, d->minor,
			 d->openable == 1 ? "succeeded" : "not tried (offline)");
		emit(e, R_DEVICE, kmsg ? BH_SEV_MEDIUM : BH_SEV_CRITICAL, d->path, ev, "%s%s", d->path,
		     kmsg ? " (kernel log) can be opened: kernel addresses and node events leak"
			  : " (physical memory / I/O ports) is present");
	}
}

static void eval_knobs(struct ev *e)
{
	const struct bh_inside *f = e->f;
	if (f->proc_sys_writable == 1)
		emit(e, R_PROC_SYS, f->in_userns == 1 ? BH_SEV_HIGH : BH_SEV_CRITICAL, "/proc/sys", f->proc_sys_evidence,
		     "/proc/sys/kernel/core_pattern is writable%s", f->sysrq_writable == 1 ? "; so is /proc/sysrq-trigger" : "");
	if (f->sys_writable == 1)
		emit(e, R_SYS, f->uevent_helper_writable == 1 ? BH_SEV_CRITICAL : BH_SEV_HIGH, "/sys", f->sys_evidence,
		     "%s", f->uevent_helper_writable == 1
				   ? "/sys is read-write and /sys/kernel/uevent_helper is writable: the kernel runs it on the node"
				   : "/sys is read-write: device, module and kernel settings of the node are exposed");
	if (f->root_ro == 1)
		emit(e, R_READONLY_ROOT, BH_SEV_INFO, "/", "mountinfo: / is mounted ro", "the root filesystem is read-only");
	else if (f->root_ro == 0)
		emit(e, R_WRITABLE_ROOT, BH_SEV_LOW, "/", "mountinfo: / is mounted rw", "the root filesystem is writable");
}

static void eval_fs(struct ev *e)
{
	eval_host_mounts(e);
	eval_sockets(e);
	eval_block_devices(e);
	eval_char_devices(e);
	eval_knobs(e);
}

static bool seccomp_allows_mount(const struct bh_inside *f)
{
	return f->seccomp == 0;
}

static void eval_cgroups(struct ev *e)
{
	const struct bh_inside *f = e->f;
	char ev[600];
	bool reported = false;
	for (size_t i = 0; i < f->ncgroups; i++) {
		const struct bh_inside_cgroup *c = &f->cgroups[i];
		if (!c->release_agent || c->writable == 0)
			continue;
		snprintf(ev, sizeof(ev), "%s/release_agent on cgroup v1 (%s) mounted %s; access(W_OK) %s", c->mountpoint,
			 c->controllers, c->ro ? "ro" : "rw", c->writable == 1 ? "succeeds" : "not tried");
		emit(e, R_RELEASE_AGENT, c->writable == 1 ? BH_SEV_CRITICAL : BH_SEV_HIGH, c->mountpoint, ev,
		     "%s/release_agent is %s", c->mountpoint, c->writable == 1 ? "writable" : "visible on a rw mount");
		reported = true;
		break;
	}
	if (reported || f->cgroup_v1 != 1)
		return;
	/* Could a new cgroup v1 hierarchy be mounted here? Predicted, never tried (mounting would change the
	 * node's state): CAP_SYS_ADMIN over the initial user namespace, the host cgroup namespace (a new
	 * hierarchy cannot be made from another), no seccomp filter (runtime defaults block mount) and no
	 * confining LSM (AppArmor's docker-default denies mount). */
	bool sysadmin = has_cap(f, CAP_SYS_ADMIN_) && f->in_userns != 1;
	bool hostcg = f->ns[BH_NS_CGROUP].host == 1;
	bool sc = seccomp_allows_mount(f);
	bool lsm = f->lsm_confined == 0;
	snprintf(ev, sizeof(ev), "%s; CAP_SYS_ADMIN(init userns)=%s host-cgroupns=%s seccomp=%d lsm=%s(%s)",
		 f->cgroup_evidence, sysadmin ? "yes" : "no", hostcg ? "yes" : "no", f->seccomp, f->lsm_name,
		 f->lsm_confined == 1 ? "confined" : "unconfined");
	if (sysadmin && hostcg && sc && lsm)
		emit(e, R_CGROUP_MOUNT, BH_SEV_CRITICAL, NULL, ev,
		     "a new cgroup v1 hierarchy could be mounted here and its release_agent set: the kernel would run "
		     "it on the node as root");
}

struct pctx {
	const struct bh_inside *f;
};

static int precond(const char *tok, void *ctx)
{
	const struct bh_inside *f = ((struct pctx *)ctx)->f;
	if (!strcmp(tok, "userns"))
		return f->userns_create;
	if (!strcmp(tok, "cap_sys_admin"))
		return f->caps_known ? has_cap(f, CAP_SYS_ADMIN_) : -1;
	if (!strcmp(tok, "cap_net_admin"))
		return f->caps_known ? has_cap(f, CAP_NET_ADMIN_) : -1;
	if (!strcmp(tok, "cap_net_raw"))
		return f->caps_known ? has_cap(f, CAP_NET_RAW_) : -1;
	if (!strcmp(tok, "root"))
		return f->euid < 0 ? -1 : f->euid == 0;
	if (!strcmp(tok, "cgroup_v1"))
		return f->cgroup_v1;
	if (!strcmp(tok, "no_lsm"))
		return f->lsm_confined < 0 ? -1 : !f->lsm_confined;
	if (!strcmp(tok, "host_net"))
		return f->ns[BH_NS_NET].host;
	return -1;
}

static void eval_kernel(struct ev *e, const struct bh_cvedb *db)
{
	const struct bh_inside *f = e->f;
	if (!db || !f->kernel_known)
		return;
	const struct bh_kernel *k = &f->kernel;
	for (size_t i = 0; i < db->n; i++) {
		const struct bh_cve *c = &db->v[i];
		enum bh_cve_match m = bh_cve_match_kernel(c, k);
		if (m == BH_CVE_NOT_AFFECTED)
			continue;
		char why[300], ev[900], confirm[300], vb[40];
		struct pctx pc = {f};
		int need = bh_cve_needs_eval(c, precond, &pc, why, sizeof(why));
		enum bh_sev s = c->sev;
		if (m == BH_CVE_MAYBE)
			s = lower(s);
		if (need < 0)
			s = lower(s);
		if (need == 0)
			s = BH_SEV_INFO;
		snprintf(ev, sizeof(ev), "kernel %s (%s, %s level %s%s%s); needs: %s%s%s; ref %s", k->release,
			 bh_distro_name(k->distro), k->exact ? "upstream" : "branch", bh_ver_str(&k->ver, vb, sizeof(vb)),
			 k->upstream_from[0] ? " from " : "", k->upstream_from, c->needs, why[0] ? " → " : "", why,
			 c->refs[0]);
		if (m == BH_CVE_MAYBE)
			bh_distro_confirm(k->distro, c->id, confirm, sizeof(confirm));
		emit(e, R_KERNEL_CVE, s, c->id, ev, "%s (%s): %s — %s%s%s%s", c->id, c->name ? c->name : "",
		     m == BH_CVE_AFFECTED ? "the kernel version is affected" : "the version is in range but the "
		     "distribution may have back-ported the fix",
		     need == 1 ? "its preconditions hold here" : need == 0 ? "not reachable from this container (a "
		     "precondition does not hold)" : "some preconditions could not be checked",
		     c->summary ? ". " : "", c->summary ? c->summary : "",
		     m == BH_CVE_MAYBE ? "" : "");
		if (m == BH_CVE_MAYBE && e->out->n) {
			/* append how to confirm to the evidence of the finding just emitted */
			struct bh_finding *x = &e->out->v[e->out->n - 1];
			char both[1300];
			snprintf(both, sizeof(both), "%s; confirm: %s", x->evidence ? x->evidence : "", confirm);
			x->evidence = bh_arena_strndup(e->out->a, both, strlen(both));
		}
	}
}

int bh_inside_evaluate(const struct bh_inside *f, const struct bh_cvedb *db, struct bh_findings *out)
{
	struct ev e = {.f = f, .out = out};
	e.who = f->container_id[0] ? f->container_id : f->hostname[0] ? f->hostname : NULL;
	/* the "object" of a host finding is the container itself */
	struct bh_objref saved = out->cur;
	out->cur.kind = "Container";
	out->cur.name = e.who ? bh_arena_strndup(out->a, e.who, strlen(e.who)) : NULL;
	char ev[600];
	if (f->in_container) {
		snprintf(ev, sizeof(ev), "%s", f->runtime_evidence);
		emit(&e, R_RUNTIME, BH_SEV_INFO, NULL, ev, "container runtime: %s%s%s", f->runtime,
		     f->container_id[0] ? ", id " : "", f->container_id);
	} else {
		emit(&e, R_NOT_CONTAINER, BH_SEV_INFO, NULL, f->runtime_evidence,
		     "no container detected; the findings below describe this host process");
	}
	eval_caps(&e);
	if (f->nnp == 0)
		emit(&e, R_NNP, BH_SEV_MEDIUM, "NoNewPrivs", "/proc/self/status NoNewPrivs: 0",
		     "NoNewPrivs is 0: setuid-root binaries and file capabilities still raise privileges");
	if (f->seccomp == 0)
		emit(&e, R_SECCOMP, BH_SEV_HIGH, "Seccomp", "/proc/self/status Seccomp: 0",
		     "no seccomp filter: unshare, mount, keyctl, bpf and every other syscall reach the kernel");
	else if (f->seccomp > 0) {
		snprintf(ev, sizeof(ev), "/proc/self/status Seccomp: %d, Seccomp_filters: %d", f->seccomp,
			 f->seccomp_filters);
		emit(&e, R_SECCOMP_ON, BH_SEV_INFO, "Seccomp", ev, "seccomp mode %s with %d filter%s",
		     f->seccomp == 2 ? "filter" : "strict", f->seccomp_filters, f->seccomp_filters == 1 ? "" : "s");
	}
	if (f->lsm_confined == 0) {
		snprintf(ev, sizeof(ev), "%s label: %s", f->lsm_name, f->lsm_label);
		emit(&e, R_LSM, BH_SEV_HIGH, NULL, ev, "%s", !strcmp(f->lsm_name, "none")
				 ? "no AppArmor or SELinux label: the process is not confined by an LSM"
				 : "the LSM profile does not confine the process");
	}
	eval_ns(&e);
	if (f->in_userns == 1) {
		snprintf(ev, sizeof(ev), "/proc/self/uid_map: %s", f->uid_map);
		emit(&e, R_USERNS, BH_SEV_INFO, NULL, ev, "user namespace: uid 0 here is uid %lu on the node",
		     f->host_uid_of_root);
	} else if (f->in_userns == 0 && f->euid == 0 && f->in_container) {
		snprintf(ev, sizeof(ev), "/proc/self/uid_map: %s; euid 0", f->uid_map);
		emit(&e, R_HOST_ROOT, BH_SEV_MEDIUM, NULL, ev, "runs as uid 0 without a user namespace: root here is root "
		     "on the node once any other avenue opens");
	}
	eval_fs(&e);
	eval_cgroups(&e);
	if (f->userns_create == 1)
		emit(&e, R_USERNS_CREATE, BH_SEV_MEDIUM, NULL, f->userns_evidence,
		     "a new user namespace can be created: namespaced CAP_SYS_ADMIN/CAP_NET_ADMIN reach nf_tables, "
		     "mount and other kernel code used by escape exploits");
	eval_kernel(&e, db);
	if (f->sa_token == 1) {
		snprintf(ev, sizeof(ev), "%s (namespace %s)", f->sa_token_path, f->sa_namespace[0] ? f->sa_namespace : "?");
		emit(&e, R_SA_TOKEN, BH_SEV_LOW, f->sa_token_path, ev,
		     "a service-account token for namespace '%s' is mounted: its RBAC rights are this container's",
		     f->sa_namespace[0] ? f->sa_namespace : "?");
	}
	out->cur = saved;
	return e.oom || out->oom ? -ENOMEM : 0;
}
