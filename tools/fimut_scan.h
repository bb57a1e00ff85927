/*
 * fimut's candidate instructions: every instruction of the ELF's functions,
 * disassembled function by function, with the fault types it is eligible
 * for (its own encoding allows a rewrite, and for interface/init/irq its
 * surroundings fit).
 */
#ifndef FIMUT_SCAN_H
#define FIMUT_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>
#include "fimut_elf.h"
#include "fimut_mutate.h"
#include "fimut_sites.h"

/* interface: the call or vmmcall follows within this many instructions. */
#define FIMUT_CALL_WINDOW 8
/* irq: how far back to look for the hypercall number loaded into eax. */
#define FIMUT_HC_WINDOW 8

struct fimut_insn {
	uint64_t addr;
	uint8_t len;
	uint8_t bytes[FIMUT_INSN_MAX];
	unsigned func;              /* index into the ELF's funcs */
	unsigned types;             /* bit t: eligible for fault type t */
};

struct fimut_code {
	struct fimut_insn *v;       /* by address */
	size_t n;
	size_t *cand[FIMUT_NTYPES]; /* indices into v of the eligible, by address */
	size_t ncand[FIMUT_NTYPES];
	/* Site types (fimut_sites.h): type FIMUT_NTYPES + i is st[i]. */
	struct fimut_sitetype *st;
	unsigned nst;
};

/* Any fault type: code (t < FIMUT_NTYPES) or site. */
const char *fimut_code_type_name(const struct fimut_code *c, int t);
/* The type named s[0..len) in this code, or -1. */
int fimut_code_type_parse(const struct fimut_code *c, const char *s, size_t len);

/*
 * Disassemble the functions whose name starts with prefix (NULL or "": all)
 * and classify; hooks (fi_hook*, which run only under a site fault) and the
 * NOPs of fault sites are never candidates. Site types are found in the whole
 * ELF whatever the prefix. Returns 0, or -1 when out of memory.
 */
int fimut_scan(csh h, const struct fimut_elf *e, const char *prefix, struct fimut_code *c);
void fimut_code_free(struct fimut_code *c);

#endif
