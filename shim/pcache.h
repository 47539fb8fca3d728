/*
 * pcache.h - the policy cache (Linux): a tool's policy, the real tool
 * found on PATH and its confinement's key, worked out once and kept by
 * sbx's daemon with a watch on everything they were worked out from
 * (deps.h), for the next execs of the same tool from the same place.
 */
#ifndef SBX_PCACHE_H
#define SBX_PCACHE_H

#include <stdbool.h>
#include <sys/types.h>

struct intercept;
struct policy;
#include <stdint.h>

struct resolved;

/* "sbx-pc-1\n" and the lookup key's 64 hex digits and "\n": the start of
 * a cached policy's memfd, which the daemon checks. Then, for the daemon,
 * which events of the watch matter: a u32 count, and for each a u32 watch
 * descriptor, a u32 (1: any event of it) and a name (a u32 length with its
 * NUL, 0 for none, and the bytes). */
#define PCACHE_HEAD_LEN 74
void pcache_head(const char *lkey, char out[PCACHE_HEAD_LEN + 1]);
/* The unique id of the mount of this process's root, as the lookup key
 * took it (Linux 6.8; 0 when unknown): it names the mount namespace. */
uint64_t pcache_root_mount(void);

/* SBX_CACHE=0: no cache (every exec works its policy out). */
#define ENV_CACHE "SBX_CACHE"

/* Looks for the policy of tool NAME (reached as IC says; sbx's binary
 * DEV, INO) for this process's place (folder, ids, variables, namespace).
 * 0 with R, P (finished: policy_finish) and the key's first step in PART
 * ("" when there is none) when one is kept and nothing it came from has
 * changed; -1 otherwise, and then the recording for the store has begun. */
int pcache_lookup(const char *name, const struct intercept *ic, dev_t dev,
		  ino_t ino, struct resolved *r, struct policy *p,
		  char part[65]);
/* After a miss: ends the recording, works out the key's first step (into
 * PART, "" when P needs none) and gives all of it to the daemon when
 * everything it came from is watched. */
void pcache_store(const struct resolved *r, const struct policy *p,
		  char part[65]);

#endif
