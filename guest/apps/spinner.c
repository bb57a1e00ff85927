/* Announces itself, then spins forever without a single exit of its own. */
#include "rt/rt.h"

int main(void)
{
	gprintf("spinning forever\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}
