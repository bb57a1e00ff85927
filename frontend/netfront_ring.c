/*
 * netfront's ring side (frontend/netfront_ring.h). The backend keeps every
 * posted buffer mapped writable and may rewrite a frame at any time, even
 * after responding: a received frame is therefore copied once into private
 * memory, with the length taken from our private copy of the response and
 * checked first, and nothing in the shared pages is read again.
 */
#include "frontend/netfront_ring.h"
#include "kstring.h"

static int is_rx(unsigned i) { return i < NETFRONT_RX_BUFS; }

uint8_t *netfront_buf(const struct netfront *nf, unsigned i)
{
	return nf->pages + (size_t)(i / 2) * 4096 + (i % 2) * NETFRONT_BUF_SIZE;
}

static int post(struct netfront *nf, unsigned i, uint16_t len)
{
	struct netif_request *r = ring_front_next_req(&nf->ring);

	if (!r)
		return -1;
	*r = (struct netif_request){ .id = (uint16_t)i, .op = is_rx(i) ? NETIF_OP_RX : NETIF_OP_TX,
				     .gref = (uint32_t)nf->gref[i / 2],
				     .offset = (uint16_t)((i % 2) * NETFRONT_BUF_SIZE), .len = len };
	nf->outstanding |= 1ull << i;
	return 0;
}

int netfront_ring_post_rx(struct netfront *nf)
{
	int n = 0;

	for (unsigned i = 0; i < NETFRONT_RX_BUFS; i++)
		n += post(nf, i, NETIF_MAX_FRAME) == 0;
	return n;
}

/* Buffers NETFRONT_RX_BUFS.. NETFRONT_BUFS-1 as bits of nf->outstanding. */
#define TX_MASK (((1ull << NETFRONT_TX_BUFS) - 1) << NETFRONT_RX_BUFS)

int netfront_ring_tx(struct netfront *nf, const void *frame, size_t len)
{
	uint64_t idle = ~nf->outstanding & TX_MASK;

	if (!idle)
		return NETFRONT_EAGAIN;
	unsigned i = (unsigned)__builtin_ctzll(idle);      /* the lowest free TX buffer */
	/* The backend maps TX pages read-only; the length it gets is ours,
	 * nothing is read back from the buffer. */
	memcpy(netfront_buf(nf, i), frame, len);
	return post(nf, i, (uint16_t)len) ? NETFRONT_EAGAIN : 0;
}

int netfront_check_response(const struct netfront *nf, const struct netif_response *r)
{
	if (r->id >= NETFRONT_BUFS || !((nf->outstanding >> r->id) & 1))
		return -1;
	if (r->op != (is_rx(r->id) ? NETIF_OP_RX : NETIF_OP_TX))
		return -1;
	if (r->status == NETIF_OK && is_rx(r->id) && r->len > NETIF_MAX_FRAME)
		return -1;
	return 0;
}

/* One checked response: copy its frame out once, hand the copy to rx. */
static void take_one(struct netfront *nf, const struct netif_response *r, netfront_rx_fn rx,
		     void *arg, struct nf_take *t)
{
	nf->outstanding &= ~(1ull << r->id);
	if (!is_rx(r->id)) {
		nf->stats.tx_errors += r->status != NETIF_OK;
		return;
	}
	uint16_t len = r->len;          /* <= NETIF_MAX_FRAME: checked on this copy */
	if (r->status == NETIF_OK && len >= 14) {
		/* One pass over the shared bytes (memcpy moves qwords, then
		 * the tail); only the private copy is looked at afterwards. */
		memcpy(nf->rx_frame, netfront_buf(nf, r->id), len);
		nf->stats.rx++;
		t->got++;
		rx(arg, nf->rx_frame, len);
	} else {
		nf->stats.rx_errors++;
	}
	t->reposted += post(nf, r->id, NETIF_MAX_FRAME) == 0;
}

/* ring_front_copy_rsp for netif's 16-byte slots: two 8-byte loads, each
 * shared byte read once, without the generic byte-count loop. */
_Static_assert(sizeof(struct netif_response) == NETIF_SLOT_SIZE && NETIF_SLOT_SIZE == 16,
	       "a response is one 16-byte slot");
static void copy_rsp(struct ring_front *f, struct netif_response *r)
{
	const volatile uint64_t *s = ring_slot(f->s, NETIF_SLOT_SIZE, f->nslots, f->rsp_cons++);
	uint64_t w[2] = { s[0], s[1] };

	__builtin_memcpy(r, w, sizeof(w));
}

void netfront_ring_take(struct netfront *nf, netfront_rx_fn rx, void *arg, struct nf_take *t)
{
	int n;

	*t = (struct nf_take){ 0, 0, NF_RING_OK };
	while ((n = ring_front_final_check(&nf->ring)) > 0) {
		for (int k = 0; k < n; k++) {
			struct netif_response r;
			copy_rsp(&nf->ring, &r);
			if (netfront_check_response(nf, &r)) {
				t->broken = NF_RING_BAD_RESPONSE;
				return;
			}
			take_one(nf, &r, rx, arg, t);
		}
	}
	if (n < 0)
		t->broken = NF_RING_BAD_INDICES;
}
