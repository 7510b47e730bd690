/* libFuzzer target: bytes → a cluster snapshot (decoder, objects, the scan engine, RBAC/namespace/node
 * views) → analysis (grants, Pod Security probes, node CVEs, graph, paths) → JSON, as `bulkhead cluster`
 * runs them on a snapshot file.
 * Run: make fuzz && build-fuzz/fuzz_cluster -max_total_time=60 fuzz/corpus/cluster */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cluster/cluster.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct bh_limits lim = {
		.max_input = 1 << 20, .max_doc_bytes = 16u << 20, .max_depth = 128, .max_weight = 1000000,
	};
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	struct bh_cluster c;
	struct bh_err err = {0};
	bh_cluster_init(&c, &err);
	c.eng.lim = &lim;
	bh_cluster_buffer(&c, "fuzz.yaml", (const char *)data, size);
	if (bh_cluster_analyse(&c) == 0 && null) {
		struct bh_cl_out o = {.min_finding = BH_SEV_INFO};
		bh_cluster_json(null, &c, &o);
		bh_cluster_dot(null, &c, true);
	}
	bh_cluster_release(&c);
	return 0;
}
