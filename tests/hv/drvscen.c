/* The end-to-end driver scenarios' harness (tests/hv/drvscen.h). */
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
#include "drvscen.h"
#include "tests_util.h"

struct watch {
	const struct drvscen *s;
	struct domain *doms[BOOTCFG_MAX_DOMAINS];
	unsigned n;
	struct domain *bystander, *driver;
	uint64_t last_calls, last_change, max_gap;
	uint64_t frames_at_first_restart, frames_at_last_restart, restarts_wanted;
};

/* The scheduler's stop condition, also where the bystander's pauses and the
 * free frames after the first and last restart are sampled. */
static int endpoints_done(void *arg)
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
		if (w->s->is_endpoint(w->doms[i]))
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

/* Every domain of the scenario; a driver gets the DMA target's address
 * (host-physical) as dma_at= when there is one. */
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
		if (!strcmp(cfg.image, "ticker"))
			w->bystander = w->doms[w->n];
		if (cfg.role == BOOTCFG_ROLE_DRIVER && !w->s->is_endpoint(w->doms[w->n]))
			w->driver = w->doms[w->n];
		w->n++;
	}
}

/* The restart's cause must name what the hypervisor saw (for a DMA target:
 * the IOMMU's record of the device and the page), not what the driver said. */
static void check_cause(struct watch *w, uint64_t target)
{
	const struct restart_record *r = supervise_last(w->driver->id);
	const char *cause = w->s->cause;
	char want[96];

	if (target) {
		fmt_snprintf(want, sizeof(want), "DMA fault: device %s write at 0x%lx",
			     w->s->dma_device, target);
		cause = want;
		EXPECT(target >= w->driver->mem_bytes);     /* outside the driver's DMA space */
	}
	printk("hvtest: restart cause '%s', expected '%s'\n", r ? r->cause : "(none)", cause);
	EXPECT(r && tu_contains(r->cause, cause));
}

void drvscen_run(const struct drvscen *s)
{
	static struct watch w;
	static uint8_t copy[4096];
	uint64_t target = s->dma_target ? tu_alloc_frame_above(16ull << 20) : 0;
	uint8_t *tp = target ? phys_to_virt(target) : 0;

	w.s = s;
	for (unsigned i = 0; tp && i < 4096; i++)
		tp[i] = (uint8_t)(i * 13 + 1);
	if (tp)
		memcpy(copy, tp, 4096);
	create_domains(&w, target);
	size_t vlen;
	w.restarts_wanted = w.driver && kv_find(w.driver->cfg.args, "crash", &vlen) ?
			    (arg_u64(w.driver, "crash_gens") ? arg_u64(w.driver, "crash_gens") : 1) : 0;
	EXPECT_EQ(sched_run(endpoints_done, &w, TU_SECONDS(280)), SCHED_UNTIL_MET);
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
		if (s->is_endpoint(w.doms[i])) {
			tu_expect_exit(w.doms[i], 0);
			EXPECT_EQ(w.doms[i]->generation, 1);        /* never restarted */
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
		EXPECT(w.max_gap < 1000000000ull);         /* it kept ticking through every restart */
	}
	if (s->cause && w.driver)
		check_cause(&w, target);
	if (tp) {
		EXPECT(!memcmp(tp, copy, 4096));            /* the device's write never landed */
		mm_free_frame(target);
	}
	if (w.restarts_wanted > 1) {
		printk("hvtest: free frames %lu after restart 1, %lu after restart %lu\n",
		       w.frames_at_first_restart, w.frames_at_last_restart, w.restarts_wanted);
		EXPECT(w.frames_at_first_restart != 0);
		EXPECT_EQ(w.frames_at_last_restart, w.frames_at_first_restart);
	}
}
