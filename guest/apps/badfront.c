/*
 * A hostile netfront: it connects to netback (backend=NAME) over a raw ring
 * and sends malformed requests, one at a time; each must be answered with
 * the documented error while the backend keeps serving. Then it breaks the
 * ring indices, which must cost it its own connection and nothing else.
 * greedy=1 instead sends frames from page after page of its own (each a new
 * grant the backend must map), holds what the backend mapped for hold_ms=
 * and leaves: the backend maps at most its per-client share.
 * spy=1 (with mac=, its assigned MAC, and victim=, another client's) tries
 * to send from the gateway's MAC and the victim's (each must be refused),
 * sends one frame from its own, then listens for listen_ms= (default 20000):
 * every unicast frame it receives must be addressed to its own MAC.
 * Exit code: the number of failed checks.
 */
#include "guest/hostile/hostile.h"
#include "guest/net/net.h"
#include "public/io/netif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/test.h"

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static uint8_t rw_page[4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
#define GREEDY_PAGES 64
static uint8_t greedy_pages[GREEDY_PAGES][4096] __attribute__((aligned(4096)));
static struct hostile_front hf = { .devid = NETIF_REG_DEVID, .slot_size = NETIF_SLOT_SIZE };

/* Send one request and return the status of its response (or 1: no answer). */
static int transact(struct netif_request rq)
{
	struct netif_request *slot = ring_front_next_req(&hf.ring);
	struct netif_response rsp;
	uint64_t end = hv_time() + 2000000000ull;

	*slot = rq;
	if (ring_front_push(&hf.ring))
		hv_evtchn_send((uint32_t)hf.port);
	while (hv_time() < end) {
		if (ring_front_final_check(&hf.ring) > 0) {
			ring_front_copy_rsp(&hf.ring, &rsp);
			GCHECK_EQ(rsp.id, rq.id);
			GCHECK_EQ(rsp.op, rq.op);
			return rsp.status;
		}
		rt_wait_event(5000000ull);
		rt_events_take();
	}
	return 1;
}

static void arp_frame(uint8_t *f, const uint8_t src[6])
{
	static const uint8_t hdr[14] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 8, 6 };

	memcpy(f, hdr, 14);
	memcpy(f + 6, src, 6);
	memset(f + 14, 0, 28);          /* the switch looks at the Ethernet header only */
}

static void arp_frame(uint8_t *f, const uint8_t src[6]);
static int transact(struct netif_request rq);

/* Frames from GREEDY_PAGES pages, each granted anew: count what the backend
 * took, hold it, then leave. */
static int greedy(const uint8_t mac[6])
{
	unsigned taken = 0, refused = 0;

	for (uint16_t i = 0; i < GREEDY_PAGES; i++) {
		int64_t g = hv_grant_create(greedy_pages[i], hf.backend, GRANT_READONLY);
		GCHECK(g >= 0);
		arp_frame(greedy_pages[i], mac);
		int st = transact((struct netif_request){ .id = i, .op = NETIF_OP_TX,
							  .gref = (uint32_t)g, .len = 42 });
		taken += st == NETIF_OK;
		refused += st == NETIF_ERR_GRANT;
	}
	gprintf("badfront: greedy: the backend mapped %u of %u pages, refused %u\n", taken,
		GREEDY_PAGES, refused);
	GCHECK(taken >= 32 && taken < GREEDY_PAGES);    /* a netfront's worth, not more */
	GCHECK_EQ(taken + refused, GREEDY_PAGES);
	hv_sleep(rt_arg_u64("hold_ms", 3000) * 1000000ull);
	return rt_test_result();
}

/* Post RX buffer i (greedy_pages[i], granted writable as grefs[i]). */
static void post_rx(uint16_t i, const uint32_t *grefs)
{
	*(struct netif_request *)ring_front_next_req(&hf.ring) = (struct netif_request){
		.id = i, .op = NETIF_OP_RX, .gref = grefs[i], .len = NETIF_MAX_FRAME };
	if (ring_front_push(&hf.ring))
		hv_evtchn_send((uint32_t)hf.port);
}

static int spy(void)
{
	static const uint8_t gateway[6] = { 0x52, 0x55, 0x0a, 0x00, 0x02, 0x02 };  /* 10.0.2.2 */
	enum { BUFS = 8 };
	uint8_t mine[6], victim[6];
	uint32_t grefs[BUFS];
	char s[24];
	unsigned got = 0, theirs = 0;

	if (!rt_arg_str("mac", s, sizeof(s)) || net_parse_mac(s, mine) ||
	    !rt_arg_str("victim", s, sizeof(s)) || net_parse_mac(s, victim))
		rt_fail("spy=1 wants mac= and victim=");
	for (uint16_t i = 0; i < BUFS; i++) {
		int64_t g = hv_grant_create(greedy_pages[i], hf.backend, 0);
		GCHECK(g >= 0);
		grefs[i] = (uint32_t)g;
	}
	/* Claims, before any buffer is posted (each answer is the claim's). */
	arp_frame(greedy_pages[0], gateway);
	int st_gw = transact((struct netif_request){ .id = 100, .op = NETIF_OP_TX, .gref = grefs[0], .len = 42 });
	arp_frame(greedy_pages[0], victim);
	int st_victim = transact((struct netif_request){ .id = 101, .op = NETIF_OP_TX, .gref = grefs[0], .len = 42 });
	arp_frame(greedy_pages[0], mine);
	GCHECK_EQ(transact((struct netif_request){ .id = 102, .op = NETIF_OP_TX, .gref = grefs[0], .len = 42 }),
		  NETIF_OK);
	GCHECK_EQ(st_gw, NETIF_ERR_BADREQ);
	GCHECK_EQ(st_victim, NETIF_ERR_BADREQ);
	if (st_gw == NETIF_ERR_BADREQ && st_victim == NETIF_ERR_BADREQ)
		gprintf("badfront: spy: claims of the gateway's and the victim's MAC refused\n");
	for (uint16_t i = 0; i < BUFS; i++)
		post_rx(i, grefs);
	uint64_t end = hv_time() + rt_arg_u64("listen_ms", 20000) * 1000000ull;
	while (hv_time() < end) {
		struct netif_response rsp;
		while (ring_front_final_check(&hf.ring) > 0) {
			ring_front_copy_rsp(&hf.ring, &rsp);
			GCHECK(rsp.op == NETIF_OP_RX && rsp.id < BUFS);
			if (rsp.op != NETIF_OP_RX || rsp.id >= BUFS)
				continue;
			const uint8_t *f = greedy_pages[rsp.id];
			if (rsp.status == NETIF_OK && rsp.len >= 14) {
				got++;
				if (!(f[0] & 1) && memcmp(f, mine, 6)) {
					theirs++;
					gprintf("badfront: spy: got a frame for %02x:%02x:%02x:%02x:%02x:%02x\n",
						f[0], f[1], f[2], f[3], f[4], f[5]);
				}
			}
			post_rx(rsp.id, grefs);
		}
		rt_wait_event(5000000ull);
		rt_events_take();
	}
	gprintf("badfront: spy: %u frames received, %u of them unicast to another MAC\n", got, theirs);
	GCHECK_EQ(theirs, 0);
	return rt_test_result();
}

int main(void)
{
	static const uint8_t mine[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x66 };
	static const uint8_t other[6] = { 0x52, 0x54, 0x00, 0x00, 0x00, 0x67 };
	static const uint8_t group[6] = { 0x53, 0x54, 0x00, 0x00, 0x00, 0x66 };
	uint32_t rw, ro;
	uint16_t id = 0;

	hf.backend = (uint32_t)rt_peer_id("backend");
	if (hostile_front_connect(&hf, ring_page, rw_page, ro_page, &rw, &ro))
		rt_fail("could not connect to the backend");
	if (rt_arg_u64("greedy", 0)) {
		uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x00, 0x01, 0x00 };
		struct hv_self_info me;
		GCHECK_EQ(hv_self_info(&me), 0);
		mac[5] = (uint8_t)me.domid;
		return greedy(mac);
	}
	if (rt_arg_u64("spy", 0))
		return spy();
#define RQ(op_, gref_, off_, len_) \
	((struct netif_request){ .id = id++, .op = (op_), .gref = (gref_), .offset = (off_), .len = (len_) })
	struct netif_request r;
	GCHECK_EQ(transact(RQ(7, rw, 0, 64)), NETIF_ERR_BADREQ);                 /* unknown op */
	r = RQ(NETIF_OP_TX, rw, 0, 64); r.flags = 1;
	GCHECK_EQ(transact(r), NETIF_ERR_BADREQ);                                /* flags set */
	r = RQ(NETIF_OP_RX, rw, 0, 64); r.reserved = 5;
	GCHECK_EQ(transact(r), NETIF_ERR_BADREQ);                                /* reserved set */
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 0, 0)), NETIF_ERR_BADREQ);        /* empty */
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 0, 1515)), NETIF_ERR_BADREQ);     /* too long */
	GCHECK_EQ(transact(RQ(NETIF_OP_RX, rw, 4000, 200)), NETIF_ERR_BADREQ);   /* past the page */
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 0xffff, 1)), NETIF_ERR_BADREQ);
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, 200, 0, 64)), NETIF_ERR_GRANT);       /* never granted */
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, 0xffffffffu, 0, 64)), NETIF_ERR_GRANT);
	GCHECK_EQ(transact(RQ(NETIF_OP_RX, ro, 0, 1514)), NETIF_ERR_GRANT);      /* RX into read-only */
	arp_frame(rw_page, mine);
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 0, 10)), NETIF_ERR_BADREQ);       /* shorter than a header */
	arp_frame(rw_page + 1024, group);
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 1024, 42)), NETIF_ERR_BADREQ);    /* group source MAC */
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 0, 42)), NETIF_OK);               /* our MAC, learned */
	arp_frame(ro_page, mine);
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, ro, 0, 42)), NETIF_OK);               /* TX from read-only */
	arp_frame(rw_page + 2048, other);
	GCHECK_EQ(transact(RQ(NETIF_OP_TX, rw, 2048, 42)), NETIF_ERR_BADREQ);    /* MAC changed */
	gprintf("badfront: malformed requests answered with errors\n");

	/* Claim 1,000 requests on a ring of 128 slots: the backend must drop us. */
	hostile_front_break_ring(&hf);
	gprintf("badfront: dropped after breaking the ring; %d failed checks\n", rt_test_result());
	return rt_test_result();
}
