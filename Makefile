# ddhv: a driver-domain hypervisor. `make run` boots the demo, `make test` runs
# every test. See README.md.
include config.mk

export QEMU QEMU_CPU QEMU_MEM QEMU_MACHINE

BUILD        := build
FREESTANDING := -std=gnu11 -O2 -g -ffreestanding -fno-pic -fno-pie -mno-red-zone \
                -mgeneral-regs-only -mcmodel=small -fno-stack-protector -nostdlib \
                -fno-omit-frame-pointer -fno-asynchronous-unwind-tables -fno-builtin -Wall -Wextra -Werror \
                -Wno-unused-parameter -Wmissing-prototypes -Iinclude -Ilib
HV_CFLAGS    := $(FREESTANDING) -Ihv/include -I.
GUEST_CFLAGS := $(FREESTANDING) -Iguest/rt/include -I.

LIB_SRCS     := lib/fmt.c lib/string.c lib/kvargs.c
HV_SRCS      := $(filter-out hv/notest.c,$(wildcard hv/*.c)) \
                $(wildcard hv/arch/x86/*.c hv/arch/x86/svm/*.c iommu/*.c) \
                $(LIB_SRCS) lib/bootcfg_check.c lib/faultplan.c
HV_ASMS      := $(wildcard hv/arch/x86/*.S hv/arch/x86/svm/*.S)
HVTEST_SRCS  := $(wildcard tests/hv/*.c)
GUEST_RT_SRCS := $(wildcard guest/rt/*.c) $(LIB_SRCS) lib/heap.c lib/reqids.c
GUEST_RT_ASMS := $(wildcard guest/rt/*.S)
# Guest images: each guest/apps/NAME.c and driver-domains/NAME.c is the main
# of image NAME. Code shared by images (network stack, drivers, backends,
# frontends) goes into one archive; an image links only what it uses.
GUEST_APP_SRCS := $(wildcard guest/apps/*.c driver-domains/*.c)
GUEST_APPS   := $(basename $(notdir $(GUEST_APP_SRCS)))
GUEST_LIB_SRCS := $(wildcard guest/net/*.c driver-domains/*/*.c backend/*.c frontend/*.c faultinject/*.c)
# The hostile peers' connection set-up (guest/hostile/hostile.h).
GUEST_LIB_SRCS += $(wildcard guest/hostile/*.c)

obj = $(patsubst %,$(BUILD)/obj/%.o,$(basename $(1)))

HV_OBJS      := $(call obj,$(HV_SRCS) $(HV_ASMS))
HV_ELF       := $(BUILD)/hv.elf
HVTEST_ELF   := $(BUILD)/hv-test.elf
GUEST_ELFS   := $(patsubst %,$(BUILD)/guest/%.elf,$(GUEST_APPS))

.PHONY: all deps run test debug clean images tools bench-ring bench-net bench-restart
all: $(HV_ELF) $(HVTEST_ELF) images tools

include tests/unit/unit.mk
include tools/tools.mk
include tests/fuzz/fuzz.mk

HDRS := $(wildcard guest/rt/*.h include/public/*.h include/public/io/*.h lib/*.h hv/include/hv/*.h hv/arch/x86/*.h iommu/*.h \
                   hv/arch/x86/svm/*.h guest/rt/include/rt/*.h \
                   guest/net/*.h driver-domains/*/*.h backend/*.h frontend/*.h faultinject/*.h)
HDRS += $(wildcard guest/hostile/*.h)

$(BUILD)/obj/hv/%.o $(BUILD)/obj/lib/%.o $(BUILD)/obj/tests/hv/%.o $(BUILD)/obj/iommu/%.o: CFLAGS_X = $(HV_CFLAGS)
$(BUILD)/obj/guest/%.o $(BUILD)/obj/driver-domains/%.o $(BUILD)/obj/backend/%.o \
	$(BUILD)/obj/frontend/%.o $(BUILD)/obj/faultinject/%.o: CFLAGS_X = $(GUEST_CFLAGS)

$(BUILD)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_X) -c $< -o $@

$(BUILD)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

$(HV_ELF): $(HV_OBJS) $(call obj,hv/notest.c) hv/hv.ld
	$(LD) -n -nostdlib -z max-page-size=4096 --no-warn-rwx-segments -T hv/hv.ld -o $@ $(filter %.o,$^)

$(HVTEST_ELF): $(HV_OBJS) $(call obj,$(HVTEST_SRCS)) hv/hv.ld
	$(LD) -n -nostdlib -z max-page-size=4096 --no-warn-rwx-segments -T hv/hv.ld -o $@ $(filter %.o,$^)

# Guest runtime objects are compiled with the guest flags: lib/ sources get a
# separate object under obj/guest-lib so the hypervisor's copies are not reused.
GUEST_LIB_OBJS := $(patsubst %,$(BUILD)/obj/guest-lib/%.o,$(basename $(notdir $(filter lib/%,$(GUEST_RT_SRCS)))))
GUEST_RT_OBJS  := $(call obj,$(filter guest/%,$(GUEST_RT_SRCS)) $(GUEST_RT_ASMS)) $(GUEST_LIB_OBJS)

$(BUILD)/obj/guest-lib/%.o: lib/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) -c $< -o $@

GUEST_LIB_A := $(BUILD)/guest/libguest.a
$(GUEST_LIB_A): $(call obj,$(GUEST_LIB_SRCS))
	@mkdir -p $(dir $@)
	rm -f $@
	$(if $^,ar rcs $@ $^,ar rcs $@)

app_obj = $(call obj,$(filter %/$(1).c,$(GUEST_APP_SRCS)))
.SECONDEXPANSION:
$(BUILD)/guest/%.elf: $$(call app_obj,$$*) $(GUEST_RT_OBJS) $(GUEST_LIB_A) guest/guest.ld
	@mkdir -p $(dir $@)
	$(LD) -n -nostdlib -z max-page-size=4096 --no-warn-rwx-segments -T guest/guest.ld -o $@ \
		$(filter %.o,$^) $(GUEST_LIB_A)

images: $(GUEST_ELFS)
tools: $(BUILD)/tools/scncc $(BUILD)/tools/bootcfg_mangle $(BUILD)/tools/loadgen $(BUILD)/tools/fimut

# ---- set-up, demo, tests ----
deps:
	@tools/deps.sh

# make run [SCENARIO=name-or-path] [CTL=socket]: tools/run_scenario.py
run: deps all
	@python3 tools/run_scenario.py $(SCENARIO) $(if $(CTL),--ctl $(CTL))

debug: deps all
	@python3 tools/run_scenario.py --debug $(or $(DEBUG_SCENARIO),demo) $(if $(CTL),--ctl $(CTL))

test: deps all check-headers $(UNIT_BINS) $(FUZZ_BINS)
	@python3 tests/run.py $(if $(T),--only $(T)) $(if $(LOAD),--load)

bench-ring: deps all build/bench/bench_ring
	@echo "== host: our ring vs Xen's io/ring.h"
	@build/bench/bench_ring
	@echo "== QEMU: two domains over a ring with events"
	@python3 tests/run.py --conf tests/qemu/bench.conf --qemu-only --only ring_bench --show bench:

bench-net: deps all
	@python3 tools/bench_net.py net

bench-restart: deps all
	@python3 tools/bench_net.py restart

.PHONY: bench-disk
bench-disk: deps all
	@python3 tools/bench_disk.py

# Fault-injection campaign (tools/campaign.py; docs/design.md "Fault injection"):
# make campaign TARGET=nic|disk N=1000 TYPES=nop,branch SEED=1 J=2 [K=8] [RESUME=1]
#   [SLURM=1 [SHARDS=S] [PARTITION=P]]: as a Slurm job array (J boots per task), merged
.PHONY: campaign
campaign: deps all build/tools/fimut
	@python3 tools/campaign.py --target $(or $(TARGET),nic) --n $(or $(N),100) \
		$(if $(TYPES),--types $(TYPES)) --seed $(or $(SEED),1) -j $(or $(J),2) \
		$(if $(K),--faults-per-boot $(K)) $(if $(RESUME),--resume) $(if $(OUT),--out $(OUT)) \
		$(if $(QUIET),--quiet-ms $(QUIET)) \
		$(if $(SLURM),--slurm) $(if $(SHARDS),--shards $(SHARDS)) $(if $(PARTITION),--partition $(PARTITION))

build/bench/bench_ring: bench/bench_ring.c include/public/ring.h
	@dpkg-query -W -f='$${Status}' libxen-dev 2>/dev/null | grep -q "install ok installed" || \
		{ [ "$$(id -u)" -eq 0 ] && apt-get install -y libxen-dev; } || \
		{ echo "bench-ring needs libxen-dev (apt-get install libxen-dev)"; exit 1; }
	@mkdir -p $(dir $@)
	$(HOST_CC) -std=gnu11 -O2 -g -Wall -Wextra -Werror -pthread -Iinclude -o $@ bench/bench_ring.c

clean:
	rm -rf $(BUILD)
.SECONDARY:

# Where the guest's instructions go (tools/prof.py, docs/bench.md "Profiling"):
# the hypervisor's sampling profiler (prof=100) under -icount shift=0, per domain
# and function, per echo / per I/O; Markdown for docs/results/profile-*.md.
PROF_PERIOD ?= 20
.PHONY: prof-net prof-disk
prof-net: deps all
	@python3 tools/prof.py --per auto --period $(PROF_PERIOD) net_dd_w32 net_direct_w32
prof-disk: deps all
	@python3 tools/prof.py --per auto --period $(PROF_PERIOD) disk_dd_rr32 disk_direct_rr32
