/* A batch of inputs through the engine on several threads: paths → inputs (files found in directories,
 * stdin, pipes and FIFOs read exactly once) → units (whole files, or ~1 MiB slices of a large YAML file
 * cut at document boundaries) → one engine per worker → results merged in input order, so the output
 * does not depend on the number of workers. Used by scan and pss. */
#ifndef BH_BATCH_H
#define BH_BATCH_H
#include "engine/engine.h"

struct bh_batch_opts {
	const struct bh_config *cfg;
	const struct bh_engine_cfg_ops *cfg_ops; /* see struct bh_engine */
	int jobs;                  /* workers; 0 = the CPUs available */
	bool progress;             /* "scanned i/n parts" on a terminal's stderr while it runs */
	bool no_rules;             /* like bh_engine.no_rules */
	/* per-object hook of every worker engine (bh_engine.on_pod); with jobs > 1 it must be thread-safe */
	void (*on_pod)(struct bh_engine *e, const struct bh_pod *p, void *ctx);
	void *on_pod_ctx;
	/* runs over every input's bytes, in input order, before any object is evaluated; e is the batch's
	 * own engine (its diagnostics come first in the results). mapped: see bh_engine_slice. */
	void (*pre)(struct bh_engine *e, const char *name, const char *buf, size_t len, bool mapped, void *ctx);
	void *pre_ctx;
	/* input selection (engine/inputsel.h): --exclude globs (every input), .bulkheadignore at the top of
	 * each directory argument unless no_ignore_file, and files without any Kubernetes object skipped
	 * with a note (not read by the engine, not counted) when skip_non_k8s */
	const char *const *exclude;
	size_t nexclude;
	bool no_ignore_file;
	bool skip_non_k8s;
};

struct bh_batch {
	/* the results, as one engine's: findings, errors, warnings, objects and counts in input order.
	 * Strings live in the worker engines below until bh_batch_release. */
	struct bh_engine e;
	struct bh_engine *workers;
	int nworkers;
};

/* Evaluates every path ("-" = stdin; directories recursively: *.yaml, *.yml, *.json). Problems with
 * inputs become input errors or warnings in b->e. Returns 0, or -ENOMEM (results incomplete). */
int bh_batch_run(struct bh_batch *b, const struct bh_batch_opts *o, char *const *paths, int npaths);
void bh_batch_release(struct bh_batch *b);

/* PATH arguments → inputs (directories expanded recursively and sorted; FIFOs, sockets and devices met
 * there are warned about and skipped). Problems go to e. *out and its strings are malloc'ed. */
size_t bh_batch_expand(struct bh_engine *e, char *const *args, int nargs, char ***out);
/* The same with o's input selection (o may be NULL). */
size_t bh_batch_expand_opts(struct bh_engine *e, const struct bh_batch_opts *o, char *const *args, int nargs,
			    char ***out);

#endif
