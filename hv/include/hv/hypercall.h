#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/domain.h"

/* Decode and run hypercall nr for v; the result goes back to the guest. */
void hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t arg[5]);

#endif
