/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * PCI bus 0: configuration mechanism #1 (0xcf8/0xcfc), config space with
 * write and write-1-to-clear masks, BARs mapped into the range maps when the
 * guest programs them, and INTx levels.
 */
#ifndef HVMDM_PCI_H
#define HVMDM_PCI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accel.h"
#include "bus.h"

#define PCI_CONFIG_SIZE 256
#define PCI_NUM_BARS 7 /* six BARs and the expansion ROM */
#define PCI_ROM_SLOT 6

/* Standard config header offsets and bits. */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_COMMAND_IO 0x0001
#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_PARITY 0x0040
#define PCI_COMMAND_SERR 0x0100
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS 0x06
#define PCI_STATUS_INTERRUPT 0x0008
#define PCI_STATUS_W1C 0xf900 /* parity, aborts, SERR: write 1 to clear */
#define PCI_REVISION_ID 0x08
#define PCI_CLASS_PROG 0x09
#define PCI_CLASS_DEVICE 0x0a
#define PCI_CACHE_LINE_SIZE 0x0c
#define PCI_LATENCY_TIMER 0x0d
#define PCI_HEADER_TYPE 0x0e
#define PCI_HEADER_TYPE_MULTI 0x80
#define PCI_BASE_ADDRESS_0 0x10
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID 0x2e
#define PCI_ROM_ADDRESS 0x30
#define PCI_ROM_ENABLE 0x1
#define PCI_CAPABILITY_LIST 0x34
#define PCI_INTERRUPT_LINE 0x3c
#define PCI_INTERRUPT_PIN 0x3d

#define PCI_BAR_SPACE_IO 0x1
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_MEM_PREFETCH 0x8

#define PCI_DEVFN(slot, fn) ((uint8_t)(((slot) << 3) | (fn)))
#define PCI_SLOT(devfn) ((devfn) >> 3)
#define PCI_FUNC(devfn) ((devfn) & 7)

#define PCI_BAR_UNMAPPED UINT64_MAX

enum pci_bar_type {
	PCI_BAR_NONE = 0,
	PCI_BAR_IO,
	PCI_BAR_MEM32,
	PCI_BAR_MEM64,
};

struct pci_bar {
	enum pci_bar_type type;
	bool prefetch;
	uint64_t size; /* power of two */
	const struct io_ops *ops;
	void *opaque;
	const char *name;
	uint64_t addr; /* where it is mapped, PCI_BAR_UNMAPPED if not */
};

struct pci_bus;
struct pci_device;

/* What a PCI function saves: config space and the INTx levels it drives. */
struct pci_state {
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t irq_levels; /* bit n = INTx n */
};

/* Called after the generic config write has been applied. */
typedef void (*pci_config_write_fn)(struct pci_device *dev, unsigned int addr,
				    uint32_t val, unsigned int len);

struct pci_device {
	struct pci_bus *bus;
	uint8_t devfn;
	const char *name;
	uint8_t config[PCI_CONFIG_SIZE];
	uint8_t wmask[PCI_CONFIG_SIZE];   /* bits the guest may write */
	uint8_t w1cmask[PCI_CONFIG_SIZE]; /* bits a guest 1 clears */
	struct pci_bar bars[PCI_NUM_BARS];
	/* Level the device drives on INTA..INTD (traditional `irq_state`). */
	bool irq_level[4];
	/* Level last reported to the accelerator (after INTX_DISABLE). */
	bool irq_reported[4];
	pci_config_write_fn config_write;
	void *opaque;
	/* Told when a BAR's mapping changes (addr PCI_BAR_UNMAPPED: gone); NULL: nobody asks. */
	void (*bar_moved)(struct pci_device *dev, unsigned int index, uint64_t addr);
};

typedef void (*pci_port_hook_fn)(void *opaque, uint8_t val);

struct pci_bus {
	struct pci_device *devices[256];
	uint32_t config_address; /* the 0xcf8 latch */
	struct io_space *io;
	struct io_space *mmio;
	struct accel *accel;
	/* Byte accesses to 0xcf9 belong to the PIIX3 reset control register. */
	pci_port_hook_fn cf9_write;
	uint8_t (*cf9_read)(void *opaque);
	void *cf9_opaque;
};

void pci_bus_init(struct pci_bus *bus, struct io_space *io, struct io_space *mmio,
		  struct accel *accel);
/* Bits of the 0xcf8 latch that exist: enable, bus, device, function, register. */
#define PCI_CONFIG_ADDRESS_MASK 0x80fffffcu

/* Claim 0xcf8-0xcfb and 0xcfc-0xcff in the port space. */
int pci_host_claim_ports(struct pci_bus *bus);

/*
 * Initialise `dev` with identity and the default masks (command, latency,
 * interrupt line and device-specific 0x40-0xff writable, as QEMU does).
 */
void pci_device_init(struct pci_device *dev, const char *name, uint16_t vendor,
		     uint16_t device, uint8_t revision, uint32_t class_code);
int pci_register_device(struct pci_bus *bus, struct pci_device *dev, uint8_t devfn);
void pci_unregister_device(struct pci_device *dev);

/* Declare BAR `index`; size must be a power of two (>= 4 for I/O, >= 16 for memory). */
int pci_register_bar(struct pci_device *dev, unsigned int index, enum pci_bar_type type,
		     bool prefetch, uint64_t size, const struct io_ops *ops, void *opaque,
		     const char *name);

/* The generic part of a device reset: command, status errors, BARs, INTx. */
void pci_device_reset(struct pci_device *dev);

/* Re-apply BAR mappings from config space (after a write or a restore). */
void pci_update_mappings(struct pci_device *dev);

/* Config access for bus 0 as the guest does it; out-of-range regs read all-ones. */
uint32_t pci_config_read(struct pci_bus *bus, unsigned int devfn, unsigned int reg,
			 unsigned int len);
void pci_config_write(struct pci_bus *bus, unsigned int devfn, unsigned int reg,
		      unsigned int len, uint32_t val);

/* The generic part of a config write, for devices that need to wrap it. */
void pci_default_config_write(struct pci_device *dev, unsigned int addr, uint32_t val,
			      unsigned int len);

void pci_save_state(const struct pci_device *dev, struct pci_state *st);
/*
 * A saved config space must be this function's: identity (IDs, revision,
 * class, header type, interrupt pin) equal. Returns 0 or -1 with the first
 * mismatching offset in err.
 */
int pci_check_state(const struct pci_device *dev, const struct pci_state *st, char *err,
		    size_t errlen);
/*
 * Commit: writable bits and the subsystem IDs from the state, the other
 * read-only bits stay the device's.
 */
void pci_load_state(struct pci_device *dev, const struct pci_state *st);

/* A function of bus 0 as a monitor shows it (QMP query-pci). */
struct pci_function_info {
	uint16_t vendor, device, subsys_vendor, subsys;
	uint16_t device_class; /* base class and sub-class (config 0x0a) */
	uint8_t irq_line, irq_pin; /* irq_pin 0: no INTx */
	struct {
		enum pci_bar_type type;
		bool prefetch;
		uint64_t size; /* 0: no such BAR */
		uint64_t addr; /* PCI_BAR_UNMAPPED while unmapped */
	} bar[PCI_NUM_BARS];
};

/* false if nothing is at devfn. */
bool pci_function_info(const struct pci_bus *bus, unsigned int devfn, struct pci_function_info *info);

/*
 * An expansion ROM's BAR contents: the image padded with zeros to a power of
 * two (at least 2 KiB), as QEMU sizes a romfile's BAR; NULL for an empty or
 * over-16-MiB image (or no memory). The caller frees it. pci_rom_ops serve
 * it read-only through BAR PCI_ROM_SLOT, the image as opaque.
 */
uint8_t *pci_rom_image(const uint8_t *rom, size_t size, uint32_t *bar_size);
/*
 * A bus master's access to guest memory: only while its command register
 * has bus mastering on; false when any byte is not guest RAM or the range
 * wraps. Nothing is moved for len 0.
 */
bool pci_dma_rw(const struct pci_device *dev, struct accel *accel, uint64_t gpa, void *buf, size_t len,
		bool write);
extern const struct io_ops pci_rom_ops;

/* Drive INTx pin (0 = INTA). */
void pci_set_irq(struct pci_device *dev, unsigned int intx, bool level);

static inline uint16_t pci_get_word(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void pci_set_word(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint32_t pci_get_long(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void pci_set_long(uint8_t *p, uint32_t v)
{
	pci_set_word(p, (uint16_t)v);
	pci_set_word(p + 2, (uint16_t)(v >> 16));
}

static inline bool ranges_overlap(unsigned int a, unsigned int alen, unsigned int b,
				  unsigned int blen)
{
	return a < b + blen && b < a + alen;
}

#endif
