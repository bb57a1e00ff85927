/*
 * Fault types as instruction rewrites (see fimut_mutate.h). Register and
 * pointer faults try every value of the ModRM/SIB field (with its REX bit
 * when the instruction has a REX prefix: adding one would change the length)
 * and keep those whose decoding differs from the original in exactly the
 * intended operand. That decides from Capstone's operand list, not from
 * opcode tables, which field holds the source and which the destination.
 */
#include <string.h>
#include "fimut_mutate.h"
#include "fimut_x86.h"

#define REX_R 4
#define REX_B 1

static const struct {
	const char *name, *help;
} types[FIMUT_NTYPES] = {
	[FIMUT_REGSRC] = { "regsrc", "another register as a source (ModRM reg/rm, mod=3)" },
	[FIMUT_REGDST] = { "regdst", "another register as the destination (ModRM reg/rm, mod=3)" },
	[FIMUT_POINTER] = { "pointer", "memory operand: a displacement bit flipped, or another base register" },
	[FIMUT_INTERFACE] = { "interface", "immediate loaded into an argument register just before a call/vmmcall: bit flip or +-1" },
	[FIMUT_BRANCH] = { "branch", "conditional jump inverted (condition low bit)" },
	[FIMUT_BITFLIP] = { "bitflip", "one random bit of the instruction" },
	[FIMUT_NOP] = { "nop", "the instruction replaced by NOPs" },
	[FIMUT_INIT] = { "init", "a call NOPed in a function named *init*|*start*|*setup*|*reset*" },
	[FIMUT_IRQ] = { "irq", "a vmmcall NOPed in a function named *irq*, or binding/acking a device irq" },
};

const char *fimut_type_name(int t) { return types[t].name; }
const char *fimut_type_help(int t) { return types[t].help; }

int fimut_type_parse(const char *s, unsigned len)
{
	for (int t = 0; t < FIMUT_NTYPES; t++)
		if (strlen(types[t].name) == len && !memcmp(types[t].name, s, len))
			return t;
	return -1;
}

static void add(struct fimut_variants *v, const uint8_t *b, unsigned kind)
{
	if (v->n == FIMUT_MAX_VARIANTS)
		return;
	memcpy(v->b[v->n], b, v->len);
	v->kind[v->n++] = kind;
}

/* A 3-bit field at bit 'shift' of byte 'off', extended by REX bit 'rexbit'. */
struct field {
	int off, shift, rexbit;
};

static unsigned field_get(const uint8_t *b, const struct fimut_layout *l, struct field f)
{
	unsigned v = (b[f.off] >> f.shift) & 7;

	return l->rex >= 0 && (b[l->rex] & f.rexbit) ? v | 8 : v;
}

static void field_set(uint8_t *b, const struct fimut_layout *l, struct field f, unsigned v)
{
	b[f.off] = (uint8_t)((b[f.off] & ~(7 << f.shift)) | (v & 7) << f.shift);
	if (l->rex >= 0)
		b[l->rex] = (uint8_t)((b[l->rex] & ~f.rexbit) | (v & 8 ? f.rexbit : 0));
}

static int op_equal(const cs_x86_op *a, const cs_x86_op *b)
{
	if (a->type != b->type || a->size != b->size)
		return 0;
	if (a->type == X86_OP_REG)
		return a->reg == b->reg;
	if (a->type == X86_OP_IMM)
		return a->imm == b->imm;
	if (a->type == X86_OP_MEM)
		return !memcmp(&a->mem, &b->mem, sizeof(a->mem));
	return 1;
}

/* The one operand index where t differs from o (same instruction), or -1. */
static int one_changed_op(const cs_insn *o, const cs_insn *t)
{
	const cs_x86 *a = &o->detail->x86, *b = &t->detail->x86;
	int j = -1;

	if (o->id != t->id || a->op_count != b->op_count)
		return -1;
	for (int i = 0; i < a->op_count; i++)
		if (!op_equal(&a->operands[i], &b->operands[i])) {
			if (j >= 0)
				return -1;
			j = i;
		}
	return j;
}

typedef int (*accept_fn)(const cs_x86_op *old, const cs_x86_op *new, int want_write);

/* Try every value of field f; keep the trials accept() likes. */
static void try_field(csh h, const cs_insn *in, const struct fimut_layout *l, struct field f,
		      unsigned kind, accept_fn accept, int arg, struct fimut_variants *v)
{
	unsigned cur = field_get(in->bytes, l, f), nval = l->rex >= 0 ? 16 : 8;

	for (unsigned val = 0; val < nval; val++) {
		uint8_t b[FIMUT_INSN_MAX];
		if (val == cur)
			continue;
		memcpy(b, in->bytes, in->size);
		field_set(b, l, f, val);
		cs_insn *t = fimut_x86_decode(h, b, in->size, in->address);
		if (!t)
			continue;
		int j = one_changed_op(in, t);
		if (j >= 0 && accept(&in->detail->x86.operands[j], &t->detail->x86.operands[j], arg))
			add(v, b, kind);
		cs_free(t, 1);
	}
}

static int accept_reg(const cs_x86_op *o, const cs_x86_op *n, int want_write)
{
	if (o->type != X86_OP_REG || fimut_x86_gpr(o->reg) < 0 || fimut_x86_gpr(n->reg) < 0)
		return 0;
	return want_write ? (o->access & CS_AC_WRITE) != 0 : o->access == CS_AC_READ;
}

static void reg_variants(csh h, const cs_insn *in, int want_write, struct fimut_variants *v)
{
	struct fimut_layout l;

	if (fimut_x86_layout(in, &l) || l.modrm < 0 || in->bytes[l.modrm] >> 6 != 3)
		return;
	try_field(h, in, &l, (struct field){ l.modrm, 3, REX_R }, 0, accept_reg, want_write, v);
	try_field(h, in, &l, (struct field){ l.modrm, 0, REX_B }, 1, accept_reg, want_write, v);
}

static int accept_base(const cs_x86_op *o, const cs_x86_op *n, int unused)
{
	(void)unused;
	return o->type == X86_OP_MEM && fimut_x86_gpr(o->mem.base) >= 0 &&
	       fimut_x86_gpr(n->mem.base) >= 0 && o->mem.segment == n->mem.segment &&
	       o->mem.index == n->mem.index && o->mem.scale == n->mem.scale &&
	       o->mem.disp == n->mem.disp;
}

/* The displacement as stored, sign-extended: must match Capstone's. */
static int disp_ok(const cs_insn *in)
{
	const cs_x86 *x = &in->detail->x86;
	unsigned off = x->encoding.disp_offset, n = x->encoding.disp_size;
	uint64_t d = 0;

	if (!off || (n != 1 && n != 2 && n != 4 && n != 8) || off + n > in->size)
		return 0;
	for (unsigned i = 0; i < n; i++)
		d |= (uint64_t)in->bytes[off + i] << (8 * i);
	if (n < 8 && (d >> (8 * n - 1) & 1))
		d |= ~0ull << (8 * n);
	return (int64_t)d == x->disp;
}

static void pointer_variants(csh h, const cs_insn *in, struct fimut_variants *v)
{
	const cs_x86 *x = &in->detail->x86;
	struct fimut_layout l;
	int nmem = 0;

	for (int i = 0; i < x->op_count; i++)
		nmem += x->operands[i].type == X86_OP_MEM;
	if (nmem != 1 || fimut_x86_layout(in, &l) || l.modrm < 0)
		return;
	uint8_t modrm = in->bytes[l.modrm], mod = modrm >> 6;
	if (mod == 3)
		return;
	if (disp_ok(in))
		for (unsigned bit = 0; bit < 8u * x->encoding.disp_size; bit++) {
			uint8_t b[FIMUT_INSN_MAX];
			memcpy(b, in->bytes, in->size);
			b[x->encoding.disp_offset + bit / 8] ^= (uint8_t)(1 << (bit % 8));
			cs_insn *t = fimut_x86_decode(h, b, in->size, in->address);
			if (t && t->id == in->id)
				add(v, b, 0);
			if (t)
				cs_free(t, 1);
		}
	/* mod=0 with rm=5 is RIP-relative, with SIB base=5 base-less: no base to change. */
	struct field f = l.sib >= 0 ? (struct field){ l.sib, 0, REX_B } : (struct field){ l.modrm, 0, REX_B };
	if (mod == 0 && (in->bytes[f.off] & 7) == 5)
		return;
	try_field(h, in, &l, f, 1, accept_base, 0, v);
}

/* mov $imm, %reg: the immediate's bits, or the value +-1. */
static void interface_variants(const cs_insn *in, struct fimut_variants *v)
{
	const cs_x86 *x = &in->detail->x86;
	unsigned off = x->encoding.imm_offset, n = x->encoding.imm_size;

	if ((in->id != X86_INS_MOV && in->id != X86_INS_MOVABS) || x->op_count != 2 ||
	    x->operands[0].type != X86_OP_REG || fimut_x86_gpr(x->operands[0].reg) < 0 ||
	    x->operands[1].type != X86_OP_IMM || !off || (n != 1 && n != 2 && n != 4 && n != 8) ||
	    off + n != in->size)
		return;
	for (unsigned bit = 0; bit < 8 * n; bit++) {
		uint8_t b[FIMUT_INSN_MAX];
		memcpy(b, in->bytes, in->size);
		b[off + bit / 8] ^= (uint8_t)(1 << (bit % 8));
		add(v, b, 0);
	}
	for (int delta = 1; delta >= -1; delta -= 2) {     /* modulo the immediate's width */
		uint8_t b[FIMUT_INSN_MAX];
		uint64_t val = 0;
		memcpy(b, in->bytes, in->size);
		for (unsigned i = 0; i < n; i++)
			val |= (uint64_t)b[off + i] << (8 * i);
		val += (uint64_t)(int64_t)delta;
		for (unsigned i = 0; i < n; i++)
			b[off + i] = (uint8_t)(val >> (8 * i));
		add(v, b, 1);
	}
}

static void branch_variants(const cs_insn *in, struct fimut_variants *v)
{
	struct fimut_layout l;
	uint8_t b[FIMUT_INSN_MAX];
	int at = -1;

	if (fimut_x86_layout(in, &l))
		return;
	const uint8_t *o = in->bytes + l.op;
	if (l.oplen == 1 && o[0] >= 0x70 && o[0] <= 0x7f)
		at = l.op;
	else if (l.oplen == 2 && o[0] == 0x0f && o[1] >= 0x80 && o[1] <= 0x8f)
		at = l.op + 1;
	if (at < 0)
		return;
	memcpy(b, in->bytes, in->size);
	b[at] ^= 1;
	add(v, b, 0);
}

/* 0x90 x len, as docs/faultinject.md says (a multi-byte NOP would do the same). */
static void nop_variant(struct fimut_variants *v)
{
	uint8_t b[FIMUT_INSN_MAX];

	memset(b, 0x90, sizeof(b));
	add(v, b, 0);
}

static void bitflip_variants(const cs_insn *in, struct fimut_variants *v)
{
	for (unsigned bit = 0; bit < 8u * in->size; bit++) {
		uint8_t b[FIMUT_INSN_MAX];
		memcpy(b, in->bytes, in->size);
		b[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		add(v, b, 0);
	}
}

void fimut_variants(csh h, int t, const cs_insn *in, struct fimut_variants *v)
{
	v->len = in->size;
	v->n = 0;
	if (in->id == X86_INS_NOP || in->size > FIMUT_INSN_MAX)
		return;
	switch (t) {
	case FIMUT_REGSRC: reg_variants(h, in, 0, v); break;
	case FIMUT_REGDST: reg_variants(h, in, 1, v); break;
	case FIMUT_POINTER: pointer_variants(h, in, v); break;
	case FIMUT_INTERFACE: interface_variants(in, v); break;
	case FIMUT_BRANCH: branch_variants(in, v); break;
	case FIMUT_BITFLIP: bitflip_variants(in, v); break;
	case FIMUT_NOP: nop_variant(v); break;
	case FIMUT_INIT:
		if (in->id == X86_INS_CALL)
			nop_variant(v);
		break;
	case FIMUT_IRQ:
		if (in->id == X86_INS_VMMCALL)
			nop_variant(v);
		break;
	}
}

unsigned fimut_variant_pick(const struct fimut_variants *v, struct fimut_rng *r)
{
	unsigned count[2] = { 0, 0 }, kinds = 0, kind, k;

	for (unsigned i = 0; i < v->n; i++)
		count[v->kind[i]]++;
	kinds = (count[0] > 0) + (count[1] > 0);
	k = (unsigned)fimut_rng_below(r, kinds);
	kind = count[0] && k == 0 ? 0 : 1;
	k = (unsigned)fimut_rng_below(r, count[kind]);
	for (unsigned i = 0; i < v->n; i++)
		if (v->kind[i] == kind && k-- == 0)
			return i;
	return 0;
}
