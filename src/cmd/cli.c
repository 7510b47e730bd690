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

int bh_cli_format(const char *cmd, const char *arg, unsigned mask, int *format)
{
	int f = bh_format_parse(arg);
	if (f < 0 || !(mask & (1u << f))) {
		char list[128];
		bh_format_list(list, sizeof(list), mask);
		return bh_cli_error(cmd, 0, "unknown --format '%s' (%s)", arg, list);
	}
	*format = f;
	return 0;
}

bool bh_cli_json_asked(int argc, char **argv)
{
	bool json = false;
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			json = !strcmp(argv[++i], "json");
		else if (!strncmp(argv[i], "--format=", 9))
			json = !strcmp(argv[i] + 9, "json");
	}
	return json;
}
