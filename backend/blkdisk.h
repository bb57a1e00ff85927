/*
 * A disk as the block backend sees it: asynchronous, a queue of requests in
 * flight, completions polled. Buffers are DMA addresses of the driver
 * domain's own RAM or grant-mapped client pages (guest-physical = DMA
 * address through its VT-d context: grant mappings are in that view too).
 * Every disk takes a request whose segments are one run through pages: the
 * first may start inside its page (but runs to its end when more follow),
 * middle ones are whole pages, the last starts at its page's start (the NVMe
 * PRP rule). Others may be refused with BLKDISK_EINVAL.
 */
#ifndef BACKEND_BLKDISK_H
#define BACKEND_BLKDISK_H
#include <stdint.h>

#define BLKDISK_READ   1
#define BLKDISK_WRITE  2
#define BLKDISK_FLUSH  3
#define BLKDISK_MAX_SEGS 32         /* 4 KiB pages per request: 128 KiB */

#define BLKDISK_OK      0
#define BLKDISK_EBUSY  (-16)        /* queue full: poll, then submit again */
#define BLKDISK_EINVAL (-22)        /* malformed request (caller's bug) */
#define BLKDISK_EIO    (-5)         /* device error status, or the command timed out */

struct blkdisk_seg { uint64_t dma; uint32_t len; };  /* len multiple of 512, within one 4 KiB page */

struct blkdisk_io {
	uint64_t cookie;            /* the caller's, handed back at completion */
	uint64_t lba;               /* 512-byte sectors from the disk's start */
	uint8_t  op;                /* BLKDISK_* */
	uint8_t  fua;               /* write: durable before completion */
	uint16_t nseg;              /* 0 for FLUSH */
	struct blkdisk_seg seg[BLKDISK_MAX_SEGS];
};

typedef void (*blkdisk_done_fn)(void *arg, uint64_t cookie, int status);

struct blkdisk {
	void *ctx;
	uint64_t sectors;           /* 512-byte sectors on the disk */
	unsigned depth;             /* requests it can hold in flight */
	int (*submit)(void *ctx, const struct blkdisk_io *io);
	/* Calls done() for every finished request (timeouts included, status
	 * BLKDISK_EIO); returns how many. Never blocks. */
	int (*poll)(void *ctx, blkdisk_done_fn done, void *arg);
	/* Event port of the completion interrupt (<0: none, poll on a timer). */
	int irq_port;
	/* Optional (NULL: every submit reaches the device at once). plug(ctx, 1)
	 * holds the device's notification (the NVMe doorbell) for the submits
	 * that follow; plug(ctx, 0) sends one for all of them. The caller
	 * unplugs before it waits for completions. */
	void (*plug)(void *ctx, int on);
};
#endif
