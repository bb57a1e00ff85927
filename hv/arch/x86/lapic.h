#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdint.h>

void lapic_init(void);
void lapic_eoi(void);
/* 1 when 'vector' is in service (its ISR bit is set): it was delivered as a
 * fixed or lowest-priority interrupt and not yet acknowledged with an EOI.
 * Exceptions, NMIs and the APIC's own spurious interrupt never set it. */
int lapic_in_service(unsigned vector);
uint32_t lapic_id(void);
/* Periodic timer on X86_VEC_TIMER every period_ns (needs tsc_init first). */
void lapic_timer_periodic(uint64_t period_ns);
void tsc_init(void);
uint64_t tsc_to_ns(uint64_t tsc);
uint64_t tsc_frequency(void);     /* Hz, after tsc_init */

#endif
