/*
 * Throws bad hypercall arguments at the hypervisor and checks each is answered
 * with the documented error, then that good calls still work. Exit code = number
 * of failed checks.
 */
#include "rt/channel.h"
#include "rt/test.h"

#define HI (1ull << 32)         /* a high bit: the low half alone would be a good value */

static int64_t cw(uint64_t buf, uint64_t len)
{
	return hv_call5(HC_CONSOLE_WRITE, buf, len, 0, 0, 0);
}

static int64_t info(uint64_t buf, uint64_t size)
{
	return hv_call5(HC_SELF_INFO, buf, size, 0, 0, 0);
}

static void bad_pointers(void)
{
	uint64_t mem = rt_info.mem_bytes;
	static char ok_buf[16] = "ok\n";

	GCHECK_EQ(cw(0, 8), -HV_EFAULT);                       /* NULL */
	GCHECK_EQ(cw(8, 8), -HV_EFAULT);                       /* inside page 0 */
	GCHECK_EQ(cw(0x100000000ull, 8), -HV_EFAULT);          /* above its memory */
	GCHECK_EQ(cw(0xffff800000100000ull, 8), -HV_EFAULT);   /* hypervisor-style VA */
	GCHECK_EQ(cw(mem, 1), -HV_EFAULT);                     /* first byte past the end */
	GCHECK_EQ(cw(mem - 4, 16), -HV_EFAULT);                /* straddles the end */
	GCHECK_EQ(cw(~0ull - 3, 8), -HV_EFAULT);               /* wraps around */
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, ~0ull), -HV_E2BIG);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, HV_CONSOLE_MAX + 1), -HV_E2BIG);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, 0), 0);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, 3), 3);
	GCHECK_EQ(cw(mem - 8, 8), 8);                          /* last bytes: allowed */

	GCHECK_EQ(info(0, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info(mem - 8, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info(0x200000000ull, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info((uint64_t)(uintptr_t)ok_buf, 1), -HV_EINVAL);
	GCHECK_EQ(info((uint64_t)(uintptr_t)ok_buf, ~0ull), -HV_EINVAL);
}

static void bad_numbers(void)
{
	GCHECK_EQ(hv_call5(HC_COUNT, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(999, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(~0ull, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(1ull << 32, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(HC_SHUTDOWN, 7, 0, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_SHUTDOWN, ~0ull, 0, 0, 0, 0), -HV_EINVAL);
}

static int64_t hc1(uint64_t nr, uint64_t a0)
{
	return hv_call5(nr, a0, 0, 0, 0, 0);
}

/* Each argument kind's range check and error (docs/hypercalls.md, "Argument
 * kinds"), through raw registers so no wrapper truncates them first. This
 * domain has no devices; the bystander is alive. */
static void bad_kinds(void)
{
	uint64_t self = rt_info.domid, other = self % 16 + 1;
	static char page[4096] __attribute__((aligned(4096)));
	uint64_t pg = (uint64_t)(uintptr_t)page;
	struct reg_entry e;
	uint64_t ep = (uint64_t)(uintptr_t)&e;

	/* peer: 1..16 and not the caller, else ENOENT, for every call taking one */
	GCHECK_EQ(hc1(HC_EVTCHN_ALLOC, 0), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_EVTCHN_ALLOC, 17), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_EVTCHN_ALLOC, self), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_EVTCHN_ALLOC, HI | other), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_EVTCHN_BIND, HI | other, 1, 0, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_GRANT_CREATE, pg, self, 0, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_GRANT_MAP, 17, 0, 0x20000000, 1, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_REG_READ, self, 0, ep, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_REG_READ, 0, 0, ep, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_REG_WRITE, 17, 0, ep, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_REG_READ, HI | other, 0, ep, 0, 0), -HV_ENOENT);
	/* registry device number: 0..7, else EINVAL */
	GCHECK_EQ(hv_call5(HC_REG_READ, other, REG_MAX_DEVID, ep, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_REG_READ, other, HI, ep, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_REG_READ, other, 0, ep, 0, 0), 0);
	/* port: 1..63, else EINVAL */
	GCHECK_EQ(hc1(HC_EVTCHN_STATUS, 0), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_EVTCHN_STATUS, EVTCHN_PORTS), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_EVTCHN_SEND, HI | 1), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_EVTCHN_CLOSE, HI | 1), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_EVTCHN_BIND, other, EVTCHN_PORTS, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_EVTCHN_STATUS, 1), EVTCHN_FREE);
	/* grant reference: 0..255, else ENOENT */
	GCHECK_EQ(hc1(HC_GRANT_REVOKE, GRANT_MAX), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_GRANT_REVOKE, HI), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_GRANT_MAP, other, HI, 0x20000000, 1, 0), -HV_ENOENT);
	/* page: aligned and below 1 GiB, else EINVAL */
	GCHECK_EQ(hc1(HC_GRANT_UNMAP, 0x20000008), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_GRANT_UNMAP, GUEST_VA_LIMIT), -HV_EINVAL);
	GCHECK_EQ(hc1(HC_GRANT_UNMAP, 0x20000000), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_GRANT_CREATE, pg + 8, other, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_GRANT_CREATE, pg | HI, other, 0, 0, 0), -HV_EINVAL);
	/* grant flags: only GRANT_READONLY, else EINVAL */
	GCHECK_EQ(hv_call5(HC_GRANT_CREATE, pg, other, 2, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_GRANT_CREATE, pg, other, HI | 1, 0, 0), -HV_EINVAL);
	/* device index: below the caller's device count (0 here), else ENOENT */
	GCHECK_EQ(hv_call5(HC_PCI_CFG_READ, 0, 0, 4, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_PCI_CFG_WRITE, 0, 4, 2, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_DEVICE_IRQ_BIND, 0), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_DEVICE_IRQ_ACK, HI), -HV_ENOENT);
	/* HC_BLOCK's ack mask: a bit at or past the device count, else ENOENT
	 * (and no block); deadline 1 is long past, so a good call returns 0 */
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 1, 0, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 1ull << 63, 0, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, ~0ull, 0, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 0, 0, 0, 0), 0);
	/* HC_BLOCK's notify port: 1..63, else EINVAL; not connected, ENOENT;
	 * the ack mask is judged first */
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 0, EVTCHN_PORTS, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 0, ~0ull, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 0, HI | 1, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 0, 5, 0, 0), -HV_ENOENT);
	GCHECK_EQ(hv_call5(HC_BLOCK, 1, 1, 70, 0, 0), -HV_ENOENT);
	/* name length: 1..31, else EINVAL */
	GCHECK_EQ(hv_call5(HC_DOMAIN_LOOKUP, pg, 0, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_DOMAIN_LOOKUP, pg, 32, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_DOMAIN_LOOKUP, pg, HI | 4, 0, 0, 0), -HV_EINVAL);
	/* shutdown reason: 0 or 1 in the whole register, else EINVAL */
	GCHECK_EQ(hv_call5(HC_SHUTDOWN, HI | HV_SHUTDOWN_POWEROFF, 0, 0, 0, 0), -HV_EINVAL);
}

/* HC_PEER_STALLED (service supervision): a bad, own or missing peer is
 * ENOENT; a live peer we hold no connected event channel with (the
 * bystander, which is not restartable either; an unbound port to it does
 * not count) is EPERM. The flood (EBUSY) needs a connection: stallliar. */
static void peer_stalled_args(void)
{
	uint64_t self = rt_info.domid, other = self % 16 + 1;
	int64_t by = hv_domain_lookup("bystander", 9);

	GCHECK_EQ(hc1(HC_PEER_STALLED, 0), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_PEER_STALLED, 17), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_PEER_STALLED, self), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_PEER_STALLED, HI | other), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_PEER_STALLED, ~0ull), -HV_ENOENT);
	GCHECK_EQ(hc1(HC_PEER_STALLED, 16), -HV_ENOENT);        /* no such domain */
	GCHECK(by > 0);
	if (by <= 0)
		return;
	GCHECK_EQ(hc1(HC_PEER_STALLED, (uint64_t)by), -HV_EPERM);
	int64_t port = hv_evtchn_alloc((uint32_t)by);
	GCHECK(port > 0);
	for (int i = 0; i < 20; i++) {
		int64_t rc = hc1(HC_PEER_STALLED, (uint64_t)by);
		/* The bystander may finish meanwhile: then it is ENOENT. */
		if (rc == -HV_ENOENT && port > 0 &&
		    hv_evtchn_status((uint32_t)port) == EVTCHN_PEER_DIED)
			break;
		GCHECK_EQ(rc, -HV_EPERM);
	}
	if (port > 0)
		GCHECK_EQ(hv_evtchn_close((uint32_t)port), 0);
	(void)rt_events_take();         /* its death's event, if any: later blocks must block */
}

static void good_calls_still_work(void)
{
	struct hv_self_info me;
	uint64_t t0 = hv_time();

	GCHECK_EQ(hv_self_info(&me), 0);
	GCHECK_EQ(me.domid, rt_info.domid);
	GCHECK_EQ(hv_yield(), 0);
	GCHECK_EQ(hv_block(t0 + 20000000ull), 0);      /* 20 ms */
	GCHECK(hv_time() >= t0 + 20000000ull);
	GCHECK_EQ(hv_block(1), 0);                    /* deadline in the past: returns */
}

/* The fast page's clock (public/fastpage.h) is HC_TIME's, at most 1 ns
 * behind, read in between two hypercalls; then this domain scribbles over its
 * own fast page, which can only spoil its own clock and watchdog feed. */
static void fast_page(void)
{
	volatile struct hv_fast_info *f = hv_fast();

	GCHECK_EQ(f->version, HV_FAST_VERSION);
	for (int i = 0; i < 100; i++) {
		uint64_t a = hv_time_hypercall(), b = hv_time(), c = hv_time_hypercall();
		GCHECK(a <= b + 1 && b <= c);
	}
	f->tsc_shift = ~0u;     /* masked to 0..127: a wrong clock, no fault */
	(void)hv_time();
	f->wd_kicks = ~0ull;
	f->wd_armed_ns = 12345;
	f->version = 0;         /* back to HC_TIME */
	uint64_t a = hv_time_hypercall(), b = hv_time();
	GCHECK(a <= b);
}

int main(void)
{
	bad_pointers();
	bad_numbers();
	bad_kinds();
	peer_stalled_args();
	fast_page();
	good_calls_still_work();
	gprintf("hostile: %d failed checks\n", rt_test_failures);
	return rt_test_result();
}
