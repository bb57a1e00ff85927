/*
 * A hostile network backend for one client (client=NAME, running netfront).
 * Each time the client connects it breaks the protocol a different way: a
 * response with an invented id, response indices running ahead of the
 * requests, a response of the wrong kind, an RX length past the largest
 * frame. A netfront must drop each connection and offer a new one by
 * itself. On the fifth connection it delivers valid UDP datagrams and ICMP
 * echo requests, but keeps rewriting each one in the shared page after
 * responding for as long as the client has not given the buffer back (a
 * double-fetch attack: the client must act only on bytes it checked), and
 * checks every echo against what it delivered. Then one valid UDP datagram to
 * the client's quit port, so the client exits 0 only if it came through all
 * of it working.
 */
#include "guest/hostile/hostile.h"
#include "guest/net/net.h"
#include "public/io/netif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define RING_GPA  0x20000000ull
#define BUF_GPA   0x20001000ull     /* round 4: the client's pages, one after another */
#define PEER_IP   0x0a000263u       /* 10.0.2.99, the "remote" host we play */
#define ECHO_PORT 7
#define MY_PORT   4000

static const uint8_t my_mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x99 };

/* Waits for the client: 2000 looks, 5 ms apart. */
static struct hostile_back hb = { .devid = NETIF_REG_DEVID, .slot_size = NETIF_SLOT_SIZE,
				  .ring_gpa = RING_GPA, .polls = 2000, .poll_ns = 5000000ull,
				  .port = -1 };

static void answer(const struct netif_response *rsp)
{
	*(struct netif_response *)ring_back_next_rsp(&hb.ring) = *rsp;
	ring_back_push(&hb.ring);
	hv_evtchn_send((uint32_t)hb.port);
}

/* Wait until the client closes its end, then let go of everything. */
static void await_drop(void)
{
	hostile_back_await_close(&hb);
	gprintf("badback: client dropped the connection (port status %ld)\n",
		(long)hv_evtchn_status((uint32_t)hb.port));
	hv_grant_unmap(BUF_GPA);
	hostile_back_release(&hb);
}

/* ---- round 4: frames rewritten after the response ---- */

struct rx_buf { uint16_t id, len; uint8_t *p; };
static struct rx_buf rxq[64];      /* posted RX buffers, oldest first */
static unsigned rx_n;
static struct { uint32_t gref; uint8_t ro; uint8_t *p; } maps[64];
static unsigned nmaps;
static uint8_t client_mac[6];
static uint32_t client_ip;

static struct {
	int held_id;                    /* RX buffer the client has not given back, or -1 */
	uint8_t a[NETIF_MAX_FRAME];     /* the frame as it was when we responded */
	size_t len, off;                /* its length; where its payload starts */
	int icmp;
	unsigned round;
	uint64_t rewrites, rewritten_rounds, echoes, bad_echoes, dropped;
} rw = { .held_id = -1 };

static uint8_t *map_page(uint32_t gref, int ro)
{
	for (unsigned i = 0; i < nmaps; i++)
		if (maps[i].gref == gref && maps[i].ro == ro)
			return maps[i].p;
	uint64_t gpa = BUF_GPA + (uint64_t)nmaps * 4096;
	if (nmaps == 64 || hv_grant_map(hb.client, gref, gpa, ro ? GRANT_READONLY : 0))
		rt_fail("cannot map the client's grant %u", gref);
	maps[nmaps].gref = gref;
	maps[nmaps].ro = (uint8_t)ro;
	maps[nmaps].p = (uint8_t *)(uintptr_t)gpa;
	return maps[nmaps++].p;
}

static void add_rx(const struct netif_request *r)
{
	if (rx_n == sizeof(rxq) / sizeof(rxq[0]))
		rt_fail("more RX buffers than the client has");
	rxq[rx_n++] = (struct rx_buf){ r->id, r->len, map_page(r->gref, 0) + r->offset };
}

static void put16be(uint8_t *p, uint32_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static void ip_header(uint8_t *h, size_t total, uint8_t proto, uint16_t id)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16be(h + 2, (uint32_t)total);
	put16be(h + 4, id);
	h[6] = 0x40;                    /* DF */
	h[8] = 64;
	h[9] = proto;
	put16be(h + 12, PEER_IP >> 16); put16be(h + 14, PEER_IP);
	put16be(h + 16, client_ip >> 16); put16be(h + 18, client_ip);
	put16be(h + 10, net_csum(h, 20, 0));
}

/* An ICMP echo request (odd rounds) or a UDP datagram to the echo port (even
 * rounds) from 10.0.2.99 into f; lengths chosen so that adding up to 3 to a
 * length's low byte never carries. */
static size_t valid_frame(uint8_t *f, unsigned k, int *icmp, size_t *off)
{
	size_t plen = 1000 + (k * 97u) % 400;       /* long: most of the client's time is spent in it */

	if (((8 + plen) & 0xff) > 0xd0)
		plen -= 0x30;
	memcpy(f, client_mac, 6);
	memcpy(f + 6, my_mac, 6);
	f[12] = 0x08; f[13] = 0;
	uint8_t *h = f + 14, *l4 = h + 20;
	for (size_t j = 0; j < plen; j++)
		l4[8 + j] = (uint8_t)((j * 7 + k) % 0xf0);     /* bytes <= 0xef: +3 never wraps */
	*icmp = k & 1;
	if (*icmp) {
		l4[0] = 8; l4[1] = 0; put16be(l4 + 2, 0);
		put16be(l4 + 4, 0x7777); put16be(l4 + 6, k);
		put16be(l4 + 2, net_csum(l4, 8 + plen, 0));
	} else {
		put16be(l4, MY_PORT); put16be(l4 + 2, ECHO_PORT);
		put16be(l4 + 4, (uint32_t)(8 + plen)); put16be(l4 + 6, 0);
		uint32_t ps = (PEER_IP >> 16) + (PEER_IP & 0xffff) + (client_ip >> 16) +
			      (client_ip & 0xffff) + 17 + (uint32_t)(8 + plen);
		uint16_t c = net_csum(l4, 8 + plen, ps);
		put16be(l4 + 6, c ? c : 0xffff);
	}
	ip_header(h, 20 + 8 + plen, *icmp ? 1 : 17, (uint16_t)k);
	*off = 14 + 20 + 8;
	return 14 + 20 + 8 + plen;
}

/*
 * Change the frame under the client: IP total length, UDP length and every
 * odd payload byte (the low byte of each checksummed 16-bit word) get m
 * (1..3) added. Every change is small and positive, so no mix of this and
 * earlier versions, whole or torn, has a valid IP or UDP/ICMP checksum or a
 * UDP length that fits: a client that checks and uses the same bytes drops
 * it; only one that uses other bytes than it checked can echo it.
 */
static void rewrite(uint8_t *f, unsigned m)
{
	f[14 + 3] = (uint8_t)(rw.a[14 + 3] + m);
	if (!rw.icmp)
		f[14 + 20 + 5] = (uint8_t)(rw.a[14 + 20 + 5] + m);
	for (size_t j = rw.off + 1; j < rw.len; j += 2)
		f[j] = (uint8_t)(rw.a[j] + m);
	rw.rewrites++;
}

/* A frame the client sent: if it is the echo of this round's frame, it must
 * carry exactly the payload we delivered. */
static void check_echo(const uint8_t *e, size_t len)
{
	if (len < 14 + 20 + 8 || e[12] != 0x08 || e[13] != 0 || rw.len == 0)
		return;                         /* ARP, or too short to be an echo */
	const uint8_t *h = e + 14, *l4 = h + 20;
	int udp_echo = !rw.icmp && h[9] == 17 && l4[0] == 0 && l4[1] == ECHO_PORT;
	int icmp_echo = rw.icmp && h[9] == 1 && l4[0] == 0;
	if (!udp_echo && !icmp_echo)
		return;
	rw.echoes++;
	size_t want = rw.len - rw.off;
	if (len - rw.off != want || memcmp(e + rw.off, rw.a + rw.off, want)) {
		size_t j = 0;
		while (j < want && j < len - rw.off && e[rw.off + j] == rw.a[rw.off + j])
			j++;
		gprintf("badback: round %u: the client echoed bytes it never validated: %lu bytes "
			"(sent %lu), payload byte %lu is %02x, we sent %02x\n", rw.round,
			(unsigned long)(len - rw.off), (unsigned long)want, (unsigned long)j,
			j < len - rw.off ? e[rw.off + j] : 0, j < want ? rw.a[rw.off + j] : 0);
		rw.bad_echoes++;
	}
}

/* Take the client's requests: TX frames are copied and checked, RX buffers
 * queued; a returned RX buffer means the client is done with its frame. */
static void service(void)
{
	int n;
	static uint8_t e[NETIF_MAX_FRAME];

	while ((n = ring_back_pending(&hb.ring)) > 0) {
		for (int i = 0; i < n; i++) {
			struct netif_request r;
			ring_back_copy_req(&hb.ring, &r);
			if (netif_request_check(&r))
				rt_fail("the client sent a malformed request");
			if (r.op == NETIF_OP_RX) {
				if (r.id == rw.held_id)
					rw.held_id = -1;
				add_rx(&r);
				continue;
			}
			memcpy(e, map_page(r.gref, 1) + r.offset, r.len);
			check_echo(e, r.len);
			*(struct netif_response *)ring_back_next_rsp(&hb.ring) =
				(struct netif_response){ .id = r.id, .op = r.op, .status = NETIF_OK };
		}
	}
	if (n < 0)
		rt_fail("the client broke the ring");
	if (ring_back_push(&hb.ring))
		hv_evtchn_send((uint32_t)hb.port);
}

/* Hand the oldest posted RX buffer (filled already) to the client. */
static struct rx_buf deliver(size_t len)
{
	struct rx_buf b = rxq[0];

	memmove(rxq, rxq + 1, --rx_n * sizeof(rxq[0]));
	answer(&(struct netif_response){ .id = b.id, .op = NETIF_OP_RX, .status = NETIF_OK,
					 .len = (uint16_t)len });
	return b;
}

static struct rx_buf next_buf(void)
{
	for (uint64_t t0 = hv_time(); !rx_n; hv_yield()) {
		service();
		if (hv_time() - t0 > 2000000000ull)
			rt_fail("the client posts no RX buffer");
	}
	return rxq[0];
}

/* Teach the client our MAC: an ARP request for its address from 10.0.2.99. */
static void arp_hello(void)
{
	uint8_t *f = next_buf().p;

	memset(f, 0xff, 6);
	memcpy(f + 6, my_mac, 6);
	f[12] = 0x08; f[13] = 0x06;
	uint8_t *a = f + 14;
	put16be(a, 1); put16be(a + 2, 0x0800); a[4] = 6; a[5] = 4; put16be(a + 6, 1);
	memcpy(a + 8, my_mac, 6);
	put16be(a + 14, PEER_IP >> 16); put16be(a + 16, PEER_IP);
	memset(a + 18, 0, 6);
	put16be(a + 24, client_ip >> 16); put16be(a + 26, client_ip);
	deliver(14 + 28);
}

/*
 * rounds times: respond with a valid frame, then, each time we run again
 * before the client returned the buffer (it was preempted while holding the
 * frame, or has not looked yet), rewrite the frame in place. Runs without
 * blocking, so that we run whenever the client is preempted.
 */
static void rewrite_rounds(unsigned rounds)
{
	arp_hello();
	unsigned k;

	for (k = 0; k < rounds && !rw.bad_echoes; k++) {
		struct rx_buf b = next_buf();
		rw.round = k;
		rw.len = valid_frame(rw.a, k, &rw.icmp, &rw.off);
		memcpy(b.p, rw.a, rw.len);
		rw.held_id = b.id;
		deliver(rw.len);
		uint64_t echoes = rw.echoes, t0 = hv_time();
		unsigned m = 0;
		for (;;) {
			hv_yield();
			service();
			if (rw.held_id < 0)
				break;
			rewrite(b.p, m++ % 3 + 1);
			if (hv_time() - t0 > 2000000000ull)
				rt_fail("round %u: the client keeps its buffer", k);
		}
		rw.rewritten_rounds += m > 0;
		rw.dropped += m > 0 && rw.echoes == echoes;
	}
	gprintf("badback: %u frames, %lu rewritten under the client (%lu rewrites), %lu echoes, "
		"%lu dropped, %lu bad echoes\n", k, rw.rewritten_rounds, rw.rewrites, rw.echoes,
		rw.dropped, rw.bad_echoes);
	/* A pass means something only if frames were changed under the client. */
	if (!rw.bad_echoes && rw.echoes && rw.rewritten_rounds >= 10)
		gprintf("badback: every echo carried the bytes valid at response time\n");
}

/* An IPv4/UDP datagram from 10.0.2.99:4000 to the client's quit port. */
static size_t quit_frame(uint8_t *f)
{
	memset(f, 0, 60);
	memcpy(f, client_mac, 6);
	memcpy(f + 6, my_mac, 6);
	f[12] = 0x08;
	ip_header(f + 14, 20 + 8 + 4, 17, 0);
	uint8_t *u = f + 14 + 20;
	u[0] = MY_PORT >> 8; u[1] = MY_PORT & 0xff; u[3] = 9; u[5] = 12;    /* checksum 0: none */
	memcpy(u + 8, "quit", 4);
	return 14 + 20 + 8 + 4;
}

int main(void)
{
	char mac[24], ip[20];
	struct netif_request r;

	hb.client = (uint32_t)rt_peer_id("client");
	if (!rt_arg_str("client_mac", mac, sizeof(mac)) || !rt_arg_str("client_ip", ip, sizeof(ip)) ||
	    net_parse_mac(mac, client_mac) || net_parse_ip(ip, &client_ip))
		rt_fail("client_mac= and client_ip= needed");
	for (int round = 0; round < 5; round++) {
		if (hostile_back_accept(&hb) || hostile_back_first_request(&hb, &r))
			rt_fail("round %d: the client did not (re)connect", round);
		gprintf("badback: round %d, first request id %u op %u\n", round, r.id, r.op);
		struct netif_response rsp = { .id = r.id, .op = r.op, .status = NETIF_OK, .len = 60 };
		switch (round) {
		case 0: rsp.id = 999; answer(&rsp); break;                 /* invented id */
		case 1:                                                     /* indices ahead */
			__atomic_store_n(&hb.ring.s->rsp_prod, hb.ring.rsp_prod_pvt + 500, __ATOMIC_SEQ_CST);
			hv_evtchn_send((uint32_t)hb.port);
			break;
		case 2: rsp.op = NETIF_OP_TX; answer(&rsp); break;          /* wrong kind */
		case 3: rsp.len = 5000; answer(&rsp); break;                /* too long */
		case 4:
			if (r.op != NETIF_OP_RX)
				rt_fail("round 4: no RX buffer to fill");
			add_rx(&r);
			rewrite_rounds((unsigned)rt_arg_u64("rewrite_rounds", 2000));
			deliver(quit_frame(next_buf().p));
			gprintf("badback: delivered a datagram to the client's quit port\n");
			break;
		}
		if (round < 4)
			await_drop();
	}
	hostile_back_await_close(&hb);
	return 0;
}
