/* libFuzzer target: bytes → bulkhead fix (plan, text edits, applied text, unified diff) and --patch, at both
 * levels. The input is an untrusted manifest; positions from the decoder index into it.
 * Run: make fuzz && build-fuzz/fuzz_fix -max_total_time=60 fuzz/corpus/fix */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fix/fix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1u << 20))
		return 0;
	for (int mode = 0; mode < 3; mode++) {
		struct bh_fix_opts o = {.level = mode == 1 ? BH_FIX_BASELINE : BH_FIX_RESTRICTED, .patch = mode == 2};
		struct bh_fix_result r;
		bh_fix_init(&r);
		if (bh_fix_buffer(&r, &o, "fuzz.yaml", (const char *)data, size) == 0 && !o.patch &&
		    bh_fix_apply(&r, (const char *)data, size) == 0) {
			if (!r.nedits && (r.outlen != size || (size && memcmp(r.out, data, size))))
				abort(); /* no edit must mean the same bytes */
			free(bh_fix_diff(&r, "fuzz.yaml", (const char *)data, size));
		}
		bh_fix_release(&r);
	}
	return 0;
}
