#include <string.h>
#include "echo_payload.h"
#include "unit.h"

static uint8_t a[ECHO_MAX_PAYLOAD + 1], b[ECHO_MAX_PAYLOAD + 1];

static const uint32_t tag = 0x5eed1234;

/* A flipped byte anywhere is found at its own offset. */
static void check_flip(size_t len, uint32_t seq, size_t off)
{
	echo_fill(a, len, tag, seq);
	a[off] ^= 0x01;
	CHECK_EQ(echo_match(a, len, len, tag, seq), off);
}

static void check_size(size_t len)
{
	uint32_t seq = 0;

	echo_fill(a, len, tag, 41);
	CHECK_EQ(echo_match(a, len, len, tag, 41), -1);
	check_flip(len, 41, 0);
	check_flip(len, 41, len / 2);
	check_flip(len, 41, len - 1);

	/* Neighbouring seqs and another tag give other bytes, even at length 1. */
	echo_fill(b, len, tag, 42);
	CHECK(memcmp(a, b, len) != 0);
	CHECK(echo_match(b, len, len, tag, 41) >= 0);
	echo_fill(b, len, tag ^ 0x100, 41);
	CHECK(memcmp(a, b, len) != 0);
	CHECK(echo_match(b, len, len, tag, 41) >= 0);

	/* Truncated or padded echoes fail at the shorter length. */
	echo_fill(a, len, tag, 41);
	CHECK_EQ(echo_match(a, len - 1, len, tag, 41), len - 1);
	a[len] = echo_byte(len + 1, tag, 41, len);
	CHECK_EQ(echo_match(a, len + 1, len, tag, 41), len);

	CHECK_EQ(echo_seq_of(a, len, tag, &seq), len >= ECHO_HDR_LEN);
	if (len >= ECHO_HDR_LEN) {
		CHECK_EQ(seq, 41);
		CHECK_EQ(echo_seq_of(a, len, tag + 1, &seq), 0);
	}
}

int main(void)
{
	static const size_t sizes[] = { 1, 7, 8, ECHO_MAX_PAYLOAD };
	uint32_t seq = 0;

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_size(sizes[i]);

	/* Header layout: seq then tag, little-endian. */
	echo_fill(a, 16, 0xa1b2c3d4, 0x01020304);
	CHECK_EQ(a[0], 0x04);
	CHECK_EQ(a[3], 0x01);
	CHECK_EQ(a[4], 0xd4);
	CHECK_EQ(a[7], 0xa1);
	CHECK_EQ(echo_seq_of(a, 16, 0xa1b2c3d4, &seq), 1);
	CHECK_EQ(seq, 0x01020304);
	CHECK_EQ(echo_seq_of(a, 7, 0xa1b2c3d4, &seq), 0);

	/* Without a header, byte 0 alone tells 256 consecutive seqs apart. */
	int distinct = 1;

	for (uint32_t s = 1; s < 256; s++)
		if (echo_byte(1, tag, 1000 + s, 0) == echo_byte(1, tag, 1000, 0))
			distinct = 0;
	CHECK(distinct);

	/* A probe's seq never collides with a measured one's header. */
	echo_fill(a, 8, tag, ECHO_PROBE_BIT | 5);
	CHECK(echo_match(a, 8, 8, tag, 5) >= 0);

	/* Size schedule: first MIN, last MAX, never shrinking; one datagram is MIN. */
	CHECK_EQ(echo_size_for(0, 1000, 1, ECHO_MAX_PAYLOAD), 1);
	CHECK_EQ(echo_size_for(999, 1000, 1, ECHO_MAX_PAYLOAD), ECHO_MAX_PAYLOAD);
	CHECK_EQ(echo_size_for(0, 1, 10, 20), 10);
	CHECK_EQ(echo_size_for(0, 2, 10, 20), 10);
	CHECK_EQ(echo_size_for(1, 2, 10, 20), 20);
	CHECK_EQ(echo_size_for(5, 10, 64, 64), 64);
	CHECK_EQ(echo_size_for(9999999, 10000000, 1, ECHO_MAX_PAYLOAD), ECHO_MAX_PAYLOAD);
	int mono = 1, in_range = 1;

	for (uint32_t i = 1; i < 1000; i++) {
		uint32_t s = echo_size_for(i, 1000, 1, ECHO_MAX_PAYLOAD);

		mono &= s >= echo_size_for(i - 1, 1000, 1, ECHO_MAX_PAYLOAD);
		in_range &= s >= 1 && s <= ECHO_MAX_PAYLOAD;
	}
	CHECK(mono);
	CHECK(in_range);
	return unit_done("loadgen");
}
