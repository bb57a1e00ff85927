/*
 * What the stateful fuzz targets (fuzz_blkback_req, fuzz_blkfront_rsp,
 * fuzz_netback_req) share: the input is a script, one-byte operations each
 * followed by the bytes it takes, read until it runs out; a broken invariant
 * is reported and aborts, so libFuzzer keeps the input. Define FUZZ_NAME (the
 * target's name, for the report) before including this.
 */
#ifndef TESTS_FUZZ_FUZZSCRIPT_H
#define TESTS_FUZZ_FUZZSCRIPT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "define FUZZ_NAME before including tests/fuzz/fuzzscript.h"
#endif

struct script { const uint8_t *d; size_t n, pos; };

/* The script's next n bytes into out: 0, or -1 (nothing taken) if fewer are left. */
static inline int take(struct script *s, void *out, size_t n)
{
	if (s->n - s->pos < n)
		return -1;
	memcpy(out, s->d + s->pos, n);
	s->pos += n;
	return 0;
}

static inline void die(const char *what)
{
	fprintf(stderr, FUZZ_NAME ": %s\n", what);
	abort();
}

#endif
