/* The knowledge base is embedded byte for byte, so `bulkhead inside` works in a bare container with nothing
 * but the binary. The path is relative to the top of the checkout, where make runs the compiler;
 * src/host/host.mk makes this object depend on the data file. */
#include <stddef.h>

extern const char bh_cvedata[];
extern const char bh_cvedata_end[];
size_t bh_cvedata_size(void);
const char *bh_cvedata_ptr(void);

__asm__(".pushsection .rodata\n"
	".global bh_cvedata\n"
	".type bh_cvedata, @object\n"
	"bh_cvedata:\n"
	".incbin \"data/escape-cves.txt\"\n"
	".global bh_cvedata_end\n"
	".type bh_cvedata_end, @object\n"
	"bh_cvedata_end:\n"
	".byte 0\n"
	".popsection\n");

size_t bh_cvedata_size(void)
{
	return (size_t)(bh_cvedata_end - bh_cvedata);
}

const char *bh_cvedata_ptr(void)
{
	return bh_cvedata;
}
