/* bulkhead watch: run the escape sensor (or replay a recording) and print alerts as they happen. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config/config.h"
#include "report/report.h"
#include "watch/detect.h"
#include "watch/engine.h"

static volatile sig_atomic_t stop_flag, stats_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void on_usr1(int sig)
{
	(void)sig;
	stats_flag = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bulkhead watch [OPTIONS]\n\n"
		"Detect container escapes as they happen: an eBPF sensor (tracepoints, ring buffer, in-kernel\n"
		"filtering of host processes) feeds the BH05xx rules; alerts are printed one per line.\n\n"
		"options:\n"
		"  --format text|json     alert format (json: one object per line)\n"
		"  --output FILE          write alerts to FILE instead of stdout\n"
		"  --duration S           stop after S seconds (default: until SIGINT/SIGTERM)\n"
		"  --config FILE          YAML config; its watch: section disables rules, overrides severities\n"
		"                         and allow-lists processes (see docs/watch.md). Without it:\n"
		"                         $BULKHEAD_CONFIG, else .bulkhead.yaml here or at the git root\n"
		"  --include-host         also report processes in the host's namespaces\n"
		"  --record FILE          write every sensor event to FILE (for --replay)\n"
		"  --replay FILE          read events from a recording instead of the kernel (no root needed)\n"
		"  --ringbuf-mb N         ring buffer size in MiB, a power of two (default 8)\n"
		"  --fail-on SEV          exit 1 when an alert at or above SEV was raised (default high)\n"
		"  --show-suppressed      print allow-listed alerts too, marked suppressed\n"
		"  --no-dedup             report every repeat of a rule by the same process\n"
		"  --container PREFIX     only handle (and record) events of containers whose id starts with PREFIX\n"
		"  --list-rules           print the watch rules and exit\n\n"
		"Counters (events seen, filtered, dropped) are printed on stderr at exit and on SIGUSR1.\n"
		"exit codes: 0 no alert at or above the fail level, 1 alerts, 2 usage error or sensor failure\n");
}

static void expired_note(const struct bh_config *c, const struct bh_exemption *x, void *ctx)
{
	char msg[512];
	bh_config_expired_msg(c, x, msg, sizeof(msg));
	fprintf(stderr, "bulkhead watch: warning: %s\n", msg);
}

/* the one config loader (--config, $BULKHEAD_CONFIG or .bulkhead.yaml), its watch: section into cfg;
 * expired allow entries are named now: the detector skips them silently */
static int watch_config(struct bhw_config *cfg, const char *explicit_path, int json)
{
	struct bh_config *c;
	struct bh_err err = {0};
	if (bh_cli_config("watch", json, explicit_path, &c))
		return 2;
	if (!c)
		return 0;
	int rc = bhw_config_from(cfg, c, &err);
	if (rc == 0)
		bh_config_each_expired(c, c->watch.exemptions, c->watch.nexemptions, time(NULL), expired_note, NULL);
	bh_config_free(c);
	return rc ? bh_cli_error("watch", json, "%s", err.msg) : 0;
}

struct run {
	struct bhw_detector *det;
	struct bhw_recorder *rec;
	FILE *out;
	int json;
	bool show_suppressed;
	int fail_on;
	int failed;
	int rec_error;
	const char *container; /* --container: only events of containers whose id starts with this */
	uint64_t skipped;
};

static void on_alert(void *ctx, const struct bhw_alert *a)
{
	struct run *r = ctx;
	if (a->suppressed && !r->show_suppressed)
		return;
	if (!a->suppressed && (int)a->sev >= r->fail_on)
		r->failed = 1;
	if (r->json)
		bhw_alert_json(r->out, a);
	else
		bhw_alert_text(r->out, a);
	fflush(r->out);
}

static int on_event(void *ctx, const struct bhw_event *ev)
{
	struct run *r = ctx;
	if (r->container) {
		char id[BHW_CGNAME], pod[40];
		const char *rt;
		bhw_container_of(ev, id, sizeof(id), &rt, pod, sizeof(pod));
		if (strncmp(id, r->container, strlen(r->container))) {
			r->skipped++;
			return stop_flag ? 1 : 0;
		}
	}
	if (r->rec && !r->rec_error)
		r->rec_error = bhw_recorder_write(r->rec, ev);
	bhw_detector_feed(r->det, ev, on_alert, r);
	return stop_flag ? 1 : 0;
}

static void print_stats(const struct run *r, const struct bhw_engine *eng, struct bhw_source *src)
{
	struct bhw_stats st;
	struct bhw_detector_stats ds;
	eng->stats(src, &st);
	bhw_detector_stats(r->det, &ds);
	if (r->json) {
		fprintf(stderr,
			"{\"stats\":{\"engine\":\"%s\",\"seen\":%llu,\"filtered\":%llu,\"sent\":%llu,\"dropped\":%llu,"
			"\"untracked\":%llu,\"received\":%llu,\"invalid\":%llu,\"alerts\":%llu,\"suppressed\":%llu,"
			"\"deduplicated\":%llu}}\n",
			eng->name, (unsigned long long)st.k[BHW_C_SEEN], (unsigned long long)st.k[BHW_C_FILTERED],
			(unsigned long long)st.k[BHW_C_SENT], (unsigned long long)st.k[BHW_C_DROPPED],
			(unsigned long long)st.k[BHW_C_STATE_FULL], (unsigned long long)st.received,
			(unsigned long long)st.invalid, (unsigned long long)ds.alerts, (unsigned long long)ds.suppressed,
			(unsigned long long)ds.deduplicated);
	} else {
		fprintf(stderr,
			"bulkhead watch (%s): events seen %llu, filtered in kernel %llu, sent %llu, dropped %llu, "
			"untracked %llu; received %llu, invalid %llu; alerts %llu, suppressed %llu, deduplicated %llu\n",
			eng->name, (unsigned long long)st.k[BHW_C_SEEN], (unsigned long long)st.k[BHW_C_FILTERED],
			(unsigned long long)st.k[BHW_C_SENT], (unsigned long long)st.k[BHW_C_DROPPED],
			(unsigned long long)st.k[BHW_C_STATE_FULL], (unsigned long long)st.received,
			(unsigned long long)st.invalid, (unsigned long long)ds.alerts, (unsigned long long)ds.suppressed,
			(unsigned long long)ds.deduplicated);
	}
	fflush(stderr);
}

/* BPF needs CAP_BPF + CAP_PERFMON (or CAP_SYS_ADMIN); say so before libbpf fails obscurely. */
static int can_load_bpf(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	if (!f)
		return 0;
	char line[256];
	unsigned long long eff = 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	bool sys_admin = eff & (1ull << 21), bpf = eff & (1ull << 39), perfmon = eff & (1ull << 38);
	return sys_admin || (bpf && perfmon);
}

static int proc_lookup(uint32_t pid, char *exe, size_t exe_len, char *args, size_t args_len)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%u/exe", pid);
	ssize_t n = readlink(p, exe, exe_len - 1);
	if (n < 0)
		return -errno;
	exe[n] = 0;
	snprintf(p, sizeof(p), "/proc/%u/cmdline", pid);
	FILE *f = fopen(p, "rb");
	if (f) {
		size_t m = fread(args, 1, args_len - 1, f);
		fclose(f);
		for (size_t i = 0; i < m; i++)
			if (!args[i])
				args[i] = ' ';
		while (m && args[m - 1] == ' ')
			m--;
		args[m] = 0;
	}
	return 0;
}

static void list_rules(FILE *out)
{
	size_t n;
	const struct bh_rule *r = bhw_rules(&n);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s  %-8s %-10s %-32s %s\n", r[i].id, bh_sev_name(r[i].sev), r[i].technique, r[i].name,
			r[i].title);
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'},   {"output", required_argument, 0, 'o'},
		{"duration", required_argument, 0, 'd'}, {"config", required_argument, 0, 'c'},
		{"include-host", no_argument, 0, 'H'},   {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'R'},   {"ringbuf-mb", required_argument, 0, 'b'},
		{"fail-on", required_argument, 0, 'F'},  {"show-suppressed", no_argument, 0, 's'},
		{"no-dedup", no_argument, 0, 'D'},       {"list-rules", no_argument, 0, 'L'},
		{"container", required_argument, 0, 'C'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	const char *output = NULL, *config = NULL, *record = NULL, *replay = NULL;
	double duration = 0;
	bool include_host = false, dedup = true;
	unsigned ringbuf_mb = 8;
	struct run r = {.fail_on = BH_SEV_HIGH};
	int c, json = bh_cli_json_asked(argc, argv), format;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'f':
			if (bh_cli_format("watch", optarg, BH_FMT_TEXT_JSON, &format))
				return 2;
			r.json = format == BH_FMT_JSON;
			break;
		case 'o': output = optarg; break;
		case 'd':
			duration = strtod(optarg, &end);
			if (*end || duration <= 0)
				return bh_cli_error("watch", json, "--duration needs a positive number of seconds");
			break;
		case 'c': config = optarg; break;
		case 'H': include_host = true; break;
		case 'r': record = optarg; break;
		case 'R': replay = optarg; break;
		case 'b':
			ringbuf_mb = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !ringbuf_mb || (ringbuf_mb & (ringbuf_mb - 1)) || ringbuf_mb > 1024)
				return bh_cli_error("watch", json, "--ringbuf-mb needs a power of two from 1 to 1024");
			break;
		case 'F': {
			int s = bh_sev_parse(optarg);
			if (s < 0)
				return bh_cli_error("watch", json, "unknown severity '%s'", optarg);
			r.fail_on = s;
			break;
		}
		case 's': r.show_suppressed = true; break;
		case 'D': dedup = false; break;
		case 'C': r.container = optarg; break;
		case 'L': list_rules(stdout); return 0;
		case 'h': usage(stdout); bh_cli_config_help(stdout); return 0;
		default:
			usage(stderr);
			return bh_cli_error("watch", json, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bh_cli_error("watch", json, "unexpected argument '%s'", argv[optind]);
	if (record && replay)
		return bh_cli_error("watch", json, "--record works with the live sensor, not with --replay");

	struct bhw_config *cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return bh_cli_error("watch", json, "out of memory");
	bhw_config_init(cfg);
	struct bh_err err = {0};
	if (watch_config(cfg, config, json)) {
		free(cfg);
		return 2;
	}
	struct bhw_source_opts so = {.path = replay, .include_host = include_host, .ringbuf_mb = ringbuf_mb};
	bool enabled[100];
	for (int i = 0; i < 100; i++)
		enabled[i] = !cfg->disabled[i];
	bhw_rules_needed(enabled, so.need);
	r.det = bhw_detector_new(cfg);
	free(cfg);
	if (!r.det)
		return bh_cli_error("watch", json, "out of memory");
	if (!dedup)
		bhw_detector_set_dedup(r.det, 0);

	/* handlers first: a signal that arrives while the sensor loads must not kill the process */
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	const struct bhw_engine *eng = replay ? &bhw_engine_replay : &bhw_engine_live;
	int rc = 2;
	struct bhw_source *src = NULL;
	if (!replay && !can_load_bpf()) {
		bh_cli_error("watch", json, "loading the eBPF sensor needs root (CAP_BPF and CAP_PERFMON, or "
			     "CAP_SYS_ADMIN); run as root, or test rules without privileges with --replay FILE");
		goto free_det;
	}
	if (eng->open(&src, &so, &err) < 0) {
		bh_cli_error("watch", json, "%s", err.msg);
		goto free_det;
	}
	uint32_t host_ns[BHW_NS_MAX];
	int64_t off;
	eng->origin(src, host_ns, &off);
	bhw_detector_set_origin(r.det, host_ns, off);
	if (!replay)
		bhw_detector_set_lookup(r.det, proc_lookup);
	if (record && !(r.rec = bhw_recorder_open(record, host_ns, off, &err))) {
		bh_cli_error("watch", json, "%s", err.msg);
		goto close_src;
	}
	r.out = stdout;
	if (output && !(r.out = fopen(output, "w"))) {
		bh_cli_error("watch", json, "%s: %s", output, strerror(errno));
		goto close_rec;
	}

	if (!replay && !r.json)
		fprintf(stderr, "bulkhead watch: sensor loaded, watching%s (SIGUSR1: counters, SIGINT: stop)\n",
			include_host ? " all processes" : " container processes");
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = 0;
	while (!stop_flag) {
		int n = eng->poll(src, 200, on_event, &r);
		if (n == -ENODATA)
			break;
		if (n < 0) {
			bh_cli_error("watch", json, "reading events: %s", strerror(-n));
			rc = 2;
			break;
		}
		if (stats_flag) {
			stats_flag = 0;
			print_stats(&r, eng, src);
		}
		if (duration > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9 >= duration)
				break;
		}
	}
	if (!replay) /* drain what the kernel already sent */
		eng->poll(src, 0, on_event, &r);
	print_stats(&r, eng, src);
	if (r.rec_error) {
		bh_cli_error("watch", json, "%s: write error: %s", record, strerror(-r.rec_error));
		rc = 2;
	}
	if (rc == 0 && r.failed)
		rc = 1;
	if (r.out != stdout && fclose(r.out) != 0)
		rc = bh_cli_error("watch", json, "%s: write error", output);
close_rec:
	if (bhw_recorder_close(r.rec) < 0 && record)
		rc = bh_cli_error("watch", json, "%s: write error", record);
close_src:
	eng->close(src);
free_det:
	bhw_detector_free(r.det);
	return rc;
}
