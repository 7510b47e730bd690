/* Which config a command uses (--config FILE, $BULKHEAD_CONFIG, ./.bulkhead.yaml, the repository root's
 * .bulkhead.yaml: bh_config_discover in src/config/), named on stderr when it was found rather than
 * given, and loaded once with errors as file:line:col and exit 2. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "config/config.h"

const char *bh_cli_config_find(const char *cmd, const char *explicit_path)
{
	static char path[4096]; /* one config per process: serve keeps the name to reload it */
	enum bh_config_source src = bh_config_discover(explicit_path, path, sizeof(path));
	if (src == BH_CONFIG_NONE)
		return NULL;
	if (cmd && src != BH_CONFIG_OPTION) /* a file the user did not name changes results: say which */
		fprintf(stderr, "bulkhead %s: config %s (from %s)\n", cmd, path, bh_config_source_name(src));
	return path;
}

void bh_cli_config_help(FILE *out)
{
	char path[4096];
	enum bh_config_source src = bh_config_discover(NULL, path, sizeof(path));
	/* nothing when none is found: the man page is generated from --help and must not vary */
	if (src != BH_CONFIG_NONE)
		fprintf(out, "\nconfig in use without --config: %s (from %s)\n", path, bh_config_source_name(src));
}

int bh_cli_config(const char *cmd, int json, const char *explicit_path, struct bh_config **out)
{
	*out = NULL;
	const char *path = bh_cli_config_find(cmd, explicit_path);
	if (!path)
		return 0;
	struct bh_err err = {0};
	if (bh_config_load(path, out, &err) >= 0)
		return 0;
	if (err.line)
		return bh_cli_error(cmd, json, "%s:%u:%u: %s", path, err.line, err.col, err.msg);
	return bh_cli_error(cmd, json, "%s: %s", path, err.msg);
}

void bh_cli_expired_note(const struct bh_config *cfg, const struct bh_exemption *x, void *ctx)
{
	char msg[512];
	bh_config_expired_msg(cfg, x, msg, sizeof(msg));
	fprintf(stderr, "bulkhead %s: %s\n", (const char *)ctx, msg);
}
