/*
 * Exception reporting inside the guest: a fault prints what happened and shuts
 * the domain down as crashed, so the hypervisor log says why. rt_idt_clear()
 * removes this safety net (a test of triple-fault handling uses it).
 */
#include "rt/channel.h"
#include "rt/rt.h"
#include "entry.h"

struct gate {
	uint16_t off_lo, sel;
	uint8_t ist, type;
	uint16_t off_mid;
	uint32_t off_hi, zero;
} __attribute__((packed));


extern char rt_exc_stubs[];
static struct gate idt[256] __attribute__((aligned(16)));
extern char rt_upcall_stub[];
static void (*upcall_handler)(uint64_t bits);

static void set_gate(unsigned vec, uint64_t a)
{
	idt[vec] = (struct gate){ (uint16_t)a, 0x08, 0, 0x8e, (uint16_t)(a >> 16),
				  (uint32_t)(a >> 32), 0 };
}

static void load_idt(uint16_t limit)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
		limit, (uint64_t)(uintptr_t)idt };
	__asm__ volatile("lidt %0" :: "m"(p));
}

void rt_idt_init(void)
{
	for (unsigned i = 0; i < 32; i++)
		set_gate(i, (uint64_t)(uintptr_t)rt_exc_stubs + 16 * i);
	load_idt(sizeof(idt) - 1);
}

void rt_idt_clear(void)
{
	load_idt(0);
}

void rt_exception(const struct exc_frame *f)
{
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	gprintf("EXCEPTION vector %lu error 0x%lx at rip 0x%lx (cr2 0x%lx)\n",
		f->vector, f->error, f->rip, cr2);
	hv_shutdown(HV_SHUTDOWN_CRASH, (int32_t)(0x100 + f->vector));
}

/* Called from rt_upcall_stub on the event vector, interrupts off. */
void rt_upcall(void)
{
	uint64_t bits = rt_events_take();

	if (bits && upcall_handler)
		upcall_handler(bits);
}

void rt_events_enable(uint8_t vector, void (*handler)(uint64_t bits))
{
	struct hv_shared_info *si = (struct hv_shared_info *)(uintptr_t)GUEST_SHARED_INFO_GPA;

	upcall_handler = handler;
	set_gate(vector, (uint64_t)(uintptr_t)rt_upcall_stub);
	__atomic_store_n(&si->upcall_vector, vector, __ATOMIC_SEQ_CST);
	__asm__ volatile("sti" ::: "memory");
}
