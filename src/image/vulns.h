/* Vulnerability reports of images (Trivy `--format json`, Grype `-o json`) correlated with the escape exposure
 * of the workloads that run those images: a CVE in an image that runs privileged in a DaemonSet is one finding
 * (BH0311 image-vulnerable-exposed), ranked by the weaker of the CVE's severity and the workload's exposure.
 *
 * Why here (src/image/): the import needs the JSON decoder (decode/), the image-reference normaliser of the
 * image rules (rules/) and the engine's per-pod hook (engine/); image/ sits above all three and below cmd/,
 * which wires the hook into `bulkhead scan`. Rules cannot hold it: rules never read files.
 *
 * Reports are untrusted input: size, depth, count and string-length limits below; a malformed report is a
 * struct bh_err with the file, line and column of the offending value. */
#ifndef BH_IMAGE_VULNS_H
#define BH_IMAGE_VULNS_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/engine.h"
#include "rules/finding.h"
#include "util/arena.h"
#include "util/err.h"

struct bh_vulns_limits {
	size_t max_bytes;        /* one report file */
	uint32_t max_depth;      /* JSON nesting */
	uint32_t max_images;     /* images over all reports */
	uint32_t max_vulns;      /* vulnerability entries over all reports */
	uint32_t max_refs;       /* tags and digests of one image */
	uint32_t max_str;        /* bytes of one id, package or version (longer ones are cut) */
	uint32_t max_evidence;   /* vulnerabilities listed in one finding's evidence (the worst first) */
	size_t max_memory;       /* the database's arena */
};
extern const struct bh_vulns_limits bh_vulns_default_limits;

struct bh_vuln {
	const char *id, *pkg, *installed, *fixed; /* fixed: "" when no fix is known */
	enum bh_sev sev;         /* CRITICAL, HIGH, MEDIUM, LOW as is; NEGLIGIBLE and UNKNOWN are info */
	const char *sevname;     /* as the report spells it, lower case */
};

/* One image of one report. After bh_vulns_finish, images that share a digest or a normalised reference
 * (the same image reported by Trivy and by Grype) form one group whose vulnerabilities are deduplicated by id. */
struct bh_vimage {
	const char *file, *tool;  /* the report and "trivy" / "grype" */
	const char *name;         /* ArtifactName / source.target.userInput, as written */
	const char **refs;        /* normalised HOST/PATH:TAG of name and tags */
	const char **digests;     /* sha256:… of RepoDigests / repoDigests / manifestDigest / name@digest */
	uint32_t nrefs, ndigests;
	struct bh_vuln *v;
	uint32_t nv;
	uint32_t group;
};

struct bh_vgroup {
	struct bh_vuln *v;       /* deduplicated by id, worst first: severity, a fix known, id */
	uint32_t nv;
	uint32_t count[5];       /* by enum bh_sev */
	const char *name;        /* the first report's image name */
	const char *reports;     /* "FILE (trivy), FILE (grype)" */
	const char *list;        /* the evidence's vulnerability list (max_evidence entries) */
};

struct bh_vkey {
	const char *s;           /* a digest or a normalised reference */
	uint32_t img;
	bool digest;
};

struct bh_vulndb {
	struct bh_arena a;
	struct bh_vulns_limits lim;
	struct bh_vimage *img;
	uint32_t n, cap, nvulns;
	struct bh_vgroup *g;
	uint32_t ng;
	struct bh_vkey *keys;    /* every image's digests and references, sorted: grouping and matching are
	                            O(log n) per lookup, whatever a hostile report lists */
	size_t nkeys;
};

/* lim NULL: the defaults */
void bh_vulns_init(struct bh_vulndb *db, const struct bh_vulns_limits *lim);
void bh_vulns_release(struct bh_vulndb *db);
/* Reads one report ("-" = stdin), Trivy or Grype by its shape. 0, or -1 with err (file, line, col set);
 * nothing of a failed report is kept. */
int bh_vulns_load(struct bh_vulndb *db, const char *path, struct bh_err *err);
/* The same from a buffer (name is used in messages); fuzz target and tests. */
int bh_vulns_load_buffer(struct bh_vulndb *db, const char *name, const char *buf, size_t len, struct bh_err *err);
/* Groups the images and sorts their vulnerabilities; call once after the last load. 0 or -1 (out of memory). */
int bh_vulns_finish(struct bh_vulndb *db, struct bh_err *err);

/* The group an image reference matches, or -1: by digest when the reference pins one (only by digest then),
 * else by its normalised HOST/PATH:TAG. *by receives "digest sha256:…" or "tag HOST/PATH:TAG". */
long bh_vulns_match(const struct bh_vulndb *db, const char *image, size_t len, char *by, size_t bysize);

/* The combined severity: the weaker of the CVE's severity and the exposure (DESIGN's rubric applied to
 * the chain: the CVE gives a foothold, the exposure decides how far it reaches). */
enum bh_sev bh_vulns_rank(enum bh_sev cve, enum bh_sev exposure);

/* Engine hook (bh_engine.on_pod; ctx = const struct bh_vulndb *): after the manifest rules ran over the pod,
 * one BH0311 finding per container whose image has vulnerabilities in the database, with the exposure read
 * from the escape findings the rules just made for that container and its pod. Thread-safe (reads db only). */
void bh_vulns_on_pod(struct bh_engine *e, const struct bh_pod *p, void *ctx);

#endif
