/*
 * rounds.c - runs each command once per round, round after round, and
 * prints each one's median wall time: interleaved, so that a machine whose
 * speed swings (this shared VM, by 2x) swings for all of them alike. Each
 * round runs them in a new order (shuffled, the same sequence every run):
 * what one command leaves the kernel to finish after it exits (bubblewrap's
 * namespaces torn down, ~0.3 ms of a python3 that follows it) falls on
 * every other command alike, not always on the one listed next.
 *
 *   rounds N [-m FD] [-r OUT,IN] CMD1 -- CMD2 -- ...
 *   rounds --serve IN,OUT CMD1 -- CMD2 -- ...
 *
 * A command whose first word starts with '@' (the '@' dropped) runs in the
 * mount namespace open on FD (-m): bench/session.sh measures commands
 * outside and inside an agent's session in the same rounds. Each command is
 * a path and its arguments, exec'd directly (no shell), after words of the
 * form NAME=value, which are set in its environment (as env(1) would, but
 * without the extra exec). A label for the output may lead: ':LABEL'.
 *
 * A command "%K" is the K-th (from 0) of a server's: a `rounds --serve`
 * started elsewhere (inside an agent's session, where a user cannot leave
 * for the outside ones) runs it when asked on the pipe IN (-r: the
 * descriptors to write the question to and read the answer from; --serve:
 * to read it from and answer on) and answers with the time it measured,
 * taken as this round's. bench/exec.sh measures a tool inside a session
 * this way, as root and as a user.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
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
	int remote; /* the server's command number, or -1 */
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

/* Runs C once; its wall time, or -1 when it failed. */
static double run(const struct cmd *c, int fd, int here)
{
	double t0 = now_us();
	int st;
	pid_t pid = fork();

	if (pid == 0) {
		/* setns() moves to the namespace's root: come back to the
		 * same folder. */
		if (c->outside && (setns(fd, CLONE_NEWNS) < 0 || fchdir(here) < 0))
			_exit(126);
		for (char **e = c->env; *e; e++)
			putenv(*e);
		execv(c->argv[0], c->argv);
		_exit(127);
	}
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "rounds: %s failed (%d)\n", c->argv[0], st);
		return -1;
	}
	return now_us() - t0;
}

/* --serve: each byte read from IN names a command to run; its time (a
 * double) is the answer on OUT. Ends at IN's end. */
static int serve(struct cmd *cmds, int n, int in, int out, int here)
{
	unsigned char k;

	while (read(in, &k, 1) == 1) {
		double t = k < n ? run(&cmds[k], -1, here) : -1;

		if (write(out, &t, sizeof(t)) != (ssize_t)sizeof(t))
			return 1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	struct cmd cmds[32];
	int order[32];
	unsigned long long seed = 88172645463325252ULL;
	int n = 0, rounds = 0, fd = -1, i = 1, rin = -1, rout = -1;
	int here = open(".", O_RDONLY | O_DIRECTORY);
	bool serving = false;

	if (argc < 3)
		goto usage;
	if (strcmp(argv[i], "--serve") == 0) {
		serving = true;
		if (sscanf(argv[i + 1], "%d,%d", &rin, &rout) != 2)
			goto usage;
		i += 2;
	} else {
		rounds = atoi(argv[i++]);
	}
	if (!serving && strcmp(argv[i], "-m") == 0 && i + 1 < argc) {
		fd = atoi(argv[i + 1]);
		i += 2;
	}
	if (!serving && i + 1 < argc && strcmp(argv[i], "-r") == 0) {
		if (sscanf(argv[i + 1], "%d,%d", &rout, &rin) != 2)
			goto usage;
		i += 2;
	}
	while (i < argc && n < 32) {
		int e = 0;

		cmds[n].label = NULL;
		if (argv[i][0] == ':')
			cmds[n].label = argv[i++] + 1;
		cmds[n].env = calloc((size_t)argc, sizeof(char *));
		while (i < argc && argv[i][0] != '/' && argv[i][0] != '@' &&
		       argv[i][0] != '%' && strchr(argv[i], '='))
			cmds[n].env[e++] = argv[i++];
		if (i >= argc)
			goto usage;
		cmds[n].argv = argv + i;
		cmds[n].outside = argv[i][0] == '@';
		if (cmds[n].outside)
			argv[i]++;
		cmds[n].remote = argv[i][0] == '%' ? atoi(argv[i] + 1) : -1;
		if (!cmds[n].label)
			cmds[n].label = cmds[n].argv[0];
		cmds[n].t = calloc((size_t)rounds + 1, sizeof(double));
		while (i < argc && strcmp(argv[i], "--") != 0)
			i++;
		if (i < argc)
			argv[i++] = NULL;
		n++;
	}
	if (serving)
		return n == 0 ? 2 : serve(cmds, n, rin, rout, here);
	if (rounds < 1 || n == 0)
		goto usage;
	if (i < argc) {
		fprintf(stderr, "rounds: 32 commands at most\n");
		return 2;
	}
	for (int c = 0; c < n; c++)
		order[c] = c;
	for (int r = 0; r < rounds; r++) {
		for (int k = n - 1; k > 0; k--) { /* Fisher-Yates, xorshift64 */
			int j, tmp;

			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			j = (int)(seed % (unsigned long long)(k + 1));
			tmp = order[k];
			order[k] = order[j];
			order[j] = tmp;
		}
		for (int o = 0; o < n; o++) {
			int c = order[o];
			double t = -1;

			if (cmds[c].remote >= 0) {
				unsigned char k = (unsigned char)cmds[c].remote;

				if (write(rout, &k, 1) != 1 ||
				    read(rin, &t, sizeof(t)) != (ssize_t)sizeof(t))
					t = -1;
			} else {
				t = run(&cmds[c], fd, here);
			}
			if (t < 0) {
				fprintf(stderr, "rounds: %s failed\n",
					cmds[c].label);
				return 1;
			}
			cmds[c].t[r] = t;
		}
	}
	for (int c = 0; c < n; c++) {
		qsort(cmds[c].t, (size_t)rounds, sizeof(double), cmp);
		printf("%s%s\t%.0f\n", cmds[c].outside ? "@" : "",
		       cmds[c].label, cmds[c].t[rounds / 2]);
	}
	return 0;
usage:
	fprintf(stderr, "usage: rounds N [-m FD] [-r OUT,IN] [:LABEL] "
			"[NAME=value...] CMD -- ...\n"
			"       rounds --serve IN,OUT CMD -- ...\n");
	return 2;
}
