/* Internal to src/netpol/: reading helpers shared by the model files. */
#ifndef BH_NETPOL_INT_H
#define BH_NETPOL_INT_H
#include <stdarg.h>

#include "netpol.h"

struct np_ctx {
	struct bh_np_snap *s;
	const struct bh_object *o;
	struct bh_err *err;
	bool copy; /* bh_np_add_copy: every string the model keeps is copied into s->a */
};

/* a string the model keeps: itself, or its copy in the snapshot's arena (bh_np_add_copy); NULL stays NULL
 * and so does a copy that found no memory (callers treat it as absent, as an allocation failure elsewhere) */
const char *np_keep(struct np_ctx *x, const char *v);

const struct bh_node *np_get(const struct bh_node *m, const char *k);
const char *np_str(const struct bh_node *m, const char *k);
bool np_int(const struct bh_node *m, const char *k, int64_t *v);
const struct bh_node *np_seq(const struct bh_node *m, const char *k);
const struct bh_node *np_map(const struct bh_node *m, const char *k);
void *np_grow(struct bh_arena *a, void *v, uint32_t n, uint32_t *cap, size_t size);
int np_labels(struct np_ctx *x, const struct bh_node *m, struct bh_np_labels *l);
int np_sel(struct np_ctx *x, const struct bh_node *m, struct bh_np_sel *s);
int np_bad(struct np_ctx *x, const struct bh_node *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int np_proto(struct np_ctx *x, const struct bh_node *m, uint8_t *out);
int np_cidrs(struct np_ctx *x, const struct bh_node *seq, struct bh_np_cidr **out, uint32_t *n);
struct bh_np_ns *np_ns_get(struct bh_np_snap *s, const char *name);
uint32_t np_name_hash(const char *s);

int np_add_policy(struct np_ctx *x);
int np_add_anp(struct np_ctx *x, bool baseline);
int np_add_service(struct np_ctx *x);
int np_add_endpoints(struct np_ctx *x);
int np_add_node(struct np_ctx *x);
int np_add_other(struct np_ctx *x);

#endif
