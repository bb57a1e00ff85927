/*
 * blkback: the block backend inside the disk driver domain. It serves up to
 * BLKBACK_CLIENTS client VMs over blkif rings, each on its own slice of the
 * disk (the client sees sectors 0..size-1, the backend adds the slice start
 * and never lets it past its end). Every request is copied off the ring once
 * and validated on that copy; a bad one is answered with an error and the
 * loop goes on; a client that breaks the ring protocol loses only its own
 * connection.
 *
 * The clients' granted pages are mapped into the backend outside its RAM,
 * read-only unless the backend must write them, and so enter the device's
 * IOMMU view at the same addresses (docs/design.md, "DMA and grants"). A
 * request whose segments are one run through pages (backend/blkdisk.h) goes
 * to the disk on those pages directly; any other is copied through the
 * backend's own DMA buffers. Requests go to an asynchronous struct blkdisk
 * (backend/blkdisk.h); a request is answered only when the disk completed it,
 * so a write is never acknowledged before the device has it and a flush only
 * once every write completed before it is durable.
 */
#ifndef BACKEND_BLKBACK_H
#define BACKEND_BLKBACK_H

#include <stdint.h>
#include "backend/blkdisk.h"
#include "public/channel.h"
#include "public/guest_layout.h"
#include "public/io/blkif.h"
#include "public/ring.h"

#define BLKBACK_CLIENTS   3
/* Grant mappings cached per client: blkfront grants BLKFRONT_PAGES (128)
 * data pages once per connection. The cap keeps every client, ring
 * included, within the backend's grant mapping budget. */
#define BLKBACK_MAPS      128
#define BLKBACK_INFLIGHT  32        /* requests at the disk at once (all clients) */
#define BLKBACK_BUF_BYTES (BLKIF_MAX_SECTORS * BLKIF_SECTOR_SIZE)   /* at most per request */
/* DMA buffer pages, taken per request as many as its sectors need: 32
 * requests of 4 KiB or 16 of 64 KiB at the disk at once. (A fixed 64 KiB
 * per in-flight request would double the domain's image: a slower restart.) */
#define BLKBACK_BUF_PAGES 256
#define BLKBACK_BUFS_BYTES (BLKBACK_BUF_PAGES * 4096)                /* 1 MiB */
#define BLKBACK_MAP_BASE  0x28000000ull   /* below the MMIO window, clear of netback's */
#define BLKBACK_MAP_SPAN  0x100000ull   /* guest-physical window per client */

_Static_assert(BLKBACK_CLIENTS * (BLKBACK_MAPS + 1) <= GRANT_MAPS_MAX,
	       "every client's mappings fit the backend's grant mapping budget");
_Static_assert(BLKBACK_MAP_BASE + BLKBACK_CLIENTS * BLKBACK_MAP_SPAN <= GUEST_MMIO_GPA,
	       "the windows are mapped by the guest page tables, below device BARs");
_Static_assert((BLKBACK_MAPS + 1) * 4096ull <= BLKBACK_MAP_SPAN, "maps fit the window");
_Static_assert(BLKBACK_INFLIGHT <= 32, "req_free has a bit per request");
_Static_assert(BLKBACK_MAPS < 255, "a maps[] index + 1 fits map_of");
_Static_assert(BLKBACK_BUF_PAGES % 64 == 0 && BLKBACK_BUF_PAGES <= 65536, "buffer page bitmap");
_Static_assert(BLKBACK_BUFS_BYTES >= BLKBACK_BUF_BYTES, "the largest request fits the buffers");

struct blkback_stats {
	uint64_t requests, reads, writes, flushes, fua, sectors;
	uint64_t bad_requests, range_errors, grant_errors, io_errors, stale_completions;
	uint64_t notifications, connects, disconnects, disk_busy;
	uint64_t direct, copied;        /* data requests sent zero-copy / through the buffers */
	uint64_t map_waits;             /* a request waited for a busy mapping's upgrade */
};

/* busy: zero-copy requests at the disk whose DMA goes through this mapping;
 * it is neither replaced (read-only -> writable) nor unmapped meanwhile. */
struct bb_map { uint32_t gref; uint8_t writable, mapped; uint16_t busy; };

struct bb_client {
	uint32_t domid;
	uint64_t start, size;           /* slice of the disk, in sectors */
	int connected;
	uint32_t conn;                  /* connections so far: stale completions are dropped */
	uint32_t offer_gen, offer_gref; /* last offer tried (a failure is reported once) */
	struct ring_back ring;
	int port;
	struct bb_map maps[BLKBACK_MAPS];   /* page i + 1 of the client's window */
	unsigned nmaps;
	uint8_t map_of[GRANT_MAX];      /* gref -> its maps[] index + 1 (0: none; a hint, checked) */
	unsigned inflight;              /* its requests at the disk */
	int unmap_pending;              /* disconnected with requests at the disk: unmap at the last */
	int must_push;
	int held;                       /* k + 1: req[k] holds a request taken off the ring,
					 * waiting for the disk (its slot reserved); 0: none */
};

/* One request at the disk. */
struct bb_req {
	int used;
	unsigned client;
	uint32_t conn;                  /* client's connection it came on */
	uint32_t sectors;
	struct blkif_request r;         /* private copy, validated */
	uint8_t *page[BLKIF_MAX_SEGS];  /* mapped segments (reads copy back into them) */
	uint8_t slot[BLKIF_MAX_SEGS];   /* their maps[] indices */
	uint16_t buf[BLKIF_MAX_SEGS];   /* its DMA buffer pages, sectors packed in order */
	uint8_t nbuf;
	uint8_t direct;                 /* the disk DMAs to the mapped pages: no buffers, no copy */
};

struct blkback {
	struct blkdisk *disk;
	uint8_t *bufs;                  /* BLKBACK_BUFS_BYTES, page aligned, own RAM */
	uint64_t bufs_dma;              /* their DMA address */
	uint64_t buf_free[BLKBACK_BUF_PAGES / 64];  /* bit set: buffer page free */
	unsigned depth;                 /* min(disk depth, BLKBACK_INFLIGHT) */
	struct bb_client c[BLKBACK_CLIENTS];
	unsigned n;
	struct bb_req req[BLKBACK_INFLIGHT];
	uint32_t req_free;              /* bit k set: req[k] neither at the disk nor held (no scan) */
	unsigned inflight;
	uint32_t generation;
	uint32_t polls;                 /* blkback_poll calls (ports looked at now and then) */
	struct blkback_stats stats;
};

/* bufs: BLKBACK_BUFS_BYTES of the domain's own page-aligned memory at DMA
 * address bufs_dma. */
int blkback_init(struct blkback *bb, struct blkdisk *disk, uint8_t *bufs, uint64_t bufs_dma);
/* blkback_add_client's refusals. */
#define BLKBACK_ETOOMANY  (-1)      /* BLKBACK_CLIENTS already */
#define BLKBACK_ERANGE    (-2)      /* empty, or not inside the disk */
#define BLKBACK_EOVERLAP  (-3)      /* shares sectors with an earlier client's slice */
#define BLKBACK_EDUP      (-4)      /* that domain is a client already */
/* Serve client domain domid on sectors start..start+size-1 of the disk;
 * announces the backend in the registry. 0, or one of BLKBACK_E* (nothing
 * added): two clients never share a sector. */
int blkback_add_client(struct blkback *bb, uint32_t domid, uint64_t start, uint64_t size);
/* What a blkback_add_client error means, for the operator. */
const char *blkback_add_error(int err);
/* Take disk completions and answer them, connect offered rings, take
 * requests to the disk, notify. 'events': pending event bits the caller took
 * (a client's port raised with an empty ring means it may be gone). Returns
 * requests taken plus completions answered. Clients are notified through
 * rt_notify_later: the caller's next block (HC_BLOCK's notify) sends it. */
int blkback_poll(struct blkback *bb, uint64_t events);
unsigned blkback_connected(const struct blkback *bb);

#endif
