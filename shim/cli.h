/* cli.h - the sbx command line. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

/* Said where a tool runs with no workspace (the home folder, /). */
extern const char no_workspace_hint[];

/* Runs "sbx ARGS..."; returns the exit status. */
int cli_main(int argc, char *argv[]);

#endif
