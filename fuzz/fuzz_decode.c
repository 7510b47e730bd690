/* libFuzzer target: bytes → decoder (YAML or JSON) → objects → pod views → rules, as `scan` runs them.
 * Run: make fuzz && build-fuzz/fuzz_decode -max_total_time=60 fuzz/corpus/decode */
#include <stddef.h>
#include <stdint.h>

#include "config/engine_ops.h"
#include "engine/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bh_limits lim = {
		.max_input = 1 << 20, .max_doc_bytes = 16u << 20, .max_depth = 128, .max_weight = 1000000,
	};
	struct bh_engine e;
	bh_engine_init(&e);
	e.lim = &lim;
	e.cfg_ops = &bh_config_engine_ops; /* no config, but the ignore annotation as scan applies it */
	bh_engine_buffer(&e, "fuzz.yaml", (const char *)data, size);
	bh_engine_release(&e);
	return 0;
}
