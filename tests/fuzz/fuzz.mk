# libFuzzer targets (clang). `make test` runs each briefly; `make fuzz` longer.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 600
FUZZ_TARGETS := ring_back

build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(wildcard include/public/*.h include/public/io/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -o $@ $<

FUZZ_BINS := $(addprefix build/fuzz/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz
fuzz: $(FUZZ_BINS)
	@for t in $(FUZZ_BINS); do mkdir -p build/fuzz/corpus-$$(basename $$t); \
		$$t -max_total_time=$(FUZZ_SECONDS) build/fuzz/corpus-$$(basename $$t) || exit 1; done
