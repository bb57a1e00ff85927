/*
 * Hypercall dispatch. Every register is decoded once, here, by the argument
 * kind the call's table entry names (hv/include/hv/hcargs.h): the kind's range
 * check runs and its documented error answers before any handler runs, so
 * handlers get typed values and check only state. Buffers are checked whole
 * against the caller's memory and copied once into hypervisor memory before
 * use. Errors are documented per call in docs/hypercalls.md.
 */
#include <stdint.h>
#include "kstring.h"
#include "hv/arch.h"
#include "hv/hcargs.h"
#include "hv/hypercall.h"
#include "hv/sched.h"
#include "public/hv_errno.h"
#include "public/hypercall.h"
#include "public/channel.h"
#include "public/bootcfg.h"
#include "hv/channel.h"
#include "hv/supervise.h"

static int64_t console_write(struct vcpu *v, gpa_t buf, uint32_t len)
{
	char data[HV_CONSOLE_MAX];

	if (guest_copy_from(v->dom, data, buf, len))
		return -HV_EFAULT;
	vconsole_write(v->dom, data, len);
	return len;
}

static int64_t yield(struct vcpu *v)
{
	sched_yield(v);
	return 0;
}

static int64_t block(struct vcpu *v, uint64_t deadline, uint64_t ack, uint64_t notify)
{
	/* Acknowledge device interrupts and notify a peer first: one exit
	 * instead of two or three for a domain going idle. Any bad argument
	 * answers its error with nothing done: the mask is checked, then the
	 * port (the send's own errors), and only then is anything acknowledged. */
	int64_t rc = devirq_ack_mask_check(v->dom, ack);
	if (rc)
		return rc;
	if (notify) {
		if (notify >= EVTCHN_PORTS)
			return -HV_EINVAL;
		if ((rc = evtchn_send(v->dom, evport_of((uint32_t)notify))))
			return rc;
	}
	if (ack)
		devirq_ack_mask(v->dom, ack);
	/* A pending event or a changed watched registry entry ends the block
	 * at once; 0 = no deadline. */
	if (evtchn_any_pending(v->dom) || reg_take_wake(v->dom))
		return 0;
	if (deadline == 0 || deadline > arch_time_ns())
		sched_block(v, deadline);
	return 0;
}

static int64_t now(struct vcpu *v)
{
	(void)v;
	return (int64_t)arch_time_ns();
}

static int64_t self_info(struct domain *d, gpa_t out, uint64_t size)
{
	struct hv_self_info info;

	if (size != sizeof(info))
		return -HV_EINVAL;
	memset(&info, 0, sizeof(info));
	info.domid = d->id;
	info.role = d->cfg.role;
	info.mem_bytes = d->mem_bytes;
	info.generation = d->generation;
	memcpy(info.name, d->cfg.name, sizeof(info.name));
	if (guest_copy_to(d, out, &info, sizeof(info)))
		return -HV_EFAULT;
	return 0;
}

static int64_t shutdown(struct domain *d, uint32_t reason, int32_t code)
{
	domain_shutdown(d, reason, code);
	return 0;
}

static int64_t domain_lookup(struct domain *d, gpa_t buf, uint32_t len)
{
	char name[BOOTCFG_NAME_LEN];

	if (guest_copy_from(d, name, buf, len))
		return -HV_EFAULT;
	name[len] = 0;
	for (uint32_t id = 1; id <= HV_MAX_DOMAINS; id++) {
		struct domain *o = domain_by_id(id);
		if (o && !strcmp(o->cfg.name, name))
			return id;
	}
	return -HV_ENOENT;
}

/*
 * HCn(who, fn, k0, ...) defines hc_<fn>, which calls fn(caller, a[0].k0, ...),
 * and hc_<fn>_call, which names the argument kinds HCA_k0, ... The same token
 * picks the kind's check and the union member the handler gets, and fn's
 * prototype types that member: a call's kinds and its handler cannot disagree.
 * who: dom (fn takes the caller's struct domain *) or vcpu (its struct vcpu *).
 */
typedef int64_t (*hc_fn)(struct vcpu *v, const union hc_arg *a);

struct hc_call {
	hc_fn fn;
	uint8_t kinds[HC_MAX_ARGS];     /* enum hc_arg_kind */
};

#define HC_WHO_dom  v->dom
#define HC_WHO_vcpu v
#define HC_DEF(fn, call, k0, k1, k2, k3, k4)                                          \
	static int64_t hc_##fn(struct vcpu *v, const union hc_arg *a)                 \
	{                                                                             \
		(void)a;                                                              \
		return call;                                                          \
	}                                                                             \
	static const struct hc_call hc_##fn##_call = { hc_##fn, { k0, k1, k2, k3, k4 } };
#define HC0(who, fn) \
	HC_DEF(fn, fn(HC_WHO_##who), HCA_none, HCA_none, HCA_none, HCA_none, HCA_none)
#define HC1(who, fn, k0) \
	HC_DEF(fn, fn(HC_WHO_##who, a[0].k0), HCA_##k0, HCA_none, HCA_none, HCA_none, HCA_none)
#define HC2(who, fn, k0, k1) \
	HC_DEF(fn, fn(HC_WHO_##who, a[0].k0, a[1].k1), HCA_##k0, HCA_##k1, HCA_none, HCA_none, \
	       HCA_none)
#define HC3(who, fn, k0, k1, k2) \
	HC_DEF(fn, fn(HC_WHO_##who, a[0].k0, a[1].k1, a[2].k2), HCA_##k0, HCA_##k1, HCA_##k2, \
	       HCA_none, HCA_none)
#define HC4(who, fn, k0, k1, k2, k3) \
	HC_DEF(fn, fn(HC_WHO_##who, a[0].k0, a[1].k1, a[2].k2, a[3].k3), HCA_##k0, HCA_##k1, \
	       HCA_##k2, HCA_##k3, HCA_none)

/* One line per call: its handler and the kinds of its arguments, in register order. */
HC2(vcpu, console_write, buf, conlen)
HC0(vcpu, yield)
HC3(vcpu, block, u64, u64, u64)
HC0(vcpu, now)
HC2(dom, self_info, buf, u64)
HC2(dom, shutdown, reason, i32)
HC2(dom, domain_lookup, buf, namelen)
HC1(dom, evtchn_alloc, peer)
HC2(dom, evtchn_bind, peer, port)
HC1(dom, evtchn_send, port)
HC1(dom, evtchn_close, port)
HC1(dom, evtchn_status, port)
HC3(dom, grant_create, page, peer, gflags)
HC1(dom, grant_revoke, gref)
HC4(dom, grant_map, peer, gref, page, gflags)
HC1(dom, grant_unmap, page)
HC3(dom, reg_write, peer, regdev, buf)
HC3(dom, reg_read, peer, regdev, buf)
HC3(dom, pcicfg_read, dev, cfgoff, cfgsize)
HC4(dom, pcicfg_write, dev, cfgoff, cfgsize, u32)
HC1(dom, devirq_bind, dev)
HC1(dom, devirq_ack, dev)
HC1(dom, watchdog_kick, u64)
HC1(dom, peer_stalled, peer)

static const struct hc_call *const hc_table[HC_COUNT] = {
	[HC_CONSOLE_WRITE] = &hc_console_write_call,
	[HC_YIELD] = &hc_yield_call,
	[HC_BLOCK] = &hc_block_call,
	[HC_TIME] = &hc_now_call,
	[HC_SELF_INFO] = &hc_self_info_call,
	[HC_SHUTDOWN] = &hc_shutdown_call,
	[HC_DOMAIN_LOOKUP] = &hc_domain_lookup_call,
	[HC_EVTCHN_ALLOC] = &hc_evtchn_alloc_call,
	[HC_EVTCHN_BIND] = &hc_evtchn_bind_call,
	[HC_EVTCHN_SEND] = &hc_evtchn_send_call,
	[HC_EVTCHN_CLOSE] = &hc_evtchn_close_call,
	[HC_EVTCHN_STATUS] = &hc_evtchn_status_call,
	[HC_GRANT_CREATE] = &hc_grant_create_call,
	[HC_GRANT_REVOKE] = &hc_grant_revoke_call,
	[HC_GRANT_MAP] = &hc_grant_map_call,
	[HC_GRANT_UNMAP] = &hc_grant_unmap_call,
	[HC_REG_WRITE] = &hc_reg_write_call,
	[HC_REG_READ] = &hc_reg_read_call,
	[HC_PCI_CFG_READ] = &hc_pcicfg_read_call,
	[HC_PCI_CFG_WRITE] = &hc_pcicfg_write_call,
	[HC_DEVICE_IRQ_BIND] = &hc_devirq_bind_call,
	[HC_DEVICE_IRQ_ACK] = &hc_devirq_ack_call,
	[HC_WATCHDOG_KICK] = &hc_watchdog_kick_call,
	[HC_PEER_STALLED] = &hc_peer_stalled_call,
};
_Static_assert(HC_CHANNEL_END == HC_COUNT, "hypercall table covers every number");

void hypercall_dispatch(struct vcpu *v, uint64_t nr, const uint64_t arg[5])
{
	const struct hc_call *c = nr < HC_COUNT ? hc_table[nr] : 0;
	const struct hc_caller who = { v->dom->id, v->dom->ndevs };
	union hc_arg a[HC_MAX_ARGS];
	int64_t ret = -HV_ENOSYS;

	if (c && !(ret = hcargs_decode(c->kinds, arg, &who, a)))
		ret = c->fn(v, a);
	arch_vcpu_set_result(v, (uint64_t)ret);
}
