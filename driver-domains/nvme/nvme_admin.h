/*
 * Admin commands, one at a time on the admin queue pair, each waited for
 * (polled) at most the command timeout: Identify, Set Features (number of
 * queues), Create I/O Completion and Submission Queue.
 */
#ifndef DRIVER_NVME_ADMIN_H
#define DRIVER_NVME_ADMIN_H

#include <stdint.h>
#include "nvme_ctrl.h"

/* What the driver takes from Identify Controller and Namespace 1. */
struct nvme_ident {
	char serial[21], model[41];
	uint32_t max_bytes;         /* MDTS as bytes; 0 = no limit */
	uint8_t vwc;                /* volatile write cache present */
	uint64_t nsze;              /* namespace size in logical blocks */
	uint32_t lba_bytes;         /* the namespace's logical block size */
	uint16_t lba_meta;          /* metadata bytes per block */
};

/* Submit cmd (its command id is set here) and wait for its completion: 0,
 * the NVMe status (> 0, also reported), NVME_ETIMEDOUT or NVME_EDEV. */
int nvme_admin_cmd(struct nvme_dev *d, struct nvme_sqe *cmd, uint32_t *dw0);
/* Identify controller and namespace nsid into id, through the 4 KiB page buf. */
int nvme_admin_identify(struct nvme_dev *d, uint32_t nsid, void *buf, struct nvme_ident *id);
/* Ask for nq I/O submission and completion queues. */
int nvme_admin_set_queues(struct nvme_dev *d, unsigned nq);
/* Create completion queue qid (interrupt vector 0 when irq) and submission
 * queue qid on it, 'entries' each, in one zeroed 4 KiB page each. */
int nvme_admin_create_ioq(struct nvme_dev *d, unsigned qid, uint64_t sq_dma, uint64_t cq_dma,
			  unsigned entries, int irq);

#endif
