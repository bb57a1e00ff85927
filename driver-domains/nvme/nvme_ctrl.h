/*
 * One NVMe controller as its driver domain sees it: the BAR0 registers,
 * controller disable and enable (each bounded by CAP.TO on hv_time()), the
 * doorbells (stride CAP.DSTRD), and the admin queue pair in the caller's
 * pages. DMA addresses are the domain's guest-physical addresses (its VT-d
 * context translates them); the MSI-X table is the hypervisor's
 * (HC_DEVICE_IRQ_BIND programs entry 0), never written here.
 */
#ifndef DRIVER_NVME_CTRL_H
#define DRIVER_NVME_CTRL_H

#include <stdint.h>
#include "nvme_regs.h"
#include "nvme_status.h"

#define NVME_ADMIN_ENTRIES 8
#define NVME_ETIMEDOUT  (-1)        /* no completion in time */
#define NVME_EDEV       (-2)        /* the controller does not work as specified */

struct nvme_dev {
	volatile uint8_t *regs;     /* BAR0 as mapped into the domain */
	unsigned devidx;            /* index among the domain's devices */
	uint64_t cap;
	uint64_t ready_ns;          /* CAP.TO: bound on enable and disable */
	uint64_t cmd_ns;            /* bound on one command */
	struct nvme_sqe *asq;
	struct nvme_cqe *acq;
	unsigned a_tail, a_head, a_phase;
	uint16_t a_cid;
	struct nvme_errlog errs;    /* failed commands, admin and I/O */
	void (*waiting)(void *arg); /* called at every step of a wait (may be 0) */
	void *waiting_arg;
};

/* Check device devidx is an NVMe controller this driver can run (memory
 * BAR, NVM command set, 4 KiB pages), enable its memory decoding and bus
 * mastering, read CAP. asq and acq: one 4 KiB page each. 0 or NVME_EDEV. */
int nvme_ctrl_open(struct nvme_dev *d, unsigned devidx, void *asq, void *acq, uint64_t cmd_ns);
/* CC.EN = 0 and wait for CSTS.RDY = 0 (QEMU finishes or drops every
 * command in flight first: no DMA after this returns 0). */
int nvme_ctrl_disable(struct nvme_dev *d);
/* Program the (emptied) admin queues and enable; wait for CSTS.RDY = 1. */
int nvme_ctrl_enable(struct nvme_dev *d);
/* Normal shutdown (CC.SHN; the controller writes back its volatile cache),
 * waited for at most CAP.TO, then disable. */
int nvme_ctrl_shutdown(struct nvme_dev *d);
/* Write a submission tail (cq 0) or completion head (cq 1) doorbell. */
void nvme_ctrl_doorbell(const struct nvme_dev *d, unsigned qid, int cq, uint32_t val);
uint32_t nvme_ctrl_r32(const struct nvme_dev *d, unsigned off);
/* One step of a wait for the device: d->waiting, then yield the CPU. */
void nvme_ctrl_wait_step(const struct nvme_dev *d);

#endif
