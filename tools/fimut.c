/*
 * fimut: software-implemented fault injection, the mutation side. Reads a
 * guest ELF, picks instructions with Capstone and prints fault-plan lines
 * (docs/design.md "Fault injection", docs/faultinject.md section 1) reproducibly from
 * a seed. Errors: one line on stderr, exit status 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include "fimut_elf.h"
#include "fimut_opts.h"
#include "fimut_plan.h"
#include "fimut_scan.h"

static const char usage[] =
	"usage: fimut --elf FILE --seed S --count N [--types a,b,...|all] [--func-prefix P]\n"
	"             [--domain NAME] [--gen-start G] [--after A] [--id-start I]\n"
	"       fimut --list-types [--elf FILE [--func-prefix P]]\n"
	"Prints N fault lines for domain NAME (default netdd): fault id I+k goes to\n"
	"generation G+k (defaults I=0, G=1, A=0); its type is the ((I+k) mod #types)-th\n"
	"of --types (default: every code type with an eligible instruction, then every\n"
	"site type of the ELF by name). Same arguments, same output; fault I+k does not\n"
	"depend on N. --list-types --elf FILE: one type a line with its candidates.\n";

static int die(const char *msg)
{
	fprintf(stderr, "fimut: %s\n", msg);
	return 2;
}

/* One type a line: name, candidates (instructions or sites; with --elf), what it does. */
static void list_types(const struct fimut_code *c)
{
	for (int t = 0; t < FIMUT_NTYPES; t++)
		if (c)
			printf("%-14s %6zu  %s\n", fimut_type_name(t), c->ncand[t], fimut_type_help(t));
		else
			printf("%-14s %s\n", fimut_type_name(t), fimut_type_help(t));
	if (!c) {
		printf("%-14s %s\n", "<site type X>", "site fault: call fi_hook_X written over a "
		       "fi_site_X NOP (types of an ELF: --list-types --elf FILE)");
		return;
	}
	for (unsigned i = 0; i < c->nst; i++)
		printf("%-14s %6u  site fault: call fi_hook_%s (0x%llx) over a fi_site_%s NOP\n",
		       c->st[i].name, c->st[i].nsites, c->st[i].name,
		       (unsigned long long)c->st[i].hook, c->st[i].name);
}

int main(int argc, char **argv)
{
	struct fimut_opts o;
	struct fimut_elf e;
	struct fimut_code c;
	char err[512];
	csh h;

	if (fimut_opts_parse(argc, argv, &o, err, sizeof(err)))
		return die(err);
	if (o.help) {
		fputs(usage, stdout);
		return 0;
	}
	if (o.list_types && !o.elf) {
		list_types(NULL);
		return 0;
	}
	if (fimut_elf_load(o.elf, &e, err, sizeof(err)))
		return die(err);
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK ||
	    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON) != CS_ERR_OK)
		return die("cannot open the Capstone disassembler");
	if (fimut_scan(h, &e, o.func_prefix, &c))
		return die("out of memory");
	int rc = 0;
	if (o.list_types)
		list_types(&c);
	else if (fimut_plan_fit_types(&o, &c, stderr, err, sizeof(err)) ||
		 fimut_plan_write(h, &o, &c, stdout, err, sizeof(err)))
		rc = die(err);
	fimut_code_free(&c);
	cs_close(&h);
	fimut_elf_free(&e);
	if (!rc && (fflush(stdout) || ferror(stdout)))
		rc = die("write error on standard output");
	return rc;
}
