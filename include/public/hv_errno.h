/* Error codes returned (negated) by every hypercall. Shared by hypervisor, guests, tools. */
#ifndef PUBLIC_HV_ERRNO_H
#define PUBLIC_HV_ERRNO_H

#define HV_OK       0
#define HV_EINVAL   1   /* an argument is out of its documented range */
#define HV_EFAULT   2   /* a buffer is not entirely inside the caller's own memory */
#define HV_ENOSYS   3   /* no such hypercall number */
#define HV_ENOMEM   4   /* the hypervisor is out of the resource asked for */
#define HV_EPERM    5   /* the caller may not do this */
#define HV_ENOENT   6   /* the named object does not exist */
#define HV_E2BIG    7   /* a length exceeds the documented maximum */
#define HV_EBUSY    8   /* the object is in use */

#endif
