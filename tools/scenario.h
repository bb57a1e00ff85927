/*
 * Scenario files (docs/scenario.md): parse the text form and serialise it into
 * the binary boot descriptor of public/bootcfg.h. Host code.
 */
#ifndef TOOLS_SCENARIO_H
#define TOOLS_SCENARIO_H

#include <stddef.h>
#include "public/bootcfg.h"

struct scenario {
	char name[BOOTCFG_NAME_LEN];
	char machine[BOOTCFG_NAME_LEN];     /* 'machine NAME': the machine it needs ("" = none) */
	unsigned ndomains;
	struct bootcfg_domain dom[BOOTCFG_MAX_DOMAINS];
	unsigned dom_line[BOOTCFG_MAX_DOMAINS];
};

/* 0, or -1 with "FILE:LINE: message" in err. */
int scenario_parse(const char *text, size_t len, const char *file, struct scenario *out,
		   char *err, size_t errlen);

/* Serialise into buf (at least scenario_size bytes); returns the size. */
size_t scenario_size(const struct scenario *s);
size_t scenario_serialise(const struct scenario *s, void *buf);

#endif
