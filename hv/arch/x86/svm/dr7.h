/* The guest's DR7, kept by the hypervisor: MOV to and from DR7 are
 * intercepted and emulated, and the CPU's DR7 holds DR7_INERT whenever a
 * guest runs, so no breakpoint a guest arms ever reaches the CPU (see
 * docs/design.md, "CPU state per vCPU"). */
#ifndef SVM_DR7_H
#define SVM_DR7_H

#include <stddef.h>
#include <stdint.h>

struct domain;
struct vmcb;
struct svm_gprs;

#define DR7_INERT       0x400ull        /* reset value: bit 10 is fixed, nothing enabled */

enum dr7_result {
	DR7_DONE,       /* emulated, RIP moved past the instruction */
	DR7_GP,         /* the CPU would raise #GP(0): inject it, RIP unchanged */
	DR7_KILL,       /* not a MOV DR7 the hypervisor can read: reason in why */
};

/* Emulate the MOV to (write) or from DR7 at the guest's RIP: decode it from
 * guest memory, move the value between the register it names and *dr7 (the
 * vCPU's own DR7). */
enum dr7_result dr7_emulate(struct domain *d, struct vmcb *vm, struct svm_gprs *g,
			    uint64_t *dr7, int write, char *why, size_t why_len);

#endif
