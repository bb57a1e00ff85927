/*
 * Hypercall ABI. A guest executes VMMCALL with the hypercall number in RAX and
 * up to five arguments in RDI, RSI, RDX, R10, R8. The result comes back in RAX:
 * >= 0 on success, -HV_E* (public/hv_errno.h) on failure. Every pointer is a
 * guest-physical address (guests run identity-mapped) and must lie, with its
 * whole length, inside the caller's own memory and outside its first page.
 * Other registers are preserved. The full specification with every error is in
 * docs/hypercalls.md.
 */
#ifndef PUBLIC_HYPERCALL_H
#define PUBLIC_HYPERCALL_H

#include <stdint.h>

#define HC_CONSOLE_WRITE  0   /* (buf, len) -> bytes written */
#define HC_YIELD          1   /* () -> 0 */
#define HC_BLOCK          2   /* (deadline_ns, ack_devs, notify_port) -> 0 */
#define HC_TIME           3   /* () -> nanoseconds since hypervisor boot */
#define HC_SELF_INFO      4   /* (struct hv_self_info *out, size) -> 0 */
#define HC_SHUTDOWN       5   /* (reason, code) -> does not return */
#define HC_COUNT          24  /* 6..23: channel and device calls, public/channel.h */

#define HV_CONSOLE_MAX    1024u   /* longest single console write */

enum hv_shutdown_reason {
	HV_SHUTDOWN_POWEROFF = 0,   /* finished normally; code is an exit status */
	HV_SHUTDOWN_CRASH    = 1,   /* the guest detected its own failure */
};

struct hv_self_info {
	uint32_t domid;
	uint32_t role;              /* enum bootcfg_role */
	uint64_t mem_bytes;
	uint64_t generation;        /* how many times this domain slot was (re)built */
	char     name[32];
};

_Static_assert(sizeof(struct hv_self_info) == 56, "hv_self_info layout");

#endif
