/* libFuzzer harness: arbitrary bytes as a config file. Never a crash, a
 * leak or a hang, and every rejection names the file and a line. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "util.h"

static int reported;

static void check_message(const char *line)
{
	const char *p = "sbx: /fuzz/.sbxrc:";

	if (strncmp(line, p, strlen(p)) != 0)
		abort(); /* a message without the file */
	line += strlen(p);
	if (*line < '1' || *line > '9')
		abort(); /* ... or without a line number */
	while (*line >= '0' && *line <= '9')
		line++;
	if (line[0] != ':' || line[1] != ' ')
		abort();
	reported++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy p;
	char *text;
	int errors;

	setenv("HOME", "/fuzz/home", 1);
	msg_hook = check_message;
	text = xmalloc(size + 1);
	memcpy(text, data, size);
	text[size] = '\0';
	reported = 0;
	policy_init(&p, "npm");
	errors = policy_apply_text(&p, "/fuzz/.sbxrc", text, size);
	if (errors != reported)
		abort(); /* every error is reported, once */
	policy_free(&p);
	free(text);
	return 0;
}
