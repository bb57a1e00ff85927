/*
 * libFuzzer target: the guest ELF image checker (hv/elf.c) on arbitrary bytes.
 * When it accepts, what the domain builder (hv/domain.c load_image) does with
 * the result must be safe: every segment's file bytes lie inside the image
 * (read here, so ASan sees an overread), every segment lies inside
 * [GUEST_IMAGE_MIN_GPA, domain memory), segments do not overlap, filesz <=
 * memsz, lo/hi bound them, and the entry point is in an executable segment.
 *
 * Input: one byte choosing the domain's memory (2 MiB steps), then the image.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hv/elf.h"
#include "public/bootcfg.h"
#include "public/guest_layout.h"

static void die(const char *what, unsigned seg)
{
	fprintf(stderr, "fuzz_elf: accepted image breaks an invariant: %s (segment %u)\n", what, seg);
	abort();
}

static volatile uint8_t sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_image img;
	const char *why = 0;

	if (size < 1)
		return 0;
	uint64_t mem = (uint64_t)(data[0] % (BOOTCFG_MEM_MAX / BOOTCFG_MEM_ALIGN) + 1) *
		       BOOTCFG_MEM_ALIGN;
	size_t len = size - 1;
	uint8_t *file = malloc(len ? len : 1);  /* exactly sized: ASan sees overreads */
	memcpy(file, data + 1, len);
	if (elf_parse(file, len, GUEST_IMAGE_MIN_GPA, mem, &img, &why)) {
		if (!why)
			die("rejected without a reason", 0);
		free(file);
		return 0;
	}
	if (img.nsegs == 0 || img.nsegs > ELF_MAX_SEGS)
		die("segment count", 0);
	int entry_ok = 0;
	for (unsigned i = 0; i < img.nsegs; i++) {
		const struct elf_segment *s = &img.segs[i];
		if (s->memsz == 0 || s->filesz > s->memsz)
			die("sizes", i);
		if (s->offset > len || s->filesz > len - s->offset)
			die("file bytes outside the image", i);
		if (s->vaddr < GUEST_IMAGE_MIN_GPA || s->vaddr > mem || s->memsz > mem - s->vaddr)
			die("outside the domain's memory", i);
		if (s->vaddr < img.lo || s->vaddr + s->memsz > img.hi)
			die("lo/hi do not bound it", i);
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *o = &img.segs[j];
			if (s->vaddr < o->vaddr + o->memsz && o->vaddr < s->vaddr + s->memsz)
				die("overlap", i);
		}
		for (uint64_t k = 0; k < s->filesz; k++)    /* what load_image copies */
			sink ^= file[s->offset + k];
		entry_ok |= (s->flags & 1) && img.entry >= s->vaddr && img.entry - s->vaddr < s->memsz;
	}
	if (!entry_ok)
		die("entry not in an executable segment", 0);
	if (img.hi > mem || img.lo < GUEST_IMAGE_MIN_GPA)
		die("lo/hi outside the domain", 0);
	free(file);
	return 0;
}
