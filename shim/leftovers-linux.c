/*
 * leftovers-linux.c - leftovers = end: the tool in a pid namespace of its
 * own, so that its exit ends whatever it left behind. Three processes:
 *
 *   sbx (the pid the caller knows)      waits; forwards the signals sent
 *    `- pid 1 of the namespace          waits for the tool; when it ends,
 *        `- the tool (pid 2)            exits, and the kernel ends the rest
 *
 * A terminal's signals (Ctrl-C, Ctrl-Z, a resize) reach the tool directly:
 * it is in the same process group. Only signals sent with kill() are
 * forwarded (si_code <= 0), so none arrives twice. The tool's wait status
 * goes back through a pipe, and sbx ends as the tool did: the same exit
 * code, or killed by the same signal. Killing sbx with SIGKILL ends pid 1
 * (its parent-death signal), hence the whole namespace.
 */
#include "leftovers.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util.h"

static int status_fd = -1;	/* pid 1's end of the pipe */
static volatile pid_t forward_to; /* where forward() sends */

/* Signals a caller sends to stop or poke a tool; the stop signals from a
 * terminal are left alone: sbx stops with its tool, as a shell expects. */
static const int forwarded[] = { SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,
				 SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH,
				 SIGCONT };

/* What sbx forwards to pid 1 carries this value (sigqueue): pid 1 passes
 * on only those, not a signal that reached it directly (a kill of the
 * whole process group reaches the tool directly too). */
#define FORWARDED 0x53425846 /* "SBXF" */

static void forward(int sig, siginfo_t *si, void *uc)
{
	union sigval v = { .sival_int = FORWARDED };

	(void)uc;
	if (forward_to <= 0)
		return;
	if (getpid() != 1 && si->si_code <= 0)
		sigqueue(forward_to, sig, v); /* sbx: one sent with kill() */
	else if (getpid() == 1 && si->si_code == SI_QUEUE &&
		 si->si_value.sival_int == FORWARDED)
		kill(forward_to, sig); /* pid 1: one sbx forwarded */
}

static void forward_signals(pid_t to)
{
	struct sigaction sa;

	forward_to = to;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(forwarded) / sizeof(*forwarded); i++) {
		struct sigaction old;

		/* one the caller ignores (SIGINT in a background job) stays
		 * ignored, as it would be in the tool */
		if (sigaction(forwarded[i], NULL, &old) == 0 &&
		    old.sa_handler == SIG_IGN)
			continue;
		sigaction(forwarded[i], &sa, NULL);
	}
}

/* Ends this process as STATUS (a wait status) says: the same exit code,
 * or the same signal. */
static _Noreturn void end_as(int status)
{
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SBX_FAILED;

	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);
		sigset_t set;

		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		coverage_flush();
		raise(sig);
		_exit(128 + sig);
	}
	coverage_flush();
	_exit(code);
}

int leftovers_split(void)
{
	int fds[2], status, tool_status;
	pid_t pid;
	ssize_t n;

	if (unshare(CLONE_NEWPID) < 0 || pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(fds[0]);
		status_fd = fds[1];
		/* sbx gone (SIGKILL): so is all of it. Sent by the kernel
		 * from the parent namespace, so pid 1 does not ignore it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		return 0;
	}
	close(fds[1]);
	forward_signals(pid);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die(EXIT_SBX_FAILED, "waiting for the tool: %s",
			    strerror(errno));
	do
		n = read(fds[0], &tool_status, sizeof(tool_status));
	while (n < 0 && errno == EINTR);
	/* No word from pid 1 (it failed before the tool ran, or was
	 * killed): end as it did. */
	end_as(n == (ssize_t)sizeof(tool_status) ? tool_status : status);
}

int leftovers_active(void)
{
	return status_fd >= 0;
}

int leftovers_fork_tool(void)
{
	int status;
	pid_t tool, pid;

	/* Nothing in the namespace may stop or steer pid 1 (ptrace): it
	 * must outlive the tool by nothing but a wait. Set before the fork;
	 * the tool's execve makes it dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0) < 0)
		return -1;
	tool = fork();
	if (tool < 0)
		return -1;
	if (tool == 0) {
		close(status_fd);
		return 0;
	}
	close(0);
	close(1);
	close(2);
	forward_signals(tool);
	for (;;) {
		pid = waitpid(-1, &status, 0);
		if (pid < 0 && errno != EINTR)
			_exit(EXIT_SBX_FAILED);
		if (pid == tool)
			break;
	}
	if (write(status_fd, &status, sizeof(status)) < 0)
		_exit(EXIT_SBX_FAILED);
	coverage_flush();
	_exit(0); /* pid 1 ends: the kernel ends the rest */
}
