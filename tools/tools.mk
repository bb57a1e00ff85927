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
