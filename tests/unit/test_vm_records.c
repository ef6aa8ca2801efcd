// SPDX-License-Identifier: GPL-2.0-only
/*
 * Whole-VM records: a stream written from a vm_state and RAM decodes to the
 * same state and RAM and re-encodes to the same bytes; every truncation and
 * every hostile field is refused with the record named, before anything
 * could be applied.
 */
#include "testlib.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../state/output.h"
#include "../../state/registry.h"
#include "../../state/stream.h"
#include "../../state/vm_records.h"

#define RAM (2u << 20)

struct fixture {
	struct tm_ctx *t;
	struct vm_state *vm;
	uint8_t *ram;
	uint8_t *stream;
	size_t len;
};

static void sane_state(struct vm_state *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->ram_size = RAM;
	vm->ram_below_4g = RAM;
	vm->nr_vcpus = 2;
	vm->kvmclock_ns = 123456789;
	for (unsigned int i = 0; i < 2; i++) {
		struct kvm_cpu_state *cs = &vm->cpu[i];

		cs->regs.rip = 0x1000 + i;
		cs->regs.rflags = 0x202;
		cs->regs.rax = 0x1122334455667788ull;
		cs->sregs.cs.selector = 0x8;
		cs->sregs.cs.present = 1;
		cs->sregs.cs.type = 11;
		cs->sregs.cs.s = 1;
		cs->sregs.cs.l = 1;
		cs->sregs.cr0 = 0x80000011;
		cs->sregs.cr3 = 0x80000;
		cs->sregs.efer = 0x500;
		cs->sregs.apic_base = 0xfee00900;
		cs->has_xsave = true;
		cs->xsave[0] = 0x037f;
		cs->lapic.regs[0x20] = (char)(i << 0); /* APIC ID */
		cs->mp_state.mp_state = i ? KVM_MP_STATE_INIT_RECEIVED : KVM_MP_STATE_RUNNABLE;
		cs->events.flags = KVM_VCPUEVENT_VALID_SHADOW;
		cs->debugregs.dr7 = 0x400;
		cs->nr_msrs = 2;
		cs->msrs[0].index = 0x10;
		cs->msrs[0].data = 987654321;
		cs->msrs[1].index = 0xc0000080;
		cs->msrs[1].data = 0x500;
	}
	vm->irqchip[0].chip_id = 0;
	vm->irqchip[0].chip.pic.imr = 0xb8;
	vm->irqchip[0].chip.pic.irq_base = 8;
	vm->irqchip[1].chip_id = 1;
	vm->irqchip[1].chip.pic.irq_base = 0x70;
	vm->irqchip[2].chip_id = 2;
	vm->irqchip[2].chip.ioapic.base_address = 0xfec00000;
	vm->irqchip[2].chip.ioapic.redirtbl[2].bits = 0x10000;
	vm->pit.channels[0].count = 0x10000;
	vm->pit.channels[0].mode = 2;
	vm->pit.channels[0].rw_mode = 3;
	vm->pit.channels[0].gate = 1;
	vm->pit.channels[1].mode = 0xff;
	vm->pit.channels[2].mode = 0xff;
}

static void write_stream(struct fixture *f)
{
	struct vm_save_source src = { .vm = f->vm, .ram = f->ram };
	struct machine_state dev;
	struct out_sink out;
	char err[256];
	FILE *tmp = tmpfile();
	long size;

	assert_non_null(tmp);
	machine_save_state(&f->t->m, &dev);
	out_sink_init(&out, fileno(tmp));
	assert_int_equal(vm_stream_write(&f->t->m, &dev, &src, &out, err, sizeof(err)), 0);
	out_sink_free(&out);
	size = lseek(fileno(tmp), 0, SEEK_END);
	assert_true(size > 0);
	free(f->stream);
	f->stream = malloc((size_t)size);
	f->len = (size_t)size;
	assert_int_equal(pread(fileno(tmp), f->stream, f->len, 0), (ssize_t)f->len);
	fclose(tmp);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->t = tm_new(PROFILE_PC, 2, NULL);
	f->vm = calloc(1, sizeof(*f->vm));
	f->ram = calloc(1, RAM);
	sane_state(f->vm);
	/* A few non-zero pages, one of them in the last chunk. */
	memset(f->ram + 0x1000, 0xaa, 4096);
	memcpy(f->ram + 0x7c00, "boot sector", 11);
	f->ram[RAM - 1] = 0x55;
	write_stream(f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	tm_free(f->t);
	free(f->vm);
	free(f->ram);
	free(f->stream);
	free(f);
	return 0;
}

static int decode(struct fixture *f, const uint8_t *buf, size_t len, unsigned int vcpus,
		  struct vm_staged *st, char *err, size_t errlen)
{
	struct load_report rep;

	return vm_stream_decode(&f->t->m, buf, len, RAM, RAM, vcpus, st, &rep, err, errlen);
}

static void test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct vm_staged st;
	uint8_t *again, *ram2 = malloc(RAM);
	size_t len1 = f->len;
	char err[512];

	memset(ram2, 0x77, RAM); /* zero pages must come back as zeros */
	assert_int_equal(decode(f, f->stream, f->len, 2, &st, err, sizeof(err)), 0);
	vm_staged_apply_ram(&st, ram2, false);
	assert_memory_equal(ram2, f->ram, RAM);
	assert_int_equal(st.vm->kvmclock_ns, 123456789);
	assert_int_equal(st.vm->cpu[1].regs.rip, 0x1001);
	assert_int_equal(st.vm->cpu[1].mp_state.mp_state, KVM_MP_STATE_INIT_RECEIVED);
	assert_int_equal(st.vm->cpu[0].msrs[0].data, 987654321);
	assert_int_equal(st.vm->irqchip[2].chip.ioapic.redirtbl[2].bits, 0x10000);
	assert_int_equal(st.vm->pit.channels[1].mode, 0xff);
	/* The decoded state encodes to the very same stream. */
	again = malloc(len1);
	memcpy(again, f->stream, len1);
	memcpy(f->vm, st.vm, sizeof(*f->vm));
	vm_staged_free(&st);
	write_stream(f);
	assert_int_equal(f->len, len1);
	assert_memory_equal(f->stream, again, len1);
	/* Only the non-zero pages travel: three pages, not 512. */
	assert_true(f->len < 40000);
	free(again);
	free(ram2);
}

/*
 * A bigger guest: 160 MiB of RAM with 96 MiB of it non-zero, a stream over
 * the device-state stream's 64 MiB cap. On the whole-VM path the cap scales
 * with the RAM: a 256 MiB Linux guest's save once could not be restored.
 */
static void test_big_guest(void **state)
{
	struct fixture *f = *state;
	const uint64_t big = 160u << 20, filled = 96u << 20;
	uint8_t *ram = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct load_report rep;
	struct vm_staged st;
	char err[512];

	assert_true(ram != MAP_FAILED);
	for (uint64_t off = 0; off < filled; off += 4096)
		memset(ram + off, (int)(1 + (off >> 12) % 251), 4096);
	f->vm->ram_size = big;
	f->vm->ram_below_4g = big;
	free(f->ram);
	f->ram = ram; /* mmap'd: given back before teardown */
	write_stream(f);
	f->ram = NULL;
	assert_true(f->len > STREAM_MAX_SIZE);
	if (vm_stream_decode(&f->t->m, f->stream, f->len, big, big, 2, &st, &rep, err, sizeof(err)))
		fail_msg("%s", err);
	vm_staged_free(&st);
	/* Into a VM with less RAM the caps are that VM's: refused, naming the size. */
	assert_int_not_equal(vm_stream_decode(&f->t->m, f->stream, f->len, 16u << 20, 16u << 20, 2, &st,
					      &rep, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "cap"));
	munmap(ram, big);
}

static void test_every_truncation_refused(void **state)
{
	struct fixture *f = *state;
	struct vm_staged st;
	char err[512];

	for (size_t len = 0; len < f->len; len++) {
		if (decode(f, f->stream, len, 2, &st, err, sizeof(err)) == 0)
			fail_msg("a stream cut at %zu of %zu bytes was accepted", len, f->len);
	}
}

/* Find a record, patch `n` payload bytes at `off`, fix its CRC. */
static void patch(struct fixture *f, const char *idstr, uint32_t instance, size_t off,
		  const void *bytes, size_t n)
{
	struct stream_header h;
	struct stream_record rec;
	char err[256];
	size_t pos;

	assert_int_equal(stream_read_header(f->stream, f->len, &h, err, sizeof(err)), 0);
	pos = h.records_offset;
	while (stream_read_record(f->stream, f->len, &pos, &rec, err, sizeof(err)) == 1) {
		uint32_t crc;
		uint8_t *p = f->stream + rec.offset;

		if (strcmp(rec.idstr, idstr) || rec.instance != instance)
			continue;
		assert_true(off + n <= rec.payload_len);
		memcpy(f->stream + rec.payload_offset + off, bytes, n);
		crc = crc32c(0, p, 20);
		crc = crc32c(crc, rec.idstr, strlen(rec.idstr));
		crc = crc32c(crc, rec.payload, rec.payload_len);
		p[20] = (uint8_t)crc;
		p[21] = (uint8_t)(crc >> 8);
		p[22] = (uint8_t)(crc >> 16);
		p[23] = (uint8_t)(crc >> 24);
		return;
	}
	fail_msg("no record %s instance %u", idstr, instance);
}

static void expect_refused(struct fixture *f, unsigned int vcpus, const char *what1, const char *what2)
{
	struct vm_staged st;
	char err[512];

	assert_int_equal(decode(f, f->stream, f->len, vcpus, &st, err, sizeof(err)), -1);
	if (!strstr(err, what1) || (what2 && !strstr(err, what2)))
		fail_msg("error \"%s\" does not say \"%s\" / \"%s\"", err, what1, what2 ? what2 : "");
}

/* Offsets in the kvm-vcpu v1 payload (no XCRs in the fixture). */
#define VCPU_MP_STATE (18 * 8 + 8 * 23 + 10 + 10 + 7 * 8 + 32 + 4 + 4096 + 4 + 1024)
#define VCPU_XSAVE_LEN (18 * 8 + 8 * 23 + 10 + 10 + 7 * 8 + 32)

static void test_hostile_fields(void **state)
{
	struct fixture *f = *state;
	const uint8_t *orig = f->stream;
	uint8_t *copy = malloc(f->len);
	uint32_t v32;
	uint64_t v64;
	uint8_t b;

	memcpy(copy, orig, f->len);
#define RESET() memcpy(f->stream, copy, f->len)
	v32 = 99;
	patch(f, "kvm-vcpu", 1, VCPU_MP_STATE, &v32, 4);
	expect_refused(f, 2, "kvm-vcpu instance 0x1", "unknown MP state");
	RESET();
	v32 = 8192;
	patch(f, "kvm-vcpu", 0, VCPU_XSAVE_LEN, &v32, 4);
	expect_refused(f, 2, "kvm-vcpu", "XSAVE area");
	RESET();
	b = 2; /* cs.present */
	patch(f, "kvm-vcpu", 0, 18 * 8 + 15, &b, 1);
	expect_refused(f, 2, "kvm-vcpu", "out of range");
	RESET();
	v64 = 256ull << 20;
	patch(f, "kvm-vm", 0, 0, &v64, 8);
	expect_refused(f, 2, "kvm-vm", "restore with -m 256");
	RESET();
	expect_refused(f, 3, "kvm-vm", "restore with -smp 2");
	v64 = 64ull << 20; /* a RAM chunk outside the VM's RAM */
	patch(f, "guest-ram", 0, 0, &v64, 8);
	expect_refused(f, 2, "guest-ram", "not inside");
	RESET();
	v64 = 0x1001;
	patch(f, "guest-ram", 0, 0, &v64, 8);
	expect_refused(f, 2, "guest-ram", "page aligned");
	RESET();
	v32 = 0;
	patch(f, "guest-ram", 0, 8, &v32, 4);
	expect_refused(f, 2, "guest-ram", "page count");
	RESET();
	b = 0xff; /* claims pages whose bytes are not there */
	patch(f, "guest-ram", 0, 12, &b, 1);
	expect_refused(f, 2, "guest-ram", "disagrees with the page bitmap");
	RESET();
	v64 = 0xfec01000; /* IOAPIC elsewhere */
	patch(f, "kvm-irqchip", 2, 0, &v64, 8);
	expect_refused(f, 2, "kvm-irqchip", "out of range");
	RESET();
	v32 = 0x10001;
	patch(f, "kvm-pit", 0, 0, &v32, 4);
	expect_refused(f, 2, "kvm-pit", "out of range");
	RESET();
	v32 = 1; /* kvm-vm says one vCPU: the stream lacks nothing, but this VM has two */
	patch(f, "kvm-vm", 0, 16, &v32, 4);
	expect_refused(f, 2, "kvm-vm", "-smp 1");
	RESET();
	v32 = 7;
	{
		struct stream_header h;
		struct stream_record rec;
		char err[256];
		size_t pos;

		stream_read_header(f->stream, f->len, &h, err, sizeof(err));
		pos = h.records_offset;
		while (stream_read_record(f->stream, f->len, &pos, &rec, err, sizeof(err)) == 1)
			if (!strcmp(rec.idstr, "kvm-vcpu") && rec.instance == 1)
				break;
		memcpy(f->stream + rec.offset + 8, &v32, 4);
		v32 = crc32c(crc32c(crc32c(0, f->stream + rec.offset, 20), rec.idstr, 8), rec.payload,
			     rec.payload_len);
		memcpy(f->stream + rec.offset + 20, &v32, 4);
	}
	expect_refused(f, 2, "kvm-vcpu instance 0x7", "does not have");
	RESET();
	/* Unchanged, it still loads (the patches above did not leak). */
	{
		struct vm_staged st;
		char err[512];

		assert_int_equal(decode(f, f->stream, f->len, 2, &st, err, sizeof(err)), 0);
		vm_staged_free(&st);
	}
#undef RESET
	free(copy);
}

static void test_device_load_refuses_whole_vm(void **state)
{
	struct fixture *f = *state;
	struct load_report rep;
	char err[512];

	assert_int_equal(snapshot_load(&f->t->m, f->stream, f->len, &rep, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "whole-VM stream"));
}

static void test_device_stream_is_not_a_whole_vm(void **state)
{
	struct fixture *f = *state;
	struct vm_staged st;
	struct wbuf w;
	char err[512];

	wbuf_init(&w, STREAM_MAX_SIZE);
	assert_int_equal(snapshot_save(&f->t->m, &w, err, sizeof(err)), 0);
	assert_int_equal(decode(f, w.data, w.len, 2, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no kvm-vm record"));
	wbuf_free(&w);
}

/*
 * The display card's VRAM travels in device-ram records beside guest RAM:
 * it comes back byte for byte, a machine without the card refuses it, and a
 * machine with the card refuses a stream that lacks it.
 */
static void test_display_vram(void **state)
{
	struct fixture *f = *state, g = *f;
	struct machine_config cfg = { .profile = PROFILE_PC, .vcpus = 2, .ram_mib = 128,
				      .display = DISPLAY_STDVGA, .vgamem_mb = 1 };
	struct tm_ctx *plain = f->t;
	uint8_t *vram;
	struct vm_staged st;
	char err[512];
	size_t len;

	(void)state;
	g.t = tm_new_cfg(&cfg);
	g.stream = NULL;
	vram = g.t->m.display.vram;
	memset(vram + 0x3000, 0x5c, 4096);
	memcpy(vram + 0xb8000, "text", 4);
	vram[g.t->m.display.vram_size - 1] = 0x99;
	write_stream(&g);
	assert_int_equal(decode(&g, g.stream, g.len, 2, &st, err, sizeof(err)), 0);
	assert_int_equal(st.dev_pages_seen, g.t->m.display.vram_size / 4096);
	len = g.t->m.display.vram_size;
	{
		uint8_t *copy = malloc(len);

		memcpy(copy, vram, len);
		memset(vram, 0x11, len);
		vm_staged_apply_device_memory(&st, &g.t->m);
		assert_memory_equal(vram, copy, len);
		free(copy);
	}
	vm_staged_free(&st);
	/* Only the non-zero pages travel: a 1 MiB card adds a few pages, not 256. */
	assert_true(g.len < f->len + 8 * 4096 + 4096);
	/* A machine without the card. */
	tm_free(g.t);
	g.t = plain;
	assert_int_equal(decode(&g, g.stream, g.len, 2, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "record vga instance 0: this machine has no such device"));
	/* A machine with the card, a stream without it (the vga record is missing first). */
	g.t = tm_new_cfg(&cfg);
	assert_int_equal(decode(&g, f->stream, f->len, 2, &st, err, sizeof(err)), -1);
	assert_true(strstr(err, "vga") || strstr(err, "device-ram"));
	tm_free(g.t);
	free(g.stream);
}

static void test_registry(void **state)
{
	(void)state;
	for (size_t i = 0; i < nr_vm_record_kinds; i++) {
		const struct record_kind *k = &vm_record_kinds[i];
		uint32_t len = 0;

		assert_null(record_kind_find(k->idstr)); /* never a device record */
		assert_ptr_equal(registry_find(k->idstr), k);
		assert_non_null(k->versions[0].decode);
		assert_true(record_fingerprint(k, &len) != 0 && len > 0);
	}
}

/* The SSE4.2 CRC (used where the CPU has it) and the table CRC agree everywhere. */
static void test_crc32c_implementations(void **state)
{
	static uint8_t buf[4096 + 16];
	uint32_t x = 12345;

	(void)state;
	assert_int_equal(crc32c(0, "123456789", 9), 0xe3069283);
	assert_int_equal(crc32c_portable(0, "123456789", 9), 0xe3069283);
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len < 300; len += 1 + len / 8)
			assert_int_equal(crc32c(7, buf + off, len), crc32c_portable(7, buf + off, len));
	assert_int_equal(crc32c(0, buf + 3, 4096), crc32c_portable(0, buf + 3, 4096));
	/* Chained calls equal one call. */
	assert_int_equal(crc32c(crc32c(0, buf, 1000), buf + 1000, 3000), crc32c(0, buf, 4000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_display_vram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_guest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_truncation_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_load_refuses_whole_vm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_stream_is_not_a_whole_vm, setup, teardown),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_crc32c_implementations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
