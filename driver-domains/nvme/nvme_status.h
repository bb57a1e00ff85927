/*
 * Error statuses: every failed command's status code type and code is
 * printed the first time that (queue, opcode, type, code) is seen and
 * counted always, so a failing disk neither floods the console nor fails
 * silently.
 */
#ifndef DRIVER_NVME_STATUS_H
#define DRIVER_NVME_STATUS_H

#include <stdint.h>

#define NVME_ERRLOG_KINDS 16

struct nvme_errlog {
	uint64_t count;             /* failed commands, all kinds */
	unsigned nkinds;
	struct { uint8_t admin, opc, sct, sc; } kind[NVME_ERRLOG_KINDS];
};

/* Record a failed command (status without the phase bit, nonzero). */
void nvme_status_report(struct nvme_errlog *l, int admin, uint8_t opc, uint16_t status);
/* A short name for a status, "" when the driver does not name it. */
const char *nvme_status_name(uint16_t status);

#endif
