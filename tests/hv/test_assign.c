/* Device assignment: a driver domain reaches its own device's registers and
 * nothing else; the device is released when the domain goes, and can be
 * driven again by a new incarnation. */
#include "fmt.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/iommu.h"
#include "hv/mm.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/sched.h"
#include "public/guest_layout.h"
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

/* Run the rogue driver with its Identify aimed at 'target'; it must die of it. */
static void rogue_round(uint64_t target, const char *what, const uint8_t *watch,
			const uint8_t *snapshot)
{
	struct bootcfg_domain cfg = *hvtest_cfg("rogue");
	struct domain *r;
	char why[80];

	fmt_snprintf(cfg.args, sizeof(cfg.args), "serial=ddhv0001 model=QEMU_NVMe_Ctrl prp=0x%lx",
		     target);
	EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &r), 0);
	EXPECT_EQ(tu_run_until_dead(r, TU_SECONDS(30)), SCHED_UNTIL_MET);
	fmt_snprintf(why, sizeof(why), "DMA fault: device 02:00.0 write at 0x%lx", target);
	printk("hvtest: rogue DMA at %s: %s\n", what, r->reason);
	tu_expect_crash(r, why);
	EXPECT(!memcmp(watch, snapshot, 4096));
	domain_destroy(r);
	/* Released: reset, so the controller is disabled and cannot master. */
	const struct pci_dev *p = pci_find(0x1b36, 0x0010);
	EXPECT(arch_map_mmio(p->bar[0].base, 0x1000) == 0);
	pci_write32(p->bus, p->dev, p->fn, 0x04, 0x2);              /* decode, to look */
	EXPECT_EQ(mmio_read32_pa(p->bar[0].base + 0x14) & 1, 0);     /* CC.EN */
	EXPECT_EQ(pci_read32(p->bus, p->dev, p->fn, 0x04) & 0x4, 0); /* no bus master */
	pci_write32(p->bus, p->dev, p->fn, 0x04, 0);
}

HVTEST(rogue_dma)
{
	static uint8_t victim_copy[4096], hv_copy[4096];
	struct domain *victim = hvtest_create("victim");
	uint64_t vpa, hvpage = mm_alloc_frame();

	/* A victim page high in its RAM (never touched by the counter) and a
	 * hypervisor page, both filled with a pattern and watched. */
	EXPECT(pt_lookup(&victim->gpt, victim->mem_bytes - 0x2000, &vpa, 0, 0) == 0);
	uint8_t *vp = phys_to_virt(vpa), *hp = phys_to_virt(hvpage);
	for (unsigned i = 0; i < 4096; i++) {
		vp[i] = (uint8_t)(i * 7);
		hp[i] = (uint8_t)(i * 13);
	}
	memcpy(victim_copy, vp, 4096);
	memcpy(hv_copy, hp, 4096);
	EXPECT(vpa >= 0x200000 && hvpage >= 0x200000);    /* outside the rogue's 2 MiB */

	rogue_round(hvpage, "hypervisor memory", hp, hv_copy);
	rogue_round(vpa, "another domain", vp, victim_copy);
	rogue_round(0x3000000, "unmapped space", vp, victim_copy);
	/* Its own shared page: the hypervisor reads the watchdog feed there, so
	 * a device must not be able to keep a hung driver looking alive. */
	rogue_round(GUEST_SHARED_INFO_GPA, "its own shared page", vp, victim_copy);
	EXPECT(domain_alive(victim));
	EXPECT(!memcmp(hp, hv_copy, 4096));

	/* The device works again for a well-behaved driver. */
	struct domain *good = hvtest_create("rogue");      /* its own args: no prp */
	EXPECT_EQ(tu_run_until_dead(good, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(good, 0);
	domain_destroy(good);
	domain_destroy(victim);
	mm_free_frame(hvpage);
}

HVTEST(nvme_irq)
{
	struct domain *d = hvtest_create("diskdd");
	struct vtd_fault f;

	EXPECT_EQ(tu_run_until_dead(d, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(d, 0);
	EXPECT(d->events_received >= 1);
	EXPECT(!vtd_take_fault(0, &f));     /* the remapped interrupt was allowed */
	domain_destroy(d);
	/* A second incarnation binds again, reusing the device's vector. */
	d = hvtest_create("diskdd");
	EXPECT_EQ(tu_run_until_dead(d, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(d, 0);
	domain_destroy(d);
}

/* The e1000 has no MSI: its INTx line goes through the I/O APIC and a
 * remapping entry that only the I/O APIC may use; a second incarnation binds
 * it again after the device reset. */
HVTEST(e1000_intx)
{
	struct vtd_fault f;

	for (int round = 0; round < 2; round++) {
		struct domain *d = hvtest_create("netdd");
		EXPECT_EQ(tu_run_until_dead(d, TU_SECONDS(60)), SCHED_UNTIL_MET);
		tu_expect_exit(d, 0);
		EXPECT(d->events_received >= 20);
		EXPECT(!vtd_take_fault(0, &f));
		domain_destroy(d);
	}
}

static int irq_bound(void *arg)
{
	return ((const struct pci_dev *)arg)->irq_port != 0;
}

static int got_event(void *arg)
{
	return ((const struct domain *)arg)->events_received > 0;
}

/* Aim p's MSI-X entry 0 at remapping entry 'index' in remappable format. */
static void aim_msix(const struct pci_dev *p, unsigned index)
{
	unsigned cap = tu_msix_cap(p);
	uint32_t tbl = cap ? pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4)) : 0;
	uint64_t e = p->bar[tbl & 7].base + (tbl & ~7u);

	EXPECT(cap && arch_map_mmio(e, 16) == 0);
	if (!cap)
		return;
	printk("hvtest: NVMe MSI-X entry 0 was 0x%x/0x%x, now aimed at remapping entry %u\n",
	       mmio_read32_pa(e), mmio_read32_pa(e + 8), index);
	mmio_write32_pa(e, 0xfee00000u | (index & 0x7fff) << 5 | 1u << 4 | (index >> 15 & 1) << 2);
	mmio_write32_pa(e + 4, 0);
	mmio_write32_pa(e + 8, 0);                      /* no subhandle */
}

/*
 * A remappable-format interrupt from the wrong requester: the NVMe's MSI-X
 * entry 0 (which its driver cannot reach: the table page is withheld) is
 * aimed by the test at the remapping entry the hypervisor made for the
 * e1000's INTx, as a device with a corrupted table would do. The entry only
 * admits the I/O APIC's requester id, so the IOMMU must drop the NVMe's
 * completion interrupt and the e1000's owner must see nothing. The forger
 * first gets its own completion interrupt, so the path works.
 */
HVTEST(irq_wrong_source)
{
	const struct pci_dev *nic = pci_find(0x8086, 0x100e), *nvme = pci_find(0x1b36, 0x0010);
	struct domain *victim = hvtest_create("netdd"), *f;

	EXPECT(nic && nvme && nic->owner == victim->id);
	if (!nic || !nvme)
		return;
	EXPECT_EQ(sched_run(irq_bound, (void *)nic, TU_SECONDS(30)), SCHED_UNTIL_MET);
	uint64_t before = victim->events_received;
	f = hvtest_create("forger");
	EXPECT_EQ(sched_run(got_event, f, TU_SECONDS(30)), SCHED_UNTIL_MET);   /* its own irq */
	aim_msix(nvme, (unsigned)(nic - pci_devs));     /* the e1000's entry (hv/devirq.c) */
	EXPECT_EQ(tu_run_until_dead(f, TU_SECONDS(60)), SCHED_UNTIL_MET);
	/* QEMU 7.2 drops it without a fault record; a unit that records the
	 * source-id fault may have the hypervisor kill the forger for it. */
	if (f->state == DOM_CRASHED) {
		printk("hvtest: forger killed: %s\n", f->reason);
		EXPECT(tu_contains(f->reason, "02:00.0"));
		EXPECT(!tu_contains(f->reason, "MSI-X"));
	} else {
		tu_expect_exit(f, 0);
	}
	printk("hvtest: e1000 owner: %lu events before the forgery, %lu after\n", before,
	       victim->events_received);
	EXPECT_EQ(victim->events_received, before);
	EXPECT(domain_alive(victim));
	domain_destroy(f);
	domain_destroy(victim);
}
