/*
 * AMD SVM implementation of the vCPU part of hv/arch.h: one VMCB per vCPU,
 * nested paging, every sensitive instruction intercepted, exits decoded into
 * struct vm_exit for the generic code.
 */
#include <stdint.h>
#include "fmt.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/strayirq.h"
#include "../cpu.h"
#include "bp.h"
#include "cpustate.h"
#include "dr7.h"
#include "vmcb.h"
#include "svm_run.h"
#include "xcr0.h"

#define CPUID_SVM_ECX     (1u << 2)     /* 0x80000001 ECX */
#define CPUID_SVM_NPT     (1u << 0)     /* 0x8000000a EDX */
#define VM_CR_SVMDIS      (1u << 4)
#define IOPM_PAGES        3
#define MSRPM_PAGES       2

/* Lives in one frame allocated per vCPU. */
struct svm_vcpu {
	struct svm_gprs gprs;
	uint64_t vmcb_pa;
	uint32_t asid;
	struct cpustate cpu;        /* FPU/SSE/AVX, XCR0, DR0-DR3 */
	uint64_t dr7;               /* the guest's DR7; the CPU's is DR7_INERT (dr7.h) */
};
_Static_assert(sizeof(struct svm_vcpu) <= 4096, "svm_vcpu fits a frame");


/* host_save_pa: the hypervisor's own FS, GS, TR, LDTR, KernelGsBase and
 * syscall MSRs in VMCB format, VMSAVEd once at init and VMLOADed after every
 * exit (svm_run.S), so none of a guest's leaks into the host or another guest. */
static uint64_t iopm_pa, msrpm_pa, host_save_pa;
static uint32_t max_asid, next_asid = 1;

int arch_virt_check(char *why, size_t len)
{
	uint32_t r[4];

	cpuid(0x80000000u, 0, r);
	if (r[0] < 0x8000000au) {
		fmt_snprintf(why, len, "CPU has no SVM leaf (max extended leaf 0x%x)", r[0]);
		return -1;
	}
	cpuid(0x80000001u, 0, r);
	if (!(r[2] & CPUID_SVM_ECX)) {
		fmt_snprintf(why, len, "CPU lacks AMD SVM (use -cpu qemu64,+svm,+npt)");
		return -1;
	}
	cpuid(0x8000000au, 0, r);
	if (!(r[3] & CPUID_SVM_NPT)) {
		fmt_snprintf(why, len, "CPU has SVM but no nested paging (use -cpu qemu64,+svm,+npt)");
		return -1;
	}
	if (rdmsr(MSR_VM_CR) & VM_CR_SVMDIS) {
		fmt_snprintf(why, len, "SVM is disabled by firmware (VM_CR.SVMDIS)");
		return -1;
	}
	return 0;
}

static uint64_t alloc_filled(unsigned pages, uint8_t fill)
{
	uint64_t first = 0;

	/* The permission maps must be physically contiguous: frames come lowest
	 * first at boot, so consecutive allocations are adjacent; check it. */
	for (unsigned i = 0; i < pages; i++) {
		uint64_t pa = mm_alloc_frame();
		if (!pa || (i && pa != first + i * 4096ull))
			panic("SVM permission map not contiguous");
		if (!i)
			first = pa;
		uint8_t *p = phys_to_virt(pa);
		for (unsigned b = 0; b < 4096; b++)
			p[b] = fill;
	}
	return first;
}

int arch_virt_init(void)
{
	uint32_t r[4];

	cpuid(0x8000000au, 0, r);
	max_asid = r[1];
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
	uint64_t hsave = mm_alloc_frame();
	if (!hsave)
		return -1;
	wrmsr(MSR_VM_HSAVE_PA, hsave);
	host_save_pa = mm_alloc_frame();
	if (!host_save_pa)
		return -1;
	svm_vmsave(host_save_pa);
	cpustate_host_init();
	/* Deny every I/O port and MSR: a guest's only way out is a hypercall. */
	iopm_pa = alloc_filled(IOPM_PAGES, 0xff);
	msrpm_pa = alloc_filled(MSRPM_PAGES, 0xff);
	printk("hv: SVM enabled: revision %u, %u ASIDs, nested paging\n", r[0] & 0xff, max_asid);
	return 0;
}

const struct pt_format *arch_gpt_format(void)
{
	return &pt_fmt_x86;
}

uint64_t arch_gpt_ram_flags(int writable)
{
	/* NPT needs the U bit at every level (QEMU-NOTES: guest walks fault otherwise). */
	return 0x1 | 0x4 | (writable ? 0x2 : 0);
}

uint64_t arch_gpt_mmio_flags(void)
{
	return 0x1 | 0x2 | 0x4 | 0x8 | 0x10;    /* P | RW | U | PWT | PCD: uncached */
}

static struct svm_vcpu *svm(struct vcpu *v)
{
	return v->arch;
}

static struct vmcb *vmcb_of(struct vcpu *v)
{
	return phys_to_virt(svm(v)->vmcb_pa);
}

static void vmcb_set_long_mode(struct vmcb *vm, const struct vcpu_start *st)
{
	struct vmcb_save *s = &vm->save;
	struct vmcb_seg code = { 0x08, 0x0a9b, 0xffffffff, 0 };
	struct vmcb_seg data = { 0x10, 0x0c93, 0xffffffff, 0 };

	s->cs = code;
	s->es = s->ss = s->ds = s->fs = s->gs = data;
	s->gdtr = (struct vmcb_seg){ 0, 0, (uint32_t)st->gdt_limit, st->gdt };
	s->idtr = (struct vmcb_seg){ 0, 0, 0, 0 };
	/* Loaded by VMLOAD: an empty LDT, a busy 64-bit TSS (used only for IST
	 * or a privilege change, which the guest sets up itself if it wants
	 * them), KernelGsBase and the syscall/sysenter MSRs zero. */
	s->ldtr = (struct vmcb_seg){ 0, 0x0082, 0, 0 };
	s->tr = (struct vmcb_seg){ 0, 0x008b, 0x67, 0 };
	s->kernel_gs_base = 0;
	s->star = s->lstar = s->cstar = s->sfmask = 0;
	s->sysenter_cs = s->sysenter_esp = s->sysenter_eip = 0;
	s->cpl = 0;
	s->efer = (1u << 8) | (1u << 10) | EFER_SVME;   /* LME | LMA | SVME */
	s->cr0 = 0x80000031ull;                         /* PG | NE | ET | PE */
	s->cr3 = st->page_table;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;    /* SSE usable; XSAVE is the guest's choice */
	s->dr6 = 0xffff0ff0;
	s->dr7 = DR7_INERT;
	s->rflags = 0x2;
	s->rip = st->entry;
	s->rsp = 0;
	s->rax = 0;
	s->g_pat = 0x0007040600070406ull;
}

static void vmcb_set_controls(struct vmcb *vm, uint64_t gpt_root, uint32_t asid)
{
	struct vmcb_control *c = &vm->ctl;

	c->intercept_misc1 = SVM_INTERCEPT_INTR | SVM_INTERCEPT_NMI | SVM_INTERCEPT_SMI |
		SVM_INTERCEPT_INIT | SVM_INTERCEPT_INVD | SVM_INTERCEPT_HLT |
		SVM_INTERCEPT_INVLPGA | SVM_INTERCEPT_IOIO | SVM_INTERCEPT_MSR |
		SVM_INTERCEPT_TASKSW | SVM_INTERCEPT_SHUTDOWN;
	c->intercept_misc2 = SVM_INTERCEPT_VMRUN | SVM_INTERCEPT_VMMCALL |
		SVM_INTERCEPT_VMLOAD | SVM_INTERCEPT_VMSAVE | SVM_INTERCEPT_STGI |
		SVM_INTERCEPT_CLGI | SVM_INTERCEPT_SKINIT | SVM_INTERCEPT_WBINVD |
		SVM_INTERCEPT_MONITOR | SVM_INTERCEPT_MWAIT | SVM_INTERCEPT_XSETBV;
	/* The guest's DR7 is emulated (dr7.c): its breakpoints never reach the CPU. */
	c->intercept_dr = SVM_INTERCEPT_DR_READ(7) | SVM_INTERCEPT_DR_WRITE(7);
	c->iopm_base_pa = iopm_pa;
	c->msrpm_base_pa = msrpm_pa;
	c->asid = asid;
	c->tlb_control = SVM_TLB_FLUSH_ALL;
	c->v_intr = SVM_V_INTR_MASKING;
	c->np_enable = 1;
	c->n_cr3 = gpt_root;
}

static uint32_t asid_alloc(void)
{
	/* No flush-by-ASID under TCG: recycling is safe because every first run
	 * of a vCPU flushes the whole TLB. */
	uint32_t a = next_asid++;
	if (next_asid >= max_asid)
		next_asid = 1;
	return a;
}

int arch_vcpu_init(struct vcpu *v, uint64_t gpt_root, const struct vcpu_start *st)
{
	uint64_t state = mm_alloc_frame(), vmcb_pa = mm_alloc_frame();

	if (!state || !vmcb_pa) {
		if (state)
			mm_free_frame(state);
		if (vmcb_pa)
			mm_free_frame(vmcb_pa);
		return -1;
	}
	v->arch = phys_to_virt(state);
	if (cpustate_init(&svm(v)->cpu)) {
		mm_free_frame(state);
		mm_free_frame(vmcb_pa);
		v->arch = 0;
		return -1;
	}
	svm(v)->vmcb_pa = vmcb_pa;
	svm(v)->asid = asid_alloc();
	svm(v)->gprs.rdi = st->arg;
	svm(v)->dr7 = DR7_INERT;
	vmcb_set_controls(vmcb_of(v), gpt_root, svm(v)->asid);
	vmcb_set_long_mode(vmcb_of(v), st);
	return 0;
}

void arch_vcpu_free(struct vcpu *v)
{
	if (!v->arch)
		return;
	cpustate_free(&svm(v)->cpu);
	mm_free_frame(svm(v)->vmcb_pa);
	mm_free_frame((uint64_t)(uintptr_t)v->arch);
	v->arch = 0;
}

void arch_vcpu_flush_gpt(struct vcpu *v)
{
	if (!v->arch)
		return;
	vmcb_of(v)->ctl.tlb_control = SVM_TLB_FLUSH_ALL;
}

void arch_vcpu_virq(struct vcpu *v, uint8_t vector)
{
	if (!v->arch)
		return;
	/* V_IRQ with top priority, ignoring the virtual TPR; the CPU clears V_IRQ
	 * when the guest takes it. V_INTR_MASKING stays set. */
	vmcb_of(v)->ctl.v_intr = SVM_V_INTR_MASKING | SVM_V_IRQ | SVM_V_IGN_TPR |
				 (0xfull << 16) | ((uint64_t)vector << 32);
}

void arch_vcpu_set_result(struct vcpu *v, uint64_t value)
{
	vmcb_of(v)->save.rax = value;
}

uint64_t arch_vcpu_rip(struct vcpu *v)
{
	return v->arch ? vmcb_of(v)->save.rip : 0;
}

void arch_vcpu_skip(struct vcpu *v, const struct vm_exit *e)
{
	/* No NRIPS under TCG: VMMCALL is 3 bytes, HLT 1. */
	uint64_t len = e->kind == EXIT_HYPERCALL ? 3 : e->kind == EXIT_HLT ? 1 : 0;
	vmcb_of(v)->save.rip += len;
}

static void decode_exit(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vm = vmcb_of(v);
	uint64_t code = vm->ctl.exitcode, i1 = vm->ctl.exitinfo1, i2 = vm->ctl.exitinfo2;
	struct svm_gprs *g = &svm(v)->gprs;

	e->raw = code;
	e->rip = vm->save.rip;
	e->other.info1 = i1;
	e->other.info2 = i2;
	switch (code) {
	case SVM_EXIT_VMMCALL:
		e->kind = EXIT_HYPERCALL;
		e->hc.nr = vm->save.rax;
		e->hc.arg[0] = g->rdi;
		e->hc.arg[1] = g->rsi;
		e->hc.arg[2] = g->rdx;
		e->hc.arg[3] = g->r10;
		e->hc.arg[4] = g->r8;
		break;
	case SVM_EXIT_HLT:
		e->kind = EXIT_HLT;
		break;
	case SVM_EXIT_SMI:
		strayirq_count(STRAY_SMI_EXIT, -1);
		/* fall through */
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_INIT:
		/* Not the running guest's doing: any device can send an NMI, SMI or
		 * INIT (a forged MSI). The NMI is taken and counted by the host once
		 * GIF is set again; the SMI goes to the firmware. */
		e->kind = EXIT_INTR;
		break;
	case SVM_EXIT_IOIO:
		e->kind = EXIT_IO;
		e->io.port = (uint16_t)(i1 >> 16);
		e->io.in = i1 & 1;
		e->io.size = (i1 >> 4) & 7;
		break;
	case SVM_EXIT_MSR:
		e->kind = EXIT_MSR;
		e->msr.msr = (uint32_t)g->rcx;
		e->msr.write = i1 & 1;
		break;
	case SVM_EXIT_NPF:
		e->kind = EXIT_NPF;
		e->npf.gpa = i2;
		e->npf.present = i1 & 1;
		e->npf.write = (i1 >> 1) & 1;
		e->npf.fetch = (i1 >> 4) & 1;
		break;
	case SVM_EXIT_SHUTDOWN:
		e->kind = EXIT_SHUTDOWN;
		break;
	case SVM_EXIT_XSETBV:
		e->kind = EXIT_NONE;            /* emulated: svm_xsetbv() */
		break;
	case SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR7:
		e->kind = EXIT_NONE;            /* emulated: svm_mov_dr7() */
		break;
	case SVM_EXIT_EXCP_BP:
		e->kind = EXIT_BREAKPOINT;      /* only while trapped: arch_vcpu_trap_breakpoints() */
		break;
	case SVM_EXIT_SWINT:
		e->kind = EXIT_NONE;            /* decoded from memory: svm_swint() */
		break;
	default:
		e->kind = (uint32_t)code == SVM_EXIT_INVALID ? EXIT_INVALID : EXIT_OTHER;
		break;
	}
}

static void inject_exception(struct vmcb *vm, uint8_t vector, int has_error, uint32_t error)
{
	vm->ctl.eventinj = vector | SVM_EVTINJ_TYPE_EXCEPTION | SVM_EVTINJ_VALID |
			   (has_error ? SVM_EVTINJ_ERROR_VALID | (uint64_t)error << 32 : 0);
}

/*
 * XSETBV, intercepted so a guest can enable only XSAVE components the
 * hypervisor saves. Faults exactly as the CPU would: #UD without CR4.OSXSAVE,
 * #GP(0) at CPL > 0, for ECX != 0 or an illegal or unsaved value. (QEMU's TCG
 * ignores this intercept and validates XSETBV itself; cpustate_leave() reads
 * the guest's XCR0 back after every exit either way.)
 */
static void svm_xsetbv(struct vcpu *v)
{
	struct vmcb *vm = vmcb_of(v);
	struct svm_gprs *g = &svm(v)->gprs;
	uint64_t value = (uint32_t)vm->save.rax | (uint64_t)(uint32_t)g->rdx << 32;

	if (!(vm->save.cr4 & CR4_OSXSAVE) || !cpustate_host_xcr0())
		inject_exception(vm, 6, 0, 0);
	else if (vm->save.cpl || (uint32_t)g->rcx ||
		 !xcr0_valid(value, cpustate_host_xcr0()))
		inject_exception(vm, 13, 1, 0);
	else {
		svm(v)->cpu.xcr0 = value;
		vm->save.rip += 3;              /* 0f 01 d1; no NRIPS under TCG */
	}
}

/* MOV to or from DR7: emulated against the vCPU's own DR7; an instruction
 * the hypervisor cannot read or decode kills the domain, never the hypervisor. */
static void svm_mov_dr7(struct vcpu *v, int write)
{
	char why[128];

	switch (dr7_emulate(v->dom, vmcb_of(v), &svm(v)->gprs, &svm(v)->dr7, write,
			    why, sizeof(why))) {
	case DR7_DONE:
		break;
	case DR7_GP:
		inject_exception(vmcb_of(v), 13, 1, 0);
		break;
	case DR7_KILL:
		domain_crash(v->dom, "%s", why);
		break;
	}
}

/* An INTn exit: QEMU's TCG reports INT3 this way (bp.c). */
static void svm_swint(struct vcpu *v, struct vm_exit *e)
{
	char why[128];

	switch (bp_swint(v->dom, vmcb_of(v), why, sizeof(why))) {
	case BP_INT3:
		e->kind = EXIT_BREAKPOINT;
		break;
	case BP_DONE:
		break;
	case BP_KILL:
		domain_crash(v->dom, "%s", why);
		break;
	}
}

void arch_vcpu_trap_breakpoints(struct vcpu *v, int on)
{
	if (v->arch)
		bp_trap(vmcb_of(v), on);
}

void arch_vcpu_reflect_breakpoint(struct vcpu *v, const struct vm_exit *e)
{
	(void)e;
	bp_reflect(vmcb_of(v));
}

void arch_vcpu_run(struct vcpu *v, struct vm_exit *e)
{
	struct vmcb *vm = vmcb_of(v);

	/* Nothing but a MOV DR7 could change it, and those are intercepted; set
	 * anyway so the invariant holds at every VMRUN by construction. */
	vm->save.dr7 = DR7_INERT;
	cpustate_enter(&svm(v)->cpu);
	svm_enter(svm(v)->vmcb_pa, &svm(v)->gprs, host_save_pa);
	cpustate_leave(&svm(v)->cpu);
	vm->ctl.tlb_control = 0;
	decode_exit(v, e);
	if (e->raw == SVM_EXIT_XSETBV)
		svm_xsetbv(v);
	else if (e->raw == SVM_EXIT_READ_DR7 || e->raw == SVM_EXIT_WRITE_DR7)
		svm_mov_dr7(v, e->raw == SVM_EXIT_WRITE_DR7);
	else if (e->raw == SVM_EXIT_SWINT)
		svm_swint(v, e);
}

const char *arch_exit_name(uint64_t raw)
{
	switch (raw) {
	case SVM_EXIT_INTR: return "INTR";
	case SVM_EXIT_NMI: return "NMI";
	case SVM_EXIT_SMI: return "SMI";
	case SVM_EXIT_INIT: return "INIT";
	case SVM_EXIT_HLT: return "HLT";
	case SVM_EXIT_IOIO: return "IOIO";
	case SVM_EXIT_MSR: return "MSR";
	case SVM_EXIT_SHUTDOWN: return "SHUTDOWN (triple fault)";
	case SVM_EXIT_VMRUN: return "VMRUN";
	case SVM_EXIT_VMMCALL: return "VMMCALL";
	case SVM_EXIT_NPF: return "NPF";
	case SVM_EXIT_XSETBV: return "XSETBV";
	case SVM_EXIT_EXCP_BP: return "#BP";
	case SVM_EXIT_SWINT: return "INTn";
	}
	if ((uint32_t)raw == SVM_EXIT_INVALID)
		return "INVALID (bad guest state)";
	if (raw < 0x20)
		return raw < 0x10 ? "CR read" : "CR write";
	if (raw < 0x40)
		return raw < 0x30 ? "DR read" : "DR write";
	if (raw >= 0x40 && raw < 0x60)
		return "exception";
	return "other";
}
