// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole `xl save` files, read streaming and bounded (xlsave.h says which
 * layouts, from where).
 */
#include "xlsave.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "stream.h"

#define LIBXL_IDENT 0x4c6962786c466d74ull /* "LibxlFmt" */
#define LIBXL_OPT_BIG_ENDIAN 0x1u
#define LIBXL_OPT_LEGACY 0x2u
#define LIBXL_OPTIONAL_RECORD 0x80000000u

#define LIBXC_MARKER 0xffffffffffffffffull
#define LIBXC_IDENT 0x58454e46u /* "XENF" */
#define LIBXC_OPT_BIG_ENDIAN 0x1u
#define LIBXC_DOMAIN_X86_HVM 2

/* libxc record types (xg_sr_stream_format.h). */
enum {
	XC_REC_END = 0x00,
	XC_REC_PAGE_DATA = 0x01,
	XC_REC_X86_TSC_INFO = 0x08,
	XC_REC_HVM_CONTEXT = 0x09,
	XC_REC_HVM_PARAMS = 0x0a,
	XC_REC_CHECKPOINT = 0x0e,
	XC_REC_CHECKPOINT_DIRTY_PFN_LIST = 0x0f,
	XC_REC_LAST_KNOWN = 0x12, /* X86_MSR_POLICY, Xen 4.14 and later */
	XC_REC_OPTIONAL = 0x80000000u,
};

/* A PAGE_DATA entry: pfn in the low bits, XEN_DOMCTL_PFINFO_* type in the top nibble. */
#define PAGE_PFN_MASK 0x000fffffffffffffull
#define PAGE_TYPE_SHIFT 60
#define PAGE_TYPE_BROKEN 0xd
#define PAGE_TYPE_XALLOC 0xe
#define PAGE_TYPE_XTAB 0xf

struct reader {
	FILE *f;
	uint64_t pos;
	char *err;
	size_t errlen;
};

static int fail(struct reader *r, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, uint64_t at, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, r->errlen, "byte %llu: ", (unsigned long long)at);

	if (n < 0 || (size_t)n >= r->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(r->err + n, r->errlen - n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Exactly n bytes or an error naming what was being read. */
static int take(struct reader *r, void *buf, size_t n, const char *what)
{
	size_t got = fread(buf, 1, n, r->f);

	if (got != n) {
		if (ferror(r->f))
			return fail(r, r->pos + got, "%s: read error: %s", what, strerror(errno));
		return fail(r, r->pos + got, "%s: the file ends here (%zu of %zu bytes)", what, got, n);
	}
	r->pos += n;
	return 0;
}

static int skip(struct reader *r, uint64_t n, const char *what)
{
	uint8_t scratch[65536];

	while (n) {
		size_t chunk = n > sizeof(scratch) ? sizeof(scratch) : (size_t)n;

		if (take(r, scratch, chunk, what))
			return -1;
		n -= chunk;
	}
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return p[0] | (uint16_t)(p[1] << 8);
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint64_t padded(uint32_t len)
{
	return ((uint64_t)len + 7) & ~7ull;
}

bool xlsave_is_xl(const uint8_t *head, size_t len)
{
	return len >= XLSAVE_MAGIC_LEN && !memcmp(head, XLSAVE_MAGIC, XLSAVE_MAGIC_LEN);
}

static int read_xl_header(struct reader *r, struct xlsave_info *info)
{
	uint8_t h[XLSAVE_MAGIC_LEN + 16];
	uint32_t order;

	if (take(r, h, sizeof(h), "xl header"))
		return -1;
	if (!xlsave_is_xl(h, sizeof(h)))
		return fail(r, 0, "not an xl save file (xl's magic \"Xen saved domain, xl format\" is missing)");
	order = le32(h + 32);
	if (order != 0x01020304)
		return fail(r, 32, "byte order mark %#x, not 0x01020304: written on a host of the other byte order",
			    order);
	info->mandatory_flags = le32(h + 36);
	info->optional_flags = le32(h + 40);
	info->optional_data_len = le32(h + 44);
	if (info->mandatory_flags & ~(XLSAVE_FLAG_JSON | XLSAVE_FLAG_STREAMV2))
		return fail(r, 36, "mandatory flags %#x: %#x unknown (xl refuses it too: \"need newer xl\")",
			    info->mandatory_flags,
			    info->mandatory_flags & ~(XLSAVE_FLAG_JSON | XLSAVE_FLAG_STREAMV2));
	if (info->optional_data_len > XLSAVE_MAX_CONFIG + 4)
		return fail(r, 44, "optional data of %u bytes, over the %u-byte bound", info->optional_data_len,
			    XLSAVE_MAX_CONFIG + 4);
	if (info->optional_data_len) {
		uint8_t *opt = malloc(info->optional_data_len);
		uint64_t at = r->pos;
		uint32_t clen;

		if (!opt)
			return fail(r, at, "out of memory");
		if (take(r, opt, info->optional_data_len, "xl optional data")) {
			free(opt);
			return -1;
		}
		if (info->optional_data_len < 4) {
			free(opt);
			return fail(r, at, "optional data of %u bytes has no room for the config length",
				    info->optional_data_len);
		}
		clen = le32(opt);
		if (clen > info->optional_data_len - 4) {
			free(opt);
			return fail(r, at, "config length %u runs past the optional data (%u bytes)", clen,
				    info->optional_data_len - 4);
		}
		if ((info->mandatory_flags & XLSAVE_FLAG_JSON) && clen) {
			/* xl writes the JSON with its NUL; keep it NUL-terminated either way. */
			info->config = malloc((size_t)clen + 1);
			if (!info->config) {
				free(opt);
				return fail(r, at, "out of memory");
			}
			memcpy(info->config, opt + 4, clen);
			info->config[clen] = 0;
			info->config_len = strlen(info->config);
			if (info->config_len + 1 < clen) {
				free(opt);
				return fail(r, at + 4 + info->config_len, "a NUL inside the JSON config");
			}
		}
		free(opt);
	}
	if (!(info->mandatory_flags & XLSAVE_FLAG_STREAMV2))
		info->legacy_v1 = true;
	return 0;
}

static const char *xc_record_name(uint32_t type)
{
	static const char *const names[] = {
		"END", "PAGE_DATA", "X86_PV_INFO", "X86_PV_P2M_FRAMES", "X86_PV_VCPU_BASIC",
		"X86_PV_VCPU_EXTENDED", "X86_PV_VCPU_XSAVE", "SHARED_INFO", "X86_TSC_INFO",
		"HVM_CONTEXT", "HVM_PARAMS", "TOOLSTACK", "X86_PV_VCPU_MSRS", "VERIFY",
		"CHECKPOINT", "CHECKPOINT_DIRTY_PFN_LIST", "STATIC_DATA_END", "X86_CPUID_POLICY",
		"X86_MSR_POLICY",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "unknown";
}

static int read_page_data(struct reader *r, struct xlsave_info *info, uint64_t at, uint32_t len)
{
	uint8_t hdr[8];
	uint8_t *pfns;
	uint32_t count;
	uint64_t data_pages = 0, want;
	uint64_t page_size = 1ull << info->page_shift;

	if (len < 8)
		return fail(r, at, "PAGE_DATA of %u bytes is shorter than its 8-byte header", len);
	if (take(r, hdr, 8, "PAGE_DATA header"))
		return -1;
	count = le32(hdr);
	if (count == 0 || count > XLSAVE_MAX_PAGE_BATCH)
		return fail(r, at + 8, "PAGE_DATA count %u (1 to %u)", count, XLSAVE_MAX_PAGE_BATCH);
	if ((uint64_t)count * 8 > len - 8)
		return fail(r, at + 8, "PAGE_DATA count %u needs %u bytes of frame numbers; the record has %u",
			    count, count * 8, len - 8);
	pfns = malloc((size_t)count * 8);
	if (!pfns)
		return fail(r, at, "out of memory");
	if (take(r, pfns, (size_t)count * 8, "PAGE_DATA frame numbers")) {
		free(pfns);
		return -1;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint64_t e = le64(pfns + 8 * (size_t)i);
		unsigned int type = e >> PAGE_TYPE_SHIFT;
		uint64_t pfn = e & PAGE_PFN_MASK;

		if (type != PAGE_TYPE_XTAB && type != PAGE_TYPE_XALLOC && type != PAGE_TYPE_BROKEN)
			data_pages++;
		if (pfn > info->max_pfn_seen)
			info->max_pfn_seen = pfn;
	}
	free(pfns);
	want = 8 + (uint64_t)count * 8 + data_pages * page_size;
	if (want != len)
		return fail(r, at, "PAGE_DATA of %u bytes: %u entries with %llu pages of data make %llu", len,
			    count, (unsigned long long)data_pages, (unsigned long long)want);
	info->pages += data_pages;
	info->page_entries += count;
	return skip(r, data_pages * page_size + (padded(len) - len), "PAGE_DATA pages");
}

static int read_hvm_params(struct reader *r, struct xlsave_info *info, uint64_t at, uint32_t len)
{
	uint8_t hdr[8], e[16];
	uint32_t count;

	if (len < 8 || take(r, hdr, 8, "HVM_PARAMS header"))
		return len < 8 ? fail(r, at, "HVM_PARAMS of %u bytes is shorter than its header", len) : -1;
	count = le32(hdr);
	if ((uint64_t)count * 16 + 8 != len)
		return fail(r, at + 8, "HVM_PARAMS count %u does not fit its %u bytes", count, len);
	for (uint32_t i = 0; i < count; i++) {
		if (take(r, e, 16, "HVM_PARAMS entry"))
			return -1;
		if (info->nr_params < XLSAVE_MAX_PARAMS) {
			info->params[info->nr_params].index = le64(e);
			info->params[info->nr_params].value = le64(e + 8);
			info->nr_params++;
		}
	}
	info->have_hvm_params = true;
	return skip(r, padded(len) - len, "HVM_PARAMS padding");
}

/* libxc's stream, from its image header to its END record. */
static int read_libxc(struct reader *r, struct xlsave_info *info)
{
	uint8_t ih[24], dh[16], rh[8];
	uint64_t at = r->pos;

	info->libxc_offset = at;
	if (take(r, ih, sizeof(ih), "libxc image header"))
		return -1;
	if (be64(ih) != LIBXC_MARKER || be32(ih + 8) != LIBXC_IDENT)
		return fail(r, at, "no libxc image header (marker and \"XENF\") after LIBXC_CONTEXT");
	info->libxc_version = be32(ih + 12);
	info->libxc_options = (uint16_t)(ih[16] << 8 | ih[17]);
	if (info->libxc_version < 2 || info->libxc_version > 3)
		return fail(r, at + 12, "libxc stream version %u (Xen restores 2 and 3)", info->libxc_version);
	if (info->libxc_options & LIBXC_OPT_BIG_ENDIAN)
		return fail(r, at + 16, "a big-endian libxc stream");
	at = r->pos;
	if (take(r, dh, sizeof(dh), "libxc domain header"))
		return -1;
	info->domain_type = le32(dh);
	info->page_shift = le16(dh + 4);
	info->xen_major = le32(dh + 8);
	info->xen_minor = le32(dh + 12);
	if (info->domain_type != LIBXC_DOMAIN_X86_HVM)
		return fail(r, at, "domain type %u: not an x86 HVM guest (type 2)", info->domain_type);
	if (info->page_shift != 12)
		return fail(r, at + 4, "page shift %u (x86 pages are 4 KiB: 12)", info->page_shift);
	info->have_libxc = true;
	for (;;) {
		uint32_t type, len;
		int rc = 0;

		at = r->pos;
		if (take(r, rh, sizeof(rh), "libxc record header"))
			return -1;
		type = le32(rh);
		len = le32(rh + 4);
		info->nr_libxc_records++;
		switch (type) {
		case XC_REC_END:
			if (len)
				return fail(r, at + 4, "libxc END with a %u-byte body", len);
			return 0;
		case XC_REC_PAGE_DATA:
			rc = read_page_data(r, info, at, len);
			break;
		case XC_REC_HVM_PARAMS:
			rc = read_hvm_params(r, info, at, len);
			break;
		case XC_REC_X86_TSC_INFO:
			info->have_tsc_info = true;
			rc = skip(r, padded(len), "X86_TSC_INFO");
			break;
		case XC_REC_HVM_CONTEXT:
			info->have_hvm_context = true;
			info->hvm_context_len = len;
			rc = skip(r, padded(len), "HVM_CONTEXT");
			break;
		case XC_REC_CHECKPOINT:
		case XC_REC_CHECKPOINT_DIRTY_PFN_LIST:
			return fail(r, at, "libxc %s record: a checkpointed (Remus/COLO) stream, not a save file",
				    xc_record_name(type));
		default:
			if (type > XC_REC_LAST_KNOWN && !(type & XC_REC_OPTIONAL))
				return fail(r, at, "libxc record type %#x is unknown and not optional", type);
			rc = skip(r, padded(len), xc_record_name(type));
			break;
		}
		if (rc)
			return -1;
	}
}

static int read_emulator(struct reader *r, struct xlsave_info *info, uint64_t at, uint32_t type,
			 uint32_t len)
{
	uint8_t sub[8];
	size_t n;
	uint8_t *p;
	size_t cap = type == LIBXL_REC_EMULATOR_CONTEXT ? STREAM_MAX_SIZE : XLSAVE_MAX_XENSTORE;

	if (len < 8)
		return fail(r, at, "%s of %u bytes has no room for its emulator id and index",
			    xlsave_record_name(type), len);
	if (take(r, sub, 8, "emulator sub-header"))
		return -1;
	n = len - 8;
	if (n > cap)
		return fail(r, at + 4, "%s of %zu bytes, over the %zu-byte bound", xlsave_record_name(type), n,
			    cap);
	if (type == LIBXL_REC_EMULATOR_CONTEXT && info->have_emulator) {
		/* One device model per guest is all hvmdm restores; count the others. */
		info->nr_emulators++;
		return skip(r, padded(len) - 8, "a further EMULATOR_CONTEXT");
	}
	if (type == LIBXL_REC_EMULATOR_XENSTORE_DATA && info->xenstore)
		return fail(r, at, "a second EMULATOR_XENSTORE_DATA record");
	p = malloc(n ? n : 1);
	if (!p)
		return fail(r, at, "out of memory");
	if (take(r, p, n, xlsave_record_name(type))) {
		free(p);
		return -1;
	}
	if (type == LIBXL_REC_EMULATOR_CONTEXT) {
		info->have_emulator = true;
		info->nr_emulators = 1;
		info->emulator_id = le32(sub);
		info->emulator_index = le32(sub + 4);
		info->emulator_offset = at + 16;
		info->emulator = p;
		info->emulator_len = n;
	} else {
		/* libxl takes key\0value\0 pairs; refuse what it would refuse. */
		size_t pos = 0;

		while (pos < n) {
			const uint8_t *key = p + pos, *nul = memchr(key, 0, n - pos);
			const uint8_t *val, *vnul;

			if (!nul || nul == key || key[0] == '/') {
				const char *what = !nul ? "an unterminated" : nul == key ? "an empty" : "an absolute";

				free(p);
				return fail(r, at + 16 + pos, "xenstore data: %s key", what);
			}
			val = nul + 1;
			vnul = val < p + n ? memchr(val, 0, p + n - val) : NULL;
			if (!vnul) {
				size_t off = val - p;

				free(p);
				return fail(r, at + 16 + off, "xenstore data: a key without a terminated value");
			}
			pos = vnul + 1 - p;
		}
		info->xenstore = p;
		info->xenstore_len = n;
		info->xenstore_emulator_id = le32(sub);
	}
	return skip(r, padded(len) - len, "record padding");
}

int xlsave_read(FILE *f, struct xlsave_info *info, char *err, size_t errlen)
{
	struct reader r = { .f = f, .err = err, .errlen = errlen };
	uint8_t lh[16], rh[8];

	memset(info, 0, sizeof(*info));
	if (read_xl_header(&r, info))
		return -1;
	if (info->legacy_v1) {
		info->file_size = r.pos;
		return 0;
	}
	info->libxl_offset = r.pos;
	if (take(&r, lh, sizeof(lh), "libxl stream header"))
		return -1;
	if (be64(lh) != LIBXL_IDENT)
		return fail(&r, info->libxl_offset, "no libxl stream header (\"LibxlFmt\") after xl's header");
	info->libxl_version = be32(lh + 8);
	info->libxl_options = be32(lh + 12);
	if (info->libxl_version != 2)
		return fail(&r, info->libxl_offset + 8, "libxl stream version %u (Xen 4.6 and later write 2)",
			    info->libxl_version);
	if (info->libxl_options & LIBXL_OPT_BIG_ENDIAN)
		return fail(&r, info->libxl_offset + 12, "a big-endian libxl stream");
	for (;;) {
		uint64_t at = r.pos;
		uint32_t type, len;
		int rc = 0;

		if (take(&r, rh, sizeof(rh), "libxl record header"))
			return -1;
		type = le32(rh);
		len = le32(rh + 4);
		if (info->nr_records == XLSAVE_MAX_LIBXL_RECORDS)
			return fail(&r, at, "more than %d libxl records", XLSAVE_MAX_LIBXL_RECORDS);
		info->records[info->nr_records++] = (struct xlsave_record){ at, type, len };
		switch (type) {
		case LIBXL_REC_END:
			if (len)
				return fail(&r, at + 4, "libxl END with a %u-byte body", len);
			info->file_size = r.pos;
			return 0;
		case LIBXL_REC_LIBXC_CONTEXT:
			if (len)
				return fail(&r, at + 4, "LIBXC_CONTEXT with a %u-byte body (it is a marker)", len);
			if (info->have_libxc)
				return fail(&r, at, "a second LIBXC_CONTEXT");
			rc = read_libxc(&r, info);
			break;
		case LIBXL_REC_EMULATOR_XENSTORE_DATA:
		case LIBXL_REC_EMULATOR_CONTEXT:
			rc = read_emulator(&r, info, at, type, len);
			break;
		case LIBXL_REC_CHECKPOINT_END:
		case LIBXL_REC_CHECKPOINT_STATE:
			return fail(&r, at, "libxl %s record: a checkpointed (Remus/COLO) stream; xl restore refuses it",
				    xlsave_record_name(type));
		default:
			if (!(type & LIBXL_OPTIONAL_RECORD))
				return fail(&r, at, "libxl record type %#x is unknown and not optional (libxl refuses it)",
					    type);
			rc = skip(&r, padded(len), "an optional libxl record");
			break;
		}
		if (rc)
			return -1;
	}
}

void xlsave_free(struct xlsave_info *info)
{
	free(info->config);
	free(info->xenstore);
	free(info->emulator);
	info->config = NULL;
	info->xenstore = NULL;
	info->emulator = NULL;
}

const char *xlsave_record_name(uint32_t type)
{
	switch (type) {
	case LIBXL_REC_END: return "END";
	case LIBXL_REC_LIBXC_CONTEXT: return "LIBXC_CONTEXT";
	case LIBXL_REC_EMULATOR_XENSTORE_DATA: return "EMULATOR_XENSTORE_DATA";
	case LIBXL_REC_EMULATOR_CONTEXT: return "EMULATOR_CONTEXT";
	case LIBXL_REC_CHECKPOINT_END: return "CHECKPOINT_END";
	case LIBXL_REC_CHECKPOINT_STATE: return "CHECKPOINT_STATE";
	default: return type & LIBXL_OPTIONAL_RECORD ? "optional" : "unknown";
	}
}

const char *xlsave_emulator_name(uint32_t id)
{
	switch (id) {
	case LIBXL_EMULATOR_UNKNOWN: return "unknown (a converted legacy stream)";
	case LIBXL_EMULATOR_QEMU_TRADITIONAL: return "qemu-xen-traditional";
	case LIBXL_EMULATOR_QEMU_UPSTREAM: return "qemu-xen";
	default: return "unknown";
	}
}

const char *xlsave_param_name(uint64_t index)
{
	switch (index) {
	case 0: return "CALLBACK_IRQ";
	case 1: return "STORE_PFN";
	case 2: return "STORE_EVTCHN";
	case 4: return "PAE_ENABLED";
	case 5: return "IOREQ_PFN";
	case 6: return "BUFIOREQ_PFN";
	case 9: return "VIRIDIAN";
	case 10: return "TIMER_MODE";
	case 11: return "HPET_ENABLED";
	case 12: return "IDENT_PT";
	case 13: return "DM_DOMAIN";
	case 14: return "ACPI_S_STATE";
	case 15: return "VM86_TSS";
	case 16: return "VPT_ALIGN";
	case 17: return "CONSOLE_PFN";
	case 18: return "CONSOLE_EVTCHN";
	case 19: return "ACPI_IOPORTS_LOCATION";
	case 24: return "NESTEDHVM";
	case 26: return "BUFIOREQ_EVTCHN";
	case 27: return "PAGING_RING_PFN";
	case 28: return "MONITOR_RING_PFN";
	case 29: return "SHARING_RING_PFN";
	case 32: return "IOREQ_SERVER_PFN";
	case 33: return "NR_IOREQ_SERVER_PAGES";
	case 34: return "VM_GENERATION_ID_ADDR";
	case 35: return "ALTP2M";
	case 36: return "X87_FIP_WIDTH";
	case 37: return "VM86_TSS_SIZED";
	case 38: return "MCA_CAP";
	default: return NULL;
	}
}
