/* sha256.h - SHA-256 (FIPS 180-4), for the builds without libmd (musl). */
#ifndef SBX_SHA256_H
#define SBX_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes so far */
	unsigned char buf[64];
	size_t n; /* bytes in buf */
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* The digest in lowercase hex, NUL-terminated. */
void sha256_hex(struct sha256 *c, char hex[65]);

#endif
