/*
 * Disassembly and eligibility (see fimut_scan.h). Linear sweep inside each
 * function symbol, so padding between functions (never executed) is never
 * a target and a data byte in one function does not misalign the next.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fimut_scan.h"
#include "fimut_x86.h"
#include "public/channel.h"

static int name_has(const char *name, const char *word)
{
	size_t n = strlen(word);

	for (; *name; name++) {
		size_t i = 0;
		while (i < n && tolower((unsigned char)name[i]) == word[i])
			i++;
		if (i == n)
			return 1;
	}
	return 0;
}

static int is_init_name(const char *name)
{
	return name_has(name, "init") || name_has(name, "start") ||
	       name_has(name, "setup") || name_has(name, "reset");
}

/* The number `mov $imm, %eax` put into eax for the vmmcall at i, or -1. */
static int64_t hypercall_nr(csh h, const cs_insn *ins, size_t i)
{
	for (size_t k = 1; k <= FIMUT_HC_WINDOW && k <= i; k++) {
		const cs_insn *p = &ins[i - k];
		const cs_x86 *x = &p->detail->x86;
		if (fimut_x86_is_transfer(p))
			return -1;
		if (!fimut_x86_writes_gpr(h, p, 0))
			continue;
		if (p->id == X86_INS_MOV && x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
		    fimut_x86_gpr(x->operands[0].reg) == 0 && x->operands[1].type == X86_OP_IMM)
			return x->operands[1].imm;
		return -1;
	}
	return -1;
}

/* Argument registers: SysV calls (rax: vector registers used by varargs), our vmmcall ABI. */
static int is_arg_reg(int gpr, unsigned insn_id)
{
	static const int call_args[] = { 7, 6, 2, 1, 8, 9, 0 };        /* rdi rsi rdx rcx r8 r9 rax */
	static const int hc_args[] = { 0, 7, 6, 2, 10, 8 };            /* rax rdi rsi rdx r10 r8 */
	const int *a = insn_id == X86_INS_VMMCALL ? hc_args : call_args;
	size_t n = insn_id == X86_INS_VMMCALL ? sizeof(hc_args) / sizeof(int) : sizeof(call_args) / sizeof(int);

	for (size_t i = 0; i < n; i++)
		if (a[i] == gpr)
			return 1;
	return 0;
}

/* The argument register loaded at i is still live at a call/vmmcall soon after. */
static int call_follows(csh h, const cs_insn *ins, size_t n, size_t i)
{
	int reg = fimut_x86_gpr(ins[i].detail->x86.operands[0].reg);

	for (size_t k = i + 1; k < n && k <= i + FIMUT_CALL_WINDOW; k++) {
		if (ins[k].id == X86_INS_CALL || ins[k].id == X86_INS_VMMCALL)
			return is_arg_reg(reg, ins[k].id);
		if (fimut_x86_is_transfer(&ins[k]) || fimut_x86_writes_gpr(h, &ins[k], reg))
			return 0;
	}
	return 0;
}

static int context_ok(csh h, int t, const cs_insn *ins, size_t n, size_t i, const char *fname)
{
	int64_t nr;

	switch (t) {
	case FIMUT_INTERFACE:
		return call_follows(h, ins, n, i);
	case FIMUT_INIT:
		return is_init_name(fname);
	case FIMUT_IRQ:
		if (name_has(fname, "irq"))
			return 1;
		nr = hypercall_nr(h, ins, i);
		return nr == HC_DEVICE_IRQ_BIND || nr == HC_DEVICE_IRQ_ACK;
	}
	return 1;
}

static unsigned classify(csh h, const cs_insn *ins, size_t n, size_t i, const char *fname)
{
	static struct fimut_variants v;     /* large: keep it off the stack */
	unsigned mask = 0;

	for (int t = 0; t < FIMUT_NTYPES; t++) {
		if (!context_ok(h, t, ins, n, i, fname))
			continue;
		fimut_variants(h, t, &ins[i], &v);
		if (v.n)
			mask |= 1u << t;
	}
	return mask;
}

static int push(struct fimut_code *c, size_t *cap, const cs_insn *in, unsigned func, unsigned mask)
{
	if (c->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 1024;
		struct fimut_insn *nv = realloc(c->v, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		c->v = nv;
		*cap = ncap;
	}
	struct fimut_insn *d = &c->v[c->n++];
	d->addr = in->address;
	d->len = (uint8_t)in->size;
	memcpy(d->bytes, in->bytes, in->size);
	d->func = func;
	d->types = mask;
	return 0;
}

/* Sweep one function; an undecodable byte is skipped and the sweep goes on. */
static int scan_func(csh h, const struct fimut_elf *e, unsigned fi, struct fimut_code *c, size_t *cap)
{
	const struct fimut_func *f = &e->funcs[fi];
	const uint8_t *p = fimut_elf_text(e, f->addr, f->size);
	uint64_t off = 0;

	/* The fault machinery is not the driver under test: hook trampolines
	 * and bodies (fi_hook*) and the helpers only faults run (nicfaults_*)
	 * would give code faults that are never activated. */
	if (!strncmp(f->name, "fi_hook", 7) || !strncmp(f->name, "nicfaults_", 10) ||
	    !strncmp(f->name, "diskfaults_", 11))
		return 0;
	while (p && off < f->size) {
		cs_insn *ins;
		size_t n = cs_disasm(h, p + off, f->size - off, f->addr + off, 0, &ins);
		for (size_t i = 0; i < n; i++) {
			if (ins[i].size <= FIMUT_INSN_MAX &&
			    !fimut_in_site(e, ins[i].address, ins[i].size) &&
			    push(c, cap, &ins[i], fi, classify(h, ins, n, i, f->name))) {
				cs_free(ins, n);
				return -1;
			}
			off += ins[i].size;
		}
		if (n)
			cs_free(ins, n);
		if (off < f->size)
			off++;
	}
	return 0;
}

int fimut_scan(csh h, const struct fimut_elf *e, const char *prefix, struct fimut_code *c)
{
	size_t cap = 0, plen = prefix ? strlen(prefix) : 0;

	*c = (struct fimut_code){ 0 };
	for (unsigned fi = 0; fi < e->nfuncs; fi++)
		if (!strncmp(e->funcs[fi].name, prefix ? prefix : "", plen) && scan_func(h, e, fi, c, &cap))
			goto oom;
	for (int t = 0; t < FIMUT_NTYPES; t++) {
		if (!(c->cand[t] = malloc((c->n ? c->n : 1) * sizeof(size_t))))
			goto oom;
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i].types & (1u << t))
				c->cand[t][c->ncand[t]++] = i;
	}
	if (fimut_sitetypes(e, &c->st, &c->nst))
		goto oom;
	return 0;
oom:
	fimut_code_free(c);
	return -1;
}

void fimut_code_free(struct fimut_code *c)
{
	free(c->v);
	for (int t = 0; t < FIMUT_NTYPES; t++)
		free(c->cand[t]);
	fimut_sitetypes_free(c->st, c->nst);
	*c = (struct fimut_code){ 0 };
}

const char *fimut_code_type_name(const struct fimut_code *c, int t)
{
	if (t >= FIMUT_NTYPES && (unsigned)(t - FIMUT_NTYPES) < c->nst)
		return c->st[t - FIMUT_NTYPES].name;
	return fimut_type_name(t);
}

int fimut_code_type_parse(const struct fimut_code *c, const char *s, size_t len)
{
	int t = fimut_type_parse(s, (unsigned)len);

	if (t >= 0)
		return t;
	for (unsigned i = 0; i < c->nst; i++)
		if (strlen(c->st[i].name) == len && !strncmp(c->st[i].name, s, len))
			return FIMUT_NTYPES + (int)i;
	return -1;
}
