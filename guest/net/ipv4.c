/*
 * IPv4 (RFC 791) with ICMP echo (RFC 792) and UDP (RFC 768). Received
 * packets are checked field by field against the frame's real length before
 * anything is read, each header field is read once (a check and its use see
 * the same value even if the frame were still shared); fragments are dropped
 * (we never send any: DF is set).
 */
#include "guest/net/net.h"
#include "guest/net/wire.h"
#include "kstring.h"

#define IP_DF        0x4000
#define IP_MF_OFFSET 0x3fff
#define ICMP_ECHO_REPLY   0
#define ICMP_ECHO_REQUEST 8

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static int is_broadcast(const struct netstack *ns, uint32_t ip)
{
	return ip == 0xffffffffu || (ns->netmask && ip == (ns->ip | ~ns->netmask));
}

/* Payload is already at ns->frame + 14 + 20: add the headers and send. */
int net_ip_output(struct netstack *ns, uint32_t dst, uint8_t proto, size_t payload_len)
{
	uint8_t *f = ns->frame, *ip = f + NET_ETH_HDR;

	ip[0] = 0x45;
	ip[1] = 0;
	put16(ip + 2, (uint16_t)(IP_HDR + payload_len));
	put16(ip + 4, ns->ip_id++);
	put16(ip + 6, IP_DF);
	ip[8] = 64;
	ip[9] = proto;
	put16(ip + 10, 0);
	put32(ip + 12, ns->ip);
	put32(ip + 16, dst);
	put16(ip + 10, net_csum(ip, IP_HDR, 0));
	size_t len = NET_ETH_HDR + IP_HDR + payload_len;
	if (is_broadcast(ns, dst)) {
		net_eth_header(ns, f, bcast, ETH_TYPE_IP);
		ns->stats.tx_frames++;
		return ns->ops.send(ns->ops.ctx, f, len) < 0 ? NET_EIO : 0;
	}
	net_eth_header(ns, f, bcast, ETH_TYPE_IP);      /* destination filled in by ARP */
	uint32_t hop = (dst & ns->netmask) == (ns->ip & ns->netmask) ? dst : ns->gateway;
	return net_arp_resolve_send(ns, hop, f, len);
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint16_t udp_len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + IP_PROTO_UDP + udp_len;
}

int net_udp_send(struct netstack *ns, uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
		 const void *data, size_t len)
{
	uint8_t *u = ns->frame + NET_ETH_HDR + IP_HDR;

	if (!src_port || !dst_port || len > NET_UDP_MAX)
		return NET_EINVAL;
	put16(u, src_port);
	put16(u + 2, dst_port);
	put16(u + 4, (uint16_t)(UDP_HDR + len));
	put16(u + 6, 0);
	memcpy(u + UDP_HDR, data, len);
	uint16_t c = net_csum(u, UDP_HDR + len, pseudo_sum(ns->ip, dst_ip, (uint16_t)(UDP_HDR + len)));
	put16(u + 6, c ? c : 0xffff);           /* 0 would mean "no checksum" */
	ns->stats.udp_tx++;
	return net_ip_output(ns, dst_ip, IP_PROTO_UDP, UDP_HDR + len);
}

int net_ping(struct netstack *ns, uint32_t dst_ip, uint16_t id, uint16_t seq, size_t payload_len)
{
	uint8_t *m = ns->frame + NET_ETH_HDR + IP_HDR;

	if (payload_len > NET_MTU - IP_HDR - ICMP_HDR)
		return NET_EINVAL;
	m[0] = ICMP_ECHO_REQUEST;
	m[1] = 0;
	put16(m + 2, 0);
	put16(m + 4, id);
	put16(m + 6, seq);
	for (size_t i = 0; i < payload_len; i++)
		m[ICMP_HDR + i] = (uint8_t)(i + seq);
	put16(m + 2, net_csum(m, ICMP_HDR + payload_len, 0));
	return net_ip_output(ns, dst_ip, IP_PROTO_ICMP, ICMP_HDR + payload_len);
}

/* The message is copied once into the reply buffer and everything after that
 * (checksum, type, id, sequence, the echoed data) is read from the copy. */
static void icmp_input(struct netstack *ns, uint32_t src, const uint8_t *m, size_t len)
{
	uint8_t *r = ns->frame + NET_ETH_HDR + IP_HDR;

	if (len < ICMP_HDR) {
		ns->stats.rx_dropped++;
		return;
	}
	memcpy(r, m, len);
	if (net_csum(r, len, 0) != 0) {
		ns->stats.bad_checksum++;
		ns->stats.rx_dropped++;
		return;
	}
	uint8_t type = r[0], code = r[1];
	if (type == ICMP_ECHO_REPLY) {
		ns->stats.icmp_reply_rx++;
		if (ns->ping_cb)
			ns->ping_cb(ns->ping_arg, src, get16(r + 4), get16(r + 6));
		return;
	}
	if (type != ICMP_ECHO_REQUEST || code != 0) {
		ns->stats.rx_dropped++;
		return;
	}
	ns->stats.icmp_echo_rx++;
	r[0] = ICMP_ECHO_REPLY;
	put16(r + 2, 0);
	put16(r + 2, net_csum(r, len, 0));
	net_ip_output(ns, src, IP_PROTO_ICMP, len);
}

static void udp_input(struct netstack *ns, uint32_t src, uint32_t dst, const uint8_t *u, size_t len)
{
	if (len < UDP_HDR) {
		ns->stats.rx_dropped++;
		return;
	}
	/* Each header field is read once; checks and uses see the same value. */
	uint16_t sport = get16(u), dport = get16(u + 2), ulen = get16(u + 4), sum = get16(u + 6);
	if (ulen < UDP_HDR || ulen > len) {
		ns->stats.rx_dropped++;
		return;
	}
	if (sum && net_csum(u, ulen, pseudo_sum(src, dst, ulen)) != 0) {
		ns->stats.bad_checksum++;
		ns->stats.rx_dropped++;
		return;
	}
	for (unsigned i = 0; i < NET_UDP_BINDS; i++) {
		if (ns->udp[i].cb && ns->udp[i].port == dport) {
			ns->stats.udp_rx++;
			ns->udp[i].cb(ns->udp[i].arg, src, sport, dport, u + UDP_HDR, ulen - UDP_HDR);
			return;
		}
	}
	ns->stats.udp_unbound++;
}

void net_ip_input(struct netstack *ns, const uint8_t *frame, size_t len)
{
	const uint8_t *ip = frame + NET_ETH_HDR;
	size_t avail = len - NET_ETH_HDR;

	if (len < NET_ETH_HDR + IP_HDR) {
		ns->stats.rx_dropped++;
		return;
	}
	/* Each header field is read once; checks and uses see the same value. */
	uint8_t vihl = ip[0], proto = ip[9];
	size_t hlen = (size_t)(vihl & 0xf) * 4, total = get16(ip + 2);
	uint16_t frag = get16(ip + 6);
	uint32_t src = get32(ip + 12), dst = get32(ip + 16);
	if (vihl >> 4 != 4 || hlen < IP_HDR || hlen > avail || total < hlen || total > avail) {
		ns->stats.rx_dropped++;
		return;
	}
	if (net_csum(ip, hlen, 0) != 0) {
		ns->stats.bad_checksum++;
		ns->stats.rx_dropped++;
		return;
	}
	if (frag & IP_MF_OFFSET) {
		ns->stats.fragments++;
		ns->stats.rx_dropped++;
		return;
	}
	if (dst != ns->ip && !is_broadcast(ns, dst)) {
		ns->stats.rx_dropped++;
		return;
	}
	if (proto == IP_PROTO_ICMP)
		icmp_input(ns, src, ip + hlen, total - hlen);
	else if (proto == IP_PROTO_UDP)
		udp_input(ns, src, dst, ip + hlen, total - hlen);
	else
		ns->stats.rx_dropped++;
}
