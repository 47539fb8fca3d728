/*
 * main.c - one binary, two faces: named "sbx" it is the command line
 * (cli.c); under any other name ("python3") it is that tool's shim
 * (tool.c: find the real tool further down PATH, work out the policy,
 * confine, exec).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "tool.h"
#include "util.h"

int main(int argc, char *argv[])
{
	const char *name, *d;

	d = getenv(ENV_DEBUG);
	debug_on = d && strcmp(d, "1") == 0;
	if (argc < 1 || !argv[0])
		die(EXIT_SBX_FAILED, "started with no argv[0]");
	name = base_name(argv[0]);
	if (strcmp(name, "sbx") == 0 || *name == '\0')
		return cli_main(argc, argv);
	return tool_main(name, argv);
}
