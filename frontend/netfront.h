/*
 * netfront: a client VM's network interface over a ring to the NIC driver
 * domain (include/public/io/netif.h). It owns a pool of buffer pages granted
 * to the backend: RX buffers stay posted on the ring, TX frames are copied into
 * free TX buffers. It trusts nothing the backend writes (ids, lengths, ring
 * indices are checked; received frames are copied once into private memory
 * before anyone looks at them), and when the backend
 * dies or breaks the protocol it tears the connection down and re-attaches to
 * the backend's next incarnation by itself.
 */
#ifndef FRONTEND_NETFRONT_H
#define FRONTEND_NETFRONT_H

#include <stddef.h>
#include <stdint.h>
#include "public/io/netif.h"
#include "public/ring.h"

#define NETFRONT_RX_BUFS  32
#define NETFRONT_TX_BUFS  32
#define NETFRONT_BUFS     (NETFRONT_RX_BUFS + NETFRONT_TX_BUFS)
#define NETFRONT_PAGES    (NETFRONT_BUFS / 2)      /* two 2 KiB buffers per page */

#define NETFRONT_EAGAIN   (-11)     /* not connected, or no free TX buffer */
#define NETFRONT_EINVAL   (-22)     /* frame length outside 14..1514 */
#define NETFRONT_EGONE    (-19)     /* the backend is gone for good */
#define NETFRONT_EPROTO   (-71)     /* not connected: the backend generation broke the ring
				     * more than NETFRONT_RING_RESETS times */
/* A backend generation that broke the ring more than this often is not
 * reconnected to again; its next generation is. net_hostile_back's backend
 * breaks it four ways in one generation and must be reconnected to each time. */
#define NETFRONT_RING_RESETS  4

enum netfront_state {
	NF_IDLE,            /* waiting for the backend to offer itself */
	NF_OFFERED,         /* ring offered, waiting for the backend's Connected */
	NF_CONNECTED,
	NF_TEARDOWN,        /* old connection going: grants not yet revocable */
	NF_GONE,            /* the backend was given up by its restart policy */
};

struct netfront_stats {
	uint64_t tx, rx, tx_dropped, tx_errors, rx_errors, bad_responses;
	uint64_t connections, reconnects, notifications, status_checks;
	uint64_t ring_resets;           /* reconnects to the generation that broke the ring */
};

typedef void (*netfront_rx_fn)(void *arg, const void *frame, size_t len);

struct netfront {
	uint32_t backend;
	uint8_t mac[6];
	enum netfront_state state;
	uint32_t backend_gen;           /* incarnation we are (or were) connected to */
	uint32_t broken_gen;            /* incarnation broken_count counts for */
	uint32_t broken_count;          /* ring protocol violations by broken_gen */
	struct ring_front ring;
	int port;
	int ring_gref;
	int gref[NETFRONT_PAGES];
	uint64_t outstanding;           /* bit i: buffer i is with the backend */
	uint32_t idle_polls;
	uint64_t events;                /* event bits taken by netfront_wait */
	int in_take;                    /* inside netfront_poll's rx callbacks */
	int push_owed;                  /* frames sent from them, not yet pushed */
	struct netfront_stats stats;
	uint8_t *pages;                 /* NETFRONT_PAGES granted buffer pages */
	uint8_t rx_frame[NETIF_MAX_FRAME];  /* private copy of the frame handed to rx */
};

/* Start attaching to the backend domain; netfront_poll completes it. */
/* The backend's registry entry reads REG_FAILED: it will never come back,
 * and netfront_send answers NETFRONT_EGONE. */
int netfront_gone(const struct netfront *nf);
int netfront_init(struct netfront *nf, uint32_t backend_domid, const uint8_t mac[6]);
/* Copy one frame into a free TX buffer and send it. */
int netfront_send(struct netfront *nf, const void *frame, size_t len);
/* Take responses (received frames go to rx, as a private copy valid until rx
 * returns), re-post RX buffers, and drive (re)connection. Returns the frames
 * received, or 0. */
int netfront_poll(struct netfront *nf, netfront_rx_fn rx, void *arg);
int netfront_connected(const struct netfront *nf);
/* Block until an event arrives or timeout_ns passes. The backend's
 * notification for what submit/send/poll queued goes out here (rt_notify_later:
 * inside this HC_BLOCK, or at once when an event is already pending), or when
 * main returns: a caller that polls without ever waiting leaves the backend
 * to find its requests by its own polling period (milliseconds). */
void netfront_wait(struct netfront *nf, uint64_t timeout_ns);

#endif
