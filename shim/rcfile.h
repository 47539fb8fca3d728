/* rcfile.h - the config format of .sbxrc, the user config and wrappers/. */
#ifndef SBX_RCFILE_H
#define SBX_RCFILE_H

#include <stdbool.h>
#include <stddef.h>

#define RC_MAX_SIZE ((size_t)64 * 1024)

/*
 * Called for each "key = value" line. APPLY is false for lines in a section
 * of another tool: the value is still checked, so typos never hide there.
 * Returns 0, or -1 after writing a reason into ERR.
 */
typedef int (*rc_fn)(void *ctx, const char *key, const char *value, int line,
		     bool apply, char *err, size_t errlen);

/* rc_parse flags: lines of other tools' sections are skipped, not checked
 * (for the built-in defaults, which the unit tests check whole). */
#define RC_ONLY_APPLYING 1

/*
 * Parses BUF (LEN bytes, NUL-terminated) read from FILE. Lines in a
 * "[name]" section apply only when TOOL is name (TOOL may be NULL: no
 * section applies). Every error is reported as "FILE:LINE: message" and
 * parsing goes on. Returns the number of errors.
 */
int rc_parse(const char *file, const char *buf, size_t len, const char *tool,
	     int flags, rc_fn fn, void *ctx);

/*
 * The names of BUF's "[name]" sections (LEN bytes, read from FILE), in
 * order, into *NAMES: a new NULL-terminated array of new strings. A
 * malformed header is left out and reported as rc_parse reports it.
 * Returns the number of errors.
 */
int rc_sections(const char *file, const char *buf, size_t len, char ***names);

#endif
