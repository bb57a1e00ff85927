/*
 * The minimal polled NVMe access of the test and attack images (irqforge,
 * hostiledd; the full driver is nvme_disk.h) (QEMU's nvme,
 * NVMe 1.x): controller enable, the admin queue pair, one I/O queue pair,
 * command submission with completion polling, and 4 KiB reads and writes.
 * Queues live in 4 KiB pages the caller owns; DMA addresses are the domain's
 * guest-physical addresses (its VT-d context translates them).
 */
#ifndef DRIVER_NVME_H
#define DRIVER_NVME_H

#include <stdint.h>
#include "nvme_regs.h"

#define NVME_QDEPTH  8

struct nvme_queue {
	uint32_t *sq;
	volatile uint32_t *cq;
	unsigned qid, tail, head, phase;
};

struct nvme_ctrl {
	volatile uint8_t *regs;     /* BAR0 as mapped into the domain */
	uint32_t dstrd;             /* doorbell stride exponent (CAP.DSTRD) */
	uint16_t cid;
	struct nvme_queue admin, io;
};

/* Reset and enable the controller with the admin queues in asq/acq. */
int nvme_start(struct nvme_ctrl *c, volatile uint8_t *regs, void *asq, void *acq);
/* Create I/O queue pair 1 (polled: no interrupt) in sq/cq. */
int nvme_create_io(struct nvme_ctrl *c, void *sq, void *cq);
/* Submit cmd (16 dwords; the command id is set here) and poll its
 * completion: the status field (0 = success), or -1 when none arrives.
 * 'spin' polls that many times without a hypercall first, so the guest is
 * running when the device answers. */
int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, uint32_t cmd[16], unsigned spin);
/* Read or write 4 KiB (8 blocks of 512 bytes) at 'lba' from/to 'prp'. */
int nvme_rw(struct nvme_ctrl *c, int write, uint64_t lba, uint64_t prp, unsigned spin);
/* Disable the controller. */
void nvme_stop(struct nvme_ctrl *c);

#endif
