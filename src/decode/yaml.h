/* YAML 1.1 stream (libyaml events) into the node tree of node.h. Internal to src/decode/. */
#ifndef BH_YAML_H
#define BH_YAML_H
#include "node.h"

struct bh_yaml_reader;
/* line_base: lines of the input before buf (buf is a slice of a larger file) */
struct bh_yaml_reader *bh_yaml_new(const char *file, const char *buf, size_t len, const struct bh_limits *lim,
				   uint32_t line_base);
/* 1 doc, 0 end, <0 error; after an error the reader restarts at the next line that begins with "---" */
int bh_yaml_next(struct bh_yaml_reader *r, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err);
void bh_yaml_free(struct bh_yaml_reader *r);

#endif
