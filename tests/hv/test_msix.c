/* The hypervisor owns the MSI-X table and PBA of an assigned device: a driver
 * that binds its interrupt and then reaches for them through its BAR mapping
 * is killed with a reason that says so, the hardware entry 0 keeps the
 * address/data the hypervisor programmed, and an unrelated domain carries on. */
#include "fmt.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/pt.h"
#include "hv/sched.h"
#include "public/guest_layout.h"
#include "tests_util.h"

struct msix_state {
	uint32_t ctl, tbl, pba, entry[4];
};

static void read_state(const struct pci_dev *p, unsigned cap, struct msix_state *s)
{
	s->ctl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)cap);
	s->tbl = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 4));
	s->pba = pci_read32(p->bus, p->dev, p->fn, (uint16_t)(cap + 8));
	uint64_t pa = p->bar[s->tbl & 7].base + (s->tbl & ~7u);
	EXPECT(arch_map_mmio(pa, 16) == 0);
	for (unsigned i = 0; i < 4; i++)
		s->entry[i] = mmio_read32_pa(pa + 4 * i);
}

static int irq_bound(void *arg)
{
	const struct pci_dev *p = arg;
	return p->irq_port != 0;
}

/* One attacker incarnation with mode=MODE; 'why' is the expected kill reason
 * (NULL: it must exit 0). */
static void attack_round(const struct pci_dev *p, unsigned cap, const char *mode, const char *why)
{
	struct bootcfg_domain cfg = *hvtest_cfg("attacker");
	struct msix_state before, after;
	struct domain *a;

	fmt_snprintf(cfg.args, sizeof(cfg.args), "mode=%s", mode);
	EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &a), 0);
	/* Entry 0 as the hypervisor programmed it, before the attack. */
	EXPECT_EQ(sched_run(irq_bound, (void *)p, TU_SECONDS(30)), SCHED_UNTIL_MET);
	read_state(p, cap, &before);
	EXPECT((before.entry[0] & 0xfff00000u) == 0xfee00000u);
	EXPECT(before.entry[0] & 0x10);                 /* remappable format */
	EXPECT_EQ(before.entry[3] & 1, 0);              /* vector unmasked */
	EXPECT_EQ(before.ctl >> 30, 2);                 /* enabled, function not masked */

	EXPECT_EQ(tu_run_until_dead(a, TU_SECONDS(30)), SCHED_UNTIL_MET);
	read_state(p, cap, &after);
	printk("hvtest: msix %s: %s; entry 0 %08x %08x %08x %08x\n", mode, a->reason,
	       after.entry[0], after.entry[1], after.entry[2], after.entry[3]);
	if (why)
		tu_expect_crash(a, why);
	else
		tu_expect_exit(a, 0);
	EXPECT(!memcmp(&before, &after, sizeof(before)));
	domain_destroy(a);
}

HVTEST(msix_attack)
{
	struct domain *by = hvtest_create("bystander");
	const struct pci_dev *p = pci_find(0x1b36, 0x0010);
	unsigned cap = p ? tu_msix_cap(p) : 0;

	EXPECT(p && cap);
	if (!p || !cap)
		return;
	attack_round(p, cap, "write", "write to the MSI-X table of 02:00.0");
	EXPECT(domain_alive(by) || by->state == DOM_DEAD);
	attack_round(p, cap, "read", "read of the MSI-X table of 02:00.0");
	attack_round(p, cap, "last", "write to the MSI-X table of 02:00.0");
	attack_round(p, cap, "slack", "read of the MSI-X table of 02:00.0");
	attack_round(p, cap, "pba", "read of the MSI-X PBA of 02:00.0");
	attack_round(p, cap, "edges", 0);
	EXPECT_EQ(tu_run_until_dead(by, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(by, 0);
	domain_destroy(by);
}

/* Build (without running) a domain from the scenario's config 'name' and
 * return BAR0 as its start info shows it; *pa = what the nested page table
 * maps at that page (0: nothing). NULL domain when the build was refused. */
static struct domain *build(const char *name, uint64_t *gpa, uint64_t *size, uint64_t *pa)
{
	const struct bootcfg_domain *cfg = hvtest_cfg(name);
	struct guest_start_info si;
	struct domain *d;

	*gpa = *size = *pa = 0;
	if (domain_create(cfg, boot_module(cfg->image), &d))
		return 0;
	EXPECT_EQ(guest_copy_from(d, &si, gpa_of(GUEST_START_INFO_GPA), sizeof(si)), 0);
	*gpa = si.devices[0].bar_gpa[0];
	*size = si.devices[0].bar_size[0];
	if (*gpa && pt_lookup(&d->gpt, *gpa & ~0xfffull, pa, 0, 0))
		*pa = 0;
	return d;
}

/* The neighbours of the MSI-X rule, on doctored copies of the PCI records
 * (QEMU's firmware gives every memory BAR a page of its own, so the cases
 * cannot be met on the emulated machine itself): a BAR smaller than a page
 * and not page aligned is mapped by its page when nothing else lies there,
 * and not at all when another function's BAR shares the page; a device whose
 * MSI-X table lies outside its BARs is not assigned. Records are restored
 * before each domain is destroyed (the device reset writes them back). */
HVTEST(small_bars)
{
	struct pci_dev *nic = (struct pci_dev *)pci_find(0x8086, 0x100e);
	struct pci_dev *disk = (struct pci_dev *)pci_find(0x1b36, 0x0010);
	struct pci_dev *other = 0;
	uint64_t gpa, size, pa;
	struct domain *d;

	for (unsigned i = 0; i < pci_ndevs; i++)
		if (&pci_devs[i] != nic && &pci_devs[i] != disk && pci_devs[i].bar[0].size &&
		    !pci_devs[i].bar[0].is_io)
			other = &pci_devs[i];
	EXPECT(nic && disk && other);
	if (!nic || !disk || !other)
		return;
	struct pci_bar nic_bar = nic->bar[0], other_bar = other->bar[0], disk_bar = disk->bar[0];

	/* 0x80 bytes at page offset 0x80, alone in its page: mapped, offset kept. */
	nic->bar[0].base = nic_bar.base + 0x80;
	nic->bar[0].size = 0x80;
	d = build("nic", &gpa, &size, &pa);
	EXPECT(d != 0);
	EXPECT_EQ(gpa & 0xfff, 0x80);
	EXPECT_EQ(size, 0x80);
	EXPECT_EQ(pa, nic_bar.base);
	nic->bar[0] = nic_bar;
	if (d)
		domain_destroy(d);

	/* The same with another function's BAR in that page: left unmapped. */
	nic->bar[0].base = nic_bar.base + 0x80;
	nic->bar[0].size = 0x80;
	other->bar[0].base = nic_bar.base + 0x800;
	other->bar[0].size = 0x100;
	d = build("nic", &gpa, &size, &pa);
	EXPECT(d != 0);
	EXPECT_EQ(gpa, 0);
	EXPECT_EQ(size, 0);
	nic->bar[0] = nic_bar;
	other->bar[0] = other_bar;
	if (d)
		domain_destroy(d);

	/* A full-size BAR overlapped by another function's (misprogrammed): same. */
	other->bar[0].base = nic_bar.base + 0x1000;
	d = build("nic", &gpa, &size, &pa);
	EXPECT(d != 0);
	EXPECT_EQ(gpa, 0);
	other->bar[0] = other_bar;
	if (d)
		domain_destroy(d);

	/* MSI-X table (BAR0+0x2000) beyond a BAR0 shrunk to 8 KiB: not assigned. */
	disk->bar[0].size = 0x2000;
	d = build("disk", &gpa, &size, &pa);
	EXPECT(d == 0);
	disk->bar[0] = disk_bar;
	EXPECT_EQ(disk->owner, 0);
	if (d)
		domain_destroy(d);

	/* Untouched records: both map whole again, the NVMe less its MSI-X pages. */
	d = build("disk", &gpa, &size, &pa);
	EXPECT(d != 0);
	EXPECT_EQ(pa, disk_bar.base);
	EXPECT(d && pt_lookup(&d->gpt, gpa + 0x1000, &pa, 0, 0) == 0);
	EXPECT(d && pt_lookup(&d->gpt, gpa + 0x2000, &pa, 0, 0) != 0);
	EXPECT(d && pt_lookup(&d->gpt, gpa + 0x3000, &pa, 0, 0) != 0);
	if (d)
		domain_destroy(d);
}
