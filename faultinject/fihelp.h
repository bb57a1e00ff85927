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
#include "rt/fisite.h"
#include "rt/rt.h"

/*
 * Inside a one-shot hook: return at once if it acted before, else say
 * "who: type" and go on. The flag is static in the hook, so it goes with the
 * image (reset at the next generation).
 */
#define FI_ONCE(who, type)                              \
	do {                                            \
		static int fired_;                      \
		if (fired_)                             \
			return;                         \
		fired_ = 1;                             \
		gprintf("%s: %s\n", who, type);         \
	} while (0)

/* Inside a persistent hook: say "who: type" the first time it acts. */
#define FI_FIRST(who, type)                             \
	do {                                            \
		static int said_;                       \
		if (!said_)                             \
			gprintf("%s: %s\n", who, type); \
		said_ = 1;                              \
	} while (0)

/* Print "who: type", then loop for good without a hypercall, interrupts on
 * or off: only a watchdog that counts the domain's own time sees it. */
__attribute__((noreturn)) void fi_hookc_hang(const char *who, const char *type, int irqs_on);
/* Print "who: serve_none", then live on without serving anybody: take the
 * events, feed the watchdog with the period armed, sleep 10 ms, for good.
 * Only the clients see it (HC_PEER_STALLED, docs/design.md). */
__attribute__((noreturn)) void fi_hookc_serve_none(const char *who);
/* Fill n bytes at p with pseudo-random garbage. */
void fi_hookc_scribble(void *p, size_t n);
/* A backend's own response counter goes wrong by 'delta' and is published
 * and notified on 'port' at once (and by every later push): a bug in its
 * index arithmetic, not a value one push later overwrites before the peer
 * looks. */
void fi_hookc_back_skew(struct ring_back *ring, uint32_t port, uint32_t delta);
/* The same for a frontend's request counter. */
void fi_hookc_front_skew(struct ring_front *ring, uint32_t port, uint32_t delta);
/* Thousands of notifications on 'port' at once. */
void fi_hookc_storm(uint32_t port);

/*
 * The hooks every driver domain has alike; one FI_HOOKS_DRIVER(who) line in
 * its hook file defines them ("who" starts their console lines):
 *   hang_irqon / hang_irqoff: an endless loop without hypercalls, interrupts
 *     on / off;
 *   wd_starve (one-shot): the driver serves on but never kicks its watchdog
 *     again. arg: the driver's "keep kicking" flag;
 *   serve_none: the driver stays alive and keeps kicking its watchdog but
 *     never serves anybody again (a livelock in its request path).
 */
#define FI_HOOKS_DRIVER(who)                                    \
	FI_HOOK(hang_irqon, fi_hookc_hang_irqon);               \
	static void fi_hookc_hang_irqon(void *arg)              \
	{                                                       \
		(void)arg;                                      \
		fi_hookc_hang(who, "hang_irqon", 1);            \
	}                                                       \
	FI_HOOK(hang_irqoff, fi_hookc_hang_irqoff);             \
	static void fi_hookc_hang_irqoff(void *arg)             \
	{                                                       \
		(void)arg;                                      \
		fi_hookc_hang(who, "hang_irqoff", 0);           \
	}                                                       \
	FI_HOOK(wd_starve, fi_hookc_wd_starve);                 \
	static void fi_hookc_wd_starve(void *arg)               \
	{                                                       \
		FI_ONCE(who, "wd_starve");                      \
		*(volatile int *)arg = 0;                       \
	}                                                       \
	FI_HOOK(serve_none, fi_hookc_serve_none_);              \
	static void fi_hookc_serve_none_(void *arg)             \
	{                                                       \
		(void)arg;                                      \
		fi_hookc_serve_none(who);                       \
	}

/*
 * The protocol faults every backend has alike; one FI_HOOKS_BACKEND(who,
 * client, rsp) line in the driver's hook file defines them:
 *   proto_garbage (one-shot): the response just written (a struct 'rsp')
 *     becomes random bytes and is pushed as usual. arg: the response slot;
 *   proto_back / proto_ahead (one-shot): right after a push, the backend's
 *     response index runs 8 behind / 1000 ahead. arg: the backend's client, a
 *     struct 'client' with a struct ring_back 'ring' and an int 'port'.
 */
#define FI_HOOKS_BACKEND(who, client, rsp)                              \
	FI_HOOK(proto_garbage, fi_hookc_proto_garbage);                 \
	static void fi_hookc_proto_garbage(void *arg)                   \
	{                                                               \
		FI_ONCE(who, "proto_garbage");                          \
		fi_hookc_scribble(arg, sizeof(struct rsp));             \
	}                                                               \
	FI_HOOK(proto_back, fi_hookc_proto_back);                       \
	static void fi_hookc_proto_back(void *arg)                      \
	{                                                               \
		struct client *c = arg;                                 \
		FI_ONCE(who, "proto_back");                             \
		fi_hookc_back_skew(&c->ring, (uint32_t)c->port, (uint32_t)-8); \
	}                                                               \
	FI_HOOK(proto_ahead, fi_hookc_proto_ahead);                     \
	static void fi_hookc_proto_ahead(void *arg)                     \
	{                                                               \
		struct client *c = arg;                                 \
		FI_ONCE(who, "proto_ahead");                            \
		fi_hookc_back_skew(&c->ring, (uint32_t)c->port, 1000);  \
	}

#endif
