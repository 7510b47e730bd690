/* Reading audit logs: JSON lines (the log backend's format: one Event per line), EventList documents (the
 * webhook backend's batches, or a saved `kubectl get --raw` answer), and pretty-printed events. Each line is
 * decoded on its own, so a truncated or malformed line is an error with file:line:col and the lines after
 * it are still judged. */
#include <errno.h>
#include <fnmatch.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit_int.h"
#include "config/config.h"
#include "config/engine_ops.h"
#include "decode/json.h"
#include "util/file.h"

static const char *const default_webhooks[] = {"bulkhead"};

int bh_audit_new(const struct bh_audit_opts *o, struct bh_audit **out)
{
	struct bh_audit *a = calloc(1, sizeof(*a));
	*out = NULL;
	if (!a)
		return -ENOMEM;
	a->o = *o;
	if (!a->o.max_event)
		a->o.max_event = BH_AUDIT_MAX_EVENT;
	if (!a->o.max_items)
		a->o.max_items = BH_AUDIT_MAX_ITEMS;
	if (!a->o.window)
		a->o.window = BH_AUDIT_WINDOW;
	if (!a->o.webhooks) {
		a->o.webhooks = default_webhooks;
		a->o.nwebhooks = 1;
	}
	a->lim = bh_default_limits;
	a->lim.max_input = BH_AUDIT_MAX_DOC;
	a->lim.max_depth = BH_AUDIT_MAX_DEPTH;
	bh_engine_init(&a->out);
	bh_engine_init(&a->x);
	a->x.cfg = o->cfg;
	a->now = time(NULL); /* audit.allow expiry is judged against the time of the run, as scan's exemptions are */
	a->x.cfg_ops = &bh_config_engine_ops; /* exemptions, disabled rules, the ignore annotation, podTemplatePaths */
	/* a decoded tree costs a few times its text: the cap keeps a hostile event from taking the machine */
	bh_arena_init(&a->ev, 16 * a->o.max_event);
	a->pods = calloc(BHA_PODS, sizeof(*a->pods));
	if (!a->pods || bha_set_init(&a->seen, 1u << 16) || bha_set_init(&a->once, 1u << 16) ||
	    bha_set_init(&a->roles, 1u << 12)) {
		bh_audit_free(a);
		return -ENOMEM;
	}
	*out = a;
	return 0;
}

void bh_audit_free(struct bh_audit *a)
{
	if (!a)
		return;
	bh_engine_release(&a->out);
	bh_engine_release(&a->x);
	bh_arena_release(&a->ev);
	bha_set_release(&a->seen);
	bha_set_release(&a->once);
	bha_set_release(&a->roles);
	free(a->pods);
	free(a->evid);
	free(a);
}

const struct bh_audit_stats *bh_audit_stats(const struct bh_audit *a)
{
	return &a->st;
}

void bh_audit_report(struct bh_audit *a, struct bh_report *r)
{
	const struct bh_engine *e = &a->out;
	*r = (struct bh_report){.command = "audit", .findings = &a->out.findings, .errors = e->errors.v,
				.nerrors = e->errors.n, .warnings = e->warnings.v, .nwarnings = e->warnings.n,
				.files = e->files, .objects = (size_t)a->st.events};
}

void bh_audit_forget(struct bh_audit *a)
{
	size_t files = a->out.files;
	bh_engine_reset(&a->out);
	a->out.files = files;
	a->nevid = 0;
}

static void input_error(struct bh_audit *a, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static void input_error(struct bh_audit *a, const char *file, uint32_t line, uint32_t col, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	a->st.errors++;
	bh_engine_error(&a->out, file, line, col, "%s", msg);
}

/* ---- findings with evidence ---- */

static const char **strings(struct bh_arena *ar, const struct bh_node *seq, size_t *n)
{
	*n = 0;
	if (!seq || seq->type != BH_SEQ || !seq->n)
		return NULL;
	const char **v = bh_arena_alloc(ar, seq->n * sizeof(*v));
	for (uint32_t i = 0; v && i < seq->n; i++)
		if (seq->items[i]->type == BH_SCALAR)
			v[(*n)++] = bh_arena_strndup(ar, seq->items[i]->s, seq->items[i]->len);
	return v;
}

static const char *sdup(struct bh_arena *ar, const char *s)
{
	return s && *s ? bh_arena_strndup(ar, s, strlen(s)) : NULL;
}

static char *joined(struct bh_arena *ar, const char **v, size_t n)
{
	size_t len = 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	char *s = bh_arena_alloc(ar, len), *p = s;
	for (size_t i = 0; s && i < n; i++)
		p += sprintf(p, "%s%s", i ? "," : "", v[i]);
	return s;
}

static void fill_evid(struct bh_arena *ar, struct bha_evid *x, const struct bha_event *ev)
{
	x->audit_id = sdup(ar, ev->audit_id);
	x->stage = sdup(ar, ev->stage);
	x->verb = sdup(ar, ev->verb);
	x->uri = sdup(ar, ev->uri);
	x->user = sdup(ar, ev->user);
	x->imp_user = sdup(ar, ev->imp_user);
	x->user_agent = sdup(ar, ev->user_agent);
	x->ts = sdup(ar, ev->ts);
	x->groups = strings(ar, ev->groups, &x->ngroups);
	x->ips = strings(ar, ev->source_ips, &x->nips);
	x->resource = sdup(ar, ev->resource);
	x->subresource = sdup(ar, ev->subresource);
	x->ns = sdup(ar, ev->ns);
	x->name = sdup(ar, ev->name);
	x->group = sdup(ar, ev->group);
	x->code = ev->code;
	x->outcome = bha_outcome(ev);
	x->outcome_text = bha_outcome_text(ev);
	x->authorized = !strcmp(ev->decision, "allow") ? 1 : !strcmp(ev->decision, "forbid") ? 0 : -1;
}

static const char *evidence_text(struct bh_arena *ar, const struct bha_evid *x)
{
	return bh_arena_printf(ar,
			       "user=%s%s%s groups=%s sourceIPs=%s userAgent=\"%s\" verb=%s uri=%s stage=%s code=%d %s "
			       "auditID=%s time=%s%s%s",
			       x->user ? x->user : "", x->imp_user ? " as=" : "", x->imp_user ? x->imp_user : "",
			       joined(ar, x->groups, x->ngroups), joined(ar, x->ips, x->nips), x->user_agent ? x->user_agent : "",
			       x->verb, x->uri ? x->uri : "", x->stage, x->code, x->outcome_text, x->audit_id,
			       x->ts ? x->ts : "", x->related ? " related=" : "", x->related ? x->related : "");
}

static bool any_group(const struct bh_node *groups, const char *pat)
{
	for (uint32_t i = 0; groups && groups->type == BH_SEQ && i < groups->n; i++) {
		const char *s;
		size_t len;
		if (bh_as_str(groups->items[i], &s, &len) == BH_OK && !fnmatch(pat, s, 0))
			return true;
	}
	return false;
}

/* the first audit.allow entry that exempts this finding: it names the rule (or none), has not expired, and
 * every selector it gives matches (user: the requesting or the impersonated user) */
const struct bh_exemption *bha_allowed(const struct bh_config *cfg, const struct bha_event *ev, const struct bh_rule *r,
				       time_t now)
{
	for (size_t i = 0; i < cfg->audit.nexemptions; i++) {
		const struct bh_exemption *x = &cfg->audit.exemptions[i];
		if (!bh_exemption_names_rule(x, r) || (x->expires && now >= x->expires))
			continue;
		if (x->user && fnmatch(x->user, ev->user ? ev->user : "", 0) &&
		    fnmatch(x->user, bha_effective_user(ev), 0))
			continue;
		if (x->group && !any_group(ev->groups, x->group))
			continue;
		if (x->namespace && fnmatch(x->namespace, ev->ns ? ev->ns : "", 0))
			continue;
		return x;
	}
	return NULL;
}

struct bh_finding *bha_emit(struct bh_audit *a, const struct bha_event *ev, const struct bh_rule *r, enum bh_sev sev,
			    const char *related, const char *escapes, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct bh_findings *fs = &a->out.findings;
	struct bh_arena *ar = &a->out.results;
	char res[160];
	snprintf(res, sizeof(res), "%s%s%s", ev->resource, *ev->subresource ? "/" : "", ev->subresource);
	const char *gv = *ev->group ? bh_arena_printf(ar, "%s/%s", ev->group, ev->version) : ev->version;
	fs->cur = (struct bh_objref){.api_version = sdup(ar, gv), .kind = sdup(ar, ev->has_ref ? res : "nonResourceURL"),
				     .namespace = sdup(ar, ev->ns), .name = sdup(ar, ev->has_ref ? ev->name : ev->uri),
				     .file = ev->file, .line = ev->line, .col = ev->col};
	const struct bh_config *cfg = a->o.cfg;
	if (cfg && bh_area_rule_disabled(&cfg->audit, r))
		return NULL;
	if (cfg)
		sev = bh_area_severity(&cfg->audit, r, sev);
	struct bh_finding *f = bh_emit(fs, r, sev, NULL, NULL, ev->line, ev->col, "%s", msg);
	if (!f)
		return NULL;
	const struct bh_exemption *allow = cfg ? bha_allowed(cfg, ev, r, a->now) : NULL;
	if (allow) {
		f->suppressed = true;
		f->suppress_reason = allow->reason;
	}
	if (a->nevid == a->capevid) {
		size_t nc = a->capevid ? a->capevid * 2 : 64;
		struct bha_evid *nv = realloc(a->evid, nc * sizeof(*nv));
		if (!nv)
			return f;
		a->evid = nv;
		a->capevid = nc;
	}
	struct bha_evid *x = &a->evid[a->nevid++];
	memset(x, 0, sizeof(*x));
	x->finding = fs->n - 1;
	fill_evid(ar, x, ev);
	x->related = sdup(ar, related);
	x->escapes = sdup(ar, escapes);
	f->evidence = evidence_text(ar, x);
	return f;
}

/* ---- events ---- */

static void event(struct bh_audit *a, const struct bh_doc *doc, const struct bh_node *root)
{
	struct bha_event ev;
	struct bh_err err = {0};
	a->st.decoded++;
	if (bha_event_parse(&ev, doc, root, &err) < 0) {
		input_error(a, doc->file, err.line, err.col, "%s", err.msg);
		return;
	}
	if (!ev.cls)
		return;
	uint64_t h = bha_hash(BHA_HASH0, ev.audit_id, strlen(ev.audit_id));
	if (bha_set_add(&a->seen, bha_hash(h, ev.stage, strlen(ev.stage)))) {
		a->st.duplicates++; /* at-least-once delivery: the API server retried a batch */
		return;
	}
	bha_judge(a, &ev);
}

/* An Event, or an EventList whose items are Events; anything else is an input error. */
/* The caller counted root as one event; item: root is an item of an EventList. */
static void value(struct bh_audit *a, const struct bh_doc *doc, const struct bh_node *root, bool item)
{
	if (!root || root->type != BH_MAP) {
		input_error(a, doc->file, root ? root->line : doc->line, root ? root->col : 1,
			    "not an audit event: expected a JSON object (audit.k8s.io/v1 Event or EventList)");
		return;
	}
	const char *api = bha_str(root, "apiVersion"), *kind = bha_str(root, "kind");
	if (item && !*api && !*kind) { /* an EventList's items carry no type: they are the list's Events */
		event(a, doc, root);
		return;
	}
	if (strcmp(api, "audit.k8s.io/v1")) {
		input_error(a, doc->file, root->line, root->col,
			    "apiVersion %s%s%s is not supported: bulkhead reads audit.k8s.io/v1 events (what API servers "
			    "since Kubernetes 1.12 write by default)",
			    *api ? "\"" : "", *api ? api : "(none)", *api ? "\"" : "");
		return;
	}
	if (!strcmp(kind, "Event")) {
		event(a, doc, root);
		return;
	}
	if (strcmp(kind, "EventList")) {
		input_error(a, doc->file, root->line, root->col, "kind %s is not Event or EventList", *kind ? kind : "(none)");
		return;
	}
	a->st.events--; /* the value was a list: its items are the events */
	const struct bh_node *items = bha_get(root, "items");
	if (items && items->type != BH_SEQ) {
		input_error(a, doc->file, items->line, items->col, "EventList items is not a list");
		return;
	}
	for (uint32_t i = 0; items && i < items->n; i++) {
		if (i >= a->o.max_items) {
			input_error(a, doc->file, items->items[i]->line, items->items[i]->col,
				    "EventList has %u events; only the first %zu were read (--max-items)", items->n,
				    a->o.max_items);
			break;
		}
		a->st.events++;
		value(a, doc, items->items[i], true);
	}
}

static void line(struct bh_audit *a, const char *name, const char *p, size_t n, uint32_t lineno)
{
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	size_t lead = 0;
	while (lead < n && (p[lead] == ' ' || p[lead] == '\t'))
		lead++;
	if (lead == n)
		return;
	a->st.events++;
	a->st.bytes += n;
	if (n > a->o.max_event) {
		input_error(a, name, lineno, 1, "event of %zu bytes is larger than the limit of %zu bytes (--max-event-size)", n,
			    a->o.max_event);
		return;
	}
	if (!a->o.no_fast && !bha_prefilter(p, n)) {
		a->st.skipped++;
		return;
	}
	struct bh_json_reader r;
	struct bh_doc doc;
	struct bh_err err = {0};
	bh_arena_reset(&a->ev);
	bh_json_init(&r, name, p, n, &a->lim);
	r.line = lineno;
	int rc = bh_json_next(&r, &a->ev, &doc, &err);
	if (rc < 0) {
		input_error(a, name, err.line, err.col, "%s", err.msg);
		return;
	}
	if (rc > 0 && bh_json_next(&r, &a->ev, &(struct bh_doc){0}, &err) != 0) {
		input_error(a, name, lineno, 1, "more than one JSON value on this line (one event per line)");
		return;
	}
	if (rc > 0)
		value(a, &doc, doc.root, false);
}

/* JSON lines (the log backend writes one Event per line), unless the first non-blank line is a lone "{" or
 * "[": a pretty-printed document (kubectl, jq, json.MarshalIndent), read as a whole. A truncated first line
 * stays a line (an error, and the lines after it are read). */
static bool is_document(const char *buf, size_t len)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\n' || buf[i] == '\r'))
		i++;
	if (i + 3 <= len && !memcmp(buf + i, "\xEF\xBB\xBF", 3))
		i += 3;
	if (i >= len || (buf[i] != '{' && buf[i] != '['))
		return false;
	for (i++; i < len && buf[i] != '\n'; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r')
			return false;
	return true;
}

static void documents(struct bh_audit *a, const char *name, const char *buf, size_t len)
{
	struct bh_json_reader r;
	bh_json_init(&r, name, buf, len, &a->lim);
	for (;;) {
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_reset(&a->ev);
		int rc = bh_json_next(&r, &a->ev, &doc, &err);
		if (rc == 0)
			break;
		if (rc < 0) {
			a->st.events++;
			input_error(a, name, err.line, err.col, "%s (the rest of this document cannot be read)", err.msg);
			break;
		}
		a->st.bytes += doc.end;
		a->st.events++;
		value(a, &doc, doc.root, false);
	}
}

/* Judges every whole line of buf; returns the bytes consumed (a last line without '\n' only when final). */
static size_t lines(struct bh_audit *a, const char *name, const char *buf, size_t len, uint32_t *lineno, bool final)
{
	size_t pos = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		if (!nl && !final)
			break;
		size_t end = nl ? (size_t)(nl - buf) : len;
		line(a, name, buf + pos, end - pos, ++*lineno);
		pos = nl ? end + 1 : len;
	}
	return pos;
}

/* mapped: buf is a read-only file mapping; the pages of judged lines are dropped as the reading goes on, so a
 * large log costs the memory of a window, not of the file (dropped pages are read again if touched). */
static void buffer(struct bh_audit *a, const char *name, const char *buf, size_t len, bool mapped)
{
	a->out.files++;
	uint32_t lineno = 0;
	if (is_document(buf, len)) {
		documents(a, name, buf, len);
		return;
	}
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), dropped = (uintptr_t)buf;
	size_t pos = 0, window = 16u << 20;
	while (pos < len) {
		size_t end = len - pos > window ? pos + window : len;
		const char *nl = end < len ? memchr(buf + end, '\n', len - end) : NULL;
		end = end < len ? (nl ? (size_t)(nl - buf) + 1 : len) : len; /* whole lines only */
		pos += lines(a, name, buf + pos, end - pos, &lineno, true);
		uintptr_t upto = ((uintptr_t)buf + pos) & ~(page - 1);
		if (mapped && page > 1 && upto > dropped) {
			madvise((void *)dropped, upto - dropped, MADV_DONTNEED);
			dropped = upto;
		}
	}
}

void bh_audit_buffer(struct bh_audit *a, const char *name, const char *buf, size_t len)
{
	buffer(a, name, buf, len, false);
}

/* One item of a webhook batch at body[sp]: skipped by the fast path or decoded where it lies, so that error
 * positions are those of the whole body. */
static void batch_item(struct bh_audit *a, const char *name, const char *body, size_t len, struct bha_span sp)
{
	a->st.events++;
	if (sp.len > a->o.max_event) {
		input_error(a, name, 1, (uint32_t)sp.off + 1, "event of %zu bytes is larger than the limit of %zu bytes", sp.len,
			    a->o.max_event);
		return;
	}
	if (!bha_prefilter_ex(body + sp.off, sp.len, true)) {
		a->st.skipped++;
		return;
	}
	struct bh_json_reader r;
	struct bh_doc doc;
	struct bh_err err = {0};
	bh_arena_reset(&a->ev);
	bh_json_init(&r, name, body, sp.off + sp.len, &a->lim);
	for (size_t i = 0; i < sp.off; i++) /* line numbers: a pretty-printed batch has several */
		if (body[i] == '\n') {
			r.line++;
			r.line_start = i + 1;
		}
	r.pos = sp.off;
	if (bh_json_next(&r, &a->ev, &doc, &err) <= 0) {
		input_error(a, name, err.line, err.col, "%s", err.msg);
		return;
	}
	value(a, &doc, doc.root, true);
}

int bh_audit_batch(struct bh_audit *a, const char *name, const char *body, size_t len, struct bh_err *err)
{
	struct bha_span *sp = NULL;
	long n = a->o.no_fast ? -1 : bha_split_items(body, len, a->o.max_items, &sp);
	if (n >= 0) {
		a->st.bytes += len;
		for (long i = 0; i < n; i++)
			batch_item(a, name, body, len, sp[i]);
		free(sp);
		return 0;
	}
	struct bh_json_reader r;
	struct bh_doc doc;
	bh_arena_reset(&a->ev);
	bh_json_init(&r, name, body, len, &a->lim);
	int rc = bh_json_next(&r, &a->ev, &doc, err);
	if (rc <= 0)
		return rc < 0 ? rc : bh_err_set(err, -EINVAL, 1, 1, "empty body: expected an audit.k8s.io/v1 EventList");
	if (bh_json_next(&r, &a->ev, &(struct bh_doc){0}, err) != 0)
		return bh_err_set(err, -EINVAL, 1, 1, "more than one JSON value in the body");
	const char *api = bha_str(doc.root, "apiVersion"), *kind = bha_str(doc.root, "kind");
	if (strcmp(api, "audit.k8s.io/v1") || (strcmp(kind, "EventList") && strcmp(kind, "Event")))
		return bh_err_set(err, -EINVAL, 1, 1, "expected an audit.k8s.io/v1 EventList, not %s %s", *api ? api : "(no apiVersion)",
				  *kind ? kind : "(no kind)");
	a->st.bytes += len;
	a->st.events++;
	value(a, &doc, doc.root, false);
	return 0;
}

/* stdin and pipes: JSON lines are judged as they arrive (a log pipeline never ends); a document is read
 * whole. A line longer than the event limit is an error and skipped up to its end. */
static void stream(struct bh_audit *a, const char *name, int fd)
{
	size_t cap = 1u << 20, len = 0, max = a->o.max_event + 1;
	char *buf = malloc(cap);
	uint32_t lineno = 0;
	int mode = -1; /* -1 undecided, 0 lines, 1 document */
	bool skipping = false, eof = false;
	if (!buf) {
		input_error(a, name, 0, 0, "out of memory");
		return;
	}
	a->out.files++;
	while (!eof) {
		if (len == cap) {
			size_t limit = mode == 1 ? BH_AUDIT_MAX_DOC : max;
			if (cap >= limit) {
				if (mode == 1) {
					input_error(a, name, 0, 0, "larger than the input limit of %u bytes", BH_AUDIT_MAX_DOC);
					break;
				}
				input_error(a, name, lineno + 1, 1, "event larger than the limit of %zu bytes (--max-event-size)",
					    a->o.max_event);
				a->st.events++;
				lineno++;
				skipping = true;
				len = 0;
			} else {
				char *nb = realloc(buf, cap * 2 > limit ? limit : cap * 2);
				if (!nb) {
					input_error(a, name, 0, 0, "out of memory");
					break;
				}
				cap = cap * 2 > limit ? limit : cap * 2;
				buf = nb;
			}
		}
		ssize_t got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			input_error(a, name, 0, 0, "cannot read: %s", strerror(errno));
			break;
		}
		eof = got == 0;
		size_t start = len;
		len += (size_t)got;
		if (skipping) {
			const char *nl = memchr(buf + start, '\n', len - start);
			if (!nl) {
				len = 0;
				continue;
			}
			memmove(buf, nl + 1, (size_t)(buf + len - nl - 1));
			len = (size_t)(buf + len - nl - 1);
			skipping = false;
		}
		if (mode < 0 && (memchr(buf, '\n', len) || eof))
			mode = is_document(buf, len);
		if (mode == 0) {
			size_t used = lines(a, name, buf, len, &lineno, eof);
			memmove(buf, buf + used, len - used);
			len -= used;
			if (a->o.on_chunk)
				a->o.on_chunk(a->o.ctx);
		}
	}
	if (mode == 1)
		documents(a, name, buf, len);
	free(buf);
}

void bh_audit_file(struct bh_audit *a, const char *path)
{
	bool is_stdin = !strcmp(path, "-");
	const char *name = is_stdin ? "<stdin>" : path;
	int fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		a->out.files++;
		input_error(a, name, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED) {
			madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			buffer(a, name, m, (size_t)st.st_size, true);
			munmap(m, (size_t)st.st_size);
			if (!is_stdin)
				close(fd);
			return;
		}
	}
	stream(a, name, fd);
	if (!is_stdin)
		close(fd);
}
