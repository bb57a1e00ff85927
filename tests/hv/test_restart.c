/* Supervision: a driver domain configured with `restart yes` is rebuilt after
 * every kind of failure (its device reset and assigned again), the hang
 * watchdog notices a domain that stops kicking, a bystander keeps running,
 * and nothing leaks across restarts. */
#include "hv/arch.h"
#include "hv/domain.h"
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/pci.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "tests_util.h"

struct nth { struct domain *d; uint64_t n; };

static int restarted(void *arg)
{
	const struct nth *w = arg;

	return supervise_restarts(w->d->id) >= w->n && domain_alive(w->d);
}

static enum sched_stop_why run_until_restart(struct domain *d, uint64_t n)
{
	struct nth w = { d, n };

	return sched_run(restarted, &w, TU_SECONDS(30));
}

HVTEST(restart_kinds)
{
	uint64_t before = mm_free_frames();
	struct domain *dd = hvtest_create("netdd"), *by = hvtest_create("bystander");
	const struct pci_dev *nic = pci_find(0x8086, 0x100e);
	static const char *const causes[] = {
		"guest reported a crash (code 270)",    /* #PF (vector 14) in the guest */
		"triple fault", "watchdog: no kick for 100 ms",
		"write outside its memory at gpa 0x3f800000", "guest reported a crash (code 7)",
	};
	uint64_t ticks0 = by->vcpu.hypercalls;

	for (unsigned i = 0; i < 5; i++) {
		EXPECT_EQ(run_until_restart(dd, i + 1), SCHED_UNTIL_MET);
		const struct restart_record *r = supervise_last(dd->id);
		EXPECT(r && tu_contains(r->cause, causes[i]));
		if (r && !tu_contains(r->cause, causes[i]))
			printk("hvtest: restart %u cause '%s', want '%s'\n", i + 1, r->cause, causes[i]);
		EXPECT(r && r->detected < r->reset && r->reset < r->started);
		EXPECT(nic && nic->owner == dd->id);    /* assigned again */
		EXPECT(domain_alive(by));
		EXPECT(by->vcpu.hypercalls > ticks0);   /* it made progress meanwhile */
		ticks0 = by->vcpu.hypercalls;
	}
	EXPECT_EQ(tu_run_until_exit(dd, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(dd, 0);
	EXPECT_EQ(dd->generation, 6);
	domain_destroy(dd);
	domain_destroy(by);
	EXPECT(nic && nic->owner == 0);
	/* The IOMMU's context table for the NIC's bus stays allocated after the
	 * first assignment; nothing else may be missing. */
	EXPECT(mm_free_frames() + 1 >= before);
}

/* Free frames while incarnation 2 runs and while incarnation 21 runs: the
 * same state, so the same count. */
HVTEST(restart_20)
{
	struct domain *dd = hvtest_create("netdd");

	EXPECT_EQ(run_until_restart(dd, 1), SCHED_UNTIL_MET);
	uint64_t first = mm_free_frames();
	EXPECT_EQ(run_until_restart(dd, 20), SCHED_UNTIL_MET);
	uint64_t last = mm_free_frames();
	EXPECT_EQ(last, first);
	EXPECT_EQ(tu_run_until_exit(dd, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(dd, 0);
	EXPECT_EQ(supervise_restarts(dd->id), 20);
	domain_destroy(dd);
	printk("hvtest: 20 restarts, free frames %lu after the first and %lu after the last\n",
	       first, last);
}

static int given_up(void *arg)
{
	return supervise_given_up(((struct domain *)arg)->id);
}

/* The restart policy: three restarts with doubling delays, then given up;
 * the client is told, the bystander never stops. */
HVTEST(restart_policy)
{
	struct domain *client = hvtest_create("client"), *dd = hvtest_create("netdd");
	struct domain *by = hvtest_create("bystander");
	uint64_t by0 = by->vcpu.hypercalls;

	EXPECT_EQ(sched_run(given_up, dd, TU_SECONDS(60)), SCHED_UNTIL_MET);
	EXPECT_EQ(supervise_restarts(dd->id), 3);
	EXPECT_EQ(dd->generation, 4);
	EXPECT_EQ(dd->state, DOM_CRASHED);
	const struct restart_record *r = supervise_last(dd->id);
	EXPECT(r && r->backoff == 80000000ull);         /* 20 ms, 40 ms, 80 ms */
	EXPECT(r && r->started - r->detected >= r->backoff);
	EXPECT_EQ(tu_run_until_dead(client, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_exit(client, 0);
	EXPECT_EQ(dd->state, DOM_CRASHED);              /* stays down */
	EXPECT_EQ(supervise_restarts(dd->id), 3);
	EXPECT(domain_alive(by) && by->vcpu.hypercalls > by0);
	domain_destroy(by);
	domain_destroy(dd);
	domain_destroy(client);
}

/* Watch a restart of 'big' from the scheduler loop: how many times the
 * bystander entered the hypervisor while 'big' was torn down and rebuilt. */
struct rebuild_watch {
	struct domain *big, *by;
	int in_restart;
	uint64_t by_at_start, fewest, restarts_seen;
};

static int big_exited(void *arg)
{
	struct rebuild_watch *w = arg;
	int now = supervise_restarting(w->big->id);

	if (now && !w->in_restart)
		w->by_at_start = w->by->vcpu.exits;
	if (!now && w->in_restart) {
		uint64_t n = w->by->vcpu.exits - w->by_at_start;
		w->fewest = w->restarts_seen++ ? (n < w->fewest ? n : w->fewest) : n;
	}
	w->in_restart = now;
	return w->big->state == DOM_DEAD;
}

/* A 128 MiB domain is torn down and rebuilt twice (about 250 ms of work each
 * under TCG) while a bystander sleeps 10 ms at a time: the restart runs in
 * bounded steps, so the bystander keeps getting the CPU during each one. */
HVTEST(restart_big)
{
	struct domain *big = hvtest_create("big"), *by = hvtest_create("bystander");
	struct rebuild_watch w = { big, by, 0, 0, 0, 0 };

	EXPECT_EQ(sched_run(big_exited, &w, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(big, 0);
	EXPECT_EQ(supervise_restarts(big->id), 2);
	EXPECT_EQ(w.restarts_seen, 2);
	printk("hvtest: bystander ran %lu times (fewest) during a 128 MiB restart\n", w.fewest);
	EXPECT(w.fewest >= 5);
	EXPECT(domain_alive(by));
	domain_destroy(big);
	domain_destroy(by);
}

/* e1000 registers a driver programs at init, and their values after reset. */
static const struct { uint16_t off; const char *name; } nic_regs[] = {
	{ 0x2800, "RDBAL" }, { 0x2804, "RDBAH" }, { 0x2808, "RDLEN" }, { 0x2818, "RDT" },
	{ 0x3800, "TDBAL" }, { 0x3808, "TDLEN" }, { 0x0100, "RCTL" }, { 0x0400, "TCTL" },
	{ 0x00d0, "IMS" },
};
#define NIC_RDBAL 0
#define NIC_RCTL  6
#define NIC_IMS   8
#define NREGS (sizeof(nic_regs) / sizeof(nic_regs[0]))

/* Read the registers with memory decoding on just for the look. */
static void nic_snapshot(const struct pci_dev *p, uint32_t *v)
{
	uint32_t cmd = pci_read32(p->bus, p->dev, p->fn, 0x04) & 0xffff;

	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd | 0x2);
	for (unsigned i = 0; i < NREGS; i++)
		v[i] = mmio_read32_pa(p->bar[0].base + nic_regs[i].off);
	pci_write32(p->bus, p->dev, p->fn, 0x04, cmd);
}

/*
 * The device a dead driver leaves behind is reset by the hypervisor itself,
 * before any new driver touches it (a new e1000 driver resets the card at
 * init anyway, which would hide a missing reset): the rings, receive and
 * transmit enables and interrupt mask it programmed are back to defaults,
 * decoding and bus mastering are off, and the BARs are where the hypervisor
 * put them at boot.
 */
HVTEST(nic_reset)
{
	struct domain *dd = hvtest_create("netdd"), *cl = hvtest_create("client1");
	const struct pci_dev *nic = pci_find(0x8086, 0x100e);
	uint32_t before[NREGS], after[NREGS];

	EXPECT(nic && nic->owner == dd->id && !(dd->cfg.flags & BOOTCFG_F_RESTART));
	if (!nic)
		return;
	EXPECT_EQ(arch_map_mmio(nic->bar[0].base, 0x4000), 0);
	EXPECT_EQ(tu_run_until_dead(dd, TU_SECONDS(30)), SCHED_UNTIL_MET);
	tu_expect_crash(dd, "guest reported a crash");     /* crash=pf after its init */

	/* What the driver left programmed: the test means something only if so. */
	nic_snapshot(nic, before);
	EXPECT(before[NIC_RDBAL] != 0);
	EXPECT(before[NIC_RCTL] & 0x2);                     /* RCTL.EN */
	EXPECT(before[NIC_IMS] != 0);
	EXPECT((pci_read32(nic->bus, nic->dev, nic->fn, 0x04) & 0x6) == 0x6);

	domain_destroy(dd);
	EXPECT(nic->owner == 0);
	uint32_t cmd = pci_read32(nic->bus, nic->dev, nic->fn, 0x04) & 0xffff;
	EXPECT_EQ(cmd & 0x7, 0);                            /* no decoding, no bus master */
	for (unsigned b = 0; b < PCI_BARS; b++)
		if (nic->bar[b].size && !nic->bar[b].is_io)
			EXPECT_EQ(pci_read32(nic->bus, nic->dev, nic->fn, (uint16_t)(0x10 + 4 * b)) &
				  ~0xfu, (uint32_t)nic->bar[b].base);
	nic_snapshot(nic, after);
	for (unsigned i = 0; i < NREGS; i++) {
		printk("hvtest: e1000 %s 0x%x left by the driver, 0x%x after release\n",
		       nic_regs[i].name, before[i], after[i]);
		EXPECT_EQ(after[i], 0);
	}
	domain_destroy(cl);
}

/* A backend given up by its restart policy: the client's netfront reads
 * REG_FAILED, stops waiting and the client ends (exit 2), never hangs. */
HVTEST(net_backend_gone)
{
	struct domain *dd = hvtest_create("netdd"), *cl = hvtest_create("client1");

	EXPECT_EQ(tu_run_until_dead(cl, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(cl, 2);
	EXPECT(supervise_given_up(dd->id));
	EXPECT_EQ(supervise_restarts(dd->id), 3);
	EXPECT_EQ(dd->state, DOM_CRASHED);
	EXPECT(pci_find(0x8086, 0x100e)->owner == 0);   /* its NIC released and reset */
	domain_destroy(cl);
	domain_destroy(dd);
}

static int restarting(void *arg)
{
	return supervise_restarting(((struct domain *)arg)->id);
}

/* A domain destroyed while its restart is under way: the slot's next domain
 * starts clean (no leftover step frees its RAM, its restart count is its
 * own) and is supervised like any other. */
HVTEST(restart_destroy_midway)
{
	struct domain *big = hvtest_create("big"), *by = hvtest_create("bystander");
	uint32_t id = big->id;

	EXPECT_EQ(sched_run(restarting, big, TU_SECONDS(60)), SCHED_UNTIL_MET);
	domain_destroy(big);
	EXPECT(!supervise_restarting(id));
	struct domain *again = hvtest_create("big");    /* same slot, generation 2 */
	EXPECT_EQ(again->id, id);
	EXPECT_EQ(tu_run_until_exit(again, TU_SECONDS(120)), SCHED_UNTIL_MET);
	tu_expect_exit(again, 0);                       /* crashed once more, restarted */
	EXPECT_EQ(supervise_restarts(id), 1);
	EXPECT(domain_alive(by));
	domain_destroy(again);
	domain_destroy(by);
}

/* Blocked for good with a watchdog armed: killed as hung and restarted. */
HVTEST(watchdog_blocked)
{
	struct domain *dd = hvtest_create("netdd"), *by = hvtest_create("bystander");

	EXPECT_EQ(tu_run_until_exit(dd, TU_SECONDS(60)), SCHED_UNTIL_MET);
	tu_expect_exit(dd, 0);
	EXPECT_EQ(supervise_restarts(dd->id), 1);
	const struct restart_record *r = supervise_last(dd->id);
	EXPECT(r && tu_contains(r->cause, "watchdog: no kick for 100 ms"));
	EXPECT(domain_alive(by));
	domain_destroy(dd);
	domain_destroy(by);
}
