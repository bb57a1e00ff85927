# libFuzzer targets (clang). `make test` runs each briefly; `make fuzz` longer.
# To add one: append its name to FUZZ_TARGETS, list the project sources it links
# in fuzz_<name>_SRCS, and put a few valid inputs in tests/fuzz/seeds/<name>/.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
                -Iinclude -Ilib -Ihv/include -Itools -I.
FUZZ_TARGETS := ring_back scenario bootcfg elf acpi mb2 netback_req netfront_rsp net_rx faultplan \
                blkback_req blkfront_rsp

fuzz_ring_back_SRCS   :=
fuzz_scenario_SRCS    := tools/scenario.c lib/bootcfg_check.c lib/fmt.c
fuzz_bootcfg_SRCS     := lib/bootcfg_check.c lib/fmt.c
fuzz_faultplan_SRCS   := lib/faultplan.c lib/fmt.c
fuzz_elf_SRCS         := hv/elf.c
fuzz_acpi_SRCS        := hv/acpi.c iommu/dmar.c
fuzz_mb2_SRCS         := hv/mb2.c
fuzz_netfront_rsp_SRCS := frontend/netfront_ring.c
fuzz_net_rx_SRCS      := $(wildcard guest/net/*.c)
# netback.c as it is, built against a host stand-in for the guest runtime's
# hypercall wrappers (tests/fuzz/fake/rt/*.h, implemented by the target).
fuzz_netback_req_SRCS := backend/netback.c
fuzz_netback_req_CFLAGS := -Itests/fuzz/fake
# blkback and blkfront unchanged, over the unit tests' fake hypervisor and
# in-memory disk.
BLK_FUZZ_SRCS := tests/unit/fake_hv.c tests/unit/memdisk.c backend/blkback.c frontend/blkfront.c \
                 frontend/blkfront_ring.c
fuzz_blkback_req_SRCS := $(BLK_FUZZ_SRCS)
fuzz_blkback_req_CFLAGS := -Itests/fuzz/fake
fuzz_blkfront_rsp_SRCS := $(BLK_FUZZ_SRCS)
fuzz_blkfront_rsp_CFLAGS := -Itests/fuzz/fake

.SECONDEXPANSION:
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_%_SRCS) \
		$(wildcard include/public/*.h include/public/io/*.h lib/*.h hv/include/hv/*.h \
			   tools/*.h iommu/*.h backend/*.h tests/fuzz/fake/rt/*.h \
			   frontend/*.h tests/unit/*.h tests/fuzz/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(fuzz_$*_CFLAGS) -o $@ $< $(fuzz_$*_SRCS)

FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))

# Each target grows its own corpus in build/fuzz and starts from its seeds.
.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_TARGETS); do mkdir -p build/fuzz/corpus-fuzz_$$t; echo "== fuzz_$$t"; \
		build/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-fuzz_$$t \
			$$(test -d tests/fuzz/seeds/$$t && echo tests/fuzz/seeds/$$t) || exit 1; done
