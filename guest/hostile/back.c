/* A hostile backend's connection set-up (guest/hostile/hostile.h). */
#include "guest/hostile/hostile.h"
#include "rt/channel.h"

static void back_announce(struct hostile_back *b, uint32_t state)
{
	struct reg_entry me = { state, 0, b->port > 0 ? (uint32_t)b->port : 0, 0 };

	hv_reg_write(b->client, b->devid, &me);
}

int hostile_back_accept(struct hostile_back *b)
{
	struct reg_entry fe = { 0 };

	back_announce(b, REG_INITIALISING);
	for (unsigned i = 0; i < b->polls; i++) {
		if (!hv_reg_read(b->client, b->devid, &fe) && fe.state == REG_INITIALISING &&
		    !hv_grant_map(b->client, fe.gref, b->ring_gpa, 0))
			break;
		fe.state = 0;
		rt_wait_event(b->poll_ns);
	}
	if (fe.state != REG_INITIALISING)
		return -1;
	b->port = (int)hv_evtchn_bind(b->client, fe.port);
	if (b->port < 0 || ring_back_attach(&b->ring, (void *)(uintptr_t)b->ring_gpa, b->slot_size))
		return -2;
	back_announce(b, REG_CONNECTED);
	return 0;
}

int hostile_back_first_request(struct hostile_back *b, void *r)
{
	for (unsigned i = 0; i < b->polls; i++) {
		if (ring_back_final_check(&b->ring) > 0) {
			ring_back_copy_req(&b->ring, r);
			return 0;
		}
		rt_wait_event(b->poll_ns);
		rt_events_take();
	}
	return -1;
}

int hostile_back_await_close(struct hostile_back *b)
{
	for (unsigned i = 0; i < b->polls && hv_evtchn_status((uint32_t)b->port) == EVTCHN_CONNECTED; i++)
		rt_wait_event(b->poll_ns);
	return hv_evtchn_status((uint32_t)b->port) != EVTCHN_CONNECTED;
}

void hostile_back_release(struct hostile_back *b)
{
	hv_grant_unmap(b->ring_gpa);
	hv_evtchn_close((uint32_t)b->port);
	b->port = -1;
}
