/* trust.h - the project's .sbxrc: careful discovery, and trust as direnv does it. */
#ifndef SBX_TRUST_H
#define SBX_TRUST_H

#include <stdbool.h>
#include <stddef.h>

#define RC_NAME ".sbxrc"

enum rc_state {
	RC_NONE,      /* no .sbxrc on the way up */
	RC_TRUSTED,   /* allowed with `sbx allow`, unchanged since */
	RC_UNTRUSTED, /* never allowed, or edited since */
	RC_UNSAFE,    /* a symlink, not ours, writable by others...: ignored */
};

struct project_rc {
	char *path; /* absolute */
	char *text; /* NUL-terminated contents (trusted or untrusted) */
	size_t len;
	enum rc_state state;
	const char *why; /* RC_UNSAFE: the reason */
	char *shadowed;	 /* a nearer .sbxrc, not trusted, passed over */
	const char *shadowed_why;
};

/*
 * Walks up from CWD to the nearest .sbxrc, stopping at "/", at a filesystem
 * boundary and at a folder not owned by the user. Opens without following
 * a symlink; a file that is not a regular file owned by the user and
 * writable by no one else is RC_UNSAFE. With PREFER_TRUSTED, a nearer file
 * that is not trusted does not stop the walk: a trusted one above is used
 * (the nearer one in SHADOWED); with none, the nearest is returned.
 * Returns 0, or -1 after reporting an error that must stop the tool (a
 * file over 64 KiB).
 */
int project_rc_find(const char *cwd, bool prefer_trusted,
		    struct project_rc *rc);
/* Examines the .sbxrc at PATH (absolute) as project_rc_find would. */
int project_rc_open(const char *path, struct project_rc *rc);
void project_rc_free(struct project_rc *rc);

/* The record that trusts PATH with these contents: a new string, or NULL
 * when there is no data folder (no HOME and no XDG_DATA_HOME). */
char *trust_record(const char *path, const char *text, size_t len);
/* The folder of the records. A new string, or NULL. */
char *trust_dir(void);

#endif
