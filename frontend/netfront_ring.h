/*
 * The part of netfront that only touches the ring and the buffer pages, no
 * hypercalls, so the host can test and fuzz it (tests/fuzz/fuzz_netfront_rsp.c):
 * posting buffers, checking and consuming responses, copying received frames
 * out of the shared pages. frontend/netfront.c adds notifications, grants,
 * the registry handshake and teardown around it.
 */
#ifndef FRONTEND_NETFRONT_RING_H
#define FRONTEND_NETFRONT_RING_H

#include "frontend/netfront.h"

#define NETFRONT_BUF_SIZE 2048

/* What netfront_ring_take found; broken != 0 means drop the connection. */
enum { NF_RING_OK, NF_RING_BAD_RESPONSE, NF_RING_BAD_INDICES };
struct nf_take {
	int got;            /* frames handed to rx */
	int reposted;       /* RX buffers posted again (requests to push) */
	int broken;         /* NF_RING_* */
};

/* Buffer i (0..NETFRONT_BUFS-1): page i / 2 of nf->pages, at (i % 2) * 2048. */
uint8_t *netfront_buf(const struct netfront *nf, unsigned i);
/* Post every RX buffer (after connecting); returns how many were posted. */
int netfront_ring_post_rx(struct netfront *nf);
/* Copy a frame into a free TX buffer and post it: 0, or NETFRONT_EAGAIN. */
int netfront_ring_tx(struct netfront *nf, const void *frame, size_t len);
/* 0 if the private copy r names a buffer the backend holds, in its direction,
 * with an RX length that fits; -1 otherwise. */
int netfront_check_response(const struct netfront *nf, const struct netif_response *r);
/* Take every response: each RX frame is copied once into nf->rx_frame
 * (length from the checked response copy) and handed to rx from there; RX
 * buffers are posted again. Stops at the first bad response. */
void netfront_ring_take(struct netfront *nf, netfront_rx_fn rx, void *arg, struct nf_take *t);

#endif
