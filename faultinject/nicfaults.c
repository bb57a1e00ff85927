/*
 * The NIC driver domain's site-fault hooks (faultinject/nicfaults.h). Each
 * hook is what a device, DMA, protocol or hang fault does at the moment the
 * driver reaches its site. The call to a hook stays in the text until the
 * generation ends, so a one-shot hook keeps a flag (reset with the image at
 * the next generation); a persistent one acts on every pass. Hooks report
 * themselves once per generation ("nicfaults: TYPE") so a console shows when
 * the fault manifested. Hook bodies are named fi_hookc_*: fimut never picks
 * code faults in fi_hook* or nicfaults_* functions (they run only under a
 * site fault, or for netdd's crash=dma).
 */
#include "backend/netback.h"
#include "faultinject/attacks.h"
#include "faultinject/fihelp.h"
#include "faultinject/nicfaults.h"
#include "public/io/netif.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

static struct e1000 *the_nic;

void nicfaults_attach(struct e1000 *nic)
{
	the_nic = nic;
}

/* ---- rogue DMA (also netdd's crash=dma) ---- */

static struct e1000_rx_desc rogue_rx[8] __attribute__((aligned(128)));
static uint8_t loop_frame[60];

#define E1000_MDIC          0x0020
#define MDIC_WRITE_PHY_CTRL (1u << 21 | 1u << 26)   /* PHY 1, register 0, op write */
#define MDIC_READY          (1u << 28)
#define PHY_CTRL_LOOPBACK   0x4000
#define PHY_CTRL_DEFAULT    0x1140                  /* autoneg, full duplex, 1000 Mb/s */

/* Both the ring and the frame are in our memory, so only the buffer is foreign. */
void nicfaults_rogue_receive(struct e1000 *nic, uint64_t target)
{
	volatile uint32_t *r = nic->regs;

	for (unsigned i = 0; i < 8; i++)
		rogue_rx[i] = (struct e1000_rx_desc){ .addr = target };
	/* The receiver stays on: QEMU refuses frames for a second after any
	 * RCTL write. */
	r[E1000_RDBAL / 4] = (uint32_t)(uintptr_t)rogue_rx;
	r[E1000_RDBAH / 4] = (uint32_t)((uint64_t)(uintptr_t)rogue_rx >> 32);
	r[E1000_RDLEN / 4] = sizeof(rogue_rx);
	r[E1000_RDH / 4] = 0;
	r[E1000_RDT / 4] = 7;
	r[E1000_MDIC / 4] = MDIC_WRITE_PHY_CTRL | PHY_CTRL_DEFAULT | PHY_CTRL_LOOPBACK;
	for (int i = 0; i < 1000 && !(r[E1000_MDIC / 4] & MDIC_READY); i++)
		;
	memset(loop_frame, 0xff, 6);                    /* broadcast */
	memcpy(loop_frame + 6, nic->mac, 6);
	loop_frame[12] = 0x88;                          /* local experimental ethertype */
	loop_frame[13] = 0xb5;
	e1000_tx(nic, loop_frame, sizeof(loop_frame));
}

/* ---- hooks ---- */

#define ONCE(type)  FI_ONCE("nicfaults", type)
#define FIRST(type) FI_FIRST("nicfaults", type)

/* dma_wild (one-shot): receive into memory 16 MiB past our RAM. arg: the NIC. */
FI_HOOK(dma_wild, fi_hookc_dma_wild);
static void fi_hookc_dma_wild(void *arg)
{
	ONCE("dma_wild");
	nicfaults_rogue_receive(arg, rt_info.mem_bytes + (16u << 20));
}

/* dma_irqwin (one-shot): the same into the interrupt window. arg: the NIC. */
FI_HOOK(dma_irqwin, fi_hookc_dma_irqwin);
static void fi_hookc_dma_irqwin(void *arg)
{
	ONCE("dma_irqwin");
	nicfaults_rogue_receive(arg, FI_MSI_WINDOW);
}

/* irq_storm (persistent): after each acknowledgement the NIC raises its
 * interrupt again (interrupt cause set register). arg: the NIC. */
FI_HOOK(irq_storm, fi_hookc_irq_storm);
static void fi_hookc_irq_storm(void *arg)
{
	struct e1000 *n = arg;

	FIRST("irq_storm");
	n->regs[E1000_ICS / 4] = ICR_RXT0;
}

/* irq_lost (persistent): the interrupt's causes are read away and its event
 * bit dropped before the driver looks. arg: the event word just taken. */
FI_HOOK(irq_lost, fi_hookc_irq_lost);
static void fi_hookc_irq_lost(void *arg)
{
	uint64_t *ev = arg;
	struct e1000 *n = the_nic;

	if (!n || n->irq_port <= 0 || !(*ev >> n->irq_port & 1))
		return;
	FIRST("irq_lost");
	(void)n->regs[E1000_ICR / 4];
	*ev &= ~(1ull << n->irq_port);
}

/* dev_stop (one-shot): receiver and transmitter switched off behind the
 * driver's back, as it hands the device a frame. arg: the NIC. */
FI_HOOK(dev_stop, fi_hookc_dev_stop);
static void fi_hookc_dev_stop(void *arg)
{
	struct e1000 *n = arg;

	ONCE("dev_stop");
	n->regs[E1000_RCTL / 4] &= ~RCTL_EN;
	n->regs[E1000_TCTL / 4] &= ~TCTL_EN;
}

/* desc_len (one-shot): the length of the done RX descriptor the driver is
 * about to read is corrupted. arg: the descriptor. */
FI_HOOK(desc_len, fi_hookc_desc_len);
static void fi_hookc_desc_len(void *arg)
{
	struct e1000_rx_desc *d = arg;

	ONCE("desc_len");
	d->length = 0xffff;
}

/* desc_status (one-shot): an RX descriptor the device has not written is
 * marked done, so the driver consumes a stale one. arg: the descriptor. */
FI_HOOK(desc_status, fi_hookc_desc_status);
static void fi_hookc_desc_status(void *arg)
{
	struct e1000_rx_desc *d = arg;

	if (__atomic_load_n(&d->status, __ATOMIC_RELAXED) & RXD_DD)
		return;                         /* wait for one the device has not written */
	ONCE("desc_status");
	__atomic_store_n(&d->status, RXD_DD | RXD_EOP, __ATOMIC_RELAXED);
}

/* hang_irqon, hang_irqoff, wd_starve (arg: netdd's "keep kicking" flag). */
FI_HOOKS_DRIVER("nicfaults")

/* ---- protocol faults, backend side (netback toward its clients) ---- */

/* proto_badid (one-shot): the response just written names an id the client
 * never used (ids are buffer numbers below 64). arg: the response slot. */
FI_HOOK(proto_badid, fi_hookc_proto_badid);
static void fi_hookc_proto_badid(void *arg)
{
	struct netif_response *r = arg;

	ONCE("proto_badid");
	r->id = (uint16_t)(r->id + 0x1000);
}

/* proto_garbage, proto_back, proto_ahead. */
FI_HOOKS_BACKEND("nicfaults", nb_client, netif_response)

/* evt_storm (one-shot): thousands of notifications to the client at once. arg: the client. */
FI_HOOK(evt_storm, fi_hookc_evt_storm);
static void fi_hookc_evt_storm(void *arg)
{
	struct nb_client *c = arg;

	ONCE("evt_storm");
	fi_hookc_storm((uint32_t)c->port);
}
