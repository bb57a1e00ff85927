/*
 * x86 platform glue: the C entry from boot.S, time, idle, exit, and the
 * hypervisor's own page tables.
 */
#include <stdint.h>
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "cpu.h"
#include "lapic.h"
#include "trap.h"

#define DEBUG_EXIT_PORT 0xf4


static uint64_t boot_tsc;

void x86_boot(uint32_t magic, uint32_t info)
{
	boot_tsc = rdtsc();
	x86_trap_init();
	hv_main(magic, info);
	panic("hv_main returned");
}

/* Called by hv_main once the console is up: clocks and interrupt controller. */
void arch_platform_init(void)
{
	tsc_init();
	lapic_init();
}

uint64_t arch_time_ns(void)
{
	return tsc_to_ns(rdtsc() - boot_tsc);
}

/* Guests' RDTSC reads the host TSC: the VMCB's TSC offset stays 0 and RDTSC
 * is not intercepted (svm.c). */
int arch_time_counter(uint64_t *origin, uint64_t *hz)
{
	*origin = boot_tsc;
	*hz = tsc_frequency();
	return *hz ? 0 : -1;
}

static void timer_irq(unsigned vector)
{
	(void)vector;
	sched_timer_tick();
}

void arch_timer_start(uint64_t period_ns)
{
	x86_irq_register(X86_VEC_TIMER, timer_irq);
	lapic_timer_periodic(period_ns);
}

int arch_irq_alloc(void (*fn)(unsigned vector), uint64_t *msi_addr, uint32_t *msi_data)
{
	static unsigned next = X86_VEC_DEVICE_FIRST;

	if (next > X86_VEC_DEVICE_LAST)
		return -1;
	x86_irq_register(next, fn);
	/* Compatibility-format MSI: fixed delivery to the boot CPU's LAPIC. */
	*msi_addr = 0xfee00000ull | ((uint64_t)lapic_id() << 12);
	*msi_data = next++;
	return 0;
}

uint32_t arch_cpu_apic_id(void)
{
	return lapic_id();
}

void arch_idle(void)
{
	/* sti takes effect after the next instruction, so no wake-up is lost. */
	__asm__ volatile("sti; hlt; cli" ::: "memory");
}

void arch_irq_window(void)
{
	/* sti's shadow covers the nop: an interrupt is taken after it. */
	__asm__ volatile("sti; nop; cli" ::: "memory");
}

void arch_zero_frame(void *frame)
{
	/* 512 stores of 8 bytes and no tail: under TCG (and -icount) each
	 * repetition of a string instruction counts as one instruction, and a
	 * frame is always whole and aligned, so memset's length checks are
	 * not needed here. */
	uint64_t n = 4096 / 8;

	__asm__ volatile("rep stosq" : "+D"(frame), "+c"(n) : "a"(0ull) : "memory");
}

void arch_poweroff(unsigned status)
{
	outl(DEBUG_EXIT_PORT, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}

/*
 * Replace the boot tables: identity-map every range of the memory map and the
 * local I/O APIC/LAPIC/IOMMU window, leave physical page 0 unmapped so a NULL
 * dereference in the hypervisor faults.
 */
#define X86_PTE_P   0x1ull
#define X86_PTE_RW  0x2ull
#define X86_PTE_PCD 0x10ull
#define X86_PTE_NX  (1ull << 63)

static struct pt hv_pt;

void arch_paging_init(const struct boot_info *bi)
{
	uint64_t top = 0;

	if (pt_init(&hv_pt, &pt_fmt_x86, &mm_pt_ops))
		panic("no memory for hypervisor page tables");
	/* RAM and ACPI tables; reserved ranges (device windows) are mapped on demand. */
	for (unsigned i = 0; i < bi->nmmap; i++) {
		uint64_t end = bi->mmap[i].base + bi->mmap[i].len;
		if (bi->mmap[i].type != MB2_MEM_BAD && bi->mmap[i].type != 2 && end > top)
			top = end;
	}
	if (top > 0xfe000000)
		top = 0xfe000000;       /* above 4 GiB is not used yet (hv/mm.c) */
	top = (top + PT_PAGE_2M - 1) & ~(PT_PAGE_2M - 1);
	if (top < 0x200000)
		top = 0x200000;
	if (pt_map(&hv_pt, 0x1000, 0x1000, top - 0x1000, X86_PTE_P | X86_PTE_RW, 1))
		panic("cannot map RAM");
	/* IOAPIC, HPET, VT-d, LAPIC: the top 32 MiB below 4 GiB, uncached. */
	if (pt_map(&hv_pt, 0xfe000000, 0xfe000000, 0x2000000,
		   X86_PTE_P | X86_PTE_RW | X86_PTE_PCD | X86_PTE_NX, 1))
		panic("cannot map local MMIO window");
	write_cr3(hv_pt.root);
	printk("hv: page tables: RAM 0..0x%lx identity, %zu tables, page 0 unmapped\n",
	       top, hv_pt.ntables);
}

/* Map a device MMIO range (uncached) into the hypervisor; idempotent per page. */
int arch_map_mmio(uint64_t pa, uint64_t size)
{
	uint64_t start = pa & ~0xfffull, end = (pa + size + 0xfff) & ~0xfffull;

	for (uint64_t a = start; a < end; a += 0x1000) {
		uint64_t cur;
		if (pt_lookup(&hv_pt, a, &cur, 0, 0) == 0)
			continue;
		int rc = pt_map(&hv_pt, a, a, 0x1000,
				X86_PTE_P | X86_PTE_RW | X86_PTE_PCD | X86_PTE_NX, 0);
		if (rc)
			return rc;
	}
	write_cr3(hv_pt.root);
	return 0;
}
