/*
 * A host model of the hypervisor's channel calls (tests/fuzz/fake/rt/ headers) for
 * running a frontend and a backend unchanged in one process: domains with
 * generations, event channels, grants of pages that really are shared (a
 * memfd mapped at the granter's and the mapper's addresses, read-only
 * mappings PROT_READ, so a write to one faults), and the registry. The test
 * says which domain is calling by setting fake_cur before each call.
 */
#ifndef TESTS_UNIT_FAKE_HV_H
#define TESTS_UNIT_FAKE_HV_H

#include <stdint.h>
#include "public/channel.h"

#define FAKE_DOMS      5            /* domain ids 1..4 */
#define FAKE_PAGES     2048         /* shared memory pool, pages */
#define FAKE_WIN_BASE  0x28000000ull /* where mapped grants may go (blkback's windows) */
#define FAKE_WIN_SIZE  0x400000ull
#define FAKE_NET_WIN_BASE 0x20000000ull /* and netback's (NETBACK_MAP_BASE, 8 clients) */
#define FAKE_NET_WIN_SIZE 0x800000ull

extern uint32_t fake_cur;           /* the calling domain */
extern int fake_verbose;            /* print gprintf output */

void fake_hv_init(void);
/* n pages of shared memory a domain may grant. */
uint8_t *fake_alloc_pages(unsigned n);
/* Domain d dies: its mappings and ports go, its registry entries say
 * Closed, its generation goes up (the next incarnation's). */
void fake_kill(uint32_t d);
extern int fake_gone_hint;          /* rt_port_gone answers (default 1) */
/* The restart policy gave d up: its entries say Failed. */
void fake_give_up(uint32_t d);
/* Grants of domain d mapped by anyone. */
unsigned fake_maps_of(uint32_t d);
/* Make gref of domain d invalid (revoked behind the mapper's back is not
 * possible; this only makes later maps fail). */
void fake_grant_break(uint32_t d, uint32_t gref);
uint64_t fake_pending(uint32_t d);
/* The registry entry writer wrote about peer. */
struct reg_entry fake_reg(uint32_t writer, uint32_t peer, uint32_t devid);
void fake_reg_set(uint32_t writer, uint32_t peer, uint32_t devid, struct reg_entry e);

#endif
