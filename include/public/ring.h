/*
 * Shared-memory rings between a frontend (client domain) and a backend (driver
 * domain): one 4 KiB page holds a request ring and a response ring, each
 * single-producer/single-consumer with free-running 32-bit indices.
 *
 *   frontend: produces requests, consumes responses
 *   backend:  consumes requests, produces responses
 *
 * Neither side trusts the other. Every index read from the shared page is read
 * once and checked before use; the ring geometry (slot size, slot count) comes
 * from the protocol both sides compiled in, never from the page. Entries are
 * copied out of the page once (ring_*_copy) and only the private copy is used.
 * A violation returns RING_EPROTO and the caller disconnects.
 *
 * Notification hold-off (as in Xen's io/ring.h): a consumer publishes in
 * *_event the index at which it wants the next notification; a producer only
 * notifies when its new index passes that mark, so one event covers a batch.
 * Before sleeping, a consumer re-arms the mark and checks again
 * (ring_*_final_check), so no wake-up is lost.
 *
 * Plain C, header-only, usable in the hypervisor, guests and host tests.
 */
#ifndef PUBLIC_RING_H
#define PUBLIC_RING_H

#include <stddef.h>
#include <stdint.h>

#define RING_PAGE_SIZE   4096u
#define RING_MAGIC       0x474e4952u     /* "RING" */
#define RING_VERSION     1u
#define RING_EPROTO      (-71)

struct ring_sring {
	uint32_t req_prod;      /* written by the frontend only */
	uint32_t req_event;     /* written by the backend only */
	uint32_t rsp_prod;      /* written by the backend only */
	uint32_t rsp_event;     /* written by the frontend only */
	uint32_t magic;         /* RING_MAGIC, set by the frontend at set-up */
	uint32_t version;       /* RING_VERSION */
	uint8_t  pad[40];       /* keeps the slots cache-line aligned */
	uint8_t  slots[RING_PAGE_SIZE - 64];
};
_Static_assert(sizeof(struct ring_sring) == RING_PAGE_SIZE, "one page");
_Static_assert(offsetof(struct ring_sring, slots) == 64, "slots offset");

/* Slots of slot_size bytes that fit the page, rounded down to a power of two. */
static inline uint32_t ring_nslots(uint32_t slot_size)
{
	uint32_t n = 1;

	if (slot_size == 0 || slot_size > sizeof(((struct ring_sring *)0)->slots))
		return 0;
	while (n * 2 * slot_size <= sizeof(((struct ring_sring *)0)->slots))
		n *= 2;
	return n;
}

/*
 * Memory ordering. Every shared index is read and written with sequentially
 * consistent atomics: a producer's slot writes are visible before its index
 * (release), a consumer reads the index before the slots (acquire), and the
 * store-then-load pairs of the hold-off protocol (publish an index, then read
 * the peer's event mark; arm the mark, then re-read the index) cannot be
 * reordered, so no notification is lost. On x86 the loads are plain moves.
 */
#define ring_load(p)      __atomic_load_n((p), __ATOMIC_SEQ_CST)
#define ring_store(p, v)  __atomic_store_n((p), (v), __ATOMIC_SEQ_CST)

/* Private state of each end: what it has produced and consumed so far. */
struct ring_front {
	struct ring_sring *s;
	uint32_t slot_size, nslots;
	uint32_t req_prod_pvt;  /* requests written, not all published yet */
	uint32_t req_pub;       /* last req_prod published (private: the peer can write the page) */
	uint32_t rsp_cons;      /* responses consumed */
};

struct ring_back {
	struct ring_sring *s;
	uint32_t slot_size, nslots;
	uint32_t req_cons;      /* requests consumed */
	uint32_t rsp_prod_pvt;  /* responses written, not all published yet */
	uint32_t rsp_pub;       /* last rsp_prod published */
};

static inline void *ring_slot(struct ring_sring *s, uint32_t slot_size, uint32_t nslots,
			      uint32_t idx)
{
	return &s->slots[(size_t)(idx & (nslots - 1)) * slot_size];
}

static inline void ring_copy_bytes(void *dst, const volatile void *src, size_t n)
{
	/* Copy through volatile: the peer may change the slot while we copy, but
	 * every byte is read exactly once. Slots are 8-byte aligned, so the bulk
	 * goes in 8-byte loads. */
	const volatile uint64_t *s8 = (const volatile uint64_t *)src;
	uint8_t *d = dst;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t v = s8[i / 8];
		__builtin_memcpy(d + i, &v, 8);
	}
	for (; i < n; i++)
		d[i] = ((const volatile uint8_t *)src)[i];
}

/* ---- set-up ---- */

/* Frontend: initialise a fresh shared page. */
static inline int ring_front_init(struct ring_front *f, void *page, uint32_t slot_size)
{
	struct ring_sring *s = page;
	uint8_t *p = page;

	f->nslots = ring_nslots(slot_size);
	if (!f->nslots)
		return RING_EPROTO;
	for (size_t i = 0; i < RING_PAGE_SIZE; i++)
		p[i] = 0;
	s->req_event = 1;
	s->rsp_event = 1;
	s->magic = RING_MAGIC;
	s->version = RING_VERSION;
	f->s = s;
	f->slot_size = slot_size;
	f->req_prod_pvt = 0;
	f->req_pub = 0;
	f->rsp_cons = 0;
	return 0;
}

/* Backend: attach to a page the frontend initialised (indices must start at 0). */
static inline int ring_back_attach(struct ring_back *b, void *page, uint32_t slot_size)
{
	struct ring_sring *s = page;

	b->nslots = ring_nslots(slot_size);
	if (!b->nslots || s->magic != RING_MAGIC || s->version != RING_VERSION)
		return RING_EPROTO;
	b->s = s;
	b->slot_size = slot_size;
	b->req_cons = 0;
	b->rsp_prod_pvt = 0;
	b->rsp_pub = 0;
	return 0;
}

/* ---- frontend: requests out ---- */

/* Free request slots: requests outstanding may not exceed the ring. */
static inline uint32_t ring_front_free(const struct ring_front *f)
{
	return f->nslots - (f->req_prod_pvt - f->rsp_cons);
}

/* Slot for the next request, or NULL when the ring is full. */
static inline void *ring_front_next_req(struct ring_front *f)
{
	if (!ring_front_free(f))
		return 0;
	return ring_slot(f->s, f->slot_size, f->nslots, f->req_prod_pvt++);
}

/* Publish written requests; returns 1 if the backend must be notified. */
static inline int ring_front_push(struct ring_front *f)
{
	uint32_t old = f->req_pub, new_ = f->req_prod_pvt;

	f->req_pub = new_;
	ring_store(&f->s->req_prod, new_);          /* pairs with ring_back_pending */
	uint32_t ev = ring_load(&f->s->req_event);  /* pairs with ring_back_final_check */
	return (uint32_t)(new_ - ev) < (uint32_t)(new_ - old);
}

/* ---- backend: requests in ---- */

/*
 * Number of requests ready to consume (0 if none), or RING_EPROTO if the
 * frontend's index is impossible: more unconsumed requests than slots, or more
 * outstanding requests than there is room for responses.
 */
static inline int ring_back_pending(struct ring_back *b)
{
	uint32_t prod = ring_load(&b->s->req_prod);
	uint32_t n = prod - b->req_cons;

	if (n > b->nslots || (b->req_cons - b->rsp_prod_pvt) + n > b->nslots)
		return RING_EPROTO;
	return (int)n;
}

/* Copy the next request out (caller checked ring_back_pending > 0). */
static inline void ring_back_copy_req(struct ring_back *b, void *dst)
{
	ring_copy_bytes(dst, ring_slot(b->s, b->slot_size, b->nslots, b->req_cons), b->slot_size);
	b->req_cons++;
}

/* Re-arm the notification mark and look again: returns pending or RING_EPROTO. */
static inline int ring_back_final_check(struct ring_back *b)
{
	int n = ring_back_pending(b);

	if (n)
		return n;
	ring_store(&b->s->req_event, b->req_cons + 1);  /* then re-read req_prod */
	return ring_back_pending(b);
}

/* ---- backend: responses out ---- */

/* Slot for the next response: a response answers a consumed request, so
 * there is always room; NULL only if none is owed (a caller bug). */
static inline void *ring_back_next_rsp(struct ring_back *b)
{
	if (b->rsp_prod_pvt == b->req_cons)
		return 0;
	return ring_slot(b->s, b->slot_size, b->nslots, b->rsp_prod_pvt++);
}

static inline int ring_back_push(struct ring_back *b)
{
	uint32_t old = b->rsp_pub, new_ = b->rsp_prod_pvt;

	b->rsp_pub = new_;
	ring_store(&b->s->rsp_prod, new_);          /* pairs with ring_front_pending */
	uint32_t ev = ring_load(&b->s->rsp_event);  /* pairs with ring_front_final_check */
	return (uint32_t)(new_ - ev) < (uint32_t)(new_ - old);
}

/* ---- frontend: responses in ---- */

/* Responses ready, or RING_EPROTO if the backend answered more than was asked. */
static inline int ring_front_pending(struct ring_front *f)
{
	uint32_t prod = ring_load(&f->s->rsp_prod);
	uint32_t n = prod - f->rsp_cons;

	if (n > f->req_prod_pvt - f->rsp_cons)
		return RING_EPROTO;
	return (int)n;
}

static inline void ring_front_copy_rsp(struct ring_front *f, void *dst)
{
	ring_copy_bytes(dst, ring_slot(f->s, f->slot_size, f->nslots, f->rsp_cons), f->slot_size);
	f->rsp_cons++;
}

static inline int ring_front_final_check(struct ring_front *f)
{
	int n = ring_front_pending(f);

	if (n)
		return n;
	ring_store(&f->s->rsp_event, f->rsp_cons + 1);  /* then re-read rsp_prod */
	return ring_front_pending(f);
}

#endif
