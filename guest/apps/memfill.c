/* Fills every free byte of its memory with a marker, then exits: the data a
 * scrubbing hypervisor must never let the next domain see. */
#include "rt/rt.h"

#define MARK 0x5ec2e7da7a5ec2e7ull

int main(void)
{
	uintptr_t start = ((uintptr_t)rt_info.image_end + 4095) & ~(uintptr_t)4095;
	uint64_t words = 0;

	for (uintptr_t a = start; a < rt_info.mem_bytes; a += 8, words++)
		*(volatile uint64_t *)a = MARK;
	gprintf("memfill: wrote %lu marker words in [0x%lx-0x%lx)\n", words,
		(uint64_t)start, rt_info.mem_bytes);
	return 0;
}
