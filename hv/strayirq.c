/*
 * Counters of interrupts nobody asked for (hv/include/hv/strayirq.h). Bumped
 * from interrupt and NMI context with atomic adds, so an NMI landing in the
 * middle of another handler's count loses nothing.
 */
#include "hv/printk.h"
#include "hv/strayirq.h"

static uint64_t counts[STRAY_KINDS];
static int last_vector = -1;

static const char *const names[STRAY_KINDS] = {
	[STRAY_EXC_RANGE] = "exception-range",
	[STRAY_UNALLOCATED] = "unallocated",
	[STRAY_SPURIOUS_ISR] = "spurious-with-ISR",
	[STRAY_NMI] = "NMI",
	[STRAY_SMI_EXIT] = "SMI-exits",
	[STRAY_SPURIOUS] = "APIC-spurious",
	[STRAY_IR_FAULT] = "IR-faults",
};

void strayirq_count(enum strayirq_kind kind, int vector)
{
	if ((unsigned)kind >= STRAY_KINDS)
		return;
	__atomic_fetch_add(&counts[kind], 1, __ATOMIC_RELAXED);
	if (vector >= 0)
		__atomic_store_n(&last_vector, vector, __ATOMIC_RELAXED);
}

void strayirq_read(struct strayirq_counts *out)
{
	for (unsigned k = 0; k < STRAY_KINDS; k++)
		out->n[k] = __atomic_load_n(&counts[k], __ATOMIC_RELAXED);
	out->last_vector = __atomic_load_n(&last_vector, __ATOMIC_RELAXED);
}

void strayirq_print(void)
{
	struct strayirq_counts c;

	strayirq_read(&c);
	printk("hv: stray interrupts: %s %lu, %s %lu, %s %lu, %s %lu, %s %lu, %s %lu, %s %lu "
	       "(last vector %d)\n",
	       names[0], c.n[0], names[1], c.n[1], names[2], c.n[2], names[3], c.n[3],
	       names[4], c.n[4], names[5], c.n[5], names[6], c.n[6], c.last_vector);
}
