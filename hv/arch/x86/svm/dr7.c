/*
 * MOV DR7 emulation. Why at all: QEMU's TCG keeps the breakpoints a guest
 * enables with MOV DR7 in its per-CPU breakpoint list and #VMEXIT does not
 * remove them, so an instruction breakpoint a guest armed fires in the
 * hypervisor or in the next guest at that address. The guest's DR7 therefore
 * lives here and the CPU never sees its enable bits. The instruction is
 * decoded from guest memory (no NRIP or decode assists under TCG); EXITINFO1
 * is not read.
 */
#include "dr7.h"
#include "fmt.h"
#include "hv/domain.h"
#include "guestva.h"
#include "movdr.h"
#include "svm_run.h"
#include "vmcb.h"

#define EFER_LMA        (1ull << 10)
#define SEG_ATTR_L      (1u << 9)       /* VMCB attribute format: 64-bit code segment */
#define DR7_RESERVED_HI 0xffffffff00000000ull   /* MBZ: writing a 1 is #GP(0) */

/* The save slot of general register n (encoding order); RAX and RSP are in the VMCB. */
static uint64_t *gpr(struct vmcb *vm, struct svm_gprs *g, unsigned n)
{
	uint64_t *slot[16] = {
		&vm->save.rax, &g->rcx, &g->rdx, &g->rbx, &vm->save.rsp, &g->rbp, &g->rsi, &g->rdi,
		&g->r8, &g->r9, &g->r10, &g->r11, &g->r12, &g->r13, &g->r14, &g->r15,
	};
	return slot[n & 15];
}

static void describe(char *why, size_t why_len, const char *what, uint64_t rip,
		     const uint8_t *b, int n)
{
	fmt_snprintf(why, why_len, "%s at rip 0x%lx (bytes %02x %02x %02x %02x, %d read)", what, rip,
		     n > 0 ? b[0] : 0, n > 1 ? b[1] : 0, n > 2 ? b[2] : 0, n > 3 ? b[3] : 0, n);
}

enum dr7_result dr7_emulate(struct domain *d, struct vmcb *vm, struct svm_gprs *g,
			    uint64_t *dr7, int write, char *why, size_t why_len)
{
	int long64 = (vm->save.efer & EFER_LMA) && (vm->save.cs.attrib & SEG_ATTR_L);
	uint64_t la = long64 ? vm->save.rip : (uint32_t)(vm->save.cs.base + vm->save.rip);
	uint8_t b[MOVDR_MAX_LEN] = { 0 };
	struct movdr m;
	char fetch_why[96];
	int n;

	if (vm->save.cpl)
		return DR7_GP;          /* the CPU checks CPL 0 before the intercept */
	n = guestva_read(d, vm, la, b, sizeof(b), fetch_why, sizeof(fetch_why));
	if (n < 0) {
		fmt_snprintf(why, why_len, "MOV %s DR7 at rip 0x%lx: cannot read the instruction: %s",
			     write ? "to" : "from", vm->save.rip, fetch_why);
		return DR7_KILL;
	}
	if (movdr_decode(b, (unsigned)n, long64, &m) || m.dr != 7 || m.write != !!write) {
		describe(why, why_len, write ? "MOV to DR7 exit, no MOV to DR7" :
			 "MOV from DR7 exit, no MOV from DR7", vm->save.rip, b, n);
		return DR7_KILL;
	}
	uint64_t *r = gpr(vm, g, m.gpr);
	if (write) {
		uint64_t v = long64 ? *r : (uint32_t)*r;
		if (v & DR7_RESERVED_HI)
			return DR7_GP;
		*dr7 = v | DR7_INERT;   /* bit 10 reads as 1, as on the CPU */
	} else {
		*r = long64 ? *dr7 : (uint32_t)*dr7;
	}
	vm->save.rip = long64 ? vm->save.rip + m.len : (uint32_t)(vm->save.rip + m.len);
	return DR7_DONE;
}
