/* Shared pieces of the site-fault hooks (faultinject/fihelp.h). */
#include <stdint.h>
#include "faultinject/fihelp.h"
#include "rt/channel.h"
#include "rt/rt.h"

void fi_hookc_hang(const char *who, const char *type, int irqs_on)
{
	gprintf("%s: %s\n", who, type);
	if (irqs_on)
		__asm__ volatile("sti");
	else
		__asm__ volatile("cli");
	for (;;)
		__asm__ volatile("" ::: "memory");
}

void fi_hookc_scribble(void *p, size_t n)
{
	uint8_t *b = p;
	uint64_t x = hv_time() | 1;

	for (size_t i = 0; i < n; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		b[i] = (uint8_t)x;
	}
}

void fi_hookc_back_skew(struct ring_back *ring, uint32_t port, uint32_t delta)
{
	ring->rsp_prod_pvt += delta;
	ring_back_push(ring);
	hv_evtchn_send(port);
}

void fi_hookc_front_skew(struct ring_front *ring, uint32_t port, uint32_t delta)
{
	ring->req_prod_pvt += delta;
	ring_front_push(ring);
	hv_evtchn_send(port);
}

void fi_hookc_storm(uint32_t port)
{
	for (unsigned i = 0; i < 5000; i++)
		hv_evtchn_send(port);
}

void fi_hookc_serve_none(const char *who)
{
	volatile struct hv_fast_info *f = hv_fast();

	gprintf("%s: serve_none\n", who);
	for (;;) {
		(void)rt_events_take();         /* clients' notifications: taken, never served */
		hv_watchdog_kick(f->wd_armed_ns);
		hv_block(hv_time() + 10000000ull);
	}
}
