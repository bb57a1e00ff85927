/*
 * The NVMe driver (driver-domains/nvme/nvme_disk.c, nvme_ctrl.c,
 * nvme_admin.c, unchanged) against the fake controller of fake_nvme.c:
 * command timeouts and what follows them, and the driver's waits for the
 * device feeding the hang watchdog while staying bounded.
 *
 * Time is the fake's: the test moves the clock between polls; each
 * hv_yield() in a driver wait moves it by 1 ms.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "driver-domains/nvme/nvme_disk.h"
#include "tests/unit/fake_hv.h"
#include "tests/unit/fake_nvme.h"
#include "unit.h"

#define MS 1000000ull

static struct nvme_disk nd;
static struct nvme_disk_mem mem;
static uint8_t page[4096] __attribute__((aligned(4096)));

static struct { uint64_t cookie; int status; } done_rec[256];
static unsigned ndone;

static void done(void *arg, uint64_t cookie, int status)
{
	(void)arg;
	if (ndone < sizeof(done_rec) / sizeof(done_rec[0]))
		done_rec[ndone] = (typeof(done_rec[0])){ cookie, status };
	ndone++;
}

static int start(uint32_t timeout_ms, void (*waiting)(void *))
{
	struct nvme_disk_cfg cfg = { .timeout_ms = timeout_ms, .poll_only = 1, .waiting = waiting };

	ndone = 0;
	return nvme_disk_start(&nd, &mem, 0, &cfg);
}

/* A 4 KiB write at sector 8 * cookie. */
static int submit(uint64_t cookie)
{
	struct blkdisk_seg seg = { (uint64_t)(uintptr_t)page, sizeof(page) };
	struct nvme_io io = { .opc = NVME_CMD_WRITE, .nsid = 1, .slba = 8 * (cookie % 512),
			      .nlb = 8, .nseg = 1, .seg = &seg };

	return nvme_disk_submit(&nd, cookie, &io);
}

/* n passes of the driver's loop: the device acts, the driver polls; 'kick'
 * models the driver domain's main loop feeding its watchdog each pass. */
static void polls(unsigned n, int kick)
{
	for (unsigned i = 0; i < n; i++) {
		if (kick)
			fake_nvme_wd_kick(0);
		fake_nvme_step();
		nvme_disk_poll(&nd, done, 0);
	}
}

static unsigned done_with(int status)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ndone && i < sizeof(done_rec) / sizeof(done_rec[0]); i++)
		n += done_rec[i].status == status;
	return n;
}

/* A command times out, so the driver quiesces (takes no new command) and
 * waits for the other one in flight before a reset; then both complete,
 * late. Nothing is left to reset for: the driver must take new commands
 * again (without that, every later submit said EBUSY for good), and they
 * must complete. */
static void test_quiesce_cleared_after_late_completions(void)
{
	fake_nvme_init(1, 0);
	CHECK_EQ(start(100, 0), 0);
	fnv.hold = 1;
	CHECK_EQ(submit(1), BLKDISK_OK);
	polls(16, 0);                           /* stamped: due at now + 100 ms */
	fnv.now += 50 * MS;
	CHECK_EQ(submit(2), BLKDISK_OK);
	polls(16, 0);                           /* due 50 ms after the first */
	fnv.now += 60 * MS;                     /* the first has expired, the second not */
	polls(16, 0);
	CHECK(nd.quiesce);
	CHECK_EQ(submit(3), BLKDISK_EBUSY);
	CHECK_EQ(ndone, 0);

	CHECK_EQ(fake_nvme_release(), 2);       /* both complete, late */
	polls(1, 0);
	CHECK_EQ(ndone, 2);
	CHECK_EQ(done_with(BLKDISK_OK), 2);
	CHECK(!nd.quiesce);
	CHECK_EQ(nd.st.late, 1);
	CHECK_EQ(nd.st.resets, 0);
	CHECK_EQ(nd.st.timeouts, 0);

	/* Taken and completed again, many times over. */
	fnv.hold = 0;
	unsigned refused = 0;
	for (uint64_t c = 10; c < 110; c++) {
		refused += submit(c) != BLKDISK_OK;
		polls(2, 0);
	}
	CHECK_EQ(refused, 0);
	CHECK_EQ(ndone, 102);
	CHECK_EQ(done_with(BLKDISK_OK), 102);
	CHECK_EQ(fnv.disables, 0);              /* the controller was never reset */
}

/* The controller takes 1.5 s (of CAP.TO's 2 s) to change CSTS.RDY, longer
 * than the 100 ms watchdog period: bring-up and the reset after a timeout
 * wait that long, and the driver's wait hook must feed the watchdog at
 * every step of those waits (diskdd kicks its watchdog there), or a
 * working driver is killed as hung. */
static void test_slow_controller_feeds_watchdog(void)
{
	fake_nvme_init(4, 1500);
	fake_nvme_wd_arm(100 * MS);
	uint64_t t0 = fnv.now;
	CHECK_EQ(start(100, fake_nvme_wd_kick), 0);
	CHECK(fnv.now - t0 >= 1500 * MS);       /* it did wait for the device */
	CHECK(fnv.kicks >= 1500);
	CHECK(!fnv.wd_expired);

	/* A command times out: disable and enable again, each 1.5 s. */
	uint64_t kicks = fnv.kicks;
	fnv.hold = 1;
	CHECK_EQ(submit(1), BLKDISK_OK);
	polls(16, 1);
	fnv.now += 150 * MS;
	fake_nvme_wd_kick(0);
	polls(16, 1);
	CHECK_EQ(nd.st.resets, 1);
	CHECK_EQ(nd.st.timeouts, 1);
	CHECK_EQ(ndone, 1);
	CHECK_EQ(done_with(BLKDISK_EIO), 1);
	CHECK(!nd.dead);
	CHECK(fnv.kicks - kicks >= 3000);
	CHECK(!fnv.wd_expired);

	fnv.hold = 0;
	CHECK_EQ(submit(2), BLKDISK_OK);
	polls(2, 1);
	CHECK_EQ(ndone, 2);
	CHECK_EQ(done_with(BLKDISK_OK), 1);
	nvme_disk_stop(&nd);                    /* shutdown waits too */
	CHECK(!fnv.wd_expired);
}

/* Admin commands taking 300 ms each (within the 1 s command timeout): the
 * five of bring-up (Identify twice, Set Features, Create CQ and SQ) wait
 * through the same hook. */
static void test_slow_admin_commands_feed_watchdog(void)
{
	fake_nvme_init(1, 0);
	fnv.admin_steps = 300;
	fake_nvme_wd_arm(100 * MS);
	uint64_t t0 = fnv.now;
	CHECK_EQ(start(1000, fake_nvme_wd_kick), 0);
	CHECK(fnv.now - t0 >= 5 * 300 * MS);
	CHECK(fnv.kicks >= 5 * 300);
	CHECK(!fnv.wd_expired);
}

/* The hook keeps the watchdog quiet, so the waits must end by themselves:
 * a controller that never gets ready fails bring-up after CAP.TO. */
static void test_waits_stay_bounded(void)
{
	fake_nvme_init(2, 0);                   /* CAP.TO 1 s */
	fnv.never_ready = 1;
	fake_nvme_wd_arm(100 * MS);
	uint64_t t0 = fnv.now;
	CHECK_EQ(start(100, fake_nvme_wd_kick), NVME_ETIMEDOUT);
	CHECK(nd.dead);
	CHECK(fnv.now - t0 >= 1000 * MS);
	CHECK(fnv.now - t0 <= 1010 * MS);
	CHECK(fnv.kicks >= 1000);
	CHECK(!fnv.wd_expired);
	CHECK_EQ(submit(1), BLKDISK_EIO);
}

int main(void)
{
	fake_verbose = getenv("TEST_NVME_VERBOSE") != 0;
	test_quiesce_cleared_after_late_completions();
	test_slow_controller_feeds_watchdog();
	test_slow_admin_commands_feed_watchdog();
	test_waits_stay_bounded();
	return unit_done("nvme_disk");
}
