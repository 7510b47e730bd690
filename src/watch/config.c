/* The `watch:` section of the config file: disabled rules, severity overrides, allow-list entries with a
 * required reason. Interim loader on libyaml's document API until the project-wide config of issue 4
 * exists; other top-level keys are ignored so that one file can serve every command. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <yaml.h>

#include "detect.h"

#define CONFIG_MAX_BYTES (1u << 20)

void bhw_config_init(struct bhw_config *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < 100; i++)
		c->sev_override[i] = -1;
}

static const char *scalar(yaml_document_t *doc, yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *map_get(yaml_document_t *doc, yaml_node_t *m, const char *key)
{
	if (!m || m->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(doc, yaml_document_get_node(doc, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(doc, p->value);
	}
	return NULL;
}

static int rule_index(const char *s)
{
	size_t n;
	const struct bh_rule *rows = bhw_rules(&n);
	const struct bh_rule *r = bhw_rule_find(s);
	return r ? (int)(r - rows) : -1;
}

static int line_of(yaml_node_t *n)
{
	return n ? (int)n->start_mark.line + 1 : 0;
}

/* "YYYY-MM-DD" -> unix seconds at the end of that day (UTC) */
static int parse_date(const char *s, int64_t *out)
{
	int y, m, d;
	char extra;
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -EINVAL;
	struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 23, .tm_min = 59,
			.tm_sec = 59};
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int copy_field(char *dst, size_t len, const char *v, const char *name, yaml_node_t *n, const char *file,
		      struct bh_err *err)
{
	if (!v)
		return bh_err_set(err, -EINVAL, (uint32_t)line_of(n), 0, "%s: watch.allow: %s must be a string",
				  file, name);
	if (strlen(v) >= len)
		return bh_err_set(err, -EINVAL, (uint32_t)line_of(n), 0, "%s: watch.allow: %s is longer than %zu bytes",
				  file, name, len - 1);
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int load_watch(struct bhw_config *c, yaml_document_t *doc, yaml_node_t *w, const char *file,
		      struct bh_err *err)
{
	int rc;
	yaml_node_t *dis = map_get(doc, w, "disable");
	if (dis) {
		if (dis->type != YAML_SEQUENCE_NODE)
			return bh_err_set(err, -EINVAL, (uint32_t)line_of(dis), 0, "%s: watch.disable must be a list", file);
		for (yaml_node_item_t *it = dis->data.sequence.items.start; it < dis->data.sequence.items.top; it++) {
			yaml_node_t *n = yaml_document_get_node(doc, *it);
			const char *v = scalar(doc, n);
			int ri = v ? rule_index(v) : -1;
			if (ri < 0)
				return bh_err_set(err, -EINVAL, (uint32_t)line_of(n), 0,
						  "%s: watch.disable: unknown watch rule '%s'", file, v ? v : "?");
			c->disabled[ri] = true;
		}
	}
	yaml_node_t *sev = map_get(doc, w, "severity");
	if (sev) {
		if (sev->type != YAML_MAPPING_NODE)
			return bh_err_set(err, -EINVAL, (uint32_t)line_of(sev), 0, "%s: watch.severity must be a mapping",
					  file);
		for (yaml_node_pair_t *p = sev->data.mapping.pairs.start; p < sev->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yaml_document_get_node(doc, p->key), *vn = yaml_document_get_node(doc, p->value);
			const char *k = scalar(doc, kn), *v = scalar(doc, vn);
			int ri = k ? rule_index(k) : -1, s = v ? bh_sev_parse(v) : -1;
			if (ri < 0 || s < 0 || s == BH_SEV_NONE)
				return bh_err_set(err, -EINVAL, (uint32_t)line_of(kn), 0,
						  "%s: watch.severity: bad entry '%s: %s'", file, k ? k : "?", v ? v : "?");
			c->sev_override[ri] = s;
		}
	}
	yaml_node_t *al = map_get(doc, w, "allow");
	if (!al)
		return 0;
	if (al->type != YAML_SEQUENCE_NODE)
		return bh_err_set(err, -EINVAL, (uint32_t)line_of(al), 0, "%s: watch.allow must be a list", file);
	for (yaml_node_item_t *it = al->data.sequence.items.start; it < al->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(doc, *it);
		if (!e || e->type != YAML_MAPPING_NODE)
			return bh_err_set(err, -EINVAL, (uint32_t)line_of(e), 0, "%s: watch.allow entries are mappings",
					  file);
		if (c->nallow >= BHW_ALLOW_MAX)
			return bh_err_set(err, -E2BIG, (uint32_t)line_of(e), 0, "%s: more than %d watch.allow entries",
					  file, BHW_ALLOW_MAX);
		struct bhw_allow *a = &c->allow[c->nallow];
		memset(a, 0, sizeof(*a));
		static const char *const known[] = {"rule", "exe", "comm", "container", "reason", "expires", NULL};
		for (yaml_node_pair_t *p = e->data.mapping.pairs.start; p < e->data.mapping.pairs.top; p++) {
			yaml_node_t *kn = yaml_document_get_node(doc, p->key);
			const char *k = scalar(doc, kn);
			int ok = 0;
			for (int i = 0; k && known[i]; i++)
				ok |= !strcmp(k, known[i]);
			if (!ok)
				return bh_err_set(err, -EINVAL, (uint32_t)line_of(kn), 0, "%s: watch.allow: unknown key '%s'",
						  file, k ? k : "?");
		}
		yaml_node_t *n;
		if ((n = map_get(doc, e, "rule"))) {
			const char *v = scalar(doc, n);
			if (!v || (strcmp(v, "*") && rule_index(v) < 0))
				return bh_err_set(err, -EINVAL, (uint32_t)line_of(n), 0,
						  "%s: watch.allow: unknown watch rule '%s'", file, v ? v : "?");
			snprintf(a->rule, sizeof(a->rule), "%s", strcmp(v, "*") ? bhw_rule_find(v)->id : "*");
		} else {
			snprintf(a->rule, sizeof(a->rule), "*");
		}
		if ((n = map_get(doc, e, "exe")) && (rc = copy_field(a->exe, sizeof(a->exe), scalar(doc, n), "exe", n, file, err)))
			return rc;
		if ((n = map_get(doc, e, "comm")) &&
		    (rc = copy_field(a->comm, sizeof(a->comm), scalar(doc, n), "comm", n, file, err)))
			return rc;
		if ((n = map_get(doc, e, "container")) &&
		    (rc = copy_field(a->container, sizeof(a->container), scalar(doc, n), "container", n, file, err)))
			return rc;
		n = map_get(doc, e, "reason");
		const char *reason = scalar(doc, n);
		if (!reason || !*reason)
			return bh_err_set(err, -EINVAL, (uint32_t)line_of(e), 0,
					  "%s: watch.allow entry without a reason (every exemption says why)", file);
		if ((rc = copy_field(a->reason, sizeof(a->reason), reason, "reason", n, file, err)))
			return rc;
		if ((n = map_get(doc, e, "expires"))) {
			const char *v = scalar(doc, n);
			if (!v || parse_date(v, &a->expires) < 0)
				return bh_err_set(err, -EINVAL, (uint32_t)line_of(n), 0,
						  "%s: watch.allow: expires must be YYYY-MM-DD", file);
		}
		if (!a->exe[0] && !a->comm[0] && !a->container[0] && !strcmp(a->rule, "*"))
			return bh_err_set(err, -EINVAL, (uint32_t)line_of(e), 0,
					  "%s: watch.allow entry matches everything; name a rule, exe, comm or container",
					  file);
		c->nallow++;
	}
	return 0;
}

int bhw_config_parse(struct bhw_config *c, const char *buf, size_t len, const char *name, struct bh_err *err)
{
	yaml_parser_t p;
	yaml_document_t doc;
	int rc = 0;
	if (len > CONFIG_MAX_BYTES)
		return bh_err_set(err, -EFBIG, 0, 0, "%s: config larger than %u bytes", name, CONFIG_MAX_BYTES);
	if (!yaml_parser_initialize(&p)) /* libyaml: 1 is success */
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
	if (!yaml_parser_load(&p, &doc)) {
		rc = bh_err_set(err, -EINVAL, (uint32_t)p.problem_mark.line + 1, (uint32_t)p.problem_mark.column + 1,
				"%s:%zu:%zu: %s", name, p.problem_mark.line + 1, p.problem_mark.column + 1,
				p.problem ? p.problem : "invalid YAML");
		goto free_parser;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type != YAML_MAPPING_NODE) {
		rc = bh_err_set(err, -EINVAL, 1, 1, "%s: the config must be a mapping", name);
		goto free_doc;
	}
	yaml_node_t *w = map_get(&doc, root, "watch");
	if (w && w->type != YAML_MAPPING_NODE) {
		rc = bh_err_set(err, -EINVAL, (uint32_t)line_of(w), 0, "%s: watch must be a mapping", name);
		goto free_doc;
	}
	if (w)
		rc = load_watch(c, &doc, w, name, err);
free_doc:
	yaml_document_delete(&doc);
free_parser:
	yaml_parser_delete(&p);
	return rc;
}

int bhw_config_load(struct bhw_config *c, const char *path, struct bh_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return bh_err_set(err, -errno, 0, 0, "%s: %s", path, strerror(errno));
	char *buf = malloc(CONFIG_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		return bh_err_set(err, -ENOMEM, 0, 0, "out of memory");
	}
	size_t n = fread(buf, 1, CONFIG_MAX_BYTES + 1, f);
	int rc;
	if (ferror(f))
		rc = bh_err_set(err, -EIO, 0, 0, "%s: read error", path);
	else
		rc = bhw_config_parse(c, buf, n, path, err);
	free(buf);
	fclose(f);
	return rc;
}
