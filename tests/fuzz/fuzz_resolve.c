/* libFuzzer harness: arbitrary PATH strings through the resolution and the
 * path helpers. Never a crash; the tool's PATH holds only entries of the
 * input, and a found tool lies in one of them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "sh", "sbx-fuzz-none", "true" };
	struct resolved r;
	const char *why;
	char *path, *abs;

	path = xmalloc(size + 1);
	memcpy(path, data, size);
	path[size] = '\0';
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (path_resolve(names[i], path, 0, 0, &r) == 0) {
			if (strlen(r.tool_env) > strlen(path))
				abort();
			if (strncmp(r.path, "/", 1) != 0)
				abort(); /* relative entries are never searched */
			resolved_free(&r);
		}
	}
	abs = path_absolute(path, "/base", "/home/u", &why);
	if (abs) {
		if (abs[0] != '/' || strstr(abs, "//") || strstr(abs, "/./") ||
		    strstr(abs, "/../"))
			abort(); /* not normalised */
		free(abs);
	}
	free(path);
	return 0;
}
