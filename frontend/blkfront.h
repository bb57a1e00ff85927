/*
 * blkfront: a client VM's disk over a ring to the disk driver domain
 * (include/public/io/blkif.h). A small block API: submit reads, writes (FUA
 * optional) and flushes of 512 B..128 KiB, several in flight, and reap their
 * completions. Data goes through a pool of BLKFRONT_PAGES pages granted to the
 * backend once per connection; an application I/O over 64 KiB is split into
 * requests of up to BLKIF_MAX_SEGS pages.
 *
 * Two kinds of buffer. Any buffer of the application's: write data is
 * copied into pool pages at submission, read data copied out once after the
 * checked response, so the backend never touches the application's memory.
 * Or a buffer taken from the pool itself (blkfront_buf_alloc): no copy at
 * all, the backend reads and writes those pages directly. Such a buffer is
 * shared with the backend for as long as it is allocated: read data there
 * is what the backend wrote and a faulty backend can still change it after
 * the completion (copy it out first if that matters), and the application
 * must not change a write's data before its completion (a replay sends the
 * pages again).
 *
 * Every request not completed has a shadow (its op, sectors, data pages). When
 * the backend dies, or breaks the protocol, blkfront drops the connection,
 * attaches to the backend's next incarnation and sends those requests again,
 * in the order they were first submitted and before any new one. Request ids
 * carry the connection generation, the shadow slot and the slot's use
 * (BLKIF_ID), so an answer from an earlier connection, to a slot not in use or
 * to a request not sent, is never taken: it drops the connection instead (and
 * the request is replayed). A flush or FUA write is therefore acknowledged
 * only by the incarnation that completed it. An error the device reports is
 * handed to the application, never dropped.
 */
#ifndef FRONTEND_BLKFRONT_H
#define FRONTEND_BLKFRONT_H

#include <stdint.h>
#include "public/io/blkif.h"
#include "public/ring.h"

#define BLKFRONT_SLOTS     32       /* shadow slots: every ring slot */
#define BLKFRONT_PAGES     128      /* granted data pages (512 KiB) */
#define BLKFRONT_IOS       32       /* application I/Os in flight */
#define BLKFRONT_MAX_IO    (128u * 1024)

#define BLKFRONT_FUA       1        /* submit flag: write durable before completion */

#define BLKFRONT_EIO       (-5)     /* completion: the device failed the request */
#define BLKFRONT_EAGAIN    (-11)    /* no room (slots, pages): reap, then submit again */
#define BLKFRONT_EGONE     (-19)    /* the backend was given up: gone for good */
#define BLKFRONT_EINVAL    (-22)    /* bad op, size or alignment */
#define BLKFRONT_ERANGE    (-34)    /* completion: sectors past the end of the disk */

_Static_assert(BLKFRONT_SLOTS <= BLKIF_RING_SLOTS, "a shadow slot per ring slot at most");
_Static_assert(BLKFRONT_MAX_IO / 4096 <= BLKFRONT_PAGES, "one largest I/O fits the pool");
_Static_assert(BLKFRONT_SLOTS == 32 && BLKFRONT_IOS == 32, "sh_free and io_free: a bit each");

enum blkfront_state {
	BF_IDLE,            /* waiting for the backend to offer itself */
	BF_OFFERED,         /* ring offered, waiting for the backend's Connected */
	BF_CONNECTED,
	BF_TEARDOWN,        /* old connection going: grants not yet revocable */
	BF_GONE,            /* the backend was given up by its restart policy */
};

enum { BFS_FREE, BFS_QUEUED, BFS_SENT };    /* shadow states */

struct bf_shadow {
	uint8_t state;              /* BFS_*; QUEUED: to send on the current connection */
	uint8_t op;                 /* BLKIF_OP_* */
	uint16_t flags;             /* BLKIF_F_* */
	uint32_t seq;               /* use of this slot (BLKIF_ID_SEQ) */
	uint32_t io;                /* application I/O it is part of */
	uint32_t nsect;
	uint64_t order;             /* submission order: sent and replayed in it */
	uint64_t sector;
	uint32_t buf_off;           /* where its data is in the I/O's buffer */
	uint8_t npages;
	uint8_t sent_before;        /* sent on an earlier connection: a replay */
	uint8_t app;                /* pages are a pool buffer of the application's: no copy */
	uint8_t page[BLKIF_MAX_SEGS];
};

struct bf_io {
	int used;
	uint8_t op;
	uint64_t tag;
	uint8_t *buf;               /* the application's buffer */
	unsigned pieces;            /* requests not completed */
	int status;                 /* first error of a piece, else 0 */
};

struct blkfront_done {
	uint64_t tag;               /* the application's, from submit */
	int status;                 /* 0, BLKFRONT_EIO, BLKFRONT_ERANGE or BLKFRONT_EGONE */
};

struct blkfront_stats {
	uint64_t submitted, completed, requests, replayed, errors, bad_responses;
	uint64_t connections, reconnects, notifications, status_checks;
};

struct blkfront {
	uint32_t backend;
	enum blkfront_state state;
	uint32_t backend_gen;           /* incarnation we are (or were) connected to */
	uint32_t conn;                  /* our connections so far (BLKIF_ID_CONN) */
	struct ring_front ring;
	int port;
	int ring_gref;
	int gref[BLKFRONT_PAGES];
	uint8_t *ring_page;             /* one page */
	uint8_t *pages;                 /* BLKFRONT_PAGES pages */
	uint64_t page_free[BLKFRONT_PAGES / 64];   /* bit set: page free */
	uint64_t page_app[BLKFRONT_PAGES / 64];    /* bit set: lent by blkfront_buf_alloc */
	struct bf_shadow sh[BLKFRONT_SLOTS];
	struct bf_io io[BLKFRONT_IOS];
	/* Counts kept with the states above, so the hot path does not scan
	 * every slot: shadows not free, shadows queued, I/O records used. */
	unsigned nshadows, nqueued, nios;
	/* Bit i set: sh[i] (io[i]) is free; the next one is the lowest bit. */
	uint32_t sh_free, io_free;
	/* A hint, checked before use: the only queued shadow + 1 while nqueued
	 * is 1 since it was queued (0: unknown). */
	uint8_t only_queued;
	uint64_t next_order;
	struct blkfront_done done[BLKFRONT_IOS];   /* completions not yet reaped */
	unsigned ndone;
	uint32_t idle_polls;
	uint64_t events;                /* event bits taken by blkfront_wait */
	struct blkfront_stats stats;
};

/* Start attaching to the backend domain; blkfront_poll completes it. */
int blkfront_init(struct blkfront *bf, uint32_t backend_domid);
/*
 * Queue an I/O: op BLKIF_OP_READ/WRITE of 'bytes' (512..BLKFRONT_MAX_IO, a
 * multiple of 512) at 'sector', or BLKIF_OP_FLUSH (bytes 0). flags:
 * BLKFRONT_FUA on writes. Write data is copied at once; read data lands in
 * buf when the I/O completes. A pool buffer (blkfront_buf_alloc) is used in
 * place, not copied; a pointer into the pool that is not one is refused
 * (BLKFRONT_EINVAL). Returns 0, BLKFRONT_EAGAIN, BLKFRONT_EINVAL or
 * BLKFRONT_EGONE. Submitted while disconnected, it waits for the connection.
 */
int blkfront_submit(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
		    uint32_t bytes, unsigned flags, uint64_t tag);
/* A page-aligned buffer of 'bytes' (1..BLKFRONT_MAX_IO) in the granted
 * pool: I/Os on it move data without a copy (see the top). NULL when the
 * pool has no run of free pages that long. */
void *blkfront_buf_alloc(struct blkfront *bf, uint32_t bytes);
/* Give a pool buffer back (no I/O on it may be in flight). */
void blkfront_buf_free(struct blkfront *bf, void *buf, uint32_t bytes);
/* Take responses, drive (re)connection. Returns responses taken. */
int blkfront_poll(struct blkfront *bf);
/* Completed I/Os (up to max) into out; returns how many. */
int blkfront_reap(struct blkfront *bf, struct blkfront_done *out, int max);
/* Block until an event arrives or timeout_ns passes. The backend's
 * notification for what submit/send/poll queued goes out here (rt_notify_later:
 * inside this HC_BLOCK, or at once when an event is already pending), or when
 * main returns: a caller that polls without ever waiting leaves the backend
 * to find its requests by its own polling period (milliseconds). */
void blkfront_wait(struct blkfront *bf, uint64_t timeout_ns);
int blkfront_connected(const struct blkfront *bf);
int blkfront_gone(const struct blkfront *bf);
/* Application I/Os submitted and not yet reaped. */
unsigned blkfront_busy(const struct blkfront *bf);

#endif
