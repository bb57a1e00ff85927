/*
 * Read-once watcher for host tests (x86-64 Linux): counts, byte by byte,
 * how often code under test loads from pages a peer shares with it. The
 * watched pages are made inaccessible; each access faults, the handler
 * counts the bytes a load covers (the access width decoded from the
 * instruction), opens the page and single-steps the instruction (TF), and
 * the trap closes the page again. A string instruction traps after each
 * iteration, so `rep movsq` counts qword by qword. Stores are not counted.
 *
 * Widths are decoded for the loads compilers emit for this code (mov,
 * movzx/movsx, movsxd, ALU and test/cmp with a memory operand, movs, SSE
 * moves); anything else counts as 8 bytes, which can only report a double
 * read that did not happen, never hide one. Build the test without
 * sanitizers and with -fno-builtin, and link lib/string.c: the code under
 * test then copies with the images' own memcpy.
 */
#ifndef TESTS_UNIT_READONCE_H
#define TESTS_UNIT_READONCE_H

#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define RO_RANGES 4
#define RO_OPEN   4

static struct ro_range { uint8_t *p; size_t len; int prot; uint8_t *reads; } ro_r[RO_RANGES];
static unsigned ro_n;
static uint8_t *ro_open[RO_OPEN];
static unsigned ro_nopen;
static unsigned long ro_loads;

/* Bytes a load at rip reads (see the top). */
static unsigned ro_width(const uint8_t *ip)
{
	int w = 0, o16 = 0;

	for (;; ip++) {
		if (*ip == 0x66)
			o16 = 1;
		else if (*ip == 0xf2 || *ip == 0xf3 || *ip == 0xf0 || *ip == 0x2e || *ip == 0x3e ||
			 *ip == 0x26 || *ip == 0x36 || *ip == 0x64 || *ip == 0x65)
			;
		else
			break;
	}
	if ((*ip & 0xf0) == 0x40) {
		w = (*ip & 8) != 0;
		ip++;
	}
	unsigned full = w ? 8 : o16 ? 2 : 4;
	uint8_t op = *ip;
	if (op == 0x0f) {
		op = ip[1];
		if (op == 0xb6 || op == 0xbe)
			return 1;
		if (op == 0xb7 || op == 0xbf)
			return 2;
		if (op == 0x10 || op == 0x11 || op == 0x28 || op == 0x6f || op == 0x7e)
			return 16;
		return 8;
	}
	if (op == 0x63)
		return 4;
	if (op == 0xa4 || op == 0xa6 || op == 0xac)
		return 1;
	if (op == 0xa5 || op == 0xa7 || op == 0xad)
		return full;
	if (op < 0x40 && (op & 7) < 4)         /* ALU r/m forms: even = byte */
		return op & 1 ? full : 1;
	switch (op) {
	case 0x8a: case 0x84: case 0x86: case 0x80: case 0xf6: case 0xfe:
		return 1;
	case 0x8b: case 0x85: case 0x87: case 0x81: case 0x83: case 0xf7: case 0xff:
		return full;
	}
	return 8;
}

static struct ro_range *ro_find(uintptr_t a)
{
	for (unsigned i = 0; i < ro_n; i++)
		if (a >= (uintptr_t)ro_r[i].p && a < (uintptr_t)ro_r[i].p + ro_r[i].len)
			return &ro_r[i];
	return 0;
}

static void ro_segv(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	uintptr_t a = (uintptr_t)si->si_addr;
	struct ro_range *r = ro_find(a);

	(void)sig;
	if (!r || ro_nopen == RO_OPEN) {
		fprintf(stderr, "readonce: a fault at %#lx outside the watched pages\n", (unsigned long)a);
		abort();
	}
	if (!(uc->uc_mcontext.gregs[REG_ERR] & 2)) {       /* a load */
		unsigned n = ro_width((const uint8_t *)uc->uc_mcontext.gregs[REG_RIP]);
		for (uintptr_t b = a; b < a + n && ro_find(b) == r; b++)
			r->reads[b - (uintptr_t)r->p]++;
		ro_loads++;
	}
	uint8_t *pg = (uint8_t *)(a & ~(uintptr_t)4095);
	mprotect(pg, 4096, r->prot);
	ro_open[ro_nopen++] = pg;
	uc->uc_mcontext.gregs[REG_EFL] |= 0x100;
}

static void ro_trap(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig, (void)si;
	while (ro_nopen)
		mprotect(ro_open[--ro_nopen], 4096, PROT_NONE);
	uc->uc_mcontext.gregs[REG_EFL] &= ~0x100ll;
}

/* Watch [p, p + len) (whole pages), opened with prot for each access. */
static void ro_watch(void *p, size_t len, int prot)
{
	struct ro_range *r = &ro_r[ro_n++];

	r->p = p;
	r->len = len;
	r->prot = prot;
	r->reads = calloc(len, 1);
}

static void ro_start(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_flags = SA_SIGINFO;
	sa.sa_sigaction = ro_segv;
	sigaction(SIGSEGV, &sa, 0);
	sa.sa_sigaction = ro_trap;
	sigaction(SIGTRAP, &sa, 0);
	ro_loads = 0;
	for (unsigned i = 0; i < ro_n; i++)
		mprotect(ro_r[i].p, ro_r[i].len, PROT_NONE);
}

static void ro_stop(void)
{
	for (unsigned i = 0; i < ro_n; i++)
		mprotect(ro_r[i].p, ro_r[i].len, ro_r[i].prot);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGTRAP, SIG_DFL);
}

/* The most loads of any byte in [off, off + len) of watched range i. */
static unsigned ro_max(unsigned i, size_t off, size_t len)
{
	unsigned m = 0;

	for (size_t b = off; b < off + len; b++)
		if (ro_r[i].reads[b] > m)
			m = ro_r[i].reads[b];
	return m;
}

static void ro_clear(void)
{
	for (unsigned i = 0; i < ro_n; i++)
		free(ro_r[i].reads);
	ro_n = 0;
}

#endif
