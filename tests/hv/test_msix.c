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
#include "hv/sched.h"
#include "tests_util.h"

int arch_map_mmio(uint64_t pa, uint64_t size);

/* The test's own walk of the capability list: it must not trust the code
 * under test to find the table. */
static unsigned msix_cap_of(const struct pci_dev *p)
{
	unsigned off = pci_read32(p->bus, p->dev, p->fn, 0x34) & 0xfc;

	for (int n = 0; off >= 0x40 && n < 48; n++) {
		uint32_t hdr = pci_read32(p->bus, p->dev, p->fn, (uint16_t)off);
		if ((hdr & 0xff) == 0x11)
			return off;
		off = (hdr >> 8) & 0xfc;
	}
	return 0;
}

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
	unsigned cap = p ? msix_cap_of(p) : 0;

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
