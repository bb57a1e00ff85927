#include <string.h>
#include "kvargs.h"
#include "unit.h"

static int is(const char *list, const char *key, const char *want)
{
	size_t n;
	const char *v = kv_find(list, key, &n);

	if (!want)
		return v == 0;
	return v && n == strlen(want) && !strncmp(v, want, n);
}

int main(void)
{
	CHECK(is("count=5 tag=A", "count", "5"));
	CHECK(is("count=5 tag=A", "tag", "A"));
	CHECK(is("  a=1   b=22  ", "b", "22"));
	CHECK(is("a=", "a", ""));           /* present, empty */
	CHECK(is("ab=1", "a", 0));          /* prefix of another key */
	CHECK(is("a", "a", 0));
	CHECK(is("xa=1 a=2", "a", "2"));
	CHECK(is("", "a", 0));
	CHECK(is("a=1=2", "a", "1=2"));
	char buf[4];
	CHECK(kv_copy("name=alpha x=1", "name", buf, sizeof(buf)) == buf);
	CHECK(!strcmp(buf, "alp"));                 /* truncated, terminated */
	CHECK(kv_copy("x=1", "name", buf, sizeof(buf)) == 0);
	CHECK(kv_copy("x=1", "x", buf, 0) == 0);
	const char *p = "  mac.a=1   b ", *w;
	size_t len;
	CHECK((w = kv_word(&p, &len)) && len == 7 && !strncmp(w, "mac.a=1", 7));
	CHECK((w = kv_word(&p, &len)) && len == 1 && *w == 'b');
	CHECK(kv_word(&p, &len) == 0);              /* trailing spaces: the end */
	p = "";
	CHECK(kv_word(&p, &len) == 0);
	return unit_done("kvargs");
}
