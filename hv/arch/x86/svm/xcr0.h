/* XCR0: which XSAVE state components are enabled (Intel SDM vol. 1 ch. 13,
 * AMD APM vol. 2 sec. 11.5). Pure checks, unit-tested on the host. */
#ifndef SVM_XCR0_H
#define SVM_XCR0_H

#include <stdint.h>

#define XCR0_X87        (1ull << 0)
#define XCR0_SSE        (1ull << 1)
#define XCR0_AVX        (1ull << 2)
#define XCR0_BNDREGS    (1ull << 3)
#define XCR0_BNDCSR     (1ull << 4)
#define XCR0_AVX512     (7ull << 5)     /* opmask, ZMM_Hi256, Hi16_ZMM */
#define XCR0_TILE       (3ull << 17)    /* XTILECFG, XTILEDATA */

/* 1 if XSETBV(0, value) is legal on a CPU whose XSAVE supports 'supported'
 * (the mask the hypervisor saves and restores), 0 if it must raise #GP. */
int xcr0_valid(uint64_t value, uint64_t supported);

#endif
