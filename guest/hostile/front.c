/* A hostile frontend's connection set-up (guest/hostile/hostile.h). */
#include "guest/hostile/hostile.h"
#include "rt/channel.h"
#include "rt/test.h"

#define POLL_NS 5000000ull      /* a frontend's wait between looks: 5 ms */

int hostile_front_wait(struct hostile_front *f, uint32_t want, uint32_t want2, uint64_t ns)
{
	struct reg_entry be;
	uint64_t end = hv_time() + ns;

	while (hv_time() < end) {
		if (!hv_reg_read(f->backend, f->devid, &be) && (be.state == want || be.state == want2))
			return 0;
		rt_wait_event(POLL_NS);
	}
	return -1;
}

int hostile_front_connect(struct hostile_front *f, void *ring_page, void *rw_page,
			  void *ro_page, uint32_t *rw, uint32_t *ro)
{
	if (hostile_front_wait(f, REG_INITIALISING, REG_RECONNECTING, 10000000000ull))
		return -1;
	ring_front_init(&f->ring, ring_page, f->slot_size);
	uint32_t rg = (uint32_t)hv_grant_create(ring_page, f->backend, 0);
	*rw = (uint32_t)hv_grant_create(rw_page, f->backend, 0);
	*ro = (uint32_t)hv_grant_create(ro_page, f->backend, GRANT_READONLY);
	f->port = (int)hv_evtchn_alloc(f->backend);
	struct reg_entry me = { REG_INITIALISING, rg, (uint32_t)f->port, 0 };
	if (f->port < 0 || hv_reg_write(f->backend, f->devid, &me))
		return -1;
	return hostile_front_wait(f, REG_CONNECTED, REG_CONNECTED, 10000000000ull);
}

void hostile_front_break_ring(struct hostile_front *f)
{
	__atomic_store_n(&f->ring.s->req_prod, f->ring.s->req_prod + 1000, __ATOMIC_SEQ_CST);
	hv_evtchn_send((uint32_t)f->port);
	uint64_t end = hv_time() + 5000000000ull;
	int64_t st = EVTCHN_CONNECTED;
	while (hv_time() < end && (st = hv_evtchn_status((uint32_t)f->port)) == EVTCHN_CONNECTED)
		rt_wait_event(POLL_NS);
	GCHECK_EQ(st, EVTCHN_PEER_CLOSED);
	GCHECK_EQ(hostile_front_wait(f, REG_INITIALISING, REG_RECONNECTING, 5000000000ull), 0);
}
