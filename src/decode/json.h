/* Strict RFC 8259 JSON into the same node tree as YAML (src/decode/node.h). A stream may hold several
 * top-level values separated by white space (as `kubectl get -o json` output concatenated). */
#ifndef BH_DECODE_JSON_H
#define BH_DECODE_JSON_H
#include "node.h"

struct bh_json_reader {
	const char *file;
	const char *buf;
	size_t len, pos;
	uint32_t line;      /* current line, 1-based */
	size_t line_start;  /* offset of the current line's first byte */
	uint32_t index;     /* documents produced */
	const struct bh_limits *lim;
};

void bh_json_init(struct bh_json_reader *r, const char *file, const char *buf, size_t len,
		  const struct bh_limits *lim);
/* 1: next value decoded into doc, 0: end of input, <0: error (err has line/col and message); after an
 * error the reader skips to end of input (JSON has no resynchronisation point) and returns 0 next. */
int bh_json_next(struct bh_json_reader *r, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err);

#endif
