/*
 * Supervision: the hang watchdog a domain arms for itself, and the restart of
 * domains configured with `restart yes` (driver domains). A failed domain is
 * rebuilt outside the exit path that noticed the failure, from the scheduler
 * loop: device stopped and reset, channels torn down, memory reclaimed, then
 * the same image and configuration built again under the same id with a new
 * generation, devices assigned again. Each restart is logged with the time of
 * every phase.
 */
#ifndef HV_SUPERVISE_H
#define HV_SUPERVISE_H

#include <stdint.h>
#include "hv/domain.h"

#define WATCHDOG_MIN_NS 10000000ull        /* 10 ms */
#define WATCHDOG_MAX_NS 60000000000ull     /* 60 s */

/* Phases of one restart, hypervisor time in ns (0 = not reached yet). */
struct restart_record {
	uint64_t generation;        /* of the new incarnation */
	uint64_t detected;          /* failure noticed (crash, fault, watchdog) */
	uint64_t backoff;           /* delay the restart policy imposed (ns) */
	uint64_t reset;             /* device stopped, its bus reset begun (held while the
				     * RAM is rebuilt), old incarnation gone */
	uint64_t reclaimed;         /* old incarnation's memory returned */
	uint64_t ram;               /* new incarnation's RAM mapped (zeroed frames) */
	uint64_t started;           /* new incarnation runnable */
	uint64_t announced;         /* it wrote its first registry entry */
	uint64_t offered;           /* a peer first offered it a connection */
	uint64_t connected;         /* it wrote Connected in the registry */
	uint64_t forwarded;         /* its first notification on a connection afterwards */
	char cause[96];
};

/* Hooks from the domain lifecycle, the registry and event channels. */
void supervise_stopped(struct domain *d);
void supervise_connected(struct domain *d);
/* d wrote a registry entry that is not Connected (announced), or a peer
 * wrote one towards d in state Initialising (offered). */
void supervise_announced(struct domain *d);
void supervise_offered(struct domain *d);
void supervise_notified(struct domain *d);
/* HC_WATCHDOG_KICK: period_ns is measured in the domain's own run time
 * (vcpu.run_ns: time in guest mode), not in wall-clock time. */
int64_t watchdog_kick(struct domain *d, uint64_t period_ns);

/* From the scheduler loop: fire watchdogs, carry out pending restarts one
 * bounded step at a time. A watchdog never fires while its domain is blocked
 * (no run time passes), so an armed one does not keep an all-blocked machine
 * from being stuck. Returns SUPERVISE_WAITING while a delayed restart is to
 * come (idle, but do not report the run stuck or done) and SUPERVISE_BUSY
 * while a restart is under way (call again at once). */
#define SUPERVISE_WAITING 1
#define SUPERVISE_BUSY    2
int supervise_poll(void);
/* Slot 'id' is destroyed for good (not restarted): forget its restart
 * history and any restart under way, so the next domain in the slot starts
 * clean. */
void supervise_forget(uint32_t id);
/* Slot 'id' is being torn down or rebuilt right now. */
int supervise_restarting(uint32_t id);

/* Restarts of slot 'id' so far, and the latest record (NULL if none). */
uint64_t supervise_restarts(uint32_t id);
/* Slot 'id' failed more often than its restart policy allows: it stays down. */
int supervise_given_up(uint32_t id);
const struct restart_record *supervise_last(uint32_t id);

/* The control channel: restart d now, outside the restart policy (any
 * domain; a live one is stopped first); destroy d for good. 0, -HV_EBUSY
 * while a restart of it is under way, -HV_ENOENT (destroy) when it is dead
 * already. */
int supervise_restart_now(struct domain *d);
int supervise_destroy(struct domain *d);

/*
 * Service supervision (hv/stall.c): HC_PEER_STALLED. d reports that peer,
 * which it is connected to by an event channel, has left its work unanswered
 * longer than d's own timeout. 0 recorded; -HV_ENOENT peer missing or not
 * alive; -HV_EPERM peer not a restartable driver (role, `restart yes`) or d holds no
 * connected event channel to it; -HV_EBUSY d reported peer less than
 * STALL_MIN_GAP_NS ago. Reports count for STALL_WINDOW_NS, against the
 * peer's generation they were made in.
 */
#define STALL_WINDOW_NS  2000000000ul  /* 2 s: a report counts this long */
#define STALL_MIN_GAP_NS  100000000ul  /* 100 ms between two reports of one pair */
int64_t peer_stalled(struct domain *d, domid_t peer);
/* From supervise_poll: every live domain connected to d (*clients of them,
 * at least one) reported d stalled within the window, and a restarted
 * generation of d had the window to serve first: restart it. */
int stall_verdict(struct domain *d, unsigned *clients);
/* A restart on clients' reports may still be spent on d: at most half of its
 * restart budget goes to them (never the restart that would give it up). */
int supervise_stall_budget(const struct domain *d);
/* Slot 'id' is destroyed for good: its reports, made and received, go. */
void stall_forget(uint32_t id);

#endif
