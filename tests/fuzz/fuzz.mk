# libFuzzer targets (clang). `make test` runs each briefly; `make fuzz` longer.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := ring_back netfront_rsp net_rx

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard include/public/*.h include/public/io/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -o $@ $<

FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_BINS); do mkdir -p build/fuzz/corpus-$$(basename $$t); \
		$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$(basename $$t) || exit 1; done

# Targets that link project code besides their own file.
build/fuzz/fuzz_netfront_rsp: tests/fuzz/fuzz_netfront_rsp.c frontend/netfront_ring.c \
		$(wildcard frontend/*.h include/public/*.h include/public/io/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib -I. -o $@ $(filter %.c,$^)

build/fuzz/fuzz_net_rx: tests/fuzz/fuzz_net_rx.c $(wildcard guest/net/*.c guest/net/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ilib -I. -o $@ $(filter %.c,$^)
