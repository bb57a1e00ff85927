/*
 * Guest-linear to guest-physical translation by walking the guest's page
 * tables in its own RAM (AMD APM vol. 2 sec. 5.3, long-mode 4-level paging).
 * Permissions are not checked: the CPU has just fetched the bytes in question
 * at CPL 0. A guest that rewrote its tables without flushing its TLB gets the
 * bytes its tables name, which can only mislead the emulation of its own
 * instruction.
 */
#include "guestva.h"
#include "fmt.h"
#include "kstring.h"
#include "hv/arch.h"
#include "hv/domain.h"
#include "vmcb.h"

#define CR0_PG          (1ull << 31)
#define CR4_LA57        (1ull << 12)
#define EFER_LMA        (1ull << 10)
#define PTE_P           (1ull << 0)
#define PTE_PS          (1ull << 7)
#define PTE_ADDR        0x000ffffffffff000ull
#define PAGE            4096ull

/* n bytes (within one page) of the domain's RAM at gpa. */
static int read_ram(struct domain *d, uint64_t gpa, void *dst, unsigned n)
{
	hpa_t frame;

	if (gpa >= d->mem_bytes || n > d->mem_bytes - gpa ||
	    domain_frame_of(d, gpa_of(gpa & ~(PAGE - 1)), &frame))
		return -1;
	memcpy(dst, (uint8_t *)phys_to_virt(frame.v) + (gpa & (PAGE - 1)), n);
	return 0;
}

static int translate(struct domain *d, const struct vmcb *vm, uint64_t la, uint64_t *gpa,
		     char *why, size_t why_len)
{
	uint64_t table = vm->save.cr3 & PTE_ADDR, e = 0;

	if (!(vm->save.cr0 & CR0_PG)) {
		*gpa = (uint32_t)la;
		return 0;
	}
	if (!(vm->save.efer & EFER_LMA) || (vm->save.cr4 & CR4_LA57)) {
		fmt_snprintf(why, why_len, "paging mode other than 4-level long mode (cr0 0x%lx cr4 0x%lx efer 0x%lx)",
			     vm->save.cr0, vm->save.cr4, vm->save.efer);
		return -1;
	}
	for (int level = 4; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t at = table + ((la >> shift) & 511) * 8;
		int outside = read_ram(d, at, &e, 8);
		if (outside || !(e & PTE_P)) {
			fmt_snprintf(why, why_len, "linear 0x%lx: level-%d entry at gpa 0x%lx %s",
				     la, level, at, outside ? "outside its RAM" : "not present");
			return -1;
		}
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t size = 1ull << shift;
			*gpa = (e & PTE_ADDR & ~(size - 1)) | (la & (size - 1));
			return 0;
		}
		table = e & PTE_ADDR;
	}
	return -1;      /* not reached: level 1 always returns */
}

int guestva_read(struct domain *d, const struct vmcb *vm, uint64_t la, uint8_t *buf,
		 unsigned len, char *why, size_t why_len)
{
	unsigned done = 0;

	while (done < len) {
		uint64_t gpa, off = (la + done) & (PAGE - 1);
		unsigned n = PAGE - off < len - done ? (unsigned)(PAGE - off) : len - done;
		if (translate(d, vm, la + done, &gpa, why, why_len))
			break;
		if (read_ram(d, gpa, buf + done, n)) {
			fmt_snprintf(why, why_len, "linear 0x%lx is gpa 0x%lx, outside its RAM",
				     la + done, gpa);
			break;
		}
		done += n;
	}
	return done ? (int)done : -1;
}
