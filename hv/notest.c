/* Production image: no in-hypervisor tests are linked. */
#include "hv/boot.h"
#include "hv/printk.h"

void hvtest_main(const char *name)
{
	hv_finish(HV_STATUS_FAIL, "test %s requested but this image has no tests (use hv-test.elf)", name);
}
