/* libFuzzer target: bytes → a Trivy or Grype report (bh_vulns_load_buffer) → the grouped database → the
 * engine hook over a fixed privileged pod whose images the seeds name, so report parsing, reference
 * normalisation, grouping, deduplication and the finding's text all run on hostile input. Oracle besides the
 * sanitizers: a failed load says why; a loaded report's vulnerabilities are ranked worst first with unique ids.
 * Run: make fuzz && build-fuzz/fuzz_vulns -max_total_time=60 fuzz/corpus/vulns */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "image/vulns.h"

static const char pod[] =
	"apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\nspec:\n  hostPID: true\n  containers:\n"
	"  - {name: a, image: nginx:1.25.3, securityContext: {privileged: true}}\n"
	"  - {name: b, image: 'nginx@sha256:4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac'}\n"
	"  - {name: c, image: 'ghcr.io/example/node-agent:2.4.1'}\n  - {name: d, image: x}\n";

static void check_groups(const struct bh_vulndb *db)
{
	for (uint32_t g = 0; g < db->ng; g++)
		for (uint32_t i = 1; i < db->g[g].nv; i++) {
			const struct bh_vuln *a = &db->g[g].v[i - 1], *b = &db->g[g].v[i];
			if (a->sev < b->sev)
				abort(); /* not worst first */
			for (uint32_t k = 0; k < i; k++)
				if (!strcmp(db->g[g].v[k].id, b->id))
					abort(); /* not deduplicated */
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bh_vulns_limits lim = bh_vulns_default_limits;
	lim.max_memory = 64u << 20;
	lim.max_images = 8;
	struct bh_vulndb db;
	bh_vulns_init(&db, &lim);
	struct bh_err err;
	/* the same bytes twice: two reports of one image exercise grouping and deduplication */
	for (int i = 0; i < 2; i++)
		if (bh_vulns_load_buffer(&db, "fuzz.json", (const char *)data, size, &err) < 0 && !err.msg[0])
			abort(); /* a failure always says why */
	if (bh_vulns_finish(&db, &err) == 0) {
		check_groups(&db);
		struct bh_engine e;
		bh_engine_init(&e);
		e.on_pod = bh_vulns_on_pod;
		e.on_pod_ctx = &db;
		bh_engine_buffer(&e, "pod.yaml", pod, sizeof(pod) - 1);
		bh_engine_release(&e);
	}
	bh_vulns_release(&db);
	return 0;
}
