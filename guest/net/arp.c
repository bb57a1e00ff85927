/*
 * ARP (RFC 826) for Ethernet/IPv4: answers requests for our address, learns
 * from requests aimed at us and from replies, and holds one packet per
 * unresolved next hop until the reply comes (retried, then dropped).
 */
#include "guest/net/net.h"
#include "guest/net/wire.h"
#include "kstring.h"

#define ARP_LEN        28
#define ARP_REQUEST    1
#define ARP_REPLY      2
#define ARP_TTL_NS     60000000000ull
#define ARP_RETRY_NS   200000000ull
#define ARP_TRIES      5

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

void net_eth_header(struct netstack *ns, uint8_t *frame, const uint8_t dst[6], uint16_t type)
{
	memcpy(frame, dst, 6);
	memcpy(frame + 6, ns->mac, 6);
	put16(frame + 12, type);
}

static int send_arp(struct netstack *ns, uint16_t op, const uint8_t tha[6], uint32_t tpa)
{
	uint8_t f[NET_ETH_HDR + ARP_LEN];
	uint8_t *a = f + NET_ETH_HDR;

	net_eth_header(ns, f, op == ARP_REQUEST ? bcast : tha, ETH_TYPE_ARP);
	put16(a, 1);                    /* Ethernet */
	put16(a + 2, ETH_TYPE_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, ns->mac, 6);
	put32(a + 14, ns->ip);
	memcpy(a + 18, op == ARP_REQUEST ? (const uint8_t[6]){ 0 } : tha, 6);
	put32(a + 24, tpa);
	ns->stats.arp_tx++;
	ns->stats.tx_frames++;
	return ns->ops.send(ns->ops.ctx, f, sizeof(f)) < 0 ? NET_EIO : 0;
}

static struct net_arp_entry *lookup(struct netstack *ns, uint32_t ip)
{
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++)
		if ((ns->arp[i].valid || ns->arp[i].pending_len) && ns->arp[i].ip == ip)
			return &ns->arp[i];
	return 0;
}

/* A slot for ip: its own, a free one, or the one expiring first (without a
 * waiting packet, so a queued packet is never silently replaced). */
static struct net_arp_entry *slot_for(struct netstack *ns, uint32_t ip)
{
	struct net_arp_entry *e = lookup(ns, ip), *victim = 0;

	if (e)
		return e;
	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *c = &ns->arp[i];
		if (!c->valid && !c->pending_len)
			return c;
		if (!c->pending_len && (!victim || c->expires < victim->expires))
			victim = c;
	}
	return victim;
}

static void learn(struct netstack *ns, uint32_t ip, const uint8_t mac[6])
{
	struct net_arp_entry *e = slot_for(ns, ip);

	if (!e)
		return;
	e->ip = ip;
	memcpy(e->mac, mac, 6);
	e->valid = 1;
	e->expires = ns->ops.now_ns(ns->ops.ctx) + ARP_TTL_NS;
	if (e->pending_len) {
		memcpy(e->pending, mac, 6);
		ns->stats.tx_frames++;
		ns->ops.send(ns->ops.ctx, e->pending, e->pending_len);
		e->pending_len = 0;
	}
}

void net_arp_input(struct netstack *ns, const uint8_t *frame, size_t len)
{
	if (len < NET_ETH_HDR + ARP_LEN) {
		ns->stats.rx_dropped++;
		return;
	}
	const uint8_t *a = frame + NET_ETH_HDR;
	if (get16(a) != 1 || get16(a + 2) != ETH_TYPE_IP || a[4] != 6 || a[5] != 4) {
		ns->stats.rx_dropped++;
		return;
	}
	uint16_t op = get16(a + 6);
	uint32_t spa = get32(a + 14), tpa = get32(a + 24);
	uint8_t sha[6];
	memcpy(sha, a + 8, 6);
	ns->stats.arp_rx++;
	if (sha[0] & 1 || spa == 0) {          /* a multicast sender or probe: learn nothing */
		if (op == ARP_REQUEST && tpa == ns->ip && spa == 0)
			send_arp(ns, ARP_REPLY, sha, spa);
		return;
	}
	if (tpa == ns->ip && (op == ARP_REQUEST || op == ARP_REPLY))
		learn(ns, spa, sha);
	else if (op == ARP_REPLY && lookup(ns, spa))
		learn(ns, spa, sha);
	if (op == ARP_REQUEST && tpa == ns->ip)
		send_arp(ns, ARP_REPLY, sha, spa);
}

int net_arp_resolve_send(struct netstack *ns, uint32_t next_hop, uint8_t *frame, size_t len)
{
	struct net_arp_entry *e = lookup(ns, next_hop);
	uint64_t now = ns->ops.now_ns(ns->ops.ctx);

	if (e && e->valid && e->expires > now) {
		memcpy(frame, e->mac, 6);
		ns->stats.tx_frames++;
		return ns->ops.send(ns->ops.ctx, frame, len) < 0 ? NET_EIO : 0;
	}
	if (e && e->pending_len)
		return NET_ENOBUFS;
	if (!(e = slot_for(ns, next_hop)))
		return NET_ENOBUFS;
	e->valid = 0;
	e->ip = next_hop;
	memcpy(e->pending, frame, len);
	e->pending_len = (uint16_t)len;
	e->tries = 1;
	e->next_try = now + ARP_RETRY_NS;
	send_arp(ns, ARP_REQUEST, bcast, next_hop);
	return NET_EAGAIN;
}

void net_poll(struct netstack *ns)
{
	uint64_t now = ns->ops.now_ns(ns->ops.ctx);

	for (unsigned i = 0; i < NET_ARP_ENTRIES; i++) {
		struct net_arp_entry *e = &ns->arp[i];
		if (e->valid && e->expires <= now)
			e->valid = 0;
		if (!e->pending_len || e->next_try > now)
			continue;
		if (e->tries >= ARP_TRIES) {
			e->pending_len = 0;             /* nobody answers: drop it */
			ns->stats.rx_dropped++;
			continue;
		}
		e->tries++;
		e->next_try = now + ARP_RETRY_NS;
		send_arp(ns, ARP_REQUEST, bcast, e->ip);
	}
}

int net_announce(struct netstack *ns)
{
	int rc = send_arp(ns, ARP_REQUEST, bcast, ns->ip);      /* gratuitous */

	return rc ? rc : send_arp(ns, ARP_REQUEST, bcast, ns->gateway);
}
