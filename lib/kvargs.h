/* "key=value key2=value2" argument lists (boot command line, scenario args). */
#ifndef LIB_KVARGS_H
#define LIB_KVARGS_H

#include <stddef.h>

/* The next space-separated word at *pos (advanced past it) and its length,
 * or NULL at the end of the list. */
const char *kv_word(const char **pos, size_t *len);
/* The value of key in the space-separated list, with its length, or NULL. */
const char *kv_find(const char *list, const char *key, size_t *vlen);
/* Copy the value of key (truncated to len - 1) into buf; buf, or NULL when absent. */
const char *kv_copy(const char *list, const char *key, char *buf, size_t len);

#endif
