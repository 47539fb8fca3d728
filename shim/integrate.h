/* integrate.h - shims, shell and agent integration, doctor. */
#ifndef SBX_INTEGRATE_H
#define SBX_INTEGRATE_H

#include <stdbool.h>
#include <stdio.h>

#define ENV_SHIM_DIR "SBX_SHIM_DIR"
#define ENV_SESSION "SBX_SESSION"

/* The shim folder: $SBX_SHIM_DIR, else PREFIX/lib/sbx/shims next to the
 * running binary (PREFIX/bin/sbx). A new string. */
char *shim_dir(void);

int cmd_shims(int argc, char *argv[]);
int cmd_shell_init(int argc, char *argv[]);
int cmd_session(int argc, char *argv[]);
int cmd_doctor(int argc, char *argv[]);

/* Where Ubuntu's kernels (23.10 and later) say whether AppArmor takes user
 * namespaces from unconfined programs. */
#define APPARMOR_USERNS_SYSCTL \
	"/proc/sys/kernel/apparmor_restrict_unprivileged_userns"
/* True when SYSCTL (APPARMOR_USERNS_SYSCTL) exists and reads 1. */
bool apparmor_restricts_userns(const char *sysctl);
/* The name of the AppArmor profile make install writes for sbx in BINDIR:
 * "sbx" for /usr/bin, else "sbx" and the folder ("sbx-usr-local-bin"). A
 * new string. */
char *apparmor_profile_name(const char *bindir);

struct targets;
/* Asks the shells an agent starts ($SHELL -lc, bash -c, sh -c) where they
 * find each of NAMES; prints a line (with PREFIX) for each that would run
 * unconfined: not a shim in SHIMS, not covered in the session (T). */
int session_check(char **names, const char *shims, const struct targets *t,
		  FILE *out, const char *prefix);

#endif
