/*
 * Network frontend/backend protocol over a ring (public/ring.h). A request
 * either offers a page for the backend to fill with a received frame (RX) or
 * points at a frame to send (TX); the response carries the status and, for RX,
 * the frame length. Buffers are named by grant references, never pointers.
 */
#ifndef PUBLIC_IO_NETIF_H
#define PUBLIC_IO_NETIF_H

#include <stddef.h>
#include <stdint.h>

#define NETIF_OP_TX        1   /* send len bytes at (gref, offset) */
#define NETIF_OP_RX        2   /* fill the granted page at offset, up to len bytes */

#define NETIF_OK           0
#define NETIF_ERR_BADREQ  -1   /* malformed request: bad op, offset or length */
#define NETIF_ERR_GRANT   -2   /* the grant is not valid for this backend */
#define NETIF_ERR_DROPPED -3   /* the frame was dropped (no route, link down) */

#define NETIF_MTU          1500
#define NETIF_MAX_FRAME    1514   /* Ethernet header + MTU, no FCS */

struct netif_request {
	uint16_t id;          /* frontend's cookie, echoed in the response */
	uint8_t  op;          /* NETIF_OP_* */
	uint8_t  flags;       /* must be 0 */
	uint32_t gref;        /* grant reference of the buffer page */
	uint16_t offset;      /* start of the buffer within the page */
	uint16_t len;         /* TX: frame length; RX: buffer size */
	uint32_t reserved;    /* must be 0 */
};

struct netif_response {
	uint16_t id;
	uint8_t  op;
	uint8_t  pad;
	int16_t  status;      /* NETIF_OK or NETIF_ERR_* */
	uint16_t len;         /* RX: frame length written */
	uint32_t reserved[2];
};

_Static_assert(sizeof(struct netif_request) == 16, "netif_request layout");
_Static_assert(offsetof(struct netif_request, gref) == 4, "netif_request.gref");
_Static_assert(offsetof(struct netif_request, len) == 10, "netif_request.len");
_Static_assert(sizeof(struct netif_response) == 16, "netif_response layout");
_Static_assert(offsetof(struct netif_response, status) == 4, "netif_response.status");

/* Registry device number of the network connection between a client and
 * its backend (public/channel.h, HC_REG_*). */
#define NETIF_REG_DEVID    0

/* Ring slots hold either a request or a response. */
#define NETIF_SLOT_SIZE 16

/* Backend-side check of a private copy of a request: NETIF_OK or NETIF_ERR_BADREQ. */
static inline int netif_request_check(const struct netif_request *r)
{
	if (r->op != NETIF_OP_TX && r->op != NETIF_OP_RX)
		return NETIF_ERR_BADREQ;
	if (r->flags || r->reserved || r->len == 0 || r->len > NETIF_MAX_FRAME)
		return NETIF_ERR_BADREQ;
	if ((uint32_t)r->offset + r->len > 4096u)
		return NETIF_ERR_BADREQ;
	return NETIF_OK;
}

#endif
