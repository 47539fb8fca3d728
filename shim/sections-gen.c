/*
 * sections-gen.c - a build-time helper, never installed: prints the names
 * of FILE's "[name]" sections, one a line, as sbx's own config parser reads
 * them (rc_sections). make install takes the tools that get shims from
 * wrappers/defaults through it, so that make and sbx cannot disagree.
 * Built for the machine that builds (like seccomp-gen). Exits 1 on a
 * malformed header (reported as "FILE:LINE: ...").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rcfile.h"
#include "util.h"

int main(int argc, char *argv[])
{
	char **names;
	size_t len;
	char *text;
	int errors;

	if (argc != 2) {
		fprintf(stderr, "usage: sections-gen FILE\n");
		return 2;
	}
	text = read_small_file(argv[1], RC_MAX_SIZE, 0, &len);
	if (!text)
		die(1, "%s: cannot read: %s", argv[1], strerror(errno));
	errors = rc_sections(argv[1], text, len, &names);
	for (size_t i = 0; names[i]; i++) {
		printf("%s\n", names[i]);
		free(names[i]);
	}
	free(names);
	free(text);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(1, "writing the section names: %s", strerror(errno));
	return errors > 0 ? 1 : 0;
}
