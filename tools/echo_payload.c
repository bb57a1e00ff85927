/*
 * Echo payloads: see echo_payload.h.
 */
#include "echo_payload.h"

/* A bijective 32-bit mixer (lowbias32), so neighbouring offsets and tags get unrelated bytes. */
static uint32_t mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static uint8_t pattern(uint32_t tag, uint32_t seq, size_t off)
{
	uint32_t h = mix32(tag ^ mix32((uint32_t)off + 0x9e3779b9u));

	/*
	 * seq enters multiplied by an odd number: that is a bijection modulo
	 * 256, so two seqs less than 256 apart never give the same byte here.
	 * The header alone would not cover payloads under 8 bytes.
	 */
	return (uint8_t)(h + seq * ((h >> 8) | 1));
}

uint8_t echo_byte(size_t len, uint32_t tag, uint32_t seq, size_t off)
{
	if (len >= ECHO_HDR_LEN && off < ECHO_HDR_LEN) {
		uint32_t v = off < 4 ? seq : tag;

		return (uint8_t)(v >> (8 * (off & 3)));
	}
	return pattern(tag, seq, off);
}

void echo_fill(uint8_t *buf, size_t len, uint32_t tag, uint32_t seq)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = echo_byte(len, tag, seq, i);
}

long echo_match(const uint8_t *buf, size_t len, size_t sent_len, uint32_t tag, uint32_t seq)
{
	size_t n = len < sent_len ? len : sent_len;

	for (size_t i = 0; i < n; i++)
		if (buf[i] != echo_byte(sent_len, tag, seq, i))
			return (long)i;
	return len == sent_len ? -1 : (long)n;
}

static uint32_t get_le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int echo_seq_of(const uint8_t *buf, size_t len, uint32_t tag, uint32_t *seq)
{
	if (len < ECHO_HDR_LEN || get_le32(buf + 4) != tag)
		return 0;
	*seq = get_le32(buf);
	return 1;
}

uint32_t echo_size_for(uint32_t i, uint32_t n, uint32_t min, uint32_t max)
{
	if (n <= 1 || max <= min)
		return min;
	if (i >= n - 1)
		return max;
	return min + (uint32_t)((uint64_t)i * (max - min) / (n - 1));
}
