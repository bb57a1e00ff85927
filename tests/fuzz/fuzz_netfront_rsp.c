/*
 * libFuzzer target: netfront's response handling (frontend/netfront_ring.c)
 * facing a backend that writes anything, any time, into the ring page and
 * the buffer pages: responses with any id, op, status and length, response
 * indices anywhere, frames rewritten while the client holds them (even from
 * inside the rx callback). Invariants: frames reach rx only as the private
 * copy, 14..1514 bytes long, and do not change when the shared pages do;
 * while the connection stands, every outstanding buffer has exactly one
 * request in flight; nothing outside the pages is touched (ASan).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "frontend/netfront_ring.h"

static void die(void) { abort(); }

static struct netfront nf;
static uint8_t *ring_page, *pages;
static const uint8_t *script;
static size_t script_len, pos;

/* The backend rewrites one byte somewhere in the buffer pages. */
static void backend_scribble(void)
{
	if (pos + 3 > script_len)
		return;
	size_t off = ((size_t)script[pos] << 8 | script[pos + 1]) * (NETFRONT_PAGES * 4096 / 65536);
	pages[off % (NETFRONT_PAGES * 4096)] = script[pos + 2];
	pos += 3;
}

static void on_frame(void *arg, const void *frame, size_t len)
{
	static uint8_t before[NETIF_MAX_FRAME];

	(void)arg;
	if (frame != nf.rx_frame || len < 14 || len > NETIF_MAX_FRAME)
		die();
	memcpy(before, frame, len);
	memset(pages, 0xa5, NETFRONT_PAGES * 4096);     /* the backend rewrites everything */
	backend_scribble();
	if (memcmp(before, frame, len))
		die();                                  /* the frame was still in shared memory */
}

static void check_outstanding(void)
{
	uint32_t in_flight = nf.ring.req_prod_pvt - nf.ring.rsp_cons;

	if ((uint32_t)__builtin_popcountll(nf.outstanding) != in_flight)
		die();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_sring *s;

	if (!ring_page) {
		ring_page = aligned_alloc(4096, 4096);
		pages = aligned_alloc(4096, NETFRONT_PAGES * 4096);
	}
	memset(&nf, 0, sizeof(nf));
	memset(pages, 0, NETFRONT_PAGES * 4096);
	nf.pages = pages;
	for (unsigned p = 0; p < NETFRONT_PAGES; p++)
		nf.gref[p] = (int)p;
	if (ring_front_init(&nf.ring, ring_page, NETIF_SLOT_SIZE))
		die();
	s = (struct ring_sring *)ring_page;
	netfront_ring_post_rx(&nf);
	script = data;
	script_len = size;
	for (pos = 0; pos + 1 < size;) {
		uint8_t op = data[pos++] % 6, arg = data[pos++];
		struct nf_take t;
		switch (op) {
		case 0: {       /* a response in the next slot, from the script */
			struct netif_response r = { .id = arg % 80, .op = (uint8_t)(1 + (arg >> 7)) };
			if (pos + 3 <= size) {
				r.status = (int16_t)(data[pos] % 5) - 3;
				r.len = (uint16_t)(data[pos + 1] << 8 | data[pos + 2]);
				pos += 3;
			}
			uint32_t prod = ring_load(&s->rsp_prod);
			memcpy(ring_slot(s, NETIF_SLOT_SIZE, nf.ring.nslots, prod), &r, sizeof(r));
			ring_store(&s->rsp_prod, prod + 1);
			break;
		}
		case 1:         /* response index anywhere near the consumer */
			ring_store(&s->rsp_prod, nf.ring.rsp_cons + (uint32_t)(int8_t)arg);
			break;
		case 2:
			backend_scribble();
			break;
		case 3:         /* the backend scribbles over a slot or the indices */
			if (pos + 1 <= size)
				ring_page[(arg * 16u + data[pos++]) % 4096] = arg;
			break;
		case 4: {
			size_t len = 14 + (size_t)arg * 6;
			static uint8_t frame[NETIF_MAX_FRAME];
			int rc = netfront_ring_tx(&nf, frame, len > NETIF_MAX_FRAME ? NETIF_MAX_FRAME : len);
			if (rc && rc != NETFRONT_EAGAIN)
				die();
			break;
		}
		case 5:
			netfront_ring_take(&nf, on_frame, 0, &t);
			if (t.broken)
				return 0;       /* netfront tears the connection down here */
			if (t.got < 0 || t.reposted < 0)
				die();
			break;
		}
		check_outstanding();
	}
	return 0;
}
