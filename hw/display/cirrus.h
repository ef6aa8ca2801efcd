/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Cirrus Logic CL-GD5446, libxl's default display card (no vga= line:
 * -device cirrus-vga,vgamem_mb=8), as QEMU 7.2 presents it
 * (hw/display/cirrus_vga.c): PCI 1013:00b8, class 0x0300, subsystem
 * 1af4:1100 (Linux's cirrus DRM driver binds to nothing else); BAR0 32 MiB
 * prefetchable (the linear framebuffer at 0, the BitBLT source aperture at
 * 16 MiB), BAR1 4 KiB of MMIO (0x00-0xff the VGA ports 0x3c0-0x3ff, 0x100
 * the BitBLT registers), the ROM BAR serving the Cirrus VGA BIOS, and the
 * VGA core's ports and window with the Cirrus extensions on top: extended
 * sequencer, graphics and CRTC registers, the hidden DAC, two 32 KiB banks
 * in the window, write modes 4 and 5, the hardware cursor and the blitter
 * (cirrus_blt.c).
 *
 * VRAM is vgamem_mb (4, 8 or 16) MiB, of which the 5446 addresses 4 MiB.
 * While the card is in a plain linear mode (no blit waiting for CPU data,
 * no write mode 4/5, no 16-byte or 8-byte addressing) the accelerator maps
 * VRAM into BAR0 as guest memory (Xen: relocates the frames there, as
 * qemu-xen does); otherwise every BAR0 access comes to the handler.
 */
#ifndef HVMDM_CIRRUS_H
#define HVMDM_CIRRUS_H

#include <stddef.h>
#include <stdint.h>

#include "hw/core/devreg.h"
#include "hw/core/pci.h"
#include "cirrus_blt.h"
#include "vga.h"
#include "vga_render.h"

#define CIRRUS_VENDOR 0x1013
#define CIRRUS_DEVICE_5446 0x00b8 /* CIRRUS_ID_CLGD5446, 0x2e << 2 */
#define CIRRUS_BAR0_SIZE (32u << 20)
#define CIRRUS_BITBLT_APERTURE (16u << 20) /* BAR0 offset of the BitBLT source window */
#define CIRRUS_BITBLT_APERTURE_SIZE (4u << 20)
#define CIRRUS_MMIO_SIZE 0x1000
#define CIRRUS_MMIO_BLT 0x100
#define CIRRUS_ADDRESSABLE (4u << 20) /* the 5446's real_vram_size */
#define CIRRUS_DEFAULT_VRAM_MB 8       /* libxl's videoram default for Cirrus */
#define CIRRUS_HIDDEN_PALETTE 48       /* 16 extra DAC entries (the cursor's colours) */
#define CIRRUS_MAX_CURSOR_POS 0x7ff    /* SR10/SR11 << 3 | the index's 3 high bits */

struct cirrus_config {
	uint32_t vram_mb;   /* 4, 8 or 16 (QEMU accepts nothing else); 0: 8 */
	const uint8_t *rom; /* the VGA BIOS image; NULL: no ROM BAR */
	size_t rom_size;
	uint16_t subsys_vendor, subsys_id;
	uint8_t devfn;
	/* Xen: leave VRAM unbacked until the incoming state says where the guest's frames are. */
	bool vram_from_incoming;
};

/* The Cirrus registers the VGA core does not keep (the extended SR/GR/CR live in vga_regs). */
struct cirrus_ext {
	uint8_t shadow_gr0, shadow_gr1;   /* GR00/GR01 as written: the blitter's colour bytes */
	uint8_t hidden_dac_lockindex;     /* reads of 0x3c6 since the last other DAC access */
	uint8_t hidden_dac_data;          /* the pixel format (0 Sierra 15-bit, 1 16-bit, ...) */
	uint32_t hw_cursor_x, hw_cursor_y;
	uint8_t hidden_palette[CIRRUS_HIDDEN_PALETTE];
};

/*
 * What a save record carries: the PCI function, the VGA and Cirrus
 * registers, VRAM's size and where its frames are in the guest (as for
 * stdvga: VRAM itself is Xen's, or the whole-VM stream's on KVM). The
 * blitter is idle in every record (QEMU saves no blit either): a load
 * aborts a blit in progress.
 */
struct cirrus_state {
	struct pci_state pci;
	struct vga_regs r;
	struct cirrus_ext ext;
	/* The VRAM the state's frames cover: the card's own size, or 4 MiB (qemu-xen-traditional's). */
	uint32_t vram_size;
	/* As stdvga_state.vram_gpa: 0 the device model's own memory, CIRRUS_VRAM_NOT_SAVED none kept. */
	uint64_t vram_gpa;
};
#define CIRRUS_VRAM_NOT_SAVED UINT64_MAX

struct cirrus {
	struct pci_device pci;
	struct vga vga;
	struct vga_renderer render;
	struct cirrus_ext ext;
	struct cirrus_blt blt;
	uint8_t *vram;
	uint32_t vram_size;       /* allocated: vgamem_mb */
	uint32_t frames_size;     /* Xen: how much of it is guest frames (vram_size, or a restored 4 MiB) */
	uint32_t bank_base[2], bank_limit[2];
	bool bank_mapped[2];          /* KVM: the bank is a mapping of VRAM (no exits) */
	uint32_t bank_mapped_base[2]; /* at this VRAM offset */
	uint8_t *rom;             /* padded to the ROM BAR's power-of-two size */
	uint32_t rom_bar_size;
	uint64_t bar0;            /* where BAR0 decodes; PCI_BAR_UNMAPPED if it does not */
	bool linear;              /* plain linear mode: VRAM may be guest memory behind BAR0 */
	bool vram_mapped;         /* it is (the accelerator's dirty log tells what changed) */
	bool vram_backed;         /* VRAM is guest frames the hypervisor saves (Xen) */
	/* The hardware cursor as last drawn: a change redraws the screen. */
	uint32_t drawn_cursor_x, drawn_cursor_y;
	uint8_t drawn_cursor_attr, drawn_cursor_pattern;
};

/* err names what failed; nothing is left allocated on failure. */
int cirrus_init(struct cirrus *s, struct pci_bus *bus, struct io_space *io, struct io_space *mmio,
		const struct cirrus_config *cfg, char *err, size_t errlen);
void cirrus_destroy(struct cirrus *s);
void cirrus_reset(struct cirrus *s);
void cirrus_save_state(const struct cirrus *s, struct cirrus_state *st);
/* 0, or -1 naming the field a stream got wrong or this card cannot take. */
int cirrus_check_state(const struct cirrus *s, const struct cirrus_state *st, char *err, size_t errlen);
void cirrus_load_state(struct cirrus *s, const struct cirrus_state *st);

/* Whether these registers make BAR0 plain VRAM (no scaled addressing, extended write mode or MMIO at its top). */
bool cirrus_regs_linear(const struct vga_regs *r);

/* Before a render: fold in the accelerator's log of guest writes to mapped VRAM. */
void cirrus_sync_dirty(struct cirrus *s);
/* The depth the card shows: 0 in a standard VGA mode, else 8, 15, 16, 24 or 32. */
unsigned int cirrus_bpp(const struct cirrus *s);

/* BAR1's MMIO and BAR0's linear window, by offset (tests reach them as the guest does). */
uint8_t cirrus_mmio_read(struct cirrus *s, uint32_t offset);
void cirrus_mmio_write(struct cirrus *s, uint32_t offset, uint8_t val);

extern const struct dev_ops cirrus_ops;

#endif
