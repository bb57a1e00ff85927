/*
 * Exception reporting inside the guest: a fault prints what happened and shuts
 * the domain down as crashed, so the hypervisor log says why. rt_idt_clear()
 * removes this safety net (a test of triple-fault handling uses it).
 */
#include "rt/rt.h"

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));

struct exc_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern char rt_exc_stubs[];
static struct gate idt[32] __attribute__((aligned(16)));

static void load_idt(uint16_t limit)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
		limit, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" :: "m"(p));
}

void rt_idt_init(void)
{
	for (unsigned i = 0; i < 32; i++) {
		uint64_t a = (uint64_t)(uintptr_t)rt_exc_stubs + 16 * i;
		idt[i] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
					(uint32_t)(a >> 32), 0 };
	}
	load_idt(sizeof(idt) - 1);
}

void rt_idt_clear(void)
{
	load_idt(0);
}

void rt_exception(const struct exc_frame *f);
void rt_exception(const struct exc_frame *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	gprintf("EXCEPTION vector %lu error 0x%lx at rip 0x%lx (cr2 0x%lx)\n",
		f->vector, f->error, f->rip, cr2);
	hv_shutdown(HV_SHUTDOWN_CRASH, (int32_t)(0x100 + f->vector));
}
