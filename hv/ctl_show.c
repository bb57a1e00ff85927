/*
 * Control channel reports: one line per record, "KIND key=value ...", with
 * any free text (a crash reason) last, so the host tool (tools/ddhvctl)
 * parses them without quoting rules. Read-only: nothing here changes state.
 */
#include "kstring.h"
#include "hv/arch.h"
#include "hv/ctl.h"
#include "hv/domain.h"
#include "hv/hypercall.h"
#include "hv/pci.h"
#include "hv/supervise.h"
#include "public/hypercall.h"
#include "public/channel.h"

static const char *role_name(uint32_t role)
{
	switch (role) {
	case BOOTCFG_ROLE_CLIENT: return "client";
	case BOOTCFG_ROLE_DRIVER: return "driver";
	case BOOTCFG_ROLE_TEST: return "test";
	}
	return "?";
}

static const char *state_of(const struct domain *d)
{
	if (supervise_restarting(d->id) || d->restart_pending)
		return "restarting";
	if (d->state == DOM_CRASHED && supervise_given_up(d->id))
		return "given-up";
	return domain_state_name(d->state);
}

static void print_devs(const struct domain *d)
{
	if (!d->ndevs)
		ctl_printf(" devs=-");
	for (unsigned k = 0; k < d->ndevs; k++) {
		const struct pci_dev *p = &pci_devs[d->devs[k]];
		ctl_printf("%s%02x:%02x.%x/%04x:%04x", k ? "," : " devs=", p->bus, p->dev, p->fn,
			   p->vendor, p->device);
	}
}

void ctl_list(void)
{
	uint64_t now = arch_time_ns();

	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		const struct domain *d = domain_by_id(id);
		if (!d)
			continue;
		ctl_printf("domain id=%u name=%s role=%s state=%s gen=%lu restarts=%lu mem=%lu",
			   d->id, d->cfg.name, role_name(d->cfg.role), state_of(d), d->generation,
			   supervise_restarts(id), d->cfg.mem_bytes);
		print_devs(d);
		ctl_printf(" uptime_ms=%lu reason=%s\n", domain_alive(d) && d->started_ns ?
			   (now - d->started_ns) / 1000000 : 0, d->reason);
	}
}

static void stats_restart(const struct domain *d)
{
	const struct restart_record *r = supervise_last(d->id);

	ctl_printf("stat restarts %lu\n", supervise_restarts(d->id));
	if (!r)
		return;
	/* Phases in us after the failure was detected; -1: not reached. */
#define PH(f) (r->f ? (long)((r->f - r->detected) / 1000) : -1L)
	ctl_printf("stat last_restart.generation %lu\n", r->generation);
	ctl_printf("stat last_restart.backoff_us %lu\n", r->backoff / 1000);
	ctl_printf("stat last_restart.device_reset_us %ld\n", PH(reset));
	ctl_printf("stat last_restart.reclaimed_us %ld\n", PH(reclaimed));
	ctl_printf("stat last_restart.ram_ready_us %ld\n", PH(ram));
	ctl_printf("stat last_restart.started_us %ld\n", PH(started));
	ctl_printf("stat last_restart.announced_us %ld\n", PH(announced));
	ctl_printf("stat last_restart.offered_us %ld\n", PH(offered));
	ctl_printf("stat last_restart.connected_us %ld\n", PH(connected));
	ctl_printf("stat last_restart.forwarded_us %ld\n", PH(forwarded));
#undef PH
	ctl_printf("stat last_restart.cause %s\n", r->cause);
}

/* What a driver domain says it served (public/channel.h): its own numbers,
 * read once each from its shared page and only printed; a hostile guest can
 * put anything there, so the key says "reported". */
_Static_assert(__builtin_offsetof(struct hv_shared_info, served_to_clients) == 40, "served layout");

static void stats_served(const struct domain *d)
{
	const volatile struct hv_shared_info *si = (const volatile void *)d->shared;

	if (!si || d->cfg.role != BOOTCFG_ROLE_DRIVER)
		return;
	uint64_t from = si->served_from_clients, to = si->served_to_clients;
	ctl_printf("stat reported.served_from_clients %lu\n", from);
	ctl_printf("stat reported.served_to_clients %lu\n", to);
}

int ctl_stats(const struct domain *d)
{
	const struct vcpu *v = &d->vcpu;

	ctl_printf("stat name %s\nstat generation %lu\nstat state %s\n", d->cfg.name,
		   d->generation, state_of(d));
	ctl_printf("stat run_ms %lu\n", v->run_ns / 1000000);
	ctl_printf("stat exits %lu\n", v->exits);
	for (unsigned k = 0; k < VCPU_EXIT_KINDS; k++)
		if (v->exit_kinds[k])
			ctl_printf("stat exits.%s %lu\n", exit_kind_name(k), v->exit_kinds[k]);
	ctl_printf("stat hypercalls %lu\n", v->hypercalls);
	for (unsigned k = 0; k < VCPU_HC_COUNTED; k++) {
		if (v->hc_by_nr[k])
			ctl_printf("stat hypercalls.%s %lu\n", hypercall_name(k), v->hc_by_nr[k]);
	}
	ctl_printf("stat events.sent %lu\nstat events.received %lu\n", d->events_sent,
		   d->events_received);
	ctl_printf("stat console_lines %lu\n", d->con_lines);
	stats_served(d);
	stats_restart(d);
	return 0;
}

void ctl_devices(void)
{
	for (unsigned i = 0; i < pci_ndevs; i++) {
		const struct pci_dev *p = &pci_devs[i];
		const struct domain *o = p->owner ? domain_by_id(p->owner) : 0;
		const char *wanted = "-";
		if (p->header_type != 0)
			continue;       /* bridges are never assigned */
		/* Which scenario domain asks for it (it may be down right now). */
		for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
			const struct domain *d = domain_by_id(id);
			for (unsigned k = 0; d && k < d->cfg.ndevices && k < BOOTCFG_MAX_DEVICES; k++) {
				const struct bootcfg_device *c = &d->cfg.devices[k];
				if ((c->kind == BOOTCFG_DEV_BDF && c->bus == p->bus && c->dev == p->dev &&
				     c->fn == p->fn) || (c->kind == BOOTCFG_DEV_ID &&
				     c->vendor == p->vendor && c->device == p->device))
					wanted = d->cfg.name;
			}
		}
		/* Assignable: a reset exists for it (alone behind a bridge, or FLR). */
		int assignable = p->parent >= 0 || pci_can_flr(p);
		ctl_printf("device bdf=%02x:%02x.%x id=%04x:%04x class=%06x assignable=%s owner=%s "
			   "for=%s\n", p->bus, p->dev, p->fn, p->vendor, p->device, p->class,
			   assignable ? "yes" : "no", o ? o->cfg.name : "-", wanted);
	}
}
