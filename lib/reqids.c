#include "reqids.h"

void reqids_init(struct reqids *r, uint32_t n)
{
	for (unsigned i = 0; i < REQIDS_MAX / 64; i++)
		r->busy[i] = 0;
	r->n = n > REQIDS_MAX ? REQIDS_MAX : n;
	r->outstanding = 0;
}

int reqids_get(struct reqids *r)
{
	for (uint32_t id = 0; id < r->n; id++) {
		if (!(r->busy[id / 64] & (1ull << (id % 64)))) {
			r->busy[id / 64] |= 1ull << (id % 64);
			r->outstanding++;
			return (int)id;
		}
	}
	return -1;
}

int reqids_complete(struct reqids *r, uint64_t id)
{
	if (id >= r->n || !(r->busy[id / 64] & (1ull << (id % 64))))
		return -1;
	r->busy[id / 64] &= ~(1ull << (id % 64));
	r->outstanding--;
	return 0;
}
