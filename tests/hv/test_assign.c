/* Device assignment: a driver domain reaches its own device's registers and
 * nothing else; the device is released when the domain goes, and can be
 * driven again by a new incarnation. */
#include "hv/hvtest.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "tests_util.h"

HVTEST(e1000_mac)
{
	struct domain *d[2];
	unsigned n;
	const struct pci_dev *nic = pci_find(0x8086, 0x100e);

	hvtest_create_all(d, 2, &n);
	EXPECT(nic && nic->owner == d[0]->id);
	EXPECT_EQ(sched_run(0, 0, TU_SECONDS(60)), SCHED_ALL_DONE);
	tu_expect_exit(d[0], 0);
	tu_expect_crash(d[1], "read outside its memory at gpa 0x30000000");
	domain_destroy(d[0]);
	domain_destroy(d[1]);
	EXPECT(nic && nic->owner == 0);
	EXPECT(nic && (pci_read32(nic->bus, nic->dev, nic->fn, 0x04) & 0x4) == 0);  /* no bus master */

	/* A new incarnation gets the device again and reads the same MAC. */
	uint64_t before = mm_free_frames();
	struct domain *again = hvtest_create("netdd");
	EXPECT_EQ(again->generation, 2);
	EXPECT_EQ(tu_run_until_dead(again, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(again, 0);
	domain_destroy(again);
	EXPECT_EQ(mm_free_frames(), before);
}

HVTEST(nvme_identify)
{
	struct domain *d = hvtest_create("diskdd");
	struct vtd_fault f;

	EXPECT_EQ(tu_run_until_dead(d, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(d, 0);
	EXPECT(!vtd_take_fault(0, &f));     /* its DMA stayed inside its own memory */
	domain_destroy(d);
}
