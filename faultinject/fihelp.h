/*
 * What several images' site-fault hooks do alike (nicfaults.c, diskfaults.c,
 * clientfaults.c). Named fi_hookc_* so tools/fimut, which never picks code
 * faults in fi_hook* functions, leaves them alone like the hooks.
 */
#ifndef FAULTINJECT_FIHELP_H
#define FAULTINJECT_FIHELP_H

#include <stddef.h>
#include <stdint.h>
#include "public/ring.h"

/* Print "who: type", then loop for good without a hypercall, interrupts on
 * or off: only a watchdog that counts the domain's own time sees it. */
__attribute__((noreturn)) void fi_hookc_hang(const char *who, const char *type, int irqs_on);
/* Fill n bytes at p with pseudo-random garbage. */
void fi_hookc_scribble(void *p, size_t n);
/* A backend's own response counter goes wrong by 'delta' and is published
 * and notified on 'port' at once (and by every later push): a bug in its
 * index arithmetic, not a value one push later overwrites before the peer
 * looks. */
void fi_hookc_back_skew(struct ring_back *ring, uint32_t port, uint32_t delta);
/* Thousands of notifications on 'port' at once. */
void fi_hookc_storm(uint32_t port);

#endif
