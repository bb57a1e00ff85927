/*
 * Tries every way to reach memory it was not given through grants, events and
 * the registry; each must be refused with the documented error. If all are,
 * it finally writes to its read-only mapping, which must get it killed.
 */
#include "rt/channel.h"
#include "rt/test.h"

#define DEST 0x20000000ull

int main(void)
{
	uint32_t g = (uint32_t)rt_peer_id("peer"), other = (uint32_t)rt_peer_id("other");
	struct reg_entry e0, e1, x;
	static uint8_t mine[4096] __attribute__((aligned(4096)));

	do {
		rt_wait_event(5000000);
		hv_reg_read(g, 0, &e0);
		hv_reg_read(g, 1, &e1);
	} while (e0.state != REG_CONNECTED || e1.state != REG_CONNECTED);

	/* grants */
	GCHECK_EQ(hv_grant_map(g, e1.gref, DEST, 0), -HV_EPERM);        /* granted to someone else */
	GCHECK_EQ(hv_grant_map(g, e1.gref, DEST, GRANT_READONLY), -HV_EPERM);
	GCHECK_EQ(hv_grant_map(g, e0.gref, DEST, 0), -HV_EPERM);        /* read-only grant, RW map */
	GCHECK_EQ(hv_grant_map(g, 999, DEST, GRANT_READONLY), -HV_ENOENT); /* forged reference */
	GCHECK_EQ(hv_grant_map(g, 200, DEST, GRANT_READONLY), -HV_EPERM);  /* unused reference */
	GCHECK_EQ(hv_grant_map(g, e0.gref, 0x100000, GRANT_READONLY), -HV_EINVAL); /* over own RAM */
	GCHECK_EQ(hv_grant_map(g, e0.gref, DEST + 8, GRANT_READONLY), -HV_EINVAL);
	GCHECK_EQ(hv_grant_map(g, e0.gref, 0x40000000, GRANT_READONLY), -HV_EINVAL);
	GCHECK_EQ(hv_grant_map(g, e0.gref, DEST, 0x80), -HV_EINVAL);    /* unknown flag */
	GCHECK_EQ(hv_grant_map(rt_info.domid, 0, DEST, GRANT_READONLY), -HV_ENOENT);
	GCHECK_EQ(hv_grant_map(77, 0, DEST, GRANT_READONLY), -HV_ENOENT);
	GCHECK_EQ(hv_grant_map(g, e0.gref, DEST, GRANT_READONLY), 0);
	GCHECK_EQ(*(volatile uint64_t *)(uintptr_t)(DEST + 8), 0xc0ffee0000000001ull);
	GCHECK_EQ(hv_grant_map(g, e0.gref, DEST, GRANT_READONLY), -HV_EBUSY);
	GCHECK_EQ(hv_grant_unmap(DEST + 0x1000), -HV_ENOENT);
	GCHECK_EQ(hv_grant_unmap(DEST + 8), -HV_EINVAL);                 /* not a page address */
	GCHECK_EQ(hv_grant_create((void *)0, g, 0), -HV_EINVAL);
	GCHECK_EQ(hv_grant_create(mine + 1, g, 0), -HV_EINVAL);
	GCHECK_EQ(hv_grant_create(mine, rt_info.domid, 0), -HV_ENOENT);
	GCHECK_EQ(hv_grant_create((void *)(uintptr_t)rt_info.mem_bytes, g, 0), -HV_EINVAL);
	GCHECK_EQ(hv_grant_revoke(e0.gref), -HV_ENOENT);                 /* not ours to revoke */

	/* events */
	GCHECK_EQ(hv_evtchn_bind(g, e1.port), -HV_EPERM);                /* port meant for other */
	GCHECK_EQ(hv_evtchn_bind(g, 63), -HV_EPERM);
	GCHECK_EQ(hv_evtchn_bind(g, 64), -HV_EINVAL);
	GCHECK_EQ(hv_evtchn_send(0), -HV_EINVAL);
	GCHECK_EQ(hv_evtchn_send(64), -HV_EINVAL);
	GCHECK_EQ(hv_evtchn_send(5), -HV_ENOENT);
	GCHECK_EQ(hv_evtchn_alloc(rt_info.domid), -HV_ENOENT);
	int64_t p = hv_evtchn_bind(g, e0.port);
	GCHECK(p > 0);
	GCHECK_EQ(hv_evtchn_bind(g, e0.port), -HV_EPERM);                /* already bound */
	GCHECK_EQ(hv_evtchn_status((uint32_t)p), EVTCHN_CONNECTED);

	/* registry: a third party sees nothing of other's connection */
	GCHECK_EQ(hv_reg_read(other, 0, &x), 0);
	GCHECK_EQ(x.state, REG_NONE);
	GCHECK_EQ(hv_reg_read(rt_info.domid, 0, &x), -HV_ENOENT);      /* a peer id is never the caller */
	GCHECK_EQ(hv_reg_read(77, 0, &x), -HV_ENOENT);
	GCHECK_EQ(hv_reg_read(g, REG_MAX_DEVID, &x), -HV_EINVAL);
	GCHECK_EQ(hv_reg_read(g, 0, (struct reg_entry *)0), -HV_EFAULT);
	x = (struct reg_entry){ 9, 0, 0, 0 };
	GCHECK_EQ(hv_reg_write(g, 0, &x), -HV_EINVAL);

	gprintf("grantabuse: %d failed checks\n", rt_test_failures);
	if (rt_test_failures)
		return rt_test_failures;
	gprintf("writing to the read-only grant\n");
	*(volatile uint64_t *)(uintptr_t)DEST = 1;
	gprintf("still alive after writing a read-only grant\n");
	return 100;
}
