# Host unit tests: one program per entry, built with ASan+UBSan.
# To add one: append its name to UNIT_TESTS and list its sources in unit_<name>_SRCS.

HOST_CC      ?= cc
HOST_CFLAGS  := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all \
                -Iinclude -Ilib -Ihv/include -Itools -I.

UNIT_TESTS := fmt kvargs heap frame pt mb2 elf bootcfg scenario ring acpi machine net loadgen \
              hcargs trapclass xcr0 movdr faultplan

unit_fmt_SRCS := tests/unit/test_fmt.c lib/fmt.c
unit_kvargs_SRCS := tests/unit/test_kvargs.c lib/kvargs.c
unit_heap_SRCS := tests/unit/test_heap.c lib/heap.c
unit_frame_SRCS := tests/unit/test_frame.c hv/frame.c
unit_pt_SRCS := tests/unit/test_pt.c hv/pt.c
unit_mb2_SRCS := tests/unit/test_mb2.c hv/mb2.c
unit_elf_SRCS := tests/unit/test_elf.c hv/elf.c
unit_bootcfg_SRCS := tests/unit/test_bootcfg.c lib/bootcfg_check.c lib/fmt.c
unit_machine_SRCS := tests/unit/test_machine.c tools/machine.c tools/scenario.c lib/bootcfg_check.c lib/fmt.c
unit_acpi_SRCS := tests/unit/test_acpi.c hv/acpi.c iommu/dmar.c
unit_ring_SRCS := tests/unit/test_ring.c lib/reqids.c
unit_net_SRCS := tests/unit/test_net.c $(wildcard guest/net/*.c)
unit_scenario_SRCS := tests/unit/test_scenario.c tools/scenario.c lib/bootcfg_check.c lib/fmt.c
unit_loadgen_SRCS := tests/unit/test_loadgen.c tools/echo_payload.c
unit_hcargs_SRCS := tests/unit/test_hcargs.c hv/hcargs.c
unit_trapclass_SRCS := tests/unit/test_trapclass.c hv/arch/x86/trapclass.c
unit_xcr0_SRCS := tests/unit/test_xcr0.c hv/arch/x86/svm/xcr0.c
unit_movdr_SRCS := tests/unit/test_movdr.c hv/arch/x86/svm/movdr.c
unit_faultplan_SRCS := tests/unit/test_faultplan.c lib/faultplan.c lib/fmt.c
UNIT_TESTS += ctl_line
unit_ctl_line_SRCS := tests/unit/test_ctl_line.c hv/ctl_line.c
UNIT_TESTS += tscscale
unit_tscscale_SRCS := tests/unit/test_tscscale.c hv/tscscale.c

.SECONDEXPANSION:
UNIT_BINS := $(addprefix build/unit/test_,$(UNIT_TESTS))

build/unit/test_%: $$(unit_%_SRCS) tests/unit/unit.h $(wildcard include/public/*.h lib/*.h hv/include/hv/*.h tools/*.h guest/net/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ $(unit_$*_SRCS)

# The ring's two-thread stress test runs under ThreadSanitizer instead.
UNIT_BINS += build/unit/test_ring_stress
build/unit/test_ring_stress: tests/unit/stress_ring.c include/public/ring.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -g -O2 -Wall -Wextra -Werror -fsanitize=thread -pthread \
		-Iinclude -o $@ tests/unit/stress_ring.c

# tools/deps.sh against fake package tools (lock waiting, bounded).
UNIT_BINS += build/unit/test_deps
build/unit/test_deps: tests/tools/test_deps.sh tools/deps.sh
	@mkdir -p $(dir $@)
	cp $< $@ && chmod +x $@


# Every public header compiles on its own (an ABI header may not lean on another include order).
.PHONY: check-headers
check-headers:
	@for h in $(wildcard include/public/*.h include/public/io/*.h); do \
		echo "#include \"$${h#include/}\"" | $(HOST_CC) -std=c11 -Wall -Wextra -Werror \
			-Iinclude -x c -fsyntax-only - || { echo "header $$h does not compile alone"; exit 1; }; \
	done

# fimut (tools/fimut*.c) against a small ELF linked from known assembly.
UNIT_BINS += build/unit/test_fimut
build/unit/fimut_sample.elf: tests/unit/fimut_sample.S
	@mkdir -p $(dir $@)
	$(HOST_CC) -c -o build/unit/fimut_sample.o $<
	$(LD) -n -nostdlib -e start -Ttext=0x100000 -o $@ build/unit/fimut_sample.o

build/unit/test_fimut: tests/unit/test_fimut.c $$(FIMUT_SRCS) build/unit/fimut_sample.elf build/tools/fimut \
		tests/unit/unit.h $(wildcard tools/fimut*.h hv/include/hv/elf.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -DFIMUT_SAMPLE='"$(abspath build/unit/fimut_sample.elf)"' \
		-DFIMUT_NETDD='"$(abspath build/guest/netdd.elf)"' -DFIMUT_BIN='"$(abspath build/tools/fimut)"' \
		-DFIMUT_NOT_ELF='"$(abspath tests/unit/fimut_sample.S)"' -o $@ \
		tests/unit/test_fimut.c $(FIMUT_SRCS) -lcapstone

# Fault-injection host tests (python unittest, tests/faultinject/); the
# loadgen test needs the tool built.
UNIT_BINS += build/unit/test_faultinject
build/unit/test_faultinject: tests/faultinject/run_tests.sh build/tools/loadgen
	@mkdir -p $(dir $@)
	cp $< $@ && chmod +x $@

# blkfront against blkback (both unchanged) over a fake hypervisor and an
# in-memory disk; the guest runtime's calls come from tests/fuzz/fake/rt.
BLK_TEST_SRCS := tests/unit/test_blk.c tests/unit/fake_hv.c tests/unit/memdisk.c backend/blkback.c \
                 frontend/blkfront.c frontend/blkfront_ring.c frontend/diskverify.c
UNIT_BINS += build/unit/test_blk
build/unit/test_blk: $(BLK_TEST_SRCS) tests/unit/unit.h $(wildcard tests/unit/*.h backend/*.h frontend/*.h \
		include/public/*.h include/public/io/*.h tests/fuzz/fake/rt/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/fuzz/fake -o $@ $(BLK_TEST_SRCS)

# The NVMe driver's pure parts: PRP building and I/O queue bookkeeping.
UNIT_BINS += build/unit/test_nvme
build/unit/test_nvme: tests/unit/test_nvme.c driver-domains/nvme/nvme_prp.c driver-domains/nvme/nvme_ioq.c \
		$(wildcard driver-domains/nvme/*.h) backend/blkdisk.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/unit/test_nvme.c driver-domains/nvme/nvme_prp.c \
		driver-domains/nvme/nvme_ioq.c

# The NVMe driver (unchanged) against a fake controller (tests/unit/fake_nvme.c):
# timeouts, quiesce and reset, its waits for the device and the watchdog hook.
NVME_DISK_TEST_SRCS := tests/unit/test_nvme_disk.c tests/unit/fake_nvme.c tests/unit/fake_hv.c \
                       $(addprefix driver-domains/nvme/,nvme_disk.c nvme_ctrl.c nvme_admin.c \
                         nvme_status.c nvme_ioq.c nvme_prp.c)
UNIT_BINS += build/unit/test_nvme_disk
build/unit/test_nvme_disk: $(NVME_DISK_TEST_SRCS) tests/unit/unit.h $(wildcard tests/unit/*.h \
		driver-domains/nvme/*.h backend/blkdisk.h tests/fuzz/fake/rt/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/fuzz/fake -o $@ $(NVME_DISK_TEST_SRCS)

# netback (unchanged) over the fake hypervisor, a client played by hand.
NETBACK_TEST_SRCS := tests/unit/test_netback.c tests/unit/fake_hv.c backend/netback.c
UNIT_BINS += build/unit/test_netback
build/unit/test_netback: $(NETBACK_TEST_SRCS) tests/unit/unit.h $(wildcard tests/unit/*.h backend/*.h \
		include/public/*.h include/public/io/*.h tests/fuzz/fake/rt/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -Itests/fuzz/fake -o $@ $(NETBACK_TEST_SRCS)

# lib/string.c (every freestanding image's memset/memcpy/memmove): the test
# includes it under other names, so the host's libc stays in use.
UNIT_BINS += build/unit/test_string
build/unit/test_string: tests/unit/test_string.c lib/string.c lib/kstring.h tests/unit/unit.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(HOST_CFLAGS) -o $@ tests/unit/test_string.c

# test_proftab (UNIT_TESTS += proftab below) came after UNIT_BINS was set:
# it was never built nor run by `make unit`.
UNIT_BINS += build/unit/test_proftab

# Each byte a peer can rewrite is read once (tests/unit/readonce.h): the
# backends and blkfront as the images build them (no sanitizers: the
# watcher single-steps loads; lib/string.c's memcpy). Two programs: both
# backends define the same fault-injection sites.
READONCE_FLAGS := -std=gnu11 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer -fno-builtin \
                  -Iinclude -Ilib -Ihv/include -Itools -I. -Itests/fuzz/fake
READONCE_BLK_SRCS := tests/unit/test_readonce.c tests/unit/fake_hv.c tests/unit/memdisk.c \
                     backend/blkback.c frontend/blkfront.c frontend/blkfront_ring.c lib/string.c
READONCE_NET_SRCS := tests/unit/test_readonce.c tests/unit/fake_hv.c backend/netback.c \
                     frontend/netfront_ring.c lib/string.c
UNIT_BINS += build/unit/test_readonce_blk build/unit/test_readonce_net
build/unit/test_readonce_blk: $(READONCE_BLK_SRCS) tests/unit/readonce.h tests/unit/unit.h \
		$(wildcard tests/unit/*.h backend/*.h frontend/*.h include/public/*.h include/public/io/*.h \
			   tests/fuzz/fake/rt/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(READONCE_FLAGS) -o $@ $(READONCE_BLK_SRCS)
build/unit/test_readonce_net: $(READONCE_NET_SRCS) tests/unit/readonce.h tests/unit/unit.h \
		$(wildcard tests/unit/*.h backend/*.h frontend/*.h include/public/*.h include/public/io/*.h \
			   tests/fuzz/fake/rt/*.h)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(READONCE_FLAGS) -DREADONCE_NET -o $@ $(READONCE_NET_SRCS)

# After every UNIT_BINS addition above: prerequisites expand here.
.PHONY: unit
unit: deps $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "== $$t"; $$t || exit 1; done
UNIT_TESTS += proftab
unit_proftab_SRCS := tests/unit/test_proftab.c hv/proftab.c
