/*
 * Payloads of the UDP load generator (tools/loadgen.c): what datagram seq of a
 * run with a random 32-bit tag contains, so every echo can be checked byte for
 * byte without keeping a copy of what was sent. Pure host code, unit-tested.
 *
 * A payload of at least ECHO_HDR_LEN bytes starts with seq and the tag (both
 * little-endian); every other byte is a pattern of (tag, seq, offset). Shorter
 * payloads are pattern only; the pattern's byte at any offset differs between
 * two seqs less than 256 apart, so even a 1-byte echo tells recent datagrams
 * apart.
 */
#ifndef TOOLS_ECHO_PAYLOAD_H
#define TOOLS_ECHO_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#define ECHO_HDR_LEN     8
#define ECHO_MAX_PAYLOAD 1472           /* 1500-byte MTU - IPv4 - UDP header */
#define ECHO_PROBE_BIT   0x80000000u    /* warm-up probes; measured seqs stay below */

/* The byte at offset off of datagram seq when it is len bytes long. */
uint8_t echo_byte(size_t len, uint32_t tag, uint32_t seq, size_t off);

void echo_fill(uint8_t *buf, size_t len, uint32_t tag, uint32_t seq);

/*
 * Compare a received buf of len bytes with what echo_fill put into the
 * sent_len bytes of datagram seq: -1 when identical, else the first differing
 * offset (the shorter length when one is a prefix of the other, so a truncated
 * or padded echo fails too).
 */
long echo_match(const uint8_t *buf, size_t len, size_t sent_len, uint32_t tag, uint32_t seq);

/* 1 and *seq from the header when len >= ECHO_HDR_LEN and the tag is ours, else 0. */
int echo_seq_of(const uint8_t *buf, size_t len, uint32_t tag, uint32_t *seq);

/* Payload size of datagram i of n: min for the first, max for the last, linear between. */
uint32_t echo_size_for(uint32_t i, uint32_t n, uint32_t min, uint32_t max);

#endif
