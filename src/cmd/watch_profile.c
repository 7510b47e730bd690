/* bulkhead watch --profile TARGET: record the syscalls and capabilities one container uses, then write the
 * seccomp profile (--profile-out) and the summary (stdout or --output; JSON with --format json). No alert
 * rules run in this mode: the profiler is its own BPF object (src/watch/profile.bpf.c), and running the
 * sensor beside it is what `bulkhead watch` without --profile is for. */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "watch/profiler.h"
#include "watch_profile.h"

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits for the target's cgroup (it may be created after we start), then records until the end. */
static int record(const struct bh_watch_profile_opts *o, struct bhp_live *l, struct bhp_profile *p, int json)
{
	struct bh_err err = {0};
	double t0 = now_s(), armed_at = 0;
	int rc = -ENOENT, tries = 0;
	while (!*o->stop && (o->duration <= 0 || now_s() - t0 < o->duration)) {
		if (rc == -ENOENT) {
			rc = bhp_resolve(o->target, p->cgroup, sizeof(p->cgroup), &p->cgroup_id, &err);
			if (rc == 0 && (rc = bhp_live_target(l, p, tries == 0, &err)) == 0)
				armed_at = now_s();
			else if (rc != -ENOENT)
				return bh_cli_error("watch", json, "--profile %s: %s", o->target,
						    err.msg[0] ? err.msg : strerror(-rc));
			tries++;
		}
		usleep(rc == 0 ? 100000 : 50000); /* the kernel keeps a pending target's calls */
	}
	if (rc == -ENOENT)
		return bh_cli_error("watch", json, "--profile %s: no such container, cgroup or process appeared",
				    o->target);
	p->duration = now_s() - armed_at;
	if (bhp_live_read(l, p, &err) < 0)
		return bh_cli_error("watch", json, "%s", err.msg);
	return 0;
}

static int write_outputs(const struct bh_watch_profile_opts *o, struct bhp_profile *p, int json)
{
	if (o->out) {
		FILE *f = fopen(o->out, "w");
		if (!f)
			return bh_cli_error("watch", json, "%s: %s", o->out, strerror(errno));
		int rc = bhp_write_seccomp(f, p);
		if (fclose(f) != 0 || rc < 0)
			return bh_cli_error("watch", json, "%s: write error", o->out);
	}
	FILE *out = stdout;
	if (o->output && !(out = fopen(o->output, "w")))
		return bh_cli_error("watch", json, "%s: %s", o->output, strerror(errno));
	bhp_write_summary(out, p, o->json);
	if (out != stdout && fclose(out) != 0)
		return bh_cli_error("watch", json, "%s: write error", o->output);
	fflush(stdout);
	return 0;
}

int bh_watch_profile(const struct bh_watch_profile_opts *o, int json)
{
	if (!o->live)
		return bh_cli_error("watch", json, "--profile loads an eBPF profiler: it needs root (CAP_BPF and "
				    "CAP_PERFMON, or CAP_SYS_ADMIN)");
	struct bhp_profile *p = calloc(1, sizeof(*p));
	char name[300];
	if (!p)
		return bh_cli_error("watch", json, "out of memory");
	snprintf(p->target, sizeof(p->target), "%s", o->target);
	p->out = o->out;
	p->name = o->name;
	if (!p->name && o->out) {
		char *dup = strdup(o->out);
		snprintf(name, sizeof(name), "bulkhead/%s", dup ? basename(dup) : "profile.json");
		free(dup);
		p->name = name;
	}
	struct bh_err err = {0};
	struct bhp_live *l = NULL;
	int rc = 2;
	if (bhp_live_open(&l, &err) < 0)
		bh_cli_error("watch", json, "%s", err.msg);
	else if (!o->json)
		fprintf(stderr, "bulkhead watch: profiling %s%s (SIGINT: stop and write the profile)\n", o->target,
			o->duration > 0 ? "" : " until SIGINT");
	if (l && record(o, l, p, json) == 0 && write_outputs(o, p, json) == 0)
		rc = 0;
	bhp_live_close(l);
	free(p);
	return rc;
}
