/* Which inputs a batch reads: --exclude globs, the .bulkheadignore file at the top of a scanned directory
 * (a gitignore subset), and what tells a YAML or JSON file that holds no Kubernetes object at all
 * (Chart.yaml, values.yaml, CI workflows: skipped with a note, batch.c) from a broken manifest. */
#ifndef BH_INPUTSEL_H
#define BH_INPUTSEL_H
#include <stdbool.h>
#include <stddef.h>

struct bh_engine;

/* the patterns of one .bulkheadignore (malloc'ed) */
struct bh_ignore {
	char **pat;
	size_t n;
};

/* Reads DIR/.bulkheadignore when it exists: blank lines and # comments skipped; '!' (re-include) lines
 * are not supported and are warned about in e. Returns 0 (also without a file) or -ENOMEM. */
int bh_ignore_load(struct bh_ignore *ig, struct bh_engine *e, const char *dir);
void bh_ignore_free(struct bh_ignore *ig);

/* Whether path (rel: the part below the scanned directory, or path itself; dir: path is a directory) is
 * excluded by one of the --exclude globs (matched against the path, rel and the base name) or ignored by
 * ig (NULL: none). */
bool bh_input_excluded(const char *path, const char *rel, bool dir, const char *const *globs, size_t nglobs,
		       const struct bh_ignore *ig);

/* Whether the bytes look like a Kubernetes object that may have lost its kind: apiVersion and metadata
 * keys at the top level (YAML) or anywhere (JSON), in its first MiB. Such an input is never skipped as
 * "not a Kubernetes object": its kind-less documents stay input errors. */
bool bh_input_k8s_looking(const char *buf, size_t len);
/* Whether the bytes look like an unrendered Helm / Go template ("{{" in the first MiB) */
bool bh_input_templated(const char *buf, size_t len);

#endif
