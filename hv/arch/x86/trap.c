/*
 * IDT and trap dispatch. The hypervisor runs with interrupts off except while
 * a guest runs or the CPU idles, so handlers only record events. An exception
 * in the hypervisor itself is a broken invariant: dump registers and stop.
 *
 * A vector is not proof of what arrived: any bus-master device can send any
 * vector as an interrupt (hv/include/hv/strayirq.h). What came in is decided
 * from facts the sender cannot forge:
 *  - an interrupt never pushes an error code (entry.S reads that from the
 *    stack alignment and sets X86_TRAP_HW_ERROR);
 *  - a fixed or lowest-priority interrupt sets its vector's ISR bit in the
 *    local APIC; exceptions and NMIs do not;
 *  - a maskable interrupt is taken only with IF=1, and the hypervisor runs
 *    with IF=0 except around VMRUN, in arch_idle and arch_irq_window, where nothing faults.
 * So a vector below 32 is an interrupt only with no error code, its ISR bit
 * set and IF=1 in the interrupted context; vector 2 otherwise is an NMI;
 * anything else below 32 is a real exception.
 */
#include <stdint.h>
#include "hv/printk.h"
#include "hv/strayirq.h"
#include "cpu.h"
#include "trap.h"
#include "lapic.h"

struct idt_gate {
	uint16_t off_lo, selector;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate size");

extern char x86_isr_stubs[];
static struct idt_gate idt[256] __attribute__((aligned(16)));
static void (*irq_handlers[256])(unsigned vector);

static const char *const exc_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO",
	"#TS", "#NP", "#SS", "#GP", "#PF", "rsvd", "#MF", "#AC", "#MC", "#XM",
	"#VE", "#CP",
};

void x86_irq_register(unsigned vector, void (*fn)(unsigned vector))
{
	irq_handlers[vector & 0xff] = fn;
}

static void mask_legacy_pic(void)
{
	/* Remap the 8259s away from the exception vectors, then mask every line. */
	outb(0x20, 0x11); outb(0xa0, 0x11);
	outb(0x21, 0x20); outb(0xa1, 0x28);
	outb(0x21, 0x04); outb(0xa1, 0x02);
	outb(0x21, 0x01); outb(0xa1, 0x01);
	outb(0x21, 0xff); outb(0xa1, 0xff);
}

void x86_trap_init(void)
{
	for (unsigned i = 0; i < 256; i++) {
		uint64_t a = (uint64_t)(uintptr_t)x86_isr_stubs + 16 * i;
		idt[i] = (struct idt_gate){
			.off_lo = (uint16_t)a, .selector = 0x08, .type = 0x8e,
			.off_mid = (uint16_t)(a >> 16), .off_hi = (uint32_t)(a >> 32),
		};
	}
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" :: "m"(p));
	mask_legacy_pic();
}

static void __attribute__((noreturn)) exception(const struct x86_trap_frame *f)
{
	const char *n = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "?";

	printk("hv: EXCEPTION %s (vector %lu) error 0x%lx in the hypervisor\n",
	       n, f->vector, f->error);
	printk("  rip %016lx cs %04lx rflags %016lx rsp %016lx cr2 %016lx\n",
	       f->rip, f->cs, f->rflags, f->rsp, read_cr2());
	printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
	printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
	printk("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
	printk("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
	panic("exception %s at 0x%lx", n, f->rip);
}

void x86_trap(struct x86_trap_frame *f)
{
	unsigned vec = f->vector & 0xff;
	int hw_error = (f->vector & X86_TRAP_HW_ERROR) != 0;
	int in_service = !hw_error && lapic_in_service(vec);

	f->vector = vec;
	switch (x86_trap_classify(vec, hw_error, in_service, f->rflags, irq_handlers[vec] != 0)) {
	case TRAP_EXCEPTION:
		exception(f);
	case TRAP_NMI:
		strayirq_count(STRAY_NMI, -1);
		return;                 /* iretq lifts the NMI block */
	case TRAP_HANDLER:
		irq_handlers[vec](vec);
		break;
	case TRAP_STRAY_EXC_RANGE:
		strayirq_count(STRAY_EXC_RANGE, (int)vec);
		break;
	case TRAP_STRAY_UNALLOCATED:
		strayirq_count(STRAY_UNALLOCATED, (int)vec);
		break;
	case TRAP_SPURIOUS_ISR:
		strayirq_count(STRAY_SPURIOUS_ISR, (int)vec);
		break;
	case TRAP_SPURIOUS:
		strayirq_count(STRAY_SPURIOUS, (int)vec);
		break;
	}
	/* EOI only what is in service: an EOI clears the highest ISR bit, so one
	 * sent for an interrupt that set none would retire someone else's, and
	 * one missing would block every lower vector, the timer included. */
	if (in_service)
		lapic_eoi();
}
