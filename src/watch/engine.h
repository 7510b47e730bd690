/* Event sources for `bulkhead watch`, behind one table of functions (libscap's engines): the live BPF sensor,
 * replay of a recorded file, and an in-memory synthetic source for tests. Only the live engine needs
 * privileges; the detector (detect.h) cannot tell the sources apart. */
#ifndef BH_WATCH_ENGINE_H
#define BH_WATCH_ENGINE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../util/err.h"
#include "watch.h"

/* Limits on untrusted input (recorded files): a file larger or longer than this is refused. */
#define BHW_REPLAY_MAX_BYTES (256u << 20)
#define BHW_REPLAY_MAX_EVENTS 1000000u
#define BHW_REC_MAGIC "BHWATCH\0"

/* Recorded file: this header, then n records of event_size bytes (native byte order). */
struct bhw_rec_header {
	char magic[8];
	uint32_t version;     /* BHW_EVENT_VERSION */
	uint32_t event_size;  /* sizeof(struct bhw_event) */
	uint32_t host_ns[BHW_NS_MAX];
	uint32_t reserved;
	int64_t mono_to_real_ns; /* add to ts_ns for wall-clock time */
};

struct bhw_stats {
	uint64_t k[BHW_C_MAX]; /* kernel counters (live engine), zero otherwise */
	uint64_t received;     /* events handed to the callback */
	uint64_t invalid;      /* events refused by validation */
};

/* Which kernel hooks the live engine uses (watch --hooks; auto probes in this order): BPF LSM programs, fentry
 * on the kernel's security_* functions, or syscall tracepoints only. */
enum bhw_hook_mode { BHW_HOOKS_AUTO, BHW_HOOKS_LSM, BHW_HOOKS_FENTRY, BHW_HOOKS_TP };

#define BHW_EXTRA_MAX 16
struct bhw_path_class {
	unsigned cls;     /* enum bhw_sens */
	const char *path; /* a host path */
};

#define BHW_STATUS_PROGS 64
struct bhw_hook_status {
	const char *mode;              /* "lsm", "fentry", "tracepoint", or the engine's name */
	int lsm_listed;                /* 1: "bpf" is an active LSM, 0: not, -1: unknown (securityfs unreadable) */
	char lsm_list[160];
	char tried[3][200];            /* modes that failed before this one, with the reason */
	int ntried;
	const char *attach[BHW_STATUS_PROGS]; /* attach points of the loaded programs */
	unsigned type[BHW_STATUS_PROGS];      /* and the event type each produces */
	int nprogs;
	int sensitive;                 /* sensitive host files/directories found (by inode) */
	int runtime_sockets;           /* runtime sockets found on the host (by inode) */
};

struct bhw_source_opts {
	const char *path;             /* replay: file; live: unused */
	const void *buf;              /* synthetic: an array of events */
	size_t nbuf;                  /*   and its count */
	bool include_host;            /* live: do not drop host-namespace events in the kernel */
	unsigned ringbuf_mb;          /* live: ring buffer size, power of two (default 8) */
	bool need[BHW_EV_MAX];        /* live: event types the rules need; others are not traced */
	enum bhw_hook_mode hooks;     /* live: hook flavour (default auto) */
	struct bhw_path_class extra[BHW_EXTRA_MAX]; /* live: more sensitive host paths / runtime sockets */
	size_t nextra;
};

/* Returns 0 to go on, non-zero to stop polling. ev is valid during the call only. */
typedef int (*bhw_event_cb)(void *ctx, const struct bhw_event *ev);

struct bhw_source;

struct bhw_engine {
	const char *name;
	int (*open)(struct bhw_source **out, const struct bhw_source_opts *o, struct bh_err *err);
	/* Delivers events until timeout_ms has passed or the callback stops it. Returns the number delivered,
	 * -ENODATA at the end of a finite source, or a negative errno. */
	int (*poll)(struct bhw_source *s, int timeout_ms, bhw_event_cb cb, void *ctx);
	void (*stats)(struct bhw_source *s, struct bhw_stats *st);
	/* Host namespace inodes and monotonic->wall-clock offset of the events' origin. */
	void (*origin)(struct bhw_source *s, uint32_t host_ns[BHW_NS_MAX], int64_t *mono_to_real_ns);
	void (*close)(struct bhw_source *s);
	/* Which hooks are active (NULL for engines without kernel hooks). */
	void (*status)(struct bhw_source *s, struct bhw_hook_status *st);
};

extern const struct bhw_engine bhw_engine_live;
extern const struct bhw_engine bhw_engine_replay;
extern const struct bhw_engine bhw_engine_synthetic;

/* Validates one untrusted event in place: known type and version, every string NUL-terminated. 0 or
 * -EINVAL. Used by replay and synthetic; the live engine trusts its own kernel program less strictly
 * (strings are still terminated). */
int bhw_event_sanitize(struct bhw_event *ev);

/* Reads the host's namespace inodes from /proc/1/ns (the sensor must run in the host PID namespace). */
int bhw_host_ns(uint32_t ns[BHW_NS_MAX], struct bh_err *err);
int64_t bhw_mono_to_real(void);

/* Recorder: --record FILE */
struct bhw_recorder;
struct bhw_recorder *bhw_recorder_open(const char *path, const uint32_t host_ns[BHW_NS_MAX],
				       int64_t mono_to_real_ns, struct bh_err *err);
int bhw_recorder_write(struct bhw_recorder *r, const struct bhw_event *ev);
int bhw_recorder_close(struct bhw_recorder *r); /* flushes; 0 or negative errno; accepts NULL */

/* Names for events ("exec", "open_write", …) and namespaces ("mnt", …). */
const char *bhw_type_name(unsigned type);
const char *bhw_ns_name(unsigned ns);

#endif
