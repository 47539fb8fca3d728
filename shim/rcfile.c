/*
 * rcfile.c - a small line-based config parser in the manner of doas.conf:
 * it reports "file:line: message" for each error, counts them and reads on.
 *
 *   # comment            ; comment
 *   key = value          # trailing comment after white space
 *   key = "quoted # value with \" and \\"
 *   [tool]               lines below apply only to that tool
 *
 * The one reader of section headers: the tools that get shims are the
 * sections of wrappers/defaults (rc_sections), for sbx and for make install
 * (shim/sections-gen.c) alike.
 */
#include "rcfile.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct parser {
	const char *file;
	int line;
	int errors;
};

static void __attribute__((format(printf, 2, 3)))
perr(struct parser *ps, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg("%s:%d: %s", ps->file, ps->line, buf);
	ps->errors++;
}

static char *skip_space(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static void rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

static bool is_comment_start(char c)
{
	return c == '#' || c == ';';
}

/* True when only white space or a comment is left in S. */
static bool rest_is_empty(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return *s == '\0' || is_comment_start(*s);
}

/* A short, printable excerpt of a line for messages. */
static void excerpt(const char *s, char *out, size_t outlen)
{
	char *e = escape_ctl(s);

	if (strlen(e) > 40)
		snprintf(out, outlen, "%.40s...", e);
	else
		snprintf(out, outlen, "%s", e);
	free(e);
}

/* Parses a value in place. Returns the value or NULL after an error. */
static char *parse_value(struct parser *ps, char *v, const char *key)
{
	v = skip_space(v);
	if (*v == '"') {
		char *out = v, *in = v + 1;

		for (;; in++) {
			if (*in == '\0') {
				perr(ps, "unterminated quoted value for \"%s\"",
				     key);
				return NULL;
			}
			if (*in == '"')
				break;
			if (*in == '\\') {
				in++;
				if (*in != '"' && *in != '\\') {
					perr(ps,
					     "unknown escape in quoted value "
					     "for "
					     "\"%s\" (only \\\" and \\\\)",
					     key);
					return NULL;
				}
			}
			*out++ = *in;
		}
		if (!rest_is_empty(in + 1)) {
			perr(ps, "text after the quoted value for \"%s\"", key);
			return NULL;
		}
		*out = '\0';
		if (out == v) {
			perr(ps, "empty value for \"%s\"", key);
			return NULL;
		}
		return v;
	}
	/* Unquoted: a comment starts at # or ; after white space. */
	for (char *p = v; *p; p++) {
		if (is_comment_start(*p) &&
		    (p == v || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			break;
		}
	}
	rtrim(v);
	if (*v == '\0') {
		perr(ps, "empty value for \"%s\"", key);
		return NULL;
	}
	return v;
}

static bool valid_name(const char *s, bool section)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (isalnum(c) || c == '_' || c == '-')
			continue;
		if (section && (c == '.' || c == '+'))
			continue;
		return false;
	}
	return true;
}

/* The next line at *AT, in place: its newline (and a \r before it) cut,
 * *AT moved past it. NULL at the end (a final newline ends no line). */
static char *next_line(struct parser *ps, char **at)
{
	char *line = *at, *nl, *end;

	if (!line)
		return NULL;
	nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*at = nl + 1;
	} else if (*line == '\0') {
		return NULL;
	} else {
		*at = NULL;
	}
	ps->line++;
	end = line + strlen(line);
	if (end > line && end[-1] == '\r')
		end[-1] = '\0';
	return line;
}

/* The one reader of "[name]" headers. S is a line from its first non-blank
 * character. Returns 0 when S is no header; 1 when it is one, with *NAME
 * the name (in place); -1 when it is a malformed one (reported). */
static int section_header(struct parser *ps, char *s, char **name)
{
	char *close;
	char ex[64];

	if (*s != '[')
		return 0;
	close = strchr(s, ']');
	if (!close) {
		excerpt(s, ex, sizeof(ex));
		perr(ps, "section header without \"]\": \"%s\"", ex);
		return -1;
	}
	*close = '\0';
	s = skip_space(s + 1);
	rtrim(s);
	if (!rest_is_empty(close + 1)) {
		perr(ps, "text after the section header");
		return -1;
	}
	if (*s == '\0') {
		perr(ps, "section header with no name");
		return -1;
	}
	if (!valid_name(s, true)) {
		excerpt(s, ex, sizeof(ex));
		perr(ps, "bad section name \"%s\"", ex);
		return -1;
	}
	*name = s;
	return 1;
}

/* Reports a NUL byte in BUF (LEN bytes); true when there is one. */
static bool has_nul(struct parser *ps, const char *buf, size_t len)
{
	size_t n = strlen(buf);

	if (n == len)
		return false;
	ps->line = 1;
	for (const char *p = buf; p < buf + n; p++)
		if (*p == '\n')
			ps->line++;
	perr(ps, "contains a NUL byte");
	return true;
}

int rc_parse(const char *file, const char *buf, size_t len, const char *tool,
	     int flags, rc_fn fn, void *ctx)
{
	struct parser ps = { file, 0, 0 };
	char *copy, *at, *line;
	char *section = NULL;
	char ex[64];

	if (has_nul(&ps, buf, len))
		return ps.errors;
	copy = at = xstrdup(buf);
	while ((line = next_line(&ps, &at))) {
		char *s, *eq, *key, *val, *name;
		char err[256];
		bool applies;
		int h;

		s = skip_space(line);
		if (*s == '\0' || is_comment_start(*s))
			continue;
		h = section_header(&ps, s, &name);
		if (h == 1)
			section = name;
		if (h != 0)
			continue;
		eq = strchr(s, '=');
		if (!eq) {
			excerpt(s, ex, sizeof(ex));
			perr(&ps, "line without \"=\": \"%s\"", ex);
			continue;
		}
		*eq = '\0';
		key = s;
		rtrim(key);
		if (!valid_name(key, false)) {
			if (*key == '\0') {
				perr(&ps, "no key before \"=\"");
			} else {
				excerpt(key, ex, sizeof(ex));
				perr(&ps, "unknown key \"%s\"", ex);
			}
			continue;
		}
		applies = section == NULL ||
			  (tool != NULL && strcmp(section, tool) == 0);
		if (!applies && (flags & RC_ONLY_APPLYING))
			continue;
		val = parse_value(&ps, eq + 1, key);
		if (!val)
			continue;
		err[0] = '\0';
		if (fn(ctx, key, val, ps.line, applies, err, sizeof(err)) < 0)
			perr(&ps, "%s", err[0] ? err : "bad line");
	}
	free(copy);
	return ps.errors;
}

int rc_sections(const char *file, const char *buf, size_t len, char ***names)
{
	struct parser ps = { file, 0, 0 };
	char *copy, *at, *line, *name;
	size_t n = 0;

	*names = xcalloc(1, sizeof(**names));
	if (has_nul(&ps, buf, len))
		return ps.errors;
	copy = at = xstrdup(buf);
	while ((line = next_line(&ps, &at))) {
		if (section_header(&ps, skip_space(line), &name) != 1)
			continue;
		*names = xreallocarray(*names, n + 2, sizeof(**names));
		(*names)[n++] = xstrdup(name);
		(*names)[n] = NULL;
	}
	free(copy);
	return ps.errors;
}
