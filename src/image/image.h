/* Container images read from disk: OCI image layouts (index.json → manifest → config + layers) and
 * `docker save` archives. Every blob is verified against its sha256 digest while it is read; layers are
 * streamed through libarchive (tar, gzip/zstd/xz/bzip2 as libarchive decodes them), never extracted: the
 * merged filesystem is a table of paths with the whiteouts and opaque directories of later layers applied.
 * Hostile input (paths with "..", absolute paths, symlinks that point outside the image, huge manifests,
 * truncated tars, digest mismatches, decompression bombs) ends in a struct bh_err, within the limits below. */
#ifndef BH_IMAGE_H
#define BH_IMAGE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/finding.h"
#include "util/arena.h"
#include "util/err.h"

struct bh_img_limits {
	uint64_t max_json;       /* index.json, manifest.json, a manifest or a config: bytes */
	uint64_t max_blob;       /* one layer blob as stored (compressed): bytes */
	uint64_t max_unpacked;   /* all layers decompressed together: bytes (decompression bombs end here) */
	uint32_t max_layers;
	uint32_t max_entries;    /* tar entries over all layers */
	uint32_t max_path;       /* bytes of one path in a layer */
	uint32_t max_capture;    /* bytes of a file whose content is read (/etc/passwd) */
	size_t max_memory;       /* the image's arena cap */
};
extern const struct bh_img_limits bh_img_default_limits;

/* One file of the merged filesystem (paths are relative to the image root, without a leading "/"). */
struct bh_img_file {
	const char *path;
	const char *link;        /* symlink target or hard-link target, else NULL */
	char type;               /* 'f' file, 'd' dir, 'l' symlink, 'h' hard link, 'c'/'b' device, 'p' fifo */
	bool hidden;             /* removed by a later layer (whiteout, opaque dir, replaced parent) */
	uint16_t layer;          /* index of the layer that wrote it last */
	uint32_t mode, uid, gid;
	const uint8_t *cap;      /* security.capability xattr (vfs_cap_data), or NULL */
	uint32_t caplen;
	const char *content;     /* captured content (passwd files), or NULL */
	uint32_t clen;
	uint32_t hash;
};

struct bh_img_layer {
	char digest[72];         /* "sha256:<64 hex>" of the blob as stored */
	const char *media_type;
	const char *where;       /* the blob's path in the layout or the archive */
	uint64_t size;           /* bytes as stored */
	uint32_t entries;
};

struct bh_image {
	struct bh_arena arena;
	const char *spec;        /* as given on the command line */
	const char *kind;        /* "oci" or "docker-archive" */
	char manifest_digest[72];/* empty for docker-archive without one */
	char config_digest[72];
	const char *os, *arch;
	const char *user;        /* config.User ("" when unset) */
	const char *path_env;    /* PATH from config.Env, NULL when unset */
	const char **ports;      /* config.ExposedPorts keys */
	uint32_t nports;
	const char **tags;       /* RepoTags (docker-archive) or org.opencontainers.image.ref.name */
	uint32_t ntags;
	struct bh_img_layer *layers;
	uint32_t nlayers;
	/* the merged filesystem: open addressing over files (every version of a path keeps one slot) */
	struct bh_img_file **tab;
	uint32_t tabcap, nfiles;
	/* whiteouts and opaque directories: path → the highest layer that removed it */
	struct bh_img_file **wh;
	uint32_t whcap, nwh;
	uint32_t entries;
	uint64_t bytes_stored, bytes_unpacked;
	const struct bh_img_limits *lim;
};

struct bh_img_opts {
	const char *platform;    /* "os/arch[/variant]" for an index with several manifests; NULL: linux/amd64 */
	const struct bh_img_limits *lim; /* NULL: the defaults */
	const char *registry_ca;  /* CA bundle for registries (PEM); NULL: the system's */
	const char *docker_config;/* credentials; NULL: $DOCKER_CONFIG/config.json or ~/.docker/config.json */
	bool plain_http;          /* registries over http:// (tests on loopback) */
	long timeout_ms;          /* each registry request as a whole; 0: none (the low-speed limit only) */
};

/* Reads the image named by spec: "oci:DIR", "docker-archive:FILE", "docker://HOST/REPO[:TAG|@DIGEST]" (a
 * registry), or a PATH (a directory is an OCI
 * layout, a file a docker archive). 0, or -1 with err filled (the image is released then). */
int bh_image_read(struct bh_image *img, const char *spec, const struct bh_img_opts *o, struct bh_err *err);
void bh_image_release(struct bh_image *img);

/* The visible file at path (relative or absolute, symlinks followed inside the image; "..", absolute
 * targets and loops never leave the image root). NULL when there is none. follow_last: resolve a final
 * symlink too. */
const struct bh_img_file *bh_img_lookup(const struct bh_image *img, const char *path, bool follow_last);

/* Appends the image findings (the image area of the rule registry) for img to out. 0 or -1 (out of memory). */
int bh_image_evaluate(const struct bh_image *img, struct bh_findings *out);

/* ---- internal, shared by the files of this folder ---- */
struct bh_img_file *bh_img_fs_add(struct bh_image *img, const char *path, size_t len, struct bh_err *err);
int bh_img_fs_whiteout(struct bh_image *img, const char *path, size_t len, bool opaque, uint16_t layer,
		       struct bh_err *err);
void bh_img_fs_finish(struct bh_image *img);
/* Normalises a path from a layer tar into buf (no leading "/" or "./", no "." components); rejects ".."
 * components and absolute paths. Length, or -1 with err set. */
int bh_img_path_clean(const char *in, char *buf, size_t size, struct bh_err *err);
/* digest "sha256:<64 lowercase hex>" is well formed */
bool bh_img_digest_ok(const char *d, size_t len);

/* A blob being read: bytes come from a file descriptor or from an entry of an outer archive, are hashed
 * as they pass and counted against a limit. */
struct bh_img_blob {
	int fd;                  /* >= 0: read from this descriptor */
	void *outer;             /* else: struct archive * positioned at the entry */
	void *hash;              /* gnutls_hash_hd_t */
	uint64_t n, max;
	bool over;               /* more than max bytes */
	char buf[64 * 1024];
};
int bh_img_blob_begin(struct bh_img_blob *b, struct bh_err *err);
/* up to len bytes (0 at the end, -1 on a read error) */
long bh_img_blob_read(struct bh_img_blob *b, void *dst, size_t len);
/* Reads what is left, finishes the hash and compares it with want ("sha256:…"; NULL: not compared).
 * got receives the digest. 0, or -1 with err set (what names the blob in the message). */
int bh_img_blob_end(struct bh_img_blob *b, const char *want, char got[72], const char *what, struct bh_err *err);
/* The whole blob into the arena (at most max bytes), verified against want. NULL with err set. */
char *bh_img_blob_slurp(struct bh_image *img, struct bh_img_blob *b, const char *want, const char *what,
			size_t *len, struct bh_err *err);

/* Reads one layer tar (compressed or not) from b into the filesystem table as layer index li. */
int bh_img_layer_read(struct bh_image *img, struct bh_img_blob *b, uint16_t li, struct bh_err *err);

/* Where manifests, configs and layers come from: an OCI layout's directory, or callbacks (a registry). */
struct bh_img_src {
	bool dir;
	int dirfd;
	void *ctx;
	/* a JSON blob by digest, verified, into the arena */
	char *(*json)(struct bh_image *img, void *ctx, const char *digest, const char *what, size_t *len,
		      struct bh_err *err);
	/* a layer blob by digest as a readable descriptor at offset 0 (verified again while it is read) */
	int (*open)(struct bh_image *img, void *ctx, const char *digest, struct bh_err *err);
};
/* A manifest or index (already fetched; digest names it) and everything below it. */
int bh_img_manifest(struct bh_image *img, const struct bh_img_src *src, const char *buf, size_t len,
		    const char *digest, const struct bh_img_opts *o, int depth, struct bh_err *err);

/* Cosign-style signature verification (sig.c, registry.c) */
enum bh_sig_verdict { BH_SIG_VALID = 0, BH_SIG_UNSIGNED, BH_SIG_INVALID, BH_SIG_MISMATCH };
struct bh_img_sigres {
	enum bh_sig_verdict v;
	char tag[80];            /* sha256-<hex>.sig */
	char why[400];           /* what failed (or, when valid, empty) */
	char key[256];           /* the key that verified */
	char identity[256];      /* critical.identity.docker-reference of the payload */
};
/* The signatures of the image ref (docker://… without the prefix) whose manifest digest is digest, against
 * the PEM public keys. 0 with res filled (valid, unsigned, invalid: no key verifies or a payload is
 * broken, mismatch: a payload signs another digest), -1 with err (the registry could not be asked). */
int bh_img_cosign(const char *ref, const char *digest, const char *const *keys, size_t nkeys, const struct bh_img_opts *o,
		  struct bh_img_sigres *res, struct bh_err *err);
/* The manifest digest of ref (HOST/REPO:TAG or @DIGEST, without docker://): a digest as is, a tag by fetching
 * its manifest and hashing it. 0, or -1 with err. */
int bh_img_resolve(const char *ref, const struct bh_img_opts *o, char digest[72], struct bh_err *err);
/* 1 the base64 signature over payload verifies with the key in keyfile, 0 it does not, -1 key unusable;
 * why says what failed. */
int bh_img_sig_verify(const char *payload, size_t plen, const char *sig_b64, const char *keyfile, char *why, size_t n);
/* 1 the simple-signing payload is a cosign signature of digest (identity receives its docker-reference), 0 not */
int bh_img_sig_payload(const char *payload, size_t plen, const char *digest, char *identity, size_t idn, char *why,
		       size_t n);
/* Appends the finding for a verification result (image-unsigned, image-signature-invalid, -verified). */
int bh_image_sig_finding(const struct bh_img_sigres *res, const char *digest, struct bh_findings *out);

/* The sources */
int bh_img_read_oci(struct bh_image *img, const char *dir, const struct bh_img_opts *o, struct bh_err *err);
int bh_img_read_docker(struct bh_image *img, const char *file, const struct bh_img_opts *o, struct bh_err *err);
/* docker://HOST/REPO[:TAG|@DIGEST] without the prefix */
int bh_img_read_registry(struct bh_image *img, const char *ref, const struct bh_img_opts *o, struct bh_err *err);
/* config JSON (already verified) into img's user, PATH, ports, os/arch; diff_ids when wanted */
int bh_img_parse_config(struct bh_image *img, const char *buf, size_t len, const char ***diff_ids, uint32_t *ndiff,
			struct bh_err *err);

#endif
