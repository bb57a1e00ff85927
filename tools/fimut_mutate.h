/*
 * fimut's fault types and, per type, the same-length rewrites of one
 * instruction ("variants"). Each variant is checked by decoding it again
 * where the type promises a valid instruction (register, pointer, branch,
 * NOP types); bitflip promises nothing.
 */
#ifndef FIMUT_MUTATE_H
#define FIMUT_MUTATE_H

#include <stdint.h>
#include <capstone/capstone.h>
#include "fimut_rng.h"

enum fimut_type {
	FIMUT_REGSRC, FIMUT_REGDST, FIMUT_POINTER, FIMUT_INTERFACE, FIMUT_BRANCH,
	FIMUT_BITFLIP, FIMUT_NOP, FIMUT_INIT, FIMUT_IRQ, FIMUT_NTYPES
};

const char *fimut_type_name(int t);
const char *fimut_type_help(int t);
/* The type named by s[0..len), or -1. */
int fimut_type_parse(const char *s, unsigned len);

#define FIMUT_MAX_VARIANTS 160
#define FIMUT_INSN_MAX 15

/*
 * Variants come in kinds (register field: reg / rm; pointer: displacement /
 * base; interface: bit flip / off by one) so that one choice is not drowned
 * by the number of bits of another.
 */
struct fimut_variants {
	unsigned len;                           /* instruction length */
	unsigned n;
	uint8_t kind[FIMUT_MAX_VARIANTS];
	uint8_t b[FIMUT_MAX_VARIANTS][FIMUT_INSN_MAX];
};

/*
 * The rewrites type t allows for instruction 'in', judged on the instruction
 * alone (interface/init/irq also need its surroundings: fimut_scan). None for
 * a NOP instruction.
 */
void fimut_variants(csh h, int t, const cs_insn *in, struct fimut_variants *v);

/* Index of one variant: a kind uniformly among those present, then one in it. */
unsigned fimut_variant_pick(const struct fimut_variants *v, struct fimut_rng *r);

#endif
