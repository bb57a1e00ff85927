/*
 * libFuzzer target: the guest IPv4 stack's frame input (net_input), which
 * parses frames from the network. The input is a sequence of frames (a
 * control byte, two length bytes, then the frame) with time passing between
 * them; the control byte may ask for the IP and UDP/ICMP checksums to be made
 * valid, so that the fuzzer gets past them to the code behind. ARP state,
 * pending packets and replies are exercised too, so
 * ARP state, pending packets and replies are exercised too. Invariants: the
 * stack never sends a frame shorter than an Ethernet header or longer than
 * the largest frame, never reads outside the frame it was given (ASan:
 * every frame is copied into a buffer of exactly its length).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guest/net/net.h"

static uint64_t now;
static struct netstack ns;
static struct net_echo echo;

static int send_cb(void *ctx, const void *f, size_t len)
{
	uint8_t x = 0;

	(void)ctx;
	if (len < NET_ETH_HDR || len > NET_MAX_FRAME)
		abort();
	for (size_t i = 0; i < len; i++)
		x ^= ((const uint8_t *)f)[i];           /* every byte sent must be readable */
	__asm__ volatile("" :: "r"(x));
	return 0;
}

static uint64_t now_cb(void *ctx) { (void)ctx; return now; }

static void put_csum(uint8_t *p, uint16_t c) { p[0] = (uint8_t)(c >> 8); p[1] = (uint8_t)c; }

/* Make the checksums the stack verifies valid, where the frame has room. */
static void fix_checksums(uint8_t *f, size_t len, uint8_t ctl)
{
	uint8_t *ip = f + NET_ETH_HDR;
	size_t hlen = len >= NET_ETH_HDR + 20 ? (size_t)(ip[0] & 0xf) * 4 : 0;

	if (hlen < 20 || NET_ETH_HDR + hlen > len)
		return;
	size_t total = (size_t)(ip[2] << 8 | ip[3]);
	if (ctl & 4 && total >= hlen && NET_ETH_HDR + total <= len) {
		uint8_t *l4 = ip + hlen;
		size_t n = total - hlen;
		if (ip[9] == 1 && n >= 8) {
			put_csum(l4 + 2, 0);
			put_csum(l4 + 2, net_csum(l4, n, 0));
		} else if (ip[9] == 17 && n >= 8) {
			size_t ulen = (size_t)(l4[4] << 8 | l4[5]);
			if (ulen >= 8 && ulen <= n) {
				uint32_t ps = (uint32_t)(ip[12] << 8 | ip[13]) + (uint32_t)(ip[14] << 8 | ip[15]) +
					      (uint32_t)(ip[16] << 8 | ip[17]) + (uint32_t)(ip[18] << 8 | ip[19]) +
					      17 + (uint32_t)ulen;
				put_csum(l4 + 6, 0);
				put_csum(l4 + 6, net_csum(l4, ulen, ps));
			}
		}
	}
	if (ctl & 2) {
		put_csum(ip + 10, 0);
		put_csum(ip + 10, net_csum(ip, hlen, 0));
	}
}

static void on_ping(void *arg, uint32_t src, uint16_t id, uint16_t seq)
{
	(void)arg; (void)src;
	net_ping(&ns, 0x0a000202, id, (uint16_t)(seq + 1), seq % 64);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0, 0, 0, 0x15 };
	struct net_ops ops = { 0, send_cb, now_cb };

	now = 1000;
	net_init(&ns, mac, 0x0a00020f, 0xffffff00, 0x0a000202, &ops);
	net_echo_start(&echo, &ns, 7, 9);
	net_set_ping_cb(&ns, on_ping, 0);
	if (size && data[0] & 1)
		net_udp_send(&ns, 0x0a000210, 5, 6, data, size > NET_UDP_MAX ? NET_UDP_MAX : size);
	for (size_t i = 1; i + 3 <= size;) {
		uint8_t ctl = data[i];
		size_t len = (size_t)(data[i + 1] << 8 | data[i + 2]) % (NET_MAX_FRAME + 64);
		i += 3;
		if (len > size - i)
			len = size - i;
		uint8_t *f = malloc(len ? len : 1);
		memcpy(f, data + i, len);
		fix_checksums(f, len, ctl);
		net_input(&ns, f, len);
		free(f);
		i += len;
		now += (uint64_t)len * 50000000ull;     /* retries and expiry happen too */
		net_poll(&ns);
	}
	return 0;
}
