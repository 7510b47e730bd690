/* bulkhead audit FILE|- — escape preparation in the API server's audit log (docs/audit.md). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cmd.h"
#include "config/config.h"
#include "serve/server.h"

static const char audit_help[] =
	"usage: bulkhead audit [OPTIONS] FILE|-...\n"
	"       bulkhead audit --listen ADDR:PORT --tls-cert FILE --tls-key FILE [OPTIONS]\n"
	"\n"
	"Reads Kubernetes API server audit logs (audit.k8s.io/v1 Event JSON lines as the log backend writes\n"
	"them, or EventList documents) and reports escape preparation: pods and workloads with escape\n"
	"avenues (the scan rules on requestObject), exec/attach/port-forward into them, nodes/proxy, ephemeral\n"
	"containers, RBAC escalation, token requests, node CSRs, anonymous successes, service accounts listing\n"
	"secrets, tampering with the admission webhook and Pod Security labels; and one incident when a user\n"
	"creates such a pod and opens a session into it within the window. With --listen it is the API\n"
	"server's audit webhook backend (--audit-webhook-config-file) and prints alerts as JSON lines.\n"
	"\n"
	"options:\n"
	"  --format FORMAT      text (default), json, sarif, jsonl (one JSON object per finding, for log\n"
	"                       pipelines; --listen always writes jsonl)\n"
	"  --fail-on SEVERITY   exit 1 when a finding is at or above SEVERITY (default high; none)\n"
	"  --config FILE        the audit: section (disable, severity, allow by user/group/namespace) and the\n"
	"                       scan rules' settings applied to objects; without it: $BULKHEAD_CONFIG, else\n"
	"                       .bulkhead.yaml here or at the git root\n"
	"  --show-suppressed    also list findings suppressed by audit.allow (text, json, sarif)\n"
	"  --window SECONDS     correlation window: pod creation, then a session into it (default 600)\n"
	"  --webhook-name NAME  a ValidatingWebhookConfiguration that is bulkhead's own (repeatable;\n"
	"                       default bulkhead)\n"
	"  --max-event-size N   bytes of one event (default 16 MiB); larger lines are errors\n"
	"  --no-fast-path       decode every event, even those no rule can match (slower; for comparison)\n"
	"  --stats              print events read, decoded, skipped, duplicates and errors on stderr\n"
	"  --quiet              text: print only the summary line\n"
	"  -h, --help           this help\n"
	"\n"
	"webhook backend (docs/audit.md):\n"
	"  --listen ADDR:PORT   serve POST /audit over HTTPS (also /healthz, /readyz, /metrics)\n"
	"  --tls-cert FILE, --tls-key FILE   the serving certificate and key (PEM; reloaded when changed)\n"
	"  --max-body N         bytes of one batch (default 32 MiB); larger batches are answered 413\n"
	"\n"
	"exit codes: 0 nothing at or above the fail level, 1 findings at or above it,\n"
	"            2 usage error or input that could not be read (every other event is still judged)\n";

enum { FMT_JSONL = 100 };

struct audit_cli {
	int format, fail_on;
	bool quiet, stats, show_suppressed;
	const char *config, *listen;
	struct bh_server_opts tls; /* --tls-cert, --tls-key */
	size_t max_body;
	const char *webhooks[16];
	struct bh_audit_opts o;
};

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || v == 0)
		return -1;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	if (*end)
		return -1;
	*out = (size_t)v;
	return 0;
}

static int parse_format(const char *s)
{
	if (!strcmp(s, "jsonl"))
		return FMT_JSONL;
	int f = bh_format_parse(s);
	return f == BH_FMT_TEXT || f == BH_FMT_JSON || f == BH_FMT_SARIF ? f : -1;
}

/* Returns -1 to go on, else the exit code. */
static int parse_opt(struct audit_cli *c, int opt, const char *arg, const char *bad)
{
	bool json = c->format == BH_FMT_JSON;
	unsigned long w;
	char *end;
	if (bh_cli_tls_opt(&c->tls, opt, arg))
		return -1;
	switch (opt) {
	case 'f':
		if ((c->format = parse_format(arg)) < 0)
			return bh_cli_error("audit", 0, "unknown --format '%s' (text, json, sarif, jsonl)", arg);
		return -1;
	case 'F':
		if ((c->fail_on = bh_sev_parse(arg)) < 0)
			return bh_cli_error("audit", json, "unknown --fail-on '%s' (critical, high, medium, low, info, none)", arg);
		return -1;
	case 'c': c->config = arg; return -1;
	case 'w':
		w = strtoul(arg, &end, 10);
		if (!*arg || *end || !w || w > 7 * 86400)
			return bh_cli_error("audit", json, "--window takes seconds from 1 to 604800, not '%s'", arg);
		c->o.window = (unsigned)w;
		return -1;
	case 'n':
		if (c->o.nwebhooks >= 16)
			return bh_cli_error("audit", json, "at most 16 --webhook-name");
		c->webhooks[c->o.nwebhooks++] = arg;
		c->o.webhooks = c->webhooks;
		return -1;
	case 'm':
		if (parse_size(arg, &c->o.max_event) || c->o.max_event > (1u << 30))
			return bh_cli_error("audit", json, "--max-event-size takes bytes (K, M suffixes; at most 1 GiB), not '%s'", arg);
		return -1;
	case 'b':
		if (parse_size(arg, &c->max_body) || c->max_body > (1u << 30))
			return bh_cli_error("audit", json, "--max-body takes bytes (K, M suffixes; at most 1 GiB), not '%s'", arg);
		return -1;
	case 'x': c->o.no_fast = true; return -1;
	case 's': c->stats = true; return -1;
	case 'q': c->quiet = true; return -1;
	case 'S': c->show_suppressed = true; return -1;
	case 'l': c->listen = arg; return -1;
	case 'h': fputs(audit_help, stdout); bh_cli_config_help(stdout); return 0;
	default: return bh_cli_error("audit", json, "unknown option '%s' (see bulkhead audit --help)", bad);
	}
}

static int parse(struct audit_cli *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'}, {"fail-on", required_argument, NULL, 'F'},
		{"config", required_argument, NULL, 'c'}, {"window", required_argument, NULL, 'w'},
		{"webhook-name", required_argument, NULL, 'n'}, {"max-event-size", required_argument, NULL, 'm'},
		{"max-body", required_argument, NULL, 'b'}, {"no-fast-path", no_argument, NULL, 'x'},
		{"stats", no_argument, NULL, 's'}, {"quiet", no_argument, NULL, 'q'},
		{"show-suppressed", no_argument, NULL, 'S'},
		{"listen", required_argument, NULL, 'l'}, BH_CLI_TLS_OPTIONS,
		{"cert", required_argument, NULL, BH_OPT_TLS_CERT}, {"key", required_argument, NULL, BH_OPT_TLS_KEY},
		{"help", no_argument, NULL, 'h'}, {0},
	};
	/* --format first, so that usage errors come out as JSON when JSON was asked for */
	for (int i = 1; i + 1 < argc; i++)
		if (!strcmp(argv[i], "--format") && !strcmp(argv[i + 1], "json"))
			c->format = BH_FMT_JSON;
	opterr = 0;
	optind = 1;
	int opt;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		int rc = parse_opt(c, opt, optarg, argv[optind - 1]);
		if (rc >= 0)
			return rc;
	}
	return -1;
}

struct jsonl_state {
	struct bh_audit *a;
	size_t from, from_err;
};

static void flush_jsonl(void *ctx)
{
	struct jsonl_state *j = ctx;
	bh_audit_write_jsonl(stdout, j->a, &j->from, &j->from_err);
	fflush(stdout);
}

static int exit_code(struct bh_audit *a, int fail_on)
{
	struct bh_report r;
	bh_audit_report(a, &r);
	if (r.nerrors)
		return 2;
	for (size_t i = 0; fail_on != BH_SEV_NONE && r.findings && i < r.findings->n; i++)
		if (!r.findings->v[i].suppressed && (int)r.findings->v[i].sev >= fail_on)
			return 1;
	return 0;
}

static void print_stats(const struct bh_audit *a)
{
	const struct bh_audit_stats *s = bh_audit_stats(a);
	fprintf(stderr,
		"bulkhead audit: %llu events (%llu bytes): %llu decoded, %llu skipped by the fast path, %llu duplicates, "
		"%llu errors\n",
		(unsigned long long)s->events, (unsigned long long)s->bytes, (unsigned long long)s->decoded,
		(unsigned long long)s->skipped, (unsigned long long)s->duplicates, (unsigned long long)s->errors);
}

static int run_files(struct audit_cli *c, struct bh_audit *a, char **files, int nfiles, struct jsonl_state *j)
{
	for (int i = 0; i < nfiles; i++) {
		bh_audit_file(a, files[i]);
		if (c->format == FMT_JSONL)
			flush_jsonl(j);
	}
	if (c->format != FMT_JSONL) {
		struct bh_report r;
		bh_audit_report(a, &r);
		r.color = isatty(1) && !getenv("NO_COLOR");
		r.summary_only = c->quiet;
		r.show_suppressed = c->show_suppressed;
		bh_report_write(stdout, c->format, &r);
	}
	if (c->stats)
		print_stats(a);
	int rc = exit_code(a, c->fail_on);
	return fflush(stdout) ? 2 : rc;
}

/* ---- the audit webhook backend ----
 * The API server's webhook backend (batch mode, the default) buffers events and POSTs EventList batches; a
 * batch that fails or times out is sent again (at least once), so events are de-duplicated by auditID and
 * stage (bh_audit's seen set). A batch is judged in a few milliseconds under one lock and answered at once;
 * alerts go to a bounded queue that a writer thread empties to stdout, so a slow reader of our output never
 * slows the answers (when the queue is full, alerts are dropped and counted on stderr). */

#define OUTQ_MAX (64u << 20)

struct listener {
	struct bh_audit *a;
	pthread_mutex_t mu;       /* the audit state: one batch at a time */
	pthread_mutex_t qmu;
	pthread_cond_t qcv;
	char *q;                  /* alerts waiting for the writer */
	size_t qlen;
	bool stop;
	uint64_t dropped, batches;
};

static void enqueue(struct listener *l, const char *p, size_t n)
{
	pthread_mutex_lock(&l->qmu);
	char *nq = l->qlen + n <= OUTQ_MAX ? realloc(l->q, l->qlen + n) : NULL;
	if (nq) {
		memcpy(nq + l->qlen, p, n);
		l->q = nq;
		l->qlen += n;
		pthread_cond_signal(&l->qcv);
	} else
		l->dropped++;
	pthread_mutex_unlock(&l->qmu);
}

static void *writer(void *arg)
{
	struct listener *l = arg;
	pthread_mutex_lock(&l->qmu);
	for (;;) {
		while (!l->qlen && !l->stop)
			pthread_cond_wait(&l->qcv, &l->qmu);
		if (!l->qlen && l->stop)
			break;
		char *p = l->q;
		size_t n = l->qlen;
		l->q = NULL;
		l->qlen = 0;
		pthread_mutex_unlock(&l->qmu);
		fwrite(p, 1, n, stdout);
		fflush(stdout);
		free(p);
		pthread_mutex_lock(&l->qmu);
	}
	pthread_mutex_unlock(&l->qmu);
	return NULL;
}

static int on_batch(void *ctx, const char *body, size_t len, struct bh_buf *out, struct bh_admit_result *res)
{
	struct listener *l = ctx;
	memset(res, 0, sizeof(*res));
	res->decision = BH_DEC_ALLOW;
	struct bh_err err = {0};
	char *alerts = NULL;
	size_t alen = 0, from = 0, from_err = 0;
	FILE *m = open_memstream(&alerts, &alen);
	pthread_mutex_lock(&l->mu);
	int rc = bh_audit_batch(l->a, "webhook", body, len, &err);
	if (m)
		bh_audit_write_jsonl(m, l->a, &from, &from_err);
	bh_audit_forget(l->a);
	l->batches++;
	pthread_mutex_unlock(&l->mu);
	if (m) {
		fclose(m);
		if (alen)
			enqueue(l, alerts, alen);
		free(alerts);
	}
	if (rc < 0) {
		res->decision = BH_DEC_INVALID;
		snprintf(res->error, sizeof(res->error), "%s", err.msg);
		bh_admission_error_body(out, 400, err.msg);
		return res->status = 400;
	}
	bh_buf_puts(out, "{}\n");
	return res->status = out->err ? 500 : 200;
}

static void listen_log(void *ctx, const struct bh_serve_log *l)
{
	if (l->level < BH_LOG_WARN && strcmp(l->event, "listen") && strcmp(l->event, "stop"))
		return;
	static const char *const lv[] = {"debug", "info", "warn", "error"};
	fprintf(stderr, "{\"level\": \"%s\", \"event\": ", lv[l->level]);
	bh_json_str(stderr, l->event);
	fputs(", \"msg\": ", stderr);
	bh_json_str(stderr, l->msg);
	if (l->path) {
		fputs(", \"path\": ", stderr);
		bh_json_str(stderr, l->path);
		fprintf(stderr, ", \"status\": %d", l->status);
	}
	fputs("}\n", stderr);
}

static void serve_until_signal(struct bh_server *s, struct listener *l, bool stats)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	for (;;) {
		struct timespec tick = {1, 0};
		int sig = sigtimedwait(&set, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		bh_server_reload(s, sig == SIGHUP);
	}
	bh_server_drain(s);
	for (int i = 0; i < 500 && bh_server_inflight(s) > 0; i++)
		usleep(10000);
	bh_server_stop(s);
	if (stats)
		print_stats(l->a);
	if (l->dropped)
		fprintf(stderr, "bulkhead audit: %llu batches' alerts dropped: the output queue was full\n",
			(unsigned long long)l->dropped);
}

static int run_listen(struct audit_cli *c, struct bh_audit *a)
{
	if (bh_cli_tls_need("audit", &c->tls, "--listen needs --tls-cert and --tls-key (the API server sends audit batches over HTTPS)"))
		return 2;
	struct listener l = {.a = a};
	pthread_mutex_init(&l.mu, NULL);
	pthread_mutex_init(&l.qmu, NULL);
	pthread_cond_init(&l.qcv, NULL);
	struct bh_server_opts so = {.listen = c->listen, .cert_file = c->tls.cert_file, .key_file = c->tls.key_file,
				    .max_body = c->max_body ? c->max_body : (32u << 20), .log = listen_log,
				    .post_path = "/audit", .post_handler = on_batch, .post_ctx = &l};
	/* signals are taken synchronously by this thread; pool threads inherit the mask */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	pthread_t wt;
	if (pthread_create(&wt, NULL, writer, &l))
		return bh_cli_error("audit", 0, "cannot start the writer thread");
	struct bh_server *s;
	struct bh_err err = {0};
	int rc = 0;
	if (bh_server_start(&so, &s, &err) < 0) {
		rc = bh_cli_error("audit", 0, "%s", err.msg);
	} else {
		char msg[160];
		snprintf(msg, sizeof(msg), "audit webhook backend on %s (port %u), POST /audit", c->listen, bh_server_port(s));
		struct bh_serve_log lg = {.level = BH_LOG_INFO, .event = "listen", .msg = msg};
		listen_log(NULL, &lg);
		serve_until_signal(s, &l, c->stats);
	}
	pthread_mutex_lock(&l.qmu);
	l.stop = true;
	pthread_cond_signal(&l.qcv);
	pthread_mutex_unlock(&l.qmu);
	pthread_join(wt, NULL);
	free(l.q);
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	struct audit_cli c = {.format = BH_FMT_TEXT, .fail_on = BH_SEV_HIGH};
	int rc = parse(&c, argc, argv);
	if (rc >= 0)
		return rc;
	bool json = c.format == BH_FMT_JSON;
	if (!c.listen && optind >= argc)
		return bh_cli_error("audit", json, "no input: give audit log files, - for stdin, or --listen ADDR:PORT");
	if (c.listen && optind < argc)
		return bh_cli_error("audit", json, "--listen reads no files ('%s')", argv[optind]);
	struct bh_config *cfg = NULL;
	if ((rc = bh_cli_config("audit", json, c.config, &cfg)))
		return rc;
	c.o.cfg = cfg;
	if (cfg) /* the audit.allow entries that no longer apply are named once, at start */
		bh_config_each_expired(cfg, cfg->audit.exemptions, cfg->audit.nexemptions, time(NULL), bh_cli_expired_note,
				       "audit: warning: audit.allow");
	struct jsonl_state j = {0};
	if (c.format == FMT_JSONL) {
		c.o.on_chunk = flush_jsonl;
		c.o.ctx = &j;
	}
	struct bh_audit *a;
	if (bh_audit_new(&c.o, &a) < 0) {
		bh_config_free(cfg);
		return bh_cli_error("audit", json, "out of memory");
	}
	j.a = a;
	if (c.listen)
		rc = run_listen(&c, a);
	else
		rc = run_files(&c, a, argv + optind, argc - optind, &j);
	bh_audit_free(a);
	bh_config_free(cfg);
	return rc;
}

