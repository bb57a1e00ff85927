/*
 * The network path end to end: client VMs (role client) reach the network
 * only through the NIC driver domain; a host load generator (run beside QEMU
 * by tests/run.py) sends UDP datagrams and checks every echo, and ends the
 * run by a datagram to each client's quit port. A driver domain told to crash
 * (args crash=KIND after=N crash_gens=K) must be restarted K times while the
 * clients keep running (generation 1) and a bystander keeps ticking. The
 * restart's cause must name what the hypervisor itself saw (a DMA fault in
 * the IOMMU's records, a triple fault), not what the driver said about itself.
 */
#include "fmt.h"
#include "kstring.h"
#include "kvargs.h"
#include "hv/arch.h"
#include "hv/boot.h"
#include "hv/hvtest.h"
#include "hv/hypercall.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/supervise.h"
#include "tests_util.h"

struct watch {
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *bystander, *driver;
	uint64_t last_calls, last_change, max_gap;
	uint64_t frames_at_first_restart, frames_at_last_restart, restarts_wanted;
};

/* Domains whose exit (code 0) ends the scenario: clients that echo for the
 * host's load generator until its quit datagram (behind netdd, or the
 * direct-assignment baseline), and the hostile frontend's checks. */
static int is_endpoint(const struct domain *d)
{
	return !strcmp(d->cfg.image, "udpecho") || !strcmp(d->cfg.image, "directecho") ||
	       !strcmp(d->cfg.image, "badfront");
}

static int clients_done(void *arg)
{
	struct watch *w = arg;
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
		if (is_endpoint(w->doms[i]))
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

/* What a crash test expects beyond the restarts: the restart's cause, and
 * for dma_target a hypervisor page the driver's NIC is told to write to. */
struct net_expect {
	const char *cause;
	int dma_target;
};

/* Every domain of the scenario; a driver told to crash=dma gets the target's
 * address (host-physical, far outside its own DMA space) as dma_at=. */
static void create_domains(struct watch *w, uint64_t target)
{
	const struct bootcfg_header *h = boot_cfg();

	w->n = 0;
	for (unsigned i = 0; h && i < h->ndomains && i < BOOTCFG_MAX_DOMAINS; i++) {
		struct bootcfg_domain cfg = *boot_cfg_domain(i);
		size_t len = strlen(cfg.args);
		if (target && cfg.role == BOOTCFG_ROLE_DRIVER)
			fmt_snprintf(cfg.args + len, sizeof(cfg.args) - len, " dma_at=0x%lx", target);
		EXPECT_EQ(domain_create(&cfg, boot_module(cfg.image), &w->doms[w->n]), 0);
		w->n++;
	}
}

static void net_scenario(const struct net_expect *x)
{
	static struct watch w;
	static uint8_t copy[4096];
	uint64_t target = x && x->dma_target ? tu_alloc_frame_above(16ull << 20) : 0;
	uint8_t *tp = target ? phys_to_virt(target) : 0;

	for (unsigned i = 0; tp && i < 4096; i++)
		tp[i] = (uint8_t)(i * 13 + 1);
	if (tp)
		memcpy(copy, tp, 4096);
	create_domains(&w, target);
	for (unsigned i = 0; i < w.n; i++) {
		if (!strcmp(w.doms[i]->cfg.image, "ticker"))
			w.bystander = w.doms[i];
		if (w.doms[i]->cfg.role == BOOTCFG_ROLE_DRIVER && !is_endpoint(w.doms[i]))
			w.driver = w.doms[i];
	}
	size_t vlen;
	w.restarts_wanted = w.driver && kv_find(w.driver->cfg.args, "crash", &vlen) ?
			    (arg_u64(w.driver, "crash_gens") ? arg_u64(w.driver, "crash_gens") : 1) : 0;
	EXPECT_EQ(sched_run(clients_done, &w, TU_SECONDS(280)), SCHED_UNTIL_MET);
	/* Counters for the benchmarks (tools/bench_net.py reads these lines). */
	for (unsigned i = 0; i < w.n; i++) {
		struct domain *d = w.doms[i];
		printk("hvtest: counters %s: exits %lu hypercalls %lu events_sent %lu "
		       "events_received %lu\n", d->cfg.name, d->vcpu.exits, d->vcpu.hypercalls,
		       d->events_sent, d->events_received);
		char causes[600];
		exit_causes_format(&d->vcpu, causes, sizeof(causes));
		printk("hvtest: exitcauses %s: %s\n", d->cfg.name, causes);
		printk("hvtest: guesttime %s: run_us=%lu\n", d->cfg.name, d->vcpu.run_ns / 1000);
	}
	printk("hvtest: guesttime idle: idle_us=%lu\n", sched_idle_ns() / 1000);
	for (unsigned i = 0; i < w.n; i++) {
		struct domain *d = w.doms[i];
		if (is_endpoint(d)) {
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
		EXPECT(w.max_gap < 1000000000ull);     /* it kept ticking through every restart */
	}
	if (x && x->cause && w.driver) {
		const struct restart_record *r = supervise_last(w.driver->id);
		char want[96];
		const char *cause = x->cause;
		if (target) {       /* the IOMMU's record: our NIC's source id, the target's page */
			fmt_snprintf(want, sizeof(want), "DMA fault: device 01:00.0 write at 0x%lx",
				     target);
			cause = want;
			EXPECT(target >= w.driver->mem_bytes);  /* outside the driver's DMA space */
		}
		printk("hvtest: restart cause '%s', expected '%s'\n", r ? r->cause : "(none)", cause);
		EXPECT(r && tu_contains(r->cause, cause));
	}
	if (tp) {
		EXPECT(!memcmp(tp, copy, 4096));        /* the NIC's write never landed */
		mm_free_frame(target);
	}
	if (w.restarts_wanted > 1) {
		printk("hvtest: free frames %lu after restart 1, %lu after restart %lu\n",
		       w.frames_at_first_restart, w.frames_at_last_restart, w.restarts_wanted);
		EXPECT(w.frames_at_first_restart != 0);
		EXPECT_EQ(w.frames_at_last_restart, w.frames_at_first_restart);
	}
}

HVTEST(net_ping) { net_scenario(0); }
HVTEST(net_hostile_front) { net_scenario(0); }
HVTEST(net_hostile_back) { net_scenario(0); }
HVTEST(net_echo) { net_scenario(0); }
HVTEST(net_two_clients) { net_scenario(0); }
HVTEST(net_greedy_clients) { net_scenario(0); }
/* A restart for any other cause (a healthy driver killed by its watchdog on a
 * loaded host) fails the test even when the count matches. */
HVTEST(net_crash_pf)
{
	static const struct net_expect x = { "guest reported a crash (code 270)", 0 };
	net_scenario(&x);
}
HVTEST(net_crash_triple)
{
	static const struct net_expect x = { "triple fault", 0 };
	net_scenario(&x);
}
HVTEST(net_crash_hang)
{
	static const struct net_expect x = { "watchdog: no kick", 0 };
	net_scenario(&x);
}
/* Killed by the hypervisor for the IOMMU's fault record naming its NIC and
 * the target page, which stays unchanged. */
HVTEST(net_crash_dma)
{
	static const struct net_expect x = { "DMA fault", 1 };
	net_scenario(&x);
}

/* Its own exception handling wrecked, the driver cannot report anything:
 * the hypervisor sees the triple fault (SHUTDOWN exit) itself. */
HVTEST(net_crash_idt)
{
	static const struct net_expect x = { "triple fault", 0 };
	net_scenario(&x);
}
HVTEST(net_restart_20) { net_scenario(0); }
HVTEST(net_bench) { net_scenario(0); }
