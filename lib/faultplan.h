/*
 * The fault plan (docs/design.md "Fault injection"): a text module named
 * "faultplan", one code fault per line,
 *
 *   fault id=7 domain=netdd gen=2 after=5000 addr=0x101234 orig=89c7 new=89c6 type=regsrc
 *
 * with '#' comments and blank lines. The parser is freestanding: the same code
 * runs in the hypervisor at boot and in host tests, so both agree on what is
 * valid. It checks the syntax and the rules that need no scenario (ranges,
 * unique ids, each domain's generations strictly increasing); the hypervisor
 * checks the rest (the domain exists, restarts for gen > 1, addr in its text).
 */
#ifndef LIB_FAULTPLAN_H
#define LIB_FAULTPLAN_H

#include <stddef.h>
#include <stdint.h>

#define FAULTPLAN_MAX_FAULTS    64u
#define FAULTPLAN_MAX_BYTES     15u             /* longest x86 instruction */
#define FAULTPLAN_NAME_LEN      32u             /* with the NUL, as BOOTCFG_NAME_LEN */
#define FAULTPLAN_MAX_ID        999999u
#define FAULTPLAN_MAX_GEN       1000u
#define FAULTPLAN_MAX_AFTER     1000000000ull
#define FAULTPLAN_MAX_LINE      256u            /* characters, without the newline */

/* MINIX 3 SWIFI fault types plus init/irq (code faults), then the site
 * faults (docs/faultinject.md "Site faults": a call to a hook written over a
 * fault site); informational for the hypervisor, which applies all alike. */
enum faultplan_type {
	FP_REGSRC, FP_REGDST, FP_POINTER, FP_INTERFACE, FP_BRANCH,
	FP_BITFLIP, FP_NOP, FP_INIT, FP_IRQ,
	FP_DMA_WILD, FP_DMA_IRQWIN, FP_IRQ_STORM, FP_IRQ_LOST, FP_DEV_STOP,
	FP_DESC_LEN, FP_DESC_STATUS,
	FP_HANG_IRQON, FP_HANG_IRQOFF, FP_WD_STARVE,
	FP_PROTO_GARBAGE, FP_PROTO_BACK, FP_PROTO_AHEAD, FP_PROTO_BADID, FP_EVT_STORM,
	/* a client's site faults (faultinject/clientfaults.c) */
	FP_CL_GARBAGE, FP_CL_BACK, FP_CL_AHEAD, FP_CL_BADID, FP_CL_EVTSTORM,
	/* added later: a driver's site fault (faultinject/fihelp.h) */
	FP_SERVE_NONE,
	FP_NTYPES
};

struct faultplan_fault {
	uint32_t id;
	uint32_t gen;
	uint32_t line;                          /* 1-based line in the plan */
	enum faultplan_type type;
	uint64_t after;                         /* VM exits of that generation */
	uint64_t addr;                          /* guest address of orig[0] */
	uint8_t len;                            /* 1..FAULTPLAN_MAX_BYTES */
	uint8_t orig[FAULTPLAN_MAX_BYTES];
	uint8_t repl[FAULTPLAN_MAX_BYTES];      /* the plan's new= */
	char domain[FAULTPLAN_NAME_LEN];        /* [A-Za-z0-9_-]+, NUL-terminated */
};

struct faultplan {
	unsigned n;
	struct faultplan_fault f[FAULTPLAN_MAX_FAULTS];
};

/*
 * Parse 'len' bytes of plan text (need not be NUL-terminated; a NUL byte is an
 * error). Returns 0 with *out filled, or -1 with *line the 1-based line at
 * fault and the reason in whybuf (whylen bytes, always NUL-terminated), e.g.
 * "gen 0 outside 1..1000". *out is unspecified on error.
 */
int faultplan_parse(const char *text, size_t len, struct faultplan *out, unsigned *line,
		    char *whybuf, size_t whylen);

/* "regsrc", ..., "evt_storm", "cl_garbage", ..., "cl_evtstorm", "serve_none"; "?" for a value out of range. */
const char *faultplan_type_name(enum faultplan_type t);

#endif
