/* floor.c - the least any exec shim can cost: exec the tool, nothing else.
 * Built static by bench/exec.sh. */
#include <unistd.h>

int main(int argc, char *argv[])
{
	(void)argc;
	execv("/usr/bin/true", argv);
	return 127;
}
