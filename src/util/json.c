#include "json.h"

#include <string.h>

size_t bh_json_escape(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char *o = dst;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': *o++ = '\\'; *o++ = '"'; break;
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		default:
			if (c < 0x20 || c == 0x7f) {
				memcpy(o, "\\u00", 4);
				o[4] = hex[c >> 4];
				o[5] = hex[c & 15];
				o += 6;
			} else
				*o++ = (char)c;
		}
	}
	return (size_t)(o - dst);
}

void bh_json_strn(FILE *out, const char *s, size_t n)
{
	char buf[BH_JSON_ESCAPED_MAX(256)];
	putc('"', out);
	while (n) {
		size_t k = n > 256 ? 256 : n;
		fwrite(buf, 1, bh_json_escape(buf, s, k), out);
		s += k;
		n -= k;
	}
	putc('"', out);
}

void bh_json_str(FILE *out, const char *s)
{
	if (!s)
		fputs("null", out);
	else
		bh_json_strn(out, s, strlen(s));
}
