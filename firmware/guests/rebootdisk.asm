; SPDX-License-Identifier: GPL-2.0-only
;
; A 64 KiB raw disk whose boot sector prints one line on COM1 and resets the
; machine through the PIIX3 reset control register (0xcf9) - the reboot
; scenario of the real-Xen tier, for both device models (the stock qemu-xen
; does not hand option ROMs to SeaBIOS, so reboot.asm cannot run there).
; Under Xen the reset is a domain reboot: with on_reboot = "restart" libxl
; builds the domain again with a new device model, and the line comes again.

%include "rom.inc"

bits 16
org 0x7c00

mbr:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov si, msg
	call puts16
	RESET_CF9
.hang:
	cli
	hlt
	jmp .hang

msg: db "hvmdm reboot disk: reset through 0xcf9", 13, 10, 0

COM1_ROUTINES_16

	times 510 - ($ - mbr) db 0
	dw 0xaa55
	times 65536 - ($ - $$) db 0
