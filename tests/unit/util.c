/* Unit tests: path helpers and escaping. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <string.h>
#include <unistd.h>

#include "sha256.h"
#include "tap.h"
#include "util.h"

/* FIPS 180-4's examples, and a million 'a's fed in odd-sized pieces. */
static void sha_is(const char *in, size_t reps, const char *want)
{
	struct sha256 c;
	char hex[65];

	sha256_init(&c);
	for (size_t i = 0; i < reps; i++)
		sha256_update(&c, in, strlen(in));
	sha256_hex(&c, hex);
	is_str(hex, want, "sha256 of %zu x \"%.20s\"", reps, in);
}

static void norm(const char *in, const char *want)
{
	char *p = xstrdup(in);

	path_normalize(p);
	is_str(p, want, "normalize %s", in);
	free(p);
}

static void abs_is(const char *in, const char *base, const char *home,
		   const char *want)
{
	const char *why = NULL;
	char *p = path_absolute(in, base, home, &why);

	is_str(p, want, "absolute %s (base %s, home %s)%s%s", in,
	       base ? base : "-", home ? home : "-", p ? "" : ": ",
	       p ? "" : why);
	free(p);
}

/* read_small_file: the size it finds first is only a guess. */
static void read_small(void)
{
	char path[] = "/tmp/sbx-unit-read.XXXXXX", *t;
	int fd = mkstemp(path);
	size_t len = 99;
	FILE *f;

	ok(fd >= 0, "a temp file");
	close(fd);
	t = read_small_file(path, 16, 0, &len);
	ok(t && len == 0 && *t == '\0', "empty file: \"\"");
	free(t);
	f = fopen(path, "w");
	fputs("0123456789abcdef", f);
	fclose(f);
	t = read_small_file(path, 16, 0, &len);
	ok(t && len == 16 && strcmp(t, "0123456789abcdef") == 0,
	   "exactly MAX bytes");
	free(t);
	t = read_small_file(path, 15, 0, &len);
	ok(!t && errno == EFBIG, "one byte over MAX: EFBIG");
	free(t);
	/* /proc says 0 and has more: the buffer grows */
	t = read_small_file("/proc/self/status", 1 << 16, 0, &len);
	ok(t && len > 100 && strlen(t) == len && strstr(t, "\nPid:"),
	   "a /proc file (size 0) read whole (%zu bytes)", len);
	free(t);
	t = read_small_file("/proc/self/status", 64, 0, &len);
	ok(!t && errno == EFBIG, "a /proc file longer than MAX: EFBIG");
	free(t);
	unlink(path);
}

int main(void)
{
	read_small();
	norm("/", "/");
	norm("//", "/");
	norm("/a/b/", "/a/b");
	norm("/a//b/./c", "/a/b/c");
	norm("/a/b/../c", "/a/c");
	norm("/../..", "/");
	norm("/a/..", "/");
	norm("/a/b/../../../c", "/c");
	norm("/a/.../b", "/a/.../b");
	norm("/a b/(c)/\"d\"", "/a b/(c)/\"d\"");

	abs_is("x", "/base", "/home/u", "/base/x");
	abs_is("./x/../y", "/base", "/home/u", "/base/y");
	abs_is("../up", "/base/dir", NULL, "/base/up");
	abs_is("~", "/base", "/home/u", "/home/u");
	abs_is("~/.npm", "/base", "/home/u", "/home/u/.npm");
	abs_is("/abs//p/", "/base", NULL, "/abs/p");
	abs_is("~/x", "/base", NULL, NULL);
	abs_is("~root/x", "/base", "/home/u", NULL);
	abs_is("", "/base", "/home/u", NULL);
	abs_is("rel", NULL, NULL, NULL);

	ok(path_within("/a/b", "/a"), "/a/b within /a");
	ok(path_within("/a", "/a"), "/a within /a");
	ok(!path_within("/ab", "/a"), "/ab not within /a");
	ok(path_within("/x", "/"), "/x within /");
	ok(!path_within("/a", "/a/b"), "/a not within /a/b");

	char *d = path_dirname("/a/b/c");
	is_str(d, "/a/b", "dirname");
	free(d);
	d = path_dirname("/a");
	is_str(d, "/", "dirname of /a");
	free(d);

	char *w = xstrdup("/a/b");
	ok(path_up(&w) && strcmp(w, "/a") == 0, "path_up: /a/b -> /a");
	ok(path_up(&w) && strcmp(w, "/") == 0, "path_up: /a -> /");
	ok(!path_up(&w) && strcmp(w, "/") == 0, "path_up: stops at /");
	free(w);
	char *j = path_join("/", "x");
	is_str(j, "/x", "path_join under / has no //");
	free(j);
	j = xstrcat3("a", "", "c");
	is_str(j, "ac", "xstrcat3");
	free(j);

	char *e = escape_ctl("a\nb\tc\x01\\");
	is_str(e, "a\\nb\\tc\\x01\\\\", "control characters escaped");
	free(e);

	sha_is("", 1,
	       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha_is("abc", 1,
	       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha_is("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
	       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	sha_is("aaaaaaa", 1000000 / 7 + 1, /* 1,000,006 a's, in 7-byte pieces */
	       "1478d771a8c746aac1af1a0e31c858154d87a5b92cc0a2cb536f142b3771ded8");
	return done_testing();
}
