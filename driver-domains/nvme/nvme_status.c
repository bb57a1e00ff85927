/* Error status reporting (driver-domains/nvme/nvme_status.h). */
#include "rt/rt.h"
#include "nvme_regs.h"
#include "nvme_status.h"

const char *nvme_status_name(uint16_t st)
{
	if (NVME_SCT(st) == 0) {
		switch (NVME_SC(st)) {
		case NVME_SC_INVALID_OPCODE: return "invalid opcode";
		case NVME_SC_INVALID_FIELD:  return "invalid field";
		case NVME_SC_INVALID_NS:     return "invalid namespace";
		case NVME_SC_LBA_RANGE:      return "LBA out of range";
		case 0x04: return "data transfer error";
		case 0x06: return "internal error";
		case 0x07: return "aborted";
		case 0x13: return "PRP offset invalid";
		}
	}
	if (NVME_SCT(st) == 2)
		return "media or data integrity error";
	return "";
}

void nvme_status_report(struct nvme_errlog *l, int admin, uint8_t opc, uint16_t st)
{
	uint8_t sct = (uint8_t)NVME_SCT(st), sc = (uint8_t)NVME_SC(st);

	l->count++;
	for (unsigned i = 0; i < l->nkinds; i++)
		if (l->kind[i].admin == admin && l->kind[i].opc == opc && l->kind[i].sct == sct &&
		    l->kind[i].sc == sc)
			return;
	if (l->nkinds < NVME_ERRLOG_KINDS)
		l->kind[l->nkinds++] = (typeof(l->kind[0])){ (uint8_t)admin, opc, sct, sc };
	gprintf("nvme: %s command opcode 0x%02x failed: status code type %u, code 0x%02x%s%s%s\n",
		admin ? "admin" : "I/O", opc, sct, sc, *nvme_status_name(st) ? " (" : "",
		nvme_status_name(st), *nvme_status_name(st) ? ")" : "");
}
