/* The NVMe driver's I/O path and recovery (driver-domains/nvme/nvme_disk.h). */
#include "kstring.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"
#include "nvme_disk.h"
#include "nvme_prp.h"

#define IOQ_ID 1
#define PCI_COMMAND_MEM 0x2

/* The I/O queues on a freshly enabled controller. */
static int create_ioq(struct nvme_disk *nd)
{
	memset(nd->mem->iosq, 0, sizeof(nd->mem->iosq));
	memset(nd->mem->iocq, 0, sizeof(nd->mem->iocq));
	nvme_ioq_rings_reset(&nd->q);
	nd->sq_rung = 0;
	int rc = nvme_admin_set_queues(&nd->dev, 1);
	if (!rc)
		rc = nvme_admin_create_ioq(&nd->dev, IOQ_ID, (uintptr_t)nd->mem->iosq,
					   (uintptr_t)nd->mem->iocq, NVME_IOQ_ENTRIES,
					   nd->irq_port > 0);
	return rc;
}

/* Namespace 1 must be 512-byte blocks without metadata. */
static int check_namespace(struct nvme_disk *nd)
{
	const struct nvme_ident *id = &nd->id;

	if (id->lba_bytes != 512 || id->lba_meta) {
		gprintf("nvme: namespace 1 uses %u-byte blocks with %u metadata bytes: "
			"only 512-byte blocks without metadata are supported\n",
			id->lba_bytes, id->lba_meta);
		return NVME_EDEV;
	}
	if (!id->nsze) {
		gprintf("nvme: namespace 1 is empty or inactive\n");
		return NVME_EDEV;
	}
	if (id->max_bytes && id->max_bytes < BLKDISK_MAX_SEGS * 4096u) {
		gprintf("nvme: transfers limited to %u bytes (MDTS), need %u\n", id->max_bytes,
			BLKDISK_MAX_SEGS * 4096u);
		return NVME_EDEV;
	}
	return 0;
}

static int bring_up(struct nvme_disk *nd, unsigned devidx, const struct nvme_disk_cfg *cfg)
{
	int rc = nvme_ctrl_open(&nd->dev, devidx, nd->mem->asq, nd->mem->acq, nd->timeout_ns);

	nd->dev.waiting = cfg->waiting;
	nd->dev.waiting_arg = cfg->waiting_arg;
	/* Disable first: a previous incarnation may have left commands in flight. */
	if (rc || (rc = nvme_ctrl_disable(&nd->dev)) || (rc = nvme_ctrl_enable(&nd->dev)))
		return rc;
	if ((rc = nvme_admin_identify(&nd->dev, 1, nd->mem->ident, &nd->id)) ||
	    (rc = check_namespace(nd)))
		return rc;
	if (NVME_CAP_MQES(nd->dev.cap) + 1 < NVME_IOQ_ENTRIES) {
		gprintf("nvme: queues of at most %u entries, need %u\n",
			NVME_CAP_MQES(nd->dev.cap) + 1, NVME_IOQ_ENTRIES);
		return NVME_EDEV;
	}
	nd->sectors = nd->id.nsze;
	nd->irq_port = cfg->poll_only ? -1 : (int)hv_device_irq_bind(devidx);
	if (nd->irq_port <= 0)
		nd->irq_port = -1;
	return create_ioq(nd);
}

int nvme_disk_start(struct nvme_disk *nd, struct nvme_disk_mem *mem, unsigned devidx,
		    const struct nvme_disk_cfg *cfg)
{
	static const struct nvme_disk_cfg defaults;

	if (!cfg)
		cfg = &defaults;
	memset(nd, 0, sizeof(*nd));
	nd->mem = mem;
	nd->timeout_ns = (cfg->timeout_ms ? cfg->timeout_ms : 5000) * 1000000ull;
	nvme_ioq_init(&nd->q, NVME_IOQ_ENTRIES, NVME_IOQ_SLOTS);
	int rc = bring_up(nd, devidx, cfg);
	if (rc) {
		gprintf("nvme: bring-up failed (%d)\n", rc);
		if (nd->dev.regs)
			nvme_ctrl_disable(&nd->dev);
		nd->dead = 1;
		return rc < 0 ? rc : NVME_EDEV;
	}
	gprintf("nvme: '%s' '%s', namespace 1: %lu blocks of 512 bytes, %s, write cache %s\n",
		nd->id.model, nd->id.serial, nd->sectors,
		nd->irq_port > 0 ? "MSI-X" : "polling", nd->id.vwc ? "yes" : "no");
	return 0;
}

/* Copy slot s's command into the submission queue (the doorbell is the caller's). */
static void push(struct nvme_disk *nd, unsigned s)
{
	nd->cmd[s].cid = nd->q.slot[s].cid;
	memcpy(&nd->mem->iosq[nvme_ioq_push(&nd->q, s)], &nd->cmd[s], sizeof(nd->cmd[s]));
}

static void ring_sq(struct nvme_disk *nd)
{
	if (nd->sq_rung == nd->q.sq_tail)
		return;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);    /* entries visible before the doorbell */
	nvme_ctrl_doorbell(&nd->dev, IOQ_ID, 0, nd->q.sq_tail);
	nd->sq_rung = nd->q.sq_tail;
}

void nvme_disk_plug(struct nvme_disk *nd, int on)
{
	nd->plugged = on != 0;
	if (!on && !nd->dead)
		ring_sq(nd);
}

int nvme_disk_submit(struct nvme_disk *nd, uint64_t cookie, const struct nvme_io *io)
{
	if (nd->dead)
		return BLKDISK_EIO;
	if (nd->quiesce)
		return BLKDISK_EBUSY;             /* a reset is due */
	if (io->opc == NVME_CMD_FLUSH ? io->nseg != 0 :
	    (io->opc != NVME_CMD_READ && io->opc != NVME_CMD_WRITE) || !io->nseg)
		return BLKDISK_EINVAL;            /* no data command without its buffer */
	int s = nvme_ioq_alloc(&nd->q, cookie);
	if (s < 0)
		return BLKDISK_EBUSY;
	struct nvme_sqe *c = &nd->cmd[s];
	memset(c, 0, sizeof(*c));
	c->opc = io->opc;
	c->nsid = io->nsid;
	if (io->nseg) {
		struct nvme_prp p;
		if (nvme_prp_build(io->seg, io->nseg, nd->mem->prp[s], (uintptr_t)nd->mem->prp[s], &p) ||
		    p.bytes != io->nlb * 512ull || !io->nlb) {
			nvme_ioq_free(&nd->q, (unsigned)s);
			return BLKDISK_EINVAL;
		}
		c->prp1 = p.prp1;
		c->prp2 = p.prp2;
		c->cdw10 = (uint32_t)io->slba;
		c->cdw11 = (uint32_t)(io->slba >> 32);
		c->cdw12 = (io->nlb - 1) | (io->fua ? NVME_RW_FUA : 0);
		nd->st.bytes += p.bytes;
		nd->st.prp_lists += p.nlist > 0;
		FI_SITE(dma_wild, c);           /* site faults: faultinject/diskfaults.c */
	}
	nd->st.reads += io->opc == NVME_CMD_READ;
	nd->st.writes += io->opc == NVME_CMD_WRITE;
	nd->st.flushes += io->opc == NVME_CMD_FLUSH;
	nd->st.fua += io->opc == NVME_CMD_WRITE && io->fua;
	push(nd, (unsigned)s);
	FI_SITE(dev_stop, nd);
	if (!nd->plugged)
		ring_sq(nd);
	return BLKDISK_OK;
}

struct done_rec { uint64_t cookie; int status; };

/* Consume the posted completions into out[] (at most NVME_IOQ_ENTRIES); ring
 * the completion doorbell once if 'ring' (not on a disabled controller).
 * Returns how many commands finished. */
static FI_NOIPA unsigned drain(struct nvme_disk *nd, struct done_rec *out, int ring)
{
	struct nvme_ioq *q = &nd->q;
	unsigned n = 0, popped = 0;

	while (popped < NVME_IOQ_ENTRIES) {
		uint32_t dw3 = ((volatile struct nvme_cqe *)&nd->mem->iocq[q->cq_head])->dw3;
		if (!nvme_ioq_cqe_ready(q, dw3))
			break;
		FI_SITE(desc_status, &dw3);
		nvme_ioq_cq_pop(q);
		popped++;
		int s = nvme_ioq_find(q, NVME_CQE_CID(dw3));
		if (s < 0) {
			if (!nd->st.stray++)
				gprintf("nvme: completion for command id %u, not in flight: dropped\n",
					NVME_CQE_CID(dw3));
			continue;
		}
		if (nd->lose_cqe && !--nd->lose_cqe) {
			gprintf("nvme: test: losing the completion of command id %u\n",
				NVME_CQE_CID(dw3));
			continue;
		}
		uint16_t st = (uint16_t)NVME_CQE_STATUS(dw3);
		if (st) {
			nd->st.errors++;
			nvme_status_report(&nd->dev.errs, 0, nd->cmd[s].opc, st);
		}
		out[n++] = (struct done_rec){ q->slot[s].cookie, st ? BLKDISK_EIO : BLKDISK_OK };
		nvme_ioq_free(q, (unsigned)s);
	}
	if (popped && ring)
		nvme_ctrl_doorbell(&nd->dev, IOQ_ID, 1, q->cq_head);
	return n;
}

/* The controller cannot be trusted to stop: cut its bus mastering so no DMA
 * can follow, and fail everything from now on. */
static void give_up(struct nvme_disk *nd)
{
	gprintf("nvme: controller did not come back: bus mastering off, disk failed\n");
	hv_pci_cfg_write(nd->dev.devidx, 0x04, 2, PCI_COMMAND_MEM);
	nd->dead = 1;
}

/* Fail every command still in flight (the controller is dead or stopped). */
static unsigned fail_all(struct nvme_disk *nd, struct done_rec *out)
{
	unsigned n = 0;

	for (unsigned s = 0; s < nd->q.nslots; s++) {
		if (!nd->q.slot[s].busy)
			continue;
		out[n++] = (struct done_rec){ nd->q.slot[s].cookie, BLKDISK_EIO };
		nvme_ioq_free(&nd->q, s);
	}
	return n;
}

/* Every command in flight has expired. Disable the controller (it finishes
 * or drops what it holds: no DMA afterwards), collect what completed
 * before, fail the rest, enable again with fresh queues. */
static unsigned recover(struct nvme_disk *nd, struct done_rec *out)
{
	unsigned n;

	nd->st.resets++;
	nd->quiesce = 0;
	if (nvme_ctrl_disable(&nd->dev)) {
		give_up(nd);
		return fail_all(nd, out);
	}
	n = drain(nd, out, 0);              /* posted before the reset: valid */
	for (unsigned s = 0; s < nd->q.nslots; s++)
		if (nd->q.slot[s].busy) {
			nd->st.timeouts++;
			gprintf("nvme: command id %u (opcode 0x%02x) timed out: failed after a "
				"controller reset\n", nd->q.slot[s].cid, nd->cmd[s].opc);
		}
	n += fail_all(nd, out + n);
	if (nvme_ctrl_enable(&nd->dev) || create_ioq(nd)) {
		nvme_ctrl_disable(&nd->dev);
		give_up(nd);
	}
	return n;
}

/* Deadlines: stamp new commands, notice expired ones. Once one has
 * expired, no new command is taken (submit says BLKDISK_EBUSY) and the
 * others get until their own deadlines to complete; then the controller
 * is reset with nothing in flight but expired commands: a command that
 * can still complete is better completed than aborted (or re-executed),
 * and the reset then has nothing else to drain. */
static unsigned check_time(struct nvme_disk *nd, struct done_rec *out)
{
	uint64_t now = hv_time();

	nd->busy_polls = 0;
	nvme_ioq_stamp(&nd->q, now, nd->timeout_ns);
	if (!nd->quiesce && nvme_ioq_expired(&nd->q, now) >= 0) {
		nd->quiesce = 1;
		gprintf("nvme: a command timed out: waiting for the %u others, then resetting\n",
			nvme_ioq_pending(&nd->q, now));
	}
	if (nd->quiesce && !nvme_ioq_pending(&nd->q, now))
		return recover(nd, out);
	return 0;
}

/* A reset was due, but every command completed after all (the expired
 * ones late): the controller works, nothing is left to reset for, and
 * check_time(), which runs only with commands in flight, would never get
 * to it. Take new commands again. */
static void unquiesce(struct nvme_disk *nd)
{
	nd->quiesce = 0;
	nd->st.late++;
	gprintf("nvme: the commands a reset waited for all completed (late): no reset\n");
}

int nvme_disk_poll(struct nvme_disk *nd, blkdisk_done_fn done, void *arg)
{
	struct done_rec rec[2 * NVME_IOQ_ENTRIES];
	unsigned n;

	if (nd->dead)
		return 0;
	if (nd->plugged)
		nvme_disk_plug(nd, 0);          /* a caller that forgot: ring before waiting */
	n = drain(nd, rec, 1);
	nd->st.drained_quiesced += nd->quiesce ? n : 0;
	/* The clock costs a VM exit: read it on every 16th poll with commands
	 * in flight (a timeout is noticed at most 16 polls late), and on every
	 * poll while a reset waits. */
	if (nd->q.inflight && (nd->quiesce || ++nd->busy_polls >= 16))
		n += check_time(nd, rec + n);
	else if (nd->quiesce && !nd->q.inflight)
		unquiesce(nd);
	nd->st.interrupts += n > 0;
	/* Every slot is free before done() runs: it may submit again. */
	for (unsigned i = 0; i < n; i++)
		done(arg, rec[i].cookie, rec[i].status);
	return (int)n;
}

void nvme_disk_stop(struct nvme_disk *nd)
{
	if (nd->dev.regs && !nd->dead)
		nvme_ctrl_shutdown(&nd->dev);
	nd->dead = 1;
}
