/* libFuzzer target: HTTP body bytes → the AdmissionReview handler of `bulkhead serve`, with the per-thread
 * state reused across inputs as the server does. Oracle besides the sanitizers: every answer is valid JSON
 * (parsed back with the project's decoder) and a 200 answer echoes a uid.
 * Run: make fuzz && build-fuzz/fuzz_admission -max_total_time=60 fuzz/corpus/admission */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "serve/admission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct bh_admission adm;
	static int init;
	static struct bh_buf out;
	if (!init) {
		bh_admission_init(&adm);
		adm.now = 1700000000; /* deterministic exemption expiry */
		bh_buf_init(&out, 0);
		init = 1;
	}
	struct bh_admit_result res;
	int status = bh_admission_review(&adm, NULL, (const char *)data, size, &out, &res);
	if (status != 200 && status != 400 && status != 413 && status != 500)
		abort();
	struct bh_arena a;
	bh_arena_init(&a, 0);
	struct bh_decoder *d = bh_decoder_new("answer", out.p, out.len, NULL);
	struct bh_doc doc;
	struct bh_err err = {0};
	if (!d || bh_decoder_next(d, &a, &doc, &err) != 1 || !doc.json || !doc.root)
		abort(); /* the answer must always be one JSON document */
	if (status == 200) {
		const struct bh_node *resp = bh_map_get(doc.root, "response", BH_READ_LAST, NULL, NULL);
		const struct bh_node *uid = bh_map_get(resp, "uid", BH_READ_LAST, NULL, NULL);
		const struct bh_node *allowed = bh_map_get(resp, "allowed", BH_READ_LAST, NULL, NULL);
		bool b;
		if (!uid || uid->type != BH_SCALAR || bh_as_bool(allowed, &b) != BH_OK)
			abort();
	}
	bh_decoder_free(d);
	bh_arena_release(&a);
	bh_buf_clear(&out, 1u << 16);
	return 0;
}
