/* libFuzzer target: bytes → `bulkhead audit` as a log (JSON lines or a document) and as a webhook batch.
 * Oracle besides the sanitizers: every JSON line written is one JSON value. The fast path and the full
 * decoder both run; their findings are not compared here because duplicate top-level keys (which the API
 * server never writes) are read first-wins by the fast path and last-wins by the decoder
 * (tests/unit/test_audit.c and the golden cases compare them on well-formed events). Run: make fuzz && build-fuzz/fuzz_audit -max_total_time=60 fuzz/corpus/audit */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "decode/node.h"

static void jsonl_valid(struct bh_audit *a)
{
	char *out = NULL;
	size_t len = 0, from = 0, from_err = 0;
	FILE *m = open_memstream(&out, &len);
	if (!m)
		return;
	bh_audit_write_jsonl(m, a, &from, &from_err);
	fclose(m);
	struct bh_arena ar;
	bh_arena_init(&ar, 0);
	for (char *p = out, *nl; p && (nl = memchr(p, '\n', len - (size_t)(p - out))); p = nl + 1) {
		struct bh_decoder *d = bh_decoder_new("line", p, (size_t)(nl - p), NULL);
		struct bh_doc doc;
		struct bh_err err = {0};
		if (!d || bh_decoder_next(d, &ar, &doc, &err) != 1 || !doc.json)
			abort();
		bh_decoder_free(d);
		bh_arena_reset(&ar);
	}
	bh_arena_release(&ar);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	for (int batch = 0; batch < 2; batch++) {
		for (int pass = 0; pass < 2; pass++) {
			struct bh_audit_opts o = {.no_fast = pass == 1, .max_event = 1u << 20};
			struct bh_audit *a;
			if (bh_audit_new(&o, &a))
				return 0;
			struct bh_err err = {0};
			if (batch)
				bh_audit_batch(a, "fuzz", (const char *)data, size, &err);
			else
				bh_audit_buffer(a, "fuzz", (const char *)data, size);
			if (pass == 0)
				jsonl_valid(a);
			bh_audit_free(a);
		}
	}
	return 0;
}
