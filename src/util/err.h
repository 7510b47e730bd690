/* Caller-owned error: library code never prints and never exits; it fills one of these. */
#ifndef BH_ERR_H
#define BH_ERR_H
#include <stdint.h>

struct bh_err {
	int code;          /* negative errno, 0 = none */
	const char *file;  /* input name, may be NULL */
	uint32_t line, col; /* 1-based; 0 = unknown */
	char msg[256];
};

int bh_err_set(struct bh_err *e, int code, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif
