/* The one JSON string escaper: every JSON writer (reports, pss, rules, errors, admission responses,
 * watch alerts) quotes strings through it, so escaping is the same everywhere (RFC 8259 §7: ", \ and
 * control characters escaped, DEL too; other bytes, UTF-8 included, as they are). */
#ifndef BH_JSON_H
#define BH_JSON_H
#include <stddef.h>
#include <stdio.h>

/* The most bytes bh_json_escape writes for n input bytes. */
#define BH_JSON_ESCAPED_MAX(n) (6 * (n))

/* Writes s[0..n) escaped, without quotes, to dst (room for BH_JSON_ESCAPED_MAX(n) bytes); returns the
 * bytes written. */
size_t bh_json_escape(char *dst, const char *s, size_t n);

/* Quoted and escaped to out. */
void bh_json_strn(FILE *out, const char *s, size_t n);
/* Same for a C string; NULL is written as null. */
void bh_json_str(FILE *out, const char *s);

#endif
