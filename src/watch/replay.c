/* Replay and synthetic event sources, the recorder, and event validation. No privileges needed: this is
 * how the detection rules are tested. A recorded file is untrusted input: its size, event count, layout
 * version and every string are checked before an event reaches the rules. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"

static const char *const type_names[BHW_EV_MAX] = {
	[BHW_EV_NONE] = "none",         [BHW_EV_EXEC] = "exec",
	[BHW_EV_EXIT] = "exit",         [BHW_EV_MOUNT] = "mount",
	[BHW_EV_UMOUNT] = "umount",     [BHW_EV_FSOPEN] = "fsopen",
	[BHW_EV_FSMOUNT] = "fsmount",   [BHW_EV_MOVE_MOUNT] = "move_mount",
	[BHW_EV_SETNS] = "setns",       [BHW_EV_UNSHARE] = "unshare",
	[BHW_EV_PTRACE] = "ptrace",     [BHW_EV_MODULE] = "module_load",
	[BHW_EV_BPF] = "bpf_prog_load", [BHW_EV_OPEN_WRITE] = "open",
	[BHW_EV_CONNECT] = "connect",   [BHW_EV_PIVOT_ROOT] = "pivot_root",
	[BHW_EV_CHROOT] = "chroot",     [BHW_EV_USERFAULTFD] = "userfaultfd",
	[BHW_EV_OPEN_BY_HANDLE] = "open_by_handle_at",
	[BHW_EV_MOUNT_PARAM] = "mount_param", [BHW_EV_SB_MOUNT] = "sb_mount",
	[BHW_EV_PROC_ACCESS] = "proc_access", [BHW_EV_MMAP_EXEC] = "mmap_exec",
	[BHW_EV_USERNS] = "userns_create",    [BHW_EV_URING] = "io_uring",
	[BHW_EV_KEYRING] = "keyring",         [BHW_EV_API_CONNECT] = "api_connect",
	[BHW_EV_SPLICE] = "splice",
};

const char *bhw_type_name(unsigned type)
{
	return type < BHW_EV_MAX && type_names[type] ? type_names[type] : "unknown";
}

const char *bhw_ns_name(unsigned ns)
{
	static const char *const n[BHW_NS_MAX] = {"mnt", "pid", "net", "uts", "ipc", "user", "cgroup"};
	return ns < BHW_NS_MAX ? n[ns] : "?";
}

int bhw_event_sanitize(struct bhw_event *ev)
{
	if (ev->type == BHW_EV_NONE || ev->type >= BHW_EV_MAX || ev->version != BHW_EVENT_VERSION)
		return -EINVAL;
	ev->comm[BHW_COMM - 1] = 0;
	for (int i = 0; i < BHW_CHAIN; i++)
		ev->chain[i].comm[BHW_COMM - 1] = 0;
	for (int i = 0; i < 2; i++)
		ev->cgroup[i][BHW_CGNAME - 1] = 0;
	if (ev->type == BHW_EV_OPEN_WRITE) {
		char(*comp)[BHW_COMP_LEN] = (void *)ev->s;
		for (int i = 0; i < BHW_PATH_COMPS; i++)
			comp[i][BHW_COMP_LEN - 1] = 0;
	}
	for (int i = 0; i < 3; i++)
		ev->s[i][BHW_STR - 1] = 0;
	if (ev->a[0] >= BHW_STR && ev->type == BHW_EV_EXEC)
		ev->a[0] = BHW_STR - 1;
	return 0;
}

int64_t bhw_mono_to_real(void)
{
	struct timespec m, r;
	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000LL + ((int64_t)r.tv_nsec - m.tv_nsec);
}

int bhw_host_ns(uint32_t ns[BHW_NS_MAX], struct bh_err *err)
{
	/* init's namespaces are the host's; where /proc/1/ns cannot be read (a sandbox whose init is not
	 * dumpable), the sensor's own namespaces stand in: it must then run in the host's namespaces */
	static const char *const who[] = {"1", "self"};
	int rc = 0;
	for (int w = 0; w < 2; w++) {
		rc = 0;
		for (unsigned i = 0; i < BHW_NS_MAX; i++) {
			char p[64];
			struct stat st;
			snprintf(p, sizeof(p), "/proc/%s/ns/%s", who[w], bhw_ns_name(i));
			if (stat(p, &st) < 0) {
				ns[i] = 0;
				if (i <= BHW_NS_PID)
					rc = bh_err_set(err, -errno, 0, 0, "cannot read %s: %s", p, strerror(errno));
				continue;
			}
			ns[i] = (uint32_t)st.st_ino;
		}
		if (rc == 0)
			return 0;
	}
	return rc;
}

/* ---- synthetic: an array of events in memory (tests) ---- */

struct bhw_source {
	struct bhw_event *ev; /* owned copy */
	size_t n, next;
	struct bhw_stats st;
	uint32_t host_ns[BHW_NS_MAX];
	int64_t mono_to_real;
};

static int mem_open_copy(struct bhw_source **out, const void *buf, size_t n, struct bh_err *err)
{
	struct bhw_source *s = calloc(1, sizeof(*s));
	if (!s)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	if (n) {
		s->ev = malloc(n * sizeof(struct bhw_event));
		if (!s->ev) {
			free(s);
			return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		}
		memcpy(s->ev, buf, n * sizeof(struct bhw_event));
	}
	s->n = n;
	*out = s;
	return 0;
}

static int syn_open(struct bhw_source **out, const struct bhw_source_opts *o, struct bh_err *err)
{
	if (o->nbuf > BHW_REPLAY_MAX_EVENTS)
		return bh_err_set(err, -E2BIG, 0, 0, "too many events (%zu, limit %u)", o->nbuf,
				  BHW_REPLAY_MAX_EVENTS);
	return mem_open_copy(out, o->buf, o->nbuf, err);
}

static int mem_poll(struct bhw_source *s, int timeout_ms, bhw_event_cb cb, void *ctx)
{
	int n = 0;
	(void)timeout_ms;
	if (s->next >= s->n)
		return -ENODATA;
	while (s->next < s->n && n < 4096) {
		struct bhw_event *ev = &s->ev[s->next++];
		if (bhw_event_sanitize(ev) < 0) {
			s->st.invalid++;
			continue;
		}
		s->st.received++;
		n++;
		if (cb(ctx, ev))
			break;
	}
	return n;
}

static void mem_stats(struct bhw_source *s, struct bhw_stats *st)
{
	*st = s->st;
}

static void mem_origin(struct bhw_source *s, uint32_t host_ns[BHW_NS_MAX], int64_t *off)
{
	memcpy(host_ns, s->host_ns, sizeof(s->host_ns));
	*off = s->mono_to_real;
}

static void mem_close(struct bhw_source *s)
{
	if (!s)
		return;
	free(s->ev);
	free(s);
}

const struct bhw_engine bhw_engine_synthetic = {
	.name = "synthetic", .open = syn_open, .poll = mem_poll, .stats = mem_stats,
	.origin = mem_origin, .close = mem_close,
};

/* ---- replay: a file written by the recorder ---- */

static int replay_open(struct bhw_source **out, const struct bhw_source_opts *o, struct bh_err *err)
{
	FILE *f = fopen(o->path, "rb");
	if (!f)
		return bh_err_set(err, -errno, 0, 0, "%s: %s", o->path, strerror(errno));
	int rc;
	struct stat st;
	struct bhw_rec_header h;
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = bh_err_set(err, -EINVAL, 0, 0, "%s: not a regular file", o->path);
		goto close_file;
	}
	if ((uint64_t)st.st_size > BHW_REPLAY_MAX_BYTES) {
		rc = bh_err_set(err, -EFBIG, 0, 0, "%s: file is larger than %u bytes", o->path,
				BHW_REPLAY_MAX_BYTES);
		goto close_file;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, BHW_REC_MAGIC, 8)) {
		rc = bh_err_set(err, -EINVAL, 0, 0, "%s: not a bulkhead watch recording", o->path);
		goto close_file;
	}
	if (h.version != BHW_EVENT_VERSION || h.event_size != sizeof(struct bhw_event)) {
		rc = bh_err_set(err, -EINVAL, 0, 0, "%s: recording version %u (event size %u), expected %u (%zu)",
				o->path, h.version, h.event_size, BHW_EVENT_VERSION, sizeof(struct bhw_event));
		goto close_file;
	}
	uint64_t body = (uint64_t)st.st_size - sizeof(h);
	if (body % sizeof(struct bhw_event)) {
		rc = bh_err_set(err, -EINVAL, 0, 0, "%s: truncated recording (%llu trailing bytes)", o->path,
				(unsigned long long)(body % sizeof(struct bhw_event)));
		goto close_file;
	}
	size_t n = body / sizeof(struct bhw_event);
	if (n > BHW_REPLAY_MAX_EVENTS) {
		rc = bh_err_set(err, -E2BIG, 0, 0, "%s: %zu events, limit %u", o->path, n, BHW_REPLAY_MAX_EVENTS);
		goto close_file;
	}
	struct bhw_source *s = calloc(1, sizeof(*s));
	if (!s) {
		rc = bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		goto close_file;
	}
	if (n) {
		s->ev = malloc(n * sizeof(struct bhw_event));
		if (!s->ev || fread(s->ev, sizeof(struct bhw_event), n, f) != n) {
			rc = bh_err_set(err, s->ev ? -EIO : -ENOMEM, 0, 0, "%s: cannot read events", o->path);
			mem_close(s);
			goto close_file;
		}
	}
	s->n = n;
	memcpy(s->host_ns, h.host_ns, sizeof(s->host_ns));
	s->mono_to_real = h.mono_to_real_ns;
	*out = s;
	rc = 0;
close_file:
	fclose(f);
	return rc;
}

const struct bhw_engine bhw_engine_replay = {
	.name = "replay", .open = replay_open, .poll = mem_poll, .stats = mem_stats,
	.origin = mem_origin, .close = mem_close,
};

/* ---- recorder ---- */

struct bhw_recorder {
	FILE *f;
	int error;
};

struct bhw_recorder *bhw_recorder_open(const char *path, const uint32_t host_ns[BHW_NS_MAX],
				       int64_t mono_to_real_ns, struct bh_err *err)
{
	struct bhw_recorder *r = calloc(1, sizeof(*r));
	if (!r) {
		bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	r->f = fopen(path, "wb");
	if (!r->f) {
		int e = errno;
		bh_err_set(err, -e, 0, 0, "%s: %s", path, strerror(e));
		free(r);
		errno = e;
		return NULL;
	}
	struct bhw_rec_header h = {.version = BHW_EVENT_VERSION, .event_size = sizeof(struct bhw_event),
				   .mono_to_real_ns = mono_to_real_ns};
	memcpy(h.magic, BHW_REC_MAGIC, 8);
	memcpy(h.host_ns, host_ns, sizeof(h.host_ns));
	/* flushed at once: a non-empty recording tells a waiting script that the sensor is attached */
	if (fwrite(&h, sizeof(h), 1, r->f) != 1 || fflush(r->f) != 0)
		r->error = -EIO;
	return r;
}

int bhw_recorder_write(struct bhw_recorder *r, const struct bhw_event *ev)
{
	if (!r || r->error)
		return r ? r->error : -EINVAL;
	if (fwrite(ev, sizeof(*ev), 1, r->f) != 1)
		r->error = -EIO;
	return r->error;
}

int bhw_recorder_close(struct bhw_recorder *r)
{
	if (!r)
		return 0;
	int rc = r->error;
	if (fclose(r->f) != 0 && !rc)
		rc = -EIO;
	free(r);
	return rc;
}
