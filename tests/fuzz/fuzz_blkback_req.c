/*
 * libFuzzer target: blkback (backend/blkback.c, unchanged) serving an honest
 * blkfront (domain 2) and a hostile frontend (domain 4) whose requests,
 * ring indices and offers come from the input, over the fake hypervisor of
 * tests/unit/fake_hv.c (grant pages really shared, read-only ones PROT_READ)
 * and the in-memory disk of tests/unit/memdisk.c.
 *
 * Invariants: the disk never gets a request blkback should have refused
 * (memdisk counts BLKDISK_EINVAL); nothing outside the two slices is ever
 * written; the honest client's writes of a fixed pattern read back intact;
 * every honest I/O completes with status 0; ASan watches every access.
 * After every poll the backend's books balance (check_books): each request
 * slot is exactly one of free, held for a client, or at the disk; every DMA
 * buffer page is free or owned by exactly one copied request at the disk;
 * each mapping's busy count is the zero-copy writes at the disk through it.
 * A slot or page that leaks on some error path, or one given out twice,
 * fails at once rather than only when the last one is gone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend/blkback.h"
#include "frontend/blkfront.h"
#include "rt/channel.h"
#include "tests/unit/fake_hv.h"
#include "tests/unit/memdisk.h"

#define FUZZ_NAME "fuzz_blkback_req"
#include "tests/fuzz/fuzzscript.h"

#define SECTORS   4096
#define SLICE_A   0
#define SLICE_H   2048
#define SLICE_LEN 1024

static struct memdisk md;
static struct blkback bb;
static struct blkfront fa;
static uint8_t *bufs;
static struct ring_front hr;
static uint8_t *hpages;
static int hgref[5], hport, back_alive;
static uint8_t wbuf[8192], rbuf[8192];
static unsigned pending_io;
static int written;              /* the honest write completed: reads may check */

static void check_books(void)
{
	unsigned at_disk = 0, client_at_disk[BLKBACK_CLIENTS] = { 0 };
	uint16_t busy[BLKBACK_CLIENTS][BLKBACK_MAPS] = { { 0 } };
	uint64_t pages[BLKBACK_BUF_PAGES / 64] = { 0 };

	for (unsigned k = 0; k < BLKBACK_INFLIGHT; k++) {
		const struct bb_req *q = &bb.req[k];
		unsigned holders = 0;
		for (unsigned i = 0; i < bb.n; i++)
			holders += bb.c[i].held == (int)k + 1;
		if ((bb.req_free >> k & 1) + (q->used != 0) + holders != 1)
			die("a request slot is not exactly one of free, held, at the disk");
		if (!q->used)
			continue;
		at_disk++;
		client_at_disk[q->client]++;
		for (unsigned b = 0; b < q->nbuf; b++) {
			if (pages[q->buf[b] / 64] >> (q->buf[b] % 64) & 1 ||
			    bb.buf_free[q->buf[b] / 64] >> (q->buf[b] % 64) & 1)
				die("a DMA buffer page is free and used, or used twice");
			pages[q->buf[b] / 64] |= 1ull << (q->buf[b] % 64);
		}
		if (q->direct && q->r.op == BLKIF_OP_WRITE)
			for (unsigned i = 0; i < q->r.nr_segs; i++)
				busy[q->client][q->slot[i]]++;
	}
	for (unsigned i = 0; i < BLKBACK_BUF_PAGES / 64; i++)
		if ((pages[i] | bb.buf_free[i]) != ~0ull)
			die("a DMA buffer page leaked");
	if (bb.inflight != at_disk)
		die("the backend's count of requests at the disk is off");
	for (unsigned i = 0; i < bb.n; i++) {
		if (bb.c[i].inflight != client_at_disk[i])
			die("a client's count of requests at the disk is off");
		for (unsigned m = 0; m < bb.c[i].nmaps; m++)
			if (bb.c[i].maps[m].busy != busy[i][m])
				die("a mapping's busy count is not its zero-copy writes at the disk");
	}
}

static void poll_back(void)
{
	if (!back_alive)
		return;
	fake_cur = 1;
	blkback_poll(&bb, rt_events_take());
	if (md.einval)
		die("the disk got a request blkback should have refused");
	check_books();
}

static void poll_front(void)
{
	struct blkfront_done d[8];
	int n;

	fake_cur = 2;
	blkfront_wait(&fa, 0);
	blkfront_poll(&fa);
	while ((n = blkfront_reap(&fa, d, 8)) > 0) {
		for (int i = 0; i < n; i++) {
			if (d[i].status)
				die("an honest I/O failed");
			written |= d[i].tag == 1;
			if (d[i].tag == 2 && memcmp(rbuf, wbuf, sizeof(rbuf)))
				die("the honest client read back something else");
			pending_io--;
		}
	}
}

static void back_start(void)
{
	fake_cur = 1;
	back_alive = 1;
	if (blkback_init(&bb, &md.d, bufs, (uint64_t)(uintptr_t)bufs) ||
	    blkback_add_client(&bb, 2, SLICE_A, SLICE_LEN) || blkback_add_client(&bb, 4, SLICE_H, SLICE_LEN))
		die("set-up");
}

static void hostile_offer(void)
{
	fake_cur = 4;
	ring_front_init(&hr, hpages, BLKIF_SLOT_SIZE);
	struct reg_entry me = { REG_INITIALISING, (uint32_t)hgref[0], (uint32_t)hport, 0 };
	hv_reg_write(1, BLKIF_REG_DEVID, &me);
}

static void reset(void)
{
	fake_hv_init();
	memdisk_free(&md);
	memdisk_init(&md, SECTORS, 32);
	fake_cur = 2;
	blkfront_init(&fa, 1);
	fa.ring_page = fake_alloc_pages(1);
	fa.pages = fake_alloc_pages(BLKFRONT_PAGES);
	fake_cur = 4;
	hpages = fake_alloc_pages(5);
	for (int i = 0; i < 5; i++)     /* ring, rw, rw, read-only, granted to domain 3 */
		hgref[i] = (int)hv_grant_create(hpages + i * 4096, i == 4 ? 3 : 1, i == 3 ? GRANT_READONLY : 0);
	hport = (int)hv_evtchn_alloc(1);
	hostile_offer();
	back_start();
	for (unsigned i = 0; i < sizeof(wbuf); i++)
		wbuf[i] = (uint8_t)(i * 5 + 1);
	pending_io = 0;
	written = 0;
	fake_cur = 2;
	blkfront_submit(&fa, BLKIF_OP_WRITE, 100, wbuf, sizeof(wbuf), 0, 1);
	pending_io++;
}

/* Sectors [from, to) of the disk hold only zeros. */
static int zero_between(uint64_t from, uint64_t to)
{
	static const uint8_t zero[512];

	for (uint64_t sct = from; sct < to; sct++)
		if (memcmp(md.data + sct * 512, zero, 512))
			return 0;
	return 1;
}

static void hostile_request(struct script *s)
{
	uint8_t b[8 + BLKIF_MAX_SEGS];

	if (take(s, b, sizeof(b)) || !ring_front_free(&hr))
		return;
	struct blkif_request r = { .id = b[0], .op = b[1] & 0x80 ? b[1] : (uint8_t)(1 + b[1] % 3),
				   .nr_segs = b[2] & 0x80 ? b[2] : (uint8_t)(b[2] % 9),
				   .flags = b[3] & 0x80 ? b[3] : (b[3] & 1),
				   .reserved = b[4] == 0xff,
				   .sector = b[5] & 0x80 ? (uint64_t)b[6] << 56 | b[7] : (uint64_t)(b[6] | b[7] << 8) % 1100 };
	for (unsigned i = 0; i < BLKIF_MAX_SEGS; i++) {
		uint8_t g = b[8 + i];
		r.seg[i] = (struct blkif_segment){ .gref = g & 0x80 ? g : (uint16_t)hgref[1 + g % 4],
						   .first_sect = (uint8_t)(g & 0x40 ? g % 9 : 0),
						   .last_sect = (uint8_t)(g & 0x20 ? (g >> 1) % 9 : 7) };
	}
	fake_cur = 4;
	*(struct blkif_request *)ring_front_next_req(&hr) = r;
	ring_front_push(&hr);
}

static void hostile_misc(uint8_t op)
{
	fake_cur = 4;
	switch (op % 4) {
	case 0:         /* indices run ahead or back */
		ring_store(&hr.s->req_prod, hr.req_prod_pvt + (uint32_t)(int8_t)op);
		break;
	case 1: {       /* read answers */
		int n = ring_front_pending(&hr);
		union blkif_slot u;
		for (int i = 0; i < n; i++)
			ring_front_copy_rsp(&hr, &u);
		break;
	}
	case 2:         /* close and offer again */
		hv_evtchn_close((uint32_t)hport);
		hport = (int)hv_evtchn_alloc(1);
		hostile_offer();
		break;
	default:
		break;
	}
}

static void honest_io(uint8_t op)
{
	if (pending_io >= 2 || !written)
		return;
	fake_cur = 2;
	if (op & 1) {
		memset(rbuf, 0, sizeof(rbuf));
		if (!blkfront_submit(&fa, BLKIF_OP_READ, 100, rbuf, sizeof(rbuf), 0, 2))
			pending_io++;
	} else if (!blkfront_submit(&fa, BLKIF_OP_FLUSH, 0, 0, 0, 0, 3)) {
		pending_io++;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size, 0 };
	uint8_t op;

	if (!bufs)
		bufs = aligned_alloc(4096, BLKBACK_BUFS_BYTES);
	reset();
	while (!take(&s, &op, 1)) {
		switch (op & 7) {
		case 0: case 1: hostile_request(&s); break;
		case 2: hostile_misc(op >> 3); break;
		case 3: poll_back(); break;
		case 4: poll_front(); break;
		case 5: md.hold = op >> 7; md.in_order = (op >> 6) & 1; break;
		case 6: honest_io(op >> 3); break;
		case 7:         /* the backend dies and comes back */
			if (op & 0x80) {
				memdisk_crash(&md);
				fake_kill(1);
				back_alive = 0;
				back_start();
			}
			break;
		}
	}
	md.hold = 0;
	for (int i = 0; i < 40 && pending_io; i++) {
		poll_back();
		poll_front();
	}
	if (pending_io)
		die("an honest I/O never completed");
	if (!zero_between(SLICE_LEN, SLICE_H))
		die("a write landed outside every slice");
	if (!zero_between(SLICE_H + SLICE_LEN, SECTORS))
		die("a write landed past the hostile client's slice");
	return 0;
}
