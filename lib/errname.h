/* Hypercall/hypervisor error codes (public/hv_errno.h) by name, for every
 * line a person reads: "-6" becomes "ENOENT (no such object)". */
#ifndef LIB_ERRNAME_H
#define LIB_ERRNAME_H

#include <stdint.h>
#include "public/hv_errno.h"

/* rc is an error code, negated or not; "E?" for an unknown one. */
static inline const char *hv_errname(int64_t rc)
{
	static const char *const names[] = {
		[HV_OK] = "OK",
		[HV_EINVAL] = "EINVAL (argument out of range)",
		[HV_EFAULT] = "EFAULT (buffer outside the caller's memory)",
		[HV_ENOSYS] = "ENOSYS (no such call)",
		[HV_ENOMEM] = "ENOMEM (out of memory or slots)",
		[HV_EPERM] = "EPERM (not allowed)",
		[HV_ENOENT] = "ENOENT (no such object)",
		[HV_E2BIG] = "E2BIG (too large)",
		[HV_EBUSY] = "EBUSY (in use)",
	};
	uint64_t i = rc < 0 ? (uint64_t)-rc : (uint64_t)rc;

	return i < sizeof(names) / sizeof(names[0]) && names[i] ? names[i] : "E? (unknown error)";
}

#endif
