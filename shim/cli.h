/* cli.h - the sbx command line. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

struct policy;
struct resolved;

/* Said where a tool runs with no workspace (the home folder, /). */
extern const char no_workspace_hint[];

/* Runs "sbx ARGS..."; returns the exit status. */
int cli_main(int argc, char *argv[]);

/* Finishes the loaded policy P and execs R's tool under it, with ARGV: the
 * tool's PATH without the shim folders, the agent variables scrubbed, the
 * missing cache roots made. Returns only on failure, with the exit code. */
int confine_and_exec(struct policy *p, const struct resolved *r, char *argv[]);

#endif
