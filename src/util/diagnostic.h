/* Input diagnostics (errors and warnings with file:line:col) as every layer hands them on: the decoder
 * and engine produce them, the reporters print them. */
#ifndef BH_DIAGNOSTIC_H
#define BH_DIAGNOSTIC_H
#include <stddef.h>
#include <stdint.h>

struct bh_input_error {
	const char *file;   /* may be NULL */
	uint32_t line, col; /* 1-based; 0 = unknown */
	const char *message;
};

/* A growing list of them (errors or warnings of one job). */
struct bh_diagvec {
	struct bh_input_error *v;
	size_t n, cap;
};

#endif
