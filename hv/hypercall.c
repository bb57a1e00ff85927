/*
 * Hypercall dispatch. Arguments are raw guest registers: every number is
 * range-checked, every buffer is checked whole against the caller's memory and
 * copied once into hypervisor memory before use. Errors are documented per call
 * in docs/hypercalls.md.
 */
#include <stdint.h>
#include "kstring.h"
#include "hv/arch.h"
#include "hv/hypercall.h"
#include "hv/sched.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"
#include "public/channel.h"
#include "public/bootcfg.h"
#include "hv/channel.h"
#include "hv/supervise.h"

typedef int64_t (*hc_fn)(struct vcpu *v, const uint64_t a[5]);

static int64_t hc_console_write(struct vcpu *v, const uint64_t a[5])
{
	char buf[HV_CONSOLE_MAX];
	uint64_t gpa = a[0], len = a[1];

	if (len > HV_CONSOLE_MAX)
		return -HV_E2BIG;
	if (guest_copy_from(v->dom, buf, gpa, len))
		return -HV_EFAULT;
	vconsole_write(v->dom, buf, (unsigned)len);
	return (int64_t)len;
}

static int64_t hc_yield(struct vcpu *v, const uint64_t a[5])
{
	(void)a;
	sched_yield(v);
	return 0;
}

static int64_t hc_block(struct vcpu *v, const uint64_t a[5])
{
	uint64_t deadline = a[0];

	/* A pending event ends the block at once; 0 = no deadline. */
	if (evtchn_any_pending(v->dom))
		return 0;
	if (deadline == 0 || deadline > arch_time_ns())
		sched_block(v, deadline);
	return 0;
}

static int64_t hc_time(struct vcpu *v, const uint64_t a[5])
{
	(void)v;
	(void)a;
	return (int64_t)arch_time_ns();
}

static int64_t hc_self_info(struct vcpu *v, const uint64_t a[5])
{
	struct domain *d = v->dom;
	struct hv_self_info info;

	if (a[1] != sizeof(info))
		return -HV_EINVAL;
	memset(&info, 0, sizeof(info));
	info.domid = d->id;
	info.role = d->cfg.role;
	info.mem_bytes = d->mem_bytes;
	info.generation = d->generation;
	memcpy(info.name, d->cfg.name, sizeof(info.name));
	if (guest_copy_to(d, a[0], &info, sizeof(info)))
		return -HV_EFAULT;
	return 0;
}

static int64_t hc_shutdown(struct vcpu *v, const uint64_t a[5])
{
	if (a[0] != HV_SHUTDOWN_POWEROFF && a[0] != HV_SHUTDOWN_CRASH)
		return -HV_EINVAL;
	domain_shutdown(v->dom, (uint32_t)a[0], (int64_t)(int32_t)a[1]);
	return 0;
}

static int64_t hc_domain_lookup(struct vcpu *v, const uint64_t a[5])
{
	char name[BOOTCFG_NAME_LEN];

	if (a[1] == 0 || a[1] >= BOOTCFG_NAME_LEN)
		return -HV_EINVAL;
	if (guest_copy_from(v->dom, name, a[0], a[1]))
		return -HV_EFAULT;
	name[a[1]] = 0;
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *d = domain_by_id(id);
		if (d && !strcmp(d->cfg.name, name))
			return id;
	}
	return -HV_ENOENT;
}

#define CH1(fn) static int64_t hc_##fn(struct vcpu *v, const uint64_t a[5]) { return fn(v->dom, a[0]); }
#define CH2(fn) static int64_t hc_##fn(struct vcpu *v, const uint64_t a[5]) { return fn(v->dom, a[0], a[1]); }
#define CH3(fn) static int64_t hc_##fn(struct vcpu *v, const uint64_t a[5]) { return fn(v->dom, a[0], a[1], a[2]); }
#define CH4(fn) static int64_t hc_##fn(struct vcpu *v, const uint64_t a[5]) { return fn(v->dom, a[0], a[1], a[2], a[3]); }
CH1(evtchn_alloc) CH2(evtchn_bind) CH1(evtchn_send) CH1(evtchn_close) CH1(evtchn_status)
CH3(grant_create) CH1(grant_revoke) CH4(grant_map) CH1(grant_unmap)
CH3(reg_write) CH3(reg_read) CH3(pcicfg_read) CH4(pcicfg_write) CH1(devirq_bind)
CH1(devirq_ack) CH1(watchdog_kick)

static const hc_fn hc_table[HC_COUNT] = {
	[HC_CONSOLE_WRITE] = hc_console_write,
	[HC_YIELD] = hc_yield,
	[HC_BLOCK] = hc_block,
	[HC_TIME] = hc_time,
	[HC_SELF_INFO] = hc_self_info,
	[HC_SHUTDOWN] = hc_shutdown,
	[HC_DOMAIN_LOOKUP] = hc_domain_lookup,
	[HC_EVTCHN_ALLOC] = hc_evtchn_alloc,
	[HC_EVTCHN_BIND] = hc_evtchn_bind,
	[HC_EVTCHN_SEND] = hc_evtchn_send,
	[HC_EVTCHN_CLOSE] = hc_evtchn_close,
	[HC_EVTCHN_STATUS] = hc_evtchn_status,
	[HC_GRANT_CREATE] = hc_grant_create,
	[HC_GRANT_REVOKE] = hc_grant_revoke,
	[HC_GRANT_MAP] = hc_grant_map,
	[HC_GRANT_UNMAP] = hc_grant_unmap,
	[HC_REG_WRITE] = hc_reg_write,
	[HC_REG_READ] = hc_reg_read,
	[HC_PCI_CFG_READ] = hc_pcicfg_read,
	[HC_PCI_CFG_WRITE] = hc_pcicfg_write,
	[HC_DEVICE_IRQ_BIND] = hc_devirq_bind,
	[HC_DEVICE_IRQ_ACK] = hc_devirq_ack,
	[HC_WATCHDOG_KICK] = hc_watchdog_kick,
};
_Static_assert(HC_CHANNEL_END == HC_COUNT, "hypercall table covers every number");

void hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t arg[5])
{
	int64_t ret = -HV_ENOSYS;

	if (nr < HC_COUNT && hc_table[nr])
		ret = hc_table[nr](v, arg);
	arch_vcpu_set_result(v, (uint64_t)ret);
}
