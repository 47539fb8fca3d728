/* cli.h - the sbx command line. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

/* Runs "sbx ARGS..."; returns the exit status. */
int cli_main(int argc, char *argv[]);

#endif
