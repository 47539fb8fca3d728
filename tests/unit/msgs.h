/* msgs.h - collects the messages sbx prints, so tests can assert them. */
#ifndef SBX_TEST_MSGS_H
#define SBX_TEST_MSGS_H

#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "util.h"

static char msgs[8192];
static int nmsgs;

static void collect(const char *line)
{
	size_t n = strlen(msgs);

	snprintf(msgs + n, sizeof(msgs) - n, "%s\n", line);
	nmsgs++;
}

static void msgs_reset(void)
{
	msgs[0] = '\0';
	nmsgs = 0;
	msg_hook = collect;
}

static __attribute__((unused)) int msgs_has(const char *s)
{
	if (strstr(msgs, s))
		return 1;
	printf("#   messages were:\n");
	for (char *p = msgs; *p;) {
		char *e = strchr(p, '\n');
		printf("#     %.*s\n", (int)(e - p), p);
		p = e + 1;
	}
	return 0;
}

#endif
