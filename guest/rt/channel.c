#include "errname.h"
#include "rt/channel.h"
#include "rt/rt.h"

uint64_t rt_notify_pending;

int64_t rt_peer_id(const char *key)
{
	char name[32];

	if (!rt_arg_str(key, name, sizeof(name)))
		rt_fail("no %s= argument", key);
	int64_t id = hv_domain_lookup(name, strlen(name));
	if (id < 0)
		rt_fail("no domain named %s: %s", name, hv_errname(id));
	return id;
}
