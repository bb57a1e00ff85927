# Host tools.
HOST_CC          ?= cc
TOOLS_CFLAGS     := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Iinclude -Ilib -Itools
TOOLS_LIB        := lib/fmt.c lib/bootcfg_check.c
TOOLS_HDRS       := $(wildcard include/public/*.h lib/*.h tools/*.h)

build/tools/scncc: tools/scncc.c tools/scenario.c tools/machine.c $(TOOLS_LIB) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^) -lpci

build/tools/bootcfg_mangle: tools/bootcfg_mangle.c $(TOOLS_LIB) $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^)

build/tools/loadgen: tools/loadgen.c tools/echo_payload.c $(TOOLS_HDRS)
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) -o $@ $(filter %.c,$^)

# fimut: fault-injection mutations (Capstone). Its objects minus main are
# also linked into the unit test (tests/unit/unit.mk).
FIMUT_SRCS       := tools/fimut_elf.c tools/fimut_x86.c tools/fimut_mutate.c tools/fimut_scan.c \
                    tools/fimut_opts.c tools/fimut_plan.c tools/fimut_sites.c hv/elf.c
build/tools/fimut: tools/fimut.c $(FIMUT_SRCS) $(TOOLS_HDRS) hv/include/hv/elf.h
	@mkdir -p $(dir $@)
	$(HOST_CC) $(TOOLS_CFLAGS) -Ihv/include -o $@ $(filter %.c,$^) -lcapstone
