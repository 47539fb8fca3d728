/*
 * rounds.c - runs each command once per round, round after round, and
 * prints each one's median wall time: interleaved, so that a machine whose
 * speed swings (this shared VM, by 2x) swings for all of them alike.
 *
 *   rounds N [-m FD] CMD1 -- CMD2 -- ...
 *
 * A command whose first word starts with '@' (the '@' dropped) runs in the
 * mount namespace open on FD (-m): bench/session.sh measures commands
 * outside and inside an agent's session in the same rounds. Each command is
 * a path and its arguments, exec'd directly (no shell), after words of the
 * form NAME=value, which are set in its environment (as env(1) would, but
 * without the extra exec). A label for the output may lead: ':LABEL'.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cmd {
	char **argv;
	char **env; /* NAME=value words, NULL-terminated */
	const char *label;
	int outside;
	double *t;
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char *argv[])
{
	struct cmd cmds[16];
	int n = 0, rounds, fd = -1, i = 1;
	int here = open(".", O_RDONLY | O_DIRECTORY);

	if (argc < 3)
		goto usage;
	rounds = atoi(argv[i++]);
	if (strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
		fd = atoi(argv[i + 1]);
		i += 2;
	}
	while (i < argc && n < 16) {
		int e = 0;

		cmds[n].label = NULL;
		if (argv[i][0] == ':')
			cmds[n].label = argv[i++] + 1;
		cmds[n].env = calloc((size_t)argc, sizeof(char *));
		while (i < argc && argv[i][0] != '/' && argv[i][0] != '@' &&
		       strchr(argv[i], '='))
			cmds[n].env[e++] = argv[i++];
		if (i >= argc)
			goto usage;
		cmds[n].argv = argv + i;
		cmds[n].outside = argv[i][0] == '@';
		if (cmds[n].outside)
			argv[i]++;
		if (!cmds[n].label)
			cmds[n].label = cmds[n].argv[0];
		cmds[n].t = calloc((size_t)rounds, sizeof(double));
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		n++;
	}
	if (rounds < 1 || n == 0)
		goto usage;
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < n; c++) {
			double t0 = now_us();
			int st;
			pid_t pid = fork();

			if (pid == 0) {
				/* setns() moves to the namespace's root:
				 * come back to the same folder. */
				if (cmds[c].outside &&
				    (setns(fd, CLONE_NEWNS) < 0 || fchdir(here) < 0))
					_exit(126);
				for (char **e = cmds[c].env; *e; e++)
					putenv(*e);
				execv(cmds[c].argv[0], cmds[c].argv);
				_exit(127);
			}
			waitpid(pid, &st, 0);
			cmds[c].t[r] = now_us() - t0;
			if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
				fprintf(stderr, "rounds: %s failed (%d)\n",
					cmds[c].argv[0], st);
				return 1;
			}
		}
	}
	for (int c = 0; c < n; c++) {
		qsort(cmds[c].t, (size_t)rounds, sizeof(double), cmp);
		printf("%s%s\t%.0f\n", cmds[c].outside ? "@" : "",
		       cmds[c].label, cmds[c].t[rounds / 2]);
	}
	return 0;
usage:
	fprintf(stderr, "usage: rounds N [-m FD] [:LABEL] [NAME=value...] CMD "
			"-- ...\n");
	return 2;
}
