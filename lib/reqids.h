/*
 * Request ids a frontend has outstanding. A response is accepted only for an id
 * the frontend issued and has not seen answered: a backend that answers twice,
 * invents an id, or returns one out of range is caught here (the caller then
 * disconnects). Pure code, host-tested; used by netfront/blkfront.
 */
#ifndef LIB_REQIDS_H
#define LIB_REQIDS_H

#include <stdint.h>

#define REQIDS_MAX 256

struct reqids {
	uint64_t busy[REQIDS_MAX / 64];
	uint32_t n;             /* ids in use: 0..n-1, n <= REQIDS_MAX */
	uint32_t outstanding;
};

void reqids_init(struct reqids *r, uint32_t n);
/* A free id, or -1 when all n are outstanding. */
int reqids_get(struct reqids *r);
/* 0 if id was outstanding (now free again); -1 if out of range or not outstanding. */
int reqids_complete(struct reqids *r, uint64_t id);

#endif
