/*
 * libFuzzer target: netback (backend/netback.c, built unchanged against the
 * host stand-in tests/fuzz/fake/rt/) facing two hostile frontends and a
 * hostile uplink. The input is a script: post requests of any shape (op,
 * flags, grant, offset, length), scribble over ring slots and req_prod,
 * change granted pages, send uplink frames, close or re-offer connections,
 * poll the backend, read its responses.
 *
 * The hypervisor is modelled here: grants map real pages at the guest-physical
 * addresses netback picks (its window at NETBACK_MAP_BASE is reserved with
 * mmap, unmapped pages PROT_NONE, read-only grants PROT_READ, so an access
 * outside what was granted or a write to a read-only grant faults). Invariants:
 * netback maps only into the window of the client it talks about, never over a
 * live mapping, sends only on bound ports, forwards only frames of 14..1514
 * bytes whose source MAC is the learned or assigned one of a connected client
 * (the second client has one assigned, the MAC its pages are filled with; the
 * first learns, and must never learn that one), never lets
 * two clients own one MAC, keeps its counts within its arrays, and a frontend
 * that followed the ring protocol always sees a well-formed response stream.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "backend/netback.h"
#include "public/io/netif.h"
#include "rt/channel.h"

#define FUZZ_NAME "fuzz_netback_req"
#include "tests/fuzz/fuzzscript.h"

#define NPEERS     2
#define RING_GREF  200
#define NGRANTS    16       /* buffer grants 0..15 per client; 12..15 read-only */
#define RO_GREF    12
#define PAGES      (NETBACK_MAP_SPAN / 4096)

struct peer {
	struct reg_entry fe;        /* what the frontend offers */
	int closed;                 /* its event channel end is closed */
	int port;                   /* backend's port, 0 when not bound */
	int hostile;                /* scribbled on the ring since it was mapped */
	struct ring_front front;
	uint8_t page_state[PAGES];  /* 0 unmapped, 1 read-only, 2 read-write */
};

static struct netback nb;
static struct peer peers[NPEERS];

static uint64_t win(unsigned i) { return NETBACK_MAP_BASE + i * NETBACK_MAP_SPAN; }
static uint8_t *gpa_ptr(uint64_t gpa) { return (uint8_t *)(uintptr_t)gpa; }

/* ---- the hypervisor and the peers, as netback sees them ---- */

int gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return n;
}

int64_t hv_self_info(struct hv_self_info *out)
{
	memset(out, 0, sizeof(*out));
	out->generation = 1;
	return 0;
}

static struct peer *peer_of(uint32_t domid)
{
	if (domid < 1 || domid > NPEERS)
		die("netback named a domain it does not serve");
	return &peers[domid - 1];
}

int64_t hv_reg_write(uint32_t peer, uint32_t devid, const struct reg_entry *e)
{
	peer_of(peer);
	if (devid != NETIF_REG_DEVID || e->state > REG_RECONNECTING)
		die("registry write of a bad entry");
	return 0;
}

int64_t hv_reg_read(uint32_t peer, uint32_t devid, struct reg_entry *e)
{
	if (devid != NETIF_REG_DEVID)
		die("registry read of another device");
	*e = peer_of(peer)->fe;
	return 0;
}

int64_t hv_evtchn_bind(uint32_t remote, uint32_t port)
{
	struct peer *p = peer_of(remote);

	if (p->port || port != p->fe.port || p->closed)
		return -HV_EINVAL;
	p->port = 10 + (int)(p - peers);
	return p->port;
}

static struct peer *peer_on_port(uint32_t port)
{
	for (unsigned i = 0; i < NPEERS; i++)
		if (peers[i].port && (uint32_t)peers[i].port == port)
			return &peers[i];
	die("event channel call on a port that is not bound");
	return 0;
}

int64_t hv_evtchn_send(uint32_t port) { peer_on_port(port); return 0; }
int64_t hv_evtchn_close(uint32_t port) { peer_on_port(port)->port = 0; return 0; }

int64_t hv_evtchn_status(uint32_t port)
{
	return peer_on_port(port)->closed ? EVTCHN_PEER_CLOSED : EVTCHN_CONNECTED;
}

/* Fill a freshly granted buffer page: an Ethernet frame from the granter to
 * a destination that depends on the grant (broadcast, the other client, the
 * granter itself, elsewhere); the script may change it later. */
static void fill_page(uint8_t *pg, unsigned client, uint32_t gref)
{
	static const uint8_t other[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

	for (unsigned k = 0; k < 4096; k++)
		pg[k] = (uint8_t)(k * 7 + gref);
	for (unsigned k = 0; k < 6; k++)
		pg[k] = gref % 4 == 0 ? 0xff : gref % 4 == 3 ? other[k] : 0;
	if (gref % 4 == 1 || gref % 4 == 2) {
		pg[0] = 2;
		pg[5] = (uint8_t)(gref % 4 == 1 ? 2 - client : 1 + client);
	}
	memcpy(pg + 6, (uint8_t[6]){ 2, 0, 0, 0, 0, (uint8_t)(1 + client) }, 6);
}

int64_t hv_grant_map(uint32_t granter, uint32_t gref, uint64_t dest, uint32_t flags)
{
	struct peer *p = peer_of(granter);
	unsigned i = (unsigned)(p - peers);

	if (dest < win(i) || dest >= win(i) + NETBACK_MAP_SPAN || dest % 4096)
		die("grant mapped outside the granter's window");
	uint8_t *st = &p->page_state[(dest - win(i)) / 4096];
	if (*st)
		die("grant mapped over a live mapping");
	int ro = flags & GRANT_READONLY;
	if (gref == RING_GREF && gref == p->fe.gref && dest == win(i) && !ro) {
		if (mprotect(gpa_ptr(dest), 4096, PROT_READ | PROT_WRITE))
			die("mprotect");
		ring_front_init(&p->front, gpa_ptr(dest), NETIF_SLOT_SIZE);
		p->hostile = 0;
		*st = 2;
		return 0;
	}
	if (gref >= NGRANTS || (gref >= RO_GREF && !ro))
		return -HV_EPERM;
	if (mprotect(gpa_ptr(dest), 4096, PROT_READ | PROT_WRITE))
		die("mprotect");
	fill_page(gpa_ptr(dest), i, gref);
	if (ro && mprotect(gpa_ptr(dest), 4096, PROT_READ))
		die("mprotect");
	*st = ro ? 1 : 2;
	return 0;
}

static void zc_check_unmap(uint64_t dest);

int64_t hv_grant_unmap(uint64_t dest)
{
	zc_check_unmap(dest);
	for (unsigned i = 0; i < NPEERS; i++) {
		if (dest < win(i) || dest >= win(i) + NETBACK_MAP_SPAN)
			continue;
		uint8_t *st = &peers[i].page_state[(dest - win(i)) / 4096];
		if (!*st)
			die("unmap of a page that is not mapped");
		*st = 0;
		if (mprotect(gpa_ptr(dest & ~0xfffull), 4096, PROT_NONE))
			die("mprotect");
		return 0;
	}
	die("unmap outside the window");
	return -1;
}

/* The uplink (NIC driver): what netback forwards must be a frame from a client. */
static int uplink_tx(void *ctx, const void *frame, size_t len)
{
	const uint8_t *src = (const uint8_t *)frame + 6;

	(void)ctx;
	if (len < 14 || len > NETIF_MAX_FRAME)
		die("uplink got a frame of a bad length");
	for (unsigned i = 0; i < nb.n; i++)
		if (nb.c[i].connected && nb.c[i].mac_known && !memcmp(nb.c[i].mac, src, 6))
			return 0;
	die("uplink got a frame whose source is no client's learned or assigned MAC");
	return 0;
}

/* Zero-copy transmit: the device reads a queued frame's payload from the
 * client's page only when the script completes it (a poll step with bit 5
 * set), so pages must stay mapped and responses wait until then. */
#define ZC_MAX 256
static struct { const uint8_t *payload; size_t len; } zc_q[ZC_MAX];
static uint64_t zc_queued, zc_done, zc_wire_sum;

static int uplink_tx_zc(void *ctx, const void *hdr, size_t hdr_len, const void *payload,
			size_t payload_len, uint64_t *seq)
{
	static uint8_t frame[NETIF_MAX_FRAME];

	if (hdr_len + payload_len > NETIF_MAX_FRAME || !payload_len)
		die("zero-copy frame of a bad length");
	if (zc_queued - zc_done == ZC_MAX)
		return -16;     /* the device's ring is full */
	memcpy(frame, hdr, hdr_len);
	uplink_tx(ctx, frame, hdr_len);
	zc_q[zc_queued % ZC_MAX].payload = payload;
	zc_q[zc_queued % ZC_MAX].len = payload_len;
	*seq = ++zc_queued;
	return 0;
}

static uint64_t uplink_tx_done(void *ctx)
{
	(void)ctx;
	return zc_done;
}

/* The device reads every queued payload now (a page unmapped under it
 * faults: PROT_NONE). */
static void zc_complete(void *ctx)
{
	(void)ctx;
	for (; zc_done < zc_queued; zc_done++)
		for (size_t k = 0; k < zc_q[zc_done % ZC_MAX].len; k++)
			zc_wire_sum += zc_q[zc_done % ZC_MAX].payload[k];
}

/* Copied transmit in place: the uplink's own buffer; what is committed
 * must pass the same source check as a frame handed to uplink_tx. */
static uint8_t tx_own[NETIF_MAX_FRAME];

static void *uplink_tx_buf(void *ctx)
{
	(void)ctx;
	return tx_own;
}

static int uplink_tx_commit(void *ctx, size_t len)
{
	return uplink_tx(ctx, tx_own, len);
}

/* Unmapping a page the device may still read from is netback's bug. */
static void zc_check_unmap(uint64_t dest)
{
	for (uint64_t k = zc_done; k < zc_queued; k++) {
		uint64_t a = (uint64_t)(uintptr_t)zc_q[k % ZC_MAX].payload;
		if (a < dest + 4096 && a + zc_q[k % ZC_MAX].len > dest)
			die("page unmapped while the device may read it");
	}
}

/* ---- invariants after every step ---- */

/* The second client's assigned MAC (fill_page's source MAC for it). */
static const uint8_t assigned_mac[6] = { 2, 0, 0, 0, 0, 2 };

static void check_state(void)
{
	if (!nb.c[1].assigned || !nb.c[1].mac_known || memcmp(nb.c[1].mac, assigned_mac, 6))
		die("the assigned MAC changed");
	if (nb.c[0].mac_known && !memcmp(nb.c[0].mac, assigned_mac, 6))
		die("a client learned another's assigned MAC");
	for (unsigned i = 0; i < nb.n; i++) {
		const struct nb_client *c = &nb.c[i];
		if (c->nmaps > NETBACK_MAPS || c->rx_count > NETBACK_RX_POSTED ||
		    c->rx_head >= NETBACK_RX_POSTED)
			die("netback counts out of range");
		if (c->connected && c->port != peers[i].port)
			die("connected on a port it did not bind");
		for (unsigned j = 0; j < i; j++)
			if (c->mac_known && nb.c[j].mac_known &&
			    !memcmp(c->mac, nb.c[j].mac, 6))
				die("two clients own one MAC");
	}
}

/* The frontend reads responses; a well-behaved one must see a sane stream. */
static void read_responses(struct peer *p)
{
	if (p->page_state[0] != 2)
		return;
	int n = ring_front_pending(&p->front);
	if (n == RING_EPROTO) {
		if (!p->hostile)
			die("netback broke the ring protocol towards a well-behaved frontend");
		return;
	}
	for (int k = 0; k < n; k++) {
		struct netif_response r;
		ring_front_copy_rsp(&p->front, &r);
		if (p->hostile)
			continue;
		if (r.status > NETIF_OK || r.status < NETIF_ERR_DROPPED || r.reserved[0] || r.reserved[1] ||
		    (r.len && (r.op != NETIF_OP_RX || r.status != NETIF_OK)) || r.len > NETIF_MAX_FRAME)
			die("malformed response");
	}
}

/* ---- the script ---- */

static void post(struct peer *p, struct script *s)
{
	uint8_t b[7];

	if (take(s, b, sizeof(b)) || p->page_state[0] != 2 || !ring_front_free(&p->front))
		return;
	struct netif_request r = {
		.id = b[0], .op = b[1] & 0x80 ? b[1] & 0x7f : (b[1] & 1 ? NETIF_OP_TX : NETIF_OP_RX),
		.flags = b[1] & 0x40 ? 1 : 0, .gref = b[2] == 0xff ? 0xffffffffu : b[2],
		.offset = (uint16_t)(b[3] | b[4] << 8), .len = (uint16_t)(b[5] | b[6] << 8),
	};
	memcpy(ring_front_next_req(&p->front), &r, sizeof(r));
	ring_front_push(&p->front);
}

static void scribble(struct peer *p, struct script *s)
{
	uint8_t b[18];

	if (take(s, b, sizeof(b)) || p->page_state[0] != 2)
		return;
	struct ring_sring *sr = p->front.s;
	p->hostile = 1;
	if (b[0] & 1) {          /* req_prod relative to the backend's position */
		struct nb_client *c = &nb.c[p - peers];
		ring_store(&sr->req_prod, c->ring.req_cons + (uint32_t)(int8_t)b[1]);
	} else {
		memcpy(&sr->slots[(b[1] % ring_nslots(NETIF_SLOT_SIZE)) * NETIF_SLOT_SIZE], b + 2, 16);
	}
}

static void poke_page(struct peer *p, struct script *s)
{
	uint8_t b[4], v[16];

	if (take(s, b, sizeof(b)) || take(s, v, sizeof(v)))
		return;
	unsigned pg = 1 + b[0] % (NETBACK_MAPS), off = (b[1] | b[2] << 8) % (4096 - 16);
	if (!p->page_state[pg])
		return;
	uint8_t *a = gpa_ptr(win((unsigned)(p - peers)) + pg * 4096ull);
	if (p->page_state[pg] == 1)
		mprotect(a, 4096, PROT_READ | PROT_WRITE);
	memcpy(a + off, v, b[3] % 16 + 1);
	if (p->page_state[pg] == 1)
		mprotect(a, 4096, PROT_READ);
}

static void uplink_rx(struct script *s)
{
	static uint8_t f[NETIF_MAX_FRAME + 16];
	uint8_t b[2];

	if (take(s, b, sizeof(b)))
		return;
	size_t len = (size_t)(b[0] | b[1] << 8) % sizeof(f);
	size_t have = s->n - s->pos < len ? s->n - s->pos : len;
	memset(f, 0, len);
	take(s, f, have);
	if (len >= 6 && b[1] & 0x80)        /* aim at a client */
		memcpy(f, (uint8_t[6]){ 2, 0, 0, 0, 0, (uint8_t)(1 + (b[0] & 1)) }, 6);
	netback_uplink_rx(&nb, f, len);
}

static void reoffer(struct peer *p, uint8_t how)
{
	if (how & 1) {
		p->closed = 1;          /* the frontend closed its end (or died) */
		return;
	}
	p->closed = 0;
	p->fe.generation++;
	p->fe.state = REG_INITIALISING;
	p->fe.port = how >> 1;
}

static void reset(void)
{
	static const struct netback_uplink up = { 0, uplink_tx, 0, uplink_tx_zc, uplink_tx_done,
						  zc_complete, uplink_tx_buf, uplink_tx_commit };

	if (mprotect(gpa_ptr(NETBACK_MAP_BASE), NPEERS * NETBACK_MAP_SPAN, PROT_NONE))
		die("mprotect");
	memset(peers, 0, sizeof(peers));
	zc_queued = zc_done = 0;
	netback_init(&nb, &up);
	for (unsigned i = 0; i < NPEERS; i++) {
		peers[i].fe = (struct reg_entry){ REG_INITIALISING, RING_GREF, 3, 1 };
		netback_add_client(&nb, i + 1);
	}
	if (netback_assign_mac(&nb, 2, assigned_mac))
		die("assignment refused");
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	void *w = mmap(gpa_ptr(NETBACK_MAP_BASE), NPEERS * NETBACK_MAP_SPAN, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (w != gpa_ptr(NETBACK_MAP_BASE))
		die("cannot reserve netback's window");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script s = { data, size, 0 };
	uint8_t op;

	reset();
	netback_poll(&nb, 0);       /* both clients connect */
	while (!take(&s, &op, 1)) {
		struct peer *p = &peers[op >> 7];
		switch (op & 7) {
		case 0: case 1: post(p, &s); break;
		case 2: scribble(p, &s); break;
		case 3: poke_page(p, &s); break;
		case 4: uplink_rx(&s); break;
		case 5: reoffer(p, (uint8_t)(op >> 3)); break;
		case 6: read_responses(p); break;
		case 7:
			if (op & 0x20)
				zc_complete(0);
			netback_poll(&nb, (uint64_t)((op >> 3) & 3) << 10);
			break;
		}
		check_state();
	}
	netback_poll(&nb, ~0ull >> 1);
	for (unsigned i = 0; i < NPEERS; i++)
		read_responses(&peers[i]);
	check_state();
	if (getenv("FUZZ_NETBACK_STATS"))     /* to see what a seed reaches */
		fprintf(stderr, "zero_copy %lu (sum %lu); connected %u: from_client %lu to_client %lu to_uplink %lu "
			"from_uplink %lu local %lu bad %lu grant_err %lu no_buf %lu disc %lu\n",
			nb.stats.zero_copy, zc_wire_sum, netback_connected(&nb), nb.stats.from_client, nb.stats.to_client,
			nb.stats.to_uplink, nb.stats.from_uplink, nb.stats.local,
			nb.stats.bad_requests, nb.stats.grant_errors, nb.stats.dropped_no_buffer,
			nb.stats.disconnects);
	return 0;
}
