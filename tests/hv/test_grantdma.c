/*
 * Grant mappings in the IOMMU view: a driver domain's device may DMA to a
 * client's page the driver has mapped by grant (zero-copy I/O), may not write
 * a read-only grant's page, and loses the page when it is unmapped. The
 * hypervisor drives the NVMe controller itself with queues in the driver's
 * RAM (DMA addresses are the driver's guest-physical addresses); neither
 * domain runs.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/channel.h"
#include "hv/domain.h"
#include "hv/hvtest.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "public/channel.h"
#include "tests_util.h"
#include "hvnvme.h"

#define ASQ_GPA    0x100000ull          /* in the driver's 2 MiB */
#define ACQ_GPA    0x101000ull
#define CLIENT_GPA 0x200000ull          /* the client's granted pages */
#define MAP_GPA    0x10000000ull        /* where the driver maps them */
#define PATTERN    0x5a

static uint64_t bar;
static uint32_t *sq, *cq;
static unsigned cmds;                   /* commands issued: SQ tail, CQ head */

static void *host_page(struct domain *d, uint64_t gpa)
{
	hpa_t pa;

	BUG_ON(domain_frame_of(d, gpa_of(gpa), &pa));
	return phys_to_virt(pa.v);
}

/* Identify (controller) into DMA address 'prp'. Returns the completion
 * status (0 = success), -1 when none came; a DMA fault is left in *f, *faulted. */
static int identify_into(uint64_t prp, struct vtd_fault *f, int *faulted)
{
	uint32_t *sqe = sq + 16 * cmds;
	const uint32_t *cqe = cq + 4 * cmds;

	memset(sqe, 0, 64);
	sqe[0] = 0x06 | (cmds << 16);   /* Identify, cid */
	sqe[6] = (uint32_t)prp;
	sqe[7] = (uint32_t)(prp >> 32);
	sqe[10] = 1;                    /* CNS 1: controller */
	cmds++;
	nvme_w32(bar, NVME_SQ0TDBL, cmds);
	*faulted = 0;
	int done = 0;
	for (unsigned i = 0; i < 2000000 && !done; i++)
		done = (__atomic_load_n(&cqe[3], __ATOMIC_SEQ_CST) >> 16) & 1;   /* phase 1 */
	while (vtd_take_fault(0, f))
		*faulted = 1;
	if (!done)
		return -1;
	nvme_w32(bar, NVME_CQ0HDBL, cmds);
	return (int)((cqe[3] >> 17) & 0x7fff);
}

static void start_controller(struct domain *drv, const struct pci_dev *p)
{
	bar = p->bar[0].base;
	EXPECT(arch_map_mmio(bar, p->bar[0].size) == 0);
	uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, 0x04);
	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd | 0x6);      /* memory + bus master */
	sq = host_page(drv, ASQ_GPA);
	cq = host_page(drv, ACQ_GPA);
	memset(sq, 0, 4096);
	memset(cq, 0, 4096);
	nvme_w32(bar, NVME_CC, 0);
	EXPECT(nvme_wait_ready(bar, 0) == 0);
	nvme_w32(bar, NVME_AQA, (15u << 16) | 15u);                           /* 16 entries each */
	nvme_w64(bar, NVME_ASQ, ASQ_GPA);
	nvme_w64(bar, NVME_ACQ, ACQ_GPA);
	nvme_w32(bar, NVME_CC, 1u | (6u << 16) | (4u << 20));                  /* EN, 64 B SQE, 16 B CQE */
	EXPECT(nvme_wait_ready(bar, 1) == 0);
}

/* One Identify into the mapping at MAP_GPA, over a page freshly patterned. */
static void round(const char *what, uint8_t *page, int want_written)
{
	struct vtd_fault f = { 0 };
	int faulted;

	memset(page, PATTERN, 4096);
	int st = identify_into(MAP_GPA, &f, &faulted);
	uint16_t vid = (uint16_t)(page[0] | page[1] << 8);
	int written = vid == 0x1b36;
	printk("hvtest: grant_dma: %s: status 0x%x, %s, fault %s (addr 0x%lx %s reason 0x%x)\n",
	       what, st, written ? "page written" : "page unchanged", faulted ? "yes" : "no",
	       f.addr, f.is_read ? "read" : "write", f.reason);
	EXPECT_EQ(written, want_written);
	EXPECT_EQ(faulted, !want_written);
	if (want_written) {
		EXPECT_EQ(st, 0);
	} else {
		/* QEMU 7.2's NVMe completes Identify with success even when its
		 * data write faulted: the fault record and the page tell. */
		EXPECT_EQ(f.addr, MAP_GPA);
		EXPECT(!f.is_read);
		int same = 1;
		for (unsigned i = 0; i < 4096; i++)
			same &= page[i] == PATTERN;
		EXPECT(same);
	}
}

HVTEST(grant_dma)
{
	const struct pci_dev *p = pci_find(0x1b36, 0x0010);
	struct domain *drv = hvtest_create("drv"), *client = hvtest_create("client");
	struct vtd_fault f;

	EXPECT(p && p->owner == drv->id && drv->dma_users == 1);
	if (!p || p->owner != drv->id)
		return;
	while (vtd_take_fault(0, &f))
		;
	start_controller(drv, p);
	uint8_t *rw = host_page(client, CLIENT_GPA), *ro = host_page(client, CLIENT_GPA + 0x1000);
	int64_t g_rw = grant_create(client, gpa_of(CLIENT_GPA), domid_of(drv->id), 0);
	int64_t g_ro = grant_create(client, gpa_of(CLIENT_GPA + 0x1000), domid_of(drv->id),
				    GRANT_READONLY);
	EXPECT(g_rw >= 0 && g_ro >= 0);

	/* The driver's own RAM works (the queues prove it); outside it, nothing. */
	round("unmapped", rw, 0);

	/* A writable grant: the device writes the client's page in place. */
	EXPECT_EQ(grant_map(drv, domid_of(client->id), gref_of((uint32_t)g_rw), gpa_of(MAP_GPA), 0), 0);
	round("writable grant", rw, 1);

	/* A device attached while the grant is mapped sees it too. */
	uint16_t bdf = (uint16_t)(p->bus << 8 | p->dev << 3 | p->fn);
	iommu_detach(drv, bdf);
	EXPECT_EQ(iommu_attach(drv, bdf), 0);
	round("writable grant, device attached after the map", rw, 1);

	/* Unmapped: the same DMA faults and the page stays as it was. */
	EXPECT_EQ(grant_unmap(drv, gpa_of(MAP_GPA)), 0);
	round("after unmap", rw, 0);

	/* A read-only grant: the device may not write it. */
	EXPECT_EQ(grant_map(drv, domid_of(client->id), gref_of((uint32_t)g_ro), gpa_of(MAP_GPA),
			    GRANT_READONLY), 0);
	round("read-only grant", ro, 0);
	EXPECT_EQ(grant_unmap(drv, gpa_of(MAP_GPA)), 0);

	nvme_w32(bar, NVME_CC, 0);
	EXPECT(nvme_wait_ready(bar, 0) == 0);
	domain_destroy(drv);
	domain_destroy(client);
	EXPECT_EQ(grant_orphan_frames(), 0);
}
