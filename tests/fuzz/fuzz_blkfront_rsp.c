/*
 * libFuzzer target: blkfront (frontend/blkfront*.c, unchanged) against a
 * hostile backend played from the input: it connects (or half connects),
 * takes requests, answers with ids, ops, statuses and lengths of any kind,
 * moves rsp_prod anywhere, scribbles over the ring, and dies; the
 * application submits reads, writes and flushes of every size meanwhile.
 * Over the fake hypervisor of tests/unit/fake_hv.c.
 *
 * Invariants: an I/O completes at most once and only if it was submitted;
 * blkfront's accounting holds (every data page free or held by exactly one
 * live shadow, shadows of live I/Os only, completions within their queue);
 * ASan watches every copy in and out of the shared pages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/blkfront.h"
#include "frontend/blkfront_ring.h"
#include "rt/channel.h"
#include "tests/unit/fake_hv.h"

#define FUZZ_NAME "fuzz_blkfront_rsp"
#include "tests/fuzz/fuzzscript.h"

#define TAGS 64

static struct blkfront bf;
static struct ring_back rb;
static int back_state;             /* 0 nothing, 1 announced, 2 attached */
static uint32_t bport;
static uint64_t seen_ids[BLKIF_RING_SLOTS];
static unsigned nseen;
static uint8_t busy[TAGS];          /* 1: submitted, not completed */
static uint8_t bufs[TAGS][BLKFRONT_MAX_IO];

static void check_state(void)
{
	unsigned held[BLKFRONT_PAGES] = { 0 };

	if (bf.ndone > BLKFRONT_IOS)
		die("completion queue overflow");
	for (unsigned i = 0; i < BLKFRONT_SLOTS; i++) {
		const struct bf_shadow *s = &bf.sh[i];
		if (s->state == BFS_FREE)
			continue;
		if (s->state > BFS_SENT || s->io >= BLKFRONT_IOS || !bf.io[s->io].used ||
		    s->npages > BLKIF_MAX_SEGS)
			die("a shadow of no live I/O");
		for (unsigned p = 0; p < s->npages; p++)
			held[s->page[p]]++;
	}
	for (unsigned p = 0; p < BLKFRONT_PAGES; p++) {
		int free_ = (bf.page_free[p / 64] >> (p % 64)) & 1;
		if (held[p] > 1 || (held[p] && free_) || (!held[p] && !free_))
			die("a data page lost or held twice");
	}
}

static void reap(void)
{
	struct blkfront_done d[8];
	int n;

	fake_cur = 2;
	while ((n = blkfront_reap(&bf, d, 8)) > 0) {
		for (int i = 0; i < n; i++) {
			if (d[i].tag >= TAGS || !busy[d[i].tag])
				die("a completion of an I/O not in flight");
			busy[d[i].tag] = 0;
		}
	}
}

static void submit(uint8_t a, uint8_t b)
{
	unsigned tag = a % TAGS;

	if (busy[tag])
		return;
	uint8_t op = (uint8_t)(1 + b % 3);
	uint32_t bytes = op == BLKIF_OP_FLUSH ? 0 : (uint32_t)(1 + a % 256) * 512;
	fake_cur = 2;
	if (!blkfront_submit(&bf, op, b >> 2, op == BLKIF_OP_FLUSH ? 0 : bufs[tag], bytes,
			     op == BLKIF_OP_WRITE && (b & 0x80) ? BLKFRONT_FUA : 0, tag))
		busy[tag] = 1;
}

static void back_step(void)
{
	struct reg_entry fe, me = { REG_INITIALISING, 0, 0, 0 };

	fake_cur = 1;
	if (back_state == 0) {
		hv_reg_write(2, BLKIF_REG_DEVID, &me);
		back_state = 1;
		return;
	}
	if (back_state != 1 || hv_reg_read(2, BLKIF_REG_DEVID, &fe) || fe.state != REG_INITIALISING)
		return;
	if (hv_grant_map(2, fe.gref, FAKE_WIN_BASE, 0))
		return;
	int64_t port = hv_evtchn_bind(2, fe.port);
	if (port < 0 || ring_back_attach(&rb, (void *)(uintptr_t)FAKE_WIN_BASE, BLKIF_SLOT_SIZE)) {
		hv_grant_unmap(FAKE_WIN_BASE);
		return;
	}
	me = (struct reg_entry){ REG_CONNECTED, 0, (uint32_t)port, 0 };
	hv_reg_write(2, BLKIF_REG_DEVID, &me);
	back_state = 2;
	bport = (uint32_t)port;
	nseen = 0;
}

static void take_requests(void)
{
	if (back_state != 2)
		return;
	fake_cur = 1;
	int n = ring_back_pending(&rb);
	for (int i = 0; i < n; i++) {
		union blkif_slot u;
		ring_back_copy_req(&rb, &u);
		seen_ids[nseen++ % BLKIF_RING_SLOTS] = u.req.id;
	}
}

static void respond(const uint8_t *b)
{
	if (back_state != 2)
		return;
	fake_cur = 1;
	uint64_t id = nseen ? seen_ids[b[0] % (nseen < BLKIF_RING_SLOTS ? nseen : BLKIF_RING_SLOTS)] : 0;
	if (b[1] & 1)
		id ^= (uint64_t)b[2] << (8 * (b[3] % 8));
	struct blkif_response r = { .id = id, .op = (uint8_t)(b[1] & 2 ? b[4] : 1 + b[4] % 3),
				    .status = (int16_t)(b[1] & 4 ? (int8_t)b[5] : -(b[5] % 5)),
				    .nr_sectors = b[1] & 8 ? b[6] : (uint32_t)(b[6] % 4) * 64 + b[7] % 8 };
	if (b[1] & 16) {               /* answer what was never asked, or more than was */
		struct blkif_response *slot = (struct blkif_response *)&rb.s->slots[(b[7] % 32) * BLKIF_SLOT_SIZE];
		*slot = r;
		ring_store(&rb.s->rsp_prod, rb.rsp_prod_pvt + (uint32_t)(int8_t)b[2]);
		return;
	}
	struct blkif_response *p = ring_back_next_rsp(&rb);
	if (!p)
		return;
	*p = r;
	if (ring_back_push(&rb))
		hv_evtchn_send(bport);
}

static void die_backend(void)
{
	fake_kill(1);
	back_state = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size, 0 };
	uint8_t op, b[8];

	fake_hv_init();
	fake_cur = 2;
	blkfront_init(&bf, 1);
	bf.ring_page = fake_alloc_pages(1);
	bf.pages = fake_alloc_pages(BLKFRONT_PAGES);
	back_state = 0;
	nseen = 0;
	memset(busy, 0, sizeof(busy));
	while (!take(&s, &op, 1)) {
		switch (op & 7) {
		case 0: if (!take(&s, b, 2)) submit(b[0], b[1]); break;
		case 1: back_step(); break;
		case 2: take_requests(); break;
		case 3: if (!take(&s, b, 8)) respond(b); break;
		case 4: fake_cur = 2; blkfront_wait(&bf, 0); blkfront_poll(&bf); break;
		case 5: reap(); break;
		case 6: if (op & 0x80) die_backend(); break;
		case 7: if (op & 0x80) fake_give_up(1); break;
		}
		check_state();
	}
	reap();
	return 0;
}
