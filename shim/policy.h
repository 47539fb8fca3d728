/* policy.h - the policy model: what a tool may do, and where each value came from. */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>

enum profile {
	PROFILE_READ_ONLY,
	PROFILE_WORKSPACE_WRITE,
	PROFILE_FULL_ACCESS,
};

struct source {
	const char *origin; /* a file, a variable, "default", "command line" */
	int line;           /* > 0 when origin is a file */
};

struct pathent {
	char *path; /* absolute and normalised */
	struct source src;
};

struct pathlist {
	struct pathent *v;
	size_t n;
};

struct policy {
	const char *tool; /* selects [tool] sections; may be NULL */
	const char *home; /* $HOME, or NULL */
	char *cwd;
	enum profile profile;
	struct source profile_src;
	bool network;
	struct source network_src;
	char *workspace; /* the workspace root */
	struct source workspace_src;
	struct pathlist writable; /* configured writable roots */
	/* After policy_finish: the roots the sandbox grants, implicit first. */
	struct pathlist roots;
	/* The config files read, in order; sources point at these names. */
	struct pathlist configs;
};

const char *profile_name(enum profile p);
int profile_parse(const char *s, enum profile *out);
int onoff_parse(const char *s, bool *out);
/* "file:line", or the origin alone, in a static buffer. */
const char *source_str(const struct source *s);

/* Built-in defaults for TOOL (may be NULL). Dies on a missing cwd. */
void policy_init(struct policy *p, const char *tool);
/* Adds the user config, SBX_CONFIG and the environment. Returns the number
 * of errors, each already reported. */
int policy_load(struct policy *p);
/* Parses one config text as if read from FILE. Returns the error count. */
int policy_apply_text(struct policy *p, const char *file, const char *text,
		      size_t len);
/* Reads and applies a config file; a missing file is fine when OPTIONAL. */
int policy_apply_file(struct policy *p, const char *file, bool optional);
/* Applies one environment-style value; returns -1 after reporting. */
int policy_set_profile(struct policy *p, const char *v, struct source src);
int policy_set_network(struct policy *p, const char *v, struct source src);
int policy_add_writable_list(struct policy *p, const char *list,
			     struct source src);
/* Works out the workspace root and adds the implicit writable roots. */
void policy_finish(struct policy *p);

void policy_free(struct policy *p);

void pathlist_add(struct pathlist *l, char *path, struct source src);
void pathlist_free(struct pathlist *l);

#endif
