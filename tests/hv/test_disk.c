/*
 * The disk path end to end: client VMs running diskverify reach the NVMe
 * only through the disk driver domain (diskdd: the NVMe driver and blkback).
 * The scenario ends when every diskverify client has exited; each must exit 0
 * (no error, no lost acknowledged write, no corrupt sector) in its first
 * generation. A driver told to crash (crash=KIND after=N crash_gens=K) must
 * be restarted exactly K times, for the cause the hypervisor itself saw, while
 * a bystander (ticker) keeps ticking; after several restarts the free frame
 * count is back where it was after the first.
 */
#include "fmt.h"
#include "kstring.h"
#include "kvargs.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "tests_util.h"

struct disk_watch {
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *bystander, *driver;
	uint64_t last_calls, last_change, max_gap;
	uint64_t frames_at_first_restart, frames_at_last_restart, restarts_wanted;
};

/* Clients whose exit (code 0) ends the scenario. */
static int is_client(const struct domain *d)
{
	return !strcmp(d->cfg.image, "diskverify") || !strcmp(d->cfg.image, "diskbadfront");
}

static int clients_done(void *arg)
{
	struct disk_watch *w = arg;
	uint64_t now = arch_time_ns();
	int done = 1;

	if (w->bystander && w->bystander->vcpu.hypercalls != w->last_calls) {
		if (w->last_change && now - w->last_change > w->max_gap)
			w->max_gap = now - w->last_change;
		w->last_calls = w->bystander->vcpu.hypercalls;
		w->last_change = now;
	}
	if (w->driver && domain_alive(w->driver)) {
		uint64_t r = supervise_restarts(w->driver->id);
		if (r == 1 && !w->frames_at_first_restart)
			w->frames_at_first_restart = mm_free_frames();
		if (r == w->restarts_wanted && r > 1 && !w->frames_at_last_restart)
			w->frames_at_last_restart = mm_free_frames();
	}
	for (unsigned i = 0; i < w->n; i++)
		if (is_client(w->doms[i]))
			done &= w->doms[i]->state == DOM_DEAD || w->doms[i]->state == DOM_CRASHED;
	return done;
}

static uint64_t arg_u64(const struct domain *d, const char *key)
{
	char buf[24];
	uint64_t v = 0;

	if (!kv_copy(d->cfg.args, key, buf, sizeof(buf)))
		return 0;
	for (const char *c = buf; *c >= '0' && *c <= '9'; c++)
		v = v * 10 + (uint64_t)(*c - '0');
	return v;
}

/* cause: what the last restart's record must say; dma: the driver gets a
 * hypervisor page as dma_at= and its NVMe's write there must fault. */
static void disk_scenario(const char *cause, int dma)
{
	static struct disk_watch w;
	static uint8_t copy[4096];
	const struct bootcfg_header *h = boot_cfg();
	uint64_t target = dma ? tu_alloc_frame_above(16ull << 20) : 0;
	uint8_t *tp = target ? phys_to_virt(target) : 0;

	for (unsigned i = 0; tp && i < 4096; i++)
		tp[i] = (uint8_t)(i * 13 + 1);
	if (tp)
		memcpy(copy, tp, 4096);
	for (unsigned i = 0; h && i < h->ndomains && i < BOOTCFG_MAX_DOMAINS; i++) {
		struct bootcfg_domain cfg = *boot_cfg_domain(i);
		size_t len = strlen(cfg.args);
		if (target && cfg.role == BOOTCFG_ROLE_DRIVER)
			fmt_snprintf(cfg.args + len, sizeof(cfg.args) - len, " dma_at=0x%lx", target);
		EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &w.doms[w.n]), 0);
		if (!strcmp(cfg.image, "ticker"))
			w.bystander = w.doms[w.n];
		if (cfg.role == BOOTCFG_ROLE_DRIVER)
			w.driver = w.doms[w.n];
		w.n++;
	}
	size_t vlen;
	w.restarts_wanted = w.driver && kv_find(w.driver->cfg.args, "crash", &vlen) ?
			    (arg_u64(w.driver, "crash_gens") ? arg_u64(w.driver, "crash_gens") : 1) : 0;
	EXPECT_EQ(sched_run(clients_done, &w, TU_SECONDS(280)), SCHED_UNTIL_MET);
	for (unsigned i = 0; i < w.n; i++) {
		struct domain *d = w.doms[i];
		printk("hvtest: counters %s: exits %lu hypercalls %lu events_sent %lu "
		       "events_received %lu\n", d->cfg.name, d->vcpu.exits, d->vcpu.hypercalls,
		       d->events_sent, d->events_received);
		if (is_client(d)) {
			tu_expect_exit(d, 0);
			EXPECT_EQ(d->generation, 1);        /* never restarted */
		}
	}
	if (w.driver) {
		EXPECT(domain_alive(w.driver));
		EXPECT_EQ(supervise_restarts(w.driver->id), w.restarts_wanted);
		printk("hvtest: driver %s: %lu restarts, generation %lu\n", w.driver->cfg.name,
		       supervise_restarts(w.driver->id), w.driver->generation);
	}
	if (w.bystander) {
		EXPECT(domain_alive(w.bystander));
		printk("hvtest: bystander longest pause %lu ms\n", w.max_gap / 1000000);
		EXPECT(w.max_gap < 1000000000ull);
	}
	if (cause && w.driver) {
		const struct restart_record *r = supervise_last(w.driver->id);
		char want[96];
		if (target) {       /* the IOMMU's record: the NVMe's source id, the target's page */
			fmt_snprintf(want, sizeof(want), "DMA fault: device 02:00.0 write at 0x%lx",
				     target);
			cause = want;
			EXPECT(target >= w.driver->mem_bytes);
		}
		printk("hvtest: restart cause '%s', expected '%s'\n", r ? r->cause : "(none)", cause);
		EXPECT(r && tu_contains(r->cause, cause));
	}
	if (tp) {
		EXPECT(!memcmp(tp, copy, 4096));        /* the NVMe's write never landed */
		mm_free_frame(target);
	}
	if (w.restarts_wanted > 1) {
		printk("hvtest: free frames %lu after restart 1, %lu after restart %lu\n",
		       w.frames_at_first_restart, w.frames_at_last_restart, w.restarts_wanted);
		EXPECT(w.frames_at_first_restart != 0);
		EXPECT_EQ(w.frames_at_last_restart, w.frames_at_first_restart);
	}
}

HVTEST(disk_rw) { disk_scenario(0, 0); }
HVTEST(disk_two_clients) { disk_scenario(0, 0); }
HVTEST(disk_crash_pf) { disk_scenario("guest reported a crash (code 270)", 0); }
HVTEST(disk_crash_triple) { disk_scenario("triple fault", 0); }
HVTEST(disk_crash_hang) { disk_scenario("watchdog: no kick", 0); }
HVTEST(disk_crash_dma) { disk_scenario("DMA fault", 1); }
HVTEST(disk_restart_20) { disk_scenario(0, 0); }
HVTEST(disk_power_cycle) { disk_scenario(0, 0); }
HVTEST(disk_hostile_back) { disk_scenario(0, 0); }
HVTEST(disk_hostile_front) { disk_scenario(0, 0); }
HVTEST(disk_crash_idt) { disk_scenario("triple fault", 0); }
