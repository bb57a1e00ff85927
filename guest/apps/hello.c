/* Prints who it is (from the self-info hypercall) and exits 0 if that agrees
 * with the start info the hypervisor wrote. */
#include "rt/test.h"

int main(void)
{
	struct hv_self_info me;

	GCHECK_EQ(hv_self_info(&me), 0);
	GCHECK_EQ(me.domid, rt_info.domid);
	GCHECK_EQ(me.mem_bytes, rt_info.mem_bytes);
	GCHECK(!strcmp(me.name, rt_info.name));
	if (!rt_arg_u64("quiet", 0))
		gprintf("hello from domain %u (%s), %lu MiB, generation %lu\n", me.domid,
			me.name, me.mem_bytes >> 20, me.generation);
	return rt_test_result();
}
