/* The guest IPv4 stack against hand-built frames: ARP, ICMP echo, UDP, the
 * pending-packet path, and malformed frames of every kind (ASan watches). */
#include <stdint.h>
#include <string.h>
#include "guest/net/net.h"
#include "unit.h"

static uint8_t sent[8][NET_MAX_FRAME];
static size_t sent_len[8];
static unsigned nsent;
static uint64_t now_ns = 1000;

static int send_cb(void *ctx, const void *f, size_t len)
{
	(void)ctx;
	CHECK(len <= NET_MAX_FRAME);
	if (nsent < 8) {
		memcpy(sent[nsent], f, len);
		sent_len[nsent] = len;
	}
	nsent++;
	return 0;
}

static uint64_t now_cb(void *ctx) { (void)ctx; return now_ns; }

static const uint8_t my_mac[6] = { 0x52, 0x54, 0, 0, 0, 0x15 };
static const uint8_t gw_mac[6] = { 0x52, 0x55, 10, 0, 2, 2 };
#define MY_IP 0x0a00020f        /* 10.0.2.15 */
#define GW_IP 0x0a000202
#define PEER_IP 0x0a000210      /* 10.0.2.16 */

static struct netstack ns;
static uint8_t f[NET_MAX_FRAME];

static void p16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void p32(uint8_t *p, uint32_t v) { p16(p, (uint16_t)(v >> 16)); p16(p + 2, (uint16_t)v); }
static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Independent checksum (RFC 1071) for verifying what the stack sends. */
static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void reset(void)
{
	struct net_ops ops = { 0, send_cb, now_cb };
	net_init(&ns, my_mac, MY_IP, 0xffffff00, GW_IP, &ops);
	nsent = 0;
}

static size_t arp_frame(uint16_t op, const uint8_t *sha, uint32_t spa, uint32_t tpa)
{
	memset(f, 0, sizeof(f));
	memset(f, 0xff, 6);
	memcpy(f + 6, sha, 6);
	p16(f + 12, 0x0806);
	p16(f + 14, 1); p16(f + 16, 0x0800); f[18] = 6; f[19] = 4; p16(f + 20, op);
	memcpy(f + 22, sha, 6); p32(f + 28, spa); p32(f + 38, tpa);
	return 42;
}

/* IPv4 + UDP to us from PEER_IP:5000 with payload n bytes; returns frame length. */
static size_t udp_frame(uint16_t dport, size_t n, int good_csum)
{
	uint8_t *ip = f + 14, *u = ip + 20;
	memset(f, 0, sizeof(f));
	memcpy(f, my_mac, 6);
	memcpy(f + 6, gw_mac, 6);
	p16(f + 12, 0x0800);
	ip[0] = 0x45; p16(ip + 2, (uint16_t)(28 + n)); ip[8] = 64; ip[9] = 17;
	p32(ip + 12, PEER_IP); p32(ip + 16, MY_IP);
	p16(ip + 10, csum(ip, 20, 0));
	p16(u, 5000); p16(u + 2, dport); p16(u + 4, (uint16_t)(8 + n));
	for (size_t i = 0; i < n; i++)
		u[8 + i] = (uint8_t)(i * 7 + 3);
	uint32_t ps = (PEER_IP >> 16) + (PEER_IP & 0xffff) + (MY_IP >> 16) + (MY_IP & 0xffff) + 17 + 8 + n;
	uint16_t c = csum(u, 8 + n, ps);
	p16(u + 6, good_csum ? (c ? c : 0xffff) : (uint16_t)(c + 1));
	return 14 + 28 + n;
}

static uint32_t got_src; static uint16_t got_sport; static size_t got_len; static uint8_t got[2048];
static void udp_cb(void *arg, uint32_t src, uint16_t sport, uint16_t dport, const void *d, size_t n)
{
	(void)arg; (void)dport;
	got_src = src; got_sport = sport; got_len = n;
	memcpy(got, d, n);
}

static void arp_reply_and_learning(void)
{
	reset();
	net_input(&ns, f, arp_frame(1, gw_mac, GW_IP, MY_IP));
	CHECK_EQ(nsent, 1);
	CHECK(!memcmp(sent[0], gw_mac, 6));
	CHECK_EQ(g16(sent[0] + 20), 2);                 /* reply */
	CHECK(!memcmp(sent[0] + 22, my_mac, 6));
	CHECK(!memcmp(sent[0] + 32, gw_mac, 6));
	/* The request taught us the gateway: a UDP packet off-link goes at once. */
	CHECK_EQ(net_udp_send(&ns, 0x08080808, 1, 2, "x", 1), 0);
	CHECK_EQ(nsent, 2);
	CHECK(!memcmp(sent[1], gw_mac, 6));
	/* A request for someone else is not answered. */
	net_input(&ns, f, arp_frame(1, gw_mac, GW_IP, PEER_IP));
	CHECK_EQ(nsent, 2);
}

static void pending_until_arp(void)
{
	static const uint8_t peer_mac[6] = { 0x52, 0x54, 0, 0, 0, 0x16 };
	reset();
	CHECK_EQ(net_udp_send(&ns, PEER_IP, 7, 7, "hello", 5), NET_EAGAIN);
	CHECK_EQ(nsent, 1);                             /* the ARP request */
	CHECK_EQ(g16(sent[0] + 12), 0x0806);
	CHECK_EQ(net_udp_send(&ns, PEER_IP, 7, 7, "again", 5), NET_ENOBUFS);
	now_ns += 250000000;
	net_poll(&ns);
	CHECK_EQ(nsent, 2);                             /* retried */
	net_input(&ns, f, arp_frame(2, peer_mac, PEER_IP, MY_IP));
	CHECK_EQ(nsent, 3);                             /* the held packet went out */
	CHECK(!memcmp(sent[2], peer_mac, 6));
	CHECK_EQ(sent_len[2], 14 + 28 + 5);
	CHECK(!memcmp(sent[2] + 42, "hello", 5));
	/* Unanswered: dropped after the retries. */
	CHECK_EQ(net_udp_send(&ns, 0x0a000233, 7, 7, "x", 1), NET_EAGAIN);
	for (int i = 0; i < 10; i++) {
		now_ns += 250000000;
		net_poll(&ns);
	}
	CHECK_EQ(net_udp_send(&ns, 0x0a000233, 7, 7, "x", 1), NET_EAGAIN);   /* slot free again */
}

static void udp_echo_path(void)
{
	reset();
	net_input(&ns, f, arp_frame(1, gw_mac, GW_IP, MY_IP));
	nsent = 0;
	CHECK_EQ(net_udp_bind(&ns, 7, udp_cb, 0), 0);
	for (size_t n = 0; n <= NET_UDP_MAX; n += 97) {
		got_len = 9999;
		net_input(&ns, f, udp_frame(7, n, 1));
		CHECK_EQ(got_len, n);
		CHECK_EQ(got_src, PEER_IP);
		CHECK_EQ(got_sport, 5000);
		CHECK(!memcmp(got, f + 42, n));
	}
	CHECK_EQ(net_udp_send(&ns, GW_IP, 7, 5000, got, 1000), 0);
	const uint8_t *ip = sent[nsent - 1] + 14, *u = ip + 20;
	CHECK_EQ(csum(ip, 20, 0), 0);
	uint32_t ps = (MY_IP >> 16) + (MY_IP & 0xffff) + (GW_IP >> 16) + (GW_IP & 0xffff) + 17 + 1008;
	CHECK_EQ(csum(u, 1008, ps), 0);
	CHECK_EQ(g16(ip + 2), 1028);
	CHECK_EQ(g16(u + 4), 1008);
	CHECK_EQ(net_udp_send(&ns, GW_IP, 7, 5000, got, NET_UDP_MAX + 1), NET_EINVAL);
	CHECK_EQ(net_udp_send(&ns, GW_IP, 0, 5000, got, 1), NET_EINVAL);
	CHECK_EQ(net_udp_bind(&ns, 0, udp_cb, 0), NET_EINVAL);
	/* Bad UDP checksum, unbound port: not delivered. */
	got_len = 9999;
	net_input(&ns, f, udp_frame(7, 10, 0));
	CHECK_EQ(got_len, 9999);
	CHECK_EQ(ns.stats.bad_checksum, 1);
	net_input(&ns, f, udp_frame(8, 10, 1));
	CHECK_EQ(got_len, 9999);
	CHECK_EQ(ns.stats.udp_unbound, 1);
}

/* The echo service answers with the same payload, ports swapped, and a
 * datagram to the quit port ends it. */
static void echo_service(void)
{
	struct net_echo e;

	reset();
	CHECK_EQ(net_echo_start(&e, &ns, 7, 7), NET_EINVAL);
	CHECK_EQ(net_echo_start(&e, &ns, 7, 9), 0);
	net_input(&ns, f, arp_frame(1, gw_mac, PEER_IP, MY_IP));    /* learn the peer */
	nsent = 0;
	size_t len = udp_frame(7, 300, 1);
	net_input(&ns, f, len);
	CHECK_EQ(e.echoed, 1);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent_len[0], len);
	const uint8_t *ip = sent[0] + 14, *u = ip + 20;
	CHECK(!memcmp(sent[0], gw_mac, 6));
	CHECK_EQ(g16(ip + 16), PEER_IP >> 16);
	CHECK_EQ(g16(u), 7);
	CHECK_EQ(g16(u + 2), 5000);
	CHECK(!memcmp(u + 8, f + 42, 300));
	CHECK_EQ(e.quit, 0);
	net_input(&ns, f, udp_frame(9, 4, 1));
	CHECK_EQ(e.quit, 1);
	CHECK_EQ(nsent, 1);                     /* the quit datagram is not echoed */
}

static void icmp_echo(void)
{
	reset();
	net_input(&ns, f, arp_frame(1, gw_mac, GW_IP, MY_IP));
	nsent = 0;
	size_t len = udp_frame(7, 56, 1);
	uint8_t *ip = f + 14, *m = ip + 20;
	ip[9] = 1;
	p32(ip + 12, GW_IP);            /* from a neighbour whose MAC we know */
	p16(ip + 10, 0);
	p16(ip + 10, csum(ip, 20, 0));
	m[0] = 8; m[1] = 0; p16(m + 2, 0); p16(m + 4, 0x1234); p16(m + 6, 9);
	p16(m + 2, csum(m, 64, 0));
	net_input(&ns, f, len);
	CHECK_EQ(nsent, 1);
	CHECK_EQ(sent_len[0], len);
	CHECK_EQ(sent[0][34], 0);                       /* echo reply */
	CHECK(!memcmp(sent[0] + 38, m + 4, 60));        /* id, seq, payload */
	CHECK_EQ(csum(sent[0] + 34, 64, 0), 0);
	CHECK(!memcmp(sent[0], gw_mac, 6));
}

static void malformed(void)
{
	reset();
	net_input(&ns, f, arp_frame(1, gw_mac, GW_IP, MY_IP));
	CHECK_EQ(net_udp_bind(&ns, 7, udp_cb, 0), 0);
	size_t full = udp_frame(7, 100, 1);
	/* Every truncation of a good frame, from an exactly-sized copy. */
	for (size_t cut = 0; cut < full; cut++) {
		uint8_t *c = malloc(cut ? cut : 1);
		memcpy(c, f, cut);
		got_len = 9999;
		net_input(&ns, c, cut);
		CHECK_EQ(got_len, 9999);
		free(c);
	}
	struct { size_t off; uint8_t val; } bad[] = {
		{ 14, 0x44 },           /* IHL 4 */
		{ 14, 0x65 },           /* version 6 */
		{ 16, 0xff },           /* total length past the frame */
		{ 20, 0x20 },           /* more fragments */
		{ 21, 0x01 },           /* fragment offset */
		{ 33, 0x99 },           /* not our address */
		{ 38, 0xff },           /* UDP length past the IP payload */
		{ 39, 0x03 },           /* UDP length < 8 */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		udp_frame(7, 100, 1);
		f[bad[i].off] = bad[i].val;
		if (bad[i].off < 34 && bad[i].off != 14) {      /* keep the header checksum right */
			p16(f + 24, 0);
			p16(f + 24, csum(f + 14, 20, 0));
		}
		got_len = 9999;
		net_input(&ns, f, full);
		CHECK_EQ(got_len, 9999);
	}
	udp_frame(7, 100, 1);
	f[24] ^= 1;                                      /* IP header checksum */
	got_len = 9999;
	net_input(&ns, f, full);
	CHECK_EQ(got_len, 9999);
	net_input(&ns, f, NET_MAX_FRAME + 1 > sizeof(f) ? sizeof(f) : NET_MAX_FRAME + 1);
}

static void parsing(void)
{
	uint32_t ip;
	uint8_t mac[6];
	CHECK_EQ(net_parse_ip("10.0.2.15", &ip), 0);
	CHECK_EQ(ip, MY_IP);
	CHECK_EQ(net_parse_ip("255.255.255.255", &ip), 0);
	CHECK_EQ(net_parse_ip("256.0.0.1", &ip), -1);
	CHECK_EQ(net_parse_ip("1.2.3", &ip), -1);
	CHECK_EQ(net_parse_ip("1.2.3.4.5", &ip), -1);
	CHECK_EQ(net_parse_ip("1..2.3", &ip), -1);
	CHECK_EQ(net_parse_ip("0001.2.3.4", &ip), -1);
	CHECK_EQ(net_parse_mac("52:54:00:12:34:5f", mac), 0);
	CHECK_EQ(mac[5], 0x5f);
	CHECK_EQ(net_parse_mac("52:54:00:12:34", mac), -1);
	CHECK_EQ(net_parse_mac("52:54:00:12:34:5g", mac), -1);
	CHECK_EQ(net_parse_mac("52:54:00:12:34:56:", mac), -1);
}

int main(void)
{
	arp_reply_and_learning();
	pending_until_arp();
	udp_echo_path();
	echo_service();
	icmp_echo();
	malformed();
	parsing();
	return unit_done("net");
}
