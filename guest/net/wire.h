/* Big-endian field access and header offsets for the guest IPv4 stack. */
#ifndef GUEST_NET_WIRE_H
#define GUEST_NET_WIRE_H

#include <stdint.h>

#define ETH_TYPE_IP   0x0800
#define ETH_TYPE_ARP  0x0806
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP  17
#define IP_HDR        20        /* we send no options */
#define UDP_HDR       8
#define ICMP_HDR      8

static inline uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static inline uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static inline void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
}

struct netstack;
/* Internal: send an IP packet whose payload is already at ns->frame + 14 + 20. */
int net_ip_output(struct netstack *ns, uint32_t dst, uint8_t proto, size_t payload_len);
void net_arp_input(struct netstack *ns, const uint8_t *frame, size_t len);
void net_ip_input(struct netstack *ns, const uint8_t *frame, size_t len);
/* Send a finished frame to dst's next hop: now, or after ARP resolves it. */
int net_arp_resolve_send(struct netstack *ns, uint32_t next_hop, uint8_t *frame, size_t len);
void net_eth_header(struct netstack *ns, uint8_t *frame, const uint8_t dst[6], uint16_t type);

#endif
