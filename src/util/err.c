#include "err.h"

#include <stdarg.h>
#include <stdio.h>

/* Returns code so callers can write `return bh_err_set(e, -EINVAL, ...)`. */
int bh_err_set(struct bh_err *e, int code, uint32_t line, uint32_t col, const char *fmt, ...)
{
	if (!e)
		return code;
	e->code = code;
	e->line = line;
	e->col = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}
