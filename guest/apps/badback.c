/*
 * A hostile network backend for one client (client=NAME, running netfront).
 * Each time the client connects it breaks the protocol a different way: a
 * response with an invented id, response indices running ahead of the
 * requests, a response of the wrong kind, an RX length past the largest
 * frame. A netfront must drop each connection and offer a new one by
 * itself. On the fifth connection it behaves and delivers one valid UDP
 * datagram to the client's quit port, so the client exits 0 only if it came
 * through all of it working.
 */
#include "guest/net/net.h"
#include "public/io/netif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define RING_GPA  0x20000000ull
#define BUF_GPA   0x20001000ull

static uint32_t client;
static struct ring_back ring;
static int port = -1;

static void announce(uint32_t state)
{
	struct reg_entry me = { state, 0, port > 0 ? (uint32_t)port : 0, 0 };

	hv_reg_write(client, NETIF_REG_DEVID, &me);
}

/* Wait for the client's offer and attach; 0 when connected. */
static int accept_offer(void)
{
	struct reg_entry fe;

	announce(REG_INITIALISING);
	for (int i = 0; i < 2000; i++) {
		if (!hv_reg_read(client, NETIF_REG_DEVID, &fe) && fe.state == REG_INITIALISING)
			break;
		rt_wait_event(5000000ull);
	}
	if (fe.state != REG_INITIALISING || hv_grant_map(client, fe.gref, RING_GPA, 0))
		return -1;
	port = (int)hv_evtchn_bind(client, fe.port);
	if (port < 0 || ring_back_attach(&ring, (void *)(uintptr_t)RING_GPA, NETIF_SLOT_SIZE))
		return -1;
	announce(REG_CONNECTED);
	return 0;
}

/* Take the client's first request (its RX buffers are posted on connect). */
static int first_request(struct netif_request *r)
{
	for (int i = 0; i < 2000; i++) {
		int n = ring_back_final_check(&ring);
		if (n > 0) {
			ring_back_copy_req(&ring, r);
			return 0;
		}
		rt_wait_event(5000000ull);
		rt_events_take();
	}
	return -1;
}

static void answer(const struct netif_response *rsp)
{
	*(struct netif_response *)ring_back_next_rsp(&ring) = *rsp;
	ring_back_push(&ring);
	hv_evtchn_send((uint32_t)port);
}

/* Wait until the client closes its end, then let go of everything. */
static void await_drop(void)
{
	for (int i = 0; i < 2000 && hv_evtchn_status((uint32_t)port) == EVTCHN_CONNECTED; i++)
		rt_wait_event(5000000ull);
	gprintf("badback: client dropped the connection (port status %ld)\n",
		(long)hv_evtchn_status((uint32_t)port));
	hv_grant_unmap(BUF_GPA);
	hv_grant_unmap(RING_GPA);
	hv_evtchn_close((uint32_t)port);
	port = -1;
}

/* An IPv4/UDP datagram from 10.0.2.99:4000 to the client's quit port. */
static size_t quit_frame(uint8_t *f, const char *mac, const char *ip)
{
	static const uint8_t src[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x99 };
	uint32_t dst_ip;
	uint8_t dst[6];

	if (net_parse_mac(mac, dst) || net_parse_ip(ip, &dst_ip))
		rt_fail("client_mac= or client_ip= malformed");
	memset(f, 0, 60);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = 0x08;
	uint8_t *h = f + 14;
	h[0] = 0x45; h[3] = 20 + 8 + 4; h[8] = 64; h[9] = 17;
	h[12] = 10; h[13] = 0; h[14] = 2; h[15] = 99;
	for (int i = 0; i < 4; i++)
		h[16 + i] = (uint8_t)(dst_ip >> (24 - 8 * i));
	uint16_t c = net_csum(h, 20, 0);
	h[10] = (uint8_t)(c >> 8); h[11] = (uint8_t)c;
	uint8_t *u = h + 20;
	u[0] = 4000 >> 8; u[1] = 4000 & 0xff; u[3] = 9; u[5] = 12;    /* checksum 0: none */
	memcpy(u + 8, "quit", 4);
	return 14 + 20 + 8 + 4;
}

int main(void)
{
	char mac[24], ip[20];
	struct netif_request r;

	client = (uint32_t)rt_peer_id("client");
	if (!rt_arg_str("client_mac", mac, sizeof(mac)) || !rt_arg_str("client_ip", ip, sizeof(ip)))
		rt_fail("client_mac= and client_ip= needed");
	for (int round = 0; round < 5; round++) {
		if (accept_offer() || first_request(&r))
			rt_fail("round %d: the client did not (re)connect", round);
		gprintf("badback: round %d, first request id %u op %u\n", round, r.id, r.op);
		struct netif_response rsp = { .id = r.id, .op = r.op, .status = NETIF_OK, .len = 60 };
		switch (round) {
		case 0: rsp.id = 999; answer(&rsp); break;                 /* invented id */
		case 1:                                                     /* indices ahead */
			__atomic_store_n(&ring.s->rsp_prod, ring.rsp_prod_pvt + 500, __ATOMIC_SEQ_CST);
			hv_evtchn_send((uint32_t)port);
			break;
		case 2: rsp.op = NETIF_OP_TX; answer(&rsp); break;          /* wrong kind */
		case 3: rsp.len = 5000; answer(&rsp); break;                /* too long */
		case 4:
			if (r.op != NETIF_OP_RX || hv_grant_map(client, r.gref, BUF_GPA, 0))
				rt_fail("round 4: no RX buffer to fill");
			rsp.len = (uint16_t)quit_frame((uint8_t *)(uintptr_t)(BUF_GPA + r.offset), mac, ip);
			answer(&rsp);
			gprintf("badback: delivered a datagram to the client's quit port\n");
			break;
		}
		if (round < 4)
			await_drop();
	}
	for (int i = 0; i < 2000 && hv_evtchn_status((uint32_t)port) == EVTCHN_CONNECTED; i++)
		rt_wait_event(5000000ull);
	return 0;
}
