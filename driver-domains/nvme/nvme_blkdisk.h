/*
 * backend/blkdisk.h implemented by the NVMe driver: namespace 1 of the
 * domain's NVMe controller as a blkdisk. One per domain (its DMA memory is
 * static). A request becomes one NVMe command: READ/WRITE with PRP1, PRP2
 * or a PRP list (FUA in CDW12 for a write with fua), FLUSH the NVMe Flush.
 *
 * Segments must be expressible as PRPs (nvme_prp.h): the first may start
 * anywhere (dword-aligned) in its page, then the data runs through whole
 * pages, the last ending anywhere; touching segments are merged. Anything
 * else, a request past the disk's end, FLUSH with segments or an unknown op
 * is BLKDISK_EINVAL. Call poll at least every few ms with requests in
 * flight when irq_port < 0 (and also when it is >= 0: a command's timeout
 * is noticed only by poll). done() may submit again.
 */
#ifndef DRIVER_NVME_BLKDISK_H
#define DRIVER_NVME_BLKDISK_H

#include "backend/blkdisk.h"
#include "nvme_disk.h"

/* Bring up device devidx (index among the domain's devices; cfg may be
 * NULL) and fill bd. 0, or a negative error after printing why. */
int nvme_blkdisk_init(struct blkdisk *bd, unsigned devidx, const struct nvme_disk_cfg *cfg);
/* The driver behind bd (statistics, test hooks). */
struct nvme_disk *nvme_blkdisk_driver(const struct blkdisk *bd);
/* Shut the controller down (nvme_disk_stop); bd fails every request afterwards. */
void nvme_blkdisk_stop(struct blkdisk *bd);

#endif
