/*
 * Validation of a boot descriptor (public/bootcfg.h). The same code runs in the
 * hypervisor at boot and in the host tools, so both agree on what is valid.
 */
#ifndef LIB_BOOTCFG_CHECK_H
#define LIB_BOOTCFG_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include "public/bootcfg.h"

/* Sum of all bytes after the header, mod 2^32 (the header's checksum field). */
uint32_t bootcfg_checksum(const void *buf, size_t len);

/*
 * Check every field: magic, version, sizes (header_size, domain_size,
 * total_size == len exactly), ndomains in 1..MAX, checksum, reserved == 0,
 * names non-empty, NUL-terminated, [A-Za-z0-9_-] only, unique; image names
 * likewise; args NUL-terminated printable ASCII; mem_bytes within bounds and
 * aligned; role known; flags == 0. Returns 0, or -1 with *why pointing at a
 * message such as "domain 2: memory not a multiple of 2 MiB" (the message is
 * kept in 'whybuf', which the caller provides, whylen bytes).
 */
int bootcfg_check(const void *buf, size_t len, char *whybuf, size_t whylen);

#endif
