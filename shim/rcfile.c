/*
 * rcfile.c - a small line-based config parser in the manner of doas.conf:
 * it reports "file:line: message" for each error, counts them and reads on.
 *
 *   # comment            ; comment
 *   key = value          # trailing comment after white space
 *   key = "quoted # value with \" and \\"
 *   [tool]               lines below apply only to that tool
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

int rc_parse(const char *file, const char *buf, size_t len, const char *tool,
	     int flags, rc_fn fn, void *ctx)
{
	struct parser ps = { file, 0, 0 };
	char *copy, *line, *next;
	char *section = NULL;
	char ex[64];

	if (strlen(buf) != len) {
		ps.line = 1;
		for (const char *p = buf; p < buf + strlen(buf); p++)
			if (*p == '\n')
				ps.line++;
		perr(&ps, "contains a NUL byte");
		return ps.errors;
	}
	copy = xstrdup(buf);
	for (line = copy; line; line = next) {
		char *s, *eq, *key, *val;
		char err[256];
		bool applies;

		ps.line++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else if (*line == '\0')
			break; /* the final newline */
		s = line + strlen(line);
		if (s > line && s[-1] == '\r')
			s[-1] = '\0';
		s = skip_space(line);
		if (*s == '\0' || is_comment_start(*s))
			continue;
		if (*s == '[') {
			char *close = strchr(s, ']');

			if (!close) {
				excerpt(s, ex, sizeof(ex));
				perr(&ps,
				     "section header without \"]\": \"%s\"",
				     ex);
				continue;
			}
			*close = '\0';
			s = skip_space(s + 1);
			rtrim(s);
			if (!rest_is_empty(close + 1)) {
				perr(&ps, "text after the section header");
				continue;
			}
			if (*s == '\0') {
				perr(&ps, "section header with no name");
				continue;
			}
			if (!valid_name(s, true)) {
				excerpt(s, ex, sizeof(ex));
				perr(&ps, "bad section name \"%s\"", ex);
				continue;
			}
			section = s;
			continue;
		}
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
