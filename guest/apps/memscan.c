/* Scans all of its memory for the memfill marker; exit code 0 if none found,
 * else 1. Also counts non-zero words outside its image, page tables and start
 * info (exit 2 if any): fresh memory must be all zeroes. */
#include "rt/rt.h"

/* The marker never appears literally in this image, or the scan would find it. */
static volatile uint64_t masked_mark = 0x5ec2e7da7a5ec2e7ull ^ 0xffffffffffffffffull;

int main(void)
{
	uintptr_t start = ((uintptr_t)rt_info.image_end + 4095) & ~(uintptr_t)4095;
	uint64_t marks = 0, nonzero = 0;
	const uint64_t mark = masked_mark ^ 0xffffffffffffffffull;

	for (uintptr_t a = 0x1000; a < rt_info.mem_bytes; a += 8) {
		uint64_t v = *(volatile uint64_t *)a;
		if (v == mark)
			marks++;
		else if (v && a >= start + 4096) /* heap header lives in the first page */
			nonzero++;
	}
	gprintf("memscan: %lu marker words, %lu non-zero words above 0x%lx\n", marks,
		nonzero, (uint64_t)start);
	return marks ? 1 : nonzero ? 2 : 0;
}
