/* integrate.h - shims, shell and agent integration, doctor. */
#ifndef SBX_INTEGRATE_H
#define SBX_INTEGRATE_H

#define ENV_SHIM_DIR "SBX_SHIM_DIR"
#define ENV_SESSION "SBX_SESSION"

/* The shim folder: $SBX_SHIM_DIR, else PREFIX/lib/sbx/shims next to the
 * running binary (PREFIX/bin/sbx). A new string. */
char *shim_dir(void);

int cmd_shims(int argc, char *argv[]);
int cmd_shell_init(int argc, char *argv[]);
int cmd_session(int argc, char *argv[]);
int cmd_doctor(int argc, char *argv[]);

#endif
