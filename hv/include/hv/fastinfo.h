/* The fast page (public/fastpage.h): the clock and watchdog feed a guest
 * uses without a VM exit. */
#ifndef HV_FASTINFO_H
#define HV_FASTINFO_H

#include "hv/domain.h"

/* At build, once d->shared is mapped: write the clock scale, zero the rest. */
void fastinfo_init(struct domain *d);
/* Between slices, before the watchdog is judged: a changed wd_kicks counts
 * as a kick now. */
void fastinfo_watchdog_poll(struct domain *d);

#endif
