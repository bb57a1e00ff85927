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
#include "tests_util.h"

int arch_map_mmio(uint64_t pa, uint64_t size);

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

/*
 * A forged remappable-format interrupt: the NVMe's owner rewrites its own
 * MSI-X entry (in its BAR) to name the remapping entry the hypervisor made for
 * the e1000's INTx. The entry only admits the I/O APIC's requester id, so the
 * IOMMU must drop the request and the e1000's owner must see nothing. The
 * forger first gets its own completion interrupt, so the path works.
 */
HVTEST(irq_forge)
{
	const struct pci_dev *nic = pci_find(0x8086, 0x100e);
	struct domain *victim = hvtest_create("netdd"), *f;
	struct bootcfg_domain cfg = *hvtest_cfg("forger");

	EXPECT(nic && nic->owner == victim->id);
	if (!nic)
		return;
	EXPECT_EQ(sched_run(irq_bound, (void *)nic, TU_SECONDS(30)), SCHED_UNTIL_MET);
	uint64_t before = victim->events_received;
	unsigned index = (unsigned)(nic - pci_devs);      /* its remapping entry (hv/devirq.c) */
	size_t len = strlen(cfg.args);
	fmt_snprintf(cfg.args + len, sizeof(cfg.args) - len, " forge=%u", index);
	EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &f), 0);
	EXPECT_EQ(tu_run_until_dead(f, TU_SECONDS(60)), SCHED_UNTIL_MET);
	/* QEMU 7.2 drops it without a fault record; a unit that records the
	 * source-id fault may have the hypervisor kill the forger for it. */
	if (f->state == DOM_CRASHED) {
		printk("hvtest: forger killed: %s\n", f->reason);
		EXPECT(tu_contains(f->reason, "02:00.0"));
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
