#include "heap.h"

#define HEAP_ALIGN 16u
#define MAGIC_FREE 0x46524545u
#define MAGIC_USED 0x55534544u

struct heap_block {
	uint32_t magic;
	uint32_t pad;
	size_t size;                  /* payload bytes */
	struct heap_block *next;      /* address order */
	uint64_t pad2;
};
_Static_assert(sizeof(struct heap_block) % HEAP_ALIGN == 0, "header keeps alignment");

#define HDR sizeof(struct heap_block)

void heap_init(struct heap *h, void *base, size_t size)
{
	uintptr_t s = ((uintptr_t)base + HEAP_ALIGN - 1) & ~(uintptr_t)(HEAP_ALIGN - 1);
	uintptr_t e = ((uintptr_t)base + size) & ~(uintptr_t)(HEAP_ALIGN - 1);

	h->first = 0;
	h->start = s;
	h->end = e;
	h->free_bytes = 0;
	if (e <= s || e - s <= HDR)
		return;
	h->first = (struct heap_block *)s;
	h->first->magic = MAGIC_FREE;
	h->first->size = e - s - HDR;
	h->first->next = 0;
	h->free_bytes = h->first->size;
}

void *heap_alloc(struct heap *h, size_t n)
{
	if (n == 0 || n > h->end - h->start)
		return 0;
	n = (n + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1);
	for (struct heap_block *b = h->first; b; b = b->next) {
		if (b->magic != MAGIC_FREE || b->size < n)
			continue;
		if (b->size >= n + HDR + HEAP_ALIGN) {
			/* split: the tail stays free */
			struct heap_block *t = (struct heap_block *)((uintptr_t)(b + 1) + n);
			t->magic = MAGIC_FREE;
			t->size = b->size - n - HDR;
			t->next = b->next;
			b->next = t;
			b->size = n;
			h->free_bytes -= HDR;
		}
		b->magic = MAGIC_USED;
		h->free_bytes -= b->size;
		return b + 1;
	}
	return 0;
}

static void merge_with_next(struct heap *h, struct heap_block *b)
{
	struct heap_block *n = b->next;

	if (n && n->magic == MAGIC_FREE && (uintptr_t)(b + 1) + b->size == (uintptr_t)n) {
		b->size += HDR + n->size;
		b->next = n->next;
		n->magic = 0;
		h->free_bytes += HDR;
	}
}

int heap_free(struct heap *h, void *p)
{
	struct heap_block *prev = 0;

	if (!p)
		return 0;
	/* Walk the list rather than trusting p: a stray pointer is refused. */
	for (struct heap_block *b = h->first; b; prev = b, b = b->next) {
		if (b + 1 != p)
			continue;
		if (b->magic != MAGIC_USED)
			return -1;
		b->magic = MAGIC_FREE;
		h->free_bytes += b->size;
		merge_with_next(h, b);
		if (prev && prev->magic == MAGIC_FREE)
			merge_with_next(h, prev);
		return 0;
	}
	return -1;
}

size_t heap_free_bytes(const struct heap *h)
{
	return h->free_bytes;
}
