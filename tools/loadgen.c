/*
 * loadgen: host-side UDP load generator for a guest that echoes every datagram
 * back (behind a QEMU hostfwd). It keeps up to --window datagrams in flight,
 * checks every echo byte for byte against echo_payload.h, and prints exactly
 * one line of key=value pairs on stdout. Exit 0 pass, 1 fail (one line on
 * stderr says why), 2 bad arguments or no echo during the warm-up.
 *
 * Every wait is a poll() bounded by the earliest outstanding deadline and by
 * --max-seconds, so a dead or flooding guest cannot keep it running.
 *
 * SIGUSR1 ends a run early and cleanly: no new datagram is sent, the ones in
 * flight are echoed or time out, and the line is printed as usual (fewer than
 * --count sent is then no failure). tools/campaign.py cuts its load into one
 * run per driver generation this way.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "echo_payload.h"

#define MAX_QUIT   8
#define MAX_COUNT  10000000u            /* bounds the per-datagram arrays (~170 MB) */
#define MAX_WINDOW 256
#define NO_SEQ     UINT32_MAX
#define PROBE_NS   200000000ull
#define RECV_BATCH 1024                 /* datagrams read per wake-up: a flood cannot starve timeouts */

struct opts {
	const char *host, *label;
	uint32_t port, count, window, smin, smax, timeout_ms, max_lost;
	double max_s, warm_s;
	uint32_t quit[MAX_QUIT], nquit;
};

/* Per measured datagram; LATE is still counted lost, CORRUPT frees its window slot. */
enum { S_UNSENT, S_OUT, S_ECHOED, S_LOST, S_LATE, S_CORRUPT };

static volatile sig_atomic_t stop_requested;    /* SIGUSR1 */

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct run {
	const struct opts *o;
	int fd;
	uint32_t tag, probe_len;
	uint8_t *state;
	uint64_t *sent_ns, *rtt_ns;
	uint32_t next;                  /* seqs below were sent */
	uint32_t lo;                    /* no seq below is outstanding */
	uint32_t out;
	uint32_t echoed, lost, late, dup, corrupt;
	uint64_t tmo_ns, elapsed_ns;
	uint64_t end_ns;                /* when the run stopped waiting (now_ns) */
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int ms_until(uint64_t when, uint64_t now)
{
	return when > now ? (int)((when - now + 999999) / 1000000) : 0;
}

static int usage(void)
{
	fprintf(stderr,
		"usage: loadgen --port P [--host 127.0.0.1] [--count N] [--window W]\n"
		"               [--size S | --sizes MIN-MAX] [--timeout-ms T] [--max-seconds S]\n"
		"               [--warmup-seconds S] [--max-lost L] [--quit-port Q]... [--label TEXT]\n"
		"  defaults: count 1000, window 1 (1..256), size 64 (1..%u; >= %u when window > 1),\n"
		"  timeout-ms 1000, max-seconds 60, warmup-seconds 60 (0: none), max-lost 0\n"
		"  SIGUSR1: stop sending, wait for the datagrams in flight, report\n",
		ECHO_MAX_PAYLOAD, ECHO_HDR_LEN);
	return 2;
}

static int bad(const char *opt, const char *val, const char *want)
{
	fprintf(stderr, "loadgen: %s: '%s' is not %s\n", opt, val, want);
	return usage();
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_secs(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.')
		return -1;
	v = strtod(s, &end);
	if (*end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_sizes(const char *s, struct opts *o)
{
	char buf[32], *dash;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (!dash)
		return -1;
	*dash = 0;
	if (parse_u32(buf, 1, ECHO_MAX_PAYLOAD, &o->smin) ||
	    parse_u32(dash + 1, 1, ECHO_MAX_PAYLOAD, &o->smax) || o->smin > o->smax)
		return -1;
	return 0;
}

/* The label goes into a space-separated key=value line, so it may not break it. */
static int label_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (*s <= ' ' || *s == '=' || *s > '~')
			return 0;
	return 1;
}

enum { O_PORT = 1, O_HOST, O_COUNT, O_WINDOW, O_SIZE, O_SIZES, O_TIMEOUT, O_MAXS,
       O_WARM, O_MAXLOST, O_QUIT, O_LABEL, O_HELP };

static const struct option longopts[] = {
	{ "port", required_argument, 0, O_PORT },
	{ "host", required_argument, 0, O_HOST },
	{ "count", required_argument, 0, O_COUNT },
	{ "window", required_argument, 0, O_WINDOW },
	{ "size", required_argument, 0, O_SIZE },
	{ "sizes", required_argument, 0, O_SIZES },
	{ "timeout-ms", required_argument, 0, O_TIMEOUT },
	{ "max-seconds", required_argument, 0, O_MAXS },
	{ "warmup-seconds", required_argument, 0, O_WARM },
	{ "max-lost", required_argument, 0, O_MAXLOST },
	{ "quit-port", required_argument, 0, O_QUIT },
	{ "label", required_argument, 0, O_LABEL },
	{ "help", no_argument, 0, O_HELP },
	{ 0, 0, 0, 0 },
};

/* 0, or the exit status (2) after printing what is wrong. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	char range[32];
	int c, have_size = 0, have_sizes = 0;

	*o = (struct opts){ .host = "127.0.0.1", .label = "-", .count = 1000, .window = 1,
			    .smin = 64, .smax = 64, .timeout_ms = 1000, .max_s = 60, .warm_s = 60 };
	snprintf(range, sizeof(range), "in 1..%u", ECHO_MAX_PAYLOAD);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, 0)) != -1) {
		switch (c) {
		case O_PORT:
			if (parse_u32(optarg, 1, 65535, &o->port))
				return bad("--port", optarg, "a port in 1..65535");
			break;
		case O_HOST:
			o->host = optarg;
			break;
		case O_COUNT:
			if (parse_u32(optarg, 1, MAX_COUNT, &o->count))
				return bad("--count", optarg, "in 1..10000000");
			break;
		case O_WINDOW:
			if (parse_u32(optarg, 1, MAX_WINDOW, &o->window))
				return bad("--window", optarg, "in 1..256");
			break;
		case O_SIZE:
			if (parse_u32(optarg, 1, ECHO_MAX_PAYLOAD, &o->smin))
				return bad("--size", optarg, range);
			o->smax = o->smin;
			have_size = 1;
			break;
		case O_SIZES:
			if (parse_sizes(optarg, o))
				return bad("--sizes", optarg, "MIN-MAX with 1 <= MIN <= MAX <= 1472");
			have_sizes = 1;
			break;
		case O_TIMEOUT:
			if (parse_u32(optarg, 1, 3600000, &o->timeout_ms))
				return bad("--timeout-ms", optarg, "in 1..3600000");
			break;
		case O_MAXS:
			if (parse_secs(optarg, 0.001, 86400, &o->max_s))
				return bad("--max-seconds", optarg, "a number of seconds in 0.001..86400");
			break;
		case O_WARM:
			if (parse_secs(optarg, 0, 86400, &o->warm_s))
				return bad("--warmup-seconds", optarg, "a number of seconds in 0..86400");
			break;
		case O_MAXLOST:
			if (parse_u32(optarg, 0, UINT32_MAX, &o->max_lost))
				return bad("--max-lost", optarg, "a count >= 0");
			break;
		case O_QUIT:
			if (o->nquit == MAX_QUIT) {
				fprintf(stderr, "loadgen: --quit-port: at most %d\n", MAX_QUIT);
				return usage();
			}
			if (parse_u32(optarg, 1, 65535, &o->quit[o->nquit++]))
				return bad("--quit-port", optarg, "a port in 1..65535");
			break;
		case O_LABEL:
			if (!label_ok(optarg))
				return bad("--label", optarg,
					   "1..64 printable characters without spaces or '='");
			o->label = optarg;
			break;
		case O_HELP:
			usage();
			exit(0);
		case ':':
			fprintf(stderr, "loadgen: %s needs a value\n", argv[optind - 1]);
			return usage();
		default:
			fprintf(stderr, "loadgen: unknown option '%s'\n", argv[optind - 1]);
			return usage();
		}
	}
	if (optind < argc) {
		fprintf(stderr, "loadgen: unexpected argument '%s'\n", argv[optind]);
		return usage();
	}
	if (!o->port) {
		fprintf(stderr, "loadgen: --port is required\n");
		return usage();
	}
	if (have_size && have_sizes) {
		fprintf(stderr, "loadgen: --size and --sizes: give only one\n");
		return usage();
	}
	/* Sizes only grow along the run, so checking the first checks them all. */
	if (o->window > 1 && o->smin < ECHO_HDR_LEN) {
		fprintf(stderr, "loadgen: --window %u needs payload sizes >= %u "
			"(the header carries the sequence number), smallest is %u\n",
			o->window, ECHO_HDR_LEN, o->smin);
		return usage();
	}
	return 0;
}

static uint32_t size_of(const struct run *r, uint32_t seq)
{
	return echo_size_for(seq, r->o->count, r->o->smin, r->o->smax);
}

/*
 * 0 when sent (or failed for good: it then times out and counts as lost),
 * -1 when the socket buffer is full and it should be tried again.
 */
static int send_seq(const struct run *r, uint32_t seq, uint32_t len)
{
	uint8_t buf[ECHO_MAX_PAYLOAD];

	echo_fill(buf, len, r->tag, seq);
	/* A connected socket reports an earlier ICMP error on this send, once: retry once. */
	for (int tries = 0; tries < 2; tries++) {
		if (send(r->fd, buf, len, 0) == (ssize_t)len)
			return 0;
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
			return -1;
	}
	return 0;
}

static uint32_t first_out(struct run *r)
{
	while (r->lo < r->next && r->state[r->lo] != S_OUT)
		r->lo++;
	return r->lo < r->next ? r->lo : NO_SEQ;
}

/* Sends go out in seq order with one timeout, so the first outstanding expires first. */
static void expire(struct run *r, uint64_t now)
{
	uint32_t s;

	while ((s = first_out(r)) != NO_SEQ && r->sent_ns[s] + r->tmo_ns <= now) {
		r->state[s] = S_LOST;
		r->lost++;
		r->out--;
	}
}

/* Count an exact echo of sent datagram seq by seq's state; 0 when not exact. */
static int take_exact(struct run *r, uint32_t seq, const uint8_t *buf, size_t len, uint64_t now)
{
	if (echo_match(buf, len, size_of(r, seq), r->tag, seq) >= 0)
		return 0;
	switch (r->state[seq]) {
	case S_OUT:
		r->out--;
		if (now - r->sent_ns[seq] >= r->tmo_ns) {
			/* Past its deadline, only not yet expired: lost, then late. */
			r->state[seq] = S_LATE;
			r->lost++;
			r->late++;
			break;
		}
		r->state[seq] = S_ECHOED;
		r->rtt_ns[r->echoed++] = now - r->sent_ns[seq];
		break;
	case S_LOST:
		r->state[seq] = S_LATE;
		r->late++;
		break;
	default:
		r->dup++;
		break;
	}
	return 1;
}

static void print_byte(char *s, size_t n, size_t off, size_t len, int b)
{
	if (off < len)
		snprintf(s, n, "0x%02x", b);
	else
		snprintf(s, n, "none");
}

/* seq: the datagram this echo most likely belongs to, or NO_SEQ. */
static void corrupt(struct run *r, uint32_t seq, const uint8_t *buf, size_t len)
{
	char want[8], got[8];

	if (seq != NO_SEQ && r->state[seq] == S_OUT) {
		/* Answered, wrongly: free the slot instead of also counting it lost. */
		r->state[seq] = S_CORRUPT;
		r->out--;
	}
	if (r->corrupt++)
		return;
	if (seq == NO_SEQ) {
		fprintf(stderr, "loadgen: corrupt echo: %zu bytes matching no datagram of this run\n",
			len);
		return;
	}
	size_t sl = size_of(r, seq);
	long off = echo_match(buf, len, sl, r->tag, seq);
	size_t o = off < 0 ? 0 : (size_t)off;

	print_byte(want, sizeof(want), o, sl, echo_byte(sl, r->tag, seq, o));
	print_byte(got, sizeof(got), o, len, o < len ? buf[o] : 0);
	fprintf(stderr, "loadgen: corrupt echo: seq=%u len=%zu sent_len=%zu offset=%zu "
		"expected=%s got=%s\n", seq, len, sl, o, want, got);
}

static void on_echo(struct run *r, const uint8_t *buf, size_t len, uint64_t now)
{
	uint32_t seq, out = first_out(r);
	int hdr = echo_seq_of(buf, len, r->tag, &seq);

	if (hdr && (seq & ECHO_PROBE_BIT)) {
		if (echo_match(buf, len, r->probe_len, r->tag, seq) < 0)
			return;         /* a warm-up probe's late echo */
		hdr = 0;
	}
	if (hdr && seq < r->next) {
		if (take_exact(r, seq, buf, len, now))
			return;
	} else if (!hdr && len < ECHO_HDR_LEN) {
		/*
		 * No header, so window 1: the outstanding datagram, else one of
		 * the last 255 (late or dup), which the pattern tells apart.
		 */
		if (out != NO_SEQ && take_exact(r, out, buf, len, now))
			return;
		for (uint32_t back = 1; back < 256 && back <= r->next; back++) {
			uint32_t s = r->next - back;

			if (s != out && size_of(r, s) == len && take_exact(r, s, buf, len, now))
				return;
		}
	}
	if (hdr && seq < r->next)
		corrupt(r, seq, buf, len);
	else
		corrupt(r, r->o->window == 1 ? out : NO_SEQ, buf, len);
}

/* Read what is queued, at most RECV_BATCH datagrams. */
static void drain(struct run *r)
{
	static uint8_t buf[65536];

	for (int i = 0; i < RECV_BATCH; i++) {
		/* The socket is connected: the kernel drops datagrams from anyone else. */
		ssize_t n = recv(r->fd, buf, sizeof(buf), 0);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;       /* ICMP errors (ECONNREFUSED) and EINTR */
		}
		on_echo(r, buf, (size_t)n, now_ns());
	}
}

static void measure(struct run *r)
{
	const struct opts *o = r->o;
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(o->max_s * 1e9);

	for (;;) {
		uint64_t now = now_ns(), wake = end;
		int blocked = 0;

		if (now >= end)
			break;
		expire(r, now);
		while (!stop_requested && r->out < o->window && r->next < o->count) {
			uint32_t seq = r->next;

			if (send_seq(r, seq, size_of(r, seq))) {
				blocked = 1;
				break;
			}
			r->state[seq] = S_OUT;
			r->sent_ns[seq] = now_ns();
			r->next++;
			r->out++;
		}
		if (r->out == 0 && (r->next == o->count || stop_requested))
			break;
		uint32_t s = first_out(r);

		if (s != NO_SEQ && r->sent_ns[s] + r->tmo_ns < wake)
			wake = r->sent_ns[s] + r->tmo_ns;
		int ms = ms_until(wake, now_ns());

		if (blocked && ms > 1)
			ms = 1;         /* buffer full: POLLOUT may not say when it drains */
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (poll(&p, 1, ms) > 0)
			drain(r);
	}
	r->end_ns = now_ns();
	r->elapsed_ns = r->end_ns - t0;
	for (uint32_t s = r->lo; s < r->next; s++) {
		if (r->state[s] == S_OUT) {
			r->state[s] = S_LOST;
			r->lost++;
		}
	}
	r->out = 0;
	if (r->next < o->count && !stop_requested)
		fprintf(stderr, "loadgen: --max-seconds %g reached after sending %u of %u\n",
			o->max_s, r->next, o->count);
}

/* Probe every 200 ms until one echo comes back: 0, or -1 when none within --warmup-seconds. */
static int warmup(struct run *r)
{
	static uint8_t buf[65536];
	uint64_t t0 = now_ns(), end = t0 + (uint64_t)(r->o->warm_s * 1e9), next = t0;
	uint32_t k = 0;

	if (r->o->warm_s <= 0)
		return 0;
	for (uint64_t now; (now = now_ns()) < end && !stop_requested;) {
		if (now >= next) {
			send_seq(r, ECHO_PROBE_BIT | (k++ & ~ECHO_PROBE_BIT), r->probe_len);
			next += PROBE_NS;
		}
		struct pollfd p = { .fd = r->fd, .events = POLLIN };

		if (poll(&p, 1, ms_until(next < end ? next : end, now_ns())) <= 0)
			continue;
		for (int i = 0; i < RECV_BATCH; i++) {
			ssize_t n = recv(r->fd, buf, sizeof(buf), 0);
			uint32_t seq;

			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n >= 0 && echo_seq_of(buf, (size_t)n, r->tag, &seq) &&
			    (seq & ECHO_PROBE_BIT) &&
			    echo_match(buf, (size_t)n, r->probe_len, r->tag, seq) < 0)
				return 0;
		}
	}
	return stop_requested ? 0 : -1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct% of the samples at or below it. */
static uint64_t percentile_us(const uint64_t *v, uint32_t n, unsigned pct)
{
	if (!n)
		return 0;
	uint64_t rank = ((uint64_t)n * pct + 99) / 100;

	return v[rank ? rank - 1 : 0] / 1000;
}

/*
 * The longest time the client went without service, in ms: from sending the
 * first datagram of a burst of lost ones to sending the next datagram that
 * was not lost (or to the end of the run when the burst runs to it). A lost
 * datagram costs at least --timeout-ms.
 */
static uint64_t stall_ms(const struct run *r)
{
	uint64_t longest = 0;

	for (uint32_t s = 0; s < r->next;) {
		if (r->state[s] != S_LOST && r->state[s] != S_LATE) {
			s++;
			continue;
		}
		uint32_t e = s;
		while (e < r->next && (r->state[e] == S_LOST || r->state[e] == S_LATE))
			e++;
		uint64_t until = e < r->next ? r->sent_ns[e] : r->end_ns;
		if (until > r->sent_ns[s] && until - r->sent_ns[s] > longest)
			longest = until - r->sent_ns[s];
		s = e;
	}
	return longest / 1000000;
}

static int report(struct run *r)
{
	const struct opts *o = r->o;
	uint32_t bursts = 0, longest = 0, cur = 0;

	for (uint32_t s = 0; s < r->next; s++) {
		if (r->state[s] == S_LOST || r->state[s] == S_LATE) {
			bursts += cur++ == 0;
			if (cur > longest)
				longest = cur;
		} else {
			cur = 0;
		}
	}
	qsort(r->rtt_ns, r->echoed, sizeof(*r->rtt_ns), cmp_u64);
	double secs = (double)r->elapsed_ns / 1e9;

	printf("loadgen: label=%s port=%u window=%u sizes=%u-%u sent=%u echoed=%u lost=%u "
	       "late=%u dup=%u corrupt=%u bursts=%u longest_burst=%u elapsed_s=%.3f "
	       "rtt_per_s=%.1f p50_us=%llu p99_us=%llu stall_ms=%llu\n",
	       o->label, o->port, o->window, o->smin, o->smax, r->next, r->echoed, r->lost,
	       r->late, r->dup, r->corrupt, bursts, longest, secs,
	       secs > 0 ? r->echoed / secs : 0.0,
	       (unsigned long long)percentile_us(r->rtt_ns, r->echoed, 50),
	       (unsigned long long)percentile_us(r->rtt_ns, r->echoed, 99),
	       (unsigned long long)stall_ms(r));
	fflush(stdout);
	if (r->corrupt) {
		fprintf(stderr, "loadgen: FAIL: %u corrupt echoes\n", r->corrupt);
		return 1;
	}
	if (r->lost > o->max_lost) {
		fprintf(stderr, "loadgen: FAIL: lost %u > --max-lost %u\n", r->lost, o->max_lost);
		return 1;
	}
	if ((uint64_t)r->echoed + r->lost != r->next) {
		fprintf(stderr, "loadgen: FAIL: echoed %u + lost %u != sent %u\n", r->echoed,
			r->lost, r->next);
		return 1;
	}
	if (r->next < o->count && !stop_requested) {
		fprintf(stderr, "loadgen: FAIL: sent %u of %u within --max-seconds\n", r->next,
			o->count);
		return 1;
	}
	return 0;
}

/* The guest exits on a datagram to a quit port; three tries in case one is dropped. */
static void send_quit(const struct opts *o, const struct addrinfo *ai)
{
	struct timespec gap = { 0, 50000000 };
	int fd = socket(ai->ai_family, SOCK_DGRAM, 0);

	if (fd < 0 || !o->nquit)
		goto out;
	for (int rep = 0; rep < 3; rep++) {
		if (rep)
			nanosleep(&gap, 0);
		for (uint32_t i = 0; i < o->nquit; i++) {
			struct sockaddr_storage sa;

			memcpy(&sa, ai->ai_addr, ai->ai_addrlen);
			if (ai->ai_family == AF_INET6)
				((struct sockaddr_in6 *)&sa)->sin6_port = htons(o->quit[i]);
			else
				((struct sockaddr_in *)&sa)->sin_port = htons(o->quit[i]);
			sendto(fd, "quit", 4, 0, (struct sockaddr *)&sa, ai->ai_addrlen);
		}
	}
out:
	if (fd >= 0)
		close(fd);
}

static uint32_t random_tag(void)
{
	uint32_t tag = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || read(fd, &tag, sizeof(tag)) != sizeof(tag)) {
		/* Only needs to differ between runs: time and pid will do. */
		tag = (uint32_t)now_ns() ^ (uint32_t)getpid() * 0x9e3779b9u;
	}
	if (fd >= 0)
		close(fd);
	return tag;
}

static int open_socket(const struct opts *o, struct addrinfo **ai)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	char port[8];
	int fd, err;

	snprintf(port, sizeof(port), "%u", o->port);
	err = getaddrinfo(o->host, port, &hints, ai);
	if (err) {
		fprintf(stderr, "loadgen: --host %s: %s\n", o->host, gai_strerror(err));
		return -1;
	}
	fd = socket((*ai)->ai_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (*ai)->ai_addr, (*ai)->ai_addrlen) < 0) {
		fprintf(stderr, "loadgen: %s:%u: %s\n", o->host, o->port, strerror(errno));
		if (fd >= 0)
			close(fd);
		freeaddrinfo(*ai);
		return -1;
	}
	return fd;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct run r = { .o = &o };
	struct addrinfo *ai;
	int rc;

	if ((rc = parse_args(argc, argv, &o)))
		return rc;
	struct sigaction sa = { .sa_handler = on_stop };       /* no SA_RESTART: poll() wakes */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, 0);
	r.tag = random_tag();
	r.tmo_ns = o.timeout_ms * 1000000ull;
	r.probe_len = o.smin < ECHO_HDR_LEN ? ECHO_HDR_LEN : o.smin;
	r.state = calloc(o.count, sizeof(*r.state));
	r.sent_ns = calloc(o.count, sizeof(*r.sent_ns));
	r.rtt_ns = calloc(o.count, sizeof(*r.rtt_ns));
	if (!r.state || !r.sent_ns || !r.rtt_ns) {
		fprintf(stderr, "loadgen: out of memory for --count %u\n", o.count);
		return 2;
	}
	if ((r.fd = open_socket(&o, &ai)) < 0)
		return 2;
	if (warmup(&r)) {
		fprintf(stderr, "loadgen: no echo from %s:%u within %g s\n", o.host, o.port,
			o.warm_s);
		rc = 2;
	} else {
		measure(&r);
		rc = report(&r);
	}
	send_quit(&o, ai);
	close(r.fd);
	freeaddrinfo(ai);
	free(r.state);
	free(r.sent_ns);
	free(r.rtt_ns);
	return rc;
}
