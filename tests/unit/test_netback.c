/*
 * netback (backend/netback.c, unchanged) over the fake hypervisor of
 * fake_hv.c, with a client played by hand: how offers are taken across a
 * backend restart; zero-copy transmit (the device sends netback's copy of
 * the header, and the client hears back only after the device is done);
 * copied transmit built in the uplink's own buffer.
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
#define STATUS_POLLS 256        /* netback.c STATUS_EVERY: a quiet port is looked at */

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
	static const struct netback_uplink up = { 0, uplink_tx, 0, 0, 0, 0, 0, 0 };

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

/* The uplink of the zero-copy test, a device played by hand: it copies the
 * header when a frame is queued (as e1000_tx2 does) and reads the payload
 * from the client's page only when the test says the DMA happens. */
static struct {
	uint8_t hdr[NETBACK_ZC_HDR], wire[NETIF_MAX_FRAME];
	const uint8_t *payload;
	size_t hdr_len, payload_len;
	uint64_t queued, done;
	unsigned drains;
} dev;

static int zc_tx(void *ctx, const void *hdr, size_t hdr_len, const void *payload,
		 size_t payload_len, uint64_t *seq)
{
	(void)ctx;
	CHECK(hdr_len <= sizeof(dev.hdr));
	memcpy(dev.hdr, hdr, hdr_len);
	dev.hdr_len = hdr_len;
	dev.payload = payload;
	dev.payload_len = payload_len;
	*seq = ++dev.queued;
	return 0;
}

static uint64_t zc_done(void *ctx)
{
	(void)ctx;
	return dev.done;
}

static void zc_drain(void *ctx)
{
	(void)ctx;
	dev.drains++;
	dev.done = dev.queued;
}

/* The device reads the queued frame now: header from its own copy,
 * payload from the client's page as it is at this moment. */
static void dev_dma(void)
{
	memcpy(dev.wire, dev.hdr, dev.hdr_len);
	memcpy(dev.wire + dev.hdr_len, dev.payload, dev.payload_len);
	dev.done = dev.queued;
}

static void test_zero_copy_tx(void)
{
	static const struct netback_uplink up = { 0, uplink_tx, 0, zc_tx, zc_done, zc_drain, 0, 0 };
	static const uint8_t hdr[12] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 2 };
	struct netif_request r = { .id = 7, .op = NETIF_OP_TX, .len = 600 };

	fake_hv_init();
	memset(&dev, 0, sizeof(dev));
	fake_cur = CLIENT;
	cl.ring_page = fake_alloc_pages(1);
	cl.buf = fake_alloc_pages(1);
	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, &up), 0);
	CHECK_EQ(netback_add_client(&nb, CLIENT), 0);
	client_offer();
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 1);
	fake_cur = CLIENT;
	cl.buf_gref = (int)hv_grant_create(cl.buf, BACK, GRANT_READONLY);
	r.gref = (uint32_t)cl.buf_gref;
	memcpy(cl.buf, hdr, sizeof(hdr));
	memset(cl.buf + sizeof(hdr), 0xaa, 600 - sizeof(hdr));
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	unsigned copied = uplink_frames;
	poll_back(1);
	CHECK_EQ(dev.queued, 1);                /* zero-copy: not the copy path */
	CHECK_EQ(uplink_frames, copied);
	CHECK_EQ(dev.hdr_len + dev.payload_len, 600);
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 0);      /* not answered during DMA */

	/* The client rewrites its whole page while the device may read it:
	 * another source MAC, another payload. */
	memset(cl.buf, 0x66, 600);
	dev_dma();
	CHECK(!memcmp(dev.wire, hdr, sizeof(hdr)));     /* the header netback checked */
	CHECK_EQ(dev.wire[599], 0x66);                  /* its payload: its own business */
	poll_back(1);
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 1);      /* answered once completed */
	struct netif_response rsp;
	ring_front_copy_rsp(&cl.ring, &rsp);
	CHECK_EQ(rsp.id, 7);
	CHECK_EQ(rsp.status, NETIF_OK);

	/* Short frames are copied whole and answered at once. */
	r.len = 60;
	r.id = 8;
	memcpy(cl.buf, hdr, sizeof(hdr));
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	poll_back(1);
	CHECK_EQ(uplink_frames, copied + 1);
	CHECK_EQ(dev.queued, 1);
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 1);
	ring_front_copy_rsp(&cl.ring, &rsp);

	/* A frame in flight when the client goes: the device is drained
	 * before its pages are unmapped. */
	r.len = 600;
	r.id = 9;
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	poll_back(1);
	CHECK_EQ(dev.queued, 2);
	CHECK_EQ(dev.drains, 0);
	fake_cur = CLIENT;
	CHECK_EQ(hv_evtchn_close((uint32_t)cl.port), 0);
	poll_back(STATUS_POLLS);
	CHECK_EQ(netback_connected(&nb), 0);
	CHECK_EQ(dev.drains, 1);
	CHECK_EQ(fake_maps_of(CLIENT), 0);
}

/* The uplink of the in-place test: its own transmit buffer (as e1000_tx_buf). */
static struct { uint8_t buf[NETIF_MAX_FRAME]; size_t len; unsigned commits, asked; } txb;

static void *own_buf(void *ctx)
{
	(void)ctx;
	txb.asked++;
	return txb.buf;
}

static int own_commit(void *ctx, size_t len)
{
	(void)ctx;
	txb.len = len;
	txb.commits++;
	return 0;
}

/* Copied transmit built in place: netback copies a short client frame
 * once, into the uplink's buffer, checks it there and commits it; a
 * frame that fails the check (another source MAC than the one learned)
 * is answered with an error and never committed, though it was copied. */
static void test_tx_in_place(void)
{
	static const struct netback_uplink up = { 0, uplink_tx, 0, 0, 0, 0, own_buf, own_commit };
	static const uint8_t hdr[12] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 2 };
	struct netif_request r = { .id = 3, .op = NETIF_OP_TX, .len = 60 };
	struct netif_response rsp;

	fake_hv_init();
	memset(&txb, 0, sizeof(txb));
	fake_cur = CLIENT;
	cl.ring_page = fake_alloc_pages(1);
	cl.buf = fake_alloc_pages(1);
	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, &up), 0);
	CHECK_EQ(netback_add_client(&nb, CLIENT), 0);
	client_offer();
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 1);
	fake_cur = CLIENT;
	cl.buf_gref = (int)hv_grant_create(cl.buf, BACK, GRANT_READONLY);
	r.gref = (uint32_t)cl.buf_gref;
	memcpy(cl.buf, hdr, sizeof(hdr));
	memset(cl.buf + sizeof(hdr), 0x5a, 60 - sizeof(hdr));
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	unsigned copied = uplink_frames;
	poll_back(1);
	CHECK_EQ(txb.commits, 1);
	CHECK_EQ(txb.len, 60);
	CHECK_EQ(uplink_frames, copied);                /* not copied a second time */
	CHECK(!memcmp(txb.buf, cl.buf, 60));
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 1);
	ring_front_copy_rsp(&cl.ring, &rsp);
	CHECK_EQ(rsp.status, NETIF_OK);

	/* Another source MAC: copied into the buffer, checked, refused. */
	cl.buf[11] = 3;
	r.id = 4;
	*(struct netif_request *)ring_front_next_req(&cl.ring) = r;
	ring_front_push(&cl.ring);
	poll_back(1);
	CHECK_EQ(txb.asked, 2);
	CHECK_EQ(txb.commits, 1);
	CHECK_EQ(uplink_frames, copied);
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&cl.ring), 1);
	ring_front_copy_rsp(&cl.ring, &rsp);
	CHECK_EQ(rsp.id, 4);
	CHECK_EQ(rsp.status, NETIF_ERR_BADREQ);
}

int main(void)
{
	test_stale_offer_retried();
	test_failed_offer_not_retried_every_poll();
	test_zero_copy_tx();
	test_tx_in_place();
	return unit_done("netback");
}
