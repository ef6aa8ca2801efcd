/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The standard VGA card, QEMU's "VGA" (libxl's vga="stdvga"): PCI 1234:1111
 * rev 2, class 0x0300, subsystem 1af4:1100; BAR0 the VRAM (prefetchable,
 * the linear framebuffer), BAR2 4 KiB of MMIO (0x400 the VGA ports
 * 0x3c0-0x3df, 0x500 the Bochs DISPI registers, 0x600 QEMU's extension
 * registers), the ROM BAR serving the VGA BIOS, and the VGA core's legacy
 * ports, window and DISPI ports (QEMU 7.2 hw/display/vga-pci.c).
 *
 * VRAM is the card's own memory. Where the accelerator maps device memory
 * (KVM: a slot with dirty logging) BAR0 is guest memory and what the guest
 * wrote comes from the accelerator's log; elsewhere BAR0 accesses reach it
 * through the MMIO handler, marking what they write dirty.
 */
#ifndef HVMDM_STDVGA_H
#define HVMDM_STDVGA_H

#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/pci.h"
#include "vga.h"
#include "vga_render.h"

#define STDVGA_VENDOR 0x1234
#define STDVGA_DEVICE 0x1111
#define STDVGA_REVISION 2
#define STDVGA_MMIO_SIZE 0x1000
#define STDVGA_MMIO_VGA 0x400   /* 0x20 bytes: ports 0x3c0-0x3df */
#define STDVGA_MMIO_DISPI 0x500 /* 0x16 bytes: DISPI index * 2 */
#define STDVGA_MMIO_QEXT 0x600  /* 8 bytes: size, byte order */
#define STDVGA_QEXT_LE 0x1e1e1e1eu
#define STDVGA_QEXT_BE 0xbebebebeu
#define STDVGA_DEFAULT_VRAM_MB 16

struct stdvga_config {
	uint32_t vram_mb;        /* rounded up to a power of two, 1..512 (QEMU's vga_common_init) */
	const uint8_t *rom;      /* the VGA BIOS image; NULL: no ROM BAR */
	size_t rom_size;
	uint16_t subsys_vendor, subsys_id;
	uint8_t devfn;
	/*
	 * Where the accelerator makes VRAM guest memory (Xen): leave it
	 * unbacked until the incoming state says where the restored guest's
	 * VRAM frames are.
	 */
	bool vram_from_incoming;
};

/*
 * What a save record carries: the PCI function, every VGA and VBE register,
 * the VRAM's size and where its frames are in the guest. VRAM itself is
 * guest memory under Xen (Xen saves it) and the whole-VM stream's on KVM.
 */
struct stdvga_state {
	struct pci_state pci;
	struct vga_regs r;
	bool big_endian_fb;
	uint32_t vram_size;
	/*
	 * Guest-physical address of the VRAM frames; 0 when VRAM is the device
	 * model's own memory; STDVGA_VRAM_NOT_SAVED when the producer kept no
	 * VRAM the restore can find (the card then starts with blank VRAM).
	 */
	uint64_t vram_gpa;
};
#define STDVGA_VRAM_NOT_SAVED UINT64_MAX

struct stdvga {
	struct pci_device pci;
	struct vga vga;
	struct vga_renderer render;
	uint8_t *vram;
	uint32_t vram_size;
	uint8_t *rom;            /* padded to the ROM BAR's power-of-two size */
	uint32_t rom_bar_size;
	bool vram_mapped;        /* BAR0 is guest memory (the accelerator's dirty log tells what changed) */
	bool vram_backed;        /* VRAM is guest frames the hypervisor saves (Xen) */
};

/* err names what failed; nothing is left allocated on failure. */
int stdvga_init(struct stdvga *s, struct pci_bus *bus, struct io_space *io,
		struct io_space *mmio, const struct stdvga_config *cfg, char *err, size_t errlen);
void stdvga_destroy(struct stdvga *s);
void stdvga_reset(struct stdvga *s);
void stdvga_save_state(const struct stdvga *s, struct stdvga_state *st);
/* 0, or -1 naming the field a stream got wrong or this card cannot take. */
int stdvga_check_state(const struct stdvga *s, const struct stdvga_state *st, char *err,
		       size_t errlen);
void stdvga_load_state(struct stdvga *s, const struct stdvga_state *st);

/* Fold the accelerator's log of guest writes to VRAM into the dirty pages (before a render). */
void stdvga_sync_dirty(struct stdvga *s);

extern const struct dev_ops stdvga_ops;

#endif
