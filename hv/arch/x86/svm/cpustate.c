/*
 * Per-vCPU extended state and debug registers. The hypervisor never uses the
 * x87/SSE/AVX registers (-mgeneral-regs-only) nor DR0-DR3, so whatever they
 * hold belongs to the vCPU that ran last: 'live'. Switching is lazy: entering
 * a different vCPU saves live's registers into its area and loads the next
 * one's; re-entering the same vCPU costs nothing. Save and restore always run
 * under the host's XCR0 with every component it enables, so a component a
 * guest has switched off in its own XCR0 still comes back exactly as it was.
 */
#include "cpustate.h"
#include "hv/mm.h"
#include "hv/printk.h"
#include "hv/arch.h"
#include "../cpu.h"
#include "xcr0.h"

#define XCR0_PKRU           (1ull << 9)
#define FXSAVE_BYTES        512
#define AREA_FCW            0       /* x87 control word */
#define AREA_MXCSR          24

static int have_xsave;
static uint64_t host_xcr0;
static uint32_t area_bytes = FXSAVE_BYTES;
static struct cpustate *live;

void cpustate_host_init(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	have_xsave = !!(r[2] & CPUID1_ECX_XSAVE);
	/* FXSAVE/XSAVE fault with TS or EM set; OSFXSR makes them cover XMM. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | (have_xsave ? CR4_OSXSAVE : 0));
	if (have_xsave) {
		/* Everything the CPU supports, so nothing a guest enables escapes
		 * the save; components that would not fit in one frame (AMX tiles)
		 * are left out and refused to guests by xcr0_valid(). */
		cpuid(0xd, 0, r);
		host_xcr0 = (uint64_t)r[3] << 32 | r[0];
		if (r[2] > 4096)
			host_xcr0 &= XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_BNDREGS | XCR0_BNDCSR |
				     XCR0_AVX512 | XCR0_PKRU;
		xsetbv0(host_xcr0);
		cpuid(0xd, 0, r);
		area_bytes = r[1];      /* size for the components XCR0 enables now */
		if (area_bytes > 4096)
			panic("XSAVE area of %u bytes does not fit a frame", area_bytes);
	}
	printk("hv: guest FPU state: %s, %u bytes per vCPU, XCR0 mask 0x%lx\n",
	       have_xsave ? "XSAVE" : "FXSAVE", area_bytes, host_xcr0);
}

uint64_t cpustate_host_xcr0(void)
{
	return host_xcr0;
}

int cpustate_init(struct cpustate *c)
{
	uint64_t pa = mm_alloc_frame();
	uint8_t *a;

	if (!pa)
		return -1;
	/* The frame comes zeroed: XSTATE_BV = 0 puts every XSAVE component in
	 * its initial configuration; x87 and MXCSR get their reset values
	 * explicitly because FXRSTOR (and XRSTOR for MXCSR) load them as stored. */
	a = phys_to_virt(pa);
	*(uint16_t *)(a + AREA_FCW) = 0x037f;
	*(uint32_t *)(a + AREA_MXCSR) = 0x1f80;
	c->area_pa = pa;
	c->xcr0 = XCR0_X87;
	for (unsigned i = 0; i < 4; i++)
		c->dr[i] = 0;
	return 0;
}

void cpustate_free(struct cpustate *c)
{
	/* Its values may still be in the registers; the next vCPU's restore
	 * overwrites every one of them. */
	if (live == c)
		live = 0;
	if (c->area_pa)
		mm_free_frame(c->area_pa);
	c->area_pa = 0;
}

static void save(struct cpustate *c)
{
	void *a = phys_to_virt(c->area_pa);

	if (have_xsave)
		xsave64(a, host_xcr0);
	else
		fxsave64(a);
	read_dr03(c->dr);
}

static void restore(const struct cpustate *c)
{
	const void *a = phys_to_virt(c->area_pa);

	if (have_xsave)
		xrstor64(a, host_xcr0);
	else
		fxrstor64(a);
	write_dr03(c->dr);
}

void cpustate_enter(struct cpustate *c)
{
	if (live != c) {
		if (live)
			save(live);
		restore(c);
		live = c;
	}
	if (have_xsave && c->xcr0 != host_xcr0)
		xsetbv0(c->xcr0);
}

void cpustate_leave(struct cpustate *c)
{
	if (!have_xsave)
		return;
	/* Read back rather than trust our copy: a CPU that ignores the XSETBV
	 * intercept (QEMU's TCG) lets the guest write XCR0 itself. */
	c->xcr0 = xgetbv0();
	if (c->xcr0 != host_xcr0)
		xsetbv0(host_xcr0);
}
