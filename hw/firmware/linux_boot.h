/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Direct Linux boot (-kernel, -initrd, -append) through fw_cfg, the way
 * QEMU does it (hw/i386/x86.c x86_load_linux): the bzImage's setup code and
 * protected-mode kernel, the initrd and the command line become fw_cfg
 * items with their load addresses, the setup header is patched for the boot
 * protocol (Linux Documentation/arch/x86/boot.rst), and SeaBIOS runs an
 * option ROM (Debian's linuxboot_dma.bin, from QEMU) that copies them into
 * place and jumps to the setup code. The same path serves KVM's pc machine
 * and Xen's xenfv, where libxl passes these options for HVM direct boot.
 */
#ifndef HVMDM_LINUX_BOOT_H
#define HVMDM_LINUX_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "fw_cfg.h"

#define LINUXBOOT_ROM "/usr/share/qemu/linuxboot_dma.bin"

struct linux_boot {
	const char *kernel;  /* bzImage path */
	const char *initrd;  /* NULL if none */
	const char *cmdline; /* NULL = "" */
	const char *rom;     /* the loader option ROM; NULL = LINUXBOOT_ROM */
};

/*
 * Add the kernel, initrd, command line and loader ROM to fw_cfg for a guest
 * with `ram_below_4g` bytes of RAM under 4 GiB. 0, or -1 with err naming the
 * file and what is wrong with it.
 */
int linux_boot_setup(struct fw_cfg *f, const struct linux_boot *lb, uint64_t ram_below_4g,
		     char *err, size_t errlen);

#endif
