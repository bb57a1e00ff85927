/*
 * Host stand-in for the guest's event channel, grant and registry wrappers
 * (guest/rt/include/rt/channel.h): the same calls as plain functions, which
 * the fuzz target implements with its model of the hypervisor and the peer.
 */
#ifndef FAKE_RT_CHANNEL_H
#define FAKE_RT_CHANNEL_H

#include <stdint.h>
#include "public/channel.h"
#include "rt/rt.h"

int64_t hv_evtchn_bind(uint32_t remote, uint32_t port);
int64_t hv_evtchn_send(uint32_t port);
int64_t hv_evtchn_close(uint32_t port);
int64_t hv_evtchn_status(uint32_t port);
/* The runtime reads the shared page's hint (no exit); tests/unit/fake_hv.c
 * answers from its model, or never when a test turns the hint off. */
int rt_port_gone(uint32_t port);
/* The runtime defers this send to the next block (HC_BLOCK's notify); with
 * no block to carry it here, it is sent at once. */
static inline void rt_notify_later(uint32_t port)
{
	hv_evtchn_send(port);
}
int64_t hv_grant_map(uint32_t granter, uint32_t gref, uint64_t dest, uint32_t flags);
int64_t hv_grant_unmap(uint64_t dest);
int64_t hv_reg_write(uint32_t peer, uint32_t devid, const struct reg_entry *e);
int64_t hv_reg_read(uint32_t peer, uint32_t devid, struct reg_entry *e);
/* Frontend calls (blkfront.c in tests/unit/test_blk.c). */
int64_t hv_evtchn_alloc(uint32_t remote);
int64_t hv_grant_create(const void *page, uint32_t grantee, uint32_t flags);
int64_t hv_grant_revoke(uint32_t gref);
void rt_wait_event(uint64_t ns);
uint64_t rt_events_take(void);
/* Device calls of the NVMe driver (tests/unit/fake_nvme.c). */
int64_t hv_pci_cfg_read(uint32_t dev, uint32_t off, uint32_t size);
int64_t hv_pci_cfg_write(uint32_t dev, uint32_t off, uint32_t size, uint32_t val);
int64_t hv_device_irq_bind(uint32_t dev);
/* Service supervision (rt_stall_watch): off on the host, nothing to report to. */
struct rt_stall {
	uint64_t reports;
};
static inline void rt_stall_watch(struct rt_stall *w, uint32_t peer, int busy, uint64_t progress)
{
	(void)w, (void)peer, (void)busy, (void)progress;
}

#endif
