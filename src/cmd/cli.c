#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report/report.h"

int bh_cli_error(const char *cmd, int json, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json) {
		fputs("{\"error\": ", stdout);
		bh_json_str(stdout, msg);
		fputs("}\n", stdout);
	}
	fprintf(stderr, "bulkhead %s: %s\n", cmd, msg);
	return 2;
}
