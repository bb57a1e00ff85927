/*
 * Ring backend: finds peer=NAME's ring grant and port in the registry, maps the
 * page outside its own RAM, echoes every request until the peer goes away,
 * then checks that the registry says Closed, unmaps and exits 0.
 */
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

struct msg { uint64_t seq, a, b, sum; };

#define RING_GPA 0x20000000ull

int main(void)
{
	uint32_t peer = (uint32_t)rt_peer_id("peer");
	struct reg_entry theirs, me = { REG_INITIALISING, 0, 0, 0 };
	struct ring_back b;
	uint64_t served = 0, notifies = 0;
	int holdoff = (int)rt_arg_u64("holdoff", 1);

	hv_reg_write(peer, 0, &me);
	do {
		rt_wait_event(5000000);
		if (hv_reg_read(peer, 0, &theirs))
			rt_fail("registry read failed");
	} while (theirs.state != REG_INITIALISING && theirs.state != REG_CONNECTED);
	int64_t rc = hv_grant_map(peer, theirs.gref, RING_GPA, 0);
	int64_t port = hv_evtchn_bind(peer, theirs.port);
	if (rc || port < 0)
		rt_fail("map %ld / bind %ld", (long)rc, (long)port);
	if (ring_back_attach(&b, (void *)(uintptr_t)RING_GPA, sizeof(struct msg)))
		rt_fail("ring attach");
	me.state = REG_CONNECTED;
	me.port = (uint32_t)port;
	hv_reg_write(peer, 0, &me);

	for (;;) {
		int n = ring_back_final_check(&b);
		if (n < 0)
			rt_fail("frontend broke the ring protocol");
		if (n == 0) {
			if (hv_evtchn_status((uint32_t)port) != EVTCHN_CONNECTED)
				break;
			rt_wait_event(1000000000ull);
			rt_events_take();
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct msg m;
			ring_back_copy_req(&b, &m);
			m.sum = m.a + m.b * 3;
			*(struct msg *)ring_back_next_rsp(&b) = m;
			served++;
		}
		if (ring_back_push(&b) || !holdoff) {
			hv_evtchn_send((uint32_t)port);
			notifies++;
		}
	}
	int64_t st = hv_evtchn_status((uint32_t)port);
	hv_reg_read(peer, 0, &theirs);
	gprintf("peer gone (port status %ld, registry state %u, hint %d) after %lu requests, "
		"%lu notifications\n", (long)st, theirs.state, rt_port_gone((uint32_t)port), served,
		notifies);
	if (theirs.state != REG_CLOSED)
		return 2;
	if (hv_grant_unmap(RING_GPA) || hv_evtchn_close((uint32_t)port))
		return 3;
	if (rt_port_gone((uint32_t)port))
		return 5;               /* the hint goes with the port */
	if (hv_grant_unmap(RING_GPA) != -HV_ENOENT)
		return 4;
	return 0;
}
