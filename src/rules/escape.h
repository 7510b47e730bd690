/* Helpers shared by the escape rules (escape_*.c, combo.c, image.c): capability tests with names
 * normalised (CAP_ prefix, case), effective user, mitigations and the host-path classifier; checks.h
 * declares the check functions from the registry rows. The PSS checks (pss.c) keep PSA's exact matching and do
 * not use these. */
#ifndef BH_ESCAPE_H
#define BH_ESCAPE_H
#include <stdbool.h>

#include "checks.h"
#include "rules.h"

/* spec.os.name: windows. Linux-only settings (capabilities, seccomp, runAsUser…) are rejected by the API
 * server for Windows pods, so Linux rules skip them. */
bool bh_pod_windows(const struct bh_pod *p);
/* spec.hostUsers: false — the pod runs in its own user namespace (KEP-127). */
bool bh_pod_userns(const struct bh_pod *p);

/* Index in capabilities.add of cap (normalised, e.g. "SYS_ADMIN"), or -1. When all is true an added
 * "ALL" also matches. */
int bh_cap_add_index(const struct bh_container *c, const char *cap, bool all);
/* capabilities.drop contains cap or ALL (normalised) */
bool bh_cap_dropped(const struct bh_container *c, const char *cap);
/* In the default capability set of the container runtimes (the same set PSA baseline allows). */
bool bh_cap_default(const char *cap);

/* Whether the container may run as UID 0: false only when the effective runAsUser is non-zero, or
 * runAsNonRoot is true (the kubelet then refuses to start a root image). Windows pods: false. */
bool bh_may_run_as_root(const struct bh_pod *p, const struct bh_container *c);

/* Mitigation by a user namespace: returns the severity lowered to `to` when hostUsers is false (and
 * `from` is above it), else `from`. */
enum bh_sev bh_userns_lower(const struct bh_pod *p, enum bh_sev from, enum bh_sev to);
/* The sentence appended to a message whose severity bh_userns_lower lowered. */
#define BH_USERNS_NOTE "; lowered because hostUsers: false maps container root to an unprivileged node user and confines capabilities to the pod's user namespace"

/* Emits a finding about container c (c may be NULL) whose field lives on the pod when pod_field is set
 * (a pod-level default) and on the container otherwise. */
struct bh_finding *bh_emit_at(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev, const struct bh_pod *p,
			      const struct bh_container *c, bool pod_field, const char *suffix, const struct bh_node *at,
			      const char *fmt, ...) __attribute__((format(printf, 9, 10)));

/* ---- host paths (BH0005 and the runtime-socket combination) ---- */
/* SOCKET: a container runtime's API socket; NODESOCK: another root-owned control socket (systemd, D-Bus,
 * the kubelet's device-plugin registry) */
enum bh_hp_kind { BH_HP_NONE = 0, BH_HP_TREE, BH_HP_EXACT, BH_HP_SOCKET, BH_HP_NODESOCK };
struct bh_hp_class {
	enum bh_sev sev;        /* for this mount: writable or read-only, root or not */
	enum bh_sev sev_rw;     /* what it would be writable (to say a read-only mount lowered it) */
	bool socket;            /* a runtime/kubelet/systemd socket is reachable through the mount */
	bool runtime;           /* … and it is a container runtime's API socket */
	const char *what;       /* what the node exposes there, for the message */
	const char *sock_nonroot; /* a socket below the path that only root could connect to */
	bool below;             /* what is below the mounted directory, not the directory itself */
};
/* Classifies host path `path` (normalised already; "/var/run" is read as "/run") mounted writable or not
 * by a container that may or may not run as root. */
void bh_hp_classify(const char *path, bool writable, bool root, struct bh_hp_class *out);
/* Normalised host path of a mount of volume v (hostPath.path joined with the mount's subPath) into buf. */
const char *bh_hp_mount_path(const struct bh_volume *v, const struct bh_mount *m, char *buf, size_t size);

/* Mount name → hostPath volumes, so that rules are linear in mounts + volumes (comparing every mount with
 * every volume took seconds on a pod an API server accepts). Volumes of one name (an object the API
 * server rejects) are chained through next. */
struct bh_hp_index {
	uint32_t *slot, *next, mask; /* slot, next: volume index + 1, 0 = none */
	uint64_t seed;
};
int bh_hp_index_build(struct bh_hp_index *x, const struct bh_pod *p);
/* The first hostPath volume named like the mount, + 1; 0 when none. */
uint32_t bh_hp_index_find(const struct bh_hp_index *x, const struct bh_pod *p, const struct bh_fstr *name);
void bh_hp_index_free(struct bh_hp_index *x);

#endif
