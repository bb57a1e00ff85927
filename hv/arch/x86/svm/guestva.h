/* Reading a guest's memory by guest-linear address, through the guest's own
 * page tables and then the domain's nested table: for instructions the
 * hypervisor must decode itself (no decode assists under QEMU's TCG). */
#ifndef SVM_GUESTVA_H
#define SVM_GUESTVA_H

#include <stddef.h>
#include <stdint.h>

struct domain;
struct vmcb;

/* Copy up to len bytes at guest-linear address la into buf, translated with
 * the paging mode in vm's save area (no paging, or 4-level long mode). Only
 * the domain's RAM is read, never device registers or grant mappings. Returns
 * how many bytes were read (it stops at the first page it cannot translate),
 * or -1 and a reason in why when not even the first byte can be read. */
int guestva_read(struct domain *d, const struct vmcb *vm, uint64_t la, uint8_t *buf,
		 unsigned len, char *why, size_t why_len);

#endif
