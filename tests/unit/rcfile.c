/* Unit tests: the config parser, every error kind, and sections. */
#include <stdbool.h>
#include <stdlib.h>

#include "msgs.h"
#include "rcfile.h"
#include "tap.h"

struct seen {
	char log[4096];
};

static int record(void *ctx, const char *key, const char *value, int line,
		  bool apply, char *err, size_t errlen)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);

	if (strcmp(key, "bad") == 0) {
		snprintf(err, errlen, "bad \"%s\"", value);
		return -1;
	}
	snprintf(s->log + n, sizeof(s->log) - n, "%d:%s=%s%s;", line, key,
		 value, apply ? "" : "(skip)");
	return 0;
}

static int parse(const char *text, const char *tool, struct seen *s)
{
	s->log[0] = '\0';
	msgs_reset();
	return rc_parse("/p/.sbxrc", text, strlen(text), tool, 0, record, s);
}

static void err_case(const char *text, const char *want, const char *what)
{
	struct seen s;
	int n = parse(text, "npm", &s);

	ok(n == 1 && msgs_has(want), "error: %s", what);
}

int main(void)
{
	struct seen s;
	int n;

	n = parse("# comment\n; also\n\n  profile = read-only  # trailing\n"
		  "network=on\nwritable = a b/c;d\n",
		  NULL, &s);
	ok(n == 0, "a valid file has no errors");
	is_str(s.log, "4:profile=read-only;5:network=on;6:writable=a b/c;d;",
	       "keys, values, comments and inner spaces");

	n = parse("writable = \"x # y ; z\"  # c\nwritable = \"q\\\"\\\\\"\n",
		  NULL, &s);
	ok(n == 0, "quoted values parse");
	is_str(s.log, "1:writable=x # y ; z;2:writable=q\"\\;",
	       "quoted values keep # and escapes");

	n = parse("a = 1\n[npm]\nb = 2\n[ pip ]\nc = 3\n[npm] ; again\nd = 4\n",
		  "npm", &s);
	ok(n == 0, "sections parse");
	is_str(s.log, "1:a=1;3:b=2;5:c=3(skip);7:d=4;",
	       "a section applies only to its tool");
	parse("[npm]\nb = 2\n", NULL, &s);
	is_str(s.log, "2:b=2(skip);", "no tool: no section applies");

	s.log[0] = '\0';
	n = rc_parse("/p/.sbxrc", "[x]\nbad = 1\n[y]\nb = 2\n", 22, "y",
		     RC_ONLY_APPLYING, record, &s);
	ok(n == 0, "RC_ONLY_APPLYING: other sections are not checked");
	is_str(s.log, "4:b=2;",
	       "RC_ONLY_APPLYING: the tool's lines still apply");

	n = parse("a = 1\r\nb = 2\r\n", NULL, &s);
	is_str(s.log, "1:a=1;2:b=2;", "CRLF line ends");
	n = parse("a = 1", NULL, &s);
	is_str(s.log, "1:a=1;", "no final newline");

	err_case("[]\n", "/p/.sbxrc:1: section header with no name",
		 "empty section");
	err_case("a = 1\n[  ]\n", "/p/.sbxrc:2: section header with no name",
		 "blank section name (and its line)");
	err_case("[npm\n", "/p/.sbxrc:1: section header without \"]\"",
		 "unclosed section");
	err_case("[a b]\n", "bad section name", "section name with a space");
	err_case("[npm] x\n", "text after the section header",
		 "text after a header");
	err_case("\n\nnetwork on\n",
		 "/p/.sbxrc:3: line without \"=\": \"network on\"", "no =");
	err_case("= x\n", "no key before \"=\"", "no key");
	err_case("net wrok = x\n", "unknown key \"net wrok\"",
		 "key with a space");
	err_case("a =\n", "empty value for \"a\"", "empty value");
	err_case("a = # c\n", "empty value for \"a\"", "only a comment");
	err_case("a = \"\"\n", "empty value for \"a\"", "empty quoted value");
	err_case("a = \"abc\n", "unterminated quoted value",
		 "unterminated quote");
	err_case("a = \"a\\n\"\n", "unknown escape", "unknown escape");
	err_case("a = \"a\" b\n", "text after the quoted value",
		 "text after a quote");
	err_case("bad = v\n", "/p/.sbxrc:1: bad \"v\"",
		 "callback error with its line");
	err_case("[x]\nbad = v\n", "/p/.sbxrc:2: bad \"v\"",
		 "skipped sections are checked too");
	err_case("x = \"\x01\n", "unterminated", "control characters");

	n = parse("a\nbad = 1\nb = 2\n[]\nc\n", NULL, &s);
	ok(n == 4, "all errors are counted (got %d)", n);
	is_str(s.log, "3:b=2;", "parsing reads on after errors");

	{
		const char text[] = "a = 1\nb\0 = 2\n";
		msgs_reset();
		n = rc_parse("/p/.sbxrc", text, sizeof(text) - 1, NULL, 0,
			     record, &s);
		ok(n == 1 && msgs_has("/p/.sbxrc:2: contains a NUL byte"),
		   "NUL byte");
	}
	{
		size_t len = 100000;
		char *big = malloc(len + 1);
		memset(big, 'x', len);
		big[len] = '\0';
		msgs_reset();
		n = rc_parse("/p/.sbxrc", big, len, NULL, 0, record, &s);
		ok(n == 1 && msgs_has("line without"),
		   "a very long line is one error");
		free(big);
	}

	/* rc_sections: the same reader of headers, for the tools that get
	 * shims (sbx and make install). */
	{
		const char text[] = "# [not] a header\n[python3]\r\n"
				    "network = on\n  [ npm ]  ; c\n[bad\n"
				    "[]\n[a] x\n[pip]\n";
		char **names;
		char joined[128] = "";

		msgs_reset();
		n = rc_sections("/p/defaults", text, sizeof(text) - 1, &names);
		for (size_t i = 0; names[i]; i++) {
			strcat(joined, names[i]);
			strcat(joined, ";");
			free(names[i]);
		}
		free(names);
		is_str(joined, "python3;npm;pip;",
		       "rc_sections: the names, in order");
		ok(n == 3 &&
			   msgs_has("/p/defaults:5: section header without") &&
			   msgs_has("/p/defaults:6: section header with no "
				    "name") &&
			   msgs_has("/p/defaults:7: text after the section "
				    "header"),
		   "rc_sections: malformed headers reported as rc_parse does");
		n = rc_sections("/p/defaults", "", 0, &names);
		ok(n == 0 && names[0] == NULL, "rc_sections: none");
		free(names);
	}
	return done_testing();
}
