/*
 * A hostile block frontend: it connects to blkback (backend=NAME, its slice
 * size= sectors) over a raw ring and sends malformed requests one at a time:
 * unknown ops, flags, reserved fields, too many or no segments, sectors
 * outside a page, out-of-range and wrapping sectors, grants never given or
 * read-only for a read; each must be answered with the documented error
 * while the backend keeps serving (a valid write and read-back in between
 * must work). Then it claims more requests than the ring holds, which must
 * cost it its own connection and nothing else.
 * Exit code: the number of failed checks.
 */
#include "guest/hostile/hostile.h"
#include "public/io/blkif.h"
#include "public/ring.h"
#include "rt/channel.h"
#include "rt/test.h"

static uint8_t ring_page[4096] __attribute__((aligned(4096)));
static uint8_t rw_page[4096] __attribute__((aligned(4096)));
static uint8_t ro_page[4096] __attribute__((aligned(4096)));
static struct hostile_front hf = { .devid = BLKIF_REG_DEVID, .slot_size = BLKIF_SLOT_SIZE };
static uint64_t next_id = 1;

/* Send one request; the status of its answer (or 99: none within 2 s). */
static int transact(struct blkif_request rq)
{
	union blkif_slot u;
	uint64_t end = hv_time() + 2000000000ull;

	rq.id = next_id++;
	*(struct blkif_request *)ring_front_next_req(&hf.ring) = rq;
	if (ring_front_push(&hf.ring))
		hv_evtchn_send((uint32_t)hf.port);
	while (hv_time() < end) {
		if (ring_front_final_check(&hf.ring) > 0) {
			ring_front_copy_rsp(&hf.ring, &u);
			GCHECK_EQ(u.rsp.id, rq.id);
			GCHECK_EQ(u.rsp.op, rq.op);
			return u.rsp.status;
		}
		rt_wait_event(5000000ull);
		rt_events_take();
	}
	return 99;
}

static struct blkif_request rq(uint8_t op, uint64_t sector, uint32_t gref, uint8_t first, uint8_t last)
{
	struct blkif_request r = { .op = op, .sector = sector, .nr_segs = 1 };

	r.seg[0] = (struct blkif_segment){ .gref = (uint16_t)gref, .first_sect = first, .last_sect = last };
	return r;
}

int main(void)
{
	uint64_t size = rt_arg_u64("size", 1024);
	uint32_t rw, ro;
	struct blkif_request r;

	hf.backend = (uint32_t)rt_peer_id("backend");
	if (hostile_front_connect(&hf, ring_page, rw_page, ro_page, &rw, &ro))
		rt_fail("could not connect to the backend");
	for (unsigned i = 0; i < 4096; i++)
		rw_page[i] = (uint8_t)(i * 3 + 1);
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, 0, rw, 0, 7)), BLKIF_OK);
	GCHECK_EQ(transact(rq(9, 0, rw, 0, 7)), BLKIF_ERR_BADREQ);                 /* unknown op */
	GCHECK_EQ(transact(rq(0, 0, rw, 0, 7)), BLKIF_ERR_BADREQ);
	r = rq(BLKIF_OP_READ, 0, rw, 0, 7); r.flags = BLKIF_F_FUA;
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* FUA on a read */
	r = rq(BLKIF_OP_WRITE, 0, rw, 0, 7); r.flags = 0x100;
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* unknown flag */
	r = rq(BLKIF_OP_WRITE, 0, rw, 0, 7); r.reserved = 5;
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* reserved set */
	r = rq(BLKIF_OP_WRITE, 0, rw, 0, 7); r.nr_segs = BLKIF_MAX_SEGS + 1;
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* too many segments */
	r.nr_segs = 0;
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* none */
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, 0, rw, 6, 2)), BLKIF_ERR_BADREQ);    /* first > last */
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, 0, rw, 0, 8)), BLKIF_ERR_BADREQ);    /* past the page */
	r = rq(BLKIF_OP_FLUSH, 0, rw, 0, 7);
	GCHECK_EQ(transact(r), BLKIF_ERR_BADREQ);                                 /* flush with data */
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, size, rw, 0, 0)), BLKIF_ERR_RANGE);   /* at the end */
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, size - 1, rw, 0, 1)), BLKIF_ERR_RANGE); /* across it */
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, ~0ull, rw, 0, 1)), BLKIF_ERR_RANGE);  /* wrapping */
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, 200, 200, 0, 7)), BLKIF_ERR_GRANT);   /* never granted */
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, 0, 0xffffffffu, 0, 7)), BLKIF_ERR_GRANT);
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, 0, ro, 0, 7)), BLKIF_ERR_GRANT);      /* read into read-only */
	/* Still served: what was written first reads back (a read-only grant is
	 * enough for a write). */
	memcpy(ro_page, rw_page, 4096);
	GCHECK_EQ(transact(rq(BLKIF_OP_WRITE, 8, ro, 0, 7)), BLKIF_OK);
	memset(rw_page, 0, 4096);
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, 0, rw, 0, 7)), BLKIF_OK);
	GCHECK(!memcmp(rw_page, ro_page, 4096));
	GCHECK_EQ(transact(rq(BLKIF_OP_READ, 8, rw, 0, 7)), BLKIF_OK);
	GCHECK(!memcmp(rw_page, ro_page, 4096));
	gprintf("diskbadfront: malformed requests answered with errors; %d failed checks\n",
		rt_test_result());

	/* Claim 1,000 requests on a ring of 32 slots: the backend must drop us. */
	hostile_front_break_ring(&hf);
	gprintf("diskbadfront: dropped after breaking the ring; %d failed checks\n", rt_test_result());
	return rt_test_result();
}
