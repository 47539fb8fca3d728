/*
 * trust.c - the project's .sbxrc. A repository you clone must not loosen its
 * own sandbox: discovery is careful (git's safe.directory and direnv's
 * /tmp/.envrc lessons), and a file counts only once `sbx allow` recorded the
 * SHA-256 of its path and contents; any edit makes it untrusted again.
 */
#include "trust.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifdef __APPLE__
#include <CommonCrypto/CommonDigest.h>
#elif defined(SBX_OWN_SHA256)
#include "sha256.h" /* a musl build: no libmd for it */
#else
#include <sha2.h> /* libmd */
#endif

#include "rcfile.h"
#include "util.h"

#include "deps.h" /* last: its recorders stand for the calls */

void project_rc_free(struct project_rc *rc)
{
	free(rc->path);
	free(rc->text);
	free(rc->shadowed);
	memset(rc, 0, sizeof(*rc));
}

char *trust_dir(void)
{
	const char *xdg = getenv("XDG_DATA_HOME"), *home = getenv("HOME");

	if (xdg && xdg[0] == '/')
		return path_join(xdg, "sbx/allow");
	if (home && home[0] == '/')
		return path_join(home, ".local/share/sbx/allow");
	return NULL;
}

/* SHA-256 of the path (with its NUL) then the contents, in hex. */
static void digest(const char *path, const char *text, size_t len, char hex[65])
{
#ifdef __APPLE__
	unsigned char md[CC_SHA256_DIGEST_LENGTH];
	CC_SHA256_CTX ctx;

	CC_SHA256_Init(&ctx);
	CC_SHA256_Update(&ctx, path, (CC_LONG)(strlen(path) + 1));
	CC_SHA256_Update(&ctx, text, (CC_LONG)len);
	CC_SHA256_Final(md, &ctx);
	for (size_t i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
#elif defined(SBX_OWN_SHA256)
	struct sha256 c;

	sha256_init(&c);
	sha256_update(&c, path, strlen(path) + 1);
	sha256_update(&c, text, len);
	sha256_hex(&c, hex);
#else
	SHA2_CTX ctx;

	SHA256Init(&ctx);
	SHA256Update(&ctx, (const uint8_t *)path, strlen(path) + 1);
	SHA256Update(&ctx, (const uint8_t *)text, len);
	SHA256End(&ctx, hex);
#endif
}

char *trust_record(const char *path, const char *text, size_t len)
{
	char hex[65];
	char *dir = trust_dir(), *rec;

	if (!dir)
		return NULL;
	digest(path, text, len, hex);
	rec = path_join(dir, hex);
	free(dir);
	return rec;
}

/* Reads the .sbxrc open on FD, or says why it is not to be used. */
static int load(int fd, struct project_rc *rc)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		rc->why = "cannot be examined";
		return 0;
	}
	if (!S_ISREG(st.st_mode)) {
		rc->why = "is not a regular file";
		return 0;
	}
	if (st.st_uid != geteuid()) {
		rc->why = "is owned by another user";
		return 0;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		rc->why = "is writable by group or others";
		return 0;
	}
	if ((size_t)st.st_size > RC_MAX_SIZE) {
		msg("%s: larger than %zu KiB", rc->path, RC_MAX_SIZE / 1024);
		return -1;
	}
	rc->text = read_small_fd(fd, RC_MAX_SIZE, &rc->len);
	if (!rc->text && errno == EFBIG) { /* grew while we read it */
		msg("%s: larger than %zu KiB", rc->path, RC_MAX_SIZE / 1024);
		return -1;
	}
	if (!rc->text) {
		rc->why = "cannot be read";
		return 0;
	}
	return 1;
}

/* Opens FILE without following a symlink and fills RC with what it is.
 * Returns -1 when the file is too big (reported), else 0. */
static int examine(char *file, struct project_rc *rc)
{
	int fd, r = 0;

	rc->path = file;
	rc->state = RC_UNSAFE;
	fd = open(file,
		  O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		rc->why = errno == ELOOP ? "is a symlink" : "cannot be opened";
		return 0;
	}
	r = load(fd, rc);
	close(fd);
	if (r > 0) {
		char *rec = trust_record(rc->path, rc->text, rc->len);

		rc->state = rec && access(rec, F_OK) == 0 ? RC_TRUSTED
							  : RC_UNTRUSTED;
		free(rec);
	}
	return r < 0 ? -1 : 0;
}

int project_rc_open(const char *path, struct project_rc *rc)
{
	memset(rc, 0, sizeof(*rc));
	return examine(xstrdup(path), rc);
}

int project_rc_find(const char *cwd, bool prefer_trusted,
		    struct project_rc *rc)
{
	char *dir = xstrdup(cwd);
	uid_t uid = geteuid();
	struct stat st;
	dev_t dev = 0;
	int ret = 0;

	memset(rc, 0, sizeof(*rc));
	for (bool first = true;; first = false) {
		char *file;

		if (stat(dir, &st) < 0)
			break;
		if (first)
			dev = st.st_dev;
		if (st.st_dev != dev) {
			trace("%s: another filesystem: the .sbxrc walk stops",
			      dir);
			break;
		}
		if (st.st_uid != uid) {
			trace("%s: not owned by you: the .sbxrc walk stops",
			      dir);
			break;
		}
		file = path_join(dir, RC_NAME);
		if (lstat(file, &st) == 0) {
			struct project_rc found;

			memset(&found, 0, sizeof(found));
			ret = examine(file, &found);
			if (ret < 0 || found.state == RC_TRUSTED ||
			    !prefer_trusted) {
				/* the nearest that is not trusted is said,
				 * not used: it cannot displace this one */
				if (rc->path) {
					found.shadowed = rc->path;
					found.shadowed_why =
						rc->state == RC_UNSAFE
							? rc->why
							: "is not trusted";
					free(rc->text);
				}
				*rc = found;
				break;
			}
			/* Not trusted: remembered, and the walk goes on to a
			 * trusted one above (an untrusted file must never
			 * weaken a trusted one). */
			if (!rc->path)
				*rc = found;
			else
				project_rc_free(&found);
		} else {
			free(file); /* examine() keeps the name it opened */
		}
		if (!path_up(&dir))
			break;
	}
	free(dir);
	return ret;
}
