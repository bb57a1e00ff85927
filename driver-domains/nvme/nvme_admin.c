/* Admin commands (driver-domains/nvme/nvme_admin.h). */
#include "kstring.h"
#include "rt/rt.h"
#include "nvme_admin.h"

int nvme_admin_cmd(struct nvme_dev *d, struct nvme_sqe *cmd, uint32_t *dw0)
{
	cmd->cid = ++d->a_cid;
	memcpy(&d->asq[d->a_tail], cmd, sizeof(*cmd));
	d->a_tail = (d->a_tail + 1) % NVME_ADMIN_ENTRIES;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);    /* entry visible before the doorbell */
	nvme_ctrl_doorbell(d, 0, 0, d->a_tail);

	volatile struct nvme_cqe *e = &d->acq[d->a_head];
	uint64_t end = hv_time() + d->cmd_ns;
	uint32_t dw3;
	while (NVME_CQE_PHASE(dw3 = e->dw3) != d->a_phase) {
		if (hv_time() >= end) {
			gprintf("nvme: admin command opcode 0x%02x timed out\n", cmd->opc);
			return NVME_ETIMEDOUT;
		}
		nvme_ctrl_wait_step(d);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);    /* the entry after its phase tag */
	uint32_t r0 = e->dw0;
	d->a_head = (d->a_head + 1) % NVME_ADMIN_ENTRIES;
	if (!d->a_head)
		d->a_phase ^= 1;
	nvme_ctrl_doorbell(d, 0, 1, d->a_head);
	if (NVME_CQE_CID(dw3) != cmd->cid) {
		gprintf("nvme: admin completion for command id %u, expected %u\n",
			NVME_CQE_CID(dw3), cmd->cid);
		return NVME_EDEV;
	}
	uint16_t st = (uint16_t)NVME_CQE_STATUS(dw3);
	if (st) {
		nvme_status_report(&d->errs, 1, cmd->opc, st);
		return st;
	}
	if (dw0)
		*dw0 = r0;
	return 0;
}

static void copy_ascii(char *to, const uint8_t *from, unsigned len)
{
	memcpy(to, from, len);
	while (len && (to[len - 1] == ' ' || !to[len - 1]))
		len--;                           /* NVMe pads ASCII fields with spaces */
	to[len] = 0;
}

static int identify(struct nvme_dev *d, uint32_t nsid, uint32_t cns, void *buf)
{
	struct nvme_sqe c = { .opc = NVME_ADM_IDENTIFY, .nsid = nsid,
			      .prp1 = (uint64_t)(uintptr_t)buf, .cdw10 = cns };
	memset(buf, 0, 4096);
	return nvme_admin_cmd(d, &c, 0);
}

int nvme_admin_identify(struct nvme_dev *d, uint32_t nsid, void *buf, struct nvme_ident *id)
{
	const uint8_t *b = buf;
	int rc = identify(d, 0, NVME_CNS_CTRL, buf);

	if (rc)
		return rc;
	copy_ascii(id->serial, b + 4, 20);
	copy_ascii(id->model, b + 24, 40);
	id->max_bytes = b[77] ? (b[77] < 20 ? 4096u << b[77] : 0) : 0;   /* MDTS, 2^n pages */
	id->vwc = b[525] & 1;
	uint32_t nn = (uint32_t)b[516] | (uint32_t)b[517] << 8 | (uint32_t)b[518] << 16 |
		      (uint32_t)b[519] << 24;
	if (nsid > nn) {
		gprintf("nvme: namespace %u does not exist (the controller has %u)\n", nsid, nn);
		return NVME_EDEV;
	}
	if ((rc = identify(d, nsid, NVME_CNS_NS, buf)))
		return rc;
	memcpy(&id->nsze, b, 8);
	unsigned fmt = b[26] & 0xf;              /* FLBAS: the format in use */
	const uint8_t *lbaf = b + 128 + 4 * fmt;
	id->lba_meta = (uint16_t)(lbaf[0] | lbaf[1] << 8);
	id->lba_bytes = lbaf[2] < 32 ? 1u << lbaf[2] : 0;
	return 0;
}

int nvme_admin_set_queues(struct nvme_dev *d, unsigned nq)
{
	struct nvme_sqe c = { .opc = NVME_ADM_SET_FEAT, .cdw10 = NVME_FEAT_NQUEUES,
			      .cdw11 = (nq - 1) | (nq - 1) << 16 };
	uint32_t got = 0;
	int rc = nvme_admin_cmd(d, &c, &got);

	if (!rc && ((got & 0xffff) + 1 < nq || (got >> 16) + 1 < nq)) {
		gprintf("nvme: controller grants %u/%u I/O queues, need %u\n",
			(got & 0xffff) + 1, (got >> 16) + 1, nq);
		return NVME_EDEV;
	}
	return rc;
}

int nvme_admin_create_ioq(struct nvme_dev *d, unsigned qid, uint64_t sq_dma, uint64_t cq_dma,
			  unsigned entries, int irq)
{
	struct nvme_sqe cq = { .opc = NVME_ADM_CREATE_CQ, .prp1 = cq_dma,
			       .cdw10 = (entries - 1) << 16 | qid,
			       .cdw11 = (irq ? 1u << 1 : 0) | 1 };   /* vector 0, IEN, contiguous */
	struct nvme_sqe sq = { .opc = NVME_ADM_CREATE_SQ, .prp1 = sq_dma,
			       .cdw10 = (entries - 1) << 16 | qid,
			       .cdw11 = qid << 16 | 1 };              /* on CQ qid, contiguous */
	int rc = nvme_admin_cmd(d, &cq, 0);

	return rc ? rc : nvme_admin_cmd(d, &sq, 0);
}
