/*
 * The MSI-X table and PBA of an assigned device belong to the hypervisor (it
 * programs the interrupt's address and data there). Device assignment asks
 * which pages of a BAR hold them and leaves those pages out of the driver
 * domain's nested page table; an access to them ends in an NPF, which this
 * module turns into a kill reason that names the structure.
 */
#ifndef HV_MSIX_H
#define HV_MSIX_H

#include <stddef.h>
#include <stdint.h>
#include "hv/pci.h"

struct domain;

/* Read device 'index''s MSI-X capability and remember the pages of its table
 * and PBA (nothing when it has no MSI-X). -HV_EINVAL when the capability
 * places either outside a memory BAR of the device: such a device is not
 * assigned, since the hypervisor could not tell which pages to protect. */
int msix_guard_init(unsigned index);
/* 1 when the 4 KiB page at host-physical 'pa' overlaps device index's MSI-X
 * table or PBA. */
int msix_guard_page(unsigned index, uint64_t pa);
/* BAR 'bar' of device index covers guest-physical [gpa, gpa+len), backed by
 * host-physical pa (page aligned): for naming faults in its holes. */
void msix_guard_bar(unsigned index, unsigned bar, uint64_t gpa, uint64_t pa, uint64_t len);
/* The device is released: forget its pages and mappings. */
void msix_guard_clear(unsigned index);
/* If gpa is a protected page of one of d's devices, write e.g. "write to the
 * MSI-X table of 02:00.0 at BAR0+0x2000 (gpa 0x30002000" into buf (the caller
 * closes the parenthesis) and return 1; else 0. */
int msix_describe_fault(const struct domain *d, uint64_t gpa, int write, int fetch,
			char *buf, size_t len);

#endif
