/*
 * make bench-ring, host part: two threads pass N messages through our ring
 * (public/ring.h) and through Xen's io/ring.h macros used the same way (batch
 * as many requests as fit, push, notify-check, consume all responses), runs
 * interleaved, and prints messages/s for each and their ratio. Figures only.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "public/ring.h"

/* Xen's header maps xen_*mb() onto the includer's barriers (x86: TSO). */
#define mb()  __sync_synchronize()
#define rmb() __asm__ volatile("" ::: "memory")
#define wmb() __asm__ volatile("" ::: "memory")
#include <xen/io/ring.h>

struct msg { uint64_t seq, a, b, sum; };
DEFINE_RING_TYPES(bench, struct msg, struct msg);

static uint64_t N;
static void *page;
static volatile uint64_t notifications;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

/* ---- ours ---- */
static void *ours_back(void *arg)
{
	struct ring_back b;
	uint64_t done = 0;

	(void)arg;
	if (ring_back_attach(&b, page, sizeof(struct msg)))
		abort();
	while (done < N) {
		int n = ring_back_pending(&b);
		if (n <= 0) {
			sched_yield();
			continue;
		}
		for (int i = 0; i < n; i++, done++) {
			struct msg m;
			ring_back_copy_req(&b, &m);
			m.sum = m.a + m.b;
			*(struct msg *)ring_back_next_rsp(&b) = m;
		}
		notifications += ring_back_push(&b);
	}
	return 0;
}

static int ours_front(void)
{
	struct ring_front f;
	uint64_t sent = 0, got = 0, bad = 0;
	pthread_t t;

	ring_front_init(&f, page, sizeof(struct msg));
	pthread_create(&t, 0, ours_back, 0);
	while (got < N) {
		struct msg *m;
		while (sent < N && (m = ring_front_next_req(&f))) {
			*m = (struct msg){ sent, sent, ~sent, 0 };
			sent++;
		}
		notifications += ring_front_push(&f);
		int n = ring_front_pending(&f);
		if (n <= 0) {
			sched_yield();
			continue;
		}
		for (int i = 0; i < n; i++, got++) {
			struct msg r;
			ring_front_copy_rsp(&f, &r);
			bad += r.seq != got;
		}
	}
	pthread_join(t, 0);
	return bad != 0;
}

/* ---- Xen's macros ---- */
static void *xen_back(void *arg)
{
	bench_back_ring_t b;
	uint64_t done = 0;
	int notify;

	(void)arg;
	BACK_RING_INIT(&b, (bench_sring_t *)page, 4096);
	while (done < N) {
		RING_IDX rp = b.sring->req_prod;
		xen_rmb();
		if (b.req_cons == rp) {
			sched_yield();
			continue;
		}
		while (b.req_cons != rp) {
			struct msg m;
			RING_COPY_REQUEST(&b, b.req_cons, &m);
			b.req_cons++;
			m.sum = m.a + m.b;
			*RING_GET_RESPONSE(&b, b.rsp_prod_pvt) = m;
			b.rsp_prod_pvt++;
			done++;
		}
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
		notifications += notify;
	}
	return 0;
}

static int xen_front(void)
{
	bench_front_ring_t f;
	uint64_t sent = 0, got = 0, bad = 0;
	pthread_t t;
	int notify;

	SHARED_RING_INIT((bench_sring_t *)page);
	FRONT_RING_INIT(&f, (bench_sring_t *)page, 4096);
	pthread_create(&t, 0, xen_back, 0);
	while (got < N) {
		while (sent < N && !RING_FULL(&f)) {
			*RING_GET_REQUEST(&f, f.req_prod_pvt) = (struct msg){ sent, sent, ~sent, 0 };
			f.req_prod_pvt++;
			sent++;
		}
		RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
		notifications += notify;
		RING_IDX rp = f.sring->rsp_prod;
		xen_rmb();
		if (f.rsp_cons == rp) {
			sched_yield();
			continue;
		}
		while (f.rsp_cons != rp) {
			bad += RING_GET_RESPONSE(&f, f.rsp_cons)->seq != got;
			f.rsp_cons++;
			got++;
		}
	}
	pthread_join(t, 0);
	return bad != 0;
}

static double run(int (*fn)(void), const char *name, int round)
{
	notifications = 0;
	memset(page, 0, 4096);
	double t0 = now();
	int bad = fn();
	double dt = now() - t0;
	printf("  round %d %-6s %8.2f M msgs/s  %5.3f notifications/msg%s\n", round, name,
	       N / dt / 1e6, (double)notifications / N, bad ? "  (ORDER ERROR)" : "");
	return N / dt;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	enum { ROUNDS = 5 };
	double ours[ROUNDS], xen[ROUNDS];

	N = argc > 1 ? strtoull(argv[1], 0, 0) : 5000000;
	page = aligned_alloc(4096, 4096);
	printf("bench-ring (host): %llu messages of %zu bytes per run, 2 threads, %d interleaved rounds\n",
	       (unsigned long long)N, sizeof(struct msg), ROUNDS);
	printf("  slots: ours %u, Xen %u\n", ring_nslots(sizeof(struct msg)),
	       (unsigned)__RING_SIZE((bench_sring_t *)0, 4096));
	for (int r = 0; r < ROUNDS; r++) {
		ours[r] = run(ours_front, "ours", r);
		xen[r] = run(xen_front, "xen", r);
	}
	qsort(ours, ROUNDS, sizeof(double), cmp);
	qsort(xen, ROUNDS, sizeof(double), cmp);
	printf("median: ours %.2f M msgs/s, Xen io/ring.h %.2f M msgs/s, ratio ours/Xen %.2f\n",
	       ours[ROUNDS / 2] / 1e6, xen[ROUNDS / 2] / 1e6, ours[ROUNDS / 2] / xen[ROUNDS / 2]);
	return 0;
}
