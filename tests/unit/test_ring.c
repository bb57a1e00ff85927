/*
 * Ring ABI: single-threaded behaviour and a hostile peer on either side. The
 * shared page is an exactly-sized heap block so ASan catches any access
 * outside it; every violation must come back as RING_EPROTO.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "public/io/netif.h"
#include "public/ring.h"
#include "reqids.h"
#include "unit.h"

static void *page;
static struct ring_front f;
static struct ring_back b;

static void setup(void)
{
	free(page);
	page = malloc(RING_PAGE_SIZE);
	CHECK_EQ(ring_front_init(&f, page, NETIF_SLOT_SIZE), 0);
	CHECK_EQ(ring_back_attach(&b, page, NETIF_SLOT_SIZE), 0);
}

static void send_req(uint16_t id, uint16_t len)
{
	struct netif_request *r = ring_front_next_req(&f);
	CHECK(r != 0);
	if (r)
		*r = (struct netif_request){ .id = id, .op = NETIF_OP_TX, .gref = 7, .len = len };
}

static void basics(void)
{
	struct netif_request req;
	struct netif_response rsp;

	CHECK_EQ(ring_nslots(16), 128);
	CHECK_EQ(ring_nslots(88), 32);
	CHECK_EQ(ring_nslots(0), 0);
	CHECK_EQ(ring_nslots(5000), 0);
	setup();
	CHECK_EQ(f.nslots, 128);
	CHECK_EQ(ring_back_pending(&b), 0);

	/* hold-off: the first push notifies, later ones not until the backend re-arms */
	send_req(1, 60);
	CHECK_EQ(ring_front_push(&f), 1);
	send_req(2, 61);
	CHECK_EQ(ring_front_push(&f), 0);
	CHECK_EQ(ring_back_pending(&b), 2);
	ring_back_copy_req(&b, &req);
	CHECK_EQ(req.id, 1);
	CHECK_EQ(netif_request_check(&req), NETIF_OK);
	ring_back_copy_req(&b, &req);
	CHECK_EQ(req.id, 2);
	CHECK_EQ(ring_back_final_check(&b), 0);     /* re-armed */
	send_req(3, 62);
	CHECK_EQ(ring_front_push(&f), 1);           /* so this one notifies */

	/* responses: at most one per consumed request */
	for (int i = 0; i < 2; i++) {
		struct netif_response *p = ring_back_next_rsp(&b);
		CHECK(p != 0);
		if (p)
			*p = (struct netif_response){ .id = (uint16_t)(i + 1), .status = NETIF_OK };
	}
	CHECK(ring_back_next_rsp(&b) == 0);
	CHECK_EQ(ring_back_push(&b), 1);
	CHECK_EQ(ring_front_pending(&f), 2);
	ring_front_copy_rsp(&f, &rsp);
	CHECK_EQ(rsp.id, 1);
	ring_front_copy_rsp(&f, &rsp);
	CHECK_EQ(rsp.id, 2);

	/* the ring holds nslots outstanding requests, no more */
	setup();
	for (uint32_t i = 0; i < f.nslots; i++)
		send_req((uint16_t)i, 10);
	CHECK(ring_front_next_req(&f) == 0);
	CHECK_EQ(ring_front_free(&f), 0);
}

/* Indices start near 2^32 so they wrap during the run. */
static void wraparound(void)
{
	struct netif_request req;
	struct netif_response rsp;
	uint32_t start = 0xffffff00u;
	int bad = 0;

	setup();
	f.req_prod_pvt = f.req_pub = f.rsp_cons = start;
	b.req_cons = b.rsp_prod_pvt = b.rsp_pub = start;
	((struct ring_sring *)page)->req_prod = ((struct ring_sring *)page)->rsp_prod = start;
	for (uint32_t i = 0; i < 1000; i++) {
		send_req((uint16_t)i, 100);
		ring_front_push(&f);
		bad += ring_back_pending(&b) != 1;
		ring_back_copy_req(&b, &req);
		bad += req.id != (uint16_t)i;
		*(struct netif_response *)ring_back_next_rsp(&b) =
			(struct netif_response){ .id = req.id };
		ring_back_push(&b);
		bad += ring_front_pending(&f) != 1;
		ring_front_copy_rsp(&f, &rsp);
		bad += rsp.id != (uint16_t)i;
	}
	CHECK_EQ(bad, 0);
	CHECK(f.rsp_cons < start);      /* really wrapped */
}

/* A hostile frontend, seen by the backend. */
static void hostile_frontend(void)
{
	struct ring_sring *s;
	struct netif_request req;

	setup();
	s = page;
	s->req_prod = b.nslots + 1;                 /* jumps past the ring */
	CHECK_EQ(ring_back_pending(&b), RING_EPROTO);
	CHECK_EQ(ring_back_final_check(&b), RING_EPROTO);
	s->req_prod = 0xffffffffu;                  /* behind the consumer */
	CHECK_EQ(ring_back_pending(&b), RING_EPROTO);
	s->req_prod = b.nslots;                     /* a full ring is fine */
	CHECK_EQ(ring_back_pending(&b), (int)b.nslots);

	/* consumed but unanswered requests count against the ring too */
	setup();
	s = page;
	for (int i = 0; i < 100; i++)
		send_req((uint16_t)i, 10);
	ring_front_push(&f);
	for (int i = 0; i < 100; i++)
		ring_back_copy_req(&b, &req);
	s->req_prod = 100 + 29;                     /* 100 unanswered + 29 > 128 */
	CHECK_EQ(ring_back_pending(&b), RING_EPROTO);
	s->req_prod = 100 + 28;
	CHECK_EQ(ring_back_pending(&b), 28);

	/* request contents: copied once, then checked */
	setup();
	struct netif_request bad[] = {
		{ .id = 1, .op = 9, .len = 10 },
		{ .id = 2, .op = NETIF_OP_TX, .len = 0 },
		{ .id = 3, .op = NETIF_OP_TX, .len = 1515 },
		{ .id = 4, .op = NETIF_OP_RX, .offset = 4000, .len = 200 },   /* past the page */
		{ .id = 5, .op = NETIF_OP_RX, .offset = 0xffff, .len = 1 },
		{ .id = 6, .op = NETIF_OP_TX, .flags = 1, .len = 1 },
		{ .id = 7, .op = NETIF_OP_TX, .len = 1, .reserved = 3 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		*(struct netif_request *)ring_front_next_req(&f) = bad[i];
	ring_front_push(&f);
	CHECK_EQ(ring_back_pending(&b), 7);
	for (unsigned i = 0; i < 7; i++) {
		ring_back_copy_req(&b, &req);
		CHECK_EQ(netif_request_check(&req), NETIF_ERR_BADREQ);
	}

	/* a page that was never initialised is refused at attach */
	memset(page, 0, RING_PAGE_SIZE);
	CHECK_EQ(ring_back_attach(&b, page, NETIF_SLOT_SIZE), RING_EPROTO);
}

/* A hostile backend, seen by the frontend. */
static void hostile_backend(void)
{
	struct ring_sring *s;

	setup();
	s = page;
	s->rsp_prod = 1;                            /* answers a request never sent */
	CHECK_EQ(ring_front_pending(&f), RING_EPROTO);
	CHECK_EQ(ring_front_final_check(&f), RING_EPROTO);
	send_req(1, 10);
	send_req(2, 10);
	ring_front_push(&f);
	s->rsp_prod = 3;                            /* more responses than requests */
	CHECK_EQ(ring_front_pending(&f), RING_EPROTO);
	s->rsp_prod = 0xfffffff0u;                  /* behind */
	CHECK_EQ(ring_front_pending(&f), RING_EPROTO);
	s->rsp_prod = 2;
	CHECK_EQ(ring_front_pending(&f), 2);
	/* a backend rewriting req_prod cannot confuse the frontend's notifications */
	s->req_prod = 12345;
	send_req(3, 10);
	CHECK_EQ(ring_front_push(&f), 0);           /* req_event still 1 < old 2: no notify */
	CHECK_EQ(s->req_prod, 3);
}

/* A backend answering with ids it never got: the frontend's id table refuses them. */
static void hostile_response_ids(void)
{
	struct reqids ids;
	struct netif_response rsp;
	struct ring_back hb;
	int id[3];

	setup();
	reqids_init(&ids, f.nslots);
	for (int i = 0; i < 3; i++) {
		id[i] = reqids_get(&ids);
		send_req((uint16_t)id[i], 10);
	}
	ring_front_push(&f);
	CHECK_EQ(ring_back_attach(&hb, page, NETIF_SLOT_SIZE), 0);
	hb.req_cons = 3;                                  /* pretend all three were consumed */
	uint16_t answers[3] = { (uint16_t)id[1], 999, (uint16_t)id[1] };  /* ok, invented, repeat */
	for (int i = 0; i < 3; i++)
		*(struct netif_response *)ring_back_next_rsp(&hb) =
			(struct netif_response){ .id = answers[i] };
	ring_back_push(&hb);
	CHECK_EQ(ring_front_pending(&f), 3);
	int verdict[3];
	for (int i = 0; i < 3; i++) {
		ring_front_copy_rsp(&f, &rsp);
		verdict[i] = reqids_complete(&ids, rsp.id);
	}
	CHECK_EQ(verdict[0], 0);
	CHECK_EQ(verdict[1], -1);       /* out of range */
	CHECK_EQ(verdict[2], -1);       /* answered twice */
	CHECK_EQ(ids.outstanding, 2);
	CHECK_EQ(reqids_complete(&ids, ~0ull), -1);
	reqids_init(&ids, 2);
	CHECK_EQ(reqids_get(&ids), 0);
	CHECK_EQ(reqids_get(&ids), 1);
	CHECK_EQ(reqids_get(&ids), -1);
	CHECK_EQ(reqids_complete(&ids, 0), 0);
	CHECK_EQ(reqids_get(&ids), 0);
}

int main(void)
{
	basics();
	hostile_response_ids();
	wraparound();
	hostile_frontend();
	hostile_backend();
	free(page);
	return unit_done("ring");
}
