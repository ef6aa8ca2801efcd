// SPDX-License-Identifier: GPL-2.0-only
/* PCI core: configuration mechanism #1, masks, BAR sizing and mapping, INTx. */
#include "testlib.h"

#include <errno.h>

struct fix {
	struct accel_double acc;
	struct io_space io, mmio;
	struct pci_bus bus;
	struct pci_device dev;
	uint8_t bar_regs[4];
};

static uint64_t bar_read(void *o, uint64_t off, unsigned int size)
{
	struct fix *f = o;

	return off < 4 ? le_read(f->bar_regs + off, size > 4 - off ? (unsigned int)(4 - off) : size) : 0;
}

static void bar_write(void *o, uint64_t off, unsigned int size, uint64_t v)
{
	struct fix *f = o;

	if (off < 4)
		le_write(f->bar_regs + off, size > 4 - off ? (unsigned int)(4 - off) : size, v);
}

static const struct io_ops bar_ops = { .read = bar_read, .write = bar_write, .impl_max = 4 };

static uint32_t crd(struct fix *f, unsigned int devfn, unsigned int reg, unsigned int len)
{
	return io_cfg_rd(&f->io, devfn, reg, len);
}

static void cwr(struct fix *f, unsigned int devfn, unsigned int reg, unsigned int len, uint32_t v)
{
	io_cfg_wr(&f->io, devfn, reg, len, v);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	tm_quiet();
	accel_double_init(&f->acc);
	io_space_init(&f->io, IO_SPACE_PORT, &f->acc.accel);
	io_space_init(&f->mmio, IO_SPACE_MMIO, &f->acc.accel);
	pci_bus_init(&f->bus, &f->io, &f->mmio, &f->acc.accel);
	assert_int_equal(pci_host_claim_ports(&f->bus), 0);
	pci_device_init(&f->dev, "testdev", 0x1234, 0x5678, 0x9a, 0x020000);
	f->dev.config[PCI_INTERRUPT_PIN] = 1;
	assert_int_equal(pci_register_bar(&f->dev, 0, PCI_BAR_IO, false, 0x20, &bar_ops, f, "io"), 0);
	assert_int_equal(pci_register_bar(&f->dev, 1, PCI_BAR_MEM32, false, 0x1000, &bar_ops, f, "m32"), 0);
	assert_int_equal(pci_register_bar(&f->dev, 2, PCI_BAR_MEM64, true, 0x100000, &bar_ops, f, "m64"), 0);
	assert_int_equal(pci_register_bar(&f->dev, PCI_ROM_SLOT, PCI_BAR_MEM32, false, 0x10000, &bar_ops, f, "rom"), 0);
	assert_int_equal(pci_register_device(&f->bus, &f->dev, PCI_DEVFN(4, 0)), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	io_space_destroy(&f->io);
	io_space_destroy(&f->mmio);
	free(f);
	return 0;
}

static void test_config_mechanism(void **state)
{
	struct fix *f = *state;
	unsigned int d = PCI_DEVFN(4, 0);

	assert_true(f->acc.pci_function[d]);
	assert_int_equal(crd(f, d, 0, 4), 0x56781234);
	assert_int_equal(crd(f, d, 2, 2), 0x5678);
	assert_int_equal(crd(f, d, 1, 1), 0x12);
	assert_int_equal(crd(f, d, 0x08, 4), 0x0200009a);
	/* Unaligned word through 0xcfd, as hvmloader writes 0x3d. */
	assert_int_equal(crd(f, d, 0x09, 2), 0x0000);
	assert_int_equal(crd(f, d, 0x0a, 2), 0x0200);
	/* Absent function, other bus, enable bit clear: all-ones. */
	assert_int_equal(crd(f, PCI_DEVFN(5, 0), 0, 4), 0xffffffff);
	io_space_write(&f->io, 0xcf8, 4, 0x80010000u | d << 8);
	assert_int_equal(io_space_read(&f->io, 0xcfc, 4), 0xffffffff);
	io_space_write(&f->io, 0xcf8, 4, (unsigned int)d << 8);
	assert_int_equal(io_space_read(&f->io, 0xcfc, 2), 0xffff);
	/* CONFADD: reserved bits and bits 1:0 read back 0; only dwords latch. */
	io_space_write(&f->io, 0xcf8, 4, 0xffffffff);
	assert_int_equal(io_space_read(&f->io, 0xcf8, 4), 0x80fffffc);
	io_space_write(&f->io, 0xcf8, 2, 0);
	assert_int_equal(io_space_read(&f->io, 0xcf8, 4), 0x80fffffc);
	assert_int_equal(io_space_read(&f->io, 0xcf8, 1), 0xff);
	/* Direct (already decoded) config access, as Xen's PCI_CONFIG ioreqs. */
	assert_int_equal(pci_config_read(&f->bus, d, 0, 2), 0x1234);
	assert_int_equal(pci_config_read(&f->bus, d, 0xfe, 4), 0xffffffff);
	assert_int_equal(pci_config_read(&f->bus, d, 0x100, 1), 0xff);
	assert_int_equal(pci_config_read(&f->bus, d, 0, 3), 0xffffff);
	pci_config_write(&f->bus, d, 0xff, 2, 0xabcd); /* out of range: ignored */
	assert_int_equal(f->dev.config[0xff], 0);
	pci_config_write(&f->bus, d, 0x40, 4, 0x11223344);
	assert_int_equal(pci_config_read(&f->bus, d, 0x40, 4), 0x11223344);
}

static void test_masks(void **state)
{
	struct fix *f = *state;
	unsigned int d = PCI_DEVFN(4, 0);

	/* Identity is read-only. */
	cwr(f, d, 0, 4, 0);
	assert_int_equal(crd(f, d, 0, 4), 0x56781234);
	cwr(f, d, 0x08, 4, 0);
	assert_int_equal(crd(f, d, 0x08, 4), 0x0200009a);
	/* Command: only the defined bits. */
	cwr(f, d, PCI_COMMAND, 2, 0xffff);
	assert_int_equal(crd(f, d, PCI_COMMAND, 2), 0x0547);
	cwr(f, d, PCI_COMMAND, 2, 0);
	/* Status error bits are write-1-to-clear. */
	f->dev.config[PCI_STATUS + 1] = 0xf9;
	cwr(f, d, PCI_STATUS, 2, 0x0100);
	assert_int_equal(crd(f, d, PCI_STATUS, 2), 0xf800);
	cwr(f, d, PCI_STATUS, 2, 0xf800);
	assert_int_equal(crd(f, d, PCI_STATUS, 2), 0x0000);
	/* Interrupt line writable, pin not. */
	cwr(f, d, PCI_INTERRUPT_LINE, 2, 0x030b);
	assert_int_equal(crd(f, d, PCI_INTERRUPT_LINE, 2), 0x010b);
	/* Subsystem IDs are read-only. */
	cwr(f, d, PCI_SUBSYSTEM_VENDOR_ID, 4, 0xffffffff);
	assert_int_equal(crd(f, d, PCI_SUBSYSTEM_VENDOR_ID, 4), 0);
}

static void test_bar_sizing(void **state)
{
	struct fix *f = *state;
	unsigned int d = PCI_DEVFN(4, 0);

	cwr(f, d, 0x10, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x10, 4), 0xffffffe1);
	cwr(f, d, 0x14, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x14, 4), 0xfffff000);
	cwr(f, d, 0x18, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x18, 4), 0xfff0000c);
	cwr(f, d, 0x1c, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x1c, 4), 0xffffffff);
	cwr(f, d, 0x30, 4, 0xfffff800);
	assert_int_equal(crd(f, d, 0x30, 4), 0xffff0000);
	cwr(f, d, 0x30, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x30, 4), 0xffff0001);
	/* Unimplemented BARs read 0 and stay 0. */
	cwr(f, d, 0x20, 4, 0xffffffff);
	assert_int_equal(crd(f, d, 0x20, 4), 0);
	/* Nothing mapped while sizing with decode off. */
	assert_true(f->dev.bars[0].addr == PCI_BAR_UNMAPPED);
	/* Invalid registrations. */
	assert_int_equal(pci_register_bar(&f->dev, 3, PCI_BAR_IO, false, 0x30, &bar_ops, f, "x"), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 5, PCI_BAR_MEM64, false, 0x1000, &bar_ops, f, "x"), -EINVAL);
	assert_int_equal(pci_register_bar(&f->dev, 7, PCI_BAR_IO, false, 0x10, &bar_ops, f, "x"), -EINVAL);
}

static void test_bar_mapping(void **state)
{
	struct fix *f = *state;
	unsigned int d = PCI_DEVFN(4, 0);

	cwr(f, d, 0x10, 4, 0xc000);
	cwr(f, d, 0x14, 4, 0xf0001000);
	cwr(f, d, 0x18, 4, 0x00000000);
	cwr(f, d, 0x1c, 4, 0x00000001); /* 64-bit BAR at 4 GiB */
	cwr(f, d, 0x30, 4, 0xf0010001);
	assert_true(f->dev.bars[0].addr == PCI_BAR_UNMAPPED);
	cwr(f, d, PCI_COMMAND, 2, PCI_COMMAND_IO);
	assert_true(f->dev.bars[0].addr == 0xc000);
	assert_true(f->dev.bars[1].addr == PCI_BAR_UNMAPPED);
	assert_true(accel_double_has_range(&f->acc, IO_SPACE_PORT, 0xc000, 0xc01f));
	f->bar_regs[0] = 0x42;
	assert_int_equal(io_space_read(&f->io, 0xc000, 1), 0x42);
	cwr(f, d, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	assert_true(f->dev.bars[1].addr == 0xf0001000);
	assert_true(f->dev.bars[2].addr == 0x100000000ull);
	assert_true(f->dev.bars[PCI_ROM_SLOT].addr == 0xf0010000);
	assert_int_equal(io_space_read(&f->mmio, 0xf0001000, 1), 0x42);
	assert_int_equal(io_space_read(&f->mmio, 0x100000000ull, 1), 0x42);
	/* Move the I/O BAR: old place released, new one claimed. */
	cwr(f, d, 0x10, 4, 0xd001);
	assert_int_equal(io_space_read(&f->io, 0xc000, 1), 0xff);
	assert_int_equal(io_space_read(&f->io, 0xd000, 1), 0x42);
	assert_false(accel_double_has_range(&f->acc, IO_SPACE_PORT, 0xc000, 0xc01f));
	assert_true(accel_double_has_range(&f->acc, IO_SPACE_PORT, 0xd000, 0xd01f));
	/* ROM disabled by its enable bit. */
	cwr(f, d, 0x30, 4, 0xf0010000);
	assert_true(f->dev.bars[PCI_ROM_SLOT].addr == PCI_BAR_UNMAPPED);
	/* A 32-bit BAR reaching 0xffffffff, and address 0, stay unmapped. */
	cwr(f, d, 0x14, 4, 0xfffff000);
	assert_true(f->dev.bars[1].addr == PCI_BAR_UNMAPPED);
	cwr(f, d, 0x14, 4, 0);
	assert_true(f->dev.bars[1].addr == PCI_BAR_UNMAPPED);
	/* An I/O BAR past 64 KiB is unmapped. */
	cwr(f, d, 0x10, 4, 0x10000);
	assert_true(f->dev.bars[0].addr == PCI_BAR_UNMAPPED);
	/* A BAR over 0xcf8 conflicts: refused, stays unmapped, config still works. */
	cwr(f, d, 0x10, 4, 0xce0);
	assert_true(f->dev.bars[0].addr == PCI_BAR_UNMAPPED);
	assert_int_equal(crd(f, d, 0, 2), 0x1234);
	/* Decode off unmaps everything. */
	cwr(f, d, 0x10, 4, 0xc000);
	cwr(f, d, 0x14, 4, 0xf0001000);
	cwr(f, d, PCI_COMMAND, 2, 0);
	for (int i = 0; i < PCI_NUM_BARS; i++)
		assert_true(f->dev.bars[i].addr == PCI_BAR_UNMAPPED);
	assert_int_equal(f->io.count, 2); /* only 0xcf8 and 0xcfc remain */
	assert_int_equal(f->mmio.count, 0);
}

static void test_intx(void **state)
{
	struct fix *f = *state;
	unsigned int d = PCI_DEVFN(4, 0);

	pci_set_irq(&f->dev, 0, true);
	assert_true(f->acc.intx[4][0]);
	assert_int_equal(crd(f, d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	/* INTX_DISABLE masks the line but the status bit still shows the level. */
	cwr(f, d, PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
	assert_false(f->acc.intx[4][0]);
	assert_int_equal(crd(f, d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, PCI_STATUS_INTERRUPT);
	cwr(f, d, PCI_COMMAND, 2, 0);
	assert_true(f->acc.intx[4][0]);
	pci_set_irq(&f->dev, 0, false);
	assert_false(f->acc.intx[4][0]);
	assert_int_equal(crd(f, d, PCI_STATUS, 2) & PCI_STATUS_INTERRUPT, 0);
	pci_set_irq(&f->dev, 9, true); /* out of range: ignored */
}

static void test_register_conflicts(void **state)
{
	struct fix *f = *state;
	struct pci_device other;

	pci_device_init(&other, "other", 0x1111, 0x2222, 0, 0);
	assert_int_equal(pci_register_device(&f->bus, &other, PCI_DEVFN(4, 0)), -EBUSY);
	assert_int_equal(pci_register_device(&f->bus, &other, PCI_DEVFN(4, 1)), 0);
	pci_unregister_device(&other);
	assert_false(f->acc.pci_function[PCI_DEVFN(4, 1)]);
	assert_int_equal(crd(f, PCI_DEVFN(4, 1), 0, 4), 0xffffffff);
	/* Unregistering releases mapped BARs. */
	cwr(f, PCI_DEVFN(4, 0), 0x10, 4, 0xc000);
	cwr(f, PCI_DEVFN(4, 0), PCI_COMMAND, 2, PCI_COMMAND_IO);
	pci_unregister_device(&f->dev);
	assert_null(io_space_find(&f->io, 0xc000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config_mechanism, setup, teardown),
		cmocka_unit_test_setup_teardown(test_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_sizing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bar_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_conflicts, setup, teardown),
	};

	return cmocka_run_group_tests_name("pci", tests, NULL, NULL);
}
