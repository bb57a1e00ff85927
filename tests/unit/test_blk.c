/*
 * blkfront (frontend/blkfront*.c) against blkback (backend/blkback.c), both
 * unchanged, over the fake hypervisor of fake_hv.c (really shared grant
 * pages, read-only ones PROT_READ) and the in-memory disk of memdisk.c
 * (completions held back or reordered): the protocol's layout, data in and
 * out of slices, flush and FUA ordering, replay across backend deaths under a
 * verifying workload, a hostile frontend against blkback and a hostile
 * backend against blkfront.
 *
 * Domains: 1 the backend, 2 and 3 honest clients, 4 a hostile client.
 */
#include <stdlib.h>
#include <string.h>
#include "backend/blkback.h"
#include "frontend/blkfront.h"
#include "frontend/blkfront_ring.h"
#include "frontend/diskverify.h"
#include "rt/channel.h"
#include "tests/unit/fake_hv.h"
#include "tests/unit/memdisk.h"
#include "unit.h"

#define BACK      1
#define DISK_SECTORS 16384          /* 8 MiB */
#define SLICE_A   0
#define SLICE_B   8192
#define SLICE_LEN 4096
#define SLICE_H   12288

static struct memdisk md;
static struct blkback bb;
static uint8_t *bbufs;
static struct blkfront fa, fb;
static int use_b;                   /* fb is set up in this test */
static int back_alive;              /* blkback runs (a dead domain does not) */

static void front_setup(struct blkfront *f, uint32_t dom)
{
	fake_cur = dom;
	blkfront_init(f, BACK);
	f->ring_page = fake_alloc_pages(1);
	f->pages = fake_alloc_pages(BLKFRONT_PAGES);
}

static void back_start(int with_b, int with_h)
{
	fake_cur = BACK;
	back_alive = 1;
	CHECK_EQ(blkback_init(&bb, &md.d, bbufs, (uint64_t)(uintptr_t)bbufs), 0);
	CHECK_EQ(blkback_add_client(&bb, 2, SLICE_A, SLICE_LEN), 0);
	if (with_b)
		CHECK_EQ(blkback_add_client(&bb, 3, SLICE_B, SLICE_LEN), 0);
	if (with_h)
		CHECK_EQ(blkback_add_client(&bb, 4, SLICE_H, SLICE_LEN), 0);
}

static void setup(int with_b, int with_h)
{
	fake_hv_init();
	memdisk_free(&md);
	memdisk_init(&md, DISK_SECTORS, 32);
	front_setup(&fa, 2);
	use_b = with_b;
	if (with_b)
		front_setup(&fb, 3);
	back_start(with_b, with_h);
}

static void poll_back(void)
{
	if (!back_alive)
		return;
	fake_cur = BACK;
	blkback_poll(&bb, rt_events_take());
}

static void poll_front(struct blkfront *f, uint32_t dom)
{
	fake_cur = dom;
	blkfront_wait(f, 0);
	blkfront_poll(f);
}

static void pump(int rounds, int with_b)
{
	for (int i = 0; i < rounds; i++) {
		poll_front(&fa, 2);
		if (with_b && use_b)
			poll_front(&fb, 3);
		poll_back();
	}
}

/* Submit one I/O and pump until it completes; returns its status. */
static int io_sync(struct blkfront *f, uint32_t dom, uint8_t op, uint64_t sector, void *buf,
		   uint32_t bytes, unsigned flags)
{
	struct blkfront_done d;

	fake_cur = dom;
	int rc = blkfront_submit(f, op, sector, buf, bytes, flags, 77);
	if (rc)
		return rc;
	for (int i = 0; i < 200; i++) {
		pump(1, 1);
		fake_cur = dom;
		if (blkfront_reap(f, &d, 1) == 1) {
			CHECK_EQ(d.tag, 77);
			return d.status;
		}
	}
	return 12345;                   /* never completed */
}

static void fill(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 9));
}

/* ---- layout and checks ---- */

static void test_layout(void)
{
	CHECK_EQ(ring_nslots(BLKIF_SLOT_SIZE), BLKIF_RING_SLOTS);
	uint64_t id = BLKIF_ID(0x12345678u, 0xabcdefu, 31);
	CHECK_EQ(BLKIF_ID_CONN(id), 0x12345678u);
	CHECK_EQ(BLKIF_ID_SEQ(id), 0xabcdefu);
	CHECK_EQ(BLKIF_ID_SLOT(id), 31);

	struct blkif_request r = { .op = BLKIF_OP_WRITE, .nr_segs = 2, .sector = 10 };
	r.seg[0] = (struct blkif_segment){ .gref = 1, .first_sect = 0, .last_sect = 7 };
	r.seg[1] = (struct blkif_segment){ .gref = 2, .first_sect = 2, .last_sect = 3 };
	CHECK_EQ(blkif_request_sectors(&r), 10);
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_OK);
	CHECK_EQ(blkif_request_check(&r, 19), BLKIF_ERR_RANGE);
	r.flags = BLKIF_F_FUA;
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_OK);
	r.op = BLKIF_OP_READ;
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_ERR_BADREQ);       /* FUA on a read */
	r.flags = 0;
	r.seg[1].last_sect = 8;
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_ERR_BADREQ);
	r.seg[1].last_sect = 1;
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_ERR_BADREQ);       /* first > last */
	r.seg[1].last_sect = 3;
	r.sector = ~0ull - 3;
	CHECK_EQ(blkif_request_check(&r, 20), BLKIF_ERR_RANGE);        /* wraps */
	uint8_t sec[512] = { 0 };
	CHECK_EQ(dv_check(sec, 1, 5, 3), DV_STAMP_BLANK);
	dv_stamp(sec, 1, 5, 3);
	CHECK_EQ(dv_check(sec, 1, 5, 3), DV_STAMP_OK);
	CHECK_EQ(dv_check(sec, 1, 5, 4), DV_STAMP_OLDER);
	CHECK_EQ(dv_check(sec, 1, 5, 2), DV_STAMP_BAD);          /* newer than acknowledged */
	CHECK_EQ(dv_check(sec, 2, 5, 3), DV_STAMP_BAD);          /* another client's */
	CHECK_EQ(dv_check(sec, 1, 6, 3), DV_STAMP_BAD);          /* another sector's */
	sec[100] ^= 1;
	CHECK_EQ(dv_check(sec, 1, 5, 3), DV_STAMP_BAD);

	struct blkif_request f = { .op = BLKIF_OP_FLUSH };
	CHECK_EQ(blkif_request_check(&f, 20), BLKIF_OK);
	f.nr_segs = 1;
	CHECK_EQ(blkif_request_check(&f, 20), BLKIF_ERR_BADREQ);
}

/* ---- data through one and two clients ---- */

static void test_read_after_write(void)
{
	static uint8_t w[BLKFRONT_MAX_IO + 512], r[BLKFRONT_MAX_IO + 512];
	static const uint32_t sizes[] = { 512, 1024, 4096, 4608, 8192, 32768, 33280, 65536, 131072 };

	setup(0, 0);
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	uint64_t sector = 0;
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fill(w, sizes[i], i + 1);
		memset(r, 0xee, sizeof(r));
		CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, sector, w, sizes[i], 0), 0);
		CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, sector, r, sizes[i], 0), 0);
		CHECK(!memcmp(w, r, sizes[i]));
		CHECK(r[sizes[i]] == 0xee);              /* nothing past the end */
		CHECK(!memcmp(md.data + (SLICE_A + sector) * 512, w, sizes[i]));
		sector += sizes[i] / 512 + 3;
	}
	/* The last sector of the slice, and one past it. */
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, SLICE_LEN - 1, w, 512, 0), 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, SLICE_LEN - 1, w, 1024, 0), BLKFRONT_ERANGE);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, SLICE_LEN, r, 512, 0), BLKFRONT_ERANGE);
	/* Bad sizes never reach the ring. */
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, r, 100, 0, 1), BLKFRONT_EINVAL);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, r, BLKFRONT_MAX_IO + 512, 0, 1), BLKFRONT_EINVAL);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, r, 512, BLKFRONT_FUA, 1), BLKFRONT_EINVAL);
	CHECK_EQ(md.einval, 0);
}

static void test_two_slices(void)
{
	static uint8_t a[8192], b[8192], r[8192];

	setup(1, 0);
	pump(4, 1);
	CHECK(blkfront_connected(&fa) && blkfront_connected(&fb));
	fill(a, sizeof(a), 1);
	fill(b, sizeof(b), 2);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 0, a, sizeof(a), 0), 0);
	CHECK_EQ(io_sync(&fb, 3, BLKIF_OP_WRITE, 0, b, sizeof(b), 0), 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 0, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, a, sizeof(r)));
	CHECK_EQ(io_sync(&fb, 3, BLKIF_OP_READ, 0, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, b, sizeof(r)));
	CHECK(!memcmp(md.data + SLICE_B * 512, b, sizeof(b)));
	/* A cannot reach B's slice past its own end. */
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, SLICE_B - SLICE_A, r, 512, 0), BLKFRONT_ERANGE);
}

/* A write is acknowledged only after the disk completed it; a flush only
 * after the disk's flush; FUA data is durable at acknowledgement. */
static void test_flush_fua(void)
{
	static uint8_t w[4096], w2[4096];
	struct blkfront_done d[4];

	setup(0, 0);
	pump(4, 0);
	md.hold = 1;
	fill(w, sizeof(w), 5);
	fill(w2, sizeof(w2), 6);
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 8, w, sizeof(w), 0, 1), 0);
	pump(5, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 0);          /* disk has not completed it */
	md.hold = 0;
	pump(3, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK(!memcmp(md.data + 8 * 512, w, sizeof(w)));
	CHECK(memcmp(md.durable + 8 * 512, w, sizeof(w)));   /* not durable yet */
	md.hold = 1;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_FLUSH, 0, 0, 0, 0, 2), 0);
	pump(5, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 0);
	md.hold = 0;
	pump(3, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK_EQ(d[0].status, 0);
	CHECK(!memcmp(md.durable + 8 * 512, w, sizeof(w)));
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 100, w2, sizeof(w2), BLKFRONT_FUA), 0);
	CHECK(!memcmp(md.durable + 100 * 512, w2, sizeof(w2)));
	/* A device error reaches the application. */
	md.fail_next = 1;
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 200, w2, sizeof(w2), 0), BLKFRONT_EIO);
	md.fail_next = 1;
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_FLUSH, 0, 0, 0, 0), BLKFRONT_EIO);
	CHECK_EQ(fa.stats.errors, 2);
}

/* ---- replay ---- */

static void kill_backend(void)
{
	memdisk_crash(&md);
	fake_kill(BACK);
	back_alive = 0;
}

/* Requests in flight when the backend dies are sent again, oldest first,
 * before one submitted while disconnected. */
static void test_replay_order(void)
{
	static uint8_t w[6][4096];
	struct blkfront_done d[8];

	setup(0, 0);
	pump(4, 0);
	md.hold = 1;
	fake_cur = 2;
	for (unsigned i = 0; i < 5; i++) {
		fill(w[i], 4096, 10 + i);
		CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 40 - i * 8, w[i], 4096,
					 i == 2 ? BLKFRONT_FUA : 0, i), 0);
	}
	pump(3, 0);
	CHECK_EQ(md.qn, 5);
	kill_backend();
	pump(2, 0);                     /* blkfront notices */
	CHECK(!blkfront_connected(&fa));
	fill(w[5], 4096, 15);
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 100, w[5], 4096, 0, 5), 0);
	back_start(0, 0);               /* incarnation 2 */
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	CHECK_EQ(md.qn, 6);
	for (unsigned i = 0; i < 6 && i < md.qn; i++)
		CHECK_EQ(md.q[i].lba, i < 5 ? 40 - i * 8 : 100);
	CHECK_EQ(md.q[2].fua, 1);
	CHECK_EQ(fa.stats.replayed, 5);
	md.hold = 0;
	pump(4, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 8), 6);
	for (unsigned i = 0; i < 6; i++)
		CHECK(!memcmp(md.data + (i < 5 ? 40 - i * 8 : 100) * 512, w[i], 4096));
	CHECK_EQ(fa.conn, 2);
}

/* After a reconnection, an answer carrying the earlier connection's id is
 * refused (connection dropped, request replayed), never taken. */
static void test_old_generation_refused(void)
{
	static uint8_t w[4096], r[4096];
	struct blkfront_done d[4];

	setup(0, 0);
	pump(4, 0);
	fill(w, sizeof(w), 3);
	md.hold = 1;
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 16, w, sizeof(w), 0, 1), 0);
	pump(2, 0);
	uint64_t old_id = BLKIF_ID(fa.conn, fa.sh[0].seq, 0);
	kill_backend();
	back_start(0, 0);
	pump(6, 0);
	CHECK(blkfront_connected(&fa));
	CHECK_EQ(md.qn, 1);
	/* The dead incarnation's answer shows up on the new ring. */
	struct ring_back rb;
	CHECK_EQ(ring_back_attach(&rb, fa.ring_page, BLKIF_SLOT_SIZE), 0);
	rb.req_cons = 1;
	*(struct blkif_response *)ring_back_next_rsp(&rb) =
		(struct blkif_response){ .id = old_id, .op = BLKIF_OP_WRITE, .nr_sectors = 8 };
	ring_back_push(&rb);
	poll_front(&fa, 2);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 0);
	CHECK_EQ(fa.stats.bad_responses, 1);
	CHECK(!blkfront_connected(&fa));
	md.hold = 0;
	pump(10, 0);
	CHECK(blkfront_connected(&fa));
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK_EQ(d[0].status, 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 16, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, w, sizeof(w)));
}

/* diskverify at queue depth 16 with reordered completions while the backend
 * dies again and again: no error, no acknowledged write lost. */
static void test_replay_workload(void)
{
	static struct diskverify dv;
	static uint32_t acked[SLICE_LEN];
	static uint8_t bufs[16 * 256 * 512];
	struct dv_config cfg = { .span = SLICE_LEN, .qd = 16, .min_sectors = 1, .max_sectors = 256,
				 .ios = 4000, .seed = 42, .write_pct = 60, .flush_pct = 5, .fua_pct = 10,
				 .id = 7, .sweep = 1 };
	unsigned kills = 0, due = 0;

	setup(0, 0);
	md.max_per_poll = 3;
	CHECK_EQ(dv_init(&dv, &cfg, &fa, acked, bufs), 0);
	int done = 0;
	for (unsigned step = 0; step < 200000 && !done; step++) {
		fake_cur = 2;
		done = dv_step(&dv);
		pump(1, 0);
		due |= step % 300 == 299;
		if (due && kills < 8 && bb.inflight >= 4) {
			due = 0;
			kill_backend();
			pump(1, 0);
			back_start(0, 0);
			kills++;
		}
	}
	CHECK(done);
	CHECK_EQ(kills, 8);
	CHECK_EQ(dv.st.errors, 0);
	CHECK_EQ(dv.st.lost, 0);
	CHECK_EQ(dv.st.corrupt, 0);
	CHECK(dv.st.passes >= 2);
	CHECK(dv.st.sectors_checked > SLICE_LEN);
	CHECK(fa.stats.replayed > 0);
	CHECK_EQ(fa.stats.reconnects, kills);
	CHECK_EQ(md.einval, 0);
	if (getenv("TEST_BLK_STATS"))
		printf("workload: writes %lu reads %lu flushes %lu fua %lu checked %lu passes %lu "
		       "replayed %lu reconnects %lu\n", dv.st.writes, dv.st.reads, dv.st.flushes,
		       dv.st.fua, dv.st.sectors_checked, dv.st.passes, fa.stats.replayed,
		       fa.stats.reconnects);
}

/* The backend connects and dies before the frontend saw it connected: the
 * frontend's offer left over for the next incarnation (old grant, dead port)
 * fails, and its new offer, with the same grant and port numbers, must
 * still be taken. */
static void test_kill_while_offered(void)
{
	static uint8_t w[4096], r[4096];
	struct blkfront_done d[4];

	setup(0, 0);
	fill(w, sizeof(w), 8);
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 24, w, sizeof(w), 0, 1), 0);
	poll_front(&fa, 2);             /* offers */
	poll_back();                    /* connects */
	CHECK_EQ(blkback_connected(&bb), 1);
	kill_backend();
	back_start(0, 0);
	poll_back();                    /* tries the stale offer */
	pump(10, 0);
	CHECK(blkfront_connected(&fa));
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK_EQ(d[0].tag, 1);
	CHECK_EQ(d[0].status, 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 24, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, w, sizeof(w)));
}

/* The backend is given up: I/Os in flight and new ones fail with EGONE. */
static void test_gone(void)
{
	static uint8_t w[4096];
	struct blkfront_done d[4];

	setup(0, 0);
	pump(4, 0);
	md.hold = 1;
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 0, w, sizeof(w), 0, 9), 0);
	pump(2, 0);
	kill_backend();
	fake_give_up(BACK);
	pump(4, 0);
	CHECK(blkfront_gone(&fa));
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK_EQ(d[0].status, BLKFRONT_EGONE);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 0, w, sizeof(w), 0, 9), BLKFRONT_EGONE);
}

/* ---- a hostile frontend (domain 4) against blkback ---- */

struct hfront {
	struct ring_front ring;
	uint8_t *ring_page, *pages;     /* 4 pages: grants rw, rw, ro, rw(granted to dom 3) */
	int32_t gref[4];
	int port;
};

static struct hfront hf;

static void hfront_connect(void)
{
	fake_cur = 4;
	hf.ring_page = fake_alloc_pages(1);
	hf.pages = fake_alloc_pages(4);
	ring_front_init(&hf.ring, hf.ring_page, BLKIF_SLOT_SIZE);
	int ring_gref = (int)hv_grant_create(hf.ring_page, BACK, 0);
	hf.gref[0] = (int)hv_grant_create(hf.pages, BACK, 0);
	hf.gref[1] = (int)hv_grant_create(hf.pages + 4096, BACK, 0);
	hf.gref[2] = (int)hv_grant_create(hf.pages + 8192, BACK, GRANT_READONLY);
	hf.gref[3] = (int)hv_grant_create(hf.pages + 12288, 3, 0);
	hf.port = (int)hv_evtchn_alloc(BACK);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)ring_gref, (uint32_t)hf.port, 0 };
	hv_reg_write(BACK, BLKIF_REG_DEVID, &me);
	poll_back();
}

/* Send one request from the hostile client, return the status of its answer
 * (or 99 when none came). */
static int hostile_req(struct blkif_request r)
{
	static uint64_t id = 1000;
	union blkif_slot u;
	struct blkif_response rsp;

	r.id = ++id;
	fake_cur = 4;
	*(struct blkif_request *)ring_front_next_req(&hf.ring) = r;
	ring_front_push(&hf.ring);
	for (int i = 0; i < 5; i++)
		poll_back();
	fake_cur = 4;
	if (ring_front_pending(&hf.ring) != 1)
		return 99;
	ring_front_copy_rsp(&hf.ring, &u);
	rsp = u.rsp;
	CHECK_EQ(rsp.id, id);
	CHECK_EQ(rsp.op, r.op);
	return rsp.status;
}

static struct blkif_request rq(uint8_t op, uint64_t sector, uint32_t gref, uint8_t first, uint8_t last)
{
	struct blkif_request r = { .op = op, .sector = sector, .nr_segs = 1 };
	r.seg[0] = (struct blkif_segment){ .gref = (uint16_t)gref, .first_sect = first, .last_sect = last };
	return r;
}

static void test_hostile_frontend(void)
{
	static uint8_t a[4096], r[4096];
	struct blkif_request q;

	setup(0, 1);
	pump(4, 0);
	hfront_connect();
	CHECK_EQ(blkback_connected(&bb), 2);
	uint32_t g0 = (uint32_t)hf.gref[0], ro = (uint32_t)hf.gref[2];

	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 0, g0, 0, 7)), BLKIF_OK);
	CHECK_EQ(hostile_req(rq(9, 0, g0, 0, 7)), BLKIF_ERR_BADREQ);
	CHECK_EQ(hostile_req(rq(0, 0, g0, 0, 7)), BLKIF_ERR_BADREQ);
	q = rq(BLKIF_OP_READ, 0, g0, 0, 7);
	q.flags = BLKIF_F_FUA;
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	q = rq(BLKIF_OP_WRITE, 0, g0, 0, 7);
	q.flags = 0x80;
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	q.flags = 0;
	q.reserved = 1;
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	q = rq(BLKIF_OP_WRITE, 0, g0, 0, 7);
	q.nr_segs = BLKIF_MAX_SEGS + 1; /* too many segments */
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	q.nr_segs = 255;
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	q.nr_segs = 0;
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 0, g0, 5, 2)), BLKIF_ERR_BADREQ);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 0, g0, 0, 8)), BLKIF_ERR_BADREQ);
	q = rq(BLKIF_OP_FLUSH, 0, g0, 0, 7);
	CHECK_EQ(hostile_req(q), BLKIF_ERR_BADREQ);    /* flush with a segment */
	/* Out of its slice: past the end, straddling it, wrapping around. */
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, SLICE_LEN, g0, 0, 0)), BLKIF_ERR_RANGE);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, SLICE_LEN - 1, g0, 0, 1)), BLKIF_ERR_RANGE);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, ~0ull, g0, 0, 1)), BLKIF_ERR_RANGE);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, ~0ull - 8192, g0, 0, 7)), BLKIF_ERR_RANGE);
	/* Grants: never granted, granted to another domain, read-only for a read. */
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, 0, 200, 0, 7)), BLKIF_ERR_GRANT);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 0, 0xffffffffu, 0, 7)), BLKIF_ERR_GRANT);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 0, (uint32_t)hf.gref[3], 0, 7)), BLKIF_ERR_GRANT);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, 0, ro, 0, 7)), BLKIF_ERR_GRANT);
	/* A read-only grant is enough for a write (mapped read-only: PROT_READ). */
	fill(hf.pages + 8192, 4096, 9);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_WRITE, 64, ro, 0, 7)), BLKIF_OK);
	CHECK(!memcmp(md.data + (SLICE_H + 64) * 512, hf.pages + 8192, 4096));
	/* ... and a later read into the same page is refused, not written. */
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, 64, ro, 0, 7)), BLKIF_ERR_GRANT);
	CHECK_EQ(md.einval, 0);
	CHECK_EQ(bb.stats.bad_requests, 11);
	CHECK_EQ(bb.stats.range_errors, 4);
	CHECK_EQ(bb.stats.grant_errors, 5);

	/* The honest client is served throughout. */
	fill(a, sizeof(a), 4);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 0, a, sizeof(a), 0), 0);

	/* Indices run ahead: the hostile client's connection only is dropped. */
	fake_cur = 4;
	ring_store(&hf.ring.s->req_prod, hf.ring.req_prod_pvt + BLKIF_RING_SLOTS + 1);
	for (int i = 0; i < 3; i++)
		poll_back();
	CHECK_EQ(blkback_connected(&bb), 1);
	CHECK(!bb.c[1].connected);
	CHECK_EQ(fake_maps_of(4), 0);       /* its grants all unmapped */
	CHECK_EQ(fake_reg(BACK, 4, BLKIF_REG_DEVID).state, REG_INITIALISING);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 0, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, a, sizeof(a)));

	/* It offers again while a write of its old connection is still at the
	 * disk: not connected until that write has completed (an old write
	 * landing after a newer one would undo it), and its answer is dropped. */
	fake_cur = 4;
	hv_evtchn_close((uint32_t)hf.port);
	poll_back();
	hfront_connect();
	CHECK_EQ(blkback_connected(&bb), 2);
	md.hold = 1;
	fake_cur = 4;
	*(struct blkif_request *)ring_front_next_req(&hf.ring) = rq(BLKIF_OP_WRITE, 8, g0, 0, 7);
	ring_front_push(&hf.ring);
	poll_back();
	CHECK_EQ(md.qn, 1);
	ring_store(&hf.ring.s->req_prod, hf.ring.req_prod_pvt + BLKIF_RING_SLOTS + 1);
	poll_back();
	CHECK_EQ(blkback_connected(&bb), 1);
	fake_cur = 4;
	hv_evtchn_close((uint32_t)hf.port);
	struct reg_entry closing = { REG_CLOSING, 0, 0, 0 };
	hv_reg_write(BACK, BLKIF_REG_DEVID, &closing);
	poll_back();
	hfront_connect();
	for (int i = 0; i < 3; i++)
		poll_back();
	CHECK_EQ(blkback_connected(&bb), 1);
	md.hold = 0;
	poll_back();
	poll_back();
	CHECK_EQ(blkback_connected(&bb), 2);
	CHECK_EQ(bb.stats.stale_completions, 1);
	fake_cur = 4;
	CHECK_EQ(ring_front_pending(&hf.ring), 0);
}

/* ---- a hostile backend (domain 1, by hand) against blkfront ---- */

static struct ring_back hb;

static void hback_connect(void)
{
	struct reg_entry fe, me = { REG_INITIALISING, 0, 0, 0 };

	fake_cur = BACK;
	hv_reg_write(2, BLKIF_REG_DEVID, &me);
	poll_front(&fa, 2);                     /* offers */
	fake_cur = BACK;
	hv_reg_read(2, BLKIF_REG_DEVID, &fe);
	CHECK_EQ(hv_grant_map(2, fe.gref, FAKE_WIN_BASE, 0), 0);
	int64_t port = hv_evtchn_bind(2, fe.port);
	CHECK(port > 0);
	CHECK_EQ(ring_back_attach(&hb, (void *)(uintptr_t)FAKE_WIN_BASE, BLKIF_SLOT_SIZE), 0);
	me = (struct reg_entry){ REG_CONNECTED, 0, (uint32_t)port, 0 };
	hv_reg_write(2, BLKIF_REG_DEVID, &me);
	poll_front(&fa, 2);                     /* connected: sends what is queued */
	CHECK(blkfront_connected(&fa));
}

enum { BAD_SLOT, BAD_CONN, BAD_SEQ, BAD_OP, BAD_LEN, BAD_STATUS, AHEAD, TWICE, BAD_PAD, NCASES };

/* Two reads on the ring; the backend answers the first wrongly. */
static void hostile_back_case(int c)
{
	static uint8_t r1[4096], r2[4096], w[4096];
	struct blkfront_done d[4];
	struct blkif_request q[2];

	setup(0, 0);
	back_alive = 0;                 /* domain 1 is played by hand */
	/* Known data on the disk for the honest backend later. */
	fill(w, sizeof(w), 20 + (unsigned)c);
	memcpy(md.data + 8 * 512, w, sizeof(w));
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 8, r1, sizeof(r1), 0, 1), 0);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 8, r2, sizeof(r2), 0, 2), 0);
	hback_connect();
	fake_cur = BACK;
	CHECK_EQ(ring_back_pending(&hb), 2);
	ring_back_copy_req(&hb, &q[0]);
	ring_back_copy_req(&hb, &q[1]);
	/* What the pages hold when a bad answer is (wrongly) taken. */
	memset((void *)fa.pages, 0x5a, 2 * 4096);
	struct blkif_response rsp = { .id = q[0].id, .op = q[0].op, .nr_sectors = 8 };
	switch (c) {
	case BAD_SLOT: rsp.id = BLKIF_ID(fa.conn, 1, 17); break;
	case BAD_CONN: rsp.id = BLKIF_ID(fa.conn - 1, BLKIF_ID_SEQ(q[0].id), BLKIF_ID_SLOT(q[0].id)); break;
	case BAD_SEQ: rsp.id = q[0].id + 0x100; break;
	case BAD_OP: rsp.op = BLKIF_OP_WRITE; break;
	case BAD_LEN: rsp.nr_sectors = 16; break;
	case BAD_STATUS: rsp.status = 7; break;
	case BAD_PAD: rsp.pad = 1; break;
	default: break;
	}
	*(struct blkif_response *)ring_back_next_rsp(&hb) = rsp;
	if (c == TWICE)
		*(struct blkif_response *)ring_back_next_rsp(&hb) = rsp;
	ring_back_push(&hb);
	if (c == AHEAD)                 /* a third answer: more than was asked */
		ring_store(&hb.s->rsp_prod, 3);
	poll_front(&fa, 2);
	fake_cur = 2;
	int n = blkfront_reap(&fa, d, 4);
	if (c == TWICE) {               /* the first copy was a fine answer */
		CHECK_EQ(n, 1);
		CHECK_EQ(d[0].tag, 1);
	} else {
		CHECK_EQ(n, 0);
	}
	CHECK_EQ(fa.stats.bad_responses, 1);
	CHECK(!blkfront_connected(&fa));
	/* The hostile backend is replaced by blkback: the rest is replayed and
	 * completes with the disk's data. */
	fake_kill(BACK);
	back_start(0, 0);
	pump(8, 0);
	CHECK(blkfront_connected(&fa));
	fake_cur = 2;
	n += blkfront_reap(&fa, d, 4);
	CHECK_EQ(n, 2);
	CHECK(!memcmp(r2, w, sizeof(w)));
	if (c != TWICE)
		CHECK(!memcmp(r1, w, sizeof(w)));
	CHECK_EQ(fa.stats.errors, 0);
}

static void test_hostile_backend(void)
{
	for (int c = 0; c < NCASES; c++) {
		int before = unit_failed;
		hostile_back_case(c);
		if (unit_failed != before)
			printf("  (hostile backend case %d)\n", c);
	}
}

/* ---- slices and dead clients (review fixes of issue 13) ---- */

/* Two clients never share a sector (one could read or overwrite the other's
 * data): an overlapping slice is refused with its own error and message and
 * nothing is added; touching slices are fine. */
static void test_slices(void)
{
	static const struct { uint64_t start, size; } overlap[] = {
		{ 1999, 2 },                    /* across the end */
		{ 999, 2 },                     /* across the start */
		{ 1500, 1 },                    /* inside */
		{ 1000, 1000 },                 /* the same */
		{ 0, DISK_SECTORS },            /* around it */
	};

	fake_hv_init();
	fake_cur = BACK;
	CHECK_EQ(blkback_init(&bb, &md.d, bbufs, (uint64_t)(uintptr_t)bbufs), 0);
	CHECK_EQ(blkback_add_client(&bb, 2, 1000, 1000), 0);
	for (unsigned i = 0; i < sizeof(overlap) / sizeof(overlap[0]); i++) {
		int before = unit_failed;
		CHECK_EQ(blkback_add_client(&bb, 3, overlap[i].start, overlap[i].size), BLKBACK_EOVERLAP);
		if (unit_failed != before)
			printf("  (slice %lu+%lu)\n", (unsigned long)overlap[i].start,
			       (unsigned long)overlap[i].size);
	}
	CHECK_EQ(bb.n, 1);
	CHECK_EQ(fake_reg(BACK, 3, BLKIF_REG_DEVID).state, REG_NONE);   /* not announced */
	CHECK(strstr(blkback_add_error(BLKBACK_EOVERLAP), "overlaps") != 0);
	CHECK_EQ(blkback_add_client(&bb, 2, 5000, 10), BLKBACK_EDUP);
	CHECK_EQ(blkback_add_client(&bb, 3, DISK_SECTORS, 1), BLKBACK_ERANGE);
	CHECK_EQ(blkback_add_client(&bb, 3, DISK_SECTORS - 10, 11), BLKBACK_ERANGE);
	CHECK_EQ(blkback_add_client(&bb, 3, 3000, 0), BLKBACK_ERANGE);
	/* Adjacent on both sides: ending where it starts, starting where it ends. */
	CHECK_EQ(blkback_add_client(&bb, 3, 0, 1000), 0);
	CHECK_EQ(blkback_add_client(&bb, 4, 2000, DISK_SECTORS - 2000), 0);
	CHECK_EQ(bb.n, 3);
	CHECK_EQ(blkback_add_client(&bb, 5, 0, 1), BLKBACK_ETOOMANY);
	for (int e = BLKBACK_EDUP; e <= BLKBACK_ETOOMANY; e++)
		CHECK(strcmp(blkback_add_error(e), "unknown error") != 0);
}

/* A client with requests at the disk puts one more on its ring and dies:
 * the backend's poll that takes it (its grants are gone: answered with an
 * error) is the one that also takes the death's notification, which
 * therefore shows nothing. The backend must find the death anyway (it
 * looks at a quiet client's port every 256 polls), keep the client's next
 * incarnation waiting while the old requests are at the disk, then serve
 * it. Without the periodic look, the dead connection stayed, and the new
 * incarnation was never connected. */
static void dead_client_replaced(int hint)
{
	static uint8_t w[4096], r[4096];

	setup(0, 0);
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	md.hold = 1;
	fill(w, sizeof(w), 31);
	fake_cur = 2;
	for (unsigned i = 0; i < 3; i++)
		CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 8 * i, w, sizeof(w), 0, i), 0);
	poll_back();
	CHECK_EQ(md.qn, 3);
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 80, w, sizeof(w), 0, 3), 0);
	fake_kill(2);
	fake_gone_hint = hint;
	poll_back();                    /* takes the fourth, and the notification */
	CHECK_EQ(bb.stats.grant_errors, 1);
	CHECK_EQ(bb.c[0].inflight, 3);
	/* The shared page's hint shows the death in this very poll; without
	 * it, only the periodic look finds it. */
	CHECK_EQ(bb.c[0].connected, !hint);

	front_setup(&fa, 2);            /* the next incarnation */
	unsigned polls = 1;
	while (bb.c[0].connected && polls < 2000) {
		pump(1, 0);
		polls++;
	}
	fake_gone_hint = 1;
	CHECK(!bb.c[0].connected);
	CHECK(polls <= (hint ? 1u : 256u));
	pump(10, 0);                    /* offered, but old requests are at the disk */
	CHECK(!blkfront_connected(&fa));
	CHECK_EQ(blkback_connected(&bb), 0);
	md.hold = 0;
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	CHECK_EQ(bb.stats.stale_completions, 3);
	fill(w, sizeof(w), 32);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 64, w, sizeof(w), 0), 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 64, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, w, sizeof(w)));
}

static void test_dead_client_replaced(void)
{
	dead_client_replaced(1);
	dead_client_replaced(0);
}

/* ---- pool buffers lent to the application (blkfront_buf_alloc) ---- */

static unsigned pool_free_pages(const struct blkfront *f)
{
	unsigned n = 0;

	for (unsigned p = 0; p < BLKFRONT_PAGES; p++)
		n += (unsigned)(f->page_free[p / 64] >> (p % 64) & 1);
	return n;
}

/* I/O on a pool buffer moves no data through blkfront: the backend reads a
 * write's data from the buffer itself (a change made after submission is
 * what reaches the disk; a private buffer's data was copied at submission),
 * and a read lands in it. 64 KiB is one request. A pointer into the pool
 * that is not a lent buffer is refused; a replay sends the buffer again;
 * freeing gives the pages back. */
static void test_pool_buffers(void)
{
	static uint8_t priv[4096], want[65536];
	struct blkfront_done d[4];

	setup(0, 0);
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	fake_cur = 2;
	uint8_t *b = blkfront_buf_alloc(&fa, 65536), *r = blkfront_buf_alloc(&fa, 65536);
	CHECK(b && r && b != r);
	if (!b || !r)
		return;
	CHECK((uintptr_t)b % 4096 == 0 && b >= fa.pages && b + 65536 <= fa.pages + BLKFRONT_PAGES * 4096);
	CHECK_EQ(pool_free_pages(&fa), BLKFRONT_PAGES - 32);

	/* 64 KiB write: one request, the data as it is when the backend takes it. */
	uint64_t reqs = fa.stats.requests;
	md.hold = 1;
	fill(b, 65536, 3);
	fill(priv, 4096, 4);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 200, b, 65536, 0, 1), 0);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 400, priv, 4096, 0, 2), 0);
	CHECK_EQ(fa.stats.requests - reqs, 2);
	CHECK_EQ(pool_free_pages(&fa), BLKFRONT_PAGES - 32 - 1);   /* priv's copy only */
	fill(b, 65536, 5);              /* after submission, before the backend */
	memcpy(want, b, 65536);
	memset(priv, 0, sizeof(priv));
	md.hold = 0;
	pump(6, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 2);
	CHECK(!memcmp(md.data + (SLICE_A + 200) * 512, want, 65536));   /* no copy */
	fill(priv, 4096, 4);
	CHECK(!memcmp(md.data + (SLICE_A + 400) * 512, priv, 4096));     /* copied */
	CHECK_EQ(pool_free_pages(&fa), BLKFRONT_PAGES - 32);

	/* 64 KiB read into the other buffer. */
	memset(r, 0xee, 65536);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 200, r, 65536, 0), 0);
	CHECK(!memcmp(r, want, 65536));

	/* Not a lent buffer: refused, nothing sent. */
	reqs = fa.stats.requests;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, b + 512, 512, 0, 9), BLKFRONT_EINVAL);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, fa.pages + 120 * 4096, 4096, 0, 9),
		 BLKFRONT_EINVAL);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, r + 61440, 8192, 0, 9), BLKFRONT_EINVAL);
	CHECK_EQ(fa.stats.requests, reqs);

	/* A write on a pool buffer in flight when the backend dies is replayed
	 * from the same buffer; the buffer stays the application's. */
	md.hold = 1;
	fill(b, 65536, 6);
	memcpy(want, b, 65536);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 600, b, 65536, BLKFRONT_FUA, 3), 0);
	pump(3, 0);
	kill_backend();
	pump(2, 0);
	CHECK(!blkfront_connected(&fa));
	back_start(0, 0);
	md.hold = 0;
	pump(8, 0);
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 4), 1);
	CHECK_EQ(d[0].status, 0);
	CHECK_EQ(fa.stats.replayed, 1);
	CHECK(!memcmp(md.data + (SLICE_A + 600) * 512, want, 65536));
	CHECK_EQ(pool_free_pages(&fa), BLKFRONT_PAGES - 32);

	/* Given back: the pages are the pool's again, the pointer is refused. */
	blkfront_buf_free(&fa, b, 65536);
	blkfront_buf_free(&fa, r, 65536);
	CHECK_EQ(pool_free_pages(&fa), BLKFRONT_PAGES);
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, b, 4096, 0, 9), BLKFRONT_EINVAL);
	CHECK(!blkfront_buf_alloc(&fa, BLKFRONT_MAX_IO + 1));
}

/* ---- zero copy: PRP-expressible requests go to the disk on the mapped pages ---- */

static void hsend(struct blkif_request r)
{
	static uint64_t id = 5000;

	r.id = ++id;
	fake_cur = 4;
	*(struct blkif_request *)ring_front_next_req(&hf.ring) = r;
	ring_front_push(&hf.ring);
}

/* Responses waiting for the hostile client: how many, all BLKIF_OK or not. */
static int hreap(int *all_ok)
{
	union blkif_slot u;
	int n = 0;

	*all_ok = 1;
	fake_cur = 4;
	while (ring_front_pending(&hf.ring)) {
		ring_front_copy_rsp(&hf.ring, &u);
		*all_ok &= u.rsp.status == BLKIF_OK;
		n++;
	}
	return n;
}

static int in_window(uint64_t dma)
{
	return dma >= BLKBACK_MAP_BASE && dma < BLKBACK_MAP_BASE + BLKBACK_CLIENTS * BLKBACK_MAP_SPAN;
}

static void test_zero_copy(void)
{
	struct blkif_request q;
	int ok;

	setup(0, 1);
	pump(4, 0);
	hfront_connect();
	uint32_t g0 = (uint32_t)hf.gref[0], g1 = (uint32_t)hf.gref[1];
	uint8_t *p0 = hf.pages, *p1 = hf.pages + 4096;

	/* One whole page, then a page and the head of the next: no copy. */
	fill(p0, 4096, 21);
	fill(p1, 4096, 22);
	md.hold = 1;
	hsend(rq(BLKIF_OP_WRITE, 0, g0, 0, 7));
	poll_back();
	CHECK_EQ(md.qn, 1);
	CHECK(in_window(md.q[0].seg[0].dma));   /* the client's page itself */
	md.hold = 0;
	poll_back();
	CHECK_EQ(hreap(&ok), 1);
	CHECK(ok);
	CHECK(!memcmp(md.data + SLICE_H * 512, p0, 4096));
	q = rq(BLKIF_OP_WRITE, 16, g0, 0, 7);
	q.nr_segs = 2;
	q.seg[1] = (struct blkif_segment){ .gref = (uint16_t)g1, .first_sect = 0, .last_sect = 3 };
	CHECK_EQ(hostile_req(q), BLKIF_OK);
	CHECK(!memcmp(md.data + (SLICE_H + 16) * 512, p0, 4096));
	CHECK(!memcmp(md.data + (SLICE_H + 24) * 512, p1, 2048));
	CHECK_EQ(bb.stats.direct, 2);
	CHECK_EQ(bb.stats.copied, 0);

	/* A gap inside the run (half a page, then a page): copied, still right. */
	q = rq(BLKIF_OP_WRITE, 40, g0, 0, 3);
	q.nr_segs = 2;
	q.seg[1] = (struct blkif_segment){ .gref = (uint16_t)g1, .first_sect = 0, .last_sect = 7 };
	CHECK_EQ(hostile_req(q), BLKIF_OK);
	CHECK(!memcmp(md.data + (SLICE_H + 40) * 512, p0, 2048));
	CHECK(!memcmp(md.data + (SLICE_H + 44) * 512, p1, 4096));
	CHECK_EQ(bb.stats.direct, 2);
	CHECK_EQ(bb.stats.copied, 1);
	CHECK_EQ(md.einval, 0);

	/* A read into the middle of a page, by DMA: the rest stays as it was. */
	fill(p1, 4096, 23);
	uint8_t keep[4096];
	memcpy(keep, p1, 4096);
	CHECK_EQ(hostile_req(rq(BLKIF_OP_READ, 0, g1, 2, 5)), BLKIF_OK);
	CHECK(!memcmp(p1 + 1024, md.data + SLICE_H * 512, 2048));
	CHECK(!memcmp(p1, keep, 1024));
	CHECK(!memcmp(p1 + 3072, keep + 3072, 1024));
	CHECK_EQ(bb.stats.direct, 3);

	/* A read into a page the disk is reading for a write: the read-only
	 * mapping is not replaced under the device's DMA; the read waits. */
	hsend(rq(BLKIF_OP_WRITE, 80, g0, 0, 7));       /* g0 is mapped read-only */
	md.hold = 1;
	poll_back();
	CHECK_EQ(md.qn, 1);
	hsend(rq(BLKIF_OP_READ, 0, g0, 0, 7));
	poll_back();
	poll_back();
	CHECK_EQ(md.qn, 1);
	CHECK(bb.stats.map_waits >= 1);
	CHECK_EQ(hreap(&ok), 0);
	md.hold = 0;
	for (int i = 0; i < 4; i++)
		poll_back();
	CHECK_EQ(hreap(&ok), 2);
	CHECK(ok);
	CHECK(!memcmp(p0, md.data + SLICE_H * 512, 4096));

	/* Disconnected with a read at the disk: its page stays mapped (the
	 * device still writes it) until the read completes, then goes. */
	md.hold = 1;
	hsend(rq(BLKIF_OP_READ, 8, g1, 0, 7));
	poll_back();
	CHECK_EQ(md.qn, 1);
	fake_cur = 4;
	ring_store(&hf.ring.s->req_prod, hf.ring.req_prod_pvt + BLKIF_RING_SLOTS + 1);
	poll_back();
	CHECK(!bb.c[1].connected);
	CHECK(fake_maps_of(4) > 0);
	md.hold = 0;
	poll_back();                            /* the fake disk writes the page now */
	CHECK_EQ(md.qn, 0);
	CHECK_EQ(fake_maps_of(4), 0);
	CHECK(!memcmp(p1, md.data + (SLICE_H + 8) * 512, 4096));
	CHECK_EQ(bb.stats.stale_completions, 1);
}

/* A request blkback took off the ring waits in its reserved slot while the
 * disk is full; its client dying then must give the slot back, or every
 * such death leaks one of the BLKBACK_INFLIGHT slots until none is left. */
static void test_held_slot_released(void)
{
	static uint8_t w[4096], r[4096];

	setup(0, 0);
	md.d.depth = 4;
	back_start(0, 0);               /* blkback takes the disk's smaller depth */
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	CHECK_EQ(bb.depth, 4);
	md.hold = 1;
	fill(w, sizeof(w), 41);
	fake_cur = 2;
	for (unsigned i = 0; i < 6; i++)
		CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_WRITE, 8 * i, w, sizeof(w), 0, i), 0);
	poll_back();
	CHECK_EQ(md.qn, 4);
	CHECK(bb.c[0].held != 0);       /* the fifth waits for the disk in its slot */
	fake_kill(2);
	poll_back();                    /* the hint: the death is seen in this poll */
	CHECK(!bb.c[0].connected);
	md.hold = 0;
	poll_back();
	CHECK_EQ(bb.stats.stale_completions, 4);
	CHECK_EQ(bb.inflight, 0);
	CHECK_EQ(bb.req_free, ~0u);     /* every slot free again, the held one too */
	front_setup(&fa, 2);            /* the client's next incarnation */
	pump(6, 0);
	CHECK(blkfront_connected(&fa));
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_WRITE, 64, w, sizeof(w), 0), 0);
	CHECK_EQ(io_sync(&fa, 2, BLKIF_OP_READ, 64, r, sizeof(r), 0), 0);
	CHECK(!memcmp(r, w, sizeof(w)));
	md.d.depth = 32;
}

/* blkfront looks at the backend's port status without an exit per batch:
 * a notification that came with responses is theirs, unless the
 * hypervisor's hint says the backend is gone; then the death is found in
 * that very poll, even though responses were taken in it. */
static void test_death_with_responses(void)
{
	static uint8_t b[4096];
	struct blkfront_done d[8];

	setup(0, 0);
	pump(4, 0);
	CHECK(blkfront_connected(&fa));
	uint64_t checks = fa.stats.status_checks;
	for (unsigned batch = 0; batch < 20; batch++) {
		fake_cur = 2;
		for (unsigned i = 0; i < 4; i++)
			CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 8 * i, b, sizeof(b), 0, i), 0);
		poll_back();                    /* to the disk */
		poll_back();                    /* completed and answered: our port raised */
		poll_front(&fa, 2);
		fake_cur = 2;
		CHECK_EQ(blkfront_reap(&fa, d, 8), 4);
		poll_front(&fa, 2);             /* the ring quiet again */
	}
	CHECK(fa.stats.status_checks - checks < 5);     /* not one per batch */
	fake_cur = 2;
	CHECK_EQ(blkfront_submit(&fa, BLKIF_OP_READ, 0, b, sizeof(b), 0, 9), 0);
	poll_back();
	poll_back();                    /* answered, then the backend dies */
	kill_backend();
	poll_front(&fa, 2);             /* takes the response and the death's raise */
	fake_cur = 2;
	CHECK_EQ(blkfront_reap(&fa, d, 8), 1);
	CHECK(!blkfront_connected(&fa));
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	fake_verbose = getenv("TEST_BLK_VERBOSE") != 0;
	bbufs = aligned_alloc(4096, BLKBACK_BUFS_BYTES);
	memdisk_init(&md, DISK_SECTORS, 32);
	test_layout();
	test_read_after_write();
	test_two_slices();
	test_flush_fua();
	test_replay_order();
	test_old_generation_refused();
	test_replay_workload();
	test_kill_while_offered();
	test_gone();
	test_hostile_frontend();
	test_hostile_backend();
	test_slices();
	test_dead_client_replaced();
	test_pool_buffers();
	test_zero_copy();
	test_held_slot_released();
	test_death_with_responses();
	memdisk_free(&md);
	free(bbufs);
	return unit_done("blk");
}
