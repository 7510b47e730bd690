/* watch --profile: the container to profile, resolved to a cgroup v2 id in user space (the kernel side
 * filters on bpf_get_current_cgroup_id()), and the live recorder around profile.bpf.c. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "profile.skel.h"
#include "profiler.h"

#define CGROUP2_MAGIC 0x63677270 /* linux/magic.h CGROUP2_SUPER_MAGIC */
#define WALK_MAX 200000          /* directories visited looking for a container id */

/* Where cgroup v2 is mounted: /sys/fs/cgroup (unified) or /sys/fs/cgroup/unified (hybrid). */
static int cgroup2_root(char *root, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	if (!f)
		return -errno;
	char line[1024];
	int rc = -ENOENT;
	while (rc && fgets(line, sizeof(line), f)) {
		char *sep = strstr(line, " - cgroup2 ");
		char mp[512];
		if (sep && sscanf(line, "%*s %*s %*s %*s %511s", mp) == 1 && strlen(mp) < len) {
			strcpy(root, mp);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

static int dir_id(const char *path, uint64_t *id)
{
	struct stat st;
	struct statfs sf;
	if (stat(path, &st) < 0 || statfs(path, &sf) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || sf.f_type != CGROUP2_MAGIC)
		return -ENOTDIR;
	*id = st.st_ino; /* kernfs: a cgroup's id is its directory's inode number */
	return 0;
}

/* The container id inside a cgroup directory name: "cri-containerd-ID.scope", "docker-ID.scope",
 * "crio-ID.scope", "libpod-ID.scope", or the plain ID (cgroupfs driver, runc's default). */
static bool name_matches(const char *name, const char *prefix)
{
	static const char *const pre[] = {"cri-containerd-", "docker-", "crio-", "libpod-", "containerd-"};
	for (size_t i = 0; i < sizeof(pre) / sizeof(*pre); i++)
		if (!strncmp(name, pre[i], strlen(pre[i]))) {
			name += strlen(pre[i]);
			break;
		}
	return !strncmp(name, prefix, strlen(prefix));
}

struct walk {
	const char *prefix;
	char found[512];
	int matches, visited;
};

static void walk_dir(struct walk *w, const char *path, int depth)
{
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) && w->visited < WALK_MAX) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		char sub[1024];
		if (snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name) >= (int)sizeof(sub))
			continue;
		w->visited++;
		size_t fl = strlen(w->found);
		bool inside = w->matches && !strncmp(sub, w->found, fl) && sub[fl] == '/'; /* its own sub-cgroups */
		if (!inside && name_matches(de->d_name, w->prefix) && !w->matches++)
			snprintf(w->found, sizeof(w->found), "%s", sub);
		if (depth < 8)
			walk_dir(w, sub, depth + 1);
	}
	closedir(d);
}

/* /proc/PID/cgroup's "0::PATH" line */
static int pid_cgroup(const char *pid, char *rel, size_t len)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%s/cgroup", pid);
	FILE *f = fopen(p, "r");
	if (!f)
		return -errno;
	char line[1024];
	int rc = -ENOENT;
	while (rc && fgets(line, sizeof(line), f))
		if (!strncmp(line, "0::", 3)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(rel, len, "%s", line + 3);
			rc = 0;
		}
	fclose(f);
	return rc;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int bhp_resolve(const char *target, char *path, size_t len, uint64_t *id, struct bh_err *err)
{
	char root[512], rel[512];
	int rc = cgroup2_root(root, sizeof(root));
	if (rc < 0)
		return bh_err_set(err, rc, 0, 0, "no cgroup v2 hierarchy is mounted (needed to follow a container "
				  "in the kernel: bpf_get_current_cgroup_id)");
	if (target[0] == '/') {
		/* a directory (a cgroup v1 one is refused below), or a path relative to the cgroup v2 mount
		 * ("/kubepods/...", as /proc/PID/cgroup says) */
		struct stat st;
		if (!strncmp(target, root, strlen(root)) || (stat(target, &st) == 0 && S_ISDIR(st.st_mode)))
			snprintf(path, len, "%s", target);
		else
			snprintf(path, len, "%s%s", root, target);
	} else if (all_digits(target) && pid_cgroup(target, rel, sizeof(rel)) == 0) {
		snprintf(path, len, "%s%s", root, strcmp(rel, "/") ? rel : "");
		if (!strcmp(rel, "/"))
			return bh_err_set(err, -EINVAL, 0, 0, "pid %s is in the root cgroup: not a container", target);
	} else {
		struct walk w = {.prefix = target};
		if (strlen(target) < 4)
			return bh_err_set(err, -EINVAL, 0, 0, "container id prefix '%s' is too short (4+ characters)",
					  target);
		walk_dir(&w, root, 0);
		if (w.matches > 1)
			return bh_err_set(err, -EEXIST, 0, 0, "container id prefix '%s' matches several cgroups (one is %s)",
					  target, w.found);
		if (!w.matches)
			return -ENOENT;
		snprintf(path, len, "%s", w.found);
	}
	rc = dir_id(path, id);
	if (rc == -ENOTDIR)
		return bh_err_set(err, rc, 0, 0, "%s is not a cgroup v2 directory", path);
	return rc;
}

struct bhp_live {
	struct profile_bpf *skel;
	uint32_t host_mnt;
};

static uint32_t mnt_ino(const char *pid)
{
	char p[64];
	struct stat st;
	snprintf(p, sizeof(p), "/proc/%s/ns/mnt", pid);
	return stat(p, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

int bhp_live_open(struct bhp_live **out, struct bh_err *err)
{
	struct bhp_live *l = calloc(1, sizeof(*l));
	if (!l)
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	l->host_mnt = mnt_ino("1");
	if (!l->host_mnt)
		l->host_mnt = mnt_ino("self");
	int rc;
	if (!(l->skel = profile_bpf__open())) {
		rc = bh_err_set(err, -errno, 0, 0, "cannot open the profiler's BPF object: %s", strerror(errno));
		goto fail;
	}
	l->skel->rodata->host_mnt = l->host_mnt;
	if (profile_bpf__load(l->skel)) {
		rc = bh_err_set(err, -errno, 0, 0, "cannot load the profiler's BPF programs: %s", strerror(errno));
		goto fail;
	}
	if (profile_bpf__attach(l->skel)) {
		rc = bh_err_set(err, -errno, 0, 0, "cannot attach the profiler's BPF programs: %s", strerror(errno));
		goto fail;
	}
	*out = l;
	return 0;
fail:
	bhp_live_close(l);
	return rc;
}

/* Arms the threads of the processes already in the cgroup that run inside the container (their mount
 * namespace is not the host's); returns how many processes. */
static uint32_t arm_running(struct bhp_live *l, const char *rel)
{
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	int fd = bpf_map__fd(l->skel->maps.armed);
	uint32_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char cg[512], p[300];
		if (!all_digits(de->d_name) || pid_cgroup(de->d_name, cg, sizeof(cg)) || strcmp(cg, rel) ||
		    mnt_ino(de->d_name) == l->host_mnt)
			continue;
		snprintf(p, sizeof(p), "/proc/%s/task", de->d_name);
		DIR *td = opendir(p);
		struct dirent *te;
		while (td && (te = readdir(td))) {
			uint32_t tid = (uint32_t)strtoul(te->d_name, NULL, 10);
			uint8_t one = 1;
			if (tid)
				bpf_map_update_elem(fd, &tid, &one, BPF_ANY);
		}
		if (td)
			closedir(td);
		n++;
	}
	closedir(d);
	return n;
}

int bhp_live_target(struct bhp_live *l, struct bhp_profile *p, bool existed, struct bh_err *err)
{
	char root[512];
	uint32_t z = 0;
	struct bhp_cfg c = {.cgroup_id = p->cgroup_id};
	if (cgroup2_root(root, sizeof(root)) < 0 || strncmp(p->cgroup, root, strlen(root)))
		return bh_err_set(err, -EINVAL, 0, 0, "%s is not under the cgroup v2 mount", p->cgroup);
	const char *rel = p->cgroup + strlen(root);
	/* tasks first, then the target: nothing of a running container is counted as "unarmed". A cgroup
	 * that appeared while we waited holds the runtime's init before its exec: the exec arms it */
	p->preexisting = existed ? arm_running(l, rel) : 0;
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.cfg), &z, &c, BPF_ANY))
		return bh_err_set(err, -errno, 0, 0, "cannot set the profiler's target: %s", strerror(errno));
	return 0;
}

int bhp_live_read(struct bhp_live *l, struct bhp_profile *p, struct bh_err *err)
{
	uint64_t id = p->cgroup_id;
	memset(&p->st, 0, sizeof(p->st));
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.state), &id, &p->st) && errno != ENOENT)
		return bh_err_set(err, -errno, 0, 0, "cannot read the profile: %s", strerror(errno));
	return 0; /* no entry: nothing of the container ran while we recorded */
}

void bhp_live_close(struct bhp_live *l)
{
	if (!l)
		return;
	profile_bpf__destroy(l->skel);
	free(l);
}
