/*
 * Block frontend/backend protocol over a ring (public/ring.h). A request reads
 * or writes whole 512-byte sectors between the disk and up to BLKIF_MAX_SEGS
 * granted pages; FLUSH makes every completed write durable. A write is
 * acknowledged (response BLKIF_OK) only once it is on the device.
 */
#ifndef PUBLIC_IO_BLKIF_H
#define PUBLIC_IO_BLKIF_H

#include <stddef.h>
#include <stdint.h>

#define BLKIF_OP_READ      1
#define BLKIF_OP_WRITE     2
#define BLKIF_OP_FLUSH     3

#define BLKIF_OK           0
#define BLKIF_ERR_BADREQ  -1   /* malformed request */
#define BLKIF_ERR_GRANT   -2   /* a segment's grant is not valid for this backend */
#define BLKIF_ERR_IO      -3   /* the device reported an error */

#define BLKIF_SECTOR_SIZE  512
#define BLKIF_MAX_SEGS     8

struct blkif_segment {
	uint32_t gref;          /* grant reference of the page */
	uint8_t  first_sect;    /* first 512-byte sector of the page used (0..7) */
	uint8_t  last_sect;     /* last sector used, >= first_sect, <= 7 */
	uint16_t pad;
};

struct blkif_request {
	uint64_t id;            /* frontend's cookie, echoed in the response */
	uint64_t sector;        /* first disk sector */
	uint8_t  op;            /* BLKIF_OP_* */
	uint8_t  nr_segs;       /* 0 for FLUSH, else 1..BLKIF_MAX_SEGS */
	uint16_t flags;         /* must be 0 */
	uint32_t reserved;      /* must be 0 */
	struct blkif_segment seg[BLKIF_MAX_SEGS];
};

struct blkif_response {
	uint64_t id;
	uint8_t  op;
	uint8_t  pad;
	int16_t  status;        /* BLKIF_OK or BLKIF_ERR_* */
	uint32_t reserved;
};

_Static_assert(sizeof(struct blkif_segment) == 8, "blkif_segment layout");
_Static_assert(sizeof(struct blkif_request) == 88, "blkif_request layout");
_Static_assert(offsetof(struct blkif_request, seg) == 24, "blkif_request.seg");
_Static_assert(sizeof(struct blkif_response) == 16, "blkif_response layout");

#define BLKIF_SLOT_SIZE 88

#endif
