#ifndef X86_LAPIC_H
#define X86_LAPIC_H

#include <stdint.h>

void lapic_init(void);
void lapic_eoi(void);
uint32_t lapic_id(void);
/* Periodic timer on X86_VEC_TIMER every period_ns (needs tsc_init first). */
void lapic_timer_periodic(uint64_t period_ns);
void tsc_init(void);
uint64_t tsc_to_ns(uint64_t tsc);

#endif
