/* The fake NVMe controller and runtime calls of tests/unit/fake_nvme.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "rt/channel.h"
#include "rt/rt.h"
#include "tests/unit/fake_nvme.h"

#define BAR_BYTES 8192

struct fake_nvme fnv;
struct guest_start_info rt_info;

static void die(const char *what)
{
	fprintf(stderr, "fake_nvme: %s\n", what);
	abort();
}

static uint32_t r32(unsigned off) { return *(volatile uint32_t *)(fnv.regs + off); }
static void w32(unsigned off, uint32_t v) { *(volatile uint32_t *)(fnv.regs + off) = v; }
static uint64_t r64(unsigned off) { return r32(off) | (uint64_t)r32(off + 4) << 32; }

void fake_nvme_init(unsigned to, unsigned ready_steps)
{
	if (!fnv.regs && !(fnv.regs = aligned_alloc(4096, BAR_BYTES)))
		die("no memory");
	uint8_t *regs = fnv.regs;
	memset(&fnv, 0, sizeof(fnv));
	memset(regs, 0, BAR_BYTES);
	fnv.regs = regs;
	fnv.ready_steps = ready_steps;
	fnv.yield_ns = 1000000;                 /* 1 ms per yield */
	/* MQES 1023, CAP.TO, doorbell stride 4, NVM command set, 4 KiB pages */
	uint64_t cap = 1023 | (uint64_t)to << 24 | 1ull << 37;
	w32(NVME_CAP, (uint32_t)cap);
	w32(NVME_CAP + 4, (uint32_t)(cap >> 32));
	memset(&rt_info, 0, sizeof(rt_info));
	rt_info.ndevices = 1;
	rt_info.devices[0].bar_gpa[0] = (uint64_t)(uintptr_t)regs;
	rt_info.devices[0].bar_size[0] = BAR_BYTES;
}

/* ---- queues ---- */

static void post(struct nvme_cqe *q, unsigned entries, unsigned *tail, unsigned *phase,
		 uint16_t sq_head, uint16_t sqid, uint16_t cid, uint16_t status, uint32_t dw0)
{
	struct nvme_cqe *e = &q[*tail];

	e->dw0 = dw0;
	e->sq_head = sq_head;
	e->sq_id = sqid;
	__atomic_store_n(&e->dw3, cid | (uint32_t)*phase << 16 | (uint32_t)status << 17,
			 __ATOMIC_RELEASE);
	if (++*tail == entries) {
		*tail = 0;
		*phase ^= 1;
	}
}

static void identify(const struct nvme_sqe *c)
{
	uint8_t *b = (uint8_t *)(uintptr_t)c->prp1;

	memset(b, 0, 4096);
	if (c->cdw10 == NVME_CNS_CTRL) {
		memcpy(b + 4, "FAKE0001            ", 20);
		memcpy(b + 24, "fake nvme", 9);
		b[516] = 1;                     /* one namespace */
		b[525] = 1;                     /* volatile write cache */
	} else {
		uint64_t nsze = FAKE_NVME_SECTORS;
		memcpy(b, &nsze, 8);            /* LBA format 0: 512-byte blocks, no metadata */
		b[130] = 9;
	}
}

static void admin_cmd(const struct nvme_sqe *c)
{
	uint16_t st = 0;
	uint32_t dw0 = 0;

	switch (c->opc) {
	case NVME_ADM_IDENTIFY:
		identify(c);
		break;
	case NVME_ADM_SET_FEAT:
		dw0 = 0;                        /* one submission and one completion queue */
		break;
	case NVME_ADM_CREATE_CQ:
		fnv.cq = (struct nvme_cqe *)(uintptr_t)c->prp1;
		fnv.q_entries = (c->cdw10 >> 16) + 1;
		fnv.cq_tail = 0;
		fnv.cq_phase = 1;
		break;
	case NVME_ADM_CREATE_SQ:
		fnv.sq = (struct nvme_sqe *)(uintptr_t)c->prp1;
		fnv.sq_head = 0;
		break;
	default:
		st = NVME_SC_INVALID_OPCODE;
	}
	post(fnv.acq, fnv.a_entries, &fnv.a_tail, &fnv.a_phase, (uint16_t)fnv.a_head, 0, c->cid,
	     st, dw0);
}

static void io_cmds(void)
{
	unsigned tail = r32(NVME_DOORBELL_BASE + 8);

	if (!fnv.sq || !fnv.cq)
		return;
	if (tail >= fnv.q_entries)
		die("I/O submission tail past the queue");
	while (fnv.sq_head != tail) {
		const struct nvme_sqe *c = &fnv.sq[fnv.sq_head];
		fnv.sq_head = (fnv.sq_head + 1) % fnv.q_entries;
		fnv.io_cmds++;
		if (!fnv.hold) {
			post(fnv.cq, fnv.q_entries, &fnv.cq_tail, &fnv.cq_phase, (uint16_t)fnv.sq_head, 1,
			     c->cid, 0, 0);
			continue;
		}
		if (fnv.nheld == FAKE_NVME_HELD)
			die("too many held commands");
		fnv.held[fnv.nheld++] = c->cid;
	}
}

unsigned fake_nvme_release(void)
{
	unsigned n = fnv.nheld;

	for (unsigned i = 0; i < n; i++)
		post(fnv.cq, fnv.q_entries, &fnv.cq_tail, &fnv.cq_phase, (uint16_t)fnv.sq_head, 1,
		     fnv.held[i], 0, 0);
	fnv.nheld = 0;
	return n;
}

/* ---- enable, disable, shutdown ---- */

static void set_ready(int en)
{
	uint32_t csts = r32(NVME_CSTS) & ~NVME_CSTS_RDY;

	if (en) {
		uint32_t aqa = r32(NVME_AQA);
		fnv.asq = (struct nvme_sqe *)(uintptr_t)r64(NVME_ASQ);
		fnv.acq = (struct nvme_cqe *)(uintptr_t)r64(NVME_ACQ);
		fnv.a_entries = (aqa & 0xfff) + 1;
		fnv.a_head = fnv.a_tail = 0;
		fnv.a_phase = 1;
		fnv.enables++;
		csts |= NVME_CSTS_RDY;
	} else {
		/* like QEMU: whatever was in flight is dropped, the queues are gone */
		fnv.sq = 0;
		fnv.cq = 0;
		fnv.nheld = 0;
		fnv.asq = 0;
		fnv.disables++;
		csts &= ~(3u << 2);
	}
	w32(NVME_CSTS, csts);
	for (unsigned off = NVME_DOORBELL_BASE; off < NVME_DOORBELL_BASE + 16; off += 4)
		w32(off, 0);
}

void fake_nvme_step(void)
{
	uint32_t cc = r32(NVME_CC), csts = r32(NVME_CSTS);

	if ((cc & NVME_CC_EN) != (csts & NVME_CSTS_RDY)) {
		if ((cc & NVME_CC_EN) && fnv.never_ready)
			return;
		if (fnv.ready_wait++ < fnv.ready_steps)
			return;
		fnv.ready_wait = 0;
		set_ready(cc & NVME_CC_EN);
		return;
	}
	if (!(csts & NVME_CSTS_RDY))
		return;
	if (cc & (3u << 14))
		w32(NVME_CSTS, csts | NVME_SHST_COMPLETE << 2);
	unsigned atail = r32(NVME_DOORBELL_BASE);
	if (atail >= fnv.a_entries)
		die("admin submission tail past the queue");
	while (fnv.a_head != atail && fnv.admin_wait++ >= fnv.admin_steps) {
		const struct nvme_sqe *c = &fnv.asq[fnv.a_head];
		fnv.a_head = (fnv.a_head + 1) % fnv.a_entries;
		fnv.admin_wait = 0;
		admin_cmd(c);
	}
	io_cmds();
}

/* ---- the watchdog ---- */

void fake_nvme_wd_arm(uint64_t period_ns)
{
	fnv.wd_period = period_ns;
	fnv.wd_last = fnv.now;
}

void fake_nvme_wd_kick(void *arg)
{
	(void)arg;
	fnv.kicks++;
	fnv.wd_last = fnv.now;
}

/* ---- the runtime calls the driver makes ---- */

uint64_t hv_time(void) { return fnv.now; }

int64_t hv_yield(void)
{
	fnv.yields++;
	fnv.now += fnv.yield_ns;
	if (fnv.wd_period && fnv.now - fnv.wd_last > fnv.wd_period)
		fnv.wd_expired = 1;
	fake_nvme_step();
	return 0;
}

int64_t hv_pci_cfg_read(uint32_t dev, uint32_t off, uint32_t size)
{
	if (dev != 0 || size != 4)
		return -1;
	return off == 0x08 ? 0x01080200 : 0;    /* class 01:08:02, NVM Express */
}

int64_t hv_pci_cfg_write(uint32_t dev, uint32_t off, uint32_t size, uint32_t val)
{
	(void)off, (void)size, (void)val;
	return dev == 0 ? 0 : -1;
}

int64_t hv_device_irq_bind(uint32_t dev)
{
	(void)dev;
	return -1;                              /* polling */
}
