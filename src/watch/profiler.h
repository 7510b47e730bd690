/* watch --profile: record which syscalls and capabilities one container uses (profile.bpf.c), and write
 * the evidence as a seccomp profile (the kubelet's Localhost format) and a summary (text or JSON) that
 * `bulkhead fix --profile` reads. Library code: errors go to struct bh_err, nothing is printed here. */
#ifndef BH_WATCH_PROFILER_H
#define BH_WATCH_PROFILER_H
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/err.h"
#include "profile.h"

struct bhp_profile {
	struct bhp_state st;
	char target[256];    /* as given: cgroup path, container id prefix or pid */
	char cgroup[512];    /* the cgroup v2 path it resolved to ("" while it does not exist yet) */
	uint64_t cgroup_id;
	double duration;     /* seconds recorded */
	uint32_t preexisting; /* container tasks already running at start (armed from /proc): the recording
				 missed their start-up */
	const char *name;    /* localhostProfile written by fix --profile ("bulkhead/NAME.json") */
	const char *out;     /* the seccomp profile file written, or NULL */
};

/* Syscall name by number for the native (compat false) or the 32-bit ABI; NULL when unknown. */
const char *bhp_syscall_name(bool compat, unsigned nr);
/* Number by name, -1 when unknown. */
int bhp_syscall_nr(bool compat, const char *name);
/* Capability name without CAP_ ("SYS_ADMIN"); NULL when unknown. */
const char *bhp_cap_name(unsigned cap);
/* Syscalls always allowed although the recording cannot see them (see profile_out.c). */
extern const char *const bhp_init_syscalls[];

/* The seccomp profile (JSON, kubelet Localhost / OCI LinuxSeccomp shape). 0 or -errno. */
int bhp_write_seccomp(FILE *out, const struct bhp_profile *p);
/* The summary: text for people, or one JSON object (docs/schema/watch-profile.schema.json). */
void bhp_write_summary(FILE *out, const struct bhp_profile *p, bool json);

/* Target resolution: a cgroup v2 path (/sys/fs/cgroup/...), a pid, or a container id prefix (the leaf
 * directory name of a cgroup, with runtime prefixes such as "cri-containerd-" or "docker-" removed).
 * 0 with path and id set; -ENOENT when nothing matches (yet); -EEXIST when a prefix matches several;
 * other -errno with err filled. root: the cgroup v2 mount ("" = find it in /proc/self/mountinfo). */
int bhp_resolve(const char *target, char *path, size_t len, uint64_t *id, struct bh_err *err);

/* The live recorder (needs root and BPF). */
struct bhp_live;
int bhp_live_open(struct bhp_live **out, struct bh_err *err);
/* Sets the target cgroup; existed: it was there when the recording started, so the container processes
 * already running in it are armed from /proc (a cgroup that appeared later is armed by its exec). */
int bhp_live_target(struct bhp_live *l, struct bhp_profile *p, bool existed, struct bh_err *err);
/* Copies the recorded state into p->st. */
int bhp_live_read(struct bhp_live *l, struct bhp_profile *p, struct bh_err *err);
void bhp_live_close(struct bhp_live *l);

#endif
