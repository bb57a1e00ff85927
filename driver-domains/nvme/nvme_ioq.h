/*
 * I/O queue bookkeeping (pure: host unit tests in tests/unit/test_nvme.c):
 * command slots and their command ids, submission tail, completion head and
 * phase tag, per-command deadlines. No device access here: the caller copies
 * entries into the queue memory and rings the doorbells.
 *
 * A command id is slot | generation << 6: a completion is accepted only for
 * a busy slot whose current id it carries, so a duplicate, late or invented
 * completion is recognised and dropped. The queues have more entries than
 * there are slots, so neither the submission nor the completion queue can
 * fill up (at most NVME_IOQ_SLOTS commands are ever outstanding).
 */
#ifndef DRIVER_NVME_IOQ_H
#define DRIVER_NVME_IOQ_H

#include <stdint.h>

#define NVME_IOQ_SLOTS    32      /* commands in flight */
#define NVME_IOQ_ENTRIES  64      /* submission and completion queue entries */
#define NVME_IOQ_SLOT_BITS 6

struct nvme_ioq_slot {
	uint64_t cookie;            /* the caller's */
	uint64_t deadline;          /* time (ns) by which it must complete; 0: not stamped yet */
	uint16_t cid;               /* current command id */
	uint8_t  busy;
};

struct nvme_ioq {
	unsigned entries;           /* queue entries, > nslots */
	unsigned nslots;            /* <= NVME_IOQ_SLOTS */
	unsigned sq_tail, cq_head, phase;
	unsigned inflight;
	struct nvme_ioq_slot slot[NVME_IOQ_SLOTS];
};

/* 0, or -1 when nslots is 0 or more than NVME_IOQ_SLOTS or not below entries. */
int nvme_ioq_init(struct nvme_ioq *q, unsigned entries, unsigned nslots);
/* The queues were recreated (controller reset): both start empty again;
 * busy slots stay busy (their commands are to be submitted again). */
void nvme_ioq_rings_reset(struct nvme_ioq *q);
/* A free slot marked busy with a fresh command id, or -1 when all are busy. */
int nvme_ioq_alloc(struct nvme_ioq *q, uint64_t cookie);
/* Give slot s a new command id (before it is submitted again). */
void nvme_ioq_renew(struct nvme_ioq *q, unsigned s);
/* Record a submission of slot s (its deadline unstamped). Returns the
 * submission queue index to fill; the new tail is q->sq_tail. */
unsigned nvme_ioq_push(struct nvme_ioq *q, unsigned s);
/* Stamp every busy slot without a deadline with now + timeout. Submissions
 * read no clock (a clock read costs a VM exit); a command's time starts at
 * the first poll after it was submitted. */
void nvme_ioq_stamp(struct nvme_ioq *q, uint64_t now, uint64_t timeout);
/* Is the completion entry with this dw3 new (its phase tag is the expected one)? */
int nvme_ioq_cqe_ready(const struct nvme_ioq *q, uint32_t dw3);
/* Consume the entry at cq_head (the new head is q->cq_head). */
void nvme_ioq_cq_pop(struct nvme_ioq *q);
/* The busy slot whose current command id is cid, or -1. */
int nvme_ioq_find(const struct nvme_ioq *q, uint16_t cid);
void nvme_ioq_free(struct nvme_ioq *q, unsigned s);
/* A busy slot whose (stamped) deadline has passed at 'now', or -1. */
int nvme_ioq_expired(const struct nvme_ioq *q, uint64_t now);
/* How many busy slots have not expired at 'now' (still waited for). */
unsigned nvme_ioq_pending(const struct nvme_ioq *q, uint64_t now);

#endif
