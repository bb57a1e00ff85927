/*
 * netback: the network backend inside the NIC driver domain. It serves up to
 * NETBACK_CLIENTS client VMs over netif rings and switches Ethernet frames
 * between them and an uplink (the NIC driver) by destination MAC. A client's
 * MAC is the one its driver domain's configuration assigns it
 * (netback_assign_mac): known from the start, and the only source MAC its
 * frames may carry. A client without one has its MAC learned from its first
 * frame and then locked to it (never a MAC assigned to another client), unless
 * the backend is strict (no assignment: every frame refused). Frames move by
 * copy through the clients' granted pages, mapped into the backend outside its
 * RAM. Every request is validated; a bad one is answered with an error and the
 * loop goes on; a client that breaks the ring protocol loses only its own
 * connection.
 */
#ifndef BACKEND_NETBACK_H
#define BACKEND_NETBACK_H

#include <stddef.h>
#include <stdint.h>
#include "public/channel.h"
#include "public/ring.h"

#define NETBACK_CLIENTS   8
#define NETBACK_RX_POSTED 64        /* RX buffers a client may have posted */
/* Grant mappings cached per client: a netfront uses 32 buffer pages. The cap
 * keeps every client, ring included, within the backend's own mapping
 * budget, so a client offering page after page cannot use up what the other
 * clients need. */
#define NETBACK_MAPS      40
#define NETBACK_MAP_HINTS 64          /* map() lookup hints per client */
#define NETBACK_MAP_BASE  0x20000000ull
#define NETBACK_MAP_SPAN  0x100000ull   /* guest-physical window per client */

_Static_assert(NETBACK_CLIENTS * (NETBACK_MAPS + 1) <= GRANT_MAPS_MAX,
	       "every client's mappings fit the backend's grant mapping budget");

struct netback_uplink {
	void *ctx;
	int (*tx)(void *ctx, const void *frame, size_t len);
	int (*add_mac)(void *ctx, const uint8_t mac[6]);   /* may be NULL */
	/*
	 * Zero-copy transmit (all three NULL: every frame is copied). tx_zc
	 * queues one frame as two pieces: hdr (netback's private copy, taken
	 * by the uplink before it returns) and the payload, which the device
	 * reads in place, from a client's grant-mapped page, by DMA. It
	 * returns 0 and the frame's sequence number, or nonzero (nothing
	 * queued). tx_done: the highest sequence number completed so far (the
	 * device read the whole frame); frames complete in order. tx_drain:
	 * wait until every queued frame completed (the uplink fails its
	 * domain if the device never completes; the restart resets it).
	 */
	int (*tx_zc)(void *ctx, const void *hdr, size_t hdr_len, const void *payload,
		     size_t payload_len, uint64_t *seq);
	uint64_t (*tx_done)(void *ctx);
	void (*tx_drain)(void *ctx);
	/*
	 * Copied transmit built in place (both NULL: netback copies into its
	 * own buffer and calls tx, which copies again). tx_buf: a buffer of
	 * the uplink's own (at least NETIF_MAX_FRAME bytes, no client can
	 * write it, the device reads it only once committed), the same one
	 * until tx_commit sends len bytes of it; NULL when none is free.
	 * netback copies a client's frame there once, checks and switches on
	 * that copy, and commits it when the frame goes to the uplink.
	 */
	void *(*tx_buf)(void *ctx);
	int (*tx_commit)(void *ctx, size_t len);
};

/* TX frames longer than this go out zero-copy when the uplink can: the
 * first NETBACK_ZC_HDR bytes, the Ethernet header (every byte netback
 * checks or switches on), are copied, the rest is read by the device from
 * the client's page. Below it the two copies (qwords since lib/string.c
 * moved to rep movsq) cost netdd less than the second descriptor and the
 * deferred answer: measured under -icount (docs/design.md "The network
 * path"), a 106-byte frame 714 -> 670 instructions per echo by copy, a
 * 342-byte one about even (754 zero-copy, 779 copied). */
#define NETBACK_ZC_MIN    256
#define NETBACK_ZC_HDR    14
/* Zero-copy TX frames per client whose response waits for the device. */
#define NETBACK_ZC_PENDING 32

struct netback_stats {
	uint64_t from_client, to_client, to_uplink, from_uplink, local;
	uint64_t dropped_no_buffer, dropped_no_route, bad_requests, grant_errors;
	uint64_t copies, notifications, connects, disconnects;
	uint64_t zero_copy;             /* TX frames sent with the payload in place */
	uint64_t bad_source;            /* TX frames refused for their source MAC (also bad_requests) */
};

struct nb_map { uint32_t gref; uint8_t readonly; uint64_t gpa; };
struct nb_rx { uint16_t id; uint16_t len; uint8_t *buf; };
/* A zero-copy TX frame not yet answered: its request id, its uplink sequence. */
struct nb_zc { uint16_t id; uint64_t seq; };

struct nb_client {
	uint32_t domid;
	int connected;
	/* The last offer tried and when: a failed one is tried again only
	 * OFFER_RETRY_EVERY polls later (netback.c). */
	uint32_t offer_gen, offer_gref, offer_port, offer_poll;
	struct ring_back ring;
	int port;
	uint8_t mac[6];
	/* mac is the client's: assigned (for good), or learned (until it
	 * disconnects). A MAC is known only for a connected or assigned client. */
	int mac_known;
	int assigned;
	struct nb_map maps[NETBACK_MAPS];
	unsigned nmaps;
	uint8_t map_hint[NETBACK_MAP_HINTS];    /* gref % NETBACK_MAP_HINTS -> maps[] index */
	struct nb_rx rx[NETBACK_RX_POSTED];
	unsigned rx_head, rx_count;
	int must_push;
	/* Notification suppression for TX completions (netback.c flush): a
	 * response other than a good TX completion is in this push; the ring
	 * asked for a notification we have not sent yet; good TX completions
	 * pushed since the last notification. */
	int urgent, owed;
	unsigned quiet_tx;
	/* Zero-copy TX frames the device may still be reading from this
	 * client's pages: answered (and the pages unmapped, at a disconnect)
	 * only once the uplink says they completed. */
	struct nb_zc zc[NETBACK_ZC_PENDING];
	unsigned zc_head, zc_count;
};

/* Good TX completions a client may be left unnotified about: at most half
 * its TX buffers (NETFRONT_TX_BUFS), so it never runs short for want of one. */
#define NETBACK_QUIET_TX_MAX 16

struct netback {
	struct netback_uplink up;
	struct nb_client c[NETBACK_CLIENTS];
	unsigned n;
	uint32_t generation;
	uint32_t polls;                 /* netback_poll calls, for the now-and-then port check */
	int strict;                     /* clients without an assigned MAC are refused every frame */
	struct netback_stats stats;
};

int netback_init(struct netback *nb, const struct netback_uplink *up);
/* Serve client domain domid; announces the backend in the registry. */
int netback_add_client(struct netback *nb, uint32_t domid);
/* Assign client domid (added already) its MAC, trusted configuration: the
 * only source MAC accepted from it, and where frames to that MAC go, whether
 * it has connected yet or not. 0, or NETBACK_EMAC (a group MAC),
 * NETBACK_ENOCLIENT (not a client), NETBACK_EASSIGNED (the client has one
 * already), NETBACK_ETAKEN (another client's). */
#define NETBACK_EMAC      (-1)
#define NETBACK_ENOCLIENT (-2)
#define NETBACK_EASSIGNED (-3)
#define NETBACK_ETAKEN    (-4)
int netback_assign_mac(struct netback *nb, uint32_t domid, const uint8_t mac[6]);
/* Connect offered rings, take TX/RX requests, answer, notify. 'events' are
 * the pending event bits the caller took (a client's port raised with an
 * empty ring means it may be gone). Returns the requests handled. */
int netback_poll(struct netback *nb, uint64_t events);
/* A frame from the NIC: switched (copied into a client's RX buffer) now,
 * answered and notified by the next netback_poll. */
void netback_uplink_rx(struct netback *nb, const void *frame, size_t len);
/* Connected clients. */
unsigned netback_connected(const struct netback *nb);

#endif
