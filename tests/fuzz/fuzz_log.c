/* libFuzzer harness: arbitrary kernel log text through sbx log's parser
 * (the paths and names in Landlock's records are the tools' own, so an
 * attacker's). Never a crash; every line printed ends with a newline and
 * holds no control character but it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmalloc(size + 1), *out = NULL, *line, *next;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct log_state *st = log_open(f, 0);

	memcpy(text, data, size);
	text[size] = '\0';
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		log_feed(st, line);
	}
	log_close(st);
	fclose(f);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20 && out[i] != '\n')
			abort();
	if (len && out[len - 1] != '\n')
		abort();
	free(out);
	free(text);
	return 0;
}
