/* The fast path: which audit lines need decoding at all.
 *
 * Why it exists (measured, bench/audit.sh, 200,000 events of ~2.5 KB, one core): a busy API server writes
 * thousands of events per second and almost all are reads, leases, status updates and events that no audit
 * rule can match. Decoding every line into the node tree (src/decode/json.c, --no-fast-path) costs 1.2 CPU-s
 * for 200,000 events: ~164,000 events/s, below the 200,000 target. The API server writes an Event's fields in
 * the Go struct's order (kind, apiVersion, level, auditID, stage, requestURI, verb, user, impersonatedUser,
 * sourceIPs, userAgent, objectRef, responseStatus, requestObject, …), so the fields that decide relevance come
 * before the large objects: this scanner reads the keys up to objectRef and stops, leaving the rest of the
 * line unread (~645,000 events per CPU-second on the same input; 1 % of it, the pod creations, is decoded).
 *
 * It only ever says "skip" for a line that looks like a well-formed audit.k8s.io/v1 Event (starts with '{',
 * ends with '}', the keys it read parsed, the right apiVersion and kind) whose verb, resource, user and stage
 * cannot match any rule (bha_classify, the same function the full path uses). Anything unusual — escapes in
 * keys, impersonation, another kind, a parse problem — goes to the full decoder, which reports errors with
 * line:col. What the fast path does not validate is the unread tail of a skipped line. */
#include <stdlib.h>
#include <string.h>

#include "audit_int.h"

struct scan {
	const char *p, *end;
};

static void ws(struct scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
		s->p++;
}

/* A string without escapes; false for anything else (the full decoder handles escapes). */
static bool str(struct scan *s, struct bha_sv *out)
{
	if (s->p >= s->end || *s->p != '"')
		return false;
	const char *b = s->p + 1;
	const char *q = memchr(b, '"', (size_t)(s->end - b));
	if (!q || memchr(b, '\\', (size_t)(q - b)))
		return false;
	*out = (struct bha_sv){b, (size_t)(q - b)};
	s->p = q + 1;
	return true;
}

/* Skips a string with escapes. */
static bool skip_str(struct scan *s)
{
	const char *q = s->p + 1;
	for (;;) {
		q = memchr(q, '"', (size_t)(s->end - q));
		if (!q)
			return false;
		size_t bs = 0;
		while (q - bs - 1 > s->p && q[-(ptrdiff_t)bs - 1] == '\\')
			bs++;
		q++;
		if (!(bs & 1))
			break;
	}
	s->p = q;
	return true;
}

/* Skips any value: strings, nested objects/arrays (bracket depth, strings skipped), scalars. */
static bool skip(struct scan *s)
{
	if (s->p >= s->end)
		return false;
	if (*s->p == '"')
		return skip_str(s);
	if (*s->p != '{' && *s->p != '[') {
		while (s->p < s->end && *s->p != ',' && *s->p != '}' && *s->p != ']')
			s->p++;
		return s->p < s->end;
	}
	size_t depth = 0;
	while (s->p < s->end) {
		char c = *s->p;
		if (c == '"') {
			if (!skip_str(s))
				return false;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth == 0) {
			s->p++;
			return true;
		}
		s->p++;
	}
	return false;
}

/* Reads a nested object's string fields named in want[] into out[] (same order); skips the rest. */
static bool sub_object(struct scan *s, const char *const *want, struct bha_sv *out, size_t nwant)
{
	if (s->p >= s->end || *s->p != '{')
		return false;
	s->p++;
	for (;;) {
		ws(s);
		if (s->p < s->end && *s->p == '}') {
			s->p++;
			return true;
		}
		struct bha_sv k;
		if (!str(s, &k))
			return false;
		ws(s);
		if (s->p >= s->end || *s->p++ != ':')
			return false;
		ws(s);
		size_t i = 0;
		while (i < nwant && !bha_sv_eq(k, want[i]))
			i++;
		if (i < nwant && s->p < s->end && *s->p == '"') {
			if (!str(s, &out[i]))
				return false;
		} else if (!skip(s))
			return false;
		ws(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
	}
}

enum { F_KIND = 1, F_API = 2, F_STAGE = 4, F_VERB = 8, F_USER = 16, F_REF = 32, F_ALL = 63 };

/* One top-level field: returns false when the line must be decoded. */
static bool field(struct scan *s, struct bha_sv k, struct bha_key *key, unsigned *seen)
{
	static const char *const user_keys[] = {"username"};
	static const char *const ref_keys[] = {"resource", "subresource", "namespace", "apiGroup"};
	struct bha_sv v;
	if (bha_sv_eq(k, "kind") || bha_sv_eq(k, "apiVersion")) {
		bool kind = k.n == 4;
		if (!str(s, &v) || !bha_sv_eq(v, kind ? "Event" : "audit.k8s.io/v1"))
			return false;
		*seen |= kind ? F_KIND : F_API;
	} else if (bha_sv_eq(k, "stage") || bha_sv_eq(k, "verb")) {
		bool stage = k.n == 5;
		if (!str(s, stage ? &key->stage : &key->verb))
			return false;
		*seen |= stage ? F_STAGE : F_VERB;
	} else if (bha_sv_eq(k, "user")) {
		if (!sub_object(s, user_keys, &key->user, 1))
			return false;
		*seen |= F_USER;
	} else if (bha_sv_eq(k, "objectRef")) {
		struct bha_sv r[4] = {{0}};
		if (!sub_object(s, ref_keys, r, 4))
			return false;
		key->resource = r[0], key->subresource = r[1], key->ns = r[2], key->group = r[3];
		key->has_ref = true;
		*seen |= F_REF;
	} else if (bha_sv_eq(k, "impersonatedUser")) {
		return false; /* rare; the full path knows whom the request acted as */
	} else if (!skip(s))
		return false;
	return true;
}

int bha_prefilter(const char *p, size_t n)
{
	return bha_prefilter_ex(p, n, false);
}

int bha_prefilter_ex(const char *p, size_t n, bool item)
{
	struct scan s = {p, p + n};
	ws(&s);
	const char *e = s.end;
	while (e > s.p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	if (s.p >= e || *s.p != '{' || e[-1] != '}')
		return 1; /* truncated or not an object: the decoder says where */
	s.p++;
	struct bha_key key = {0};
	unsigned seen = 0;
	for (;;) {
		ws(&s);
		if (s.p < s.end && *s.p == '}')
			break;
		struct bha_sv k;
		if (!str(&s, &k))
			return 1;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			return 1;
		ws(&s);
		if (!field(&s, k, &key, &seen))
			return 1;
		if (seen == F_ALL || (item && (seen | F_KIND | F_API) == F_ALL && !(seen & (F_KIND | F_API))))
			break; /* everything that decides is known: the rest (the objects) is not read */
		ws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
		else if (s.p >= s.end || *s.p != '}')
			return 1;
	}
	if (item && !(seen & (F_KIND | F_API)))
		seen |= F_KIND | F_API; /* an EventList's items carry no type */
	if ((seen | F_REF) != F_ALL)
		return 1; /* a required field missing: the decoder reports it */
	return bha_classify(&key) ? 1 : 0;
}

/* The webhook backend's body: {"kind":"EventList","apiVersion":"audit.k8s.io/v1","metadata":{…},"items":[…]}.
 * Finds each item's bytes (offset, length) without decoding, so that items go through bha_prefilter_ex one
 * by one like log lines. Returns the number of items, or -1 when the body is anything else (then the full
 * decoder reads it and reports what is wrong). *out is malloc'ed. */
static bool items(struct scan *s, const char *base, struct bha_span **out, size_t *n, size_t max)
{
	size_t cap = 0;
	if (s->p >= s->end || *s->p++ != '[')
		return false;
	for (;;) {
		ws(s);
		if (s->p < s->end && *s->p == ']') {
			s->p++;
			return true;
		}
		const char *b = s->p;
		if (*n >= max || b >= s->end || *b != '{' || !skip(s))
			return false;
		if (*n == cap) {
			cap = cap ? cap * 2 : 512;
			struct bha_span *nv = realloc(*out, cap * sizeof(*nv));
			if (!nv)
				return false;
			*out = nv;
		}
		(*out)[(*n)++] = (struct bha_span){(size_t)(b - base), (size_t)(s->p - b)};
		ws(s);
		if (s->p < s->end && *s->p == ',')
			s->p++;
	}
}

long bha_split_items(const char *p, size_t n, size_t max, struct bha_span **out)
{
	struct scan s = {p, p + n};
	size_t count = 0;
	unsigned seen = 0;
	*out = NULL;
	ws(&s);
	if (s.p >= s.end || *s.p++ != '{')
		return -1;
	for (;;) {
		ws(&s);
		if (s.p < s.end && *s.p == '}')
			break;
		struct bha_sv k, v;
		if (!str(&s, &k))
			goto bad;
		ws(&s);
		if (s.p >= s.end || *s.p++ != ':')
			goto bad;
		ws(&s);
		if (bha_sv_eq(k, "kind") || bha_sv_eq(k, "apiVersion")) {
			if (!str(&s, &v) || !bha_sv_eq(v, k.n == 4 ? "EventList" : "audit.k8s.io/v1"))
				goto bad;
			seen |= k.n == 4 ? F_KIND : F_API;
		} else if (bha_sv_eq(k, "items")) {
			if (!items(&s, p, out, &count, max))
				goto bad;
		} else if (!skip(&s))
			goto bad;
		ws(&s);
		if (s.p < s.end && *s.p == ',')
			s.p++;
	}
	for (s.p++; s.p < s.end && (*s.p == ' ' || *s.p == '\n' || *s.p == '\r' || *s.p == '\t');)
		s.p++;
	if (seen == (F_KIND | F_API) && s.p == s.end)
		return (long)count;
bad:
	free(*out);
	*out = NULL;
	return -1;
}
