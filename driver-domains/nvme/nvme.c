/* Polled NVMe controller access (driver-domains/nvme/nvme.h). */
#include "kstring.h"
#include "rt/channel.h"
#include "nvme.h"

#define POLLS      100000

static uint32_t r32(const struct nvme_ctrl *c, unsigned o)
{
	return *(volatile uint32_t *)(c->regs + o);
}

static void w32(const struct nvme_ctrl *c, unsigned o, uint32_t v)
{
	*(volatile uint32_t *)(c->regs + o) = v;
}

static void w64(const struct nvme_ctrl *c, unsigned o, uint64_t v)
{
	w32(c, o, (uint32_t)v);
	w32(c, o + 4, (uint32_t)(v >> 32));
}

static unsigned doorbell(const struct nvme_ctrl *c, unsigned qid, int cq)
{
	return 0x1000 + (2 * qid + (cq ? 1 : 0)) * (4u << c->dstrd);
}

static int wait_ready(const struct nvme_ctrl *c, uint32_t want)
{
	for (int i = 0; i < POLLS; i++) {
		if ((r32(c, NVME_CSTS) & 1) == want)
			return 0;
		hv_yield();
	}
	return -1;
}

int nvme_start(struct nvme_ctrl *c, volatile uint8_t *regs, void *asq, void *acq)
{
	memset(c, 0, sizeof(*c));
	c->regs = regs;
	c->cid = 1;
	c->dstrd = r32(c, NVME_CAP + 4) & 0xf;
	w32(c, NVME_CC, 0);
	if (wait_ready(c, 0))
		return -1;
	w32(c, NVME_AQA, ((NVME_QDEPTH - 1u) << 16) | (NVME_QDEPTH - 1u));
	w64(c, NVME_ASQ, (uint64_t)(uintptr_t)asq);
	w64(c, NVME_ACQ, (uint64_t)(uintptr_t)acq);
	w32(c, NVME_CC, 1u | (6u << 16) | (4u << 20));        /* EN, 64-byte SQE, 16-byte CQE */
	if (wait_ready(c, 1))
		return -1;
	c->admin = (struct nvme_queue){ asq, acq, 0, 0, 0, 1 };
	return 0;
}

int nvme_submit(struct nvme_ctrl *c, struct nvme_queue *q, uint32_t cmd[16], unsigned spin)
{
	uint32_t *slot = q->sq + 16 * q->tail;
	uint16_t cid = c->cid++;

	cmd[0] = (cmd[0] & 0xffff) | (uint32_t)cid << 16;
	memcpy(slot, cmd, 64);
	q->tail = (q->tail + 1) % NVME_QDEPTH;
	w32(c, doorbell(c, q->qid, 0), q->tail);
	volatile uint32_t *cqe = q->cq + 4 * q->head;
	for (unsigned k = 0; k < spin && ((cqe[3] >> 16) & 1) != q->phase; k++)
		__asm__ volatile("pause");
	int i;
	for (i = 0; i < POLLS && ((cqe[3] >> 16) & 1) != q->phase; i++)
		hv_yield();
	uint32_t dw3 = cqe[3];                  /* read once: the device wrote it */
	if (i == POLLS || (dw3 & 0xffff) != cid)
		return -1;
	q->head = (q->head + 1) % NVME_QDEPTH;
	if (!q->head)
		q->phase ^= 1;
	w32(c, doorbell(c, q->qid, 1), q->head);
	return (int)((dw3 >> 17) & 0x7fff);
}

int nvme_create_io(struct nvme_ctrl *c, void *sq, void *cq)
{
	uint32_t ccq[16] = { 0x05 };                           /* Create I/O CQ */
	ccq[6] = (uint32_t)(uintptr_t)cq;
	ccq[10] = ((NVME_QDEPTH - 1u) << 16) | 1;
	ccq[11] = 1;                                           /* contiguous, no interrupt */
	if (nvme_submit(c, &c->admin, ccq, 0))
		return -1;
	uint32_t csq[16] = { 0x01 };                           /* Create I/O SQ */
	csq[6] = (uint32_t)(uintptr_t)sq;
	csq[10] = ((NVME_QDEPTH - 1u) << 16) | 1;
	csq[11] = (1u << 16) | 1;                              /* CQ 1, contiguous */
	if (nvme_submit(c, &c->admin, csq, 0))
		return -1;
	c->io = (struct nvme_queue){ sq, cq, 1, 0, 0, 1 };
	return 0;
}

int nvme_rw(struct nvme_ctrl *c, int write, uint64_t lba, uint64_t prp, unsigned spin)
{
	uint32_t cmd[16] = { write ? 0x01u : 0x02u };
	cmd[1] = 1;                                            /* namespace 1 */
	cmd[6] = (uint32_t)prp;
	cmd[7] = (uint32_t)(prp >> 32);
	cmd[10] = (uint32_t)lba;
	cmd[11] = (uint32_t)(lba >> 32);
	cmd[12] = 8 - 1;                                       /* 8 blocks */
	return nvme_submit(c, &c->io, cmd, spin);
}

void nvme_stop(struct nvme_ctrl *c)
{
	w32(c, NVME_CC, 0);
}
