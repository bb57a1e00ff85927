/*
 * The end-to-end driver scenarios' harness, shared by the network
 * (test_net.c) and disk (test_disk.c) tests: every domain of the scenario
 * is created; the run ends when every endpoint (a client whose exit ends
 * the scenario) has exited, and each must exit 0 in its first generation. A
 * driver told to crash (args crash=KIND [crash_gens=K]) must be restarted
 * exactly K times (1 without crash_gens), for the cause the hypervisor
 * itself saw, while a bystander (ticker) keeps ticking; after several
 * restarts the free frame count is back where it was after the first.
 */
#ifndef TESTS_HV_DRVSCEN_H
#define TESTS_HV_DRVSCEN_H

#include "hv/domain.h"

struct drvscen {
	int (*is_endpoint)(const struct domain *d);
	const char *cause;          /* what the last restart's record must say (0: unchecked) */
	/* The driver gets a hypervisor page (far outside its DMA space) as
	 * dma_at=; its device's write there must fault in the IOMMU, naming
	 * dma_device (bus:dev.fn) and the page, and leave the page unchanged. */
	int dma_target;
	const char *dma_device;
};

void drvscen_run(const struct drvscen *s);

#endif
