/* Baseline for bench/scan.sh: libyaml parse-only — every event of every document of every FILE, nothing
 * built, one core. Prints the number of events. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: yaml_parse FILE...\n");
		return 2;
	}
	unsigned long events = 0;
	for (int a = 1; a < argc; a++) {
	FILE *f = fopen(argv[a], "rb");
	if (!f) {
		perror(argv[a]);
		return 2;
	}
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "read failed\n");
		return 2;
	}
	fclose(f);
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, buf, (size_t)len);
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			fprintf(stderr, "parse error at line %lu\n", (unsigned long)p.problem_mark.line + 1);
			return 1;
		}
		int done = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		events++;
		if (done)
			break;
	}
	yaml_parser_delete(&p);
	free(buf);
	}
	printf("%lu events\n", events);
	return 0;
}
