/*
 * 82540EM driver: legacy descriptors, one RX and one TX ring, copies in and
 * out of static 2 KiB buffers. Interrupts arrive as events (INTx through the
 * hypervisor, masked until acknowledged); without them the caller polls.
 */
#include "driver-domains/e1000/e1000.h"
#include "rt/channel.h"
#include "rt/fisite.h"
#include "rt/rt.h"

#define PCI_COMMAND_MEM_MASTER 0x6

/* The interrupt causes the driver enables (receive, overrun, low on
 * descriptors, link change); transmit completions are reclaimed by polling. */
#define IRQ_CAUSES (ICR_RXT0 | ICR_RXO | ICR_RXDMT0 | ICR_LSC)

static struct e1000_rx_desc rx_ring[E1000_RX_RING] __attribute__((aligned(128)));
static struct e1000_tx_desc tx_ring[E1000_TX_RING] __attribute__((aligned(128)));
static uint8_t rx_buf[E1000_RX_RING][E1000_BUF_SIZE] __attribute__((aligned(4096)));
static uint8_t tx_buf[E1000_TX_RING][E1000_BUF_SIZE] __attribute__((aligned(4096)));

static uint32_t rd(const struct e1000 *n, uint32_t reg) { return n->regs[reg / 4]; }
static void wr(struct e1000 *n, uint32_t reg, uint32_t v) { n->regs[reg / 4] = v; }

static uint64_t dma(const void *p) { return (uint64_t)(uintptr_t)p; }

static int reset(struct e1000 *n)
{
	wr(n, E1000_IMC, 0xffffffffu);
	wr(n, E1000_CTRL, rd(n, E1000_CTRL) | CTRL_RST);
	uint64_t end = hv_time() + 100000000ull;        /* bounded: 100 ms */
	while (rd(n, E1000_CTRL) & CTRL_RST)
		if (hv_time() > end)
			return E1000_EIO;
	wr(n, E1000_IMC, 0xffffffffu);
	(void)rd(n, E1000_ICR);
	return 0;
}

static void setup_rx(struct e1000 *n)
{
	for (unsigned i = 0; i < E1000_RX_RING; i++)
		rx_ring[i] = (struct e1000_rx_desc){ .addr = dma(rx_buf[i]) };
	wr(n, E1000_RDBAL, (uint32_t)dma(rx_ring));
	wr(n, E1000_RDBAH, (uint32_t)(dma(rx_ring) >> 32));
	wr(n, E1000_RDLEN, sizeof(rx_ring));
	wr(n, E1000_RDH, 0);
	wr(n, E1000_RDT, E1000_RX_RING - 1);    /* one slot stays empty: head == tail is "none" */
	wr(n, E1000_RDTR, 0);
	n->rx_next = n->rx_completed = 0;
	wr(n, E1000_RCTL, RCTL_EN | RCTL_BAM | RCTL_BSIZE_2048 | RCTL_SECRC);
}

static void setup_tx(struct e1000 *n)
{
	for (unsigned i = 0; i < E1000_TX_RING; i++)
		tx_ring[i] = (struct e1000_tx_desc){ .addr = dma(tx_buf[i]), .status = TXD_DD };
	wr(n, E1000_TDBAL, (uint32_t)dma(tx_ring));
	wr(n, E1000_TDBAH, (uint32_t)(dma(tx_ring) >> 32));
	wr(n, E1000_TDLEN, sizeof(tx_ring));
	wr(n, E1000_TDH, 0);
	wr(n, E1000_TDT, 0);
	n->tx_next = n->tx_clean = 0;
	wr(n, E1000_TIPG, TIPG_DEFAULT);
	wr(n, E1000_TCTL, TCTL_EN | TCTL_PSP | TCTL_CT(0x10) | TCTL_COLD(0x40));
}

static void read_mac(struct e1000 *n)
{
	uint32_t lo = rd(n, E1000_RAL(0)), hi = rd(n, E1000_RAH(0));

	for (int i = 0; i < 4; i++)
		n->mac[i] = (uint8_t)(lo >> (8 * i));
	n->mac[4] = (uint8_t)hi;
	n->mac[5] = (uint8_t)(hi >> 8);
}

int e1000_init(struct e1000 *n, unsigned devidx)
{
	if (devidx >= rt_info.ndevices || rt_info.devices[devidx].vendor != 0x8086 ||
	    !rt_info.devices[devidx].bar_gpa[0]) {
		gprintf("e1000: device %u is not an assigned Intel NIC with a memory BAR\n", devidx);
		return E1000_EINVAL;
	}
	memset(n, 0, sizeof(*n));
	n->devidx = devidx;
	n->regs = (volatile uint32_t *)(uintptr_t)rt_info.devices[devidx].bar_gpa[0];
	if (hv_pci_cfg_write(devidx, 0x04, 2, PCI_COMMAND_MEM_MASTER)) {
		gprintf("e1000: cannot enable memory decoding and bus mastering\n");
		return E1000_EIO;
	}
	if (reset(n)) {
		gprintf("e1000: reset did not complete\n");
		return E1000_EIO;
	}
	read_mac(n);
	n->nmacs = 1;
	for (unsigned i = 0; i < 128; i++)
		wr(n, E1000_MTA + 4 * i, 0);
	for (unsigned i = 1; i < E1000_RA_COUNT; i++)
		wr(n, E1000_RAH(i), 0);
	setup_rx(n);
	setup_tx(n);
	wr(n, E1000_CTRL, rd(n, E1000_CTRL) | CTRL_SLU);
	n->irq_port = (int)hv_device_irq_bind(devidx);
	if (n->irq_port > 0)
		wr(n, E1000_IMS, IRQ_CAUSES);
	return 0;
}

void e1000_irq_hold(struct e1000 *n)
{
	if (n->irq_port > 0)
		wr(n, E1000_IMC, ~0u);
}

int e1000_irq_release(struct e1000 *n)
{
	if (n->irq_port > 0) {
		(void)rd(n, E1000_ICR);         /* causes that came while held: none left */
		wr(n, E1000_IMS, IRQ_CAUSES);
	}
	uint8_t st = __atomic_load_n(&rx_ring[n->rx_next].status, __ATOMIC_ACQUIRE);
	return (st & RXD_DD) != 0;
}

int e1000_link_up(const struct e1000 *n)
{
	return (rd(n, E1000_STATUS) & STATUS_LU) != 0;
}

int e1000_add_mac(struct e1000 *n, const uint8_t mac[6])
{
	for (unsigned i = 0; i < n->nmacs; i++) {
		uint32_t lo = rd(n, E1000_RAL(i)), hi = rd(n, E1000_RAH(i));
		if (lo == (uint32_t)(mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24) &&
		    (hi & 0xffff) == (uint32_t)(mac[4] | mac[5] << 8))
			return 0;
	}
	if (n->nmacs == E1000_RA_COUNT)
		return E1000_ENOSPC;
	unsigned i = n->nmacs++;
	wr(n, E1000_RAL(i), (uint32_t)(mac[0] | mac[1] << 8 | mac[2] << 16 | (uint32_t)mac[3] << 24));
	wr(n, E1000_RAH(i), (uint32_t)(mac[4] | mac[5] << 8) | RAH_AV);
	return 0;
}

/* Which descriptors end a frame, as we wrote them (the device writes the
 * descriptors back; what we count on stays in our own memory). */
static uint8_t tx_eop[E1000_TX_RING];

/* Reclaim descriptors the device has finished with (DD set). */
static void tx_reclaim(struct e1000 *n)
{
	while (n->tx_clean != n->tx_next &&
	       (__atomic_load_n(&tx_ring[n->tx_clean].status, __ATOMIC_ACQUIRE) & TXD_DD)) {
		n->tx_completed += tx_eop[n->tx_clean];
		n->tx_clean = (n->tx_clean + 1) % E1000_TX_RING;
	}
}

/* Fill descriptor tx_next (not yet handed to the device). Every descriptor
 * asks for a status write-back (RS), so each one gets its DD bit and
 * tx_reclaim can walk them in order. */
static void tx_fill(struct e1000 *n, uint64_t addr, size_t len, int eop)
{
	unsigned i = n->tx_next;

	tx_ring[i].addr = addr;
	tx_ring[i].length = (uint16_t)len;
	tx_ring[i].cmd = (uint8_t)((eop ? TXD_CMD_EOP : 0) | TXD_CMD_IFCS | TXD_CMD_RS);
	tx_ring[i].status = 0;
	tx_eop[i] = (uint8_t)(eop != 0);
	n->tx_next = (i + 1) % E1000_TX_RING;
}

/* Hand the filled descriptors to the device: one frame more. Site dev_stop:
 * every frame, copied or zero-copy, passes here once (not inlined: a site
 * is one place in the image). */
static FI_NOIPA int tx_kick(struct e1000 *n)
{
	FI_SITE(dev_stop, n);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	wr(n, E1000_TDT, n->tx_next);
	n->stats.tx++;
	return 0;
}

static int tx_post(struct e1000 *n, uint64_t addr, size_t len)
{
	tx_fill(n, addr, len, 1);
	return tx_kick(n);
}

/* Free descriptors (one always stays empty: head == tail is "none"). */
static unsigned tx_free(const struct e1000 *n)
{
	return E1000_TX_RING - 1 - (n->tx_next + E1000_TX_RING - n->tx_clean) % E1000_TX_RING;
}

int e1000_tx(struct e1000 *n, const void *frame, size_t len)
{
	if (len == 0 || len > E1000_MAX_FRAME)
		return E1000_EINVAL;
	tx_reclaim(n);
	if ((n->tx_next + 1) % E1000_TX_RING == n->tx_clean) {
		n->stats.tx_full++;
		return E1000_EBUSY;
	}
	memcpy(tx_buf[n->tx_next], frame, len);
	return tx_post(n, dma(tx_buf[n->tx_next]), len);
}

void *e1000_tx_buf(struct e1000 *n)
{
	tx_reclaim(n);
	if ((n->tx_next + 1) % E1000_TX_RING == n->tx_clean)
		return 0;
	return tx_buf[n->tx_next];
}

int e1000_tx_commit(struct e1000 *n, size_t len)
{
	if (len == 0 || len > E1000_MAX_FRAME)
		return E1000_EINVAL;
	if ((n->tx_next + 1) % E1000_TX_RING == n->tx_clean) {
		n->stats.tx_full++;
		return E1000_EBUSY;     /* no e1000_tx_buf first: nothing was built */
	}
	return tx_post(n, dma(tx_buf[n->tx_next]), len);
}

int e1000_tx2(struct e1000 *n, const void *hdr, size_t hdr_len, uint64_t payload_dma,
	      size_t payload_len, uint64_t *seq)
{
	if (hdr_len == 0 || hdr_len > E1000_BUF_SIZE || payload_len == 0 ||
	    hdr_len + payload_len > E1000_MAX_FRAME)
		return E1000_EINVAL;
	tx_reclaim(n);
	if (tx_free(n) < 2) {
		n->stats.tx_full++;
		return E1000_EBUSY;
	}
	memcpy(tx_buf[n->tx_next], hdr, hdr_len);
	tx_fill(n, dma(tx_buf[n->tx_next]), hdr_len, 0);
	tx_fill(n, payload_dma, payload_len, 1);
	*seq = n->stats.tx + 1;
	return tx_kick(n);
}

uint64_t e1000_tx_completed(struct e1000 *n)
{
	tx_reclaim(n);
	return n->tx_completed;
}

int e1000_tx_dma_raw(struct e1000 *n, uint64_t dma_addr, size_t len)
{
	tx_reclaim(n);
	if ((n->tx_next + 1) % E1000_TX_RING == n->tx_clean)
		return E1000_EBUSY;
	return tx_post(n, dma_addr, len);
}

/* Is descriptor rx_next one the device has completed? Its head is read only
 * when the count from the last read is used up (once per batch); the device
 * writes a descriptor back before it moves the head past it, so a done bit
 * seen first may need a few reads to show in the head. */
static int rx_desc_completed(struct e1000 *n)
{
	for (unsigned tries = 0; !n->rx_completed && tries < 8; tries++) {
		unsigned head = rd(n, E1000_RDH) & 0xffff;
		if (head >= E1000_RX_RING) {
			n->rx_bad_head = head;
			return 0;
		}
		n->rx_completed = (head + E1000_RX_RING - n->rx_next) % E1000_RX_RING;
		n->rx_bad_head = head;
	}
	return n->rx_completed != 0;
}

int e1000_rx_poll(struct e1000 *n, void (*cb)(void *arg, const void *frame, size_t len),
		  void *arg, int budget)
{
	int done = 0;

	n->stats.polls++;
	while (done < budget) {
		struct e1000_rx_desc *d = &rx_ring[n->rx_next];
		FI_SITE(desc_status, d);
		uint8_t st = __atomic_load_n(&d->status, __ATOMIC_ACQUIRE);
		if (!(st & RXD_DD))
			break;
		if (!rx_desc_completed(n)) {
			n->rx_bad_desc = n->rx_next;
			return E1000_EIO;
		}
		n->rx_completed--;
		FI_SITE(desc_len, d);
		uint16_t len = d->length;
		/* Frames that span descriptors cannot happen with 2 KiB buffers and
		 * no jumbo frames; drop them and errored ones alike. */
		if (!(st & RXD_EOP) || d->errors || len == 0 || len > E1000_BUF_SIZE) {
			n->stats.rx_errors++;
		} else {
			n->stats.rx++;
			cb(arg, rx_buf[n->rx_next], len);
		}
		d->status = 0;
		/* Give the descriptor back: the tail trails the next one we read. */
		wr(n, E1000_RDT, n->rx_next);
		n->rx_next = (n->rx_next + 1) % E1000_RX_RING;
		done++;
	}
	return done;
}

unsigned e1000_tx_pending(const struct e1000 *n)
{
	return (n->tx_next + E1000_TX_RING - n->tx_clean) % E1000_TX_RING;
}

int e1000_tx_idle(struct e1000 *n)
{
	tx_reclaim(n);
	if (n->tx_clean != n->tx_next)
		return 0;
	n->txw_since = 0;       /* the next pending frame starts a fresh window */
	return 1;
}

int e1000_tx_stalled(struct e1000 *n, uint64_t now, uint64_t timeout_ns)
{
	tx_reclaim(n);
	if (n->tx_clean == n->tx_next || n->tx_clean != n->txw_clean || !n->txw_since) {
		n->txw_clean = n->tx_clean;
		n->txw_since = now;
		n->txw_checks = 0;
		return 0;
	}
	n->txw_checks++;
	return now - n->txw_since >= timeout_ns && n->txw_checks >= E1000_TX_TIMEOUT_CHECKS;
}

uint32_t e1000_irq_causes(struct e1000 *n)
{
	uint32_t icr = rd(n, E1000_ICR);

	if (icr)
		n->stats.irqs++;
	return icr;
}
