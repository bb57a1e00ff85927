/*
 * A client VM whose only network is netfront to the NIC driver domain
 * (backend=NAME). It answers ARP and ping, echoes every UDP datagram sent to
 * echo_port (default 7) back to its sender, and exits 0 when a datagram
 * arrives on quit_port (default 9). With ping=IP it also pings that address
 * until pings=N (default 5) replies came, one request outstanding at a time;
 * an unanswered request is sent again after 500 ms (the peer may not be
 * connected yet, or its MAC not resolved: the stack holds one packet per
 * address). It exits non-zero unless every reply came within 10 s;
 * ping_only=1 exits once the pings are answered (or given up), after one
 * more second of answering others.
 * args: backend= mac= ip= [gw=10.0.2.2] [echo_port=] [quit_port=] [ping= pings=] [delay_ms=: wait before attaching]
 */
#include "faultinject/clientfaults.h"
#include "frontend/netfront.h"
#include "guest/net/net.h"
#include "rt/channel.h"
#include "rt/rt.h"

#define PING_ID 0x4242

static struct netfront nf;
static struct netstack ns;
static struct net_echo echo;
static uint64_t ping_replies;
static uint16_t ping_seq;           /* the request outstanding */
static int ping_answered = 1;

static int send_frame(void *ctx, const void *frame, size_t len)
{
	(void)ctx;
	return netfront_send(&nf, frame, len);
}

static uint64_t now(void *ctx)
{
	(void)ctx;
	return hv_time();
}

static void on_ping(void *arg, uint32_t src, uint16_t id, uint16_t seq)
{
	(void)arg; (void)src;
	if (id != PING_ID || seq != ping_seq || ping_answered)
		return;                 /* a late reply to a request sent again */
	ping_answered = 1;
	ping_replies++;
}

/* Keep one echo request outstanding until 'pings' replies came. */
static void ping_step(uint32_t ip, uint64_t pings, uint64_t *sent, uint64_t *next_at)
{
	uint64_t now = hv_time();

	if (ping_replies >= pings || (!ping_answered && now < *next_at))
		return;
	if (ping_answered) {
		if (*sent)
			ping_seq++;
		ping_answered = 0;
	}
	net_ping(&ns, ip, PING_ID, ping_seq, 56);
	(*sent)++;
	*next_at = now + 500000000ull;
}

static void on_frame(void *arg, const void *frame, size_t len)
{
	(void)arg;
	net_input(&ns, frame, len);
}

static void parse_args(uint8_t mac[6], uint32_t *ip, uint32_t *gw, uint32_t *ping_ip)
{
	char s[40];

	if (!rt_arg_str("mac", s, sizeof(s)) || net_parse_mac(s, mac))
		rt_fail("mac=xx:xx:xx:xx:xx:xx missing or malformed");
	if (!rt_arg_str("ip", s, sizeof(s)) || net_parse_ip(s, ip))
		rt_fail("ip=a.b.c.d missing or malformed");
	if (!rt_arg_str("gw", s, sizeof(s)))
		memcpy(s, "10.0.2.2", 9);
	if (net_parse_ip(s, gw))
		rt_fail("gw=%s malformed", s);
	*ping_ip = 0;
	if (rt_arg_str("ping", s, sizeof(s)) && net_parse_ip(s, ping_ip))
		rt_fail("ping=%s malformed", s);
}

int main(void)
{
	uint8_t mac[6];
	uint32_t ip, gw, ping_ip;
	uint64_t pings = rt_arg_u64("pings", 5), sent_pings = 0, next_ping = 0;
	struct net_ops ops = { 0, send_frame, now };
	int announced = 0, ping_only = (int)rt_arg_u64("ping_only", 0);
	uint64_t give_up = 0, linger_until = 0;

	clientfaults_link();     /* the hooks of the cl_* site faults */
	parse_args(mac, &ip, &gw, &ping_ip);
	hv_sleep(rt_arg_u64("delay_ms", 0) * 1000000ull);      /* let others go first */
	netfront_init(&nf, (uint32_t)rt_peer_id("backend"), mac);
	net_init(&ns, mac, ip, 0xffffff00u, gw, &ops);
	if (net_echo_start(&echo, &ns, (uint16_t)rt_arg_u64("echo_port", 7),
			   (uint16_t)rt_arg_u64("quit_port", 9)))
		rt_fail("echo_port= and quit_port= must be distinct and not 0");
	net_set_ping_cb(&ns, on_ping, 0);
	while (!echo.quit) {
		netfront_poll(&nf, on_frame, 0);
		if (netfront_gone(&nf)) {
			gprintf("udpecho: the network backend is gone for good; stopping\n");
			return 2;
		}
		if (!netfront_connected(&nf)) {
			announced = 0;
			netfront_wait(&nf, 5000000ull);
			continue;
		}
		if (!announced) {
			net_announce(&ns);      /* after every (re)connect: switches relearn us */
			announced = 1;
		}
		net_poll(&ns);
		if (ping_only && (ping_replies >= pings || (give_up && hv_time() > give_up))) {
			if (!linger_until)
				linger_until = hv_time() + 1000000000ull;
			else if (hv_time() > linger_until)
				break;
		}
		if (ping_ip && !(give_up && hv_time() > give_up)) {
			if (!give_up)
				give_up = hv_time() + 10000000000ull;
			ping_step(ping_ip, pings, &sent_pings, &next_ping);
		}
		netfront_wait(&nf, 10000000ull);
	}
	gprintf("udpecho: %lu datagrams echoed, %lu/%lu ping replies (%lu requests), netfront: "
		"%lu tx %lu rx %lu dropped %lu reconnects %lu notifications\n", echo.echoed, ping_replies,
		ping_ip ? pings : 0, sent_pings, nf.stats.tx, nf.stats.rx, nf.stats.tx_dropped, nf.stats.reconnects,
		nf.stats.notifications);
	gprintf("udpecho: net: %lu rx %lu tx %lu dropped %lu arp_rx %lu arp_tx %lu icmp_req %lu "
		"icmp_reply %lu udp_rx %lu bad_csum\n", ns.stats.rx_frames, ns.stats.tx_frames,
		ns.stats.rx_dropped, ns.stats.arp_rx, ns.stats.arp_tx, ns.stats.icmp_echo_rx,
		ns.stats.icmp_reply_rx, ns.stats.udp_rx, ns.stats.bad_checksum);
	return ping_ip && ping_replies < pings ? 1 : 0;
}
