/* The reporter table (curl keeps its TLS and SSH backends the same way): a format is a row, and every
 * command that prints reports looks formats up here. */
#include <stdio.h>
#include <string.h>

#include "report.h"

const struct bh_reporter bh_reporters[BH_FMT_COUNT] = {
	[BH_FMT_TEXT] = {"text", bh_report_text},
	[BH_FMT_JSON] = {"json", bh_report_json},
	[BH_FMT_SARIF] = {"sarif", bh_report_sarif},
	[BH_FMT_JUNIT] = {"junit", bh_report_junit},
	[BH_FMT_POLICYREPORT] = {"policyreport", bh_report_policyreport},
};

int bh_format_parse(const char *s)
{
	for (int i = 0; i < BH_FMT_COUNT; i++)
		if (!strcmp(s, bh_reporters[i].name))
			return i;
	return -1;
}

void bh_format_list(char *buf, size_t len, unsigned mask)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < BH_FMT_COUNT && o < len; i++)
		if (mask & (1u << i)) {
			int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", bh_reporters[i].name);
			if (w < 0)
				break;
			o += (size_t)w;
		}
}

int bh_report_write(FILE *out, int format, const struct bh_report *r)
{
	if (format < 0 || format >= BH_FMT_COUNT)
		format = BH_FMT_TEXT;
	return bh_reporters[format].write(out, r);
}

void bh_report_pos(FILE *out, const char *file, uint32_t line, uint32_t col)
{
	fputs(file ? file : "-", out);
	if (line)
		fprintf(out, ":%u", line);
	if (line && col)
		fprintf(out, ":%u", col);
}
