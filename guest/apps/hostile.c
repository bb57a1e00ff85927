/*
 * Throws bad hypercall arguments at the hypervisor and checks each is answered
 * with the documented error, then that good calls still work. Exit code = number
 * of failed checks.
 */
#include "rt/test.h"

static int64_t cw(uint64_t buf, uint64_t len)
{
	return hv_call5(HC_CONSOLE_WRITE, buf, len, 0, 0, 0);
}

static int64_t info(uint64_t buf, uint64_t size)
{
	return hv_call5(HC_SELF_INFO, buf, size, 0, 0, 0);
}

static void bad_pointers(void)
{
	uint64_t mem = rt_info.mem_bytes;
	static char ok_buf[16] = "ok\n";

	GCHECK_EQ(cw(0, 8), -HV_EFAULT);                       /* NULL */
	GCHECK_EQ(cw(8, 8), -HV_EFAULT);                       /* inside page 0 */
	GCHECK_EQ(cw(0x100000000ull, 8), -HV_EFAULT);          /* above its memory */
	GCHECK_EQ(cw(0xffff800000100000ull, 8), -HV_EFAULT);   /* hypervisor-style VA */
	GCHECK_EQ(cw(mem, 1), -HV_EFAULT);                     /* first byte past the end */
	GCHECK_EQ(cw(mem - 4, 16), -HV_EFAULT);                /* straddles the end */
	GCHECK_EQ(cw(~0ull - 3, 8), -HV_EFAULT);               /* wraps around */
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, ~0ull), -HV_E2BIG);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, HV_CONSOLE_MAX + 1), -HV_E2BIG);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, 0), 0);
	GCHECK_EQ(cw((uint64_t)(uintptr_t)ok_buf, 3), 3);
	GCHECK_EQ(cw(mem - 8, 8), 8);                          /* last bytes: allowed */

	GCHECK_EQ(info(0, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info(mem - 8, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info(0x200000000ull, sizeof(struct hv_self_info)), -HV_EFAULT);
	GCHECK_EQ(info((uint64_t)(uintptr_t)ok_buf, 1), -HV_EINVAL);
	GCHECK_EQ(info((uint64_t)(uintptr_t)ok_buf, ~0ull), -HV_EINVAL);
}

static void bad_numbers(void)
{
	GCHECK_EQ(hv_call5(HC_COUNT, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(999, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(~0ull, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(1ull << 32, 0, 0, 0, 0, 0), -HV_ENOSYS);
	GCHECK_EQ(hv_call5(HC_SHUTDOWN, 7, 0, 0, 0, 0), -HV_EINVAL);
	GCHECK_EQ(hv_call5(HC_SHUTDOWN, ~0ull, 0, 0, 0, 0), -HV_EINVAL);
}

static void good_calls_still_work(void)
{
	struct hv_self_info me;
	uint64_t t0 = hv_time();

	GCHECK_EQ(hv_self_info(&me), 0);
	GCHECK_EQ(me.domid, rt_info.domid);
	GCHECK_EQ(hv_yield(), 0);
	GCHECK_EQ(hv_block(t0 + 20000000ull), 0);      /* 20 ms */
	GCHECK(hv_time() >= t0 + 20000000ull);
	GCHECK_EQ(hv_block(1), 0);                    /* deadline in the past: returns */
}

int main(void)
{
	bad_pointers();
	bad_numbers();
	good_calls_still_work();
	gprintf("hostile: %d failed checks\n", rt_test_failures);
	return rt_test_result();
}
