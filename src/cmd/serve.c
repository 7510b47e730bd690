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
#include "imgverify.h"
#include "rules/rules.h"
#include "serve/buf.h"
#include "serve/server.h"
#include "serve/webhook.h"
#include "util/file.h"

static const char serve_help[] =
	"usage: bulkhead serve --tls-cert FILE --tls-key FILE [OPTIONS]\n"
	"       bulkhead serve --print-webhook [--config FILE] [--webhook-url URL] [--ca-bundle FILE]\n"
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
	"  --max-connections-per-client N  open connections from one IP address at most (default 256)\n"
	"  --connection-reserve N   slots kept free by closing idle and slow connections first (default 64)\n"
	"  --header-timeout SECONDS TLS handshake and request headers within this time, however slowly\n"
	"                           they trickle in (default 10)\n"
	"  --idle-timeout SECONDS   a keep-alive connection waits this long for its next request (default 60)\n"
	"  --read-timeout SECONDS   a request body must arrive whole within this time (default 10)\n"
	"  --client-ca FILE         PEM CA: POST /validate requires a client certificate it signed (the API\n"
	"                           server's, see docs/serve.md); probes and metrics need none\n"
	"  --shutdown-delay SECONDS after SIGTERM keep serving this long before draining (default 0)\n"
	"  --shutdown-timeout SECONDS  wait at most this long for requests in flight (default 20)\n"
	"  --log-level LEVEL        debug, info (default), warn, error\n"
	"  --log-allowed            log every decision, not only denials, warnings and errors\n"
	"  --registry-ca FILE       CA certificates (PEM) for registries when the config's serve.verifyImages\n"
	"                           asks for image signatures (default: the system's)\n"
	"  --docker-config FILE     registry credentials for them (default $DOCKER_CONFIG/config.json)\n"
	"  --port-file FILE         write the port listened on to FILE once serving\n"
	"  --print-webhook          write the ValidatingWebhookConfiguration for the kinds bulkhead knows and\n"
	"                           the config's podTemplatePaths to stdout, and exit\n"
	"  --webhook-url URL        with --print-webhook: clientConfig.url instead of the bulkhead Service\n"
	"  --ca-bundle FILE         with --print-webhook: the PEM CA to put in caBundle\n"
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
				bh_buf_printf(&b, "%s\"%s\"", i ? ", " : "", a->rule[i] ? a->rule[i] : "?");
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

struct cli {
	struct bh_server_opts so;
	struct logctx lc;
	unsigned long delay, shutdown_timeout;
	const char *port_file, *webhook_url, *ca_bundle;
	bool print_webhook;
	struct bh_img_vcfg vcfg;   /* image signatures at admission (serve.verifyImages) */
	struct bh_imgv_hook vh;
};

/* Numeric options: short code, range, unit for the message. */
static const struct numopt {
	int code;
	const char *name;
	unsigned long min, max;
	const char *unit;
} numopts[] = {
	{'t', "--threads", 1, 256, ""},
	{'m', "--max-connections", 1, 65536, ""},
	{'p', "--max-connections-per-client", 1, 65536, ""},
	{'R', "--connection-reserve", 1, 65536, ""},
	{'H', "--header-timeout", 1, 600, " seconds"},
	{'i', "--idle-timeout", 1, 3600, " seconds"},
	{'r', "--read-timeout", 1, 600, " seconds"},
	{'D', "--shutdown-delay", 0, 600, " seconds"},
	{'T', "--shutdown-timeout", 0, 3600, " seconds"},
};

static void numopt_store(struct cli *o, int code, unsigned long v)
{
	unsigned u = (unsigned)v;
	switch (code) {
	case 't': o->so.threads = u; break;
	case 'm': o->so.max_connections = u; break;
	case 'p': o->so.max_per_client = u; break;
	case 'R': o->so.reserve = u; break;
	case 'H': o->so.header_timeout = u; break;
	case 'i': o->so.idle_timeout = u; break;
	case 'r': o->so.read_timeout = u; break;
	case 'D': o->delay = v; break;
	case 'T': o->shutdown_timeout = v; break;
	}
}

/* One option; 0 to go on, 1 to exit 0 (help), else the exit code of a usage error. */
static int one_opt(struct cli *o, int c, const char *arg, const char *raw)
{
	if (bh_cli_tls_opt(&o->so, c, arg))
		return 0;
	for (size_t i = 0; i < sizeof(numopts) / sizeof(numopts[0]); i++) {
		const struct numopt *n = &numopts[i];
		unsigned long v;
		if (n->code != c)
			continue;
		if (num(arg, n->max, &v) || v < n->min)
			return bh_cli_error("serve", 0, "%s takes %lu..%lu%s, not '%s'", n->name, n->min, n->max, n->unit, arg);
		numopt_store(o, c, v);
		return 0;
	}
	switch (c) {
	case 'l': o->so.listen = arg; return 0;
	case 'C': o->so.config_file = arg; return 0;
	case 'A': o->so.log_allowed = true; return 0;
	case 'P': o->port_file = arg; return 0;
	case 'W': o->print_webhook = true; return 0;
	case 'U': o->webhook_url = arg; return 0;
	case 'B': o->ca_bundle = arg; return 0;
	case 'a': o->vcfg.o.registry_ca = arg; return 0;
	case 'd': o->vcfg.o.docker_config = arg; return 0;
	case 'h':
		fputs(serve_help, stdout);
		bh_cli_config_help(stdout);
		return 1;
	case 'L':
		for (int i = 0; i < 4; i++)
			if (!strcmp(arg, level_names[i])) {
				o->lc.min = (enum bh_loglevel)i;
				return 0;
			}
		return bh_cli_error("serve", 0, "--log-level takes debug, info, warn or error, not '%s'", arg);
	default:
		return bh_cli_error("serve", 0, "unknown option or missing value '%s' (see bulkhead serve --help)", raw);
	}
}

static int parse(int argc, char **argv, struct cli *o)
{
	static const struct option opts[] = {
		BH_CLI_TLS_OPTIONS,				     {"client-ca", required_argument, NULL, BH_OPT_CLIENT_CA},
		{"listen", required_argument, NULL, 'l'},	     {"config", required_argument, NULL, 'C'},
		{"threads", required_argument, NULL, 't'},	     {"max-connections", required_argument, NULL, 'm'},
		{"max-connections-per-client", required_argument, NULL, 'p'},
		{"connection-reserve", required_argument, NULL, 'R'}, {"header-timeout", required_argument, NULL, 'H'},
		{"idle-timeout", required_argument, NULL, 'i'},     {"read-timeout", required_argument, NULL, 'r'},
		{"shutdown-delay", required_argument, NULL, 'D'},   {"shutdown-timeout", required_argument, NULL, 'T'},
		{"log-level", required_argument, NULL, 'L'},
		{"log-allowed", no_argument, NULL, 'A'},	     {"port-file", required_argument, NULL, 'P'},
		{"print-webhook", no_argument, NULL, 'W'},	     {"webhook-url", required_argument, NULL, 'U'},
		{"ca-bundle", required_argument, NULL, 'B'},	     {"help", no_argument, NULL, 'h'},
		{"registry-ca", required_argument, NULL, 'a'},	     {"docker-config", required_argument, NULL, 'd'},
		{0},
	};
	int c, rc;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1)
		if ((rc = one_opt(o, c, optarg, argv[optind - 1])))
			return rc;
	if (optind < argc)
		return bh_cli_error("serve", 0, "unexpected argument '%s'", argv[optind]);
	if (!o->print_webhook &&
	    bh_cli_tls_need("serve", &o->so, "--tls-cert and --tls-key are required (the API server calls webhooks over HTTPS)"))
		return 2;
	o->so.config_file = bh_cli_config_find(NULL, o->so.config_file);
	return 0;
}

static int print_webhook(const struct cli *o)
{
	struct bh_config *cfg = NULL;
	struct bh_err err = {0};
	if (o->so.config_file && bh_config_load(o->so.config_file, &cfg, &err) < 0)
		return bh_cli_error("serve", 0, "%s:%u:%u: %s", o->so.config_file, err.line, err.col, err.msg);
	struct bh_webhook_opts w = {.url = o->webhook_url};
	char *ca = NULL;
	int rc;
	if (o->ca_bundle && (rc = bh_read_file(o->ca_bundle, 1u << 20, &ca, &w.ca_len)) < 0) {
		bh_config_free(cfg);
		return bh_cli_error("serve", 0, "--ca-bundle %s: %s", o->ca_bundle, strerror(-rc));
	}
	w.ca_bundle = ca;
	struct bh_buf b;
	bh_buf_init(&b, 0);
	rc = bh_webhook_render(cfg, &w, &b);
	if (rc == 0 && fwrite(b.p, 1, b.len, stdout) != b.len)
		rc = -EIO;
	bh_buf_release(&b);
	free(ca);
	bh_config_free(cfg);
	if (rc == -E2BIG)
		return bh_cli_error("serve", 0, "the config names more API groups (64) or kinds per group (31) than "
				    "--print-webhook can write; nothing was printed");
	return rc ? bh_cli_error("serve", 0, "cannot write the webhook configuration") : 0;
}

static void write_port_file(const char *port_file, unsigned port)
{
	char tmp[4096];
	snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%u\n", port);
		if (fclose(f) == 0)
			rename(tmp, port_file); /* readers see the whole number or nothing */
	}
}

static void logmsg(struct logctx *lc, enum bh_loglevel lv, const char *event, const char *msg)
{
	struct bh_serve_log l = {.level = lv, .event = event, .msg = msg};
	log_line(lc, &l);
}

/* Serves until SIGTERM/SIGINT: SIGHUP reloads now, the 1 s tick reloads what changed. */
static void run(struct bh_server *s, const sigset_t *set)
{
	for (;;) {
		struct timespec tick = {1, 0};
		int sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGHUP) {
			bh_server_reload(s, true);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			return;
		bh_server_reload(s, false);
	}
}

/* Graceful shutdown: keep serving while endpoints propagate, then stop accepting and finish what is in
 * flight; a second signal cuts the wait short. */
static void shut_down(struct bh_server *s, const sigset_t *set, struct cli *o)
{
	char msg[256];
	snprintf(msg, sizeof(msg), "shutting down: serving %lu s more, then draining (at most %lu s)", o->delay,
		 o->shutdown_timeout);
	logmsg(&o->lc, BH_LOG_INFO, "drain", msg);
	struct timespec one = {1, 0};
	bool cut = false;
	for (unsigned long i = 0; i < o->delay && !cut; i++)
		cut = sigtimedwait(set, NULL, &one) > 0;
	bh_server_drain(s);
	struct timespec step = {0, 10 * 1000 * 1000};
	for (unsigned long i = 0; i < o->shutdown_timeout * 100 && !cut && bh_server_inflight(s) > 0; i++) {
		int sig = sigtimedwait(set, NULL, &step);
		cut = sig == SIGTERM || sig == SIGINT;
	}
	long left = bh_server_inflight(s);
	snprintf(msg, sizeof(msg), "stopped%s; %ld request%s still in flight were cut off", cut ? " on a second signal" : "",
		 left, left == 1 ? "" : "s");
	bh_server_stop(s);
	logmsg(&o->lc, left ? BH_LOG_WARN : BH_LOG_INFO, "stop", msg);
}

/* the image verifier's counters on /metrics */
static void verify_metrics(void *ctx, struct bh_buf *b)
{
	struct bh_img_vstats st;
	bh_img_verifier_stats(ctx, &st);
	static const char *const names[] = {"requests", "cache_hits", "cache_misses", "resolves", "verifications",
					    "timeouts", "errors", "busy", "cache_evictions"};
	const uint64_t v[] = {st.requests, st.hits, st.misses, st.resolves, st.verifications, st.timeouts, st.errors,
			      st.busy, st.evictions};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		bh_buf_printf(b, "# TYPE bulkhead_image_verify_%s_total counter\nbulkhead_image_verify_%s_total %llu\n",
			      names[i], names[i], (unsigned long long)v[i]);
	bh_buf_printf(b, "# TYPE bulkhead_image_verify_cache_entries gauge\nbulkhead_image_verify_cache_entries %llu\n",
		      (unsigned long long)st.entries);
}

/* The verifier (4 fetching threads, each registry request at most 5 s) and the admission hook. Started
 * whatever the config says, so that a reload can turn serve.verifyImages on. */
static int verify_start(struct cli *o)
{
	o->vcfg.o.timeout_ms = 5000;
	if (!(o->vh.v = bh_img_verifier_new(&o->vcfg)))
		return -1;
	o->so.on_pod = bh_imgv_on_pod;
	o->so.on_pod_ctx = &o->vh;
	o->so.metrics_extra = verify_metrics;
	o->so.metrics_ctx = o->vh.v;
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	struct cli o = {.lc = {.min = BH_LOG_INFO}, .shutdown_timeout = 20};
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc == 1 ? 0 : rc;
	if (o.print_webhook)
		return print_webhook(&o);
	o.so.log = log_line;
	o.so.log_ctx = &o.lc;

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
	if (verify_start(&o)) {
		logmsg(&o.lc, BH_LOG_ERROR, "start", "cannot start the image verifier");
		return 2;
	}
	if (bh_server_start(&o.so, &s, &err) < 0) {
		logmsg(&o.lc, BH_LOG_ERROR, "start", err.msg);
		bh_img_verifier_free(o.vh.v);
		return 2;
	}
	char msg[256];
	snprintf(msg, sizeof(msg), "serving on %s (port %u) with %u threads", o.so.listen ? o.so.listen : "0.0.0.0:8443",
		 bh_server_port(s), o.so.threads ? o.so.threads : (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	logmsg(&o.lc, BH_LOG_INFO, "listen", msg);
	if (o.port_file)
		write_port_file(o.port_file, bh_server_port(s));
	run(s, &set);
	shut_down(s, &set, &o);
	bh_img_verifier_free(o.vh.v);
	return 0;
}
