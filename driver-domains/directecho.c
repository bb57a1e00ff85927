/*
 * The direct-assignment baseline for `make bench-net`: the same e1000 driver
 * and the same IPv4 stack and UDP echo as a client behind netdd, linked into
 * one domain that owns the NIC: no rings, no backend, no second domain. It
 * uses the NIC's own MAC, echoes UDP on echo_port (default 7) and exits 0
 * when a datagram reaches quit_port (default 9).
 * args: ip= [gw=10.0.2.2] [echo_port=] [quit_port=]
 */
#include "driver-domains/e1000/e1000.h"
#include "guest/net/net.h"
#include "rt/channel.h"
#include "rt/rt.h"

static struct e1000 nic;
static struct netstack ns;
static struct net_echo echo;

static int send_frame(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	return e1000_tx(&nic, frame, len) ? NET_EIO : 0;
}

static uint64_t now(void *ctx)
{
	(void)ctx;
	return hv_time();
}

static void on_frame(void *arg, const void *frame, size_t len)
{
	(void)arg;
	net_input(&ns, frame, len);
}

int main(void)
{
	char s[40];
	uint32_t ip, gw;
	struct net_ops ops = { 0, send_frame, now };

	if (!rt_arg_str("ip", s, sizeof(s)) || net_parse_ip(s, &ip))
		rt_fail("ip=a.b.c.d missing or malformed");
	if (!rt_arg_str("gw", s, sizeof(s)))
		memcpy(s, "10.0.2.2", 9);
	if (net_parse_ip(s, &gw))
		rt_fail("gw=%s malformed", s);
	if (e1000_init(&nic, 0))
		rt_fail("e1000 init failed");
	net_init(&ns, nic.mac, ip, 0xffffff00u, gw, &ops);
	if (net_echo_start(&echo, &ns, (uint16_t)rt_arg_u64("echo_port", 7),
			   (uint16_t)rt_arg_u64("quit_port", 9)))
		rt_fail("echo_port= and quit_port= must be distinct and not 0");
	net_announce(&ns);
	gprintf("directecho: link %s, %s\n", e1000_link_up(&nic) ? "up" : "down",
		nic.irq_port > 0 ? "interrupts" : "polling");
	uint64_t ack = 0;       /* as netdd: acknowledged with the next block */
	while (!echo.quit) {
		/* The same idle path as netdd (interrupt holding, acknowledgement in
		 * HC_BLOCK), so the baseline is not slowed by what (a) avoids. */
		if (!rt_events_pending() && !e1000_irq_release(&nic))
			ack = rt_wait_event_ack(nic.irq_port > 0 ? 20000000ull : 1000000ull, ack);
		e1000_irq_hold(&nic);
		uint64_t ev = rt_events_take();
		if (nic.irq_port > 0 && (ev >> nic.irq_port & 1))
			e1000_irq_causes(&nic);
		int got;
		while ((got = e1000_rx_poll(&nic, on_frame, 0, 32)) == 32)
			;
		if (got == E1000_EIO)
			rt_fail("e1000: receive descriptor %u marked done beyond the device's head %u",
				nic.rx_bad_desc, nic.rx_bad_head);
		net_poll(&ns);
		if (nic.irq_port > 0 && (ev >> nic.irq_port & 1))
			ack |= 1;
	}
	gprintf("directecho: %lu datagrams echoed; e1000: %lu rx %lu tx %lu irqs\n", echo.echoed,
		nic.stats.rx, nic.stats.tx, nic.stats.irqs);
	return 0;
}
