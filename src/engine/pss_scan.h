/* Pod Security Standards inside `bulkhead scan`: the level/version per namespace (from Namespace objects'
 * pod-security.kubernetes.io/enforce[-version] labels, found in a pre-pass so their position in the
 * input does not matter) or the --pss default, and the engine hook that turns PSA violations into
 * findings of the BH01xx rows unless an escape rule already reported the same field for the same check. */
#ifndef BH_PSS_SCAN_H
#define BH_PSS_SCAN_H
#include <stddef.h>

#include "engine/engine.h"
#include "rules/pss.h"

struct bh_pss_ns {
	char *name;
	enum bh_pss_level level;
	int minor;
};

struct bh_pss_scan {
	bool off;                 /* --pss none */
	enum bh_pss_level level;  /* default for objects of unlabelled namespaces */
	int minor;
	struct bh_pss_ns *ns;
	size_t nns, cap;
};

/* "baseline", "restricted:v1.30", "privileged", "none" → s; -EINVAL when malformed */
int bh_pss_scan_parse(struct bh_pss_scan *s, const char *arg);
/* Pre-pass over one input: records enforce labels of Namespace objects (warnings say so in e). Cheap when
 * the buffer does not mention the label at all. mapped: buf is a read-only file mapping whose pages may
 * be dropped as the search passes them. */
void bh_pss_scan_namespaces(struct bh_pss_scan *s, struct bh_engine *e, const char *file, const char *buf, size_t len,
			    bool mapped);
/* Engine hook (e->on_pod, ctx = struct bh_pss_scan *) */
void bh_pss_scan_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx);
void bh_pss_scan_release(struct bh_pss_scan *s);

#endif
