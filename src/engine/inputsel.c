/* Input selection (see inputsel.h). The ignore file follows gitignore(5) for the common subset: a pattern
 * without '/' matches a name at any depth, one with a leading or inner '/' matches the path below the
 * directory holding the file, a trailing '/' matches directories only, '*' and '?' do not cross '/'
 * except in a pattern with "**". */
#include "inputsel.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"

#define IGNORE_MAX_PATTERNS 4096

static void rstrip(char *s)
{
	size_t l = strlen(s);
	while (l && (s[l - 1] == '\n' || s[l - 1] == '\r' || s[l - 1] == ' ' || s[l - 1] == '\t'))
		s[--l] = 0;
}

static int ignore_add(struct bh_ignore *ig, const char *pat)
{
	char **nv = realloc(ig->pat, (ig->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	ig->pat = nv;
	if (!(ig->pat[ig->n] = strdup(pat)))
		return -ENOMEM;
	ig->n++;
	return 0;
}

int bh_ignore_load(struct bh_ignore *ig, struct bh_engine *e, const char *dir)
{
	memset(ig, 0, sizeof(*ig));
	char path[4096], line[1024];
	snprintf(path, sizeof(path), "%s%s.bulkheadignore", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/");
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	int rc = 0;
	for (uint32_t ln = 1; rc == 0 && fgets(line, sizeof(line), f); ln++) {
		rstrip(line);
		if (!line[0] || line[0] == '#')
			continue;
		if (line[0] == '!')
			bh_engine_warning(e, path, ln, 0, "'!' (re-include) patterns are not supported; line ignored");
		else if (ig->n == IGNORE_MAX_PATTERNS)
			bh_engine_warning(e, path, ln, 0, "more than %d patterns; the rest is ignored", IGNORE_MAX_PATTERNS);
		else
			rc = ignore_add(ig, line);
	}
	fclose(f);
	return rc;
}

void bh_ignore_free(struct bh_ignore *ig)
{
	for (size_t i = 0; ig && i < ig->n; i++)
		free(ig->pat[i]);
	if (ig)
		free(ig->pat);
}

static const char *base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s && s[1] ? s + 1 : p;
}

/* one pattern p against rel (a gitignore line, or an --exclude glob when glob is set) */
static bool match(const char *p, const char *path, const char *rel, bool dir, bool glob)
{
	char pat[1024];
	snprintf(pat, sizeof(pat), "%s", p);
	size_t l = strlen(pat);
	if (l > 1 && pat[l - 1] == '/') {
		if (!dir)
			return false;
		pat[--l] = 0;
	}
	if (glob)
		return !fnmatch(pat, path, 0) || !fnmatch(pat, rel, 0) || !fnmatch(pat, base(path), 0);
	int flags = strstr(pat, "**") ? 0 : FNM_PATHNAME;
	if (pat[0] == '/')
		return !fnmatch(pat + 1, rel, flags);
	if (strchr(pat, '/'))
		return !fnmatch(pat, rel, flags);
	return !fnmatch(pat, base(path), 0);
}

bool bh_input_excluded(const char *path, const char *rel, bool dir, const char *const *globs, size_t nglobs,
		       const struct bh_ignore *ig)
{
	for (size_t i = 0; i < nglobs; i++)
		if (match(globs[i], path, rel, dir, true))
			return true;
	for (size_t i = 0; ig && i < ig->n; i++)
		if (match(ig->pat[i], path, rel, dir, false))
			return true;
	return false;
}

/* whether a top-level key `key:` starts a line (block YAML) */
static bool top_key(const char *b, size_t len, const char *key)
{
	size_t kl = strlen(key);
	for (size_t i = 0; i + kl < len; i++) {
		if (i && b[i - 1] != '\n')
			continue;
		size_t j = i;
		if (b[j] == '"' || b[j] == '\'')
			j++;
		if (j + kl < len && !memcmp(b + j, key, kl)) {
			j += kl;
			if (j < len && (b[j] == '"' || b[j] == '\''))
				j++;
			while (j < len && (b[j] == ' ' || b[j] == '\t'))
				j++;
			if (j < len && b[j] == ':')
				return true;
		}
	}
	return false;
}

/* anywhere (JSON): key, then an optional quote, blanks and ':' */
static bool any_key(const char *b, size_t len, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = b; (p = memmem(p, len - (size_t)(p - b), key, kl)); p += kl) {
		const char *q = p + kl;
		if (q < b + len && (*q == '"' || *q == '\''))
			q++;
		while (q < b + len && (*q == ' ' || *q == '\t'))
			q++;
		if (q < b + len && *q == ':')
			return true;
		if ((size_t)(q - b) >= len)
			break;
	}
	return false;
}

/* the heuristics below look at the start of an input only: enough for a manifest's first object, and a
 * large input is not read twice */
#define LOOK (1u << 20)

bool bh_input_k8s_looking(const char *buf, size_t len)
{
	len = len > LOOK ? LOOK : len;
	return (top_key(buf, len, "apiVersion") && top_key(buf, len, "metadata")) ||
	       (any_key(buf, len, "\"apiVersion\"") && any_key(buf, len, "\"metadata\""));
}

bool bh_input_templated(const char *buf, size_t len)
{
	len = len > LOOK ? LOOK : len;
	return memmem(buf, len, "{{", 2) != NULL;
}
