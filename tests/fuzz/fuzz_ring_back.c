/*
 * libFuzzer target: the backend side of a ring facing a frontend that writes
 * anything, any time, into the shared page. The input is a script of peer
 * writes and backend steps. Invariants: the backend never reports more
 * pending requests than fit, never answers more than it consumed, never
 * touches memory outside the page (ASan), and rejects bad requests.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "public/io/netif.h"
#include "public/ring.h"

static void die(void) { abort(); }

static void backend_step(struct ring_back *b, int final)
{
	int n = final ? ring_back_final_check(b) : ring_back_pending(b);

	if (n == RING_EPROTO)
		return;         /* a real backend disconnects here */
	if (n < 0 || (uint32_t)n > b->nslots)
		die();
	for (int i = 0; i < n; i++) {
		struct netif_request req;
		ring_back_copy_req(b, &req);
		int st = netif_request_check(&req);
		if (st == NETIF_OK && ((uint32_t)req.offset + req.len > 4096 || req.len == 0))
			die();
		struct netif_response *rsp = ring_back_next_rsp(b);
		if (!rsp)
			die();      /* a consumed request always has room for its answer */
		*rsp = (struct netif_response){ .id = req.id, .op = req.op, .status = (int16_t)st };
	}
	ring_back_push(b);
	if (b->req_cons - b->rsp_prod_pvt != 0 || b->rsp_prod_pvt - b->rsp_pub != 0)
		die();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ring_front f;
	struct ring_back b;
	uint8_t *page = malloc(RING_PAGE_SIZE);
	struct ring_sring *s = (void *)page;

	ring_front_init(&f, page, NETIF_SLOT_SIZE);
	if (ring_back_attach(&b, page, NETIF_SLOT_SIZE))
		die();
	for (size_t i = 0; i + 1 < size;) {
		uint8_t op = data[i++] % 5, arg = data[i++];
		uint32_t v = 0;
		switch (op) {
		case 0:         /* peer sets req_prod relative to what was consumed */
			v = b.req_cons + (uint32_t)(int8_t)arg * (arg & 1 ? 1u : 3u);
			ring_store(&s->req_prod, v);
			break;
		case 1:         /* peer scribbles over a slot */
			for (unsigned k = 0; k < NETIF_SLOT_SIZE && i < size; k++)
				s->slots[(arg * NETIF_SLOT_SIZE + k) % sizeof(s->slots)] = data[i++];
			break;
		case 2:
			backend_step(&b, 0);
			break;
		case 3:
			backend_step(&b, 1);
			break;
		case 4:         /* peer scribbles over the indices themselves */
			if (i + 4 <= size) {
				memcpy((uint8_t *)s + (arg % 24), data + i, 4);
				i += 4;
			}
			break;
		}
	}
	free(page);
	return 0;
}
