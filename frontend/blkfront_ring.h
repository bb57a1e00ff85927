/*
 * The part of blkfront that touches only the ring, the shadows and the data
 * pages, no hypercalls, so the host can test and fuzz it: queueing
 * application I/Os as requests, sending queued requests in submission order,
 * checking and taking responses, and requeueing every request not completed
 * when a connection is dropped. frontend/blkfront.c adds notifications,
 * grants, the registry handshake and teardown around it.
 */
#ifndef FRONTEND_BLKFRONT_RING_H
#define FRONTEND_BLKFRONT_RING_H

#include "frontend/blkfront.h"

/* What blkfront_ring_take found; broken != 0 means drop the connection. */
enum { BF_RING_OK, BF_RING_BAD_RESPONSE, BF_RING_BAD_INDICES };

/* Reset shadows, I/Os and the page pool (pages and ring_page must be set). */
void blkfront_ring_reset(struct blkfront *bf);
/* Queue an application I/O (blkfront_submit's checks and split). Connected,
 * with nothing older queued, its requests go into the ring at once (the
 * caller pushes); the rest wait for blkfront_ring_send. */
int blkfront_ring_submit(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
			 uint32_t bytes, unsigned flags, uint64_t tag);
/* A fresh ring on bf->ring_page for a new connection (conn + 1). */
int blkfront_ring_start(struct blkfront *bf);
/* Write every queued request to the ring, oldest first; returns how many
 * (the caller pushes). Segment grants come from bf->gref at this moment. */
int blkfront_ring_send(struct blkfront *bf);
/* 0 if the private copy r answers a request sent on this connection: its
 * slot, use and op, a known status and, for BLKIF_OK, its sector count. */
int blkfront_check_response(const struct blkfront *bf, const struct blkif_response *r);
/* Take every response (stops at the first bad one): returns BF_RING_*;
 * *taken counts the responses taken. */
int blkfront_ring_take(struct blkfront *bf, int *taken);
/* The connection is gone: every request sent and not answered is queued
 * again for the next one. */
void blkfront_ring_requeue(struct blkfront *bf);
/* The backend is gone for good: every I/O not completed completes with status. */
void blkfront_ring_fail_all(struct blkfront *bf, int status);

#endif
