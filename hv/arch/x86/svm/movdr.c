/* MOV to/from DRn decoding (AMD APM vol. 3, "MOV DRn"; prefixes: vol. 3 sec. 1.2). */
#include "movdr.h"

#define REX_R   0x4
#define REX_B   0x1

static int legacy_prefix(uint8_t c)
{
	switch (c) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:  /* segment */
	case 0x66: case 0x67:                                              /* operand/address size */
	case 0xf2: case 0xf3:                                              /* REPNE/REP */
		return 1;
	}
	return 0;       /* LOCK (F0) makes MOV DRn #UD: never intercepted */
}

int movdr_decode(const uint8_t *b, unsigned n, int long_mode, struct movdr *out)
{
	unsigned i = 0;
	uint8_t rex = 0, modrm;

	if (n > MOVDR_MAX_LEN)
		n = MOVDR_MAX_LEN;
	for (; i < n; i++) {
		if (legacy_prefix(b[i]))
			rex = 0;        /* a REX counts only right before the opcode */
		else if (long_mode && (b[i] & 0xf0) == 0x40)
			rex = b[i];
		else
			break;
	}
	if (n < 3 || i > n - 3 || b[i] != 0x0f || (b[i + 1] != 0x21 && b[i + 1] != 0x23))
		return -1;
	modrm = b[i + 2];
	if (rex & REX_R)
		return -1;
	out->write = b[i + 1] == 0x23;
	out->dr = (modrm >> 3) & 7;
	out->gpr = (modrm & 7) | (rex & REX_B ? 8 : 0);
	out->len = (uint8_t)(i + 3);
	return 0;
}
