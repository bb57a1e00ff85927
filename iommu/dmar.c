/* DMAR parser (see iommu/dmar.h). */
#include "hv/acpi.h"
#include "dmar.h"

#define DMAR_TYPE_DRHD 0
#define DMAR_TYPE_RMRR 1

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int fail(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

/* Device scopes in [p, p+len); stores up to max of them. */
static int parse_scopes(const uint8_t *p, uint32_t len, struct dmar_scope *out, unsigned max,
			unsigned *n, const char **why)
{
	*n = 0;
	for (uint32_t off = 0; off < len;) {
		if (len - off < 6)
			return fail(why, "device scope header runs past its structure");
		uint8_t slen = p[off + 1];
		if (slen < 6 || slen > len - off)
			return fail(why, "device scope length out of range");
		if ((slen - 6) % 2)
			return fail(why, "device scope path has an odd length");
		if (*n == max)
			return fail(why, "too many device scopes");
		struct dmar_scope *s = &out[(*n)++];
		s->type = p[off];
		s->enum_id = p[off + 4];
		s->start_bus = p[off + 5];
		s->npath = (uint8_t)((slen - 6) / 2);
		if (s->npath == 0 || s->npath > DMAR_MAX_PATH)
			return fail(why, "device scope path empty or too deep");
		for (unsigned i = 0; i < s->npath; i++) {
			s->path[i].dev = p[off + 6 + 2 * i];
			s->path[i].fn = p[off + 7 + 2 * i];
			/* Users pack these into a requester id (dev << 3 | fn). */
			if (s->path[i].dev >= 32 || s->path[i].fn >= 8)
				return fail(why, "device scope path entry beyond device 31 or function 7");
		}
		off += slen;
	}
	return 0;
}

static int parse_drhd(struct dmar_info *d, const uint8_t *p, uint16_t len, const char **why)
{
	if (len < 16)
		return fail(why, "DRHD shorter than 16 bytes");
	if (d->ndrhd == DMAR_MAX_DRHD)
		return fail(why, "too many DRHD units");
	struct dmar_drhd *u = &d->drhd[d->ndrhd++];
	u->flags = p[4];
	u->segment = rd16(p + 6);
	u->base = rd64(p + 8);
	if (!u->base || (u->base & 0xfff))
		return fail(why, "DRHD register base not page aligned");
	return parse_scopes(p + 16, len - 16u, u->scopes, DMAR_MAX_SCOPES, &u->nscopes, why);
}

static int parse_rmrr(struct dmar_info *d, const uint8_t *p, uint16_t len, const char **why)
{
	if (len < 24)
		return fail(why, "RMRR shorter than 24 bytes");
	if (d->nrmrr == DMAR_MAX_RMRR)
		return fail(why, "too many RMRR regions");
	struct dmar_rmrr *r = &d->rmrr[d->nrmrr++];
	r->segment = rd16(p + 6);
	r->base = rd64(p + 8);
	r->limit = rd64(p + 16);
	if (r->limit < r->base)
		return fail(why, "RMRR limit below its base");
	return parse_scopes(p + 24, len - 24u, r->scopes, 4, &r->nscopes, why);
}

int dmar_parse(const void *t, size_t avail, struct dmar_info *out, const char **why)
{
	const uint8_t *p = t;
	uint8_t *o = (uint8_t *)out;

	for (size_t i = 0; i < sizeof(*out); i++)
		o[i] = 0;
	if (acpi_table_check(t, avail, "DMAR", why))
		return -1;
	uint32_t len = acpi_table_len(t, avail);
	if (len < 48)
		return fail(why, "DMAR shorter than 48 bytes");
	out->haw = (uint8_t)(p[36] + 1);
	out->flags = p[37];
	for (uint32_t off = 48; off < len;) {
		if (len - off < 4)
			return fail(why, "remapping structure header runs past the table");
		uint16_t type = rd16(p + off), slen = rd16(p + off + 2);
		if (slen < 4 || slen > len - off)
			return fail(why, "remapping structure length out of range");
		int rc = 0;
		if (type == DMAR_TYPE_DRHD)
			rc = parse_drhd(out, p + off, slen, why);
		else if (type == DMAR_TYPE_RMRR)
			rc = parse_rmrr(out, p + off, slen, why);
		if (rc)
			return -1;
		off += slen;
	}
	if (!out->ndrhd)
		return fail(why, "DMAR lists no remapping unit");
	return 0;
}
