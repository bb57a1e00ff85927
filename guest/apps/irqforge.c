/*
 * A hostile NVMe driver that forges interrupts by DMA. The device's writes to
 * 0xFEE00000-0xFEEFFFFF are interrupt requests, and the VT-d unit splits a DMA
 * there into one 4-byte request per dword (address = 0xFEE00000 + offset,
 * data = the dword). So the driver writes a block of crafted MSI data values
 * to LBA 0 and reads it back with PRP1 = 0xFEE00000: each dword becomes an
 * interrupt with the vector and delivery mode the driver chose.
 *
 * Which dwords become what depends on the offset (address bits): bit 2 is the
 * destination mode (1 = logical; destination 0 reaches nobody), bit 4 the
 * remappable format (looked up in the remapping table, which has no entry for
 * these), bits 19:12 the destination APIC id (0 in the first page: the boot
 * CPU). Only dwords whose offset has bits 2 and 4 clear (dword index i with
 * i % 8 in {0, 2}) are compatibility-format, physical-destination requests to
 * CPU 0: 256 per 4 KiB block; the payload goes there.
 *
 * Forged: every vector 0-31, the timer vector, the spurious vector, vectors
 * nothing allocated, every device vector (its own among them), NMI delivery,
 * lowest-priority, ExtINT and level-triggered requests. rounds=N repeats it
 * (default 3, 20 ms apart); init=1 / smi=1 add one INIT / SMI request (used to
 * measure what QEMU does, not by the tests).
 */
#include "rt/channel.h"
#include "rt/test.h"

#define NVME_CAP   0x00
#define NVME_CC    0x14
#define NVME_CSTS  0x1c
#define NVME_AQA   0x24
#define NVME_ASQ   0x28
#define NVME_ACQ   0x30
#define QDEPTH     8
#define MSI_WINDOW 0xfee00000ull

#define DM_FIXED   (0u << 8)
#define DM_LOWEST  (1u << 8)
#define DM_SMI     (2u << 8)
#define DM_NMI     (4u << 8)
#define DM_INIT    (5u << 8)
#define DM_EXTINT  (7u << 8)
#define LEVEL      ((1u << 15) | (1u << 14))

struct queue {
	uint32_t *sq;
	volatile uint32_t *cq;
	unsigned qid, tail, head, phase;
};

static uint8_t asq[4096] __attribute__((aligned(4096)));
static uint8_t acq[4096] __attribute__((aligned(4096)));
static uint8_t iosq[4096] __attribute__((aligned(4096)));
static uint8_t iocq[4096] __attribute__((aligned(4096)));
static uint32_t block[1024] __attribute__((aligned(4096)));
static volatile uint8_t *regs;
static uint32_t dstrd;

static uint32_t r32(unsigned o) { return *(volatile uint32_t *)(regs + o); }
static void w32(unsigned o, uint32_t v) { *(volatile uint32_t *)(regs + o) = v; }
static void w64(unsigned o, uint64_t v) { w32(o, (uint32_t)v); w32(o + 4, (uint32_t)(v >> 32)); }

static int wait_rdy(uint32_t want)
{
	for (int i = 0; i < 100000; i++) {
		if ((r32(NVME_CSTS) & 1) == want)
			return 0;
		hv_yield();
	}
	return -1;
}

/* Submit one command (16 dwords, cid set here) and poll for its completion;
 * returns the status field (0 = success) or -1 when none arrives. 'spin'
 * polls without a hypercall first, so the guest is running (not the
 * hypervisor) when the device acts and its requests arrive. */
static int submit(struct queue *q, uint32_t *cmd, unsigned spin)
{
	static uint16_t cid = 1;
	uint32_t *slot = q->sq + 16 * q->tail;

	cmd[0] = (cmd[0] & 0xffff) | (uint32_t)cid << 16;
	memcpy(slot, cmd, 64);
	q->tail = (q->tail + 1) % QDEPTH;
	w32(0x1000 + (2 * q->qid) * (4u << dstrd), q->tail);
	volatile uint32_t *cqe = q->cq + 4 * q->head;
	int i;
	for (unsigned k = 0; k < spin && ((cqe[3] >> 16) & 1) != q->phase; k++)
		__asm__ volatile("pause");
	for (i = 0; i < 100000 && ((cqe[3] >> 16) & 1) != q->phase; i++)
		hv_yield();
	if (i == 100000)
		return -1;
	int status = (int)((cqe[3] >> 17) & 0x7fff);
	GCHECK_EQ(cqe[3] & 0xffff, cid);
	cid++;
	q->head = (q->head + 1) % QDEPTH;
	if (!q->head)
		q->phase ^= 1;
	w32(0x1000 + (2 * q->qid + 1) * (4u << dstrd), q->head);
	return status;
}

static void start_controller(struct queue *admin)
{
	dstrd = (uint32_t)(((uint64_t)r32(NVME_CAP + 4) << 32 | r32(NVME_CAP)) >> 32) & 0xf;
	w32(NVME_CC, 0);
	if (wait_rdy(0))
		rt_fail("controller did not stop");
	w32(NVME_AQA, ((QDEPTH - 1u) << 16) | (QDEPTH - 1u));
	w64(NVME_ASQ, (uint64_t)(uintptr_t)asq);
	w64(NVME_ACQ, (uint64_t)(uintptr_t)acq);
	w32(NVME_CC, 1u | (6u << 16) | (4u << 20));
	if (wait_rdy(1))
		rt_fail("controller did not start");
	*admin = (struct queue){ (uint32_t *)asq, (volatile uint32_t *)acq, 0, 0, 0, 1 };
}

/* I/O queue pair 1, polled (no interrupt from the device itself). */
static void create_io_queues(struct queue *admin, struct queue *io)
{
	uint32_t cmd[16] = { 0x05 };                            /* Create I/O CQ */
	cmd[6] = (uint32_t)(uintptr_t)iocq;
	cmd[10] = ((QDEPTH - 1u) << 16) | 1;
	cmd[11] = 1;                                            /* contiguous, no interrupt */
	GCHECK_EQ(submit(admin, cmd, 0), 0);
	uint32_t sq[16] = { 0x01 };                             /* Create I/O SQ */
	sq[6] = (uint32_t)(uintptr_t)iosq;
	sq[10] = ((QDEPTH - 1u) << 16) | 1;
	sq[11] = (1u << 16) | 1;                                /* CQ 1, contiguous */
	GCHECK_EQ(submit(admin, sq, 0), 0);
	*io = (struct queue){ (uint32_t *)iosq, (volatile uint32_t *)iocq, 1, 0, 0, 1 };
}

/* NVM Read (0x02) or Write (0x01) of 8 blocks of 512 bytes at LBA 0, one page. */
static int rw(struct queue *io, uint32_t opcode, uint64_t prp)
{
	uint32_t cmd[16] = { opcode };
	cmd[1] = 1;                                             /* namespace 1 */
	cmd[6] = (uint32_t)prp;
	cmd[7] = (uint32_t)(prp >> 32);
	cmd[12] = 8 - 1;
	return submit(io, cmd, 50000000);
}

static unsigned nslots;

static void put(uint32_t data)
{
	unsigned i = (nslots / 2) * 8 + (nslots % 2) * 2;       /* i % 8 in {0, 2} */

	if (i < 1024) {
		block[i] = data;
		nslots++;
	}
}

static void build_payload(void)
{
	static const uint8_t unallocated[] = { 0x20, 0x30, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xdf, 0xfe };

	memset(block, 0, sizeof(block));
	nslots = 0;
	for (unsigned v = 0; v < 32; v++)
		put(DM_FIXED | v);
	put(DM_FIXED | 0xf0);                                   /* the timer */
	put(DM_FIXED | 0xff);                                   /* the spurious vector */
	for (unsigned v = 0xe0; v <= 0xef; v++)                 /* device vectors, ours too */
		put(DM_FIXED | v);
	for (unsigned k = 0; k < sizeof(unallocated); k++)
		put(DM_FIXED | unallocated[k]);
	for (unsigned k = 0; k < 4; k++)
		put(DM_NMI);
	put(DM_LOWEST | 0x0e);
	put(DM_EXTINT | 0x0d);
	put(DM_FIXED | LEVEL | 0x08);
	put(DM_FIXED | LEVEL | 0x50);
	for (unsigned v = 0; v < 32; v++)                       /* again, level-triggered */
		put(DM_FIXED | LEVEL | v);
	if (rt_arg_u64("smi", 0))
		put(DM_SMI);
	if (rt_arg_u64("init", 0))
		put(DM_INIT);
	while (nslots < 256)
		put(DM_FIXED | 0x70);                           /* unallocated filler */
}

int main(void)
{
	struct queue admin, io;
	uint64_t rounds = rt_arg_u64("rounds", 3);

	GCHECK_EQ(rt_info.ndevices, 1);
	regs = (volatile uint8_t *)(uintptr_t)rt_info.devices[0].bar_gpa[0];
	GCHECK_EQ(hv_pci_cfg_write(0, 0x04, 2, 0x6), 0);        /* memory + bus master */
	int64_t port = hv_device_irq_bind(0);                   /* so the device has a vector */
	GCHECK(port > 0);
	start_controller(&admin);
	create_io_queues(&admin, &io);
	build_payload();
	GCHECK_EQ(rw(&io, 0x01, (uintptr_t)block), 0);          /* the payload to LBA 0..7 */
	for (uint64_t r = 1; r <= rounds; r++) {
		int st = rw(&io, 0x02, MSI_WINDOW);             /* ...and back, as interrupts */
		gprintf("irqforge: round %lu: %u forged requests sent, read status %d\n", r,
			nslots, st);
		GCHECK(st >= 0);
		hv_sleep(20000000ull);
	}
	w32(NVME_CC, 0);
	gprintf("irqforge: done, still alive\n");
	return rt_test_result();
}
