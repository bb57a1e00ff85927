/*
 * Registry watches (hv/registry.c): a domain's own registry call arms one
 * wake-up by its peer's next write to the connection, and only one: a peer
 * writing in a loop cannot keep it awake; the hypervisor's own changes
 * (peer given up, peer dead) wake it as well. A domain's watches die with it:
 * the next domain in its slot (a restart keeps the slot) is not woken by a
 * watch it never armed. The two domains are built but not run; the test makes
 * their registry calls itself, from buffers in their RAM.
 */
#include "hv/channel.h"
#include "hv/hcargs.h"
#include "hv/hvtest.h"
#include "hv/printk.h"
#include "public/channel.h"
#include "tests_util.h"

static int64_t write_entry(struct domain *d, struct domain *peer, uint32_t state)
{
	struct reg_entry e = { state, 0, 0, 0 };
	uint64_t gpa = d->mem_bytes - 4096;     /* top page: the guest never ran */

	EXPECT_EQ(guest_write_raw(d, gpa, &e, sizeof(e)), 0);
	return reg_write(d, domid_of(peer->id), 0, gpa_of(gpa));
}

static int64_t read_entry(struct domain *d, struct domain *peer)
{
	return reg_read(d, domid_of(peer->id), 0, gpa_of(d->mem_bytes - 4096));
}

HVTEST(reg_watch)
{
	struct domain *a = hvtest_create("ping"), *b = hvtest_create("pong");
	unsigned wakes = 0;

	/* Nothing read or written yet: b's writes wake nobody. */
	EXPECT_EQ(write_entry(b, a, REG_INITIALISING), 0);
	EXPECT_EQ(reg_take_wake(a), 0);
	/* a reads b's entry once; b then writes 100 times: one wake. */
	EXPECT_EQ(read_entry(a, b), 0);
	for (int i = 0; i < 100; i++) {
		EXPECT_EQ(write_entry(b, a, i & 1 ? REG_CONNECTED : REG_INITIALISING), 0);
		wakes += (unsigned)reg_take_wake(a);
	}
	EXPECT_EQ(wakes, 1);
	/* a's own write arms the watch too (the answer to an announce). */
	EXPECT_EQ(write_entry(a, b, REG_RECONNECTING), 0);
	EXPECT_EQ(reg_take_wake(b), 1);                 /* b watched since its own writes */
	EXPECT_EQ(write_entry(a, b, REG_RECONNECTING), 0);
	EXPECT_EQ(reg_take_wake(b), 0);                 /* and only once */
	EXPECT_EQ(write_entry(b, a, REG_INITIALISING), 0);
	EXPECT_EQ(reg_take_wake(a), 1);
	EXPECT_EQ(write_entry(b, a, REG_INITIALISING), 0);
	EXPECT_EQ(reg_take_wake(a), 0);
	printk("hvtest: reg_watch: 100 writes by the peer after one read woke it %u time(s)\n",
	       wakes);
	/* The hypervisor's own changes of a watched entry wake too: a peer
	 * given up (Failed) or dead (Closed), else a watcher blocked without a
	 * deadline would wait for good. */
	EXPECT_EQ(read_entry(a, b), 0);
	reg_slot_failed(b->id);
	EXPECT_EQ(reg_take_wake(a), 1);
	EXPECT_EQ(read_entry(a, b), 0);
	domain_destroy(b);
	EXPECT_EQ(reg_take_wake(a), 1);
	printk("hvtest: reg_watch: peer given up and destroyed: watcher woken each time\n");
	/* a watches the new b's entry, then dies; the next domain in a's slot
	 * armed nothing, so b's write must not wake it. */
	uint32_t a_id = a->id;
	b = hvtest_create("pong");
	EXPECT_EQ(read_entry(a, b), 0);
	domain_destroy(a);
	a = hvtest_create("ping");
	EXPECT_EQ(a->id, a_id);                         /* the same slot, a new domain */
	EXPECT_EQ(write_entry(b, a, REG_INITIALISING), 0);
	EXPECT_EQ(reg_take_wake(a), 0);
	printk("hvtest: reg_watch: a dead domain's watch did not wake the next domain in its slot\n");
	domain_destroy(b);
	domain_destroy(a);
}
