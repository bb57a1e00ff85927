/*
 * The UDP echo service (guest/net/net.h) of the client VMs and of the
 * direct-assignment baseline, so both answer the host's load generator with
 * exactly the same code.
 */
#include "guest/net/net.h"

static void on_echo(void *arg, uint32_t src, uint16_t sport, uint16_t dport, const void *d, size_t n)
{
	struct net_echo *e = arg;

	/* A lost echo is the sender's to notice: it counts and times out. */
	net_udp_send(e->ns, src, dport, sport, d, n);
	e->echoed++;
}

static void on_quit(void *arg, uint32_t src, uint16_t sport, uint16_t dport, const void *d, size_t n)
{
	struct net_echo *e = arg;

	(void)src; (void)sport; (void)dport; (void)d; (void)n;
	e->quit = 1;
}

int net_echo_start(struct net_echo *e, struct netstack *ns, uint16_t echo_port, uint16_t quit_port)
{
	int rc;

	if (echo_port == quit_port)
		return NET_EINVAL;      /* a second bind would replace the first */
	e->ns = ns;
	e->echoed = 0;
	e->quit = 0;
	if ((rc = net_udp_bind(ns, echo_port, on_echo, e)))
		return rc;
	return net_udp_bind(ns, quit_port, on_quit, e);
}
