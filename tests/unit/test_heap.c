#include <stdint.h>
#include <string.h>
#include "heap.h"
#include "unit.h"

static _Alignas(16) unsigned char arena[65536];

int main(void)
{
	struct heap h;
	void *p[64];

	heap_init(&h, arena, sizeof(arena));
	size_t all = heap_free_bytes(&h);
	CHECK(all > 65000 && all < 65536);
	CHECK(heap_alloc(&h, 0) == 0);
	CHECK(heap_alloc(&h, sizeof(arena)) == 0);

	for (int i = 0; i < 64; i++) {
		p[i] = heap_alloc(&h, 1 + i * 7);
		CHECK(p[i] != 0);
		CHECK(((uintptr_t)p[i] & 15) == 0);
		memset(p[i], i, 1 + i * 7);
	}
	for (int i = 0; i < 64; i++) {
		const unsigned char *b = p[i];
		int ok = 1;
		for (int j = 0; j < 1 + i * 7; j++)
			ok &= b[j] == i;
		CHECK(ok);          /* no block overlaps another */
	}
	for (int i = 0; i < 64; i += 2)
		CHECK_EQ(heap_free(&h, p[i]), 0);
	CHECK_EQ(heap_free(&h, p[0]), -1);                  /* double free */
	CHECK_EQ(heap_free(&h, (char *)p[1] + 16), -1);     /* not a block */
	CHECK_EQ(heap_free(&h, arena + 60000), -1);
	for (int i = 1; i < 64; i += 2)
		CHECK_EQ(heap_free(&h, p[i]), 0);
	CHECK_EQ(heap_free_bytes(&h), all);                 /* fully coalesced */

	void *big = heap_alloc(&h, all);
	CHECK(big != 0);
	CHECK(heap_alloc(&h, 1) == 0);
	CHECK_EQ(heap_free(&h, big), 0);
	CHECK_EQ(heap_free_bytes(&h), all);

	heap_init(&h, arena, 8);                            /* too small for anything */
	CHECK(heap_alloc(&h, 1) == 0);
	return unit_done("heap");
}
