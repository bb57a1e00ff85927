/* Trapping the guest's INT3 for fault injection (hv/faultinject.c). */
#ifndef SVM_BP_H
#define SVM_BP_H

#include <stddef.h>

struct domain;
struct vmcb;

/* #BP exception intercept (real hardware) and INTn intercept (QEMU's TCG
 * reports INT3 as a software interrupt, exit 0x75, never as exception 3). */
void bp_trap(struct vmcb *vm, int on);

enum bp_swint {
	BP_INT3,        /* the instruction at RIP is INT3: an EXIT_BREAKPOINT */
	BP_DONE,        /* an INT n, delivered to the guest as without the intercept */
	BP_KILL,        /* the instruction cannot be read or is neither: reason in why */
};

/* Classify an INTn-intercept exit by the instruction at the guest's RIP. */
enum bp_swint bp_swint(struct domain *d, struct vmcb *vm, char *why, size_t why_len);

/* Deliver the INT3 at RIP to the guest as its own #BP: it returns to the
 * byte after the INT3, as if nothing had been intercepted. */
void bp_reflect(struct vmcb *vm);

#endif
