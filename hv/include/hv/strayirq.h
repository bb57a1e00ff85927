/*
 * Interrupts the hypervisor did not allocate. A bus-master device can write
 * any MSI to the interrupt window (0xFEE00000): any vector, any delivery
 * mode. Whatever arrives is counted by kind, acknowledged when the local APIC
 * holds it in service, and otherwise ignored: no such interrupt stops the
 * hypervisor or masks the timer. Counters are safe to bump from interrupt and
 * NMI context and readable from anywhere (tests included).
 */
#ifndef HV_STRAYIRQ_H
#define HV_STRAYIRQ_H

#include <stdint.h>

enum strayirq_kind {
	STRAY_EXC_RANGE,        /* vector 0-31 delivered as an interrupt */
	STRAY_UNALLOCATED,      /* vector >= 32 with no handler */
	STRAY_SPURIOUS_ISR,     /* the spurious vector sent as a real interrupt (ISR bit set) */
	STRAY_NMI,              /* NMI (never sent by the hypervisor) */
	STRAY_SMI_EXIT,         /* SMI intercepted while a guest ran */
	STRAY_SPURIOUS,         /* the APIC's own spurious interrupt: normal, not an attack */
	STRAY_IR_FAULT,         /* interrupt-remapping fault recorded by the IOMMU */
	STRAY_KINDS
};

struct strayirq_counts {
	uint64_t n[STRAY_KINDS];
	int last_vector;        /* vector of the latest stray interrupt, -1 if none */
};

/* Count one arrival; 'vector' is -1 when the kind has none. */
void strayirq_count(enum strayirq_kind kind, int vector);
void strayirq_read(struct strayirq_counts *out);
/* One line: "hv: stray interrupts: exception-range N, unallocated N, ...". */
void strayirq_print(void);

#endif
