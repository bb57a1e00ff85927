/*
 * Which GSI a root-bus slot's INTx pin reaches on QEMU's q35 (ICH9). The
 * firmware's ACPI _PRT describes the same routing: slot S, pin P (0 = INTA)
 * goes to PIRQ E..H as (S + P) mod 4, and PIRQ A..H are GSI 16..23 in APIC
 * mode. The chipset's own slots (25..31) are programmable and never
 * assigned to a driver domain, so they are not routed here.
 */
#include "hv/arch.h"

#define ICH9_FIRST_CHIPSET_SLOT 25
#define PIRQ_GSI_BASE           16
#define PIRQ_E                  4

int arch_intx_gsi(unsigned root_slot, unsigned pin)
{
	if (root_slot >= ICH9_FIRST_CHIPSET_SLOT || pin > 3)
		return -1;
	return PIRQ_GSI_BASE + PIRQ_E + (int)((root_slot + pin) % 4);
}
