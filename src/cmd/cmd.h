/* Command handlers. Each returns the process exit code: 0 clean, 1 findings at/above the fail level
 * (or forbidden / alerts), 2 usage or input error. */
#ifndef BH_CMD_H
#define BH_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "util/file.h"
#include "util/version.h"

enum {
	BH_CMD_ROOT = 0x1,    /* needs root for full results */
	BH_CMD_BPF = 0x2,     /* loads BPF programs */
	BH_CMD_NET = 0x4,     /* listens on the network */
};

struct bh_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;  /* one line for `bulkhead --help` */
	unsigned flags;
};

extern const struct bh_command bh_commands[];
extern const unsigned bh_ncommands;

int cmd_scan(int argc, char **argv);
int cmd_pss(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_inside(int argc, char **argv);
int cmd_node(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_cluster(int argc, char **argv);
int cmd_netpol(int argc, char **argv);
int cmd_fix(int argc, char **argv);
int cmd_respond(int argc, char **argv);
struct bh_resp_plan;
/* watch --metrics-listen (watch_metrics.c): GET /metrics from a snapshot the event loop publishes. */
struct watch_metrics_server;
int watch_metrics_start(const char *listen, struct watch_metrics_server **out, char *err, size_t errlen);
unsigned watch_metrics_port(const struct watch_metrics_server *m);
void watch_metrics_publish(struct watch_metrics_server *m, char *text, size_t len); /* takes text (malloc'd) */
void watch_metrics_stop(struct watch_metrics_server *m);

/* respond --apply (respond_apply.c): the plan's writes through the API client, dry-run first. Exit code. */
int bh_respond_apply(const struct bh_resp_plan *p, const char *kubeconfig, const char *context, bool dry_only, bool json);

/* Prints "bulkhead CMD: message" on stderr, or {"error": …} on stdout when json is set. Returns 2. */
int bh_cli_error(const char *cmd, int json, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The value of --format, checked against the reporter table and the formats the command offers (mask:
 * bits 1 << enum bh_format). 0 and *format set, or 2 after the usage error. */
int bh_cli_format(const char *cmd, const char *arg, unsigned mask, int *format);
/* Whether the command line asks for JSON (the last --format), looked up before the options are parsed
 * so that every usage error comes out as JSON when JSON was asked for. */
bool bh_cli_json_asked(int argc, char **argv);
/* The TLS options of the commands that listen over HTTPS (serve; audit --listen): getopt_long codes above
 * any character, the option-table entries, and where their values go (a bh_server_opts). */
enum { BH_OPT_TLS_CERT = 0x200, BH_OPT_TLS_KEY, BH_OPT_CLIENT_CA };
#define BH_CLI_TLS_OPTIONS                                                                                      \
	{"tls-cert", required_argument, NULL, BH_OPT_TLS_CERT}, {"tls-key", required_argument, NULL, BH_OPT_TLS_KEY}
struct bh_server_opts;
/* Stores the value of --tls-cert, --tls-key or --client-ca (BH_OPT_*) in so's cert_file, key_file or
 * client_ca_file: true when code was one of them. */
bool bh_cli_tls_opt(struct bh_server_opts *so, int code, const char *arg);
/* 0 when a certificate and a key were both given, else the usage error why (returns 2). */
int bh_cli_tls_need(const char *cmd, const struct bh_server_opts *so, const char *why);
struct bh_cvedb;
/* Loads the escape CVE data (FILE, or the built-in copy when path is NULL) into db for command cmd.
 * 0, or the exit code 2 after printing the error (db released). */
int bh_cli_cvedb(const char *cmd, int json, const char *path, struct bh_cvedb *db);
struct bh_config;
struct bh_exemption;
/* The config a command uses: explicit_path (--config), else $BULKHEAD_CONFIG, else .bulkhead.yaml in the
 * working directory, else at the git repository root; a found (not given) file is named on stderr
 * (not by bh_cli_config_find with cmd NULL: serve's stderr is JSON log lines).
 * bh_cli_config_find returns the path (static storage) or NULL; bh_cli_config loads it into *out (NULL when
 * there is none) and returns 0, or prints the error (file:line:col) and returns 2. */
const char *bh_cli_config_find(const char *cmd, const char *explicit_path);
int bh_cli_config(const char *cmd, int json, const char *explicit_path, struct bh_config **out);
/* For --help: which config would be used without --config. */
void bh_cli_config_help(FILE *out);
/* bh_config_each_expired callback for the area sections: names an expired allow entry on stderr;
 * ctx is the line's prefix after "bulkhead ", e.g. "node: warning: node.allow" */
void bh_cli_expired_note(const struct bh_config *cfg, const struct bh_exemption *x, void *ctx);

#endif
