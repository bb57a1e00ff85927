/* Thin wrappers around x86 instructions the hypervisor uses. */
#ifndef X86_CPU_H
#define X86_CPU_H

#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(uint16_t port, uint32_t v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v) { __asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory"); }

static inline uint64_t read_cr0(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}
static inline void write_cr0(uint64_t v) { __asm__ volatile("mov %0, %%cr0" :: "r"(v) : "memory"); }
static inline uint64_t read_cr4(void)
{
	uint64_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}
static inline void write_cr4(uint64_t v) { __asm__ volatile("mov %0, %%cr4" :: "r"(v) : "memory"); }

/* XCR0 (needs CR4.OSXSAVE). */
static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}
static inline void xsetbv0(uint64_t v)
{
	__asm__ volatile("xsetbv" :: "c"(0), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}

/* Extended state save/restore (standard format, 64-byte aligned area; the
 * legacy 512-byte form needs 16-byte alignment). The hypervisor itself never
 * uses x87/SSE registers (-mgeneral-regs-only): these only move guest state. */
static inline void xsave64(void *area, uint64_t mask)
{
	__asm__ volatile("xsave64 (%0)" :: "r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32)) : "memory");
}
static inline void xrstor64(const void *area, uint64_t mask)
{
	__asm__ volatile("xrstor64 (%0)" :: "r"(area), "a"((uint32_t)mask),
			 "d"((uint32_t)(mask >> 32)) : "memory");
}
static inline void fxsave64(void *area) { __asm__ volatile("fxsave64 (%0)" :: "r"(area) : "memory"); }
static inline void fxrstor64(const void *area)
{
	__asm__ volatile("fxrstor64 (%0)" :: "r"(area) : "memory");
}

/* DR0-DR3 (the breakpoint addresses; DR6/DR7 live in the VMCB). */
static inline void read_dr03(uint64_t d[4])
{
	__asm__ volatile("mov %%dr0, %0\n\tmov %%dr1, %1\n\tmov %%dr2, %2\n\tmov %%dr3, %3"
			 : "=r"(d[0]), "=r"(d[1]), "=r"(d[2]), "=r"(d[3]));
}
static inline void write_dr03(const uint64_t d[4])
{
	__asm__ volatile("mov %0, %%dr0\n\tmov %1, %%dr1\n\tmov %2, %%dr2\n\tmov %3, %%dr3"
			 :: "r"(d[0]), "r"(d[1]), "r"(d[2]), "r"(d[3]));
}

/* SVM: copy FS, GS, TR, LDTR (with hidden state), KernelGsBase, STAR, LSTAR,
 * CSTAR, SFMASK and SYSENTER_* between the CPU and a VMCB-format page. */
static inline void svm_vmsave(uint64_t pa) { __asm__ volatile("vmsave %%rax" :: "a"(pa) : "memory"); }
static inline void svm_vmload(uint64_t pa) { __asm__ volatile("vmload %%rax" :: "a"(pa) : "memory"); }

static inline uint32_t mmio_read32(uint64_t pa) { return *(volatile uint32_t *)(uintptr_t)pa; }
static inline void mmio_write32(uint64_t pa, uint32_t v) { *(volatile uint32_t *)(uintptr_t)pa = v; }

#define MSR_EFER        0xc0000080u
#define MSR_APIC_BASE   0x1bu
#define MSR_VM_CR       0xc0010114u
#define MSR_VM_HSAVE_PA 0xc0010117u
#define EFER_SVME       (1ull << 12)
#define CR0_MP          (1ull << 1)
#define CR0_EM          (1ull << 2)
#define CR0_TS          (1ull << 3)
#define CR0_NE          (1ull << 5)
#define CR4_PAE         (1ull << 5)
#define CR4_OSFXSR      (1ull << 9)
#define CR4_OSXMMEXCPT  (1ull << 10)
#define CR4_OSXSAVE     (1ull << 18)
#define CPUID1_ECX_XSAVE (1u << 26)

#endif
