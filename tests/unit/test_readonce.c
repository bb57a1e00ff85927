/*
 * Every byte a peer can rewrite is read once: blkback and netback against
 * their clients' ring and data pages, blkfront and netfront's ring side
 * against their own ring and data pages, counted by the read-once watcher
 * (tests/unit/readonce.h) over one poll, on the code as built for the
 * images (lib/string.c's memcpy, no sanitizers). Also that only the used
 * part is read: the rest of a request slot past its segments, the rest of
 * a response slot past its 16 bytes, an RX buffer past the frame's length,
 * sectors of a page a request does not name, and a zero-copy frame's
 * payload (the device reads it, netback does not).
 *
 * Built twice (both backends define the same fault-injection sites):
 * test_readonce_blk and, with READONCE_NET, test_readonce_net.
 *
 * Domains: 1 the backend, 2 the client.
 */
#include "tests/unit/readonce.h"
#include "rt/channel.h"
#include "tests/unit/fake_hv.h"
#include "unit.h"

#define BACK   1
#define CLIENT 2

#ifndef READONCE_NET
#include "backend/blkback.h"
#include "frontend/blkfront.h"
#include "tests/unit/memdisk.h"

static struct memdisk md;
static struct blkback bb;
static uint8_t *bbufs;

static void blk_setup(void)
{
	fake_hv_init();
	memdisk_free(&md);
	memdisk_init(&md, 4096, 32);
	if (!bbufs)
		bbufs = aligned_alloc(4096, BLKBACK_BUFS_BYTES);
	fake_cur = BACK;
	CHECK_EQ(blkback_init(&bb, &md.d, bbufs, (uint64_t)(uintptr_t)bbufs), 0);
	CHECK_EQ(blkback_add_client(&bb, CLIENT, 0, 2048), 0);
}

static void blk_poll_back(void)
{
	fake_cur = BACK;
	blkback_poll(&bb, rt_events_take());
}

/* ---- blkback: a client played by hand ---- */

static struct { struct ring_front ring; uint8_t *ring_page, *pages; int gref[2], port; } hc;

static void hc_send(struct blkif_request r)
{
	fake_cur = CLIENT;
	*(struct blkif_request *)ring_front_next_req(&hc.ring) = r;
}

static struct blkif_request seg2(uint8_t op, uint8_t first0, uint8_t last0)
{
	struct blkif_request r = { .id = 7, .op = op, .sector = 8, .nr_segs = 2 };

	r.seg[0] = (struct blkif_segment){ (uint16_t)hc.gref[0], first0, last0 };
	r.seg[1] = (struct blkif_segment){ (uint16_t)hc.gref[1], 0, 7 };
	return r;
}

static void test_blkback_reads_once(void)
{
	blk_setup();
	fake_cur = CLIENT;
	hc.ring_page = fake_alloc_pages(1);
	hc.pages = fake_alloc_pages(2);
	ring_front_init(&hc.ring, hc.ring_page, BLKIF_SLOT_SIZE);
	int ring_gref = (int)hv_grant_create(hc.ring_page, BACK, 0);
	hc.gref[0] = (int)hv_grant_create(hc.pages, BACK, 0);
	hc.gref[1] = (int)hv_grant_create(hc.pages + 4096, BACK, 0);
	hc.port = (int)hv_evtchn_alloc(BACK);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)ring_gref, (uint32_t)hc.port, 0 };
	hv_reg_write(BACK, BLKIF_REG_DEVID, &me);
	blk_poll_back();
	CHECK_EQ(blkback_connected(&bb), 1);

	/* Warm-up: a read maps both pages writable (no mapping is made
	 * during the watched poll). */
	hc_send(seg2(BLKIF_OP_READ, 0, 7));
	ring_front_push(&hc.ring);
	for (int i = 0; i < 4; i++)
		blk_poll_back();
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&hc.ring), 1);
	hc.ring.rsp_cons++;

	/* The batch: a copied write (sector 3 of page 0, all of page 1), two
	 * flushes, a bad request. Slots 1..4. */
	hc_send(seg2(BLKIF_OP_WRITE, 3, 3));
	hc_send((struct blkif_request){ .id = 8, .op = BLKIF_OP_FLUSH });
	hc_send((struct blkif_request){ .id = 9, .op = BLKIF_OP_FLUSH });
	hc_send((struct blkif_request){ .id = 10, .op = BLKIF_OP_WRITE, .reserved = 1 });
	ring_front_push(&hc.ring);

	uint8_t *win = (uint8_t *)(uintptr_t)BLKBACK_MAP_BASE;    /* client 0's window */
	ro_watch(win, 4096, PROT_READ | PROT_WRITE);              /* its ring */
	ro_watch(win + 4096, 8192, PROT_READ | PROT_WRITE);       /* maps[0], maps[1] */
	ro_start();
	blk_poll_back();
	ro_stop();
	CHECK(ro_loads > 0);
	CHECK_EQ(bb.stats.requests, 5);
	CHECK_EQ(ro_max(0, 64, 4096 - 64), 1);                    /* no slot byte twice */
	size_t s1 = 64 + 1 * BLKIF_SLOT_SIZE, s2 = 64 + 2 * BLKIF_SLOT_SIZE;
	CHECK_EQ(ro_max(0, s1, 32), 1);                           /* header and both segments */
	CHECK_EQ(ro_max(0, s1 + 32, BLKIF_SLOT_SIZE - 32), 0);    /* nothing past them */
	CHECK_EQ(ro_max(0, s2, 24), 1);                           /* a flush: its header */
	CHECK_EQ(ro_max(0, s2 + 24, BLKIF_SLOT_SIZE - 24), 0);
	CHECK_EQ(ro_max(1, 3 * 512, 512), 1);                     /* the write's data, once */
	CHECK_EQ(ro_max(1, 4096, 4096), 1);
	CHECK_EQ(ro_max(1, 0, 3 * 512), 0);                       /* sectors not named: never */
	CHECK_EQ(ro_max(1, 4 * 512, 4 * 512), 0);
	ro_clear();
}

/* ---- blkfront against blkback ---- */

static void test_blkfront_reads_once(void)
{
	static struct blkfront fa;
	static uint8_t rbuf[4][8192];
	struct blkfront_done d[4];

	blk_setup();
	fake_cur = CLIENT;
	blkfront_init(&fa, BACK);
	fa.ring_page = fake_alloc_pages(1);
	fa.pages = fake_alloc_pages(BLKFRONT_PAGES);
	for (int i = 0; i < 8 && !blkfront_connected(&fa); i++) {
		fake_cur = CLIENT;
		blkfront_poll(&fa);
		blk_poll_back();
	}
	CHECK(blkfront_connected(&fa));
	fake_cur = CLIENT;
	for (int i = 0; i < 4; i++)
		CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, (uint64_t)i * 16, rbuf[i], sizeof(rbuf[i]), 0,
					 (uint64_t)i), 0);
	for (int i = 0; i < 4; i++)
		blk_poll_back();                /* answered, not yet taken */
	fake_cur = CLIENT;
	CHECK_EQ(ring_front_pending(&fa.ring), 4);

	ro_watch(fa.ring_page, 4096, PROT_READ | PROT_WRITE);
	ro_watch(fa.pages, (size_t)BLKFRONT_PAGES * 4096, PROT_READ | PROT_WRITE);
	ro_start();
	blkfront_poll(&fa);
	ro_stop();
	CHECK_EQ(blkfront_reap(&fa, d, 4), 4);
	CHECK(ro_loads > 0);
	CHECK_EQ(ro_max(0, 64, 4096 - 64), 1);
	for (unsigned k = 0; k < 4; k++) {
		size_t s = 64 + k * BLKIF_SLOT_SIZE;
		CHECK_EQ(ro_max(0, s, 16), 1);                    /* the response */
		CHECK_EQ(ro_max(0, s + 16, BLKIF_SLOT_SIZE - 16), 0);
	}
	CHECK_EQ(ro_max(1, 0, (size_t)BLKFRONT_PAGES * 4096), 1);  /* read data copied out once */
	ro_clear();
}

int main(void)
{
	test_blkback_reads_once();
	test_blkfront_reads_once();
	return unit_done("readonce_blk");
}

#else /* READONCE_NET */
#include "backend/netback.h"
#include "frontend/netfront_ring.h"
#include "public/io/netif.h"

/* ---- netback: a client played by hand ---- */

static struct netback nb;
static uint8_t up_buf[2048];
static uint64_t up_seq;

static int up_tx(void *ctx, const void *f, size_t len) { (void)ctx, (void)f, (void)len; return 0; }
static void *up_tx_buf(void *ctx) { (void)ctx; return up_buf; }
static int up_tx_commit(void *ctx, size_t len) { (void)ctx, (void)len; return 0; }
static uint64_t up_tx_done(void *ctx) { (void)ctx; return up_seq; }
static void up_tx_drain(void *ctx) { (void)ctx; }

/* The device takes the header and the payload's address; it does not read
 * the payload here (a real one does, by DMA: not netback's read). */
static int up_tx_zc(void *ctx, const void *hdr, size_t hl, const void *payload, size_t plen,
		    uint64_t *seq)
{
	(void)ctx, (void)hdr, (void)hl, (void)payload, (void)plen;
	*seq = ++up_seq;
	return 0;
}

static void test_netback_reads_once(void)
{
	static const struct netback_uplink up = { 0, up_tx, 0, up_tx_zc, up_tx_done, up_tx_drain,
						  up_tx_buf, up_tx_commit };
	static const uint8_t hdr[14] = { 0x52, 0x54, 0, 0, 0, 9, 2, 0, 0, 0, 0, 2, 8, 0 };
	struct ring_front ring;

	fake_hv_init();
	fake_cur = BACK;
	CHECK_EQ(netback_init(&nb, &up), 0);
	CHECK_EQ(netback_add_client(&nb, CLIENT), 0);
	fake_cur = CLIENT;
	uint8_t *ring_page = fake_alloc_pages(1), *buf = fake_alloc_pages(1);
	ring_front_init(&ring, ring_page, NETIF_SLOT_SIZE);
	int ring_gref = (int)hv_grant_create(ring_page, BACK, 0);
	int buf_gref = (int)hv_grant_create(buf, BACK, GRANT_READONLY);
	int port = (int)hv_evtchn_alloc(BACK);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)ring_gref, (uint32_t)port, 0 };
	hv_reg_write(BACK, NETIF_REG_DEVID, &me);
	fake_cur = BACK;
	netback_poll(&nb, 0);
	CHECK_EQ(netback_connected(&nb), 1);

	/* Warm-up: one frame maps the page and teaches netback our MAC. */
	fake_cur = CLIENT;
	memset(buf, 0x33, 4096);
	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + 2048, hdr, sizeof(hdr));
	*(struct netif_request *)ring_front_next_req(&ring) =
		(struct netif_request){ .id = 1, .op = NETIF_OP_TX, .gref = (uint32_t)buf_gref, .len = 60 };
	ring_front_push(&ring);
	fake_cur = BACK;
	netback_poll(&nb, 0);
	CHECK_EQ(nb.stats.from_client, 1);

	/* The batch: a 200-byte frame copied into the uplink's buffer, a
	 * 600-byte one sent zero-copy. Slots 1 and 2. */
	fake_cur = CLIENT;
	*(struct netif_request *)ring_front_next_req(&ring) =
		(struct netif_request){ .id = 2, .op = NETIF_OP_TX, .gref = (uint32_t)buf_gref, .len = 200 };
	*(struct netif_request *)ring_front_next_req(&ring) =
		(struct netif_request){ .id = 3, .op = NETIF_OP_TX, .gref = (uint32_t)buf_gref,
					.offset = 2048, .len = 600 };
	ring_front_push(&ring);
	uint8_t *win = (uint8_t *)(uintptr_t)NETBACK_MAP_BASE;     /* client 0's window */
	ro_watch(win, 4096, PROT_READ | PROT_WRITE);                /* its ring */
	ro_watch(win + 4096, 4096, PROT_READ);                      /* maps[0]: the TX page */
	ro_start();
	fake_cur = BACK;
	netback_poll(&nb, 0);
	ro_stop();
	CHECK_EQ(nb.stats.from_client, 3);
	CHECK_EQ(nb.stats.zero_copy, 1);
	CHECK(ro_loads > 0);
	CHECK_EQ(ro_max(0, 64 + 16, 32), 1);                        /* both requests, once */
	CHECK_EQ(ro_max(0, 64, 4096 - 64), 1);
	CHECK_EQ(ro_max(1, 0, 200), 1);                             /* the copied frame */
	CHECK_EQ(ro_max(1, 200, 2048 - 200), 0);
	CHECK_EQ(ro_max(1, 2048, 14), 1);                           /* the zero-copy header */
	CHECK_EQ(ro_max(1, 2048 + 14, 2048 - 14), 0);               /* its payload: the device's */
	ro_clear();
}

/* ---- netfront's ring side against a backend played by hand ---- */

static unsigned nf_frames;
static void nf_rx(void *arg, const void *f, size_t len) { (void)arg, (void)f, (void)len; nf_frames++; }

static void test_netfront_reads_once(void)
{
	static struct netfront nf;
	struct nf_take t;
	uint8_t *ring_page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *pages = mmap(0, NETFRONT_PAGES * 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct ring_back back = { 0 };

	memset(&nf, 0, sizeof(nf));
	nf.pages = pages;
	CHECK_EQ(ring_front_init(&nf.ring, ring_page, NETIF_SLOT_SIZE), 0);
	CHECK_EQ(netfront_ring_post_rx(&nf), NETFRONT_RX_BUFS);
	ring_front_push(&nf.ring);
	CHECK_EQ(ring_back_attach(&back, ring_page, NETIF_SLOT_SIZE), 0);
	CHECK_EQ(ring_back_pending(&back), NETFRONT_RX_BUFS);
	/* The backend fills buffers 0..3 with frames of 60, 300, 1514 and 14
	 * bytes and answers them. */
	static const uint16_t len[4] = { 60, 300, 1514, 14 };
	for (unsigned i = 0; i < 4; i++) {
		back.req_cons++;
		memset(netfront_buf(&nf, i), 0x40 + (int)i, NETFRONT_BUF_SIZE);
		*(struct netif_response *)ring_back_next_rsp(&back) =
			(struct netif_response){ .id = (uint16_t)i, .op = NETIF_OP_RX, .len = len[i] };
	}
	ring_back_push(&back);

	ro_watch(ring_page, 4096, PROT_READ | PROT_WRITE);
	ro_watch(pages, NETFRONT_PAGES * 4096, PROT_READ | PROT_WRITE);
	ro_start();
	netfront_ring_take(&nf, nf_rx, 0, &t);
	ro_stop();
	CHECK_EQ(t.broken, NF_RING_OK);
	CHECK_EQ(nf_frames, 4);
	CHECK(ro_loads > 0);
	CHECK_EQ(ro_max(0, 64, 4096 - 64), 1);                      /* each response once */
	for (unsigned i = 0; i < 4; i++) {
		size_t b = (size_t)(i / 2) * 4096 + (i % 2) * NETFRONT_BUF_SIZE;
		CHECK_EQ(ro_max(1, b, len[i]), 1);                  /* the frame, once */
		CHECK_EQ(ro_max(1, b + len[i], NETFRONT_BUF_SIZE - len[i]), 0);
	}
	ro_clear();
	munmap(ring_page, 4096);
	munmap(pages, NETFRONT_PAGES * 4096);
}

int main(void)
{
	test_netback_reads_once();
	test_netfront_reads_once();
	return unit_done("readonce_net");
}
#endif
