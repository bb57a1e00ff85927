/*
 * Choosing faults and printing them as fault-plan lines (docs/faultinject.md section 1).
 * Fault id k draws from its own stream (seed, k), its type is the (k mod
 * ntypes)-th of the type list, its instruction uniform among that type's
 * candidates, its rewrite among the instruction's variants.
 */
#ifndef FIMUT_PLAN_H
#define FIMUT_PLAN_H

#include <stdio.h>
#include "fimut_opts.h"
#include "fimut_scan.h"

struct fimut_fault {
	unsigned id, gen;
	int type;                   /* code type, or FIMUT_NTYPES + site type */
	const char *tname;
	uint64_t addr;
	unsigned len;
	uint8_t orig[FIMUT_INSN_MAX], new[FIMUT_INSN_MAX];
};

/*
 * Resolve the type list against the code: by default (or "all") the code
 * types with candidates (the others left out with a note on 'note', if not
 * NULL), then every site type of the ELF by name. A type named by --types
 * that is neither a code type with candidates nor a site type of the ELF is
 * an error. Returns 0, or -1 with a one-line reason in err.
 */
int fimut_plan_fit_types(struct fimut_opts *o, const struct fimut_code *c, FILE *note,
			 char *err, size_t n);

/* Fault number i (0 <= i < count) of the plan o describes. 0, or -1 if none can be made. */
int fimut_plan_fault(csh h, const struct fimut_opts *o, const struct fimut_code *c,
		     unsigned i, struct fimut_fault *f);

/* One "fault id=... type=..." line. */
void fimut_plan_print(FILE *out, const struct fimut_opts *o, const struct fimut_fault *f);

/* All count lines to out. Returns 0, or -1 with a reason in err. */
int fimut_plan_write(csh h, const struct fimut_opts *o, const struct fimut_code *c, FILE *out,
		     char *err, size_t n);

#endif
