/* Fault choice and output (see fimut_plan.h). */
#include <string.h>
#include "fimut_plan.h"
#include "fimut_rng.h"
#include "fimut_x86.h"

int fimut_plan_fit_types(struct fimut_opts *o, const struct fimut_code *c, FILE *note,
			 char *err, size_t n)
{
	unsigned k = 0;

	for (unsigned i = 0; i < o->ntypes; i++) {
		int t = o->types[i];
		if (c->ncand[t]) {
			o->types[k++] = t;
			continue;
		}
		if (o->types_given) {
			snprintf(err, n, "no instruction eligible for fault type '%s'%s%s",
				 fimut_type_name(t), o->func_prefix ? " in functions starting with " : "",
				 o->func_prefix ? o->func_prefix : "");
			return -1;
		}
		if (note)
			fprintf(note, "fimut: note: no instruction eligible for '%s'; type left out\n",
				fimut_type_name(t));
	}
	o->ntypes = k;
	if (!k) {
		snprintf(err, n, "no instruction eligible for any fault type");
		return -1;
	}
	return 0;
}

int fimut_plan_fault(csh h, const struct fimut_opts *o, const struct fimut_code *c,
		     unsigned i, struct fimut_fault *f)
{
	static struct fimut_variants v;
	unsigned id = o->id_start + i;
	struct fimut_rng r = fimut_rng_for(o->seed, id);
	int t = o->types[id % o->ntypes];

	if (!c->ncand[t])
		return -1;
	const struct fimut_insn *in = &c->v[c->cand[t][fimut_rng_below(&r, c->ncand[t])]];
	cs_insn *d = fimut_x86_decode(h, in->bytes, in->len, in->addr);
	if (!d)
		return -1;
	fimut_variants(h, t, d, &v);
	cs_free(d, 1);
	if (!v.n)
		return -1;
	*f = (struct fimut_fault){ .id = id, .gen = o->gen_start + i, .type = t,
				   .addr = in->addr, .len = in->len };
	memcpy(f->orig, in->bytes, in->len);
	memcpy(f->new, v.b[fimut_variant_pick(&v, &r)], in->len);
	return 0;
}

static void hex(FILE *out, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
}

void fimut_plan_print(FILE *out, const struct fimut_opts *o, const struct fimut_fault *f)
{
	fprintf(out, "fault id=%u domain=%s gen=%u after=%llu addr=0x%llx orig=", f->id, o->domain,
		f->gen, (unsigned long long)o->after, (unsigned long long)f->addr);
	hex(out, f->orig, f->len);
	fprintf(out, " new=");
	hex(out, f->new, f->len);
	fprintf(out, " type=%s\n", fimut_type_name(f->type));
}

int fimut_plan_write(csh h, const struct fimut_opts *o, const struct fimut_code *c, FILE *out,
		     char *err, size_t n)
{
	for (unsigned i = 0; i < o->count; i++) {
		struct fimut_fault f;
		if (fimut_plan_fault(h, o, c, i, &f)) {
			snprintf(err, n, "cannot make fault id %u", o->id_start + i);
			return -1;
		}
		fimut_plan_print(out, o, &f);
	}
	return 0;
}
