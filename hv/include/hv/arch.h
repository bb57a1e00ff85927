/*
 * The seam between generic hypervisor code and the CPU architecture. Generic
 * code (domains, scheduler, hypercalls) sees only this; x86 + SVM implement it
 * in hv/arch/x86/, and a VMX implementation can be linked instead later.
 */
#ifndef HV_ARCH_H
#define HV_ARCH_H

#include <stddef.h>
#include <stdint.h>
#include "hv/pt.h"

struct vcpu;
struct domain;

/* ---- platform ---- */
struct boot_info;
struct madt_info;
/* Bring-up from hv_main: clocks and interrupt controller; the hypervisor's
 * own page tables over the memory map; the I/O APICs found in the MADT. */
void arch_platform_init(void);
void arch_paging_init(const struct boot_info *bi);
void arch_ioapic_init(const struct madt_info *m);
void arch_console_write(const char *s, size_t n);
/* The control channel's UART (hv/ctl.c), polled, unreachable by guests:
 * init is 0 when it exists; getc a byte or -1; tx_room how many bytes putc
 * may write now without waiting (0 = none). */
int arch_ctl_init(void);
int arch_ctl_getc(void);
int arch_ctl_tx_room(void);
void arch_ctl_putc(char c);
uint64_t arch_time_ns(void);
/* The counter guests read without an exit (RDTSC: not intercepted, no
 * offset) and arch_time_ns()'s origin and rate on it: 0, or -1 when guests
 * cannot read it that way (they use HC_TIME). */
int arch_time_counter(uint64_t *origin, uint64_t *hz);
/* Periodic tick: calls sched_timer_tick() from interrupt context. */
void arch_timer_start(uint64_t period_ns);
/* A vector for a device interrupt (MSI to this CPU): fn(vector) runs in
 * interrupt context. Fills the compatibility-format MSI address/data (the
 * vector is the low byte of the data). -1 when none is left. */
int arch_irq_alloc(void (*fn)(unsigned vector), uint64_t *msi_addr, uint32_t *msi_data);
/* Legacy INTx: the GSI of INTx pin 'pin' (0 = INTA) of root-bus slot
 * 'root_slot' (after swizzling through bridges), -1 if the platform does not
 * route it. The I/O APIC id serving a GSI, -1 if none. */
int arch_intx_gsi(unsigned root_slot, unsigned pin);
int arch_intx_ioapic_id(unsigned gsi);
/* Send GSI through interrupt-remapping entry 'index' as level-triggered
 * 'vector'; it stays masked until arch_intx_mask(gsi, 0). */
int arch_intx_route(unsigned gsi, unsigned index, uint8_t vector);
void arch_intx_mask(unsigned gsi, int masked);
void arch_intx_unroute(unsigned gsi);
/* APIC id of this CPU (interrupt destination). */
uint32_t arch_cpu_apic_id(void);
/* Wait for an interrupt with interrupts enabled, then return with them off. */
void arch_idle(void);
/* Let pending interrupts in for an instant (the idle loop has work to do). */
void arch_irq_window(void);
/* Zero one 4 KiB frame (at its hypervisor virtual address) in the fewest
 * instructions the CPU offers: under emulation each one costs time. */
void arch_zero_frame(void *frame);
/* Leave the emulator with a status (isa-debug-exit); halts if that fails. */
void __attribute__((noreturn)) arch_poweroff(unsigned status);
/* Map device registers at pa uncached into the hypervisor; 0 or -1. */
int arch_map_mmio(uint64_t pa, uint64_t size);
/* Device registers (the caller mapped them with arch_map_mmio). */
static inline uint32_t mmio_read32_pa(uint64_t pa) { return *(volatile uint32_t *)(uintptr_t)pa; }
static inline void mmio_write32_pa(uint64_t pa, uint32_t v) { *(volatile uint32_t *)(uintptr_t)pa = v; }
/* Physical memory is identity-mapped into the hypervisor. */
static inline void *phys_to_virt(uint64_t pa) { return (void *)(uintptr_t)pa; }

/* ---- virtualization support ---- */
/* 0 when hardware virtualization with nested paging is usable; else -1 and a reason. */
int arch_virt_check(char *why, size_t len);
int arch_virt_init(void);
/* Page-table format and leaf bits for guest-physical (nested) tables. */
const struct pt_format *arch_gpt_format(void);
uint64_t arch_gpt_ram_flags(int writable);
/* Leaf bits for device registers: writable, uncached. */
uint64_t arch_gpt_mmio_flags(void);

/* Guest entry state: long mode, identity-mapped by tables the builder wrote. */
struct vcpu_start {
	uint64_t entry;
	uint64_t arg;           /* first argument register (RDI on x86) */
	uint64_t page_table;    /* guest CR3 */
	uint64_t gdt, gdt_limit;
};

/* Write the guest's boot page tables and descriptor tables into its memory. */
int arch_guest_boot_tables(struct domain *d, struct vcpu_start *st);

enum exit_kind {
	EXIT_HYPERCALL,
	EXIT_HLT,
	EXIT_IO,            /* port I/O: denied */
	EXIT_MSR,           /* MSR access: denied */
	EXIT_NPF,           /* guest-physical access outside what is mapped */
	EXIT_SHUTDOWN,      /* triple fault */
	EXIT_INTR,          /* a physical interrupt arrived; just continue */
	EXIT_INVALID,       /* the hardware refused the guest state */
	EXIT_OTHER,         /* anything else: fatal for the domain */
	EXIT_NONE,          /* fully handled inside the arch layer: just continue */
	EXIT_BREAKPOINT,    /* INT3 at rip, while trapped (arch_vcpu_trap_breakpoints) */
};

struct vm_exit {
	enum exit_kind kind;
	uint64_t raw;       /* architecture exit code, for diagnostics */
	uint64_t rip;
	union {
		struct { uint64_t nr, arg[5]; } hc;
		struct { uint16_t port; uint8_t in, size; } io;
		struct { uint32_t msr; uint8_t write; } msr;
		struct { uint64_t gpa; uint8_t write, fetch, present; } npf;
		struct { uint64_t info1, info2; } other;
	};
};

int arch_vcpu_init(struct vcpu *v, uint64_t gpt_root, const struct vcpu_start *st);
void arch_vcpu_free(struct vcpu *v);
/* Enter the guest and return at the next exit, decoded. */
void arch_vcpu_run(struct vcpu *v, struct vm_exit *e);
/* Step over the instruction that caused the last exit (hypercall, HLT). */
void arch_vcpu_skip(struct vcpu *v, const struct vm_exit *e);
void arch_vcpu_set_result(struct vcpu *v, uint64_t value);
/* The guest's instruction pointer (where it resumes). */
uint64_t arch_vcpu_rip(struct vcpu *v);
/* Raise a virtual interrupt with this vector at the next entry (if not already). */
void arch_vcpu_virq(struct vcpu *v, uint8_t vector);
/* Report the guest's INT3 as EXIT_BREAKPOINT exits (on), or let the guest
 * take its own #BP again (off). Fault injection (hv/faultinject.c). */
void arch_vcpu_trap_breakpoints(struct vcpu *v, int on);
/* Deliver the INT3 of breakpoint exit e to the guest as its own #BP, as if
 * it had not been trapped (its handler returns after the INT3). */
void arch_vcpu_reflect_breakpoint(struct vcpu *v, const struct vm_exit *e);
/* Guest-physical mappings changed: flush before the next entry. */
void arch_vcpu_flush_gpt(struct vcpu *v);
const char *arch_exit_name(uint64_t raw);

#endif
