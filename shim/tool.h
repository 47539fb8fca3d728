/* tool.h - tool mode, in one place: resolve -> policy -> confine -> exec. */
#ifndef SBX_TOOL_H
#define SBX_TOOL_H

struct policy;
struct resolved;

/* Runs the shim for the tool NAME (the base name of ARGV[0]): finds the
 * real tool further down PATH, works out its policy, confines and execs.
 * Returns only on failure, with the exit code (125, 126, 127). */
int tool_main(const char *name, char *argv[]);

/* Finishes the loaded policy P and execs R's tool under it, with ARGV: the
 * tool's PATH without the shim folders, the agent variables scrubbed, the
 * missing cache roots made. Returns only on failure, with the exit code.
 * tool_main and sbx run both end here. */
int tool_confine_and_exec(struct policy *p, const struct resolved *r,
			  char *argv[]);

#endif
