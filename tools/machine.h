/*
 * The PCI devices of a machine that scenarios may assign (a machine file:
 * one "BB:DD.F VVVV:DDDD" per line, '#' comments), and the check of a
 * scenario's assignments against it. Pure host code, unit-tested.
 */
#ifndef TOOLS_MACHINE_H
#define TOOLS_MACHINE_H

#include <stddef.h>
#include <stdint.h>
#include "scenario.h"

#define MACHINE_MAX_DEVS 64

struct machine_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	int owner;              /* scenario domain index, -1 = unassigned */
};

struct machine {
	unsigned n;
	struct machine_dev devs[MACHINE_MAX_DEVS];
};

/* 0, or -1 with "FILE:LINE: message" in err. */
int machine_parse(const char *text, size_t len, const char *file, struct machine *m,
		  char *err, size_t errlen);

/* Resolve every device of every domain to a machine device and record owners:
 * -1 with a message for a device the machine lacks or one claimed twice. */
int machine_assign(struct machine *m, const struct scenario *s, char *err, size_t errlen);

#endif
