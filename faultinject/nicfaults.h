/*
 * Site faults of the NIC driver domain (netdd): the hooks behind the
 * FI_SITE()s in driver-domains/netdd.c, driver-domains/e1000/e1000.c and
 * backend/netback.c (rt/fisite.h; types and effects: docs/faultinject.md,
 * "Site faults"). Linked into netdd only, which calls nicfaults_attach once
 * its NIC is up, so hooks whose site cannot pass the NIC still find it.
 */
#ifndef FAULTINJECT_NICFAULTS_H
#define FAULTINJECT_NICFAULTS_H

#include <stdint.h>
#include "driver-domains/e1000/e1000.h"

void nicfaults_attach(struct e1000 *nic);

/*
 * Make the NIC write a received frame to 'target' (memory the domain does
 * not own): every receive buffer is aimed there and a frame of our own is
 * looped back through the PHY. The IOMMU must stop the write and the
 * hypervisor kill the domain. Used by netdd's crash=dma and by dma_wild and
 * dma_irqwin.
 */
void nicfaults_rogue_receive(struct e1000 *nic, uint64_t target);

#endif
