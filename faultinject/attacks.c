/* Hostile-driver fault types (faultinject/attacks.h). */
#include "kstring.h"
#include "attacks.h"

void fi_msi_clear(struct fi_msi_block *b)
{
	memset(b, 0, sizeof(*b));
}

int fi_msi_put(struct fi_msi_block *b, uint32_t data)
{
	unsigned i = (b->nslots / 2) * 8 + (b->nslots % 2) * 2;    /* i % 8 in {0, 2} */

	if (i >= 1024)
		return -1;
	b->dw[i] = data;
	b->nslots++;
	return 0;
}

void fi_msi_standard(struct fi_msi_block *b, int smi, int init)
{
	static const uint8_t unallocated[] = { 0x20, 0x30, 0x40, 0x60, 0x80, 0xa0, 0xc0, 0xdf, 0xfe };

	fi_msi_clear(b);
	for (unsigned v = 0; v < 32; v++)
		fi_msi_put(b, FI_DM_FIXED | v);
	fi_msi_put(b, FI_DM_FIXED | 0xf0);                      /* the timer */
	fi_msi_put(b, FI_DM_FIXED | 0xff);                      /* the spurious vector */
	for (unsigned v = 0xe0; v <= 0xef; v++)                 /* device vectors */
		fi_msi_put(b, FI_DM_FIXED | v);
	for (unsigned k = 0; k < sizeof(unallocated); k++)
		fi_msi_put(b, FI_DM_FIXED | unallocated[k]);
	for (unsigned k = 0; k < 4; k++)
		fi_msi_put(b, FI_DM_NMI);
	fi_msi_put(b, FI_DM_LOWEST | 0x0e);
	fi_msi_put(b, FI_DM_EXTINT | 0x0d);
	fi_msi_put(b, FI_DM_FIXED | FI_LEVEL | 0x08);
	fi_msi_put(b, FI_DM_FIXED | FI_LEVEL | 0x50);
	for (unsigned v = 0; v < 32; v++)                       /* again, level-triggered */
		fi_msi_put(b, FI_DM_FIXED | FI_LEVEL | v);
	if (smi)
		fi_msi_put(b, FI_DM_SMI);
	if (init)
		fi_msi_put(b, FI_DM_INIT);
	while (fi_msi_put(b, FI_DM_FIXED | 0x70) == 0)          /* unallocated filler */
		;
}

#define SCRIBBLE_XMM(n, v) __asm__ volatile("movq %0, %%xmm" #n :: "r"(v))

void fi_cpu_scribble(uint64_t seed)
{
	uint64_t v = seed * 0x9e3779b97f4a7c15ull;

	SCRIBBLE_XMM(0, v); SCRIBBLE_XMM(1, v + 1); SCRIBBLE_XMM(2, v + 2); SCRIBBLE_XMM(3, v + 3);
	SCRIBBLE_XMM(4, v + 4); SCRIBBLE_XMM(5, v + 5); SCRIBBLE_XMM(6, v + 6); SCRIBBLE_XMM(7, v + 7);
	SCRIBBLE_XMM(8, v + 8); SCRIBBLE_XMM(9, v + 9); SCRIBBLE_XMM(10, v + 10);
	SCRIBBLE_XMM(11, v + 11); SCRIBBLE_XMM(12, v + 12); SCRIBBLE_XMM(13, v + 13);
	SCRIBBLE_XMM(14, v + 14); SCRIBBLE_XMM(15, v + 15);
	/* Breakpoint addresses only (DR7 stays 0x400: nothing armed). */
	__asm__ volatile("mov %0, %%dr0" :: "r"(v & ~7ull));
	__asm__ volatile("mov %0, %%dr1" :: "r"((v + 8) & ~7ull));
	__asm__ volatile("mov %0, %%dr2" :: "r"((v + 16) & ~7ull));
	__asm__ volatile("mov %0, %%dr3" :: "r"((v + 24) & ~7ull));
}
