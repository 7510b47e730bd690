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

/* What a manifest rule reads besides its row: the pod view, and what the caller derived from its
 * configuration. rules/ does not know the config (a higher layer): the caller (the engine) passes its own
 * data as arg, and rules only call back with it. */
struct bh_rule_ctx {
	const struct bh_pod *pod;
	const void *arg;
	/* true: do not run rule r (the config disables it); NULL: every rule runs */
	bool (*rule_off)(const void *arg, const struct bh_rule *r);
	/* true: image comes from a trusted registry; NULL: there is no trusted list, so no opinion (BH0253) */
	bool (*image_trusted)(const void *arg, const char *image);
};

/* Runs every rule that has a check function (the manifest rules) over cx->pod, skipping those cx->rule_off
 * turns off. */
void bh_rules_eval(const struct bh_rule_ctx *cx, struct bh_findings *out);

/* Helpers for rule functions */
/* "CAP_SYS_ADMIN", "sys_admin" → "SYS_ADMIN" into buf; returns buf */
const char *bh_cap_norm(const char *s, size_t len, char *buf, size_t size);
/* Normalises a host path: collapses "//", removes "." and resolves ".." lexically, drops a trailing "/". */
const char *bh_path_norm(const char *s, size_t len, char *buf, size_t size);
/* An image reference as the container runtimes resolve it (the distribution/reference grammar, as BH0250–
 * BH0253 read it): ref receives "HOST/PATH[:TAG]" with Docker Hub's defaults applied ("nginx" →
 * "docker.io/library/nginx:latest"; index.docker.io and registry-1.docker.io → docker.io), dig the digest
 * ("sha256:…", empty when none). Without a digest a missing tag is "latest"; with one, ref keeps only the tag
 * written (none: no ":TAG"). Used by the vulnerability import (image/vulns.c) to match reports to images. */
void bh_imgref_normalise(const char *s, size_t len, char *ref, size_t rsize, char *dig, size_t dsize);
/* Emit helpers that fill container name, field path and location from the view. pod_field: the field is
 * the pod's (spec_path) even though a container is named. */
struct bh_finding *bh_vemit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				  const struct bh_pod *p, const struct bh_container *c, bool pod_field, const char *suffix,
				  const struct bh_node *at, const char *fmt, va_list ap) __attribute__((format(printf, 9, 0)));
struct bh_finding *bh_emit_field(struct bh_findings *out, const struct bh_rule *r, enum bh_sev sev,
				 const struct bh_pod *p, const struct bh_container *c, const char *suffix,
				 const struct bh_node *at, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

#endif
