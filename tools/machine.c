#include <stdio.h>
#include <string.h>
#include "machine.h"

int machine_parse(const char *text, size_t len, const char *file, struct machine *m,
		  char *err, size_t errlen)
{
	unsigned line = 0;

	m->n = 0;
	for (size_t pos = 0; pos < len;) {
		char buf[256];
		size_t n = 0;
		line++;
		while (pos < len && text[pos] != '\n') {
			if (n + 1 < sizeof(buf))
				buf[n++] = text[pos];
			pos++;
		}
		pos++;
		buf[n] = 0;
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = 0;
		unsigned b, d, f, v, id;
		char extra;
		int got = sscanf(buf, " %2x:%2x.%1x %4x:%4x %c", &b, &d, &f, &v, &id, &extra);
		if (got == EOF || (got <= 0 && strspn(buf, " \t\r") == strlen(buf)))
			continue;
		if (got != 5 || d >= 32 || f >= 8) {
			snprintf(err, errlen, "%s:%u: want 'BB:DD.F VVVV:DDDD'", file, line);
			return -1;
		}
		if (m->n == MACHINE_MAX_DEVS) {
			snprintf(err, errlen, "%s:%u: more than %u devices", file, line, MACHINE_MAX_DEVS);
			return -1;
		}
		m->devs[m->n++] = (struct machine_dev){ (uint8_t)b, (uint8_t)d, (uint8_t)f,
							(uint16_t)v, (uint16_t)id, -1 };
	}
	return 0;
}

static int find(const struct machine *m, const struct bootcfg_device *c)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct machine_dev *d = &m->devs[i];
		if (c->kind == BOOTCFG_DEV_BDF && d->bus == c->bus && d->dev == c->dev && d->fn == c->fn)
			return (int)i;
		if (c->kind == BOOTCFG_DEV_ID && d->vendor == c->vendor && d->device == c->device)
			return (int)i;
	}
	return -1;
}

int machine_assign(struct machine *m, const struct scenario *s, char *err, size_t errlen)
{
	for (unsigned i = 0; i < m->n; i++)
		m->devs[i].owner = -1;
	for (unsigned k = 0; k < s->ndomains; k++) {
		const struct bootcfg_domain *dom = &s->dom[k];
		for (unsigned j = 0; j < dom->ndevices; j++) {
			const struct bootcfg_device *c = &dom->devices[j];
			int i = find(m, c);
			char what[16];
			if (c->kind == BOOTCFG_DEV_BDF)
				snprintf(what, sizeof(what), "%02x:%02x.%x", c->bus, c->dev, c->fn);
			else
				snprintf(what, sizeof(what), "%04x:%04x", c->vendor, c->device);
			if (i < 0) {
				snprintf(err, errlen, "domain '%s': device %s is not in the machine",
					 dom->name, what);
				return -1;
			}
			if (m->devs[i].owner >= 0) {
				snprintf(err, errlen, "domain '%s': device %s already assigned to '%s'",
					 dom->name, what, s->dom[m->devs[i].owner].name);
				return -1;
			}
			m->devs[i].owner = (int)k;
		}
	}
	return 0;
}
