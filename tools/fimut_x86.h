/*
 * x86-64 encoding facts fimut needs on top of Capstone: where the REX
 * prefix, opcode, ModRM and SIB bytes sit in an instruction, and which
 * register family (rax..r15) a Capstone register belongs to.
 */
#ifndef FIMUT_X86_H
#define FIMUT_X86_H

#include <stdint.h>
#include <capstone/capstone.h>

struct fimut_layout {
	int rex;        /* offset of the REX byte, or -1 */
	int op;         /* offset of the first opcode byte */
	int oplen;      /* 1, 2 (0f xx) or 3 (0f 38/3a xx) */
	int modrm;      /* offset of ModRM, or -1 */
	int sib;        /* offset of SIB, or -1 */
};

/*
 * Lay out a decoded instruction (legacy prefixes, REX, opcode map). Returns
 * 0, or -1 for what fimut does not re-encode (VEX/EVEX/XOP, or Capstone's
 * ModRM/REX disagreeing with ours): such an instruction is only NOPed or
 * bit-flipped.
 */
int fimut_x86_layout(const cs_insn *in, struct fimut_layout *l);

/* 0..15 for a general register of any width (al, ah, ax, eax, rax -> 0), else -1. */
int fimut_x86_gpr(x86_reg r);

/*
 * Decode exactly one instruction of len bytes at addr (details on). NULL if
 * the bytes do not start with a valid instruction of exactly that length.
 * Free with cs_free(insn, 1).
 */
cs_insn *fimut_x86_decode(csh h, const uint8_t *b, unsigned len, uint64_t addr);

/* Instruction groups fimut cares about. */
int fimut_x86_is_transfer(const cs_insn *in);   /* jump, call, ret, int, iret, vmmcall */
int fimut_x86_writes_gpr(csh h, const cs_insn *in, int gpr);

#endif
