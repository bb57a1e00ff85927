/* Platform discovery on q35 + intel-iommu + root ports + e1000 + nvme. */
#include "hv/hvtest.h"
#include "hv/iommu.h"
#include "hv/pci.h"
#include "hv/platform.h"
#include "hv/printk.h"

HVTEST(pci_enum)
{
	EXPECT(platform.have_mcfg);
	EXPECT_EQ(platform.mcfg.base, 0xb0000000);
	EXPECT(platform.have_dmar);
	EXPECT_EQ(platform.dmar.ndrhd, 1);
	EXPECT_EQ(platform.dmar.drhd[0].base, 0xfed90000);
	EXPECT_EQ(platform.dmar.haw, 39);

	const struct pci_dev *nic = pci_find(0x8086, 0x100e), *disk = pci_find(0x1b36, 0x0010);
	EXPECT(nic != 0);
	EXPECT(disk != 0);
	if (!nic || !disk)
		return;
	/* each behind its own root port, on a bus of its own */
	EXPECT(nic->bus != 0 && disk->bus != 0 && nic->bus != disk->bus);
	EXPECT(nic->parent >= 0 && disk->parent >= 0 && nic->parent != disk->parent);
	if (nic->parent >= 0)
		EXPECT_EQ(pci_devs[nic->parent].header_type, 1);
	EXPECT_EQ(nic->class >> 8, 0x0200);           /* Ethernet controller */
	EXPECT_EQ(disk->class, 0x010802);             /* NVMe */
	EXPECT(!nic->bar[0].is_io);
	EXPECT_EQ(nic->bar[0].size, 0x20000);         /* 82540EM: 128 KiB registers */
	EXPECT(nic->bar[0].base != 0);
	EXPECT(!disk->bar[0].is_io && disk->bar[0].is_64);
	EXPECT(disk->bar[0].size >= 0x2000);
}


HVTEST(vtd_default_deny)
{
	EXPECT(platform.have_dmar);
	EXPECT(iommu_enabled());
	EXPECT(vtd_status(0) & (1u << 31));     /* GSTS.TES: translation on */
	EXPECT(vtd_status(0) & (1u << 30));     /* GSTS.RTPS: our root table in use */
	EXPECT(vtd_status(0) & (1u << 25));     /* GSTS.IRES: interrupt remapping on */
	EXPECT(vtd_status(0) & (1u << 24));     /* GSTS.IRTPS: our (empty) table */
	EXPECT(!(vtd_status(0) & (1u << 23)));  /* GSTS.CFIS clear: compat MSIs blocked */
}

/* Function-level reset: the NVMe offers it (the e1000 has no PCIe capability
 * at all); config state goes back to defaults and the BARs are restored. */
HVTEST(pci_flr)
{
	const struct pci_dev *nic = pci_find(0x8086, 0x100e), *disk = pci_find(0x1b36, 0x0010);

	EXPECT(nic && !pci_can_flr(nic));
	EXPECT(disk && pci_can_flr(disk));
	if (!disk)
		return;
	pci_write32(disk->bus, disk->dev, disk->fn, 0x04, 0x6);        /* MEM + bus master */
	pci_write32(disk->bus, disk->dev, disk->fn, 0x0c, 0x10);       /* cache line size */
	EXPECT_EQ(pci_read32(disk->bus, disk->dev, disk->fn, 0x04) & 0x6, 0x6);
	EXPECT_EQ(pci_flr(disk), 0);
	EXPECT_EQ(pci_read32(disk->bus, disk->dev, disk->fn, 0x04) & 0x7, 0);
	EXPECT_EQ(pci_read32(disk->bus, disk->dev, disk->fn, 0x0c) & 0xff, 0);
	EXPECT_EQ(pci_read32(disk->bus, disk->dev, disk->fn, 0x10) & ~0xfu,
		  (uint32_t)disk->bar[0].base);
	EXPECT_EQ(pci_read32(disk->bus, disk->dev, disk->fn, 0) & 0xffff, 0x1b36);
	EXPECT_EQ(pci_flr(nic), -1);
}
