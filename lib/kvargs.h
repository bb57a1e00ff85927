/* "key=value key2=value2" argument lists (boot command line, scenario args). */
#ifndef LIB_KVARGS_H
#define LIB_KVARGS_H

#include <stddef.h>

/* The value of key in the space-separated list, with its length, or NULL. */
const char *kv_find(const char *list, const char *key, size_t *vlen);

#endif
