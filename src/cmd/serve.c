/* bulkhead serve — the validating admission webhook (DESIGN §6). The command layer: options, signals,
 * the reload tick, structured JSON log lines on stderr. Everything else is in src/serve/. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "rules/rules.h"
#include "serve/buf.h"
#include "serve/server.h"

static const char serve_help[] =
	"usage: bulkhead serve --tls-cert FILE --tls-key FILE [OPTIONS]\n"
	"\n"
	"Runs the validating admission webhook over HTTPS. Paths:\n"
	"  POST /validate   AdmissionReview admission.k8s.io/v1 in, the same kind and uid out\n"
	"  GET  /healthz    200 while the process serves\n"
	"  GET  /readyz     200 while it accepts traffic, 503 while draining\n"
	"  GET  /metrics    Prometheus text format\n"
	"\n"
	"options:\n"
	"  --tls-cert FILE          PEM certificate chain (leaf first); reloaded when the file changes\n"
	"  --tls-key FILE           PEM private key of the leaf; reloaded with the certificate\n"
	"  --listen ADDR:PORT       address to listen on (default 0.0.0.0:8443; [::]:8443 for IPv6; port 0 = any)\n"
	"  --config FILE            bulkhead config (actions by severity, exemptions); reloaded when it changes.\n"
	"                           Without it: $BULKHEAD_CONFIG, else .bulkhead.yaml here or at the git root\n"
	"  --threads N              worker threads (default: one per CPU)\n"
	"  --max-connections N      open connections at most (default 1024)\n"
	"  --idle-timeout SECONDS   close connections idle this long (default 60)\n"
	"  --read-timeout SECONDS   a request must arrive whole within this time (default 10)\n"
	"  --shutdown-delay SECONDS after SIGTERM keep serving this long before draining (default 0)\n"
	"  --shutdown-timeout SECONDS  wait at most this long for requests in flight (default 20)\n"
	"  --log-level LEVEL        debug, info (default), warn, error\n"
	"  --log-allowed            log every decision, not only denials, warnings and errors\n"
	"  --port-file FILE         write the port listened on to FILE once serving\n"
	"  -h, --help               this help\n"
	"\n"
	"signals: SIGHUP reloads certificate and config now; SIGTERM/SIGINT drain and exit 0.\n"
	"Log lines are JSON objects on stderr. Exit codes: 0 after a clean shutdown, 2 usage or start-up error.\n";

struct logctx {
	enum bh_loglevel min;
};

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static void kv(struct bh_buf *b, const char *k, const char *v)
{
	if (!v || !*v)
		return;
	bh_buf_printf(b, ", \"%s\": ", k);
	bh_buf_jsonz(b, v);
}

/* One JSON object per line, written with a single write(2) so lines from pool threads never interleave. */
static void log_line(void *ctx, const struct bh_serve_log *l)
{
	struct logctx *lc = ctx;
	if (l->level < lc->min)
		return;
	char tbuf[40];
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(tbuf + n, sizeof(tbuf) - n, ".%03ldZ", ts.tv_nsec / 1000000);
	struct bh_buf b;
	bh_buf_init(&b, 64 * 1024);
	bh_buf_printf(&b, "{\"time\": \"%s\", \"level\": \"%s\", \"event\": ", tbuf, level_names[l->level]);
	bh_buf_jsonz(&b, l->event);
	kv(&b, "msg", l->msg);
	kv(&b, "method", l->method);
	kv(&b, "path", l->path);
	kv(&b, "peer", l->peer);
	if (l->status)
		bh_buf_printf(&b, ", \"status\": %d", l->status);
	if (l->path)
		bh_buf_printf(&b, ", \"durationUs\": %llu", (unsigned long long)l->duration_us);
	const struct bh_admit_result *a = l->adm;
	if (a) {
		kv(&b, "uid", a->uid);
		kv(&b, "operation", a->op);
		kv(&b, "kind", a->kind);
		kv(&b, "subResource", a->subresource);
		kv(&b, "namespace", a->ns);
		kv(&b, "name", a->name);
		kv(&b, "user", a->user);
		kv(&b, "decision", bh_decision_name(a->decision));
		if (a->dry_run)
			bh_buf_puts(&b, ", \"dryRun\": true");
		if (a->nfindings || a->nsuppressed)
			bh_buf_printf(&b, ", \"findings\": %zu, \"suppressed\": %zu", a->nfindings, a->nsuppressed);
		if (a->nrule) {
			bh_buf_puts(&b, ", \"rules\": [");
			for (size_t i = 0; i < a->nrule; i++)
				bh_buf_printf(&b, "%s\"%s\"", i ? ", " : "", a->rule[i] < bh_nrules ? bh_rules[a->rule[i]].id : "?");
			bh_buf_puts(&b, "]");
		}
	}
	bh_buf_puts(&b, "}\n");
	if (!b.err) {
		ssize_t w = write(STDERR_FILENO, b.p, b.len);
		(void)w;
	}
	bh_buf_release(&b);
}

static int num(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v > max || *s == '-')
		return -1;
	*out = v;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{"tls-cert", required_argument, NULL, 'c'},	    {"tls-key", required_argument, NULL, 'k'},
		{"listen", required_argument, NULL, 'l'},	    {"config", required_argument, NULL, 'C'},
		{"threads", required_argument, NULL, 't'},	    {"max-connections", required_argument, NULL, 'm'},
		{"idle-timeout", required_argument, NULL, 'i'},    {"read-timeout", required_argument, NULL, 'r'},
		{"shutdown-delay", required_argument, NULL, 'D'},  {"shutdown-timeout", required_argument, NULL, 'T'},
		{"log-level", required_argument, NULL, 'L'},	    {"log-allowed", no_argument, NULL, 'A'},
		{"port-file", required_argument, NULL, 'P'},	    {"help", no_argument, NULL, 'h'},
		{0},
	};
	struct bh_server_opts so = {0};
	struct logctx lc = {.min = BH_LOG_INFO};
	unsigned long v, delay = 0, shutdown_timeout = 20;
	const char *port_file = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': so.cert_file = optarg; break;
		case 'k': so.key_file = optarg; break;
		case 'l': so.listen = optarg; break;
		case 'C': so.config_file = optarg; break;
		case 't':
			if (num(optarg, 256, &v) || !v)
				return bh_cli_error("serve", 0, "--threads takes 1..256, not '%s'", optarg);
			so.threads = (unsigned)v;
			break;
		case 'm':
			if (num(optarg, 65536, &v) || !v)
				return bh_cli_error("serve", 0, "--max-connections takes 1..65536, not '%s'", optarg);
			so.max_connections = (unsigned)v;
			break;
		case 'i':
			if (num(optarg, 3600, &v) || !v)
				return bh_cli_error("serve", 0, "--idle-timeout takes 1..3600 seconds, not '%s'", optarg);
			so.idle_timeout = (unsigned)v;
			break;
		case 'r':
			if (num(optarg, 600, &v) || !v)
				return bh_cli_error("serve", 0, "--read-timeout takes 1..600 seconds, not '%s'", optarg);
			so.read_timeout = (unsigned)v;
			break;
		case 'D':
			if (num(optarg, 600, &delay))
				return bh_cli_error("serve", 0, "--shutdown-delay takes 0..600 seconds, not '%s'", optarg);
			break;
		case 'T':
			if (num(optarg, 3600, &shutdown_timeout))
				return bh_cli_error("serve", 0, "--shutdown-timeout takes 0..3600 seconds, not '%s'", optarg);
			break;
		case 'L': {
			int found = -1;
			for (int i = 0; i < 4; i++)
				if (!strcmp(optarg, level_names[i]))
					found = i;
			if (found < 0)
				return bh_cli_error("serve", 0, "--log-level takes debug, info, warn or error, not '%s'", optarg);
			lc.min = (enum bh_loglevel)found;
			break;
		}
		case 'A': so.log_allowed = true; break;
		case 'P': port_file = optarg; break;
		case 'h': fputs(serve_help, stdout); bh_cli_config_help(stdout); return 0;
		default:
			return bh_cli_error("serve", 0, "unknown option or missing value '%s' (see bulkhead serve --help)",
					    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bh_cli_error("serve", 0, "unexpected argument '%s'", argv[optind]);
	if (!so.cert_file || !so.key_file)
		return bh_cli_error("serve", 0, "--tls-cert and --tls-key are required (the API server calls webhooks over HTTPS)");
	so.config_file = bh_cli_config_find(NULL, so.config_file);
	so.log = log_line;
	so.log_ctx = &lc;

	/* Signals are taken synchronously by this thread; block them before the pool threads exist so that
	 * they inherit the mask and never run a handler. A peer closing mid-write must not kill us. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct bh_server *s;
	struct bh_err err = {0};
	if (bh_server_start(&so, &s, &err) < 0) {
		struct bh_serve_log l = {.level = BH_LOG_ERROR, .event = "start", .msg = err.msg};
		log_line(&lc, &l);
		return 2;
	}
	char msg[256];
	snprintf(msg, sizeof(msg), "serving on %s (port %u) with %u threads", so.listen ? so.listen : "0.0.0.0:8443",
		 bh_server_port(s), so.threads ? so.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	struct bh_serve_log l = {.level = BH_LOG_INFO, .event = "listen", .msg = msg};
	log_line(&lc, &l);
	if (port_file) {
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%u\n", bh_server_port(s));
			if (fclose(f) == 0)
				rename(tmp, port_file); /* readers see the whole number or nothing */
		}
	}

	for (;;) {
		struct timespec tick = {1, 0};
		int sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGHUP) {
			bh_server_reload(s, true);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		bh_server_reload(s, false);
	}

	/* graceful shutdown: keep serving while endpoints propagate, then stop accepting and finish what is
	 * in flight; a second signal cuts the wait short */
	snprintf(msg, sizeof(msg), "shutting down: serving %lu s more, then draining (at most %lu s)", delay,
		 shutdown_timeout);
	l = (struct bh_serve_log){.level = BH_LOG_INFO, .event = "drain", .msg = msg};
	log_line(&lc, &l);
	struct timespec one = {1, 0};
	bool cut = false;
	for (unsigned long i = 0; i < delay && !cut; i++)
		cut = sigtimedwait(&set, NULL, &one) > 0 && true;
	bh_server_drain(s);
	struct timespec step = {0, 10 * 1000 * 1000};
	for (unsigned long i = 0; i < shutdown_timeout * 100 && !cut && bh_server_inflight(s) > 0; i++) {
		int sig = sigtimedwait(&set, NULL, &step);
		cut = sig == SIGTERM || sig == SIGINT;
	}
	long left = bh_server_inflight(s);
	snprintf(msg, sizeof(msg), "stopped%s; %ld request%s still in flight were cut off", cut ? " on a second signal" : "",
		 left, left == 1 ? "" : "s");
	l = (struct bh_serve_log){.level = left ? BH_LOG_WARN : BH_LOG_INFO, .event = "stop", .msg = msg};
	bh_server_stop(s);
	log_line(&lc, &l);
	return 0;
}
