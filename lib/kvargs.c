#include "kvargs.h"

static int prefix(const char *w, const char *key, size_t klen)
{
	for (size_t i = 0; i < klen; i++)
		if (w[i] != key[i])
			return 0;
	return 1;
}

const char *kv_word(const char **pos, size_t *len)
{
	const char *p = *pos, *w;

	while (*p == ' ')
		p++;
	if (!*p)
		return 0;
	w = p;
	while (*p && *p != ' ')
		p++;
	*pos = p;
	*len = (size_t)(p - w);
	return w;
}

const char *kv_find(const char *list, const char *key, size_t *vlen)
{
	size_t klen = 0, wlen;
	const char *p = list, *w;

	while (key[klen])
		klen++;
	while ((w = kv_word(&p, &wlen)))
		if (wlen > klen && prefix(w, key, klen) && w[klen] == '=') {
			*vlen = wlen - klen - 1;
			return w + klen + 1;
		}
	return 0;
}

const char *kv_copy(const char *list, const char *key, char *buf, size_t len)
{
	size_t vlen;
	const char *v = kv_find(list, key, &vlen);

	if (!v || len == 0)
		return 0;
	if (vlen > len - 1)
		vlen = len - 1;
	for (size_t i = 0; i < vlen; i++)
		buf[i] = v[i];
	buf[vlen] = 0;
	return buf;
}
