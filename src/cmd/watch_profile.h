/* bulkhead watch --profile: the command side (src/cmd/watch_profile.c). */
#ifndef BH_CMD_WATCH_PROFILE_H
#define BH_CMD_WATCH_PROFILE_H
#include <signal.h>
#include <stdbool.h>

struct bh_watch_profile_opts {
	const char *target, *out, *name, *output;
	double duration;                 /* 0: until SIGINT/SIGTERM */
	bool json;                       /* --format json */
	volatile sig_atomic_t *stop;     /* set by the signal handlers */
	bool live;                       /* the process may load BPF */
};

int bh_watch_profile(const struct bh_watch_profile_opts *o, int json);

#endif
