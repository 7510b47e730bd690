/* Kubernetes identity of an alert's task, from what the node tells without the API: the cgroup path (pod UID,
 * container id, runtime, QoS class) and the kubelet's log directories under --root (namespace, pod name,
 * container name). Everything read is untrusted (a container names its own cgroups on some setups, any pod
 * names its containers): parsed with bounds, validated as Kubernetes names, looked up with bounded work and
 * cached per cgroup. */
#ifndef BH_WATCH_IDENTITY_H
#define BH_WATCH_IDENTITY_H
#include <stddef.h>
#include <stdint.h>

#include "watch.h"

#define BHW_ID_PATH_MAX 4096  /* a longer cgroup path is refused */
#define BHW_ID_COMPS_MAX 64   /* so are paths with more components */
#define BHW_ID_SCAN_MAX 4096  /* directory entries read per lookup under --root */

struct bhw_identity {
	char container_id[BHW_CGNAME]; /* 64 hex from the cgroup name; "" when none */
	const char *runtime;           /* "containerd", "cri-o", "docker", "podman", NULL */
	char pod_uid[40];              /* canonical 8-4-4-4-12 form, "" when none */
	const char *qos;               /* "guaranteed", "burstable", "besteffort", NULL when unknown */
	char cgroup_path[512];         /* the full cgroup path when it was read, else "" */
	char ns[64];                   /* from --root's /var/log/pods or /var/log/containers; "" when unknown */
	char pod[254];
	char container[64];
	const char *node;              /* --node-name / $NODE_NAME; NULL when not given */
};

/* Parses one cgroup path ("/kubepods.slice/…/cri-containerd-<id>.scope", "/kubepods/burstable/pod<uid>/<id>",
 * "parent/leaf", a path relative to another cgroup namespace with ".." components) into container_id, runtime,
 * pod_uid and qos of id (the other fields are left alone). 0, or -ENAMETOOLONG (too long or too many
 * components) with nothing set. */
int bhw_identity_parse_cgroup(const char *path, struct bhw_identity *id);

/* "<namespace>_<name>_<uid>" (a /var/log/pods entry): 0 with the parts (validated) or -EINVAL. */
int bhw_identity_parse_pod_dir(const char *name, char ns[64], char pod[254], char uid[40]);
/* A /var/log/containers symlink's target ".../<namespace>_<name>_<uid>/<container>/<n>.log": 0 or -EINVAL. */
int bhw_identity_parse_log_target(const char *target, char ns[64], char pod[254], char uid[40], char ctr[64]);

/* The resolver: root is the host's "/" as mounted here (NULL: no node lookup), proc the host's /proc (NULL: no
 * /proc/<pid>/cgroup read: replayed events), node the node's name or NULL. */
struct bhw_ident;
struct bhw_ident *bhw_ident_new(const char *root, const char *proc, const char *node);
void bhw_ident_free(struct bhw_ident *r);
/* The identity of an event's task; cached per cgroup (id and names). Never NULL for a valid resolver; the
 * pointer stays valid until the next lookup. */
const struct bhw_identity *bhw_ident_lookup(struct bhw_ident *r, const struct bhw_event *ev);

struct bhw_ident_stats {
	uint64_t lookups, hits, proc_reads, dir_scans;
};
void bhw_ident_stats(const struct bhw_ident *r, struct bhw_ident_stats *st);

#endif
