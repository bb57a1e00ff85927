/*
 * The fake hypervisor of tests/unit/fake_hv.h. Simplifications: one event
 * channel table per domain, grants per domain indexed by reference, mappings
 * only inside FAKE_WIN_*; every refusal is the real call's error code.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "rt/channel.h"
#include "rt/rt.h"
#include "tests/unit/fake_hv.h"

uint32_t fake_cur;
int fake_verbose;

struct fport { int state; uint32_t rdom, rport; };
struct fgrant { int in_use, ro; uint32_t grantee; size_t off; unsigned maps; };
struct fmap { int in_use; uint32_t dom, granter, gref; uint64_t dest; };

static int memfd = -1;
static uint8_t *pool;
static unsigned pool_used;
static uint64_t gen[FAKE_DOMS], pending[FAKE_DOMS];
static struct fport ports[FAKE_DOMS][EVTCHN_PORTS];
static struct fgrant grants[FAKE_DOMS][GRANT_MAX];
static struct fmap maps[1024];
static struct reg_entry reg[FAKE_DOMS][FAKE_DOMS][REG_MAX_DEVID];

static void die(const char *what)
{
	fprintf(stderr, "fake_hv: %s\n", what);
	abort();
}

void fake_hv_init(void)
{
	if (memfd < 0) {
		memfd = memfd_create("fake_hv", 0);
		if (memfd < 0 || ftruncate(memfd, FAKE_PAGES * 4096l))
			die("memfd");
		pool = mmap(0, FAKE_PAGES * 4096l, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
		if (pool == MAP_FAILED)
			die("mmap pool");
	}
	if (mmap((void *)FAKE_WIN_BASE, FAKE_WIN_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)FAKE_WIN_BASE)
		die("reserve window");
	if (mmap((void *)FAKE_NET_WIN_BASE, FAKE_NET_WIN_SIZE, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != (void *)FAKE_NET_WIN_BASE)
		die("reserve netback's window");
	memset(pool, 0, pool_used * 4096l);
	pool_used = 0;
	for (unsigned d = 0; d < FAKE_DOMS; d++)
		gen[d] = 1;
	memset(pending, 0, sizeof(pending));
	memset(ports, 0, sizeof(ports));
	memset(grants, 0, sizeof(grants));
	memset(maps, 0, sizeof(maps));
	memset(reg, 0, sizeof(reg));
}

uint8_t *fake_alloc_pages(unsigned n)
{
	if (pool_used + n > FAKE_PAGES)
		die("pool exhausted");
	uint8_t *p = pool + (size_t)pool_used * 4096;
	pool_used += n;
	return p;
}

static void check_dom(uint32_t d)
{
	if (d < 1 || d >= FAKE_DOMS)
		die("bad domain id");
}

int gprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (fake_verbose) {
		printf("[dom%u] ", fake_cur);
		n = vprintf(fmt, ap);
	} else {
		char buf[256];
		n = vsnprintf(buf, sizeof(buf), fmt, ap);
	}
	va_end(ap);
	return n;
}

int64_t hv_self_info(struct hv_self_info *out)
{
	memset(out, 0, sizeof(*out));
	out->domid = fake_cur;
	out->generation = gen[fake_cur];
	return 0;
}

/* ---- event channels ---- */

static void raise_port(uint32_t d, uint32_t port) { pending[d] |= 1ull << port; }

int64_t hv_evtchn_alloc(uint32_t remote)
{
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
		if (ports[fake_cur][p].state == EVTCHN_FREE) {
			ports[fake_cur][p] = (struct fport){ EVTCHN_UNBOUND, remote, 0 };
			return p;
		}
	}
	return -HV_ENOMEM;
}

int64_t hv_evtchn_bind(uint32_t remote, uint32_t rport)
{
	if (remote < 1 || remote >= FAKE_DOMS || rport < 1 || rport >= EVTCHN_PORTS)
		return -HV_EINVAL;
	struct fport *r = &ports[remote][rport];
	if (r->state != EVTCHN_UNBOUND || r->rdom != fake_cur)
		return -HV_EINVAL;
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
		if (ports[fake_cur][p].state == EVTCHN_FREE) {
			ports[fake_cur][p] = (struct fport){ EVTCHN_CONNECTED, remote, rport };
			*r = (struct fport){ EVTCHN_CONNECTED, fake_cur, p };
			return p;
		}
	}
	return -HV_ENOMEM;
}

static struct fport *own_port(uint32_t port)
{
	if (port < 1 || port >= EVTCHN_PORTS || ports[fake_cur][port].state == EVTCHN_FREE)
		die("call on a port the caller does not have");
	return &ports[fake_cur][port];
}

int64_t hv_evtchn_send(uint32_t port)
{
	struct fport *p = own_port(port);

	if (p->state == EVTCHN_CONNECTED)
		raise_port(p->rdom, p->rport);
	return 0;
}

int64_t hv_evtchn_close(uint32_t port)
{
	struct fport *p = own_port(port);

	if (p->state == EVTCHN_CONNECTED) {
		ports[p->rdom][p->rport].state = EVTCHN_PEER_CLOSED;
		raise_port(p->rdom, p->rport);
	}
	p->state = EVTCHN_FREE;
	return 0;
}

int64_t hv_evtchn_status(uint32_t port)
{
	return own_port(port)->state;
}

int fake_gone_hint = 1;

int rt_port_gone(uint32_t port)
{
	int64_t s = hv_evtchn_status(port);

	return fake_gone_hint && (s == EVTCHN_PEER_CLOSED || s == EVTCHN_PEER_DIED);
}

/* ---- grants ---- */

int64_t hv_grant_create(const void *page, uint32_t grantee, uint32_t flags)
{
	const uint8_t *p = page;

	if (p < pool || p >= pool + FAKE_PAGES * 4096l || (p - pool) % 4096)
		die("granting a page outside the shared pool");
	for (uint32_t g = 0; g < GRANT_MAX; g++) {
		struct fgrant *e = &grants[fake_cur][g];
		if (!e->in_use) {
			*e = (struct fgrant){ 1, (flags & GRANT_READONLY) != 0, grantee,
					      (size_t)(p - pool), 0 };
			return g;
		}
	}
	return -HV_ENOMEM;
}

int64_t hv_grant_revoke(uint32_t gref)
{
	if (gref >= GRANT_MAX || !grants[fake_cur][gref].in_use)
		return -HV_ENOENT;
	if (grants[fake_cur][gref].maps)
		return -HV_EBUSY;
	grants[fake_cur][gref].in_use = 0;
	return 0;
}

void fake_grant_break(uint32_t d, uint32_t gref)
{
	grants[d][gref].grantee = 0;
}

static struct fmap *map_at(uint32_t d, uint64_t dest)
{
	for (unsigned i = 0; i < 1024; i++)
		if (maps[i].in_use && maps[i].dom == d && maps[i].dest == dest)
			return &maps[i];
	return 0;
}

int64_t hv_grant_map(uint32_t granter, uint32_t gref, uint64_t dest, uint32_t flags)
{
	if (dest >= GUEST_VA_LIMIT || (dest >= GUEST_MMIO_GPA && dest < GUEST_MMIO_END))
		die("grant mapped where a guest cannot reach it (past its page tables, or device BARs)");
	if (dest % 4096 || ((dest < FAKE_WIN_BASE || dest >= FAKE_WIN_BASE + FAKE_WIN_SIZE) &&
			    (dest < FAKE_NET_WIN_BASE || dest >= FAKE_NET_WIN_BASE + FAKE_NET_WIN_SIZE)))
		die("grant mapped outside the windows");
	if (granter < 1 || granter >= FAKE_DOMS || gref >= GRANT_MAX)
		return -HV_EINVAL;
	struct fgrant *e = &grants[granter][gref];
	if (!e->in_use || e->grantee != fake_cur)
		return -HV_EPERM;
	if (e->ro && !(flags & GRANT_READONLY))
		return -HV_EPERM;
	if (map_at(fake_cur, dest))
		return -HV_EBUSY;
	struct fmap *m = 0;
	for (unsigned i = 0; i < 1024 && !m; i++)
		if (!maps[i].in_use)
			m = &maps[i];
	if (!m)
		return -HV_ENOMEM;
	int prot = flags & GRANT_READONLY ? PROT_READ : PROT_READ | PROT_WRITE;
	if (mmap((void *)dest, 4096, prot, MAP_SHARED | MAP_FIXED, memfd, (off_t)e->off) != (void *)dest)
		die("mmap grant");
	*m = (struct fmap){ 1, fake_cur, granter, gref, dest };
	e->maps++;
	return 0;
}

static void drop_map(struct fmap *m)
{
	if (mmap((void *)m->dest, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) !=
	    (void *)m->dest)
		die("unmap");
	grants[m->granter][m->gref].maps--;
	m->in_use = 0;
}

int64_t hv_grant_unmap(uint64_t dest)
{
	struct fmap *m = map_at(fake_cur, dest);

	if (!m)
		return -HV_ENOENT;
	drop_map(m);
	return 0;
}

unsigned fake_maps_of(uint32_t d)
{
	unsigned n = 0;

	for (unsigned g = 0; g < GRANT_MAX; g++)
		n += grants[d][g].maps;
	return n;
}

/* ---- registry ---- */

int64_t hv_reg_write(uint32_t peer, uint32_t devid, const struct reg_entry *e)
{
	if (peer < 1 || peer >= FAKE_DOMS || devid >= REG_MAX_DEVID || e->state > REG_RECONNECTING)
		return -HV_EINVAL;
	reg[fake_cur][peer][devid] = *e;
	reg[fake_cur][peer][devid].generation = (uint32_t)gen[fake_cur];
	return 0;
}

int64_t hv_reg_read(uint32_t peer, uint32_t devid, struct reg_entry *e)
{
	if (peer < 1 || peer >= FAKE_DOMS || devid >= REG_MAX_DEVID)
		return -HV_EINVAL;
	*e = reg[peer][fake_cur][devid];
	return 0;
}

struct reg_entry fake_reg(uint32_t writer, uint32_t peer, uint32_t devid)
{
	return reg[writer][peer][devid];
}

void fake_reg_set(uint32_t writer, uint32_t peer, uint32_t devid, struct reg_entry e)
{
	reg[writer][peer][devid] = e;
}

/* ---- events and lifecycle ---- */

void rt_wait_event(uint64_t ns) { (void)ns; }

uint64_t rt_events_take(void)
{
	uint64_t p = pending[fake_cur];

	pending[fake_cur] = 0;
	return p;
}

uint64_t fake_pending(uint32_t d) { return pending[d]; }

void fake_kill(uint32_t d)
{
	check_dom(d);
	for (unsigned i = 0; i < 1024; i++)
		if (maps[i].in_use && maps[i].dom == d)
			drop_map(&maps[i]);
	for (uint32_t p = 1; p < EVTCHN_PORTS; p++) {
		struct fport *e = &ports[d][p];
		if (e->state == EVTCHN_CONNECTED) {
			ports[e->rdom][e->rport].state = EVTCHN_PEER_DIED;
			raise_port(e->rdom, e->rport);
		}
		e->state = EVTCHN_FREE;
	}
	for (unsigned g = 0; g < GRANT_MAX; g++)
		grants[d][g].in_use = 0;
	for (unsigned p = 0; p < FAKE_DOMS; p++)
		for (unsigned v = 0; v < REG_MAX_DEVID; v++)
			if (reg[d][p][v].state != REG_NONE)
				reg[d][p][v].state = REG_CLOSED;
	gen[d]++;
}

void fake_give_up(uint32_t d)
{
	for (unsigned p = 0; p < FAKE_DOMS; p++)
		for (unsigned v = 0; v < REG_MAX_DEVID; v++)
			reg[d][p][v].state = REG_FAILED;
}
