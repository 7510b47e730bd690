#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "report/report.h"
#include "serve/server.h"

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

bool bh_cli_tls_opt(struct bh_server_opts *so, int code, const char *arg)
{
	switch (code) {
	case BH_OPT_TLS_CERT: so->cert_file = arg; return true;
	case BH_OPT_TLS_KEY: so->key_file = arg; return true;
	case BH_OPT_CLIENT_CA: so->client_ca_file = arg; return true;
	default: return false;
	}
}

int bh_cli_tls_need(const char *cmd, const struct bh_server_opts *so, const char *why)
{
	return so->cert_file && so->key_file ? 0 : bh_cli_error(cmd, 0, "%s", why);
}
