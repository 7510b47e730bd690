/* The evaluation pipeline shared by scan, pss, serve and audit: bytes → documents → objects → pod views →
 * rules → findings. Input problems become errors with file:line:col; every readable document is still
 * evaluated. */
#ifndef BH_ENGINE_H
#define BH_ENGINE_H
#include "decode/node.h"
#include "objects/objects.h"
#include "rules/finding.h"
#include "util/diagnostic.h"

#include <time.h>

struct bh_config;
struct bh_engine;
struct bh_podpath;

/* What the engine asks of the configuration it is handed. engine/ sits below config/ and does not include
 * it: config/ implements this table (bh_config_engine_ops, config/engine_ops.h) and whoever loads a config
 * hands both to the engine. Without a table there is no config at all, and bulkhead.io/ignore
 * annotations are not honoured either. */
struct bh_engine_cfg_ops {
	/* CRDs with pod templates (podTemplatePaths) */
	const struct bh_podpath *(*podpaths)(const struct bh_config *c, size_t *n);
	/* struct bh_rule_ctx's rule_off and image_trusted (arg = the config); image_trusted is used only when
	 * has_registries */
	bool (*rule_off)(const void *c, const struct bh_rule *r);
	bool (*image_trusted)(const void *c, const char *image);
	bool (*has_registries)(const struct bh_config *c);
	/* exemptions, severity overrides and the ignore annotation over e's findings [first, n) of object o */
	void (*apply)(struct bh_engine *e, const struct bh_object *o, size_t first);
};

struct bh_engine {
	const struct bh_limits *lim;
	struct bh_arena results;     /* findings' and diagnostics' strings: live until the report */
	struct bh_arena doc;         /* one document's tree: reset after each document */
	struct bh_findings findings;
	struct bh_diagvec errors, warnings;
	size_t files, objects;
	size_t lists;                /* documents that were Lists (kubectl get output), empty ones too */
	struct bh_objref *objlist;   /* every object, interned, in input order */
	size_t nobjlist, capobjlist;
	/* per-object hook run after the rules (e.g. PSS); may append findings */
	void (*on_pod)(struct bh_engine *e, const struct bh_pod *p, void *ctx);
	void *on_pod_ctx;
	bool no_rules;           /* skip the rule table (bulkhead pss only wants on_pod) */
	const struct bh_config *cfg; /* suppression, severities, registries; NULL = defaults */
	const struct bh_engine_cfg_ops *cfg_ops; /* how to apply cfg (also when it is NULL); NULL = not at all */
	time_t now;              /* for exemption expiry; bh_engine_init sets time(NULL) */
	bool no_ignore_annotation; /* do not honour bulkhead.io/ignore (serve.honorIgnoreAnnotation: false) */
	const char *user;        /* serve: the requesting user, for serviceAccount exemptions; NULL elsewhere */
	size_t obj_first;        /* index in findings of the current object's first finding */
};

void bh_engine_init(struct bh_engine *e);
void bh_engine_release(struct bh_engine *e);
/* Forgets findings, errors, warnings and counts (e.g. between admission requests); keeps arena chunks. */
void bh_engine_reset(struct bh_engine *e);
void bh_engine_error(struct bh_engine *e, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void bh_engine_warning(struct bh_engine *e, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Decodes and evaluates one input. file is the name used in reports (copied). */
void bh_engine_buffer(struct bh_engine *e, const char *file, const char *buf, size_t len);
/* Evaluates a slice of a YAML file cut at document boundaries (line_base lines precede it); the file is
 * counted when count_file. mapped: buf is in a read-only file mapping whose finished pages may be dropped. */
void bh_engine_slice(struct bh_engine *e, const char *file, const char *buf, size_t len, uint32_t line_base,
		     bool count_file, bool mapped);
/* Reads path ("-" = stdin) and evaluates it; read errors become input errors. */
void bh_engine_file(struct bh_engine *e, const char *path);
/* The input error for a negative errno from bh_map_file / bh_read_file (-EFBIG: the size limit). */
void bh_engine_read_error(struct bh_engine *e, const char *name, int rc);
/* The input error for a mapped file that shrank while it was read (bh_map_truncated). */
void bh_engine_truncated(struct bh_engine *e, const char *name, size_t len);
/* Evaluates one decoded object (both readings when the document had duplicate keys). */
void bh_engine_object(struct bh_engine *e, const struct bh_object *o);

#endif
