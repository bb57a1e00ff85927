/*
 * A host model of one NVMe controller and the calls the NVMe driver makes
 * (tests/fuzz/fake/rt/ headers), for running driver-domains/nvme/ unchanged
 * in one process (tests/unit/test_nvme_disk.c). gprintf is fake_hv.c's.
 *
 * Register writes are plain memory stores here, so the controller acts on
 * them only when stepped: at every hv_yield() (the driver's waits) and when
 * the test calls fake_nvme_step() (between I/O polls). It honours CC.EN
 * (CSTS.RDY follows after ready_steps steps), CC.SHN, the admin commands the
 * driver sends (Identify, Set Features, Create I/O CQ/SQ; each completed
 * after admin_steps steps) and I/O commands
 * (completed at once with success, or held until fake_nvme_release()).
 * No data moves: the tests here are about queueing, timeouts and waits.
 *
 * The clock: hv_time() is 'now', which hv_yield() advances by yield_ns and
 * the test advances as it likes. A model of the hang watchdog: armed with a
 * period, it expires when hv_yield() finds the last kick older than that.
 */
#ifndef TESTS_UNIT_FAKE_NVME_H
#define TESTS_UNIT_FAKE_NVME_H

#include <stdint.h>
#include "driver-domains/nvme/nvme_regs.h"

#define FAKE_NVME_SECTORS 4096
#define FAKE_NVME_HELD    64

struct fake_nvme {
	uint8_t *regs;              /* BAR0 (8 KiB) */
	uint64_t now, yield_ns;     /* the clock (ns) and its advance per hv_yield */
	unsigned ready_steps;       /* steps a CC.EN change takes to show in CSTS.RDY */
	unsigned ready_wait;        /* steps the current change has waited */
	int never_ready;            /* CSTS.RDY never follows CC.EN = 1 */
	unsigned admin_steps;       /* steps an admin command takes to complete */
	unsigned admin_wait;        /* steps the current one has waited */
	/* admin queue pair, as taken at enable */
	struct nvme_sqe *asq;
	struct nvme_cqe *acq;
	unsigned a_entries, a_head, a_tail, a_phase;
	/* I/O queue pair 1 */
	struct nvme_sqe *sq;
	struct nvme_cqe *cq;
	unsigned q_entries, sq_head, cq_tail, cq_phase;
	int hold;                   /* fetch I/O commands but do not complete them */
	uint16_t held[FAKE_NVME_HELD];
	unsigned nheld;
	uint64_t yields, enables, disables, io_cmds;
	/* the hang watchdog */
	uint64_t wd_period, wd_last, kicks;
	int wd_expired;
};

extern struct fake_nvme fnv;

/* A fresh, disabled controller with CAP.TO = to (500 ms units) whose CC.EN
 * changes take ready_steps steps; device 0 of the domain. */
void fake_nvme_init(unsigned to, unsigned ready_steps);
/* Act on what the driver wrote since the last step. */
void fake_nvme_step(void);
/* Complete every held I/O command (success). Returns how many. */
unsigned fake_nvme_release(void);
/* The watchdog: arm with a period (ns), kick (the driver's wait hook). */
void fake_nvme_wd_arm(uint64_t period_ns);
void fake_nvme_wd_kick(void *arg);

#endif
