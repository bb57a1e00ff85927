/*
 * Block frontend/backend protocol over a ring (public/ring.h). A request reads
 * or writes whole 512-byte sectors between a range of the client's disk and up
 * to BLKIF_MAX_SEGS granted pages; FLUSH makes every write completed before it
 * durable. A write is answered BLKIF_OK only once the device completed it; a
 * write with BLKIF_F_FUA only once it is durable.
 *
 * Segments are named by grant reference, never by address. The sectors of
 * segment 0 come first on disk, then those of segment 1, and so on: a request
 * covers sector .. sector + (sum of segment sectors) - 1 of the client's disk,
 * which the backend checks against the client's size.
 *
 * Request ids are the frontend's and echoed unchanged; blkfront lays them out
 * as BLKIF_ID(conn, seq, slot) so that a response names one shadow slot, the
 * use of that slot, and the connection it was sent on (see blkfront).
 */
#ifndef PUBLIC_IO_BLKIF_H
#define PUBLIC_IO_BLKIF_H

#include <stddef.h>
#include <stdint.h>

#define BLKIF_OP_READ      1
#define BLKIF_OP_WRITE     2
#define BLKIF_OP_FLUSH     3   /* nr_segs 0, sector 0: completed writes made durable */

#define BLKIF_F_FUA        0x1 /* WRITE only: answer when the data is durable */

#define BLKIF_OK           0
#define BLKIF_ERR_BADREQ  -1   /* malformed request: op, flags, segments, reserved fields */
#define BLKIF_ERR_GRANT   -2   /* a segment's grant is not valid for this backend */
#define BLKIF_ERR_IO      -3   /* the device reported an error (or timed out) */
#define BLKIF_ERR_RANGE   -4   /* sectors outside the client's disk */

#define BLKIF_SECTOR_SIZE     512
#define BLKIF_SECTORS_PER_PAGE 8
/* 16 segments of 4 bytes keep a request at 88 bytes, so 32 slots fit the
 * ring page and a 64 KiB I/O is one request (segments were 8 bytes, 8 of
 * them, before: a 64 KiB I/O took two requests). */
#define BLKIF_MAX_SEGS        16
#define BLKIF_MAX_SECTORS     (BLKIF_MAX_SEGS * BLKIF_SECTORS_PER_PAGE)   /* 64 KiB */

struct blkif_segment {
	uint16_t gref;          /* grant reference of the page (the hypervisor's are 0..255) */
	uint8_t  first_sect;    /* first 512-byte sector of the page used (0..7) */
	uint8_t  last_sect;     /* last sector used, >= first_sect, <= 7 */
};

struct blkif_request {
	uint64_t id;            /* frontend's cookie, echoed in the response */
	uint64_t sector;        /* first sector of the client's disk */
	uint8_t  op;            /* BLKIF_OP_* */
	uint8_t  nr_segs;       /* 0 for FLUSH, else 1..BLKIF_MAX_SEGS */
	uint16_t flags;         /* BLKIF_F_FUA on WRITE, else 0 */
	uint32_t reserved;      /* must be 0 */
	struct blkif_segment seg[BLKIF_MAX_SEGS];
};

struct blkif_response {
	uint64_t id;            /* the request's id */
	uint8_t  op;            /* the request's op */
	uint8_t  pad;
	int16_t  status;        /* BLKIF_OK or BLKIF_ERR_* */
	uint32_t nr_sectors;    /* BLKIF_OK: sectors transferred (the request's count) */
};

_Static_assert(sizeof(struct blkif_segment) == 4, "blkif_segment layout");
_Static_assert(offsetof(struct blkif_segment, first_sect) == 2, "blkif_segment.first_sect");
_Static_assert(offsetof(struct blkif_segment, last_sect) == 3, "blkif_segment.last_sect");
_Static_assert(sizeof(struct blkif_request) == 88, "blkif_request layout");
_Static_assert(offsetof(struct blkif_request, sector) == 8, "blkif_request.sector");
_Static_assert(offsetof(struct blkif_request, op) == 16, "blkif_request.op");
_Static_assert(offsetof(struct blkif_request, flags) == 18, "blkif_request.flags");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "blkif_request.seg");
_Static_assert(sizeof(struct blkif_response) == 16, "blkif_response layout");
_Static_assert(offsetof(struct blkif_response, status) == 10, "blkif_response.status");
_Static_assert(offsetof(struct blkif_response, nr_sectors) == 12, "blkif_response.nr_sectors");

/* Ring slots hold either a request or a response: 32 slots in the page
 * (ring_nslots(88) == 32; checked by tests/unit/test_blk.c). */
#define BLKIF_SLOT_SIZE    88
#define BLKIF_RING_SLOTS   32
_Static_assert(sizeof(struct blkif_request) <= BLKIF_SLOT_SIZE, "request fits a slot");
_Static_assert(sizeof(struct blkif_response) <= BLKIF_SLOT_SIZE, "response fits a slot");
_Static_assert(BLKIF_RING_SLOTS * BLKIF_SLOT_SIZE <= 4096 - 64, "ring fits the page");

/* What ring_*_copy_* fill: a whole slot (a response is shorter than a slot). */
union blkif_slot {
	struct blkif_request req;
	struct blkif_response rsp;
	uint8_t raw[BLKIF_SLOT_SIZE];
};
_Static_assert(sizeof(union blkif_slot) == BLKIF_SLOT_SIZE, "blkif_slot layout");

/* Registry device number of the block connection (public/channel.h, HC_REG_*). */
#define BLKIF_REG_DEVID    1

/*
 * Request id layout (blkfront's choice; the backend only echoes it):
 *   bits 63..32  connection generation: blkfront's count of its connections,
 *                so an answer sent on an earlier connection is recognisable
 *   bits 31..8   sequence number of this use of the shadow slot
 *   bits  7..0   shadow slot
 */
#define BLKIF_ID(conn, seq, slot) \
	((uint64_t)(uint32_t)(conn) << 32 | (uint64_t)((seq) & 0xffffffu) << 8 | ((slot) & 0xffu))
#define BLKIF_ID_CONN(id)  ((uint32_t)((id) >> 32))
#define BLKIF_ID_SEQ(id)   ((uint32_t)((id) >> 8) & 0xffffffu)
#define BLKIF_ID_SLOT(id)  ((uint32_t)(id) & 0xffu)

/* Sectors a request covers (its segments in order), or 0 if a segment is
 * malformed. Caller checked nr_segs <= BLKIF_MAX_SEGS. */
static inline uint32_t blkif_request_sectors(const struct blkif_request *r)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < r->nr_segs; i++) {
		const struct blkif_segment *s = &r->seg[i];
		if (s->first_sect > s->last_sect || s->last_sect >= BLKIF_SECTORS_PER_PAGE)
			return 0;
		n += (uint32_t)(s->last_sect - s->first_sect + 1);
	}
	return n;
}

/* Backend-side check of a private copy against a disk of 'size' sectors:
 * BLKIF_OK or the error to answer with; when BLKIF_OK, *sectors is the
 * request's sector count (0 for FLUSH). */
static inline int blkif_request_check_sectors(const struct blkif_request *r, uint64_t size,
					      uint32_t *sectors)
{
	*sectors = 0;
	if (r->reserved)
		return BLKIF_ERR_BADREQ;
	if (r->op == BLKIF_OP_FLUSH)
		return r->nr_segs || r->flags || r->sector ? BLKIF_ERR_BADREQ : BLKIF_OK;
	if (r->op != BLKIF_OP_READ && r->op != BLKIF_OP_WRITE)
		return BLKIF_ERR_BADREQ;
	if (r->flags & ~(uint16_t)BLKIF_F_FUA || (r->flags && r->op != BLKIF_OP_WRITE))
		return BLKIF_ERR_BADREQ;
	if (r->nr_segs == 0 || r->nr_segs > BLKIF_MAX_SEGS)
		return BLKIF_ERR_BADREQ;
	uint32_t n = blkif_request_sectors(r);
	if (!n)
		return BLKIF_ERR_BADREQ;
	if (r->sector >= size || n > size - r->sector)
		return BLKIF_ERR_RANGE;
	*sectors = n;
	return BLKIF_OK;
}

static inline int blkif_request_check(const struct blkif_request *r, uint64_t size)
{
	uint32_t n;

	return blkif_request_check_sectors(r, size, &n);
}

#endif
