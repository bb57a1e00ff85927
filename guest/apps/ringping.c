/*
 * Ring frontend: grants a ring page and an event port to peer=NAME through the
 * registry, then sends count=N requests and checks every response's order and
 * content. die_after=K makes it crash itself after K responses (peer-death test);
 * holdoff=0 notifies on every push instead of only when the peer asked.
 */
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

struct msg { uint64_t seq, a, b, sum; };

static uint8_t ring_page[4096] __attribute__((aligned(4096)));

static void connect(uint32_t peer, struct reg_entry *mine)
{
	struct reg_entry theirs;

	hv_reg_write(peer, 0, mine);
	for (;;) {
		if (hv_reg_read(peer, 0, &theirs))
			rt_fail("registry read failed");
		if (theirs.state == REG_CONNECTED)
			break;
		rt_events_take();
		rt_wait_event(5000000);
	}
	mine->state = REG_CONNECTED;
	hv_reg_write(peer, 0, mine);
}

int main(void)
{
	uint32_t peer = (uint32_t)rt_peer_id("peer");
	uint64_t count = rt_arg_u64("count", 1000), die_after = rt_arg_u64("die_after", 0);
	uint64_t sent = 0, got = 0, notifies = 0, waits = 0;
	int holdoff = (int)rt_arg_u64("holdoff", 1);    /* 0: notify on every push (benchmark) */
	struct ring_front f;

	if (ring_front_init(&f, ring_page, sizeof(struct msg)))
		rt_fail("ring init");
	int64_t gref = hv_grant_create(ring_page, peer, 0);
	int64_t port = hv_evtchn_alloc(peer);
	if (gref < 0 || port < 0)
		rt_fail("grant %ld / port %ld", (long)gref, (long)port);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)gref, (uint32_t)port, 0 };
	connect(peer, &me);
	gprintf("connected: gref %ld port %ld, sending %lu messages\n", (long)gref, (long)port, count);

	while (got < count) {
		struct msg *m;
		while (sent < count && (m = ring_front_next_req(&f))) {
			*m = (struct msg){ sent, sent * 7, ~sent, 0 };
			sent++;
		}
		if (ring_front_push(&f) || (!holdoff && sent != f.rsp_cons)) {
			hv_evtchn_send((uint32_t)port);
			notifies++;
		}
		int n = ring_front_final_check(&f);
		if (n < 0)
			rt_fail("backend broke the ring protocol");
		if (n == 0) {
			if (hv_evtchn_status((uint32_t)port) != EVTCHN_CONNECTED)
				rt_fail("backend went away");
			waits++;
			rt_wait_event(1000000000ull);
			rt_events_take();
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct msg r;
			ring_front_copy_rsp(&f, &r);
			if (r.seq != got || r.a != got * 7 || r.b != ~got || r.sum != got * 7 + ~got * 3)
				rt_fail("response %lu wrong (seq %lu)", got, r.seq);
			got++;
			if (die_after && got == die_after) {
				gprintf("dying on purpose after %lu responses\n", got);
				hv_shutdown(HV_SHUTDOWN_CRASH, 42);
			}
		}
	}
	gprintf("done: %lu messages in order, %lu notifications, %lu waits\n", got, notifies, waits);
	return 0;
}
