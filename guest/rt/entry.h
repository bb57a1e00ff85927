/* Entry points of the guest runtime that its assembly calls (start.S,
 * exc.S): not for images. */
#ifndef GUEST_RT_ENTRY_H
#define GUEST_RT_ENTRY_H

#include <stdint.h>
#include "public/guest_layout.h"

/* What an exception stub pushed before calling rt_exception. */
struct exc_frame {
	uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

void rt_start(const struct guest_start_info *si);
void rt_exception(const struct exc_frame *f);
/* On the event vector, interrupts off (rt_upcall_stub). */
void rt_upcall(void);
/* Install the runtime's exception handlers. */
void rt_idt_init(void);

#endif
