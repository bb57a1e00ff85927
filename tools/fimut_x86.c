/* x86-64 encoding helpers for fimut (see fimut_x86.h). */
#include <string.h>
#include "fimut_x86.h"

static int is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0xf0: case 0xf2: case 0xf3: case 0x2e: case 0x36: case 0x3e:
	case 0x26: case 0x64: case 0x65: case 0x66: case 0x67:
		return 1;
	}
	return 0;
}

int fimut_x86_layout(const cs_insn *in, struct fimut_layout *l)
{
	const cs_x86 *x = &in->detail->x86;
	const uint8_t *b = in->bytes;
	int n = in->size, i = 0;

	while (i < n && is_legacy_prefix(b[i]))
		i++;
	l->rex = -1;
	if (i < n && (b[i] & 0xf0) == 0x40)
		l->rex = i++;
	if (i >= n || b[i] == 0xc4 || b[i] == 0xc5 || b[i] == 0x62 ||
	    (b[i] == 0x8f && in->id != X86_INS_POP))
		return -1;                      /* VEX, EVEX, XOP */
	l->op = i;
	l->oplen = b[i] != 0x0f ? 1 : (i + 1 < n && (b[i + 1] == 0x38 || b[i + 1] == 0x3a)) ? 3 : 2;
	if ((l->rex < 0 ? 0 : b[l->rex]) != x->rex)
		return -1;
	l->modrm = l->sib = -1;
	if (x->encoding.modrm_offset) {
		l->modrm = l->op + l->oplen;
		if (l->modrm != x->encoding.modrm_offset || l->modrm >= n || b[l->modrm] != x->modrm)
			return -1;
		if ((b[l->modrm] >> 6) != 3 && (b[l->modrm] & 7) == 4 && x->addr_size != 2)
			l->sib = l->modrm + 1;
		if (l->sib >= n)
			return -1;
	}
	return 0;
}

int fimut_x86_gpr(x86_reg r)
{
	static const x86_reg fam[16][5] = {
		{ X86_REG_RAX, X86_REG_EAX, X86_REG_AX, X86_REG_AL, X86_REG_AH },
		{ X86_REG_RCX, X86_REG_ECX, X86_REG_CX, X86_REG_CL, X86_REG_CH },
		{ X86_REG_RDX, X86_REG_EDX, X86_REG_DX, X86_REG_DL, X86_REG_DH },
		{ X86_REG_RBX, X86_REG_EBX, X86_REG_BX, X86_REG_BL, X86_REG_BH },
		{ X86_REG_RSP, X86_REG_ESP, X86_REG_SP, X86_REG_SPL },
		{ X86_REG_RBP, X86_REG_EBP, X86_REG_BP, X86_REG_BPL },
		{ X86_REG_RSI, X86_REG_ESI, X86_REG_SI, X86_REG_SIL },
		{ X86_REG_RDI, X86_REG_EDI, X86_REG_DI, X86_REG_DIL },
		{ X86_REG_R8, X86_REG_R8D, X86_REG_R8W, X86_REG_R8B },
		{ X86_REG_R9, X86_REG_R9D, X86_REG_R9W, X86_REG_R9B },
		{ X86_REG_R10, X86_REG_R10D, X86_REG_R10W, X86_REG_R10B },
		{ X86_REG_R11, X86_REG_R11D, X86_REG_R11W, X86_REG_R11B },
		{ X86_REG_R12, X86_REG_R12D, X86_REG_R12W, X86_REG_R12B },
		{ X86_REG_R13, X86_REG_R13D, X86_REG_R13W, X86_REG_R13B },
		{ X86_REG_R14, X86_REG_R14D, X86_REG_R14W, X86_REG_R14B },
		{ X86_REG_R15, X86_REG_R15D, X86_REG_R15W, X86_REG_R15B },
	};

	if (r == X86_REG_INVALID)
		return -1;
	for (int i = 0; i < 16; i++)
		for (int j = 0; j < 5; j++)
			if (fam[i][j] == r)
				return i;
	return -1;
}

cs_insn *fimut_x86_decode(csh h, const uint8_t *b, unsigned len, uint64_t addr)
{
	cs_insn *in = 0;
	size_t c = cs_disasm(h, b, len, addr, 1, &in);

	if (c == 1 && in->size == len)
		return in;
	if (c)
		cs_free(in, c);
	return 0;
}

int fimut_x86_is_transfer(const cs_insn *in)
{
	static const uint8_t groups[] = { X86_GRP_JUMP, X86_GRP_CALL, X86_GRP_RET,
					  X86_GRP_INT, X86_GRP_IRET };
	const cs_detail *d = in->detail;

	if (in->id == X86_INS_VMMCALL || in->id == X86_INS_HLT || in->id == X86_INS_UD2)
		return 1;
	for (unsigned i = 0; i < d->groups_count; i++)
		if (memchr(groups, d->groups[i], sizeof(groups)))
			return 1;
	return 0;
}

int fimut_x86_writes_gpr(csh h, const cs_insn *in, int gpr)
{
	cs_regs rd, wr;
	uint8_t nrd, nwr;

	if (cs_regs_access(h, in, rd, &nrd, wr, &nwr))
		return 1;               /* unknown: assume it does */
	for (unsigned i = 0; i < nwr; i++)
		if (fimut_x86_gpr(wr[i]) == gpr)
			return 1;
	return 0;
}
