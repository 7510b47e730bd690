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
#include "watch_profile.h"
#include "watch/identity.h"

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
		"Detect container escapes as they happen: an eBPF sensor (BPF LSM, fentry or tracepoints, probed at\n"
		"start; ring buffer; in-kernel filtering) judges the object touched (inode, device, filesystem,\n"
		"mount namespace, listening socket) and feeds the BH05xx rules; alerts are printed one per line.\n\n"
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
		"  --list-rules           print the watch rules and exit\n"
		"  --status               load the sensor, print the active hooks and the rules they cover, exit\n"
		"  --hooks MODE           auto (default: BPF LSM, then fentry, then tracepoints), lsm, fentry,\n"
		"                         tracepoint\n"
		"  --sensitive CLASS=PATH judge this host path by inode too (cron, ssh, kubelet-pki, shadow,\n"
		"                         sa-tokens)\n"
		"  --runtime-socket PATH  judge this host socket by inode as a container-runtime socket\n"
		"  --metrics FILE         keep Prometheus metrics (events, drops, alerts per rule, hooks) in FILE,\n"
		"                         rewritten every 5 s and at exit (a textfile collector serves it)\n"
		"  --profile TARGET       least privilege from evidence: record the syscalls and capabilities one\n"
		"                         container uses (TARGET: cgroup v2 path, container id prefix or pid; it may\n"
		"                         appear later: start before the container for a complete profile); no alert\n"
		"                         rules run. Prints a summary (JSON with --format json) at the end\n"
		"  --profile-out FILE     write the seccomp profile (kubelet Localhost JSON) to FILE\n"
		"  --profile-name NAME    the localhostProfile the summary names for fix --profile\n"
		"                         (default bulkhead/<basename of --profile-out>)\n"
		"  --metrics-listen ADDR:PORT  serve the same metrics over HTTP at /metrics (Prometheus; PORT\n"
		"                         alone listens on 127.0.0.1; the snapshot is refreshed every second)\n"
		"  --root DIR             the host's / (default / for the live sensor): pod namespace, name and\n"
		"                         container name come from DIR/var/log/pods and DIR/var/log/containers\n"
		"  --node-name NAME       the node's name for alerts (default $NODE_NAME, else none)\n\n"
		"Counters (events seen, filtered, dropped) are printed on stderr at exit and on SIGUSR1.\n"
		"exit codes: 0 no alert at or above the fail level, 1 alerts, 2 usage error or sensor failure\n");
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
		bh_config_each_expired(c, c->watch.exemptions, c->watch.nexemptions, time(NULL), bh_cli_expired_note, "watch: warning");
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
	const char *metrics;   /* --metrics FILE */
	const char *metrics_listen; /* --metrics-listen ADDR:PORT */
	struct watch_metrics_server *msrv;
	struct bhw_ident *ident; /* pod/namespace/container identity of alerts */
	uint64_t skipped;
};

static void on_alert(void *ctx, const struct bhw_alert *a)
{
	struct run *r = ctx;
	if (a->suppressed && !r->show_suppressed)
		return;
	if (!a->suppressed && (int)a->sev >= r->fail_on)
		r->failed = 1;
	struct bhw_alert b = *a;
	if (r->ident)
		b.identity = bhw_ident_lookup(r->ident, a->ev);
	if (r->json)
		bhw_alert_json(r->out, &b);
	else
		bhw_alert_text(r->out, &b);
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

/* The Prometheus text format (--metrics FILE, --metrics-listen): events per stage, alerts per rule, the hook
 * mode. */
static void render_metrics(FILE *f, const struct run *r, const struct bhw_engine *eng, struct bhw_source *src)
{
	struct bhw_stats st;
	struct bhw_detector_stats ds;
	eng->stats(src, &st);
	bhw_detector_stats(r->det, &ds);
	static const char *const stage[] = {"seen", "filtered", "sent", "dropped", "untracked"};
	fputs("# HELP bulkhead_watch_events_total Sensor events by stage (kernel: seen, filtered, sent, dropped, "
	      "untracked; user space: received, invalid).\n# TYPE bulkhead_watch_events_total counter\n", f);
	for (int i = 0; i < BHW_C_MAX; i++)
		fprintf(f, "bulkhead_watch_events_total{stage=\"%s\"} %llu\n", stage[i], (unsigned long long)st.k[i]);
	fprintf(f, "bulkhead_watch_events_total{stage=\"received\"} %llu\nbulkhead_watch_events_total{stage=\"invalid\"} %llu\n",
		(unsigned long long)st.received, (unsigned long long)st.invalid);
	fputs("# HELP bulkhead_watch_alerts_total Alerts raised, by rule.\n# TYPE bulkhead_watch_alerts_total counter\n", f);
	size_t nr;
	const struct bh_rule *rules = bhw_rules(&nr);
	for (size_t i = 0; i < nr && i < 100; i++)
		fprintf(f, "bulkhead_watch_alerts_total{rule=\"%s\",name=\"%s\"} %llu\n", rules[i].id, rules[i].name,
			(unsigned long long)ds.by_rule[i]);
	fprintf(f, "# HELP bulkhead_watch_suppressed_total Allow-listed alerts.\n# TYPE bulkhead_watch_suppressed_total counter\n"
		"bulkhead_watch_suppressed_total %llu\n", (unsigned long long)ds.suppressed);
	if (eng->status) {
		struct bhw_hook_status hs;
		eng->status(src, &hs);
		fprintf(f, "# HELP bulkhead_watch_hooks Active hook mode (1) and programs attached.\n# TYPE bulkhead_watch_hooks gauge\n"
			"bulkhead_watch_hooks{mode=\"%s\"} 1\nbulkhead_watch_programs %d\n", hs.mode, hs.nprogs);
	}
	if (r->ident) {
		struct bhw_ident_stats is;
		bhw_ident_stats(r->ident, &is);
		fprintf(f, "# HELP bulkhead_watch_identity_lookups_total Pod identity lookups for alerts (hit: from the "
			"cache).\n# TYPE bulkhead_watch_identity_lookups_total counter\n"
			"bulkhead_watch_identity_lookups_total{result=\"hit\"} %llu\n"
			"bulkhead_watch_identity_lookups_total{result=\"resolved\"} %llu\n",
			(unsigned long long)is.hits, (unsigned long long)(is.lookups - is.hits));
	}
}

/* --metrics FILE: rewritten atomically (a node-exporter textfile collector or a sidecar serves it). */
static int write_metrics(const char *path, const struct run *r, const struct bhw_engine *eng, struct bhw_source *src)
{
	char tmp[4096];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -errno;
	render_metrics(f, r, eng, src);
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int rc = -errno;
		unlink(tmp);
		return rc;
	}
	return 0;
}

/* --metrics-listen: a fresh snapshot for the HTTP thread (rendered here, swapped in under its mutex). */
static void publish_metrics(struct run *r, const struct bhw_engine *eng, struct bhw_source *src)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	render_metrics(f, r, eng, src);
	if (fclose(f) == 0)
		watch_metrics_publish(r->msrv, text, len);
	else
		free(text);
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

/* --status: the hook mode the probe chose, the programs attached, and per rule the hooks that feed it. */
static void status_rule_hooks(FILE *out, const struct bhw_hook_status *hs, size_t ri, bool json, int *nhooks)
{
	unsigned types[BHW_RULE_TYPES];
	int nt = bhw_rule_event_types(ri, types, BHW_RULE_TYPES), n = 0;
	for (int p = 0; p < hs->nprogs; p++) {
		bool feeds = false;
		for (int t = 0; t < nt; t++)
			feeds |= hs->type[p] == types[t];
		if (!feeds)
			continue;
		if (json) {
			fputs(n ? "," : "", out);
			bh_json_str(out, hs->attach[p]);
		} else {
			fprintf(out, "%s%s", n ? ", " : "", hs->attach[p]);
		}
		n++;
	}
	*nhooks = n;
}

static int print_status(const struct bhw_engine *eng, struct bhw_source *src, const bool *need, bool json)
{
	struct bhw_hook_status hs;
	size_t nr;
	const struct bh_rule *rules = bhw_rules(&nr);
	(void)need;
	eng->status(src, &hs);
	FILE *out = stdout;
	if (json) {
		fprintf(out, "{\"status\":{\"hooks\":\"%s\",\"bpf_lsm\":%s,\"lsm\":", hs.mode,
			hs.lsm_listed == 1 ? "true" : hs.lsm_listed == 0 ? "false" : "null");
		bh_json_str(out, hs.lsm_list);
		fputs(",\"not_used\":[", out);
		for (int i = 0; i < hs.ntried; i++) {
			fputs(i ? "," : "", out);
			bh_json_str(out, hs.tried[i]);
		}
		fprintf(out, "],\"sensitive_paths\":%d,\"runtime_sockets\":%d,\"programs\":[", hs.sensitive,
			hs.runtime_sockets);
		for (int i = 0; i < hs.nprogs; i++)
			fprintf(out, "%s{\"attach\":\"%s\",\"event\":\"%s\"}", i ? "," : "", hs.attach[i],
				bhw_type_name(hs.type[i]));
		fputs("],\"rules\":[", out);
	} else {
		fprintf(out, "hooks: %s (bpf LSM %s; active LSMs: %s)\n", hs.mode,
			hs.lsm_listed == 1 ? "active" : hs.lsm_listed == 0 ? "not active" : "unknown",
			hs.lsm_list[0] ? hs.lsm_list : "?");
		for (int i = 0; i < hs.ntried; i++)
			fprintf(out, "not used: %s\n", hs.tried[i]);
		fprintf(out, "judged by inode: %d sensitive host paths, %d runtime sockets\nprograms:", hs.sensitive,
			hs.runtime_sockets);
		for (int i = 0; i < hs.nprogs; i++)
			fprintf(out, " %s", hs.attach[i]);
		fputs("\nrules:\n", out);
	}
	for (size_t i = 0; i < nr; i++) {
		int n;
		if (json) {
			fprintf(out, "%s{\"id\":\"%s\",\"name\":\"%s\",\"hooks\":[", i ? "," : "", rules[i].id, rules[i].name);
			status_rule_hooks(out, &hs, i, true, &n);
			fprintf(out, "],\"covered\":%s}", n ? "true" : "false");
		} else {
			fprintf(out, "  %s %-32s ", rules[i].id, rules[i].name);
			status_rule_hooks(out, &hs, i, false, &n);
			fputs(n ? "\n" : "NOT COVERED (no hook for its events on this kernel)\n", out);
		}
	}
	if (json)
		fputs("]}}\n", out);
	return 0;
}

struct wopts {
	const char *output, *config, *record, *replay;
	const char *profile, *profile_out, *profile_name; /* --profile mode (watch_profile.c) */
	const char *root, *node_name; /* --root, --node-name */
	double duration;
	bool include_host, dedup, status;
	unsigned ringbuf_mb;
	enum bhw_hook_mode hooks;
	struct bhw_path_class extra[BHW_EXTRA_MAX];
	size_t nextra;
};

/* --sensitive CLASS=PATH / --runtime-socket PATH */
static int add_extra(struct wopts *w, const char *arg, bool sock, int json)
{
	static const char *const cls[] = {[BHW_SENS_CRON] = "cron", [BHW_SENS_SSH] = "ssh",
					  [BHW_SENS_KUBELET_PKI] = "kubelet-pki", [BHW_SENS_SHADOW] = "shadow",
					  [BHW_SENS_SA_TOKENS] = "sa-tokens"};
	if (w->nextra >= BHW_EXTRA_MAX)
		return bh_cli_error("watch", json, "at most %d --sensitive/--runtime-socket paths", BHW_EXTRA_MAX);
	struct bhw_path_class *pc = &w->extra[w->nextra];
	pc->cls = BHW_SENS_RUNTIME_SOCK;
	pc->path = arg;
	if (!sock) {
		const char *eq = strchr(arg, '=');
		pc->cls = 0;
		for (unsigned i = 1; eq && i < sizeof(cls) / sizeof(cls[0]); i++)
			if (strlen(cls[i]) == (size_t)(eq - arg) && !strncmp(arg, cls[i], (size_t)(eq - arg)))
				pc->cls = i;
		if (!pc->cls)
			return bh_cli_error("watch", json, "--sensitive needs CLASS=PATH, CLASS one of cron, ssh, "
					    "kubelet-pki, shadow, sa-tokens");
		pc->path = eq + 1;
	}
	if (pc->path[0] != '/')
		return bh_cli_error("watch", json, "'%s': an absolute host path is needed", pc->path);
	w->nextra++;
	return 0;
}

static int parse_hooks(const char *a, enum bhw_hook_mode *m)
{
	static const char *const n[] = {"auto", "lsm", "fentry", "tracepoint"};
	for (int i = 0; i < 4; i++)
		if (!strcmp(a, n[i])) {
			*m = (enum bhw_hook_mode)i;
			return 0;
		}
	return -1;
}

/* Parses the options into w and r; returns -1 to go on, else the exit code. */
static int parse_opts(int argc, char **argv, struct wopts *w, struct run *r, int json)
{
	static const struct option opts[] = {
		{"format", required_argument, 0, 'f'},   {"output", required_argument, 0, 'o'},
		{"duration", required_argument, 0, 'd'}, {"config", required_argument, 0, 'c'},
		{"include-host", no_argument, 0, 'H'},   {"record", required_argument, 0, 'r'},
		{"replay", required_argument, 0, 'R'},   {"ringbuf-mb", required_argument, 0, 'b'},
		{"fail-on", required_argument, 0, 'F'},  {"show-suppressed", no_argument, 0, 's'},
		{"no-dedup", no_argument, 0, 'D'},       {"list-rules", no_argument, 0, 'L'},
		{"container", required_argument, 0, 'C'}, {"status", no_argument, 0, 'S'},
		{"hooks", required_argument, 0, 'k'},    {"sensitive", required_argument, 0, 'p'},
		{"runtime-socket", required_argument, 0, 'u'}, {"metrics", required_argument, 0, 'm'},
		{"profile", required_argument, 0, 'P'},  {"profile-out", required_argument, 0, 'O'},
		{"profile-name", required_argument, 0, 'N'},
		{"metrics-listen", required_argument, 0, 'M'}, {"root", required_argument, 0, 'T'},
		{"node-name", required_argument, 0, 'E'},
		{"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
	int c, format;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'f':
			if (bh_cli_format("watch", optarg, BH_FMT_TEXT_JSON, &format))
				return 2;
			r->json = format == BH_FMT_JSON;
			break;
		case 'o': w->output = optarg; break;
		case 'd':
			w->duration = strtod(optarg, &end);
			if (*end || w->duration <= 0)
				return bh_cli_error("watch", json, "--duration needs a positive number of seconds");
			break;
		case 'c': w->config = optarg; break;
		case 'H': w->include_host = true; break;
		case 'r': w->record = optarg; break;
		case 'R': w->replay = optarg; break;
		case 'b':
			w->ringbuf_mb = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !w->ringbuf_mb || (w->ringbuf_mb & (w->ringbuf_mb - 1)) || w->ringbuf_mb > 1024)
				return bh_cli_error("watch", json, "--ringbuf-mb needs a power of two from 1 to 1024");
			break;
		case 'F':
			if ((r->fail_on = bh_sev_parse(optarg)) < 0)
				return bh_cli_error("watch", json, "unknown severity '%s'", optarg);
			break;
		case 's': r->show_suppressed = true; break;
		case 'D': w->dedup = false; break;
		case 'C': r->container = optarg; break;
		case 'S': w->status = true; break;
		case 'm': r->metrics = optarg; break;
		case 'P': w->profile = optarg; break;
		case 'O': w->profile_out = optarg; break;
		case 'N': w->profile_name = optarg; break;
		case 'M': r->metrics_listen = optarg; break;
		case 'T': w->root = optarg; break;
		case 'E': w->node_name = optarg; break;
		case 'k':
			if (parse_hooks(optarg, &w->hooks) < 0)
				return bh_cli_error("watch", json, "--hooks: auto, lsm, fentry or tracepoint");
			break;
		case 'p':
		case 'u':
			if (add_extra(w, optarg, c == 'u', json))
				return 2;
			break;
		case 'L': list_rules(stdout); return 0;
		case 'h': usage(stdout); bh_cli_config_help(stdout); return 0;
		default:
			usage(stderr);
			return bh_cli_error("watch", json, "bad option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bh_cli_error("watch", json, "unexpected argument '%s'", argv[optind]);
	if (w->record && w->replay)
		return bh_cli_error("watch", json, "--record works with the live sensor, not with --replay");
	if (w->status && w->replay)
		return bh_cli_error("watch", json, "--status reports the live sensor's hooks, not a replay");
	if ((w->profile_out || w->profile_name) && !w->profile)
		return bh_cli_error("watch", json, "--profile-out and --profile-name need --profile TARGET");
	if (w->profile && (w->replay || w->record || w->status))
		return bh_cli_error("watch", json, "--profile records from the live kernel: not with --replay, "
				    "--record or --status");
	return -1;
}

/* The detector with the config applied, and the event types the enabled rules need. */
static int make_detector(const struct wopts *w, struct run *r, struct bhw_source_opts *so, int json)
{
	struct bhw_config *cfg = malloc(sizeof(*cfg));
	if (!cfg)
		return bh_cli_error("watch", json, "out of memory");
	bhw_config_init(cfg);
	if (watch_config(cfg, w->config, json)) {
		free(cfg);
		return 2;
	}
	bool enabled[100];
	for (int i = 0; i < 100; i++)
		enabled[i] = !cfg->disabled[i];
	bhw_rules_needed(enabled, so->need);
	r->det = bhw_detector_new(cfg);
	free(cfg);
	if (!r->det)
		return bh_cli_error("watch", json, "out of memory");
	if (!w->dedup)
		bhw_detector_set_dedup(r->det, 0);
	return 0;
}

static double elapsed_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Polls until a signal, the end of a replay or --duration; 0 or 2. */
static int event_loop(struct run *r, const struct wopts *w, const struct bhw_engine *eng, struct bhw_source *src,
		      int json)
{
	struct timespec t0, last_metrics = {0}, last_publish = {0};
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = 0;
	while (!stop_flag) {
		int n = eng->poll(src, 200, on_event, r);
		if (n == -ENODATA)
			break;
		if (n < 0) {
			bh_cli_error("watch", json, "reading events: %s", strerror(-n));
			rc = 2;
			break;
		}
		if (stats_flag) {
			stats_flag = 0;
			print_stats(r, eng, src);
		}
		if (r->metrics && elapsed_since(&last_metrics) >= 5) {
			clock_gettime(CLOCK_MONOTONIC, &last_metrics);
			write_metrics(r->metrics, r, eng, src);
		}
		if (r->msrv && elapsed_since(&last_publish) >= 1) {
			clock_gettime(CLOCK_MONOTONIC, &last_publish);
			publish_metrics(r, eng, src);
		}
		if (w->duration > 0 && elapsed_since(&t0) >= w->duration)
			break;
	}
	if (!w->replay) /* drain what the kernel already sent */
		eng->poll(src, 0, on_event, r);
	return rc;
}

static void install_signals(void)
{
	/* handlers first: a signal that arrives while the sensor loads must not kill the process */
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
}

/* The identity resolver (--root, --node-name) and the /metrics server (--metrics-listen). 0 or the exit code. */
static int setup_identity_metrics(struct run *r, const struct wopts *w, int json)
{
	const char *node = w->node_name ? w->node_name : getenv("NODE_NAME");
	if (node && !*node)
		node = NULL;
	for (const char *c = node; c && *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-' || *c == '.') || c - node > 252)
			return bh_cli_error("watch", json, "node name '%.80s' is not a Kubernetes node name (--node-name or "
					    "$NODE_NAME)", node);
	/* replayed events come from another time: no /proc lookups; the node's log directories only if asked */
	const char *root = w->root ? w->root : w->replay ? NULL : "/";
	if (!(r->ident = bhw_ident_new(root, w->replay ? NULL : "/proc", node)))
		return bh_cli_error("watch", json, "out of memory");
	if (r->metrics_listen) {
		char err[200];
		if (watch_metrics_start(r->metrics_listen, &r->msrv, err, sizeof(err)) < 0)
			return bh_cli_error("watch", json, "%s", err);
		if (json)
			fprintf(stderr, "{\"metrics\":\"port %u\"}\n", watch_metrics_port(r->msrv));
		else
			fprintf(stderr, "bulkhead watch: metrics at /metrics on port %u\n", watch_metrics_port(r->msrv));
	}
	return 0;
}

/* The engine is open: record, output, run, close. Returns the exit code. */
static int run_source(struct run *r, const struct wopts *w, const struct bhw_engine *eng, struct bhw_source *src,
		      int json)
{
	struct bh_err err = {0};
	uint32_t host_ns[BHW_NS_MAX];
	int64_t off;
	int rc = 2;
	eng->origin(src, host_ns, &off);
	bhw_detector_set_origin(r->det, host_ns, off);
	if (!w->replay)
		bhw_detector_set_lookup(r->det, proc_lookup);
	if ((rc = setup_identity_metrics(r, w, json)))
		return rc;
	rc = 2;
	if (w->record && !(r->rec = bhw_recorder_open(w->record, host_ns, off, &err)))
		return bh_cli_error("watch", json, "%s", err.msg);
	r->out = stdout;
	if (w->output && !(r->out = fopen(w->output, "w"))) {
		bh_cli_error("watch", json, "%s: %s", w->output, strerror(errno));
		goto close_rec;
	}
	if (!w->replay && !r->json) {
		struct bhw_hook_status hs;
		eng->status(src, &hs);
		fprintf(stderr, "bulkhead watch: sensor loaded (%s hooks), watching%s (SIGUSR1: counters, SIGINT: stop)\n",
			hs.mode, w->include_host ? " all processes" : " container processes");
	}
	if (r->msrv)
		publish_metrics(r, eng, src);
	rc = event_loop(r, w, eng, src, json);
	print_stats(r, eng, src);
	int mrc = r->metrics ? write_metrics(r->metrics, r, eng, src) : 0;
	if (mrc < 0)
		rc = bh_cli_error("watch", json, "%s: cannot write the metrics: %s", r->metrics, strerror(-mrc));
	if (r->rec_error) {
		bh_cli_error("watch", json, "%s: write error: %s", w->record, strerror(-r->rec_error));
		rc = 2;
	}
	if (rc == 0 && r->failed)
		rc = 1;
	if (r->out != stdout && fclose(r->out) != 0)
		rc = bh_cli_error("watch", json, "%s: write error", w->output);
close_rec:
	if (bhw_recorder_close(r->rec) < 0 && w->record)
		rc = bh_cli_error("watch", json, "%s: write error", w->record);
	return rc;
}

int cmd_watch(int argc, char **argv)
{
	struct wopts w = {.dedup = true, .ringbuf_mb = 8};
	struct run r = {.fail_on = BH_SEV_HIGH};
	int json = bh_cli_json_asked(argc, argv);
	int rc = parse_opts(argc, argv, &w, &r, json);
	if (rc >= 0)
		return rc;
	if (w.profile) {
		install_signals();
		struct bh_watch_profile_opts po = {.target = w.profile, .out = w.profile_out, .name = w.profile_name,
						   .output = w.output, .duration = w.duration, .json = r.json,
						   .stop = &stop_flag, .live = can_load_bpf()};
		return bh_watch_profile(&po, json);
	}
	struct bhw_source_opts so = {.path = w.replay, .include_host = w.include_host, .ringbuf_mb = w.ringbuf_mb,
				     .hooks = w.hooks, .nextra = w.nextra};
	memcpy(so.extra, w.extra, sizeof(so.extra));
	if ((rc = make_detector(&w, &r, &so, json)))
		return rc;
	install_signals();
	const struct bhw_engine *eng = w.replay ? &bhw_engine_replay : &bhw_engine_live;
	struct bhw_source *src = NULL;
	struct bh_err err = {0};
	rc = 2;
	if (!w.replay && !can_load_bpf())
		bh_cli_error("watch", json, "loading the eBPF sensor needs root (CAP_BPF and CAP_PERFMON, or "
			     "CAP_SYS_ADMIN); run as root, or test rules without privileges with --replay FILE");
	else if (eng->open(&src, &so, &err) < 0)
		bh_cli_error("watch", json, "%s", err.msg);
	else if (w.status)
		rc = print_status(eng, src, so.need, r.json || json);
	else
		rc = run_source(&r, &w, eng, src, json);
	watch_metrics_stop(r.msrv); /* before the engine its snapshots describe */
	if (src)
		eng->close(src);
	bhw_detector_free(r.det);
	bhw_ident_free(r.ident);
	return rc;
}
