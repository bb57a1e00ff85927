/*
 * The fault-injection campaign's boot (tools/campaign.py). TARGET=nic
 * (hvtest fi_nic, scenario tests/qemu/fi_nic.scn): runs the scenario until
 * every client has stopped (the host sends the quit datagram once the fault
 * plan is done). TARGET=disk (hvtest fi_disk, tests/qemu/fi_disk.scn): each
 * diskverify client is given until_gen=K+1 (K: the plan's faults, one per
 * driver generation), so it works until the driver's last planned
 * generation has ended, then verifies and exits; the test runs until the
 * plan is done and every client has exited. Either way, whatever the
 * faulted driver does meanwhile, it prints the facts the campaign's
 * classifier (tools/faultinject/classify.py) reads:
 *
 *   hvtest: fi gen G bystander NAME longest pause N ms   one per driver generation
 *   hvtest: fi final NAME generation G state S            one per domain
 *
 * A bystander pause is charged to the driver generation current when the
 * pause began (the generation whose failure or restart may have caused it).
 * The test judges nothing else: the runner decides each fault's outcome.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/faultinject.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "fmt.h"
#include "tests_util.h"

#define FI_GENS 1024            /* plans reach generation 1000 at most */

struct fi_watch {
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *driver, *bystander;
	uint64_t last_calls, last_change, last_gen;
	uint64_t max_gap[FI_GENS];
	int wait_plan;          /* also wait for the fault plan to be done */
};

static int fi_is_client(const struct domain *d)
{
	return !strcmp(d->cfg.image, "udpecho") || !strcmp(d->cfg.image, "diskverify");
}

static uint64_t driver_gen(const struct fi_watch *w)
{
	uint64_t g = w->driver ? w->driver->generation : 0;

	return g < FI_GENS ? g : FI_GENS - 1;
}

static void note_gap(struct fi_watch *w, uint64_t now)
{
	if (w->last_change && now - w->last_change > w->max_gap[w->last_gen])
		w->max_gap[w->last_gen] = now - w->last_change;
}

static int fi_clients_done(void *arg)
{
	struct fi_watch *w = arg;
	uint64_t now = arch_time_ns();
	int done = 1;

	if (w->bystander && w->bystander->vcpu.hypercalls != w->last_calls) {
		note_gap(w, now);
		w->last_calls = w->bystander->vcpu.hypercalls;
		w->last_change = now;
		w->last_gen = driver_gen(w);
	}
	for (unsigned i = 0; i < w->n; i++)
		if (fi_is_client(w->doms[i]))
			done &= !domain_alive(w->doms[i]);
	return done && (!w->wait_plan || fi_plan_done());
}

/* A diskverify client's arguments with until_gen=K+1 appended (TARGET=disk). */
static const struct bootcfg_domain *fi_client_cfg(const struct bootcfg_domain *cfg, int disk)
{
	static struct bootcfg_domain c;

	if (!disk || strcmp(cfg->image, "diskverify"))
		return cfg;
	c = *cfg;
	fmt_snprintf(c.args, sizeof(c.args), "%s until_gen=%u", cfg->args, fi_count() + 1);
	return &c;
}

static void fi_run(int disk)
{
	static struct fi_watch w;
	const struct bootcfg_header *h = boot_cfg();

	w.wait_plan = disk;
	for (unsigned i = 0; h && i < h->ndomains && i < BOOTCFG_MAX_DOMAINS; i++) {
		const struct bootcfg_domain *cfg = fi_client_cfg(boot_cfg_domain(i), disk);
		EXPECT_EQ(domain_create(cfg, boot_module(cfg->image), &w.doms[w.n]), 0);
		if (cfg->role == BOOTCFG_ROLE_DRIVER)
			w.driver = w.doms[w.n];
		if (!strcmp(cfg->image, "ticker"))
			w.bystander = w.doms[w.n];
		w.n++;
	}
	EXPECT_EQ(sched_run(fi_clients_done, &w, TU_SECONDS(3600)), SCHED_UNTIL_MET);
	note_gap(&w, arch_time_ns());   /* a bystander that stopped for good */
	for (uint64_t g = 1; w.bystander && g < FI_GENS && g <= driver_gen(&w); g++)
		printk("hvtest: fi gen %lu bystander %s longest pause %lu ms\n", g,
		       w.bystander->cfg.name, w.max_gap[g] / 1000000);
	for (unsigned i = 0; i < w.n; i++)
		printk("hvtest: fi final %s generation %lu state %s\n", w.doms[i]->cfg.name,
		       w.doms[i]->generation, domain_state_name(w.doms[i]->state));
}

HVTEST(fi_nic)
{
	fi_run(0);
}

HVTEST(fi_disk)
{
	fi_run(1);
}
