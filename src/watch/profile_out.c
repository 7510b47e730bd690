/* watch --profile: names of syscalls and capabilities (tables generated at build time from the kernel's
 * uapi headers by scripts/gen-syscalls), and the two outputs: the seccomp profile and the summary.
 *
 * The profile is the JSON a kubelet reads for `seccompProfile: {type: Localhost, localhostProfile: NAME}`
 * from <kubelet root>/seccomp/NAME (https://kubernetes.io/docs/reference/node/seccomp/; the runtime turns it
 * into the OCI runtime-spec's linux.seccomp: defaultAction, architectures, syscalls[].names/action,
 * https://github.com/opencontainers/runtime-spec/blob/main/config-linux.md#seccomp). The default action
 * SCMP_ACT_ERRNO fails every other call with EPERM (runtime-spec: defaultErrnoRet defaults to EPERM). */
#include <errno.h>
#include <string.h>

#include "profiler.h"
#include "syscall_names.h"
#include "util/json.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Calls the recording cannot see but the container needs under the filter. The runtime installs the filter
 * in its init process and then executes the entrypoint, so its last steps run under it: with no_new_privs
 * (allowPrivilegeEscalation: false) runc installs it "as close to execve as possible"
 * (runc libcontainer/standard_init_linux.go), then opens the exec fifo through /proc/self/fd and writes to
 * it (openat, write, close), and executes (execve). Measured with runc 1.1.5 under SCMP_ACT_LOG on the lab
 * (tests/watch/profile.test.sh): fstatfs and epoll_ctl also come (Go's os package registering the fifo
 * with its poller). runc init is a Go program whose runtime may at any moment park or wake threads
 * (futex), sleep in sysmon (nanosleep), yield (sched_yield) and preempt a goroutine with a signal (getpid,
 * tgkill, rt_sigreturn). Without no_new_privs runc installs the filter earlier, before it sets the user and
 * capabilities, and the profile would need capset, setgroups, setresuid... as well: docs/watch.md says to
 * keep allowPrivilegeEscalation false, which `bulkhead fix` writes at the restricted level. */
const char *const bhp_init_syscalls[] = {"execve", "openat", "write", "close", "fstatfs", "epoll_ctl", "futex",
					 "nanosleep", "sched_yield", "getpid", "tgkill", "rt_sigreturn", NULL};

const char *bhp_syscall_name(bool compat, unsigned nr)
{
	if (compat)
		return nr < NELEM(bhp_names_i386) ? bhp_names_i386[nr] : NULL;
	return nr < NELEM(bhp_names_x86_64) ? bhp_names_x86_64[nr] : NULL;
}

int bhp_syscall_nr(bool compat, const char *name)
{
	const char *const *t = compat ? bhp_names_i386 : bhp_names_x86_64;
	size_t n = compat ? NELEM(bhp_names_i386) : NELEM(bhp_names_x86_64);
	for (size_t i = 0; i < n; i++)
		if (t[i] && !strcmp(t[i], name))
			return (int)i;
	return -1;
}

const char *bhp_cap_name(unsigned cap)
{
	return cap < NELEM(bhp_cap_names) ? bhp_cap_names[cap] : NULL;
}

static bool bit(const __u64 *w, unsigned nr)
{
	return (w[nr / 64] >> (nr % 64)) & 1;
}

static bool any(const __u64 *w)
{
	for (unsigned i = 0; i < BHP_WORDS; i++)
		if (w[i])
			return true;
	return false;
}

/* names[] of one ABI's bitmap, sorted by number; *first tracks the comma. Unknown numbers as "nr:N"
 * would not load: they are skipped (and listed in the summary). */
static void names_json(FILE *out, const __u64 *w, bool compat, bool *first, const __u64 *skip)
{
	for (unsigned nr = 0; nr < BHP_NR_BITS; nr++) {
		const char *n = bhp_syscall_name(compat, nr);
		if (!bit(w, nr) || !n)
			continue;
		/* a 32-bit call whose name the native list has already allows it on both ABIs */
		int native = skip ? bhp_syscall_nr(false, n) : -1;
		if (native >= 0 && native < BHP_NR_BITS && bit(skip, (unsigned)native))
			continue;
		fputs(*first ? "" : ",", out);
		bh_json_str(out, n);
		*first = false;
	}
}

int bhp_write_seccomp(FILE *out, const struct bhp_profile *p)
{
	__u64 w[BHP_WORDS];
	memcpy(w, p->st.sys64, sizeof(w));
	for (int i = 0; bhp_init_syscalls[i]; i++) {
		int nr = bhp_syscall_nr(false, bhp_init_syscalls[i]);
		if (nr >= 0)
			w[nr / 64] |= 1ull << (nr % 64);
	}
	bool compat = any(p->st.sys32), first = true;
	/* libseccomp resolves each name per listed architecture; an architecture not listed is refused
	 * outright, so the 32-bit ABI is listed only when the container was seen using it */
	fprintf(out, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"%s],"
		     "\"syscalls\":[{\"names\":[",
		compat ? ",\"SCMP_ARCH_X86\"" : "");
	names_json(out, w, false, &first, NULL);
	if (compat)
		names_json(out, p->st.sys32, true, &first, w);
	fputs("],\"action\":\"SCMP_ACT_ALLOW\"}]}\n", out);
	return ferror(out) ? -EIO : 0;
}

static void list_syscalls_json(FILE *out, const __u64 *w, bool compat)
{
	bool first = true;
	fputc('[', out);
	for (unsigned nr = 0; nr < BHP_NR_BITS; nr++) {
		if (!bit(w, nr))
			continue;
		const char *n = bhp_syscall_name(compat, nr);
		fprintf(out, "%s{\"nr\":%u,\"name\":", first ? "" : ",", nr);
		bh_json_str(out, n);
		fputc('}', out);
		first = false;
	}
	fputc(']', out);
}

static void caps_json(FILE *out, uint64_t m)
{
	bool first = true;
	fputc('[', out);
	for (unsigned c = 0; c < 64; c++)
		if ((m >> c) & 1) {
			const char *n = bhp_cap_name(c);
			fputs(first ? "" : ",", out);
			if (n)
				bh_json_str(out, n);
			else
				fprintf(out, "\"%u\"", c);
			first = false;
		}
	fputc(']', out);
}

static void summary_json(FILE *out, const struct bhp_profile *p)
{
	const struct bhp_state *s = &p->st;
	fputs("{\"profile\":{\"target\":", out);
	bh_json_str(out, p->target);
	fputs(",\"cgroup\":", out);
	bh_json_str(out, p->cgroup);
	fprintf(out, ",\"cgroup_id\":%llu,\"duration\":%.1f,\"complete\":%s,\"preexisting_tasks\":%u,"
		     "\"seccomp\":{\"file\":",
		(unsigned long long)p->cgroup_id, p->duration, p->preexisting ? "false" : "true", p->preexisting);
	bh_json_str(out, p->out);
	fputs(",\"localhostProfile\":", out);
	bh_json_str(out, p->name);
	fputs(",\"added\":[", out);
	for (int i = 0, n = 0; bhp_init_syscalls[i]; i++) {
		int nr = bhp_syscall_nr(false, bhp_init_syscalls[i]);
		if (nr >= 0 && !bit(p->st.sys64, (unsigned)nr)) /* the ones the recording did not see itself */
			fprintf(out, "%s\"%s\"", n++ ? "," : "", bhp_init_syscalls[i]);
	}
	fputs("]},\"syscalls\":", out);
	list_syscalls_json(out, s->sys64, false);
	fputs(",\"syscalls_compat\":", out);
	list_syscalls_json(out, s->sys32, true);
	fputs(",\"capabilities\":{\"add\":", out);
	caps_json(out, s->cap_granted);
	fputs(",\"checked\":", out);
	caps_json(out, s->cap_checked);
	fputs(",\"denied\":", out);
	caps_json(out, s->cap_denied);
	fprintf(out, "},\"counts\":{\"syscalls\":%llu,\"unarmed\":%llu,\"out_of_range\":%llu,\"x32\":%llu,"
		     "\"tasks_full\":%llu}}}\n",
		(unsigned long long)s->syscalls, (unsigned long long)s->unarmed, (unsigned long long)s->out_of_range,
		(unsigned long long)s->x32, (unsigned long long)s->tasks_full);
}

static void names_text(FILE *out, const __u64 *w, bool compat)
{
	int n = 0;
	for (unsigned nr = 0; nr < BHP_NR_BITS; nr++)
		if (bit(w, nr)) {
			const char *s = bhp_syscall_name(compat, nr);
			fprintf(out, "%s%s", n++ % 8 ? " " : "\n  ", s ? s : "?");
			if (!s)
				fprintf(out, "(%u)", nr);
		}
	fputs(n ? "\n" : " none\n", out);
}

static void caps_text(FILE *out, const char *label, uint64_t m)
{
	fprintf(out, "%s:", label);
	int n = 0;
	for (unsigned c = 0; c < 64; c++)
		if ((m >> c) & 1) {
			const char *s = bhp_cap_name(c);
			fprintf(out, " %s", s ? s : "?"), n++;
		}
	fputs(n ? "\n" : " none\n", out);
}

void bhp_write_summary(FILE *out, const struct bhp_profile *p, bool json)
{
	if (json) {
		summary_json(out, p);
		return;
	}
	const struct bhp_state *s = &p->st;
	fprintf(out, "profile of %s (cgroup %s, id %llu), %.1f s, %llu syscalls seen\n", p->target,
		p->cgroup[0] ? p->cgroup : "?", (unsigned long long)p->cgroup_id, p->duration,
		(unsigned long long)s->syscalls);
	if (p->preexisting)
		fprintf(out, "note: %u container tasks were already running: their start-up was not recorded; "
			     "start `watch --profile` before the container for a complete profile\n", p->preexisting);
	fputs("syscalls (x86_64):", out);
	names_text(out, s->sys64, false);
	if (any(s->sys32)) {
		fputs("syscalls (32-bit compat):", out);
		names_text(out, s->sys32, true);
	}
	caps_text(out, "capabilities used (capabilities.add)", s->cap_granted);
	caps_text(out, "capabilities checked but not held", s->cap_denied & ~s->cap_granted);
	if (s->out_of_range)
		fprintf(out, "not recorded: %llu calls with numbers outside the table (%llu x32 ABI)\n",
			(unsigned long long)s->out_of_range, (unsigned long long)s->x32);
	if (p->out)
		fprintf(out, "seccomp profile: %s (install as <kubelet root>/seccomp/%s; localhostProfile: %s)\n",
			p->out, p->name ? p->name : "NAME", p->name ? p->name : "NAME");
}
