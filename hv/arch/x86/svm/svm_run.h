/* The world switch in svm_run.S and the register block it loads and saves
 * (the offsets are the assembly's). */
#ifndef HV_SVM_RUN_H
#define HV_SVM_RUN_H

#include <stdint.h>

struct svm_gprs {
	uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};
_Static_assert(__builtin_offsetof(struct svm_gprs, rsi) == 0x18, "svm_run.S offsets");
_Static_assert(__builtin_offsetof(struct svm_gprs, r15) == 0x68, "svm_run.S offsets");

/* VMLOAD the guest's extra state, VMRUN it, VMSAVE it, VMLOAD the host's
 * (host_save_pa) back: returns at the next #VMEXIT. */
void svm_enter(uint64_t vmcb_pa, struct svm_gprs *g, uint64_t host_save_pa);

#endif
