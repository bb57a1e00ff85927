/*
 * NVMe 1.4 facts the driver uses: controller registers (BAR0), their fields,
 * command opcodes, the submission and completion entry layouts and the
 * status field. Names follow the specification.
 */
#ifndef DRIVER_NVME_REGS_H
#define DRIVER_NVME_REGS_H

#include <stdint.h>

/* Controller registers (BAR0 offsets). */
#define NVME_CAP   0x00
#define NVME_VS    0x08
#define NVME_CC    0x14
#define NVME_CSTS  0x1c
#define NVME_AQA   0x24
#define NVME_ASQ   0x28
#define NVME_ACQ   0x30
#define NVME_DOORBELL_BASE 0x1000

/* CAP fields. */
#define NVME_CAP_MQES(c)    ((uint32_t)((c) & 0xffff))         /* max queue entries - 1 */
#define NVME_CAP_TO(c)      ((uint32_t)(((c) >> 24) & 0xff))   /* ready timeout, 500 ms units */
#define NVME_CAP_DSTRD(c)   ((uint32_t)(((c) >> 32) & 0xf))    /* doorbell stride 4 << n */
#define NVME_CAP_CSS_NVM(c) (((c) >> 37) & 1)                  /* NVM command set */
#define NVME_CAP_MPSMIN(c)  ((uint32_t)(((c) >> 48) & 0xf))    /* page size 4 KiB << n */

/* CC fields: enable, 4 KiB pages (MPS 0), NVM set, 64-byte SQE, 16-byte CQE. */
#define NVME_CC_EN          1u
#define NVME_CC_IOSQES_64   (6u << 16)
#define NVME_CC_IOCQES_16   (4u << 20)
#define NVME_CC_SHN_NORMAL  (1u << 14)

/* CSTS fields. */
#define NVME_CSTS_RDY       1u
#define NVME_CSTS_CFS       2u      /* controller fatal status */
#define NVME_CSTS_SHST(c)   (((c) >> 2) & 3)
#define NVME_SHST_COMPLETE  2

/* Admin opcodes. */
#define NVME_ADM_DELETE_SQ  0x00
#define NVME_ADM_CREATE_SQ  0x01
#define NVME_ADM_DELETE_CQ  0x04
#define NVME_ADM_CREATE_CQ  0x05
#define NVME_ADM_IDENTIFY   0x06
#define NVME_ADM_SET_FEAT   0x09
#define NVME_FEAT_NQUEUES   0x07
#define NVME_CNS_NS         0x00
#define NVME_CNS_CTRL       0x01

/* NVM I/O opcodes. */
#define NVME_CMD_FLUSH      0x00
#define NVME_CMD_WRITE      0x01
#define NVME_CMD_READ       0x02
#define NVME_RW_FUA         (1u << 30)  /* CDW12 */

/* A submission queue entry (64 bytes). */
struct nvme_sqe {
	uint8_t  opc;
	uint8_t  flags;             /* FUSE, PSDT 0 = PRPs */
	uint16_t cid;
	uint32_t nsid;
	uint64_t rsvd;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "SQE is 64 bytes");

/* A completion queue entry (16 bytes); dw3 = cid | phase << 16 | status << 17. */
struct nvme_cqe {
	uint32_t dw0, rsvd;
	uint16_t sq_head, sq_id;
	uint32_t dw3;
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "CQE is 16 bytes");

#define NVME_CQE_CID(dw3)    ((uint16_t)((dw3) & 0xffff))
#define NVME_CQE_PHASE(dw3)  (((dw3) >> 16) & 1)
#define NVME_CQE_STATUS(dw3) (((dw3) >> 17) & 0x7fff)
/* Status field (without the phase bit): SC bits 7:0, SCT bits 10:8, DNR bit 14. */
#define NVME_SC(st)          ((st) & 0xff)
#define NVME_SCT(st)         (((st) >> 8) & 0x7)
#define NVME_DNR(st)         (((st) >> 14) & 1)

/* Generic status codes (SCT 0) the driver names. */
#define NVME_SC_INVALID_OPCODE  0x01
#define NVME_SC_INVALID_FIELD   0x02
#define NVME_SC_INVALID_NS      0x0b
#define NVME_SC_LBA_RANGE       0x80

#endif
