/* The NetworkPolicy model read two ways gives the same decisions: bh_np_load keeps every document's tree
 * and points into it (bulkhead netpol); bh_np_add_copy copies what it keeps (bulkhead cluster, which drops
 * each document once read). Here every document is decoded into its own arena from a private copy of the
 * bytes, and both are freed (the bytes overwritten first) before the model is used: a string the copying
 * reader failed to copy is a use after free under ASan (build-san) and a wrong decision otherwise. The
 * inputs are the netpol golden fixtures (selectors, named ports, endPort, ipBlock, (B)ANPs, Services,
 * EndpointSlices, Nodes); run from the checkout's root, as tests/run.sh does. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <glob.h>

#include "decode/node.h"
#include "netpol/reach.h"
#include "util/file.h"

struct model {
	struct bh_arena a;
	struct bh_np_snap s;
	struct bh_diagvec errs;
};

static int copy_cb(const struct bh_object *o, void *ctx)
{
	struct model *m = ctx;
	struct bh_err err = {0};
	int rc = bh_np_add_copy(&m->s, o, &err);
	assert_int_not_equal(rc, -ENOMEM);
	return 0;
}

/* the copying reader: a document at a time, its arena and the bytes gone before the model is used */
static void load_copying(struct model *m, const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	assert_int_equal(bh_read_file(path, bh_default_limits.max_input, &buf, &len), 0);
	struct bh_decoder *d = bh_decoder_new(path, buf, len, &bh_default_limits);
	assert_non_null(d);
	for (;;) {
		struct bh_arena doc_arena;
		struct bh_doc doc;
		struct bh_err err = {0};
		bh_arena_init(&doc_arena, 0);
		int rc = bh_decoder_next(d, &doc_arena, &doc, &err);
		if (rc > 0 && doc.root)
			bh_objects_each(&doc, &doc_arena, copy_cb, m);
		bh_arena_release(&doc_arena);
		if (rc == 0)
			break;
	}
	bh_decoder_free(d);
	memset(buf, 'x', len);
	free(buf);
}

static void model_init(struct model *m)
{
	memset(m, 0, sizeof(*m));
	bh_arena_init(&m->a, 0);
	bh_np_snap_init(&m->s, &m->a);
}

static void model_free(struct model *m)
{
	bh_np_snap_release(&m->s);
	free(m->errs.v);
	bh_arena_release(&m->a);
}

static void same_model(const struct bh_np_snap *t, const struct bh_np_snap *c, const char *path)
{
	assert_int_equal(t->npods, c->npods);
	assert_int_equal(t->nns, c->nns);
	assert_int_equal(t->npol, c->npol);
	assert_int_equal(t->nanp, c->nanp);
	assert_int_equal(t->nsvc, c->nsvc);
	assert_int_equal(t->neps, c->neps);
	assert_int_equal(t->nnodes, c->nnodes);
	for (uint32_t i = 0; i < t->npods; i++) {
		assert_string_equal(t->pods[i].ns, c->pods[i].ns);
		assert_string_equal(t->pods[i].name, c->pods[i].name);
		assert_string_equal(t->pods[i].ref.kind, c->pods[i].ref.kind);
		assert_int_equal(t->pods[i].labels.n, c->pods[i].labels.n);
		for (uint32_t k = 0; k < t->pods[i].labels.n; k++) {
			assert_string_equal(t->pods[i].labels.v[k].k, c->pods[i].labels.v[k].k);
			assert_string_equal(t->pods[i].labels.v[k].v, c->pods[i].labels.v[k].v);
		}
	}
	for (uint32_t i = 0; i < t->nns; i++)
		assert_string_equal(t->ns[i].name, c->ns[i].name);
	(void)path;
}

/* every pod pair on a few ports and both protocols: the same verdict, stage and policy */
static unsigned same_decisions(const struct bh_np_snap *t, const struct bh_np_snap *c)
{
	static const uint32_t ports[] = {53, 80, 443, 6443, 8080, 9000, 10250};
	unsigned n = 0;
	for (uint32_t a = 0; a < t->npods; a++)
		for (uint32_t b = 0; b < t->npods; b++)
			for (unsigned k = 0; k < sizeof(ports) / sizeof(*ports); k++)
				for (uint8_t proto = BH_NP_TCP; proto <= BH_NP_UDP; proto++) {
					struct bh_np_packet p = {.proto = proto, .port = ports[k]};
					if (t->pods[a].nips)
						p.src = t->pods[a].ips[0];
					if (t->pods[b].nips)
						p.dst = t->pods[b].ips[0];
					struct bh_np_verdict vt, vc;
					bh_np_decide_pods(t, (int32_t)a, (int32_t)b, &p, &vt);
					bh_np_decide_pods(c, (int32_t)a, (int32_t)b, &p, &vc);
					assert_int_equal(vt.allow, vc.allow);
					assert_int_equal(vt.stage, vc.stage);
					assert_int_equal(vt.policy, vc.policy);
					n++;
				}
	return n;
}

static void same_reach(struct bh_np_snap *t, struct bh_np_snap *c)
{
	struct bh_arena fa;
	struct bh_findings ft, fc;
	bh_arena_init(&fa, 0);
	bh_findings_init(&ft, &fa);
	bh_findings_init(&fc, &fa);
	struct bh_np_reach rt = {0}, rc = {0};
	assert_int_equal(bh_np_reach(t, &rt, &ft), 0);
	assert_int_equal(bh_np_reach(c, &rc, &fc), 0);
	assert_int_equal(ft.n, fc.n);
	for (uint32_t i = 0; i < t->npods; i++) {
		assert_int_equal(rt.pod[i].api, rc.pod[i].api);
		assert_int_equal(rt.pod[i].metadata, rc.pod[i].metadata);
		assert_int_equal(rt.pod[i].nodeport, rc.pod[i].nodeport);
		assert_int_equal(rt.pod[i].kubelets, rc.pod[i].kubelets);
		assert_int_equal(rt.pod[i].cross, rc.pod[i].cross);
	}
	for (size_t i = 0; i < (size_t)t->nns * t->nns; i++)
		assert_int_equal(rt.matrix[i], rc.matrix[i]);
	bh_np_reach_release(&rt);
	bh_np_reach_release(&rc);
	bh_findings_release(&ft);
	bh_findings_release(&fc);
	bh_arena_release(&fa);
}

static void test_copy_reader(void **st)
{
	glob_t g;
	if (glob("tests/fixtures/netpol/*.yaml", 0, NULL, &g) || glob("tests/fixtures/netpol/decide/*.yaml", GLOB_APPEND, NULL, &g))
		skip(); /* not run from the checkout's root */
	unsigned files = 0, decisions = 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct model t, c;
		model_init(&t);
		model_init(&c);
		assert_int_equal(bh_np_load(&t.s, g.gl_pathv[i], &bh_default_limits, &t.errs), 0);
		load_copying(&c, g.gl_pathv[i]);
		same_model(&t.s, &c.s, g.gl_pathv[i]);
		assert_int_equal(bh_np_index(&t.s), 0);
		assert_int_equal(bh_np_index(&c.s), 0);
		decisions += same_decisions(&t.s, &c.s);
		same_reach(&t.s, &c.s);
		model_free(&t);
		model_free(&c);
		files++;
	}
	globfree(&g);
	print_message("%u fixtures, %u decisions alike\n", files, decisions);
	assert_true(files >= 10);
	(void)st;
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_copy_reader)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
