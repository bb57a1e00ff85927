/*
 * Two-thread SPSC stress of the ring ABI under ThreadSanitizer: a frontend
 * thread sends N requests (sequence number + payload derived from it) and
 * checks every response's order and content; a backend thread echoes each
 * request back transformed. Both spin politely (no events in the host test).
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "public/ring.h"
#include "unit.h"

#define SLOT 32
#define DEFAULT_MESSAGES 10000000ull

struct msg {
	uint64_t seq;
	uint64_t a, b, sum;
};
_Static_assert(sizeof(struct msg) == SLOT, "slot");

static uint64_t n_messages;
static void *page;
static volatile int failed;

static void *backend(void *arg)
{
	struct ring_back b;
	uint64_t done = 0;

	(void)arg;
	if (ring_back_attach(&b, page, SLOT)) {
		failed = 1;
		return 0;
	}
	while (done < n_messages && !failed) {
		int n = ring_back_pending(&b);
		if (n < 0) {
			failed = 2;
			break;
		}
		if (n == 0) {
			sched_yield();
			continue;
		}
		for (int i = 0; i < n; i++) {
			struct msg m;
			ring_back_copy_req(&b, &m);
			if (m.seq != done || m.a != m.seq * 3 || m.b != ~m.seq)
				failed = 3;
			m.sum = m.a + m.b;
			memcpy(ring_back_next_rsp(&b), &m, sizeof(m));
			done++;
		}
		ring_back_push(&b);
	}
	return 0;
}

static void *frontend(void *arg)
{
	struct ring_front *f = arg;
	uint64_t sent = 0, got = 0;

	while (got < n_messages && !failed) {
		void *slot;
		while (sent < n_messages && (slot = ring_front_next_req(f))) {
			struct msg m = { sent, sent * 3, ~sent, 0 };
			memcpy(slot, &m, sizeof(m));
			sent++;
		}
		ring_front_push(f);
		int n = ring_front_pending(f);
		if (n < 0) {
			failed = 4;
			break;
		}
		if (n == 0)
			sched_yield();
		for (int i = 0; i < n; i++) {
			struct msg m;
			ring_front_copy_rsp(f, &m);
			if (m.seq != got || m.sum != m.seq * 3 + ~m.seq)
				failed = 5;
			got++;
		}
	}
	return (void *)(uintptr_t)got;
}

int main(int argc, char **argv)
{
	struct ring_front f;
	pthread_t tb, tf;
	void *got;

	n_messages = argc > 1 ? strtoull(argv[1], 0, 0) : DEFAULT_MESSAGES;
	page = aligned_alloc(4096, RING_PAGE_SIZE);
	CHECK_EQ(ring_front_init(&f, page, SLOT), 0);
	pthread_create(&tb, 0, backend, 0);
	pthread_create(&tf, 0, frontend, &f);
	pthread_join(tf, &got);
	pthread_join(tb, 0);
	CHECK_EQ(failed, 0);
	CHECK_EQ((uint64_t)(uintptr_t)got, n_messages);
	printf("ring stress: %llu messages in order and intact\n", (unsigned long long)n_messages);
	free(page);
	return unit_done("ring_stress");
}
