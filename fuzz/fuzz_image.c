/* libFuzzer target: bytes → an image's config (first byte even) or one layer blob (odd) → the merged
 * filesystem, symlink lookups and the image rules. The layer path covers libarchive's tar/pax/gzip/zstd
 * readers as bulkhead drives them, path cleaning ("..", absolute paths), whiteouts, hard links and the
 * security.capability parser. Oracle besides the sanitizers: a read either fails with a message or yields
 * an image whose every visible file has a clean path (no "..", no leading "/").
 * Run: make fuzz && build-fuzz/fuzz_image -max_total_time=60 fuzz/corpus/image */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "image/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	static struct bh_img_limits lim;
	lim = bh_img_default_limits;
	lim.max_unpacked = 64u << 20; /* keep each run small */
	lim.max_entries = 10000;
	lim.max_memory = 64u << 20;
	struct bh_image img;
	memset(&img, 0, sizeof(img));
	img.lim = &lim;
	bh_arena_init(&img.arena, lim.max_memory);
	struct bh_err err = {0};
	static struct bh_img_layer layer;
	memset(&layer, 0, sizeof(layer));
	img.layers = &layer;
	img.nlayers = 1;
	img.user = "";
	if (!(data[0] & 1)) {
		bh_img_parse_config(&img, (const char *)data + 1, size - 1, NULL, NULL, &err);
	} else {
		int fd = memfd_create("layer", MFD_CLOEXEC);
		if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t)(size - 1) || lseek(fd, 0, SEEK_SET))
			abort();
		struct bh_img_blob *b = calloc(1, sizeof(*b));
		b->fd = fd;
		b->max = lim.max_blob;
		char got[72];
		if (!bh_img_blob_begin(b, &err)) {
			int rc = bh_img_layer_read(&img, b, 0, &err);
			bh_img_blob_end(b, NULL, got, "blob", &err);
			if (rc && !err.msg[0])
				abort(); /* a failure always says why */
		}
		free(b);
		close(fd);
	}
	bh_img_fs_finish(&img);
	for (uint32_t i = 0; i < img.tabcap; i++) {
		const struct bh_img_file *f = img.tab[i];
		if (f && (f->path[0] == '/' || strstr(f->path, "../") || !strcmp(f->path, "..")))
			abort();
	}
	bh_img_lookup(&img, "etc/passwd", true);
	bh_img_lookup(&img, "/bin/sh", true);
	struct bh_arena fa;
	bh_arena_init(&fa, 16u << 20);
	struct bh_findings fs;
	bh_findings_init(&fs, &fa);
	bh_image_evaluate(&img, &fs);
	bh_findings_release(&fs);
	bh_arena_release(&fa);
	bh_image_release(&img);
	return 0;
}
