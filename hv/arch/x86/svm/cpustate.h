/*
 * Guest CPU state that VMRUN does not switch: the x87/SSE/AVX registers
 * (XSAVE, or FXSAVE's 512 bytes on a CPU without XSAVE), XCR0, and DR0-DR3.
 * VMLOAD/VMSAVE (svm_run.S) cover FS, GS, TR, LDTR, KernelGsBase and the
 * syscall MSRs; the VMCB itself holds DR6/DR7 and the rest.
 */
#ifndef SVM_CPUSTATE_H
#define SVM_CPUSTATE_H

#include <stdint.h>

struct cpustate {
	uint64_t area_pa;       /* one frame: the XSAVE (or FXSAVE) image */
	uint64_t xcr0;          /* the guest's XCR0 (XCR0_X87 at reset) */
	uint64_t dr[4];         /* DR0-DR3 */
};

/* Once at boot: host CR0/CR4 for FXSAVE/XSAVE, and the host XCR0. */
void cpustate_host_init(void);
/* Every XSAVE component the hypervisor saves; 0 on a CPU without XSAVE. */
uint64_t cpustate_host_xcr0(void);

/* A new vCPU's state in the architectural reset configuration; -1: no memory. */
int cpustate_init(struct cpustate *c);
void cpustate_free(struct cpustate *c);

/* Immediately around VMRUN (interrupts off): make c the live state and load
 * its XCR0; after the exit take back the guest's XCR0 and load the host's. */
void cpustate_enter(struct cpustate *c);
void cpustate_leave(struct cpustate *c);

#endif
