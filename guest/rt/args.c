/* "key=value" arguments from the scenario file. */
#include "kvargs.h"
#include "rt/rt.h"

static const char *find(const char *key, size_t *vlen)
{
	return kv_find(rt_info.args, key, vlen);
}

const char *rt_arg_str(const char *key, char *buf, size_t len)
{
	return kv_copy(rt_info.args, key, buf, len);
}

static int digit(char c, unsigned base)
{
	int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
	return d < (int)base ? d : -1;
}

uint64_t rt_arg_u64(const char *key, uint64_t def)
{
	size_t vlen;
	const char *v = find(key, &vlen);
	unsigned base = 10;
	uint64_t n = 0;

	if (!v || vlen == 0)
		return def;
	if (vlen > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		v += 2;
		vlen -= 2;
	}
	for (size_t i = 0; i < vlen; i++) {
		int d = digit(v[i], base);
		if (d < 0 || n > (UINT64_MAX - (uint64_t)d) / base)
			return def;
		n = n * base + (uint64_t)d;
	}
	return n;
}
