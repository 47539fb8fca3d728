/* log.h - sbx log: the denials the kernel reported, one line each. */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include <stdio.h>
#include <time.h>

/*
 * Linux: Landlock's audit records (AUDIT_LANDLOCK_ACCESS, 1423, and the
 * records of the same event: the domain, 1424, and the system call, 1300),
 * as the kernel log has them with audit on and no audit daemon (/dev/kmsg:
 * "audit: type=1423 audit(T:N): ...") or as auditd writes them
 * (/var/log/audit/audit.log: "type=... msg=audit(T:N): ..."). macOS: the
 * sandbox's violation reports ("Sandbox: tool(pid) deny(1) op path").
 */
struct log_state;

struct log_state *log_open(FILE *out, time_t since);
/* One line of a log, without its newline. */
void log_feed(struct log_state *st, const char *line);
/* Prints what is pending; returns the number of denials printed. */
unsigned log_close(struct log_state *st);

/* `sbx log [--since DURATION] [-f] [--from FILE]` */
int cmd_log(int argc, char *argv[]);

#endif
