/*
 * The fault-injection campaign's boot (tools/campaign.py, TARGET=nic;
 * scenario tests/qemu/fi_nic.scn): runs the scenario until every client has
 * stopped (the host sends the quit datagram once the fault plan is done),
 * whatever the faulted driver does meanwhile, and prints the facts the
 * campaign's classifier (tools/faultinject/classify.py) reads:
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
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "tests_util.h"

#define FI_GENS 1024            /* plans reach generation 1000 at most */

struct fi_watch {
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *driver, *bystander;
	uint64_t last_calls, last_change, last_gen;
	uint64_t max_gap[FI_GENS];
};

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
		if (!strcmp(w->doms[i]->cfg.image, "udpecho"))
			done &= !domain_alive(w->doms[i]);
	return done;
}

HVTEST(fi_nic)
{
	static struct fi_watch w;
	const struct bootcfg_header *h = boot_cfg();

	for (unsigned i = 0; h && i < h->ndomains && i < BOOTCFG_MAX_DOMAINS; i++) {
		const struct bootcfg_domain *cfg = boot_cfg_domain(i);
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
