/*
 * ELF64 image checker for guest images. Pure code, host-tested. It only reads
 * and validates; the domain builder copies the segments it describes.
 */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGS 8

struct elf_segment {
	uint64_t vaddr;     /* load address (guest-physical: guests are identity-mapped) */
	uint64_t offset;    /* file offset of the bytes to copy */
	uint64_t filesz;    /* bytes to copy from the file */
	uint64_t memsz;     /* bytes to occupy; memsz - filesz are zeroed */
	uint32_t flags;     /* PF_X=1, PF_W=2, PF_R=4 */
};

struct elf_image {
	uint64_t entry;
	unsigned nsegs;                 /* PT_LOAD segments with memsz > 0 */
	struct elf_segment segs[ELF_MAX_SEGS];
	uint64_t lo, hi;                /* lowest vaddr, highest vaddr+memsz */
};

/*
 * Validate 'img' (len bytes) as a little-endian ELF64 x86-64 ET_EXEC whose
 * PT_LOAD segments all lie within [min_addr, max_addr), do not overlap, have
 * filesz <= memsz, file ranges inside the image, no arithmetic overflow, and
 * whose entry point lies inside an executable segment. Returns 0, or -1 with
 * *why set to a static message.
 */
int elf_parse(const void *img, size_t len, uint64_t min_addr, uint64_t max_addr,
	      struct elf_image *out, const char **why);

#endif
