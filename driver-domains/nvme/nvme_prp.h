/*
 * PRP building (pure: host unit tests in tests/unit/test_nvme.c). A request's
 * segments become PRP1, PRP2 and, over two pages, a PRP list. NVMe can only
 * describe a transfer that is one run through memory pages: the first page
 * from any dword offset to its end, then whole pages, the last from its start.
 * Segments that touch are merged first (two halves of a page are one run);
 * a gap anywhere else cannot be expressed and the request is refused.
 */
#ifndef DRIVER_NVME_PRP_H
#define DRIVER_NVME_PRP_H

#include <stdint.h>
#include "backend/blkdisk.h"

#define NVME_PAGE        4096u
#define NVME_PRP_MAX     BLKDISK_MAX_SEGS      /* pages per command: 128 KiB */

struct nvme_prp {
	uint64_t prp1, prp2;
	uint32_t bytes;             /* the transfer's length */
	unsigned nlist;             /* entries written to the list page (0: none used) */
};

/* Fill p (and list[], the slot's list page whose DMA address is list_dma,
 * room for NVME_PRP_MAX entries) from seg[0..nseg). 0, or BLKDISK_EINVAL for
 * no segment, more than BLKDISK_MAX_SEGS, a length that is 0 or not a
 * multiple of 512, a segment crossing its page, an address not dword-aligned,
 * or a gap PRPs cannot describe. */
int nvme_prp_build(const struct blkdisk_seg *seg, unsigned nseg, uint64_t *list,
		   uint64_t list_dma, struct nvme_prp *p);

#endif
