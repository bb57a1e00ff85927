/*
 * IDT and trap dispatch. The hypervisor runs with interrupts off except while
 * a guest runs or the CPU idles, so handlers only record events. An exception
 * in the hypervisor itself is a broken invariant: dump registers and stop.
 */
#include <stdint.h>
#include "hv/printk.h"
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
	if (f->vector < 32)
		exception(f);
	if (f->vector == X86_VEC_SPURIOUS)
		return;
	if (irq_handlers[f->vector])
		irq_handlers[f->vector]((unsigned)f->vector);
	lapic_eoi();
}
