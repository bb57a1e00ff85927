/*
 * INT3 trapping for fault injection. The hypervisor writes an INT3 over the
 * first byte of an instruction to learn when the guest reaches it, and only
 * then traps INT3 for that vCPU. Real SVM hardware reports an INT3 through the
 * #BP exception intercept (exit 0x43); QEMU's TCG raises INT3 as a software
 * interrupt and checks the INTn intercept instead (exit 0x75, EXITINFO1 0), so
 * both are set and an INTn exit is decoded from guest memory. Either way RIP
 * is the address of the INT3 (INT n) itself.
 */
#include "bp.h"
#include "fmt.h"
#include "hv/domain.h"
#include "guestva.h"
#include "vmcb.h"

#define EFER_LMA        (1ull << 10)
#define SEG_ATTR_L      (1u << 9)       /* VMCB attribute format: 64-bit code segment */

void bp_trap(struct vmcb *vm, int on)
{
	if (on) {
		vm->ctl.intercept_exc |= SVM_INTERCEPT_EXC(3);
		vm->ctl.intercept_misc1 |= SVM_INTERCEPT_INTN;
	} else {
		vm->ctl.intercept_exc &= ~SVM_INTERCEPT_EXC(3);
		vm->ctl.intercept_misc1 &= ~SVM_INTERCEPT_INTN;
	}
}

static uint64_t advance(const struct vmcb *vm, uint64_t by)
{
	int long64 = (vm->save.efer & EFER_LMA) && (vm->save.cs.attrib & SEG_ATTR_L);

	return long64 ? vm->save.rip + by : (uint32_t)(vm->save.rip + by);
}

enum bp_swint bp_swint(struct domain *d, struct vmcb *vm, char *why, size_t why_len)
{
	int long64 = (vm->save.efer & EFER_LMA) && (vm->save.cs.attrib & SEG_ATTR_L);
	uint64_t la = long64 ? vm->save.rip : (uint32_t)(vm->save.cs.base + vm->save.rip);
	uint8_t b[2] = { 0, 0 };
	char fetch_why[96];
	int n = guestva_read(d, vm, la, b, sizeof(b), fetch_why, sizeof(fetch_why));

	if (n < 0) {
		fmt_snprintf(why, why_len, "software interrupt at rip 0x%lx: cannot read the "
			     "instruction: %s", vm->save.rip, fetch_why);
		return BP_KILL;
	}
	if (b[0] == 0xcc)
		return BP_INT3;
	if (b[0] == 0xcd && n == 2) {
		/* As the CPU would: the handler returns after the INT n. */
		vm->ctl.eventinj = b[1] | SVM_EVTINJ_TYPE_SOFT | SVM_EVTINJ_VALID;
		vm->save.rip = advance(vm, 2);
		return BP_DONE;
	}
	fmt_snprintf(why, why_len, "software interrupt exit at rip 0x%lx, no INT3 or INT n there "
		     "(bytes %02x %02x)", vm->save.rip, b[0], b[1]);
	return BP_KILL;
}

void bp_reflect(struct vmcb *vm)
{
	/* #BP is a trap: the return address its handler sees is the next byte. */
	vm->save.rip = advance(vm, 1);
	vm->ctl.eventinj = 3 | SVM_EVTINJ_TYPE_EXCEPTION | SVM_EVTINJ_VALID;
}
