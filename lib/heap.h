/*
 * A small first-fit heap over one contiguous region, with coalescing on free.
 * Used by the guest runtime; pure code, host-tested. Blocks are 16-byte
 * aligned; a corrupted or foreign pointer passed to heap_free is detected by a
 * per-block magic and refused.
 */
#ifndef LIB_HEAP_H
#define LIB_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap {
	struct heap_block *first;
	uintptr_t start, end;
	size_t free_bytes;
};

void heap_init(struct heap *h, void *base, size_t size);
void *heap_alloc(struct heap *h, size_t n);
/* 0, or -1 when p is not a live block of this heap. */
int heap_free(struct heap *h, void *p);
size_t heap_free_bytes(const struct heap *h);

#endif
