/*
 * An in-memory struct blkdisk (backend/blkdisk.h) for host tests: requests
 * queue up and complete when polled, in random order unless held; a write's
 * data reaches 'data' at completion, and 'durable' only with FUA or a later
 * FLUSH; a crash executes some queued writes and forgets the rest. DMA
 * addresses are host pointers. It checks what blkback hands it.
 */
#ifndef TESTS_UNIT_MEMDISK_H
#define TESTS_UNIT_MEMDISK_H

#include <stdint.h>
#include "backend/blkdisk.h"

#define MEMDISK_QMAX 64

struct memdisk {
	struct blkdisk d;
	uint8_t *data, *durable;
	struct blkdisk_io q[MEMDISK_QMAX];
	unsigned qn;
	int hold;                   /* poll completes nothing */
	int in_order;               /* complete oldest first */
	unsigned fail_next;         /* complete the next n with BLKDISK_EIO */
	unsigned max_per_poll;      /* 0: all */
	uint64_t rng;
	uint64_t submitted, einval, busy;
	uint64_t flushes_done;
};

void memdisk_init(struct memdisk *m, uint64_t sectors, unsigned depth);
void memdisk_free(struct memdisk *m);
/* The driver died: each queued write is executed or not (random), then the
 * queue is empty and no completion is reported. */
void memdisk_crash(struct memdisk *m);

#endif
