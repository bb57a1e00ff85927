/*
 * A small IPv4 stack for guest VMs: Ethernet II, ARP, IPv4 (no fragments),
 * ICMP echo and UDP. No TCP, no DHCP. It never touches a device or a
 * hypercall: frames go out through ops->send and come in through net_input,
 * so the same code runs behind netfront, on a NIC driver directly, and in
 * host unit tests. Every received frame is treated as hostile.
 * Addresses are host byte order in the API.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include <stddef.h>
#include <stdint.h>

#define NET_MTU          1500
#define NET_ETH_HDR      14
#define NET_MAX_FRAME    (NET_ETH_HDR + NET_MTU)
#define NET_UDP_MAX      (NET_MTU - 20 - 8)     /* 1472 */
#define NET_ARP_ENTRIES  16
#define NET_UDP_BINDS    8

#define NET_EINVAL   (-22)  /* bad argument: port 0, payload too large */
#define NET_EAGAIN   (-11)  /* destination's MAC not known yet: queued, ARP sent */
#define NET_ENOBUFS  (-105) /* a packet already waits for that destination */
#define NET_EIO      (-5)   /* the link refused the frame */

struct net_ops {
	void *ctx;
	int (*send)(void *ctx, const void *frame, size_t len);
	uint64_t (*now_ns)(void *ctx);
};

typedef void (*net_udp_cb)(void *arg, uint32_t src_ip, uint16_t src_port, uint16_t dst_port,
			   const void *data, size_t len);
typedef void (*net_ping_cb)(void *arg, uint32_t src_ip, uint16_t id, uint16_t seq);

struct net_stats {
	uint64_t rx_frames, tx_frames, rx_dropped, bad_checksum, fragments;
	uint64_t arp_rx, arp_tx, icmp_echo_rx, icmp_reply_rx, udp_rx, udp_tx, udp_unbound;
};

struct net_arp_entry {
	uint32_t ip;
	uint8_t mac[6];
	uint8_t valid;
	uint64_t expires;
	/* One packet waiting for this address (a UDP or ICMP payload built already). */
	uint8_t pending[NET_MAX_FRAME];
	uint16_t pending_len;       /* 0 = none */
	uint8_t tries;
	uint64_t next_try;
};

struct netstack {
	uint8_t mac[6];
	uint32_t ip, netmask, gateway;
	struct net_ops ops;
	struct net_arp_entry arp[NET_ARP_ENTRIES];
	struct { uint16_t port; net_udp_cb cb; void *arg; } udp[NET_UDP_BINDS];
	net_ping_cb ping_cb;
	void *ping_arg;
	uint16_t ip_id;
	uint8_t frame[NET_MAX_FRAME];       /* scratch for building outgoing frames */
	struct net_stats stats;
};

void net_init(struct netstack *ns, const uint8_t mac[6], uint32_t ip, uint32_t netmask,
	      uint32_t gateway, const struct net_ops *ops);
void net_input(struct netstack *ns, const void *frame, size_t len);
/* ARP retries and expiry; call every few milliseconds. */
void net_poll(struct netstack *ns);
int net_udp_bind(struct netstack *ns, uint16_t port, net_udp_cb cb, void *arg);
int net_udp_send(struct netstack *ns, uint32_t dst_ip, uint16_t src_port, uint16_t dst_port,
		 const void *data, size_t len);
int net_ping(struct netstack *ns, uint32_t dst_ip, uint16_t id, uint16_t seq, size_t payload_len);
void net_set_ping_cb(struct netstack *ns, net_ping_cb cb, void *arg);
/* Gratuitous ARP and a request for the gateway, so the LAN learns our MAC. */
int net_announce(struct netstack *ns);

/* UDP echo service: every datagram to echo_port goes back to its sender;
 * one to quit_port sets quit. */
struct net_echo {
	struct netstack *ns;
	uint64_t echoed;
	int quit;
};
int net_echo_start(struct net_echo *e, struct netstack *ns, uint16_t echo_port, uint16_t quit_port);

int net_parse_ip(const char *s, uint32_t *ip);
int net_parse_mac(const char *s, uint8_t mac[6]);
/* Internet checksum (RFC 1071) of a buffer, continuing from sum. */
uint16_t net_csum(const void *data, size_t len, uint32_t sum);

#endif
