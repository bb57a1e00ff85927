/* Set-up and frame dispatch of the guest IPv4 stack (guest/net/net.h). */
#include "guest/net/net.h"
#include "guest/net/wire.h"
#include "kstring.h"

void net_init(struct netstack *ns, const uint8_t mac[6], uint32_t ip, uint32_t netmask,
	      uint32_t gateway, const struct net_ops *ops)
{
	memset(ns, 0, sizeof(*ns));
	memcpy(ns->mac, mac, 6);
	ns->ip = ip;
	ns->netmask = netmask;
	ns->gateway = gateway;
	ns->ops = *ops;
	ns->ip_id = (uint16_t)(ip * 2654435761u >> 16);
}

void net_input(struct netstack *ns, const void *frame, size_t len)
{
	const uint8_t *f = frame;

	ns->stats.rx_frames++;
	if (len < NET_ETH_HDR || len > NET_MAX_FRAME) {
		ns->stats.rx_dropped++;
		return;
	}
	/* Ours, or broadcast; other multicast is not joined. The header is read
	 * once, into locals. */
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t dst[6];
	memcpy(dst, f, 6);
	uint16_t type = get16(f + 12);
	if (memcmp(dst, ns->mac, 6) && memcmp(dst, bcast, 6)) {
		ns->stats.rx_dropped++;
		return;
	}
	if (type == ETH_TYPE_ARP)
		net_arp_input(ns, f, len);
	else if (type == ETH_TYPE_IP)
		net_ip_input(ns, f, len);
	else
		ns->stats.rx_dropped++;
}

int net_udp_bind(struct netstack *ns, uint16_t port, net_udp_cb cb, void *arg)
{
	if (!port || !cb)
		return NET_EINVAL;
	for (unsigned i = 0; i < NET_UDP_BINDS; i++) {
		if (!ns->udp[i].cb || ns->udp[i].port == port) {
			ns->udp[i].port = port;
			ns->udp[i].cb = cb;
			ns->udp[i].arg = arg;
			return 0;
		}
	}
	return NET_ENOBUFS;
}

void net_set_ping_cb(struct netstack *ns, net_ping_cb cb, void *arg)
{
	ns->ping_cb = cb;
	ns->ping_arg = arg;
}
