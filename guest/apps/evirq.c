/*
 * Event delivery by virtual interrupt. role=rx: enables upcalls, allocates a
 * port for peer=NAME, publishes it, then spins WITHOUT any hypercall until its
 * interrupt handler has run twice, then blocks until the sender is gone. role=tx: binds and sends N events,
 * sleeping between them so each arrives while the receiver spins.
 */
#include "rt/channel.h"
#include "errname.h"
#include "rt/rt.h"

static volatile uint64_t irqs, seen_bits;

static void on_event(uint64_t bits)
{
	irqs++;
	seen_bits |= bits;
}

static int rx(uint32_t peer, uint64_t count)
{
	int64_t port = hv_evtchn_alloc(peer);
	struct reg_entry me = { REG_CONNECTED, 0, (uint32_t)port, 0 };

	if (port < 0)
		rt_fail("alloc: %s", hv_errname(port));
	rt_events_enable(RT_EVENT_VECTOR, on_event);
	hv_reg_write(peer, 0, &me);
	/* Spin with no hypercall at all: only a virtual interrupt can end this.
	 * (Two events may coalesce into one interrupt, so wait for two, not all.) */
	uint64_t spins = 0;
	while (irqs < 2)
		spins++;
	uint64_t spun = irqs;
	while (hv_evtchn_status((uint32_t)port) != EVTCHN_PEER_DIED)
		hv_block(0);            /* the sender's exit raises a last event */
	__asm__ volatile("cli");
	gprintf("rx: %lu event interrupts while spinning, %lu in all of %lu sent (port bit %s)\n",
		spun, irqs, count + 2, (seen_bits >> port) & 1 ? "seen" : "missing");
	return (seen_bits >> port) & 1 && irqs >= 2 ? 0 : 1;
}

static int tx(uint32_t peer, uint64_t count)
{
	struct reg_entry r;

	do {
		rt_wait_event(5000000);
		hv_reg_read(peer, 0, &r);
	} while (r.state != REG_CONNECTED);
	int64_t port = hv_evtchn_bind(peer, r.port);
	if (port < 0)
		rt_fail("bind: %s", hv_errname(port));
	for (uint64_t i = 0; i < count; i++) {
		hv_sleep(20000000);     /* 20 ms: the receiver is spinning meanwhile */
		if (hv_evtchn_send((uint32_t)port))
			rt_fail("send failed");
	}
	gprintf("tx: sent %lu events\n", count);
	return 0;
}

int main(void)
{
	char role[8];
	uint32_t peer = (uint32_t)rt_peer_id("peer");
	uint64_t count = rt_arg_u64("count", 5);

	if (!rt_arg_str("role", role, sizeof(role)))
		rt_fail("no role=");
	return !strcmp(role, "rx") ? rx(peer, count) : tx(peer, count);
}
