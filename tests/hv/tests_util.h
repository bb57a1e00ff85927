#ifndef TESTS_HV_UTIL_H
#define TESTS_HV_UTIL_H

#include <stdint.h>
#include "hv/domain.h"
#include "hv/sched.h"

#define TU_SECONDS(s) ((uint64_t)(s) * 1000000000ull)

int tu_contains(const char *hay, const char *needle);
enum sched_stop_why tu_run_until_dead(struct domain *d, uint64_t timeout_ns);
enum sched_stop_why tu_run_until_exit(struct domain *d, uint64_t timeout_ns);
void tu_expect_exit(struct domain *d, int64_t code);
void tu_expect_crash(struct domain *d, const char *why);
struct pci_dev;
/* Config offset of p's MSI-X capability, 0 if none. */
unsigned tu_msix_cap(const struct pci_dev *p);
/* A zeroed frame at or above host-physical 'min' (0 when there is none). */
uint64_t tu_alloc_frame_above(uint64_t min);

#endif
