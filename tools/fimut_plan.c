/* Fault choice and output (see fimut_plan.h). */
#include <string.h>
#include "fimut_plan.h"
#include "fimut_rng.h"
#include "fimut_x86.h"

static int fit_default(struct fimut_opts *o, const struct fimut_code *c, FILE *note)
{
	unsigned k = 0;

	for (int t = 0; t < FIMUT_NTYPES; t++) {
		if (c->ncand[t])
			o->types[k++] = t;
		else if (note)
			fprintf(note, "fimut: note: no instruction eligible for '%s'; type left out\n",
				fimut_type_name(t));
	}
	for (unsigned i = 0; i < c->nst && k < FIMUT_MAX_TYPES; i++)
		o->types[k++] = FIMUT_NTYPES + (int)i;
	return (int)k;
}

int fimut_plan_fit_types(struct fimut_opts *o, const struct fimut_code *c, FILE *note,
			 char *err, size_t n)
{
	if (!o->types_given)
		o->ntypes = (unsigned)fit_default(o, c, note);
	for (unsigned i = 0; o->types_given && i < o->ntypes; i++) {
		int t = fimut_code_type_parse(c, o->type_names[i], o->type_lens[i]);
		char name[64];
		snprintf(name, sizeof(name), "%.*s", (int)o->type_lens[i], o->type_names[i]);
		if (t < 0) {
			snprintf(err, n, "unknown fault type '%s' (no code type, no fi_site_%s with "
				 "fi_hook_%s in the ELF; see fimut --list-types --elf FILE)", name, name,
				 name);
			return -1;
		}
		if (t < FIMUT_NTYPES && !c->ncand[t]) {
			snprintf(err, n, "no instruction eligible for fault type '%s'%s%s", name,
				 o->func_prefix ? " in functions starting with " : "",
				 o->func_prefix ? o->func_prefix : "");
			return -1;
		}
		o->types[i] = t;
	}
	if (!o->ntypes) {
		snprintf(err, n, "no instruction eligible for any fault type");
		return -1;
	}
	return 0;
}

/* A site fault: the NOP at one of the type's sites becomes a call to its hook. */
static int site_fault(const struct fimut_code *c, int t, struct fimut_rng *r, struct fimut_fault *f)
{
	const struct fimut_sitetype *s = &c->st[t - FIMUT_NTYPES];

	f->addr = s->sites[fimut_rng_below(r, s->nsites)];
	f->len = FIMUT_SITE_LEN;
	memcpy(f->orig, fimut_site_nop, FIMUT_SITE_LEN);
	return fimut_site_call(f->addr, s->hook, f->new);
}

int fimut_plan_fault(csh h, const struct fimut_opts *o, const struct fimut_code *c,
		     unsigned i, struct fimut_fault *f)
{
	static struct fimut_variants v;
	unsigned id = o->id_start + i;
	struct fimut_rng r = fimut_rng_for(o->seed, id);
	int t = o->types[id % o->ntypes];

	*f = (struct fimut_fault){ .id = id, .gen = o->gen_start + i, .type = t,
				   .tname = fimut_code_type_name(c, t) };
	if (t >= FIMUT_NTYPES)
		return (unsigned)(t - FIMUT_NTYPES) < c->nst ? site_fault(c, t, &r, f) : -1;
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
	f->addr = in->addr;
	f->len = in->len;
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
	fprintf(out, " type=%s\n", f->tname);
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
