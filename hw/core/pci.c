// SPDX-License-Identifier: GPL-2.0-only
#include "pci.h"

#include <stdlib.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

#define CONFIG_ADDRESS_PORT 0xcf8
#define CONFIG_DATA_PORT 0xcfc
#define CONFIG_ADDRESS_ENABLE 0x80000000u
/* Enable, bus, device, function, register; reserved bits and bits 1:0 read 0. */
#define CONFIG_ADDRESS_MASK PCI_CONFIG_ADDRESS_MASK

void pci_bus_init(struct pci_bus *bus, struct io_space *io, struct io_space *mmio,
		  struct accel *accel)
{
	memset(bus, 0, sizeof(*bus));
	bus->io = io;
	bus->mmio = mmio;
	bus->accel = accel;
}

/*
 * 0xcf8: CONFADD is a dword register. Real PIIX hardware decodes only dword
 * accesses as CONFADD; a byte at 0xcf9 is the PIIX3 reset control register and
 * other narrow accesses are ordinary, unclaimed I/O cycles.
 */
static uint64_t config_address_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pci_bus *bus = opaque;

	if (off == 0 && size == 4)
		return bus->config_address;
	if (off == 1 && size == 1 && bus->cf9_read)
		return bus->cf9_read(bus->cf9_opaque);
	return size_mask(size);
}

static void config_address_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct pci_bus *bus = opaque;

	if (off == 0 && size == 4)
		bus->config_address = (uint32_t)val & CONFIG_ADDRESS_MASK;
	else if (off == 1 && size == 1 && bus->cf9_write)
		bus->cf9_write(bus->cf9_opaque, (uint8_t)val);
}

static const struct io_ops config_address_ops = {
	.read = config_address_read,
	.write = config_address_write,
	.impl_min = 1,
	.impl_max = 4,
};

/* Decode CONFADD + data port offset; false if disabled or not bus 0. */
static bool config_target(const struct pci_bus *bus, uint64_t off, unsigned int *devfn,
			  unsigned int *reg)
{
	uint32_t ca = bus->config_address;

	if (!(ca & CONFIG_ADDRESS_ENABLE) || ((ca >> 16) & 0xff) != 0)
		return false;
	*devfn = (ca >> 8) & 0xff;
	*reg = (ca & 0xfc) + (unsigned int)off;
	return true;
}

static uint64_t config_data_read(void *opaque, uint64_t off, unsigned int size)
{
	struct pci_bus *bus = opaque;
	unsigned int devfn, reg;

	if (!config_target(bus, off, &devfn, &reg))
		return size_mask(size);
	return pci_config_read(bus, devfn, reg, size);
}

static void config_data_write(void *opaque, uint64_t off, unsigned int size, uint64_t val)
{
	struct pci_bus *bus = opaque;
	unsigned int devfn, reg;

	if (config_target(bus, off, &devfn, &reg))
		pci_config_write(bus, devfn, reg, size, (uint32_t)val);
}

/* Unaligned: a word at 0xcfd is config offset +1, as hvmloader's 0x3d write. */
static const struct io_ops config_data_ops = {
	.read = config_data_read,
	.write = config_data_write,
	.impl_min = 1,
	.impl_max = 4,
	.unaligned = true,
};

int pci_host_claim_ports(struct pci_bus *bus)
{
	int rc = io_space_claim(bus->io, CONFIG_ADDRESS_PORT, 4, &config_address_ops, bus,
				"pci-config-address");

	if (rc)
		return rc;
	rc = io_space_claim(bus->io, CONFIG_DATA_PORT, 4, &config_data_ops, bus,
			    "pci-config-data");
	if (rc)
		io_space_release(bus->io, CONFIG_ADDRESS_PORT, bus);
	return rc;
}

void pci_device_init(struct pci_device *dev, const char *name, uint16_t vendor,
		     uint16_t device, uint8_t revision, uint32_t class_code)
{
	memset(dev, 0, sizeof(*dev));
	dev->name = name;
	pci_set_word(dev->config + PCI_VENDOR_ID, vendor);
	pci_set_word(dev->config + PCI_DEVICE_ID, device);
	dev->config[PCI_REVISION_ID] = revision;
	dev->config[PCI_CLASS_PROG] = (uint8_t)class_code;
	pci_set_word(dev->config + PCI_CLASS_DEVICE, (uint16_t)(class_code >> 8));

	pci_set_word(dev->wmask + PCI_COMMAND,
		     PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
		     PCI_COMMAND_PARITY | PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
	pci_set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
	dev->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	dev->wmask[PCI_LATENCY_TIMER] = 0xff;
	dev->wmask[PCI_INTERRUPT_LINE] = 0xff;
	memset(dev->wmask + 0x40, 0xff, PCI_CONFIG_SIZE - 0x40);
	for (int i = 0; i < PCI_NUM_BARS; i++)
		dev->bars[i].addr = PCI_BAR_UNMAPPED;
}

int pci_register_device(struct pci_bus *bus, struct pci_device *dev, uint8_t devfn)
{
	int rc;

	if (bus->devices[devfn]) {
		log_error("pci", "cannot place %s at 00:%02x.%x: %s is there", dev->name,
			  PCI_SLOT(devfn), PCI_FUNC(devfn), bus->devices[devfn]->name);
		return -EBUSY;
	}
	if (bus->accel) {
		rc = accel_map_pci_function(bus->accel, devfn, true);
		if (rc < 0) {
			log_error("pci", "accelerator refused config cycles of 00:%02x.%x (%s)",
				  PCI_SLOT(devfn), PCI_FUNC(devfn), dev->name);
			return rc;
		}
	}
	dev->bus = bus;
	dev->devfn = devfn;
	bus->devices[devfn] = dev;
	return 0;
}

static struct io_space *bar_space(const struct pci_device *dev, const struct pci_bar *bar)
{
	return bar->type == PCI_BAR_IO ? dev->bus->io : dev->bus->mmio;
}

static unsigned int bar_reg(unsigned int index)
{
	return index == PCI_ROM_SLOT ? PCI_ROM_ADDRESS : PCI_BASE_ADDRESS_0 + 4 * index;
}

void pci_unregister_device(struct pci_device *dev)
{
	struct pci_bus *bus = dev->bus;

	if (!bus)
		return;
	for (unsigned int i = 0; i < 4; i++)
		pci_set_irq(dev, i, false);
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *bar = &dev->bars[i];

		if (bar->type != PCI_BAR_NONE && bar->addr != PCI_BAR_UNMAPPED) {
			io_space_release(bar_space(dev, bar), bar->addr, bar->opaque);
			if (dev->bar_moved)
				dev->bar_moved(dev, i, PCI_BAR_UNMAPPED);
		}
		bar->addr = PCI_BAR_UNMAPPED;
	}
	if (bus->accel)
		accel_map_pci_function(bus->accel, dev->devfn, false);
	bus->devices[dev->devfn] = NULL;
	dev->bus = NULL;
}

int pci_register_bar(struct pci_device *dev, unsigned int index, enum pci_bar_type type,
		     bool prefetch, uint64_t size, const struct io_ops *ops, void *opaque,
		     const char *name)
{
	unsigned int reg = bar_reg(index);
	uint64_t wmask = ~(size - 1);
	uint32_t low;

	if (index >= PCI_NUM_BARS || type == PCI_BAR_NONE || (size & (size - 1)) ||
	    (type == PCI_BAR_IO && (size < 4 || index == PCI_ROM_SLOT)) ||
	    (type != PCI_BAR_IO && size < 16) ||
	    (type == PCI_BAR_MEM64 && index >= 5) ||
	    (type != PCI_BAR_MEM64 && size > 0x80000000ull))
		return -EINVAL;

	dev->bars[index] = (struct pci_bar){
		.type = type, .prefetch = prefetch, .size = size, .ops = ops,
		.opaque = opaque, .name = name, .addr = PCI_BAR_UNMAPPED,
	};
	if (index == PCI_ROM_SLOT) {
		pci_set_long(dev->config + reg, 0);
		pci_set_long(dev->wmask + reg, (uint32_t)wmask | PCI_ROM_ENABLE);
		return 0;
	}
	if (type == PCI_BAR_IO)
		low = PCI_BAR_SPACE_IO;
	else
		low = (type == PCI_BAR_MEM64 ? PCI_BAR_MEM_TYPE_64 : 0) |
		      (prefetch ? PCI_BAR_MEM_PREFETCH : 0);
	pci_set_long(dev->config + reg, low);
	pci_set_long(dev->wmask + reg, (uint32_t)wmask & (type == PCI_BAR_IO ? ~3u : ~15u));
	if (type == PCI_BAR_MEM64) {
		pci_set_long(dev->config + reg + 4, 0);
		pci_set_long(dev->wmask + reg + 4, (uint32_t)(wmask >> 32));
	}
	return 0;
}

/*
 * Where a BAR decodes now: the rules of QEMU's pci_bar_address(): decoding
 * off, address 0, wrap-around, a 32-bit BAR reaching 0xffffffff (the value
 * left while sizing) or an I/O BAR beyond the 64 KiB port space = unmapped.
 */
static uint64_t bar_address(const struct pci_device *dev, unsigned int index)
{
	const struct pci_bar *bar = &dev->bars[index];
	uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
	unsigned int reg = bar_reg(index);
	uint64_t addr, last;

	if (bar->type == PCI_BAR_IO) {
		if (!(cmd & PCI_COMMAND_IO))
			return PCI_BAR_UNMAPPED;
		addr = pci_get_long(dev->config + reg) & ~(bar->size - 1);
		last = addr + bar->size - 1;
		if (addr == 0 || last < addr || last >= dev->bus->io->size)
			return PCI_BAR_UNMAPPED;
		return addr;
	}
	if (!(cmd & PCI_COMMAND_MEMORY))
		return PCI_BAR_UNMAPPED;
	if (index == PCI_ROM_SLOT && !(dev->config[reg] & PCI_ROM_ENABLE))
		return PCI_BAR_UNMAPPED;
	addr = pci_get_long(dev->config + reg);
	if (bar->type == PCI_BAR_MEM64)
		addr |= (uint64_t)pci_get_long(dev->config + reg + 4) << 32;
	addr &= ~(bar->size - 1);
	last = addr + bar->size - 1;
	if (addr == 0 || last < addr)
		return PCI_BAR_UNMAPPED;
	if (bar->type != PCI_BAR_MEM64 && last >= UINT32_MAX)
		return PCI_BAR_UNMAPPED;
	return addr;
}

void pci_update_mappings(struct pci_device *dev)
{
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *bar = &dev->bars[i];
		struct io_space *space;
		uint64_t want;

		if (bar->type == PCI_BAR_NONE)
			continue;
		want = bar_address(dev, i);
		if (want == bar->addr)
			continue;
		space = bar_space(dev, bar);
		if (bar->addr != PCI_BAR_UNMAPPED)
			io_space_release(space, bar->addr, bar->opaque);
		bar->addr = PCI_BAR_UNMAPPED;
		if (want != PCI_BAR_UNMAPPED) {
			/* A guest may program a BAR over another device: refuse, stay unmapped. */
			if (io_space_claim(space, want, bar->size, bar->ops, bar->opaque, bar->name) == 0)
				bar->addr = want;
			else
				log_guest(dev->name, "BAR %u at %#llx conflicts; left unmapped", i,
					  (unsigned long long)want);
		}
		if (dev->bar_moved)
			dev->bar_moved(dev, i, bar->addr);
	}
}

static void update_irq_reporting(struct pci_device *dev)
{
	uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
	unsigned int slot = PCI_SLOT(dev->devfn);
	bool any = false;

	for (unsigned int i = 0; i < 4; i++) {
		bool eff = dev->irq_level[i] && !(cmd & PCI_COMMAND_INTX_DISABLE);

		any |= dev->irq_level[i];
		if (eff == dev->irq_reported[i])
			continue;
		dev->irq_reported[i] = eff;
		if (dev->bus && dev->bus->accel)
			accel_set_pci_intx_level(dev->bus->accel, slot, i, eff);
	}
	if (any)
		dev->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
	else
		dev->config[PCI_STATUS] &= (uint8_t)~PCI_STATUS_INTERRUPT;
}

bool pci_function_info(const struct pci_bus *bus, unsigned int devfn, struct pci_function_info *info)
{
	const struct pci_device *d = devfn < 256 ? bus->devices[devfn] : NULL;

	memset(info, 0, sizeof(*info));
	if (!d)
		return false;
	info->vendor = pci_get_word(d->config + PCI_VENDOR_ID);
	info->device = pci_get_word(d->config + PCI_DEVICE_ID);
	info->device_class = pci_get_word(d->config + PCI_CLASS_DEVICE);
	info->subsys_vendor = pci_get_word(d->config + PCI_SUBSYSTEM_VENDOR_ID);
	info->subsys = pci_get_word(d->config + PCI_SUBSYSTEM_ID);
	info->irq_line = d->config[PCI_INTERRUPT_LINE];
	info->irq_pin = d->config[PCI_INTERRUPT_PIN];
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		info->bar[i].type = d->bars[i].type;
		info->bar[i].prefetch = d->bars[i].prefetch;
		info->bar[i].size = d->bars[i].size;
		info->bar[i].addr = d->bars[i].addr;
	}
	return true;
}

void pci_set_irq(struct pci_device *dev, unsigned int intx, bool level)
{
	if (intx >= 4)
		return;
	dev->irq_level[intx] = level;
	update_irq_reporting(dev);
}

void pci_default_config_write(struct pci_device *dev, unsigned int addr, uint32_t val,
			      unsigned int len)
{
	if (addr >= PCI_CONFIG_SIZE || len > PCI_CONFIG_SIZE - addr)
		return;
	for (unsigned int i = 0; i < len; i++) {
		unsigned int a = addr + i;
		uint8_t byte = (uint8_t)(val >> (8 * i));

		dev->config[a] = (uint8_t)((dev->config[a] & ~dev->wmask[a]) | (byte & dev->wmask[a]));
		dev->config[a] &= (uint8_t)~(byte & dev->w1cmask[a]);
	}
	if (ranges_overlap(addr, len, PCI_BASE_ADDRESS_0, 24) ||
	    ranges_overlap(addr, len, PCI_ROM_ADDRESS, 4) ||
	    ranges_overlap(addr, len, PCI_COMMAND, 2))
		pci_update_mappings(dev);
	if (ranges_overlap(addr, len, PCI_COMMAND, 2))
		update_irq_reporting(dev);
}

void pci_device_reset(struct pci_device *dev)
{
	uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
	uint16_t sts = pci_get_word(dev->config + PCI_STATUS);

	/* As QEMU's pci_do_device_reset: writable command bits, error bits, BARs. */
	pci_set_word(dev->config + PCI_COMMAND, cmd & (uint16_t)~pci_get_word(dev->wmask + PCI_COMMAND));
	pci_set_word(dev->config + PCI_STATUS, sts & (uint16_t)~PCI_STATUS_W1C);
	dev->config[PCI_CACHE_LINE_SIZE] = 0;
	dev->config[PCI_LATENCY_TIMER] = 0;
	dev->config[PCI_INTERRUPT_LINE] = 0;
	for (unsigned int i = 0; i < PCI_NUM_BARS; i++) {
		struct pci_bar *bar = &dev->bars[i];
		unsigned int reg = bar_reg(i);

		if (bar->type == PCI_BAR_NONE)
			continue;
		pci_set_long(dev->config + reg,
			     pci_get_long(dev->config + reg) & ~pci_get_long(dev->wmask + reg));
		if (bar->type == PCI_BAR_MEM64)
			pci_set_long(dev->config + reg + 4, 0);
	}
	for (unsigned int i = 0; i < 4; i++)
		dev->irq_level[i] = false;
	update_irq_reporting(dev);
	if (dev->bus)
		pci_update_mappings(dev);
}

void pci_save_state(const struct pci_device *dev, struct pci_state *st)
{
	memcpy(st->config, dev->config, PCI_CONFIG_SIZE);
	st->irq_levels = 0;
	for (unsigned int i = 0; i < 4; i++)
		st->irq_levels |= (uint8_t)(dev->irq_level[i] << i);
}

/*
 * Offsets that say which function this is: a stream that differs here was
 * saved from another device, and restoring it would make the function lie.
 */
static bool identity_byte(unsigned int off)
{
	return off < 0x04 || (off >= PCI_REVISION_ID && off <= 0x0b) || off == PCI_HEADER_TYPE ||
	       off == PCI_INTERRUPT_PIN;
}

/*
 * Read-only bytes whose value the stream decides: the subsystem IDs. The
 * guest enumerated the function with the saved pair and its drivers may have
 * bound on it, so the restored function keeps it -- 0000:0000 from hvmdm
 * 0.1.0's xenfv-trad, 1af4:1100 or 5853:0001 from qemu-xen-traditional
 * (docs/compatibility.md, "PCI configuration space on load").
 */
static bool taken_from_stream(unsigned int off)
{
	return off >= PCI_SUBSYSTEM_VENDOR_ID && off < PCI_SUBSYSTEM_VENDOR_ID + 4;
}

int pci_check_state(const struct pci_device *dev, const struct pci_state *st, char *err,
		    size_t errlen)
{
	for (unsigned int off = 0; off < PCI_CONFIG_SIZE; off++) {
		if (identity_byte(off) && st->config[off] != dev->config[off]) {
			snprintf(err, errlen,
				 "%s: config byte %#x is %#04x in the stream, the device has %#04x",
				 dev->name, off, st->config[off], dev->config[off]);
			return -1;
		}
	}
	if (st->irq_levels & ~0x0fu) {
		snprintf(err, errlen, "%s: INTx levels %#x name pins beyond INTD", dev->name,
			 st->irq_levels);
		return -1;
	}
	return 0;
}

void pci_load_state(struct pci_device *dev, const struct pci_state *st)
{
	for (unsigned int off = 0; off < PCI_CONFIG_SIZE; off++) {
		uint8_t w = taken_from_stream(off) ? 0xff : dev->wmask[off] | dev->w1cmask[off];

		dev->config[off] = (uint8_t)((dev->config[off] & ~w) | (st->config[off] & w));
	}
	for (unsigned int i = 0; i < 4; i++)
		dev->irq_level[i] = (st->irq_levels >> i) & 1;
	update_irq_reporting(dev);
	if (dev->bus)
		pci_update_mappings(dev);
}

static bool config_len_ok(unsigned int reg, unsigned int len)
{
	return (len == 1 || len == 2 || len == 4) && reg < PCI_CONFIG_SIZE &&
	       len <= PCI_CONFIG_SIZE - reg;
}

uint32_t pci_config_read(struct pci_bus *bus, unsigned int devfn, unsigned int reg,
			 unsigned int len)
{
	struct pci_device *dev = devfn < 256 ? bus->devices[devfn] : NULL;

	if (!dev || !config_len_ok(reg, len))
		return (uint32_t)size_mask(len > 4 ? 4 : len);
	return (uint32_t)le_read(dev->config + reg, len);
}

void pci_config_write(struct pci_bus *bus, unsigned int devfn, unsigned int reg,
		      unsigned int len, uint32_t val)
{
	struct pci_device *dev = devfn < 256 ? bus->devices[devfn] : NULL;

	if (!dev || !config_len_ok(reg, len))
		return;
	if (dev->config_write)
		dev->config_write(dev, reg, val, len);
	else
		pci_default_config_write(dev, reg, val, len);
}

uint8_t *pci_rom_image(const uint8_t *rom, size_t size, uint32_t *bar_size)
{
	uint32_t bar = 2048;
	uint8_t *image;

	if (size == 0 || size > (16u << 20))
		return NULL;
	while (bar < size)
		bar <<= 1;
	image = calloc(1, bar);
	if (image)
		memcpy(image, rom, size);
	*bar_size = bar;
	return image;
}

/* The bus never hands an offset beyond the BAR, which is the padded image's size. */
static uint64_t rom_read(void *opaque, uint64_t offset, unsigned int size)
{
	return le_read((const uint8_t *)opaque + offset, size);
}

static void rom_write(void *opaque, uint64_t offset, unsigned int size, uint64_t val)
{
	(void)opaque, (void)offset, (void)size, (void)val; /* read-only */
}

const struct io_ops pci_rom_ops = {
	.read = rom_read, .write = rom_write, .impl_min = 1, .impl_max = 8,
};

bool pci_dma_rw(const struct pci_device *dev, struct accel *accel, uint64_t gpa, void *buf, size_t len,
		bool write)
{
	if (!len)
		return true;
	if (!(pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER) || gpa + len < gpa)
		return false;
	return accel->ops->guest_memory_rw(accel, gpa, buf, len, write) == 0;
}
