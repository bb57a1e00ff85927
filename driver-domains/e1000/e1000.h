/*
 * Driver for the Intel 82540EM (QEMU's e1000) in a driver domain. The device
 * reaches the domain's RAM through VT-d at DMA address = guest-physical, and
 * guests run identity-mapped, so a buffer's address is its DMA address. Rings
 * and buffers are static: nothing is allocated after init.
 */
#ifndef E1000_H
#define E1000_H

#include <stddef.h>
#include <stdint.h>
#include "driver-domains/e1000/e1000_regs.h"

#define E1000_RX_RING   64
#define E1000_TX_RING   64
#define E1000_BUF_SIZE  2048
#define E1000_MAX_FRAME 1514    /* no jumbo frames, no FCS */

#define E1000_EIO       (-5)    /* the device did not respond as specified */
#define E1000_EBUSY     (-16)   /* transmit ring full */
#define E1000_EINVAL    (-22)   /* bad frame length or argument */
#define E1000_ENOSPC    (-28)   /* receive address table full */

struct e1000_stats {
	uint64_t tx, rx, rx_errors, tx_full, irqs, polls;
};

struct e1000 {
	volatile uint32_t *regs;
	unsigned devidx;            /* index into rt_info.devices */
	uint8_t mac[6];
	int irq_port;               /* event port of the device's interrupt, <0: polling */
	unsigned rx_next;           /* next RX descriptor to look at */
	/* Descriptors from rx_next on that the device has completed, by its
	 * head (RDH) when last read: a done bit outside them is a device fault. */
	unsigned rx_completed;
	unsigned rx_bad_desc, rx_bad_head;  /* the fault e1000_rx_poll reported */
	unsigned tx_next, tx_clean; /* next TX descriptor to fill / to reclaim */
	/* Frames completed (their last descriptor reclaimed); frame k (k-th
	 * posted, stats.tx after posting it) is done when this reaches k. */
	uint64_t tx_completed;
	unsigned nmacs;             /* receive addresses in use (RA[0] is ours) */
	/* Transmit timeout (e1000_tx_stalled): tx_clean when last judged, since
	 * when it has not moved with frames pending, and in how many checks. */
	unsigned txw_clean, txw_checks;
	uint64_t txw_since;
	struct e1000_stats stats;
};

/* Reset and bring up device devidx of this domain: rings, MAC, receive and
 * transmit on, interrupts bound (or polling when that fails). */
int e1000_init(struct e1000 *nic, unsigned devidx);
int e1000_link_up(const struct e1000 *nic);
/* Accept unicast frames for another MAC too (a client behind the backend). */
int e1000_add_mac(struct e1000 *nic, const uint8_t mac[6]);
/* Queue one frame (copied). E1000_EBUSY when the ring is full. */
int e1000_tx(struct e1000 *nic, const void *frame, size_t len);
/* The driver's own buffer (E1000_BUF_SIZE bytes, device-readable only once
 * committed) the next frame may be built in, or NULL when the ring is full;
 * the same buffer until e1000_tx_commit queues len bytes of it. */
void *e1000_tx_buf(struct e1000 *nic);
int e1000_tx_commit(struct e1000 *nic, size_t len);
/* Queue one frame of two pieces (e1000 legacy TX: two descriptors, EOP on
 * the second): hdr is copied, the payload is read by the device in place at
 * payload_dma, which must stay valid until the frame completed. *seq: the
 * frame's number for e1000_tx_completed. E1000_EBUSY when the ring is full. */
int e1000_tx2(struct e1000 *nic, const void *hdr, size_t hdr_len, uint64_t payload_dma,
	      size_t payload_len, uint64_t *seq);
/* Frames completed so far (reclaims first): frame seq is done when >= seq. */
uint64_t e1000_tx_completed(struct e1000 *nic);
/* Hand up to 'budget' received frames to cb; returns how many, or E1000_EIO
 * when the device marked a descriptor done that its head says it has not
 * completed (rx_bad_desc, rx_bad_head): consuming it would hand the tail
 * back onto the head and stop reception for good, so the caller must fail
 * and have the device reset. */
int e1000_rx_poll(struct e1000 *nic, void (*cb)(void *arg, const void *frame, size_t len),
		  void *arg, int budget);
/*
 * Transmit timeout, Linux's netdev watchdog on the domain's own clock: true
 * when frames are pending in the TX ring and none has completed for
 * timeout_ns of hypervisor time ('now': hv_time()) AND over at least
 * E1000_TX_TIMEOUT_CHECKS calls. Wall time alone could misfire when the
 * host does not run the guest for a while (QEMU-NOTES "Time under load");
 * the count makes sure the driver itself ran and looked that many times. A
 * stall is then real under QEMU, whose e1000 completes a frame within the
 * tail write that posts it. Call once per pass of the driver's loop.
 */
#define E1000_TX_TIMEOUT_CHECKS 8
int e1000_tx_stalled(struct e1000 *nic, uint64_t now, uint64_t timeout_ns);
/* Nothing posted and not completed (reclaims first). An idle ring needs no
 * clock reading, which costs the driver a VM exit: call e1000_tx_stalled
 * only when this says 0. */
int e1000_tx_idle(struct e1000 *nic);
/* Frames posted and not completed. */
unsigned e1000_tx_pending(const struct e1000 *nic);
/* Interrupt causes (reading them deasserts the line). */
uint32_t e1000_irq_causes(struct e1000 *nic);
/* Interrupt holding, as NAPI does: while the driver is awake and polling
 * anyway, the device's interrupts are held (IMC), so a frame arriving then
 * costs no interrupt (under virtualization: no VM exit). Before blocking,
 * release clears the causes that came meanwhile, enables them again, and
 * says whether a received frame is waiting (it raised no interrupt: poll,
 * do not block). No-ops without an interrupt (polling mode). */
void e1000_irq_hold(struct e1000 *nic);
int e1000_irq_release(struct e1000 *nic);
/* Fault injection only: a transmit descriptor whose buffer is at dma_addr,
 * memory the domain does not own, so the IOMMU must stop the device. */
int e1000_tx_dma_raw(struct e1000 *nic, uint64_t dma_addr, size_t len);

#endif
