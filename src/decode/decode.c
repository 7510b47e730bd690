/* One entry point for every input: JSON when the first significant byte opens a JSON value, YAML
 * otherwise. Invalid JSON that libyaml reads cleanly (a YAML flow mapping) is read as YAML. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "node.h"
#include "yaml.h"

struct bh_decoder {
	const char *file;
	const char *buf;
	size_t len;
	const struct bh_limits *lim;
	bool json, tried_yaml, helm_checked, done;
	uint32_t line_base;
	struct bh_json_reader jr;
	struct bh_yaml_reader *yr;
};

static bool looks_json(const char *b, size_t len)
{
	size_t i = 0;
	if (len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
		i = 3;
	for (; i < len; i++) {
		char c = b[i];
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
			continue;
		return c == '{' || c == '[';
	}
	return false;
}

struct bh_decoder *bh_decoder_new(const char *file, const char *buf, size_t len, const struct bh_limits *lim)
{
	return bh_decoder_new_at(file, buf, len, lim, 0);
}

struct bh_decoder *bh_decoder_new_at(const char *file, const char *buf, size_t len, const struct bh_limits *lim,
				     uint32_t line_base)
{
	struct bh_decoder *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->file = file;
	d->buf = buf;
	d->len = len;
	d->lim = lim ? lim : &bh_default_limits;
	d->line_base = line_base;
	d->json = looks_json(buf, len);
	if (d->json)
		bh_json_init(&d->jr, file, buf, len, d->lim);
	else if (!(d->yr = bh_yaml_new(file, buf, len, d->lim, line_base))) {
		free(d);
		return NULL;
	}
	return d;
}

/* An unrendered Helm template: "{{" (or "{{-") as the first significant bytes. */
static bool helm_template(const char *b, size_t len)
{
	size_t i = len >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3) ? 3 : 0;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n'))
		i++;
	return len - i >= 2 && b[i] == '{' && b[i + 1] == '{';
}

int bh_decoder_next(struct bh_decoder *d, struct bh_arena *a, struct bh_doc *doc, struct bh_err *err)
{
	if (!d->helm_checked) {
		d->helm_checked = true;
		if (helm_template(d->buf, d->len)) {
			memset(doc, 0, sizeof(*doc));
			d->json = false;
			bh_yaml_free(d->yr);
			d->yr = NULL;
			d->done = true;
			err->file = d->file;
			return bh_err_set(err, -EINVAL, d->line_base + 1, 1,
					  "this is an unrendered Helm template ({{ ... }}), not a manifest: render it first, "
					  "e.g. helm template RELEASE CHART | bulkhead scan -");
		}
	}
	if (d->done)
		return 0;
	if (!d->json)
		return bh_yaml_next(d->yr, a, doc, err);
	int rc = bh_json_next(&d->jr, a, doc, err);
	if (rc < 0 && d->jr.index <= 1 && !d->tried_yaml) {
		/* first value was not JSON: maybe a YAML flow mapping. Keep the JSON error unless YAML reads it. */
		d->tried_yaml = true;
		struct bh_yaml_reader *yr = bh_yaml_new(d->file, d->buf, d->len, d->lim, d->line_base);
		if (!yr)
			return rc;
		struct bh_err yerr = {0};
		int yrc = bh_yaml_next(yr, a, doc, &yerr);
		if (yrc > 0) {
			d->json = false;
			d->yr = yr;
			bh_doc_warn(doc, a, err->line, err->col, "not valid JSON (%s); read as YAML", err->msg);
			memset(err, 0, sizeof(*err));
			return yrc;
		}
		bh_yaml_free(yr);
	}
	return rc;
}

void bh_decoder_free(struct bh_decoder *d)
{
	if (!d)
		return;
	bh_yaml_free(d->yr);
	free(d);
}
