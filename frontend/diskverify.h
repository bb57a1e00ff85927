/*
 * diskverify: a verifying block workload over blkfront, shared by the client
 * image guest/apps/diskverify.c and the host tests. It writes runs of sectors
 * stamped with (sector, sequence number, checksum), mixes reads, writes,
 * flushes and FUA writes at a configured queue depth, records which write of
 * every sector was acknowledged, and checks every sector it reads: after each
 * reconnection of blkfront (a backend restart) and at the end it reads back
 * the whole span (and after an optional first sweep that writes it all with
 * every size in turn). No two I/Os in flight overlap, so an acknowledged sector has
 * exactly one right content.
 *
 * Non-blocking: dv_step submits what it can and takes completions; the caller
 * polls blkfront (and waits) between steps.
 */
#ifndef FRONTEND_DISKVERIFY_H
#define FRONTEND_DISKVERIFY_H

#include <stdint.h>
#include "frontend/blkfront.h"

#define DV_MAX_QD     32
#define DV_MAGIC      0x59465644u   /* "DVFY" */

struct dv_config {
	uint64_t span;          /* sectors 0..span-1 of the disk are used */
	unsigned qd;            /* I/Os in flight, 1..DV_MAX_QD */
	uint32_t min_sectors, max_sectors;  /* I/O sizes, 1..256 sectors */
	uint64_t ios;           /* workload I/Os before the final check */
	uint64_t seed;
	unsigned write_pct, flush_pct, fua_pct;
	uint32_t id;            /* in every stamp: another writer's sectors do not pass */
	int sweep;              /* first write every size min..max in turn, through the span */
};

struct dv_stats {
	uint64_t writes, reads, flushes, fua, sectors_written, sectors_checked;
	uint64_t errors;        /* I/Os completed with an error status */
	uint64_t lost;          /* acknowledged sectors read back older or blank */
	uint64_t corrupt;       /* sectors with a bad stamp or an unknown newer write */
	uint64_t passes;        /* full read-back passes completed */
};

struct dv_slot {
	int busy;
	uint8_t op;
	uint64_t sector;
	uint32_t nsect;
	uint32_t seq;
	uint8_t *buf;           /* max_sectors * 512 bytes */
};

enum { DV_SWEEP, DV_RUN, DV_CHECK, DV_FINAL, DV_DONE };

struct diskverify {
	struct dv_config cfg;
	struct blkfront *bf;
	uint32_t *acked;        /* per sector: seq of the acknowledged write, 0 none */
	struct dv_slot slot[DV_MAX_QD];
	uint64_t rng;
	uint32_t seq;
	int phase;
	uint64_t check_pos;     /* next sector of a read-back pass */
	uint64_t sweep_pos;     /* next sector of the sweep */
	uint32_t sweep_len;     /* next size of the sweep */
	uint64_t issued;
	uint64_t reconnects;    /* blkfront's count when last seen */
	struct dv_stats st;
};

/* acked: span entries; bufs: qd * max_sectors * 512 bytes. -1 on a bad config. */
int dv_init(struct diskverify *dv, const struct dv_config *cfg, struct blkfront *bf,
	    uint32_t *acked, uint8_t *bufs);
/* Take completions, submit more. Returns 1 when the final check is done. */
int dv_step(struct diskverify *dv);
/* I/Os in flight. */
unsigned dv_inflight(const struct diskverify *dv);

/* The stamp of (sector, seq) into / checked in one 512-byte sector:
 * 0 ok, else DV_STAMP_*. */
enum { DV_STAMP_OK, DV_STAMP_OLDER, DV_STAMP_BLANK, DV_STAMP_BAD };
void dv_stamp(uint8_t *p, uint32_t id, uint64_t sector, uint32_t seq);
int dv_check(const uint8_t *p, uint32_t id, uint64_t sector, uint32_t seq);

#endif
