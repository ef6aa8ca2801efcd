// SPDX-License-Identifier: GPL-2.0-only
/*
 * Save files written by a real qemu-xen-traditional under real Xen 4.17
 * (tests/streams/qemu-trad-real/, copied unedited from
 * reference/trad-captures/): hvmdm's xenfv-trad machine must present, over
 * every configuration byte a guest cannot write, exactly what the real
 * producer's functions held; each file must decode (its whole decoded state
 * is pinned by the corpus test in test_state.c through the .json beside it);
 * and every damaged variant of each file -- a flipped, truncated or
 * reordered byte -- is refused naming the record and byte, changing nothing.
 */
#define _GNU_SOURCE
#include "testlib.h"

#include <stdio.h>

#include "../../state/qevm.h"
#include "../../state/snapshot.h"

#define REAL_DIR "tests/streams/qemu-trad-real"

static const char *const captures[] = { "tradnovga", "tradcirrus", "traddisk", "tradnic" };
#define NR_CAPTURES (sizeof(captures) / sizeof(captures[0]))

struct blob {
	uint8_t *data;
	size_t len;
};

static struct blob slurp(const char *name)
{
	char path[256];
	struct blob b;

	snprintf(path, sizeof(path), "%s/%s.qevm", REAL_DIR, name);
	b.data = tm_read_file(path, &b.len);
	return b;
}

/* The traditional records that carry a PCI function, and where it lives. */
static const struct {
	const char *idstr;
	uint8_t devfn;
} pci_records[] = {
	{ "I440FX", PCI_DEVFN(0, 0) },	  { "PIIX3", PCI_DEVFN(1, 0) },
	{ "ide", PCI_DEVFN(1, 1) },	  { "piix4acpi", PCI_DEVFN(1, 3) },
	{ "platform", PCI_DEVFN(3, 0) },
};

struct pci_seen {
	const uint8_t *config[256]; /* by devfn: the 256 bytes in the stream */
	unsigned int count;
};

static void collect_pci(const struct stream_record *rec, void *opaque)
{
	struct pci_seen *s = opaque;

	for (size_t i = 0; i < sizeof(pci_records) / sizeof(pci_records[0]); i++) {
		if (strcmp(rec->idstr, pci_records[i].idstr))
			continue;
		/* be32 inner version 2, then the configuration space. */
		assert_true(rec->payload_len >= 4 + PCI_CONFIG_SIZE);
		assert_int_equal(rec->payload[3], 2);
		s->config[pci_records[i].devfn] = rec->payload + 4;
		s->count++;
	}
}

/*
 * Over every byte no guest can change (hvmdm's write and write-1-to-clear
 * masks are zero there), a freshly reset xenfv-trad function holds what the
 * real producer's function held when it was saved.
 */
static void test_reset_config_matches_producer(void **state)
{
	(void)state;
	for (size_t c = 0; c < NR_CAPTURES; c++) {
		struct blob b = slurp(captures[c]);
		struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, "null");
		struct pci_seen seen = { 0 };
		struct load_report rep;
		char err[512];
		unsigned int bad = 0;

		if (stream_scan(b.data, b.len, collect_pci, &seen, &rep, err, sizeof(err)))
			fail_msg("%s: %s", captures[c], err);
		assert_int_equal(seen.count, 5);
		for (unsigned int devfn = 0; devfn < 256; devfn++) {
			const struct pci_device *d = t->m.pci.devices[devfn];
			const uint8_t *real = seen.config[devfn];

			if (!real || !d) {
				/* The real stream has every function hvmdm has (and VGA, NICs). */
				assert_true(!d);
				continue;
			}
			for (unsigned int off = 0; off < PCI_CONFIG_SIZE; off++) {
				uint8_t ro = (uint8_t)~(d->wmask[off] | d->w1cmask[off]);

				if (((real[off] ^ d->config[off]) & ro) == 0)
					continue;
				print_message("%s: %02x.%x (%s) byte %#04x, read-only bits %#04x: the real producer has %#04x, hvmdm %#04x\n",
					      captures[c], devfn >> 3, devfn & 7, d->name, off, ro,
					      real[off], d->config[off]);
				bad++;
			}
		}
		tm_free(t);
		free(b.data);
		assert_int_equal(bad, 0);
	}
}

/* Where each section's header and payload lie, walked from the section list beside the file. */
struct section {
	size_t start, payload, end; /* header byte, first payload byte, one past the payload */
	char idstr[64];
	bool full;
};

static unsigned int walk_sections(const char *name, struct section *out, unsigned int max)
{
	char path[256], line[256];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.qevm-sections.txt", REAL_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && n < max) {
		unsigned int at, id, inst, ver, len;
		char type[8], idstr[64];

		if (sscanf(line, "@0x%x %7s id=%u %63s instance=%u version=%u data %u", &at, type, &id,
			   idstr, &inst, &ver, &len) != 7)
			continue;
		out[n].start = at;
		out[n].payload = at + 1 + 4 + 1 + strlen(idstr) + 8;
		out[n].end = out[n].payload + len;
		out[n].full = !strcmp(type, "FULL");
		snprintf(out[n].idstr, sizeof(out[n].idstr), "%s", idstr);
		n++;
	}
	fclose(f);
	return n;
}

/* Decode only: 0, or -1 with err. */
static int decode(const struct tm_ctx *t, const uint8_t *buf, size_t len, struct load_report *rep,
		  char *err, size_t errlen)
{
	struct machine_state *st = malloc(sizeof(*st));
	int rc;

	assert_non_null(st);
	rc = snapshot_decode(&t->m, buf, len, st, rep, err, errlen);
	free(st);
	return rc;
}

/*
 * A refusal names the byte; on the capture without devices hvmdm lacks, it is
 * also a real load that must leave the running machine exactly as it was.
 */
static void expect_refused(struct tm_ctx *t, bool loadable, const uint8_t *buf, size_t len,
			   const char *what)
{
	struct load_report rep;
	char err[512] = "";

	if (loadable) {
		struct wbuf before, after;

		wbuf_init(&before, STREAM_MAX_SIZE);
		wbuf_init(&after, STREAM_MAX_SIZE);
		assert_int_equal(snapshot_save(&t->m, &before, err, sizeof(err)), 0);
		if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)) == 0)
			fail_msg("%s: accepted", what);
		assert_int_equal(snapshot_save(&t->m, &after, err, sizeof(err)), 0);
		assert_int_equal(before.len, after.len);
		assert_memory_equal(before.data, after.data, before.len);
		wbuf_free(&before);
		wbuf_free(&after);
	} else if (decode(t, buf, len, &rep, err, sizeof(err)) == 0) {
		fail_msg("%s: accepted", what);
	}
	if (!strstr(err, "byte "))
		fail_msg("%s: refused without naming the byte: %s", what, err);
}

static void test_damaged_captures(void **state)
{
	(void)state;
	for (size_t c = 0; c < NR_CAPTURES; c++) {
		struct blob b = slurp(captures[c]);
		struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, "null");
		struct section sec[32];
		unsigned int nsec = walk_sections(captures[c], sec, 32);
		uint8_t *copy = malloc(b.len + 1024);
		bool loadable = !strcmp(captures[c], "tradnovga"); /* no Cirrus or NIC */
		struct load_report rep;
		char err[512], what[128];
		unsigned int refused = 0;

		assert_true(nsec > 10);
		assert_non_null(copy);
		/* The section list counts the EOF byte into the last section. */
		assert_int_equal(sec[nsec - 1].end, b.len);
		assert_int_equal(b.data[b.len - 1], 0);
		sec[nsec - 1].end--;
		/*
		 * Every truncation is refused but one: piix4acpi is the last
		 * section, and cut 4 bytes short its version 2 ends "pm1_control,
		 * 00" -- byte for byte a XenServer 6.0-6.2 file (test_qevm.c says
		 * why no rule can tell them apart); it loads with the erratum noted.
		 */
		assert_string_equal(sec[nsec - 1].idstr, "piix4acpi");
		for (size_t n = 0; n < b.len; n++) {
			if (n == b.len - 4) {
				assert_int_equal(decode(t, b.data, n, &rep, err, sizeof(err)), 0);
				assert_true(noted(&rep, "erratum xs-6.0-6.2-piix4acpi"));
				continue;
			}
			snprintf(what, sizeof(what), "%s cut to %zu bytes", captures[c], n);
			expect_refused(t, loadable && n % 97 == 0, b.data, n, what);
		}
		/*
		 * A flipped byte in a section header is refused -- but for a FULL
		 * section's id, which qemu-xen-traditional's loader reads and
		 * ignores (savevm.c qemu_loadvm_state finds the handler by idstr
		 * and instance). QEVM has no checksum: a flipped payload byte is
		 * refused where hvmdm's checks catch the value, and otherwise
		 * decodes as the value it now is.
		 */
		for (unsigned int i = 0; i < nsec; i++) {
			for (size_t at = sec[i].start; at < sec[i].payload; at++) {
				if (sec[i].full && at > sec[i].start && at < sec[i].start + 5)
					continue;
				memcpy(copy, b.data, b.len);
				copy[at] ^= 0xff;
				snprintf(what, sizeof(what), "%s: %s header byte %zu flipped", captures[c],
					 sec[i].idstr, at);
				expect_refused(t, loadable, copy, b.len, what);
			}
		}
		for (size_t at = 8; at < b.len; at++) {
			memcpy(copy, b.data, b.len);
			copy[at] ^= 0xff;
			if (decode(t, copy, b.len, &rep, err, sizeof(err)) == 0)
				continue;
			refused++;
			if (!strstr(err, "byte "))
				fail_msg("%s: flip at %zu refused without naming the byte: %s", captures[c], at, err);
		}
		assert_true(refused > 500);
		/* Reordered: two sections swapped decode to the same state (the producer's loader takes any order). */
		for (unsigned int i = 1; i + 1 < nsec; i++) {
			struct machine_state *a = malloc(sizeof(*a)), *bst = malloc(sizeof(*bst));
			size_t la = sec[i].end - sec[i].start, lb = sec[i + 1].end - sec[i + 1].start;

			assert_int_equal(sec[i].end, sec[i + 1].start);
			memcpy(copy, b.data, b.len);
			memcpy(copy + sec[i].start, b.data + sec[i + 1].start, lb);
			memcpy(copy + sec[i].start + lb, b.data + sec[i].start, la);
			if (snapshot_decode(&t->m, b.data, b.len, a, &rep, err, sizeof(err)) ||
			    snapshot_decode(&t->m, copy, b.len, bst, &rep, err, sizeof(err)))
				fail_msg("%s with %s and %s swapped: %s", captures[c], sec[i].idstr,
					 sec[i + 1].idstr, err);
			assert_memory_equal(a, bst, sizeof(*a));
			free(a);
			free(bst);
		}
		/* Duplicated: a section written twice is refused, naming the second. */
		for (unsigned int i = 1; i + 1 < nsec; i++) {
			size_t l = sec[i].end - sec[i].start;

			if (l > 1024)
				continue; /* the VGA sections are large; one duplicate of each other kind is enough */
			memcpy(copy, b.data, sec[i].end);
			memcpy(copy + sec[i].end, b.data + sec[i].start, l);
			memcpy(copy + sec[i].end + l, b.data + sec[i].end, b.len - sec[i].end);
			snprintf(what, sizeof(what), "%s with %s twice", captures[c], sec[i].idstr);
			expect_refused(t, loadable, copy, b.len + l, what);
		}
		free(copy);
		tm_free(t);
		free(b.data);
	}
}

/*
 * The subsystem IDs come from the stream (the guest enumerated the function
 * with them): hvmdm 0.1.0's xenfv-trad saved 0000:0000, the real producer
 * 1af4:1100 and XenSource's 5853:0001; each restores as it was saved.
 */
static void test_subsystem_from_stream(void **state)
{
	struct load_report rep;
	char err[512];
	size_t len;
	uint8_t *buf;

	(void)state;
	{
		struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 4, "null");

		buf = tm_read_file("tests/streams/0.1.0/xenfv-trad.hvmdm", &len);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), PCI_SUBSYSTEM_VENDOR_ID, 4), 0);
		/* Read-only to the guest all the same. */
		cfg_wr(t, PCI_DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID, 4, 0x12345678);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0);
		free(buf);
		tm_free(t);
	}
	{
		struct tm_ctx *t = tm_new(PROFILE_XENFV_TRAD, 1, "null");

		buf = tm_read_file(REAL_DIR "/tradnovga.qevm", &len);
		/* Make the machine's own differ first, so the load is what sets them. */
		t->m.i440fx.pci.config[PCI_SUBSYSTEM_ID] = 0x99;
		t->m.ide.pci.config[PCI_SUBSYSTEM_ID] = 0x99;
		if (snapshot_load(&t->m, buf, len, &rep, err, sizeof(err)))
			fail_msg("%s", err);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(0, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0x11001af4);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 1), PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00015853);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(3, 0), PCI_SUBSYSTEM_VENDOR_ID, 4), 0x00015853);
		/* What the guest set up comes back: hvmloader's BARs and ROMBIOS's command bits. */
		assert_int_equal(cfg_rd(t, PCI_DEVFN(3, 0), 0x10, 4), 0xc001);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 1), 0x20, 4), 0xc101);
		assert_int_equal(cfg_rd(t, PCI_DEVFN(1, 3), 0x40, 4), 0xb001);
		free(buf);
		tm_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_config_matches_producer),
		cmocka_unit_test(test_damaged_captures),
		cmocka_unit_test(test_subsystem_from_stream),
	};

	tm_quiet();
	return cmocka_run_group_tests_name("trad-real", tests, NULL, NULL);
}
