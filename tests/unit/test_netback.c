/*
 * netback (backend/netback.c, unchanged) over the fake hypervisor of
 * fake_hv.c, with a client played by hand: how offers are taken across a
 * backend restart; zero-copy transmit (the device sends netback's copy of
 * the header, and the client hears back only after the device is done);
 * copied transmit built in the uplink's own buffer; MACs assigned by the
 * configuration (netback_assign_mac) against clients claiming others'.
 *
 * Domains: 1 the backend, 2 the client (3 and 4: more clients).
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

/* A fresh netback on uplink up with one connected client, which sends r
 * (its gref filled in, in *r too) from a read-only granted page: hdr, then fill bytes
 * up to r.len. Leaves fake_cur on the client. */
static void connect_and_send_tx(const struct netback_uplink *up, struct netif_request *r,
				const uint8_t hdr[12], uint8_t fill)
{
	fake_hv_init();
	fake_cur = CLIENT;
	cl.ring_page = fake_alloc_pages(1);
	cl.buf = fake_alloc_pages(1);
	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, up), 0);
	CHECK_EQ(netback_add_client(&nb, CLIENT), 0);
	client_offer();
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 1);
	fake_cur = CLIENT;
	cl.buf_gref = (int)hv_grant_create(cl.buf, BACK, GRANT_READONLY);
	r->gref = (uint32_t)cl.buf_gref;
	memcpy(cl.buf, hdr, 12);
	memset(cl.buf + 12, fill, r->len - 12u);
	*(struct netif_request *)ring_front_next_req(&cl.ring) = *r;
	ring_front_push(&cl.ring);
}

static void test_zero_copy_tx(void)
{
	static const struct netback_uplink up = { 0, uplink_tx, 0, zc_tx, zc_done, zc_drain, 0, 0 };
	static const uint8_t hdr[12] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56, 2, 0, 0, 0, 0, 2 };
	struct netif_request r = { .id = 7, .op = NETIF_OP_TX, .len = 600 };

	memset(&dev, 0, sizeof(dev));
	connect_and_send_tx(&up, &r, hdr, 0xaa);
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

	memset(&txb, 0, sizeof(txb));
	connect_and_send_tx(&up, &r, hdr, 0x5a);
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

/* ---- assigned MACs: several clients, each played by hand ---- */

struct peer { uint32_t dom; uint8_t *ring_page, *buf, *rxbuf; struct ring_front ring; int gref, buf_gref, rx_gref, port; };

static const uint8_t mac_a[6] = { 0x52, 0x54, 0, 0, 0, 0x15 };     /* assigned to domain 2 */
static const uint8_t mac_b[6] = { 0x52, 0x54, 0, 0, 0, 0x16 };     /* assigned to domain 4 */
static const uint8_t mac_gw[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };     /* the gateway's */
static const uint8_t mac_c[6] = { 0x52, 0x54, 0, 0, 0, 0x17 };     /* nobody's */

static void peer_offer(struct peer *p, uint32_t dom)
{
	memset(p, 0, sizeof(*p));
	p->dom = dom;
	fake_cur = dom;
	p->ring_page = fake_alloc_pages(1);
	p->buf = fake_alloc_pages(1);
	p->rxbuf = fake_alloc_pages(1);
	ring_front_init(&p->ring, p->ring_page, NETIF_SLOT_SIZE);
	p->gref = (int)hv_grant_create(p->ring_page, BACK, 0);
	p->buf_gref = (int)hv_grant_create(p->buf, BACK, GRANT_READONLY);
	p->rx_gref = (int)hv_grant_create(p->rxbuf, BACK, 0);
	p->port = (int)hv_evtchn_alloc(BACK);
	CHECK(p->gref >= 0 && p->buf_gref >= 0 && p->rx_gref >= 0 && p->port > 0);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)p->gref, (uint32_t)p->port, 0 };
	CHECK_EQ(hv_reg_write(BACK, NETIF_REG_DEVID, &me), 0);
}

/* The peer sends a 60-byte frame from src to dst: the status of its answer. */
static int peer_send(struct peer *p, const uint8_t dst[6], const uint8_t src[6])
{
	struct netif_request r = { .id = 1, .op = NETIF_OP_TX, .gref = (uint32_t)p->buf_gref, .len = 60 };
	struct netif_response rsp;

	fake_cur = p->dom;
	memcpy(p->buf, dst, 6);
	memcpy(p->buf + 6, src, 6);
	p->buf[12] = 8;
	*(struct netif_request *)ring_front_next_req(&p->ring) = r;
	ring_front_push(&p->ring);
	poll_back(1);
	fake_cur = p->dom;
	if (ring_front_pending(&p->ring) != 1)
		return 1000;
	ring_front_copy_rsp(&p->ring, &rsp);
	return rsp.status;
}

static void peer_post_rx(struct peer *p)
{
	struct netif_request r = { .id = 2, .op = NETIF_OP_RX, .gref = (uint32_t)p->rx_gref, .len = 1514 };

	fake_cur = p->dom;
	memset(p->rxbuf, 0, 64);
	*(struct netif_request *)ring_front_next_req(&p->ring) = r;
	ring_front_push(&p->ring);
	poll_back(1);
}

/* Frames received by the peer (answers to its posted RX buffer). */
static unsigned peer_received(struct peer *p)
{
	unsigned n = 0;
	struct netif_response rsp;

	fake_cur = p->dom;
	while (ring_front_pending(&p->ring)) {
		ring_front_copy_rsp(&p->ring, &rsp);
		n += rsp.op == NETIF_OP_RX && rsp.status == NETIF_OK;
	}
	return n;
}

static void uplink_sends(const uint8_t dst[6])
{
	uint8_t f[60] = { 0 };

	memcpy(f, dst, 6);
	memcpy(f + 6, mac_gw, 6);
	fake_cur = BACK;
	netback_uplink_rx(&nb, f, sizeof(f));
	poll_back(1);
}

static unsigned added_macs;
static int count_add_mac(void *ctx, const uint8_t mac[6])
{
	(void)ctx, (void)mac;
	added_macs++;
	return 0;
}

static void assigned_start(int strict)
{
	static const struct netback_uplink up = { 0, uplink_tx, count_add_mac, 0, 0, 0, 0, 0 };

	fake_hv_init();
	added_macs = 0;
	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, &up), 0);
	nb.strict = strict;
	CHECK_EQ(netback_add_client(&nb, 2), 0);
	CHECK_EQ(netback_add_client(&nb, 3), 0);
	CHECK_EQ(netback_add_client(&nb, 4), 0);
	CHECK_EQ(netback_assign_mac(&nb, 2, mac_a), 0);
	CHECK_EQ(netback_assign_mac(&nb, 4, mac_b), 0);
	CHECK_EQ(added_macs, 2);                /* the NIC accepts them from the start */
}

/* Bad assignments are refused, each with its own error. */
static void test_assign_errors(void)
{
	static const uint8_t group[6] = { 0x53, 0x54, 0, 0, 0, 0x15 };

	assigned_start(0);
	CHECK_EQ(netback_assign_mac(&nb, 3, group), NETBACK_EMAC);
	CHECK_EQ(netback_assign_mac(&nb, 9, mac_c), NETBACK_ENOCLIENT);
	CHECK_EQ(netback_assign_mac(&nb, 2, mac_c), NETBACK_EASSIGNED);
	CHECK_EQ(netback_assign_mac(&nb, 3, mac_a), NETBACK_ETAKEN);
	CHECK_EQ(netback_assign_mac(&nb, 3, mac_c), 0);
}

/* A client with an assignment sends only from it: another source MAC (the
 * gateway's, an unassigned one, another client's) is refused and counted,
 * before and after its good frames, and nothing of it leaves. */
static void test_assigned_source_only(void)
{
	static struct peer a;

	assigned_start(0);
	peer_offer(&a, 2);
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 1);
	unsigned up0 = uplink_frames;
	CHECK_EQ(peer_send(&a, mac_gw, mac_gw), NETIF_ERR_BADREQ);     /* its first frame */
	CHECK_EQ(peer_send(&a, mac_gw, mac_c), NETIF_ERR_BADREQ);
	CHECK_EQ(peer_send(&a, mac_gw, mac_b), NETIF_ERR_BADREQ);
	CHECK_EQ(uplink_frames, up0);
	CHECK_EQ(nb.stats.bad_source, 3);
	CHECK_EQ(peer_send(&a, mac_gw, mac_a), NETIF_OK);
	CHECK_EQ(uplink_frames, up0 + 1);
	CHECK_EQ(peer_send(&a, mac_gw, mac_c), NETIF_ERR_BADREQ);
	CHECK_EQ(nb.stats.bad_source, 4);
	CHECK_EQ(added_macs, 2);                /* nothing learned */
}

/* A client without one learns first-come, but never a MAC assigned to
 * another client, connected or not: frames to that MAC never reach it. */
static void test_unassigned_cannot_claim(void)
{
	static struct peer a, c;

	assigned_start(0);
	peer_offer(&c, 3);
	poll_back(1);
	CHECK_EQ(peer_send(&c, mac_gw, mac_b), NETIF_ERR_BADREQ);      /* 4's, not connected */
	CHECK_EQ(peer_send(&c, mac_gw, mac_a), NETIF_ERR_BADREQ);      /* 2's, not connected */
	CHECK_EQ(nb.stats.bad_source, 2);
	peer_post_rx(&c);
	uplink_sends(mac_a);
	uplink_sends(mac_b);
	CHECK_EQ(peer_received(&c), 0);
	CHECK_EQ(peer_send(&c, mac_gw, mac_c), NETIF_OK);              /* learned */
	CHECK_EQ(added_macs, 3);
	/* Once 2 is connected too, still not: its MAC is its own. */
	peer_offer(&a, 2);
	poll_back(1);
	CHECK_EQ(netback_connected(&nb), 2);
	CHECK_EQ(peer_send(&a, mac_c, mac_a), NETIF_OK);              /* to c: local */
	CHECK_EQ(peer_received(&c), 1);
	peer_post_rx(&c);
	CHECK_EQ(peer_send(&a, mac_b, mac_a), NETIF_OK);              /* to absent 4: dropped */
	CHECK_EQ(peer_received(&c), 0);
	CHECK_EQ(nb.stats.local, 1);
}

/* A frame from the uplink to an assigned MAC reaches its client before
 * the client sent anything; one to an absent client's goes nowhere. */
static void test_uplink_to_assigned_before_send(void)
{
	static struct peer a;

	assigned_start(0);
	peer_offer(&a, 2);
	poll_back(1);
	peer_post_rx(&a);
	uplink_sends(mac_a);
	CHECK_EQ(peer_received(&a), 1);
	CHECK(!memcmp(a.rxbuf, mac_a, 6));
	peer_post_rx(&a);
	unsigned route0 = (unsigned)nb.stats.dropped_no_route;
	uplink_sends(mac_b);
	CHECK_EQ(peer_received(&a), 0);
	CHECK_EQ(nb.stats.dropped_no_route, route0 + 1);
	/* A disconnect keeps the assignment (a learned MAC would go). */
	fake_cur = 2;
	CHECK_EQ(hv_evtchn_close((uint32_t)a.port), 0);
	poll_back(STATUS_POLLS);
	CHECK_EQ(netback_connected(&nb), 0);
	CHECK(nb.c[0].mac_known && nb.c[0].assigned);
}

/* Strict: a client without an assignment is refused every frame. */
static void test_strict(void)
{
	static struct peer c;

	assigned_start(1);
	peer_offer(&c, 3);
	poll_back(1);
	CHECK_EQ(peer_send(&c, mac_gw, mac_c), NETIF_ERR_BADREQ);
	CHECK_EQ(peer_send(&c, mac_gw, mac_c), NETIF_ERR_BADREQ);
	CHECK_EQ(added_macs, 2);
	CHECK_EQ(nb.stats.from_client, 0);
}

int main(void)
{
	test_stale_offer_retried();
	test_failed_offer_not_retried_every_poll();
	test_zero_copy_tx();
	test_tx_in_place();
	test_assign_errors();
	test_assigned_source_only();
	test_unassigned_cannot_claim();
	test_uplink_to_assigned_before_send();
	test_strict();
	return unit_done("netback");
}
