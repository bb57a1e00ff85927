/*
 * Default deny, shown with a real device: the hypervisor starts QEMU's NVMe
 * controller and rings its admin doorbell. With no context entry for the
 * device, its very first DMA (fetching the command) must fault, be recorded
 * with the NVMe's requester id, and the buffer must stay untouched.
 */
#include "hv/arch.h"
#include "hv/hvtest.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/pci.h"
#include "hv/printk.h"


#define NVME_CC    0x14
#define NVME_CSTS  0x1c
#define NVME_AQA   0x24
#define NVME_ASQ   0x28
#define NVME_ACQ   0x30
#define NVME_SQ0TDBL 0x1000

static uint64_t bar;

static uint32_t r32(unsigned off) { return mmio_read32_pa(bar + off); }
static void w32(unsigned off, uint32_t v) { mmio_write32_pa(bar + off, v); }
static void w64(unsigned off, uint64_t v) { w32(off, (uint32_t)v); w32(off + 4, (uint32_t)(v >> 32)); }

static int wait_ready(uint32_t want)
{
	for (unsigned i = 0; i < 10000000; i++)
		if ((r32(NVME_CSTS) & 1) == want)
			return 0;
	return -1;
}

HVTEST(vtd_blocks_dma)
{
	const struct pci_dev *p = pci_find(0x1b36, 0x0010);
	struct vtd_fault f;

	EXPECT(iommu_enabled());
	EXPECT(p != 0);
	if (!p || !iommu_enabled())
		return;
	while (vtd_take_fault(0, &f))   /* start from a clean fault log */
		;
	bar = p->bar[0].base;
	EXPECT(arch_map_mmio(bar, p->bar[0].size) == 0);
	uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, 0x04);
	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd | 0x6);      /* memory + bus master */

	uint64_t asq = mm_alloc_frame(), acq = mm_alloc_frame(), buf = mm_alloc_frame();
	uint32_t *sqe = phys_to_virt(asq);
	w32(NVME_CC, 0);
	EXPECT(wait_ready(0) == 0);
	w32(NVME_AQA, (1u << 16) | 1u);
	w64(NVME_ASQ, asq);
	w64(NVME_ACQ, acq);
	w32(NVME_CC, 1u | (6u << 16) | (4u << 20));                  /* EN, 64 B SQE, 16 B CQE */
	EXPECT(wait_ready(1) == 0);
	sqe[0] = 0x06;                                              /* Identify, cid 0 */
	sqe[6] = (uint32_t)buf;                                     /* PRP1 */
	sqe[7] = (uint32_t)(buf >> 32);
	sqe[10] = 1;                                                /* CNS 1: controller */
	w32(NVME_SQ0TDBL, 1);

	int got = 0;
	for (unsigned i = 0; i < 2000000 && !got; i++)
		got = vtd_take_fault(0, &f);
	EXPECT(got);
	uint16_t sid = (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn);
	printk("hvtest: fault: source %02x:%02x.%x addr 0x%lx %s reason 0x%x\n", f.sid >> 8,
	       (f.sid >> 3) & 0x1f, f.sid & 7, f.addr, f.is_read ? "read" : "write", f.reason);
	EXPECT_EQ(f.sid, sid);
	EXPECT_EQ(f.addr, asq);        /* the command fetch itself was refused */
	EXPECT(f.is_read);
	const uint8_t *b = phys_to_virt(buf);
	int touched = 0;
	for (unsigned i = 0; i < 4096; i++)
		touched |= b[i];
	EXPECT(!touched);
	w32(NVME_CC, 0);
	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd);
}
