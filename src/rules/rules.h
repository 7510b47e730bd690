/* Rule lookup and evaluation over the registry (registry.def, bh_rules[] in finding.h): the manifest rules
 * have check functions; PSS checks live in pss.c with their version gates and are rows without one. */
#ifndef BH_RULES_H
#define BH_RULES_H
#include <stdarg.h>

#include "finding.h"
#include "objects/objects.h"

/* A manifest or PSS rule (the first bh_nrules rows) by id ("BH0001", any case) or name
 * ("privileged-container"); NULL if unknown. */
const struct bh_rule *bh_rule_find(const char *id_or_name);
/* The same over every area (inside, watch, node…). */
const struct bh_rule *bh_rule_find_any(const char *id_or_name);

/* Runs every rule that has a check function over the pod view. */
void bh_rules_eval(const struct bh_pod *p, struct bh_findings *out);
/* The same, skipping rules the config disables; rules read the config through bh_rules_config() meanwhile. */
struct bh_config;
void bh_rules_eval_cfg(const struct bh_pod *p, const struct bh_config *cfg, struct bh_findings *out);
/* The config of the evaluation in progress on this thread (NULL: none given, e.g. no trusted registries). */
const struct bh_config *bh_rules_config(void);

/* Helpers for rule functions */
/* "CAP_SYS_ADMIN", "sys_admin" → "SYS_ADMIN" into buf; returns buf */
const char *bh_cap_norm(const char *s, size_t len, char *buf, size_t size);
/* Normalises a host path: collapses "//", removes "." and resolves ".." lexically, drops a trailing "/". */
const char *bh_path_norm(const char *s, size_t len, char *buf, size_t size);
/* Emit helpers that fill container name, field path and location from the view. pod_field: the field is
 * the pod's (spec_path) even though a container is named. */
struct bh_finding *bh_vemit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				  const struct bh_pod *p, const struct bh_container *c, bool pod_field, const char *suffix,
				  const struct bh_node *at, const char *fmt, va_list ap) __attribute__((format(printf, 9, 0)));
struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

#endif
