#ifndef HV_HYPERCALL_H
#define HV_HYPERCALL_H

#include "hv/domain.h"

/* Decode and run hypercall nr for v; the result goes back to the guest. */
void hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t arg[5]);

/* Names of exit kinds (enum exit_kind) and hypercall numbers ("unknown" out
 * of range), and every non-zero exit counter of v as "name=N" words. */
const char *exit_kind_name(unsigned kind);
const char *hypercall_name(unsigned nr);
size_t exit_causes_format(const struct vcpu *v, char *buf, size_t len);

#endif
