/* The decoded tree: one arena per document; every node knows file, line and column, its raw scalar
 * text, its style and its explicit tag. Scalars are NOT resolved at decode time: Kubernetes resolves
 * YAML 1.1 scalars by the Go type of the field they land in (sigs.k8s.io/yaml + go-yaml v2), so the
 * accessors below take the field's type and apply that rule. */
#ifndef BH_NODE_H
#define BH_NODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"
#include "../util/err.h"

enum bh_ntype { BH_SCALAR = 1, BH_MAP, BH_SEQ };

enum bh_style {
	BH_STYLE_PLAIN = 0,   /* YAML plain scalar: subject to YAML 1.1 implicit resolution */
	BH_STYLE_SQUOTE,      /* 'x'  */
	BH_STYLE_DQUOTE,      /* "x"  */
	BH_STYLE_LITERAL,     /* |    */
	BH_STYLE_FOLDED,      /* >    */
	BH_STYLE_JSON_STRING, /* "x" in a JSON document */
	BH_STYLE_JSON_NUMBER, /* 12, -1.5e3 in a JSON document (raw text kept) */
	BH_STYLE_JSON_LITERAL /* true / false / null in a JSON document */
};

struct bh_pair;

struct bh_node {
	uint8_t type;  /* enum bh_ntype */
	uint8_t style; /* enum bh_style, scalars only */
	uint16_t flags;
	uint32_t line, col; /* 1-based */
	const char *tag;    /* explicit tag, short form ("!!bool", "!!str", "!custom"), or NULL */
	const char *s;      /* scalar text after escape processing, NUL-terminated; may hold NULs if len says so */
	uint32_t len;       /* scalar length in bytes */
	uint32_t n;         /* map pairs / sequence items */
	union {
		struct bh_pair *pairs;
		struct bh_node **items;
	};
	uint64_t weight; /* size of the node fully expanded (aliases counted as copies), saturating */
};

struct bh_pair {
	struct bh_node *key, *val;
};

#define BH_NF_ALIAS_TARGET 0x1 /* node was referenced by an alias */
#define BH_NF_MERGED 0x2       /* map had merge keys applied */

struct bh_diag {
	uint32_t line, col;
	const char *msg;
	struct bh_diag *next;
};

struct bh_doc {
	struct bh_node *root; /* NULL for an empty or comment-only document */
	const char *file;
	uint32_t index;       /* 0-based document index in the stream */
	uint32_t line;        /* line where the document starts */
	size_t end;           /* byte offset in the input just past this document (callers may drop
	                         the input's pages before it) */
	bool has_dups;        /* a map had duplicate keys (exact or differing only by case) */
	bool json;            /* came from the JSON decoder */
	struct bh_diag *warnings, **warn_tail; /* in arena; in order */
	uint32_t nwarnings;
	uint32_t warn_dropped; /* warnings past BH_DOC_MAX_WARNINGS: counted, not kept */
};

/* Hostile input can produce a warning per key (40 MB of duplicate keys: millions); a document keeps this
 * many and one closing line with the count of the rest. */
#define BH_DOC_MAX_WARNINGS 100

struct bh_limits {
	size_t max_input;        /* whole input, bytes */
	size_t max_doc_bytes;    /* arena bytes for one document's tree */
	uint32_t max_depth;      /* nesting depth */
	uint64_t max_weight;     /* expanded size budget (alias bombs) */
};

extern const struct bh_limits bh_default_limits;

/* Appends a warning to doc (arena-allocated, printf-style). */
void bh_doc_warn(struct bh_doc *doc, struct bh_arena *a, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Called by the decoders when a document is complete: adds the line that counts dropped warnings. */
void bh_doc_finish(struct bh_doc *doc, struct bh_arena *a);

/* ---- streaming decoder: YAML (libyaml) or JSON, chosen by the first significant byte ---- */
struct bh_decoder;

/* buf must stay valid until bh_decoder_free. file is used in diagnostics. */
struct bh_decoder *bh_decoder_new(const char *file, const char *buf, size_t len, const struct bh_limits *lim);
/* The same for a slice of a YAML stream cut at document boundaries: line_base lines precede buf, so
 * every line number stays that of the whole file. (JSON input is never sliced: line_base is for YAML.) */
struct bh_decoder *bh_decoder_new_at(const char *file, const char *buf, size_t len, const struct bh_limits *lim,
				     uint32_t line_base);
/* 1: *doc filled (tree in a), 0: end of stream, <0: error in err (line/col set). After an error the
 * decoder resynchronises at the next document start when it can; call again until it returns 0. */
int bh_decoder_next(struct bh_decoder *d, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err);
void bh_decoder_free(struct bh_decoder *d);

/* ---- typed accessors ---- */
enum bh_res {
	BH_ABSENT = 0, /* no node */
	BH_NULLV,      /* explicit null: Go's nil pointer, same as absent for the API server */
	BH_OK,
	BH_BAD         /* wrong type for the field: the API server would reject the object */
};

bool bh_is_null(const struct bh_node *n);
/* bool field: YAML 1.1 true/True/TRUE/false/…/yes/no/on/off/y/n (plain or !!bool), JSON true/false */
enum bh_res bh_as_bool(const struct bh_node *n, bool *out);
/* int field: decimal, 0x, 0o, legacy 0-octal, 0b, underscores, sign; floats and overflow are BH_BAD */
enum bh_res bh_as_int(const struct bh_node *n, int64_t *out);
/* string field: any scalar's text unless it is tagged or (JSON) typed as something else */
enum bh_res bh_as_str(const struct bh_node *n, const char **s, size_t *len);

/* Key equality: exact, or equal ignoring ASCII case (*casevar set to true). */
bool bh_key_is(const struct bh_node *key, const char *name, bool *casevar);

enum bh_reading {
	BH_READ_FIRST = 0, /* the first of duplicate keys wins */
	BH_READ_LAST = 1   /* the last wins (Go's encoding/json behaviour) */
};

/* Looks up key in a map (NULL if map is not a map). Among several keys matching name exactly or by
 * case, takes the first or last according to reading. *casevar (may be NULL) says the match differed
 * by case. */
const struct bh_node *bh_map_get(const struct bh_node *map, const char *name, enum bh_reading reading,
				 bool *casevar, const struct bh_node **keynode);

/* For messages: a short printable form of a scalar (truncated, escaped). */
const char *bh_node_text(const struct bh_node *n, char *buf, size_t size);

#endif
