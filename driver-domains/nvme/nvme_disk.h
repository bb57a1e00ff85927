/*
 * The NVMe driver: controller bring-up, namespace 1 as a disk of 512-byte
 * blocks, one I/O queue pair with up to NVME_IOQ_SLOTS commands in flight,
 * completions by MSI-X (bound through the hypervisor) or polling, a timeout
 * on every command. A command that times out fails with BLKDISK_EIO after
 * the controller has been disabled (so nothing late can land in its
 * buffers); before that reset, the other commands in flight are given
 * until their own deadlines to complete (no new command is taken
 * meanwhile); after it, the controller is enabled again. backend/blkdisk.h on top: nvme_blkdisk.h.
 */
#ifndef DRIVER_NVME_DISK_H
#define DRIVER_NVME_DISK_H

#include <stdint.h>
#include "backend/blkdisk.h"
#include "nvme_admin.h"
#include "nvme_ioq.h"

struct nvme_disk_cfg {
	uint32_t timeout_ms;        /* per command; 0: 5000 */
	uint8_t  poll_only;         /* do not bind the interrupt */
	/* Called (if set) at every step of a wait for the device: controller
	 * enable, disable and shutdown (each at most CAP.TO), admin commands
	 * (at most the command timeout). The caller feeds its watchdog here;
	 * the waits stay bounded by the driver's own timeouts. */
	void (*waiting)(void *arg);
	void *waiting_arg;
};

/* DMA memory: queues, identify buffer, one PRP list page per slot. */
struct nvme_disk_mem {
	struct nvme_sqe asq[64], iosq[64];
	struct nvme_cqe acq[256], iocq[256];
	uint8_t ident[4096];
	uint64_t prp[NVME_IOQ_SLOTS][512];
} __attribute__((aligned(4096)));

struct nvme_stats {
	uint64_t reads, writes, flushes, fua, bytes;
	uint64_t prp_lists;         /* commands that needed a PRP list */
	uint64_t errors;            /* completions with an error status */
	uint64_t timeouts, resets;
	uint64_t drained_quiesced;  /* completed while a reset waited for them */
	uint64_t late;              /* resets called off: everything completed, late */
	uint64_t stray;             /* completions for no command in flight */
	uint64_t interrupts;        /* polls that found work (for the benchmark) */
};

/* One command as the driver builds it (nlb: 512-byte blocks; 0 for flush). */
struct nvme_io {
	uint8_t opc, fua;
	uint32_t nsid;
	uint64_t slba;
	uint32_t nlb;
	unsigned nseg;
	const struct blkdisk_seg *seg;
};

struct nvme_disk {
	struct nvme_dev dev;
	struct nvme_ioq q;
	struct nvme_ident id;
	struct nvme_disk_mem *mem;
	uint64_t sectors;
	uint64_t timeout_ns;
	int irq_port;               /* < 0: polling */
	int dead;                   /* the controller could not be brought back */
	int quiesce;                /* a command expired: take no new ones, reset when
	                               every one in flight has completed or expired */
	unsigned busy_polls;        /* polls with commands in flight since the clock was read */
	unsigned plugged;           /* submits hold the doorbell (nvme_disk_plug) */
	unsigned sq_rung;           /* submission tail the doorbell was last given */
	unsigned lose_cqe;          /* test: drop the n-th completion from now (0: off) */
	struct nvme_stats st;
	struct nvme_sqe cmd[NVME_IOQ_SLOTS];  /* each slot's command as submitted */
};

/* Bring up device devidx (an index into the domain's devices) with its
 * memory in mem. 0, or a negative error after saying why. */
int nvme_disk_start(struct nvme_disk *nd, struct nvme_disk_mem *mem, unsigned devidx,
		    const struct nvme_disk_cfg *cfg);
/* Queue one command: BLKDISK_OK, BLKDISK_EBUSY (every slot in flight),
 * BLKDISK_EINVAL (an opcode other than read, write with segments and
 * flush without, segments PRPs cannot describe, or not nlb blocks) or
 * BLKDISK_EIO (the controller is dead). No range check here: the blkdisk
 * adapter checks requests, tests send what they like. */
int nvme_disk_submit(struct nvme_disk *nd, uint64_t cookie, const struct nvme_io *io);
/* on: the submits that follow write their commands but not the doorbell;
 * off: one doorbell for all of them (a batch costs one device
 * notification). nvme_disk_poll unplugs too, so nothing waits unrung. */
void nvme_disk_plug(struct nvme_disk *nd, int on);
/* Completions and timeouts, as blkdisk's poll. */
int nvme_disk_poll(struct nvme_disk *nd, blkdisk_done_fn done, void *arg);
/* Shut the controller down and disable it (the domain is done with it;
 * requests still in flight are the caller's to have waited for). */
void nvme_disk_stop(struct nvme_disk *nd);

#endif
