/* Decoding MOV to/from a debug register (0F 23 /r, 0F 21 /r) for the DR7
 * intercepts: under QEMU's TCG there is neither NRIP nor a decode assist, so
 * the hypervisor reads the instruction itself. Pure code, unit-tested on the
 * host (tests/unit/test_movdr.c). */
#ifndef SVM_MOVDR_H
#define SVM_MOVDR_H

#include <stdint.h>

#define MOVDR_MAX_LEN   15      /* the architectural instruction length limit */

struct movdr {
	uint8_t write;          /* 1: MOV DRn, reg (0F 23); 0: MOV reg, DRn (0F 21) */
	uint8_t dr;             /* n, 0-7 */
	uint8_t gpr;            /* 0-15 in encoding order: RAX RCX RDX RBX RSP RBP RSI RDI R8-R15 */
	uint8_t len;            /* bytes, prefixes included */
};

/* 0 and *out when the n bytes at b start with a MOV to/from DR0-DR7 as the
 * CPU executes it: legacy prefixes (no LOCK), in 64-bit mode a REX prefix
 * right before 0F, mod bits ignored as the CPU ignores them. -1 for anything
 * else, including REX.R (DR8-DR15 do not exist: #UD) and more than 15 bytes. */
int movdr_decode(const uint8_t *b, unsigned n, int long_mode, struct movdr *out);

#endif
