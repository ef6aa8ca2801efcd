// SPDX-License-Identifier: GPL-2.0-only
#include "hvmloader_replay.h"

#include <stdarg.h>
#include <string.h>

#define PCI_ISA_DEVFN 0x08
#define PCI_ISA_IRQ_MASK 0x0c20 /* IRQ 5, 10, 11 */
#define MMIO_START 0xf0000000ull /* HVM_BELOW_4G_MMIO_START */
#define MMIO_END 0xfc000000ull   /* PCI_MEM_END */
#define IO_START 0xc000
#define IO_END 0x10000
#define PM1A_CNT 0xb004
#define SCI_EN 0x0001

/* hvmloader's pci_read/pci_write: address to 0xcf8, data at 0xcfc + (reg & 3). */
static uint32_t cfg_read(struct io_space *io, unsigned int devfn, unsigned int reg, unsigned int len)
{
	io_space_write(io, 0xcf8, 4, 0x80000000u | devfn << 8 | (reg & ~3u));
	return (uint32_t)io_space_read(io, 0xcfc + (reg & 3), len);
}

static void cfg_write(struct io_space *io, unsigned int devfn, unsigned int reg, unsigned int len,
		      uint32_t val)
{
	io_space_write(io, 0xcf8, 4, 0x80000000u | devfn << 8 | (reg & ~3u));
	io_space_write(io, 0xcfc + (reg & 3), len, val);
}

static void say(FILE *log, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(FILE *log, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
}

static void add_bar_sorted(struct replay_result *r, uint8_t devfn, uint8_t reg, uint64_t size)
{
	unsigned int i;

	if (r->nr_bars >= REPLAY_MAX_BARS)
		return;
	for (i = 0; i < r->nr_bars; i++)
		if (r->bars[i].size < size)
			break;
	memmove(&r->bars[i + 1], &r->bars[i], (r->nr_bars - i) * sizeof(r->bars[0]));
	r->bars[i] = (struct replay_bar){ .devfn = devfn, .reg = reg, .size = size };
	r->nr_bars++;
}

int hvmloader_replay(struct io_space *io, struct replay_result *r, FILE *log, char *err,
		     size_t errlen)
{
	uint8_t decode[256] = { 0 };
	uint64_t mem_base = MMIO_START, io_base = IO_START;
	unsigned int isa_irq = 0;

	memset(r, 0, sizeof(*r));
	for (unsigned int link = 0; link < 4; link++) {
		do {
			isa_irq = (isa_irq + 1) & 15;
		} while (!(PCI_ISA_IRQ_MASK & (1u << isa_irq)));
		cfg_write(io, PCI_ISA_DEVFN, 0x60 + link, 1, isa_irq);
		r->link_irq[link] = isa_irq;
		say(log, "PCI-ISA link %u routed to IRQ%u\n", link, isa_irq);
	}

	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		uint16_t class = (uint16_t)cfg_read(io, devfn, 0x0a, 2);
		uint16_t vendor = (uint16_t)cfg_read(io, devfn, 0x00, 2);
		uint16_t device = (uint16_t)cfg_read(io, devfn, 0x02, 2);
		uint16_t cmd;
		uint8_t pin;

		if (vendor == 0xffff && device == 0xffff)
			continue;
		if (devfn == PCI_ISA_DEVFN && (vendor != 0x8086 || device != 0x7000)) {
			snprintf(err, errlen, "00:01.0 is %04x:%04x, hvmloader asserts PIIX3 8086:7000",
				 vendor, device);
			return -1;
		}
		if (r->nr_funcs < REPLAY_MAX_FUNCS)
			r->funcs[r->nr_funcs++] = (struct replay_func){ (uint8_t)devfn, vendor, device, class };
		if (class == 0x0680) {
			if (vendor != 0x8086 || device != 0x7113) {
				snprintf(err, errlen, "class 0x0680 at %02x.%x is %04x:%04x, not PIIX4 PM",
					 devfn >> 3, devfn & 7, vendor, device);
				return -1;
			}
			cfg_write(io, devfn, 0x20, 2, 0x0000);
			cfg_write(io, devfn, 0xd2, 2, 0x0000);
			cfg_write(io, devfn, 0x22, 2, 0x0000);
			cfg_write(io, devfn, 0x3c, 2, 0x0009);
			cfg_write(io, devfn, 0x3d, 2, 0x0001);
			cfg_write(io, devfn, 0x40, 4, 0xb000 | 1);
			cfg_write(io, devfn, 0x80, 1, 0x01);
		} else if (class == 0x0101 && vendor == 0x8086) {
			cfg_write(io, devfn, 0x40, 2, 0x8000);
			cfg_write(io, devfn, 0x42, 2, 0x8000);
		}

		cmd = (uint16_t)cfg_read(io, devfn, 0x04, 2);
		cfg_write(io, devfn, 0x04, 2, cmd & ~0x3u);

		for (unsigned int bar = 0; bar < 7; bar++) {
			unsigned int reg = bar == 6 ? 0x30 : 0x10 + 4 * bar;
			uint32_t data = cfg_read(io, devfn, reg, 4);
			bool is64 = false;
			uint64_t size;

			if (reg != 0x30) {
				is64 = (data & 0x7) == 0x4;
				cfg_write(io, devfn, reg, 4, ~0u);
			} else {
				cfg_write(io, devfn, reg, 4, (data | 0xfffff800u) & ~1u);
			}
			size = cfg_read(io, devfn, reg, 4);
			cfg_write(io, devfn, reg, 4, data);
			if (reg != 0x30)
				size &= (data & 1) == 0 ? 0xfffffff0u : 0xfffcu;
			else
				size &= 0xfffff800u;
			if (is64) {
				uint32_t upper = cfg_read(io, devfn, reg + 4, 4);

				cfg_write(io, devfn, reg + 4, 4, ~0u);
				size |= (uint64_t)cfg_read(io, devfn, reg + 4, 4) << 32;
				cfg_write(io, devfn, reg + 4, 4, upper);
			}
			size &= ~(size - 1);
			if (size == 0)
				continue;
			add_bar_sorted(r, (uint8_t)devfn, (uint8_t)reg, size);
			if (is64)
				bar++;
		}

		pin = (uint8_t)cfg_read(io, devfn, 0x3d, 1);
		if (pin && r->nr_intx < REPLAY_MAX_FUNCS) {
			unsigned int link = ((pin - 1u) + (devfn >> 3)) & 3;
			uint8_t irq = (uint8_t)cfg_read(io, PCI_ISA_DEVFN, 0x60 + link, 1);

			cfg_write(io, devfn, 0x3c, 1, irq);
			r->intx[r->nr_intx++] = (struct replay_intx){ (uint8_t)devfn, pin, irq };
			say(log, "pci dev %02x:%x INT%c->IRQ%u\n", devfn >> 3, devfn & 7, 'A' + pin - 1,
			    irq);
		}
		decode[devfn] = 0x4; /* bus master */
	}

	for (unsigned int i = 0; i < r->nr_bars; i++) {
		struct replay_bar *b = &r->bars[i];
		uint32_t data = cfg_read(io, b->devfn, b->reg, 4);
		bool mem = b->reg == 0x30 || !(data & 1);
		uint64_t *res = mem ? &mem_base : &io_base;
		uint64_t end = mem ? MMIO_END : IO_END;
		uint64_t base = (*res + b->size - 1) & ~(b->size - 1);

		data &= mem ? 0xfu : 0x3u;
		if (base + b->size > end) {
			say(log, "pci dev %02x:%x bar %02x size %09llx: no space for resource!\n",
			    b->devfn >> 3, b->devfn & 7, b->reg, (unsigned long long)b->size);
			continue;
		}
		*res = base + b->size;
		data |= (uint32_t)base;
		cfg_write(io, b->devfn, b->reg, 4, data);
		b->value = data;
		say(log, "pci dev %02x:%x bar %02x size %09llx: %x%08x\n", b->devfn >> 3,
		    b->devfn & 7, b->reg, (unsigned long long)b->size, 0u, data);
		decode[b->devfn] |= mem ? 0x2 : 0x1;
	}

	for (unsigned int devfn = 0; devfn < 256; devfn++) {
		if (decode[devfn]) {
			uint16_t cmd = (uint16_t)cfg_read(io, devfn, 0x04, 2);

			cfg_write(io, devfn, 0x04, 2, cmd | decode[devfn]);
		}
	}

	/* acpi_enable_sci */
	r->pm1a_cnt = (uint16_t)io_space_read(io, PM1A_CNT, 2);
	if (!(r->pm1a_cnt & SCI_EN)) {
		io_space_write(io, 0xb2, 1, 0xf1);
		r->pm1a_cnt = (uint16_t)io_space_read(io, PM1A_CNT, 2);
	}
	if (!(r->pm1a_cnt & SCI_EN)) {
		snprintf(err, errlen, "SCI_EN still clear at 0xb004 after 0xf1 to 0xb2 (hvmloader BUG_ON)");
		return -1;
	}
	return 0;
}
