/* The few libc routines the compiler may call on its own in freestanding code. */
#include <stddef.h>
#include <stdint.h>
#include "kstring.h"

/*
 * memset and memcpy move 8 bytes per string-instruction iteration, then the
 * tail byte by byte: under QEMU's TCG every iteration of a rep-prefixed
 * instruction is one emulated instruction (and counts as one under -icount),
 * so `rep movsb` alone cost one per byte. Unaligned qwords are fine on x86.
 * Iterations run in address order, so an overlapping copy to a lower address
 * (memmove's forward case) still reads every source byte before it is
 * overwritten.
 */
void *memset(void *d, int c, size_t n)
{
	void *ret = d;
	size_t q = n / 8, r = n % 8;
	uint64_t v = (uint8_t)c * 0x0101010101010101ull;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(v) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(r) : "a"(v) : "memory");
	return ret;
}

void *memcpy(void *d, const void *s, size_t n)
{
	void *ret = d;
	size_t q = n / 8, r = n % 8;

	__asm__ volatile("rep movsq" : "+D"(d), "+S"(s), "+c"(q) :: "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(r) :: "memory");
	return ret;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp < sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
