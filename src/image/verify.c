/* The signature verifier behind `scan --verify-images` and `serve` (verify.h): a worker pool, a job queue
 * and an LRU cache under one mutex. Cache entries:
 *   R  "KS|R|REF"          what a caller waits on: the verdict for a reference (a tag's expires with the
 *                          tag TTL, so a re-pushed tag is resolved again; a digest's with the verdict TTL)
 *   D  "KS|D|REPO@DIGEST"  the verdict for a digest, reused when a tag resolves to a digest seen before
 * KS identifies the key set: the key files' paths, inodes, sizes and modification times. */
#include "image/verify.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define NBUCKET 4096u
#define MAX_BATCH 64
#define MAX_KEYS 64

enum { PENDING, DONE };

struct ent {
	struct ent *hnext, *prev, *next; /* bucket chain; LRU list (head: most recent) */
	uint64_t h, expires;
	int state, refs;                 /* refs: waiting callers and the queued job */
	struct bh_img_vres res;
	char key[];
};

struct job {
	struct job *next;
	struct ent *e;
	uint64_t ks;
	size_t nkeys;
	char *keys[MAX_KEYS];
	char ref[];
};

struct bh_img_verifier {
	struct bh_img_vcfg c;
	pthread_mutex_t mu;
	pthread_cond_t done, work;
	pthread_t *th;
	unsigned nth;
	bool stop;
	struct job *qhead, *qtail;
	unsigned queued;
	struct ent *tab[NBUCKET], *lru, *lru_tail;
	struct bh_img_vstats st;
};

uint64_t bh_img_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211u;
	return h;
}

/* the key set's identity: a key file replaced or rewritten is another key set */
static uint64_t keyset(const char *const *keys, size_t n)
{
	uint64_t h = 14695981039346656037u;
	for (size_t i = 0; i < n; i++) {
		struct stat st = {0};
		stat(keys[i], &st);
		h = fnv(h, keys[i], strlen(keys[i]) + 1);
		uint64_t id[4] = {(uint64_t)st.st_ino, (uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec,
				  (uint64_t)st.st_mtim.tv_nsec};
		h = fnv(h, id, sizeof(id));
	}
	return h;
}

bool bh_img_ref_repo(const char *ref, char *out, size_t n)
{
	const char *slash = strchr(ref, '/');
	size_t hl = slash ? (size_t)(slash - ref) : 0;
	bool host = slash && (memchr(ref, '.', hl) || memchr(ref, ':', hl) || (hl == 9 && !memcmp(ref, "localhost", 9)));
	const char *rest = host ? slash + 1 : ref;
	size_t rl = strcspn(rest, "@");
	const char *colon = memchr(rest, ':', rl);
	if (colon && !memchr(colon, '/', rl - (size_t)(colon - rest)))
		rl = (size_t)(colon - rest);
	if (!rl || !*ref)
		return false;
	int w = snprintf(out, n, "%.*s/%s%.*s", host ? (int)hl : 9, host ? ref : "docker.io",
			 !host && !memchr(rest, '/', rl) ? "library/" : "", (int)rl, rest);
	return w > 0 && (size_t)w < n;
}

/* ---- the cache (the caller holds mu) ---- */

static void lru_unlink(struct bh_img_verifier *v, struct ent *e)
{
	*(e->prev ? &e->prev->next : &v->lru) = e->next;
	*(e->next ? &e->next->prev : &v->lru_tail) = e->prev;
	e->prev = e->next = NULL;
}

static void lru_front(struct bh_img_verifier *v, struct ent *e)
{
	if (e->prev || v->lru == e) /* linked (a new entry is not yet) */
		lru_unlink(v, e);
	e->next = v->lru;
	if (v->lru)
		v->lru->prev = e;
	v->lru = e;
	if (!v->lru_tail)
		v->lru_tail = e;
}

static struct ent *lookup(struct bh_img_verifier *v, const char *key, bool create)
{
	uint64_t h = fnv(14695981039346656037u, key, strlen(key));
	for (struct ent *e = v->tab[h % NBUCKET]; e; e = e->hnext)
		if (e->h == h && !strcmp(e->key, key)) {
			lru_front(v, e);
			return e;
		}
	if (!create)
		return NULL;
	struct ent *e = calloc(1, sizeof(*e) + strlen(key) + 1);
	if (!e)
		return NULL;
	strcpy(e->key, key);
	e->h = h;
	e->state = DONE; /* expires 0: stale until filled */
	e->hnext = v->tab[h % NBUCKET];
	v->tab[h % NBUCKET] = e;
	lru_front(v, e);
	v->st.entries++;
	return e;
}

/* drops the least recently used entries nobody waits for, down to cache_max */
static void evict(struct bh_img_verifier *v)
{
	for (struct ent *e = v->lru_tail, *p; e && v->st.entries > v->c.cache_max; e = p) {
		p = e->prev;
		if (e->refs || e->state != DONE)
			continue;
		struct ent **pp = &v->tab[e->h % NBUCKET];
		while (*pp != e)
			pp = &(*pp)->hnext;
		*pp = e->hnext;
		lru_unlink(v, e);
		free(e);
		v->st.entries--;
		v->st.evictions++;
	}
}

/* ---- the workers ---- */

static unsigned ttl_ms(const struct bh_img_verifier *v, const struct bh_img_vres *r, bool tag)
{
	unsigned t = r->st == BH_IV_ERROR ? v->c.error_ttl_ms : v->c.verdict_ttl_ms;
	return tag && v->c.tag_ttl_ms < t ? v->c.tag_ttl_ms : t;
}

/* the signature of ref's digest, from the D entry when it is fresh */
static void verdict(struct bh_img_verifier *v, const struct job *j, struct bh_img_vres *r)
{
	char repo[600], key[800];
	bh_img_ref_repo(j->ref, repo, sizeof(repo));
	snprintf(key, sizeof(key), "%016llx|D|%s@%s", (unsigned long long)j->ks, repo, r->digest);
	pthread_mutex_lock(&v->mu);
	struct ent *d = lookup(v, key, false);
	bool fresh = d && d->state == DONE && d->expires > bh_img_mono_ns();
	if (fresh) {
		char dg[72];
		memcpy(dg, r->digest, sizeof(dg));
		*r = d->res;
		memcpy(r->digest, dg, sizeof(dg));
	}
	v->st.verifications += !fresh;
	pthread_mutex_unlock(&v->mu);
	if (fresh)
		return;
	struct bh_img_sigres sr;
	struct bh_err err = {0};
	if (bh_img_cosign(j->ref, r->digest, (const char *const *)j->keys, j->nkeys, &v->c.o, &sr, &err)) {
		r->st = BH_IV_ERROR;
		snprintf(r->why, sizeof(r->why), "%s", err.msg[0] ? err.msg : "the signature could not be fetched");
		return;
	}
	r->st = sr.v == BH_SIG_VALID ? BH_IV_VALID : sr.v == BH_SIG_UNSIGNED ? BH_IV_UNSIGNED : BH_IV_INVALID;
	snprintf(r->why, sizeof(r->why), "%s", sr.why);
	snprintf(r->key, sizeof(r->key), "%s", sr.key);
	pthread_mutex_lock(&v->mu);
	if ((d = lookup(v, key, true)) && !d->refs) {
		d->res = *r;
		d->expires = bh_img_mono_ns() + (uint64_t)ttl_ms(v, r, false) * 1000000u;
	}
	pthread_mutex_unlock(&v->mu);
}

static void run_job(struct bh_img_verifier *v, struct job *j)
{
	struct bh_img_vres r = {.st = BH_IV_ERROR};
	struct bh_err err = {0};
	bool tag = !strchr(j->ref, '@');
	pthread_mutex_lock(&v->mu);
	v->st.resolves += tag;
	pthread_mutex_unlock(&v->mu);
	if (bh_img_resolve(j->ref, &v->c.o, r.digest, &err))
		snprintf(r.why, sizeof(r.why), "%s", err.msg[0] ? err.msg : "the reference could not be resolved");
	else
		verdict(v, j, &r);
	pthread_mutex_lock(&v->mu);
	v->st.errors += r.st == BH_IV_ERROR;
	j->e->res = r;
	j->e->state = DONE;
	j->e->expires = bh_img_mono_ns() + (uint64_t)ttl_ms(v, &r, tag) * 1000000u;
	j->e->refs--;
	pthread_cond_broadcast(&v->done);
	evict(v);
	pthread_mutex_unlock(&v->mu);
}

static void *worker(void *arg)
{
	struct bh_img_verifier *v = arg;
	pthread_mutex_lock(&v->mu);
	for (;;) {
		while (!v->qhead && !v->stop)
			pthread_cond_wait(&v->work, &v->mu);
		if (v->stop)
			break;
		struct job *j = v->qhead;
		v->qhead = j->next;
		if (!v->qhead)
			v->qtail = NULL;
		v->queued--;
		pthread_mutex_unlock(&v->mu);
		run_job(v, j);
		for (size_t k = 0; k < j->nkeys; k++)
			free(j->keys[k]);
		free(j);
		pthread_mutex_lock(&v->mu);
	}
	pthread_mutex_unlock(&v->mu);
	return NULL;
}

struct bh_img_verifier *bh_img_verifier_new(const struct bh_img_vcfg *c)
{
	struct bh_img_verifier *v = calloc(1, sizeof(*v));
	if (!v || curl_global_init(CURL_GLOBAL_DEFAULT))
		return free(v), NULL;
	v->c = *c;
	v->c.workers = c->workers ? c->workers : 4;
	v->c.cache_max = c->cache_max ? c->cache_max : 4096;
	v->c.queue_max = c->queue_max ? c->queue_max : 256;
	v->c.tag_ttl_ms = c->tag_ttl_ms ? c->tag_ttl_ms : 30000;
	v->c.verdict_ttl_ms = c->verdict_ttl_ms ? c->verdict_ttl_ms : 600000;
	v->c.error_ttl_ms = c->error_ttl_ms ? c->error_ttl_ms : 5000;
	v->c.o.timeout_ms = c->o.timeout_ms ? c->o.timeout_ms : 10000;
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->done, &ca);
	pthread_cond_init(&v->work, NULL);
	pthread_condattr_destroy(&ca);
	if (!(v->th = calloc(v->c.workers, sizeof(*v->th))))
		return bh_img_verifier_free(v), NULL;
	for (; v->nth < v->c.workers; v->nth++)
		if (pthread_create(&v->th[v->nth], NULL, worker, v))
			return bh_img_verifier_free(v), NULL;
	return v;
}

void bh_img_verifier_free(struct bh_img_verifier *v)
{
	if (!v)
		return;
	pthread_mutex_lock(&v->mu);
	v->stop = true;
	pthread_cond_broadcast(&v->work);
	pthread_mutex_unlock(&v->mu);
	for (unsigned i = 0; i < v->nth; i++)
		pthread_join(v->th[i], NULL);
	free(v->th);
	for (struct job *j = v->qhead, *n; j; j = n) {
		n = j->next;
		for (size_t k = 0; k < j->nkeys; k++)
			free(j->keys[k]);
		free(j);
	}
	for (struct ent *e = v->lru, *n; e; e = n) {
		n = e->next;
		free(e);
	}
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->done);
	pthread_cond_destroy(&v->work);
	free(v);
}

/* a job for entry e (caller holds mu); false: out of memory */
static bool enqueue(struct bh_img_verifier *v, struct ent *e, const char *ref, uint64_t ks, const char *const *keys,
		    size_t nkeys)
{
	struct job *j = calloc(1, sizeof(*j) + strlen(ref) + 1);
	if (!j)
		return false;
	strcpy(j->ref, ref);
	j->e = e;
	j->ks = ks;
	for (; j->nkeys < nkeys && j->nkeys < MAX_KEYS; j->nkeys++)
		if (!(j->keys[j->nkeys] = strdup(keys[j->nkeys]))) {
			for (size_t k = 0; k < j->nkeys; k++)
				free(j->keys[k]);
			return free(j), false;
		}
	*(v->qtail ? &v->qtail->next : &v->qhead) = j;
	v->qtail = j;
	v->queued++;
	e->state = PENDING;
	e->refs++;
	pthread_cond_signal(&v->work);
	return true;
}

/* one reference: answered from the cache, or its entry to wait on (NULL: answered) */
static struct ent *start(struct bh_img_verifier *v, const char *ref, const char *const *keys, size_t nkeys,
			 struct bh_img_vres *r)
{
	uint64_t ks = keyset(keys, nkeys);
	char key[800];
	int w = snprintf(key, sizeof(key), "%016llx|R|%s", (unsigned long long)ks, ref);
	memset(r, 0, sizeof(*r));
	r->st = BH_IV_ERROR;
	if (w < 0 || (size_t)w >= sizeof(key))
		return snprintf(r->why, sizeof(r->why), "the image reference is too long to verify"), NULL;
	v->st.requests++;
	struct ent *e = lookup(v, key, true);
	if (!e)
		return snprintf(r->why, sizeof(r->why), "out of memory"), NULL;
	if (e->state == DONE && e->expires > bh_img_mono_ns()) {
		*r = e->res;
		r->cached = true;
		v->st.hits++;
		return NULL;
	}
	if (e->state == DONE) {
		v->st.misses++;
		if (v->queued >= v->c.queue_max) {
			v->st.busy++;
			return snprintf(r->why, sizeof(r->why), "the verifier is busy (%u verifications queued)", v->queued), NULL;
		}
		if (!enqueue(v, e, ref, ks, keys, nkeys))
			return snprintf(r->why, sizeof(r->why), "out of memory"), NULL;
	}
	e->refs++;
	return e;
}

void bh_img_verify_batch(struct bh_img_verifier *v, size_t n, const char *const *refs,
			 const char *const *const *keys, const size_t *nkeys, uint64_t deadline_ns,
			 struct bh_img_vres *res)
{
	struct ent *wait[MAX_BATCH] = {0};
	pthread_mutex_lock(&v->mu);
	for (size_t i = 0; i < n; i++) {
		if (i >= MAX_BATCH) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].st = BH_IV_ERROR;
			snprintf(res[i].why, sizeof(res[i].why), "more than %d images to verify at once", MAX_BATCH);
			continue;
		}
		wait[i] = start(v, refs[i], keys[i], nkeys[i], &res[i]);
	}
	struct timespec dl = {(time_t)(deadline_ns / 1000000000u), (long)(deadline_ns % 1000000000u)};
	for (size_t i = 0; i < n && i < MAX_BATCH; i++) {
		while (wait[i] && wait[i]->state != DONE) {
			int rc = deadline_ns ? pthread_cond_timedwait(&v->done, &v->mu, &dl) : pthread_cond_wait(&v->done, &v->mu);
			if (rc == ETIMEDOUT)
				break;
		}
		if (!wait[i])
			continue;
		if (wait[i]->state == DONE) {
			res[i] = wait[i]->res;
		} else {
			res[i].st = BH_IV_TIMEOUT;
			v->st.timeouts++;
			snprintf(res[i].why, sizeof(res[i].why), "no verdict within the time budget (the registry is slow or "
				 "unreachable); verification goes on in the background");
		}
		wait[i]->refs--;
	}
	evict(v);
	pthread_mutex_unlock(&v->mu);
}

void bh_img_verifier_stats(struct bh_img_verifier *v, struct bh_img_vstats *out)
{
	pthread_mutex_lock(&v->mu);
	*out = v->st;
	pthread_mutex_unlock(&v->mu);
}
