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
#include "hvnvme.h"

static uint64_t bar;

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
	nvme_w32(bar, NVME_CC, 0);
	EXPECT(nvme_wait_ready(bar, 0) == 0);
	nvme_w32(bar, NVME_AQA, (1u << 16) | 1u);
	nvme_w64(bar, NVME_ASQ, asq);
	nvme_w64(bar, NVME_ACQ, acq);
	nvme_w32(bar, NVME_CC, 1u | (6u << 16) | (4u << 20));                  /* EN, 64 B SQE, 16 B CQE */
	EXPECT(nvme_wait_ready(bar, 1) == 0);
	sqe[0] = 0x06;                                              /* Identify, cid 0 */
	sqe[6] = (uint32_t)buf;                                     /* PRP1 */
	sqe[7] = (uint32_t)(buf >> 32);
	sqe[10] = 1;                                                /* CNS 1: controller */
	nvme_w32(bar, NVME_SQ0TDBL, 1);

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
	nvme_w32(bar, NVME_CC, 0);
	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd);
}
