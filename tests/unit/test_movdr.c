/* MOV DRn decoding for the DR7 intercepts (hv/arch/x86/svm/movdr.c). */
#include "hv/arch/x86/svm/movdr.h"
#include "unit.h"

static int dec(const uint8_t *b, unsigned n, int lm, struct movdr *m)
{
	return movdr_decode(b, n, lm, m);
}

#define DEC(lm, ...) ({ const uint8_t b_[] = { __VA_ARGS__ }; dec(b_, sizeof(b_), lm, &m); })

int main(void)
{
	struct movdr m;

	/* Encodings as GNU as emits them. */
	CHECK_EQ(DEC(1, 0x0f, 0x23, 0xf8), 0);                  /* mov %rax,%dr7 */
	CHECK(m.write && m.dr == 7 && m.gpr == 0 && m.len == 3);
	CHECK_EQ(DEC(1, 0x41, 0x0f, 0x23, 0xf9), 0);            /* mov %r9,%dr7 */
	CHECK(m.write && m.dr == 7 && m.gpr == 9 && m.len == 4);
	CHECK_EQ(DEC(1, 0x41, 0x0f, 0x21, 0xfb), 0);            /* mov %dr7,%r11 */
	CHECK(!m.write && m.dr == 7 && m.gpr == 11 && m.len == 4);
	CHECK_EQ(DEC(1, 0x0f, 0x23, 0xfc), 0);                  /* mov %rsp,%dr7 */
	CHECK(m.gpr == 4);
	CHECK_EQ(DEC(1, 0x41, 0x0f, 0x23, 0xc7), 0);            /* mov %r15,%dr0 */
	CHECK(m.dr == 0 && m.gpr == 15);
	/* Trailing bytes are not part of it. */
	CHECK_EQ(DEC(1, 0x0f, 0x21, 0xf8, 0x0f, 0x01, 0xd9), 0);
	CHECK(!m.write && m.len == 3);
	/* mod bits are ignored, as the CPU ignores them. */
	CHECK_EQ(DEC(1, 0x0f, 0x23, 0x38), 0);
	CHECK(m.dr == 7 && m.gpr == 0 && m.len == 3);
	/* Legacy prefixes count in the length; REX.W changes nothing. */
	CHECK_EQ(DEC(1, 0x66, 0x2e, 0x49, 0x0f, 0x23, 0xfa), 0);
	CHECK(m.gpr == 10 && m.len == 6);
	/* A REX followed by a legacy prefix is ignored; the last REX counts. */
	CHECK_EQ(DEC(1, 0x41, 0x66, 0x0f, 0x23, 0xf9), 0);
	CHECK(m.gpr == 1 && m.len == 5);
	CHECK_EQ(DEC(1, 0x40, 0x41, 0x0f, 0x23, 0xf9), 0);
	CHECK(m.gpr == 9);
	/* Outside 64-bit mode 0x41 is INC ECX, not a REX. */
	CHECK_EQ(DEC(0, 0x41, 0x0f, 0x23, 0xf9), -1);
	CHECK_EQ(DEC(0, 0x0f, 0x21, 0xfc), 0);                  /* mov %dr7,%esp */
	CHECK(!m.write && m.gpr == 4);
	/* REX.R names DR8-15 (#UD), LOCK is #UD: never a MOV DR the CPU ran. */
	CHECK_EQ(DEC(1, 0x44, 0x0f, 0x23, 0xf8), -1);
	CHECK_EQ(DEC(1, 0xf0, 0x0f, 0x23, 0xf8), -1);
	/* Other instructions, and truncated ones. */
	CHECK_EQ(DEC(1, 0x0f, 0x22, 0xd8), -1);                 /* mov %rax,%cr3 */
	CHECK_EQ(DEC(1, 0x0f, 0x01, 0xd9), -1);                 /* vmmcall */
	CHECK_EQ(DEC(1, 0x0f, 0x23), -1);
	CHECK_EQ(DEC(1, 0x41), -1);
	CHECK_EQ(dec((const uint8_t *)"", 0, 1, &m), -1);
	/* 15 bytes at most: 12 prefixes + 0F 23 /r fits, 13 do not. */
	CHECK_EQ(DEC(1, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		     0x0f, 0x23, 0xf8), 0);
	CHECK(m.len == 15);
	CHECK_EQ(DEC(1, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		     0x66, 0x0f, 0x23, 0xf8), -1);
	CHECK_EQ(DEC(1, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		     0x66, 0x66, 0x66, 0x66), -1);
	return unit_done("movdr");
}
