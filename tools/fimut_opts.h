/* fimut's command line (see tools/fimut.c for the usage text). */
#ifndef FIMUT_OPTS_H
#define FIMUT_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include "fimut_mutate.h"

#define FIMUT_MAX_GEN   1000        /* docs/faultinject.md: gen 1..1000 */
#define FIMUT_MAX_ID    999999      /* docs/faultinject.md: id 0..999999 */
#define FIMUT_MAX_AFTER 1000000000ull

#define FIMUT_MAX_TYPES 64          /* code types and site types together */
#define FIMUT_MAX_TYPE_NAME 47

struct fimut_opts {
	const char *elf, *domain, *func_prefix;
	uint64_t seed, after;
	unsigned count, gen_start, id_start;
	/* --types as given (names into argv); resolved against the ELF into
	 * types[] by fimut_plan_fit_types, since site types come from the ELF. */
	const char *type_names[FIMUT_MAX_TYPES];
	unsigned type_lens[FIMUT_MAX_TYPES];
	int types[FIMUT_MAX_TYPES]; /* round-robin order (code type, or FIMUT_NTYPES + site type) */
	unsigned ntypes;
	int types_given;            /* --types named them (else: all with candidates, all site types) */
	int have_seed, have_count, list_types, help;
};

/* Parse argv[1..argc); returns 0, or -1 with a one-line reason in err. */
int fimut_opts_parse(int argc, char **argv, struct fimut_opts *o, char *err, size_t n);

#endif
