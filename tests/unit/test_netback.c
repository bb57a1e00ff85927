/*
 * netback (backend/netback.c, unchanged) over the fake hypervisor of
 * fake_hv.c, with a client played by hand: how offers are taken across a
 * backend restart.
 *
 * Domains: 1 the backend, 2 the client.
 */
#include <string.h>
#include "backend/netback.h"
#include "public/io/netif.h"
#include "rt/channel.h"
#include "tests/unit/fake_hv.h"
#include "unit.h"

#define BACK   1
#define CLIENT 2

static struct netback nb;
static unsigned uplink_frames;

static int uplink_tx(void *ctx, const void *frame, size_t len)
{
	(void)ctx, (void)frame, (void)len;
	uplink_frames++;
	return 0;
}

static void back_start(void)
{
	static const struct netback_uplink up = { 0, uplink_tx, 0 };

	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, &up), 0);
	CHECK_EQ(netback_add_client(&nb, CLIENT), 0);
}

static void poll_back(unsigned n)
{
	fake_cur = BACK;
	for (unsigned i = 0; i < n; i++)
		netback_poll(&nb, rt_events_take());
}

/* The client's side: its ring page, the grant and port it offers. */
static struct { uint8_t *ring_page, *buf; struct ring_front ring; int gref, buf_gref, port; } cl;

static void client_offer(void)
{
	fake_cur = CLIENT;
	ring_front_init(&cl.ring, cl.ring_page, NETIF_SLOT_SIZE);
	cl.gref = (int)hv_grant_create(cl.ring_page, BACK, 0);
	cl.port = (int)hv_evtchn_alloc(BACK);
	CHECK(cl.gref >= 0 && cl.port > 0);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)cl.gref, (uint32_t)cl.port, 0 };
	CHECK_EQ(hv_reg_write(BACK, NETIF_REG_DEVID, &me), 0);
}

/* The client noticed its backend died: it takes its offer back (port
 * closed, grant revoked) before making a new one. */
static void client_teardown(void)
{
	fake_cur = CLIENT;
	CHECK_EQ(hv_evtchn_close((uint32_t)cl.port), 0);
	CHECK_EQ(hv_grant_revoke((uint32_t)cl.gref), 0);
}

/* One frame sent by the client through the backend to the uplink. */
static int client_sends(void)
{
	struct netif_request r = { .id = 1, .op = NETIF_OP_TX, .gref = (uint32_t)cl.buf_gref, .len = 60 };
	static const uint8_t hdr[12] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 2 };
	unsigned before = uplink_frames;

	fake_cur = CLIENT;
	memcpy(cl.buf, hdr, sizeof(hdr));
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	poll_back(1);
	return uplink_frames - before;
}

/* Backend generation 1 takes the client's offer and dies before the client
 * saw it connected. Generation 2 reads that stale offer: the ring maps, but
 * the client's port is no longer unbound (its peer died), so it fails. The
 * client then notices, tears its offer down and offers again: the
 * hypervisor hands it the same grant reference and port number, and its
 * generation has not changed, so the new offer looks exactly like the
 * failed one. netback must try it again (every OFFER_RETRY_EVERY polls);
 * it used to skip an offer that had failed once, for good. */
static void test_stale_offer_retried(void)
{
	fake_hv_init();
	fake_cur = CLIENT;
	cl.ring_page = fake_alloc_pages(1);
	cl.buf = fake_alloc_pages(1);
	back_start();
	client_offer();
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 1);
	CHECK_EQ(fake_reg(BACK, CLIENT, NETIF_REG_DEVID).state, REG_CONNECTED);

	fake_kill(BACK);
	back_start();                           /* generation 2: says Reconnecting */
	CHECK_EQ(fake_reg(BACK, CLIENT, NETIF_REG_DEVID).state, REG_RECONNECTING);
	poll_back(1);                           /* the stale offer fails */
	CHECK_EQ(netback_connected(&nb), 0);
	CHECK_EQ(fake_maps_of(CLIENT), 0);      /* and leaves nothing mapped */

	int old_gref = cl.gref, old_port = cl.port;
	client_teardown();
	client_offer();
	CHECK_EQ(cl.gref, old_gref);            /* the premise: numbers reused */
	CHECK_EQ(cl.port, old_port);
	unsigned polls = 0;
	while (!netback_connected(&nb) && polls < 1000) {
		poll_back(1);
		polls++;
	}
	CHECK_EQ(netback_connected(&nb), 1);
	CHECK(polls <= 64);
	struct reg_entry be = fake_reg(BACK, CLIENT, NETIF_REG_DEVID);
	CHECK_EQ(be.state, REG_CONNECTED);
	fake_cur = CLIENT;
	CHECK_EQ(hv_evtchn_status((uint32_t)cl.port), EVTCHN_CONNECTED);

	/* ... and served. */
	fake_cur = CLIENT;
	cl.buf_gref = (int)hv_grant_create(cl.buf, BACK, GRANT_READONLY);
	CHECK_EQ(client_sends(), 1);
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 1);
}

/* A hostile or broken client whose offer keeps failing costs the backend a
 * try only every OFFER_RETRY_EVERY polls, not one per poll. */
static void test_failed_offer_not_retried_every_poll(void)
{
	fake_hv_init();
	fake_cur = CLIENT;
	cl.ring_page = fake_alloc_pages(1);
	back_start();
	fake_cur = CLIENT;
	struct reg_entry bad = { REG_INITIALISING, 7, 9, 0 };      /* nothing behind it */
	CHECK_EQ(hv_reg_write(BACK, NETIF_REG_DEVID, &bad), 0);
	poll_back(1);
	uint32_t first = nb.c[0].offer_poll;
	poll_back(63);
	CHECK_EQ(nb.c[0].offer_poll, first);    /* not tried again yet */
	poll_back(1);
	CHECK_EQ(nb.c[0].offer_poll, first + 64);
	CHECK_EQ(netback_connected(&nb), 0);
}

int main(void)
{
	test_stale_offer_retried();
	test_failed_offer_not_retried_every_poll();
	return unit_done("netback");
}
