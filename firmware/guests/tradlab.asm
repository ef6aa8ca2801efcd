; SPDX-License-Identifier: GPL-2.0-only
;
; The boot disk of the real qemu-xen-traditional captures
; (tests/streams/xl-save-trad: traddisk, tradnic), rewritten here so the
; real-Xen tier can give those guests their disk back when it restores them
; on hvmdm: a boot sector that sends one line to COM1 and the 0xe9 port,
; writes it to VGA text memory (white on blue), then counts timer ticks at
; 0x600 forever (sti; hlt). The capture's own MBR (reference/trad-captures/
; boot-sector.S) does the same; traddisk was saved in that loop, tradnic
; before it booted, so after the restore tradnic's BIOS reads this sector.
; A 1 MiB raw disk.

bits 16
org 0x7c00

mbr:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7c00
	mov ax, 0xb800
	mov es, ax
	xor di, di
	mov si, msg
.next:
	lodsb
	test al, al
	jz .loop
	mov dx, 0x3f8
	out dx, al
	mov dx, 0xe9
	out dx, al
	mov ah, 0x1f
	stosw
	jmp .next
.loop:
	sti
.tick:
	inc word [0x600]
	hlt
	jmp .tick

msg: db "TRADLAB boot sector running", 13, 10, 0

	times 510 - ($ - mbr) db 0
	dw 0xaa55
	times 1048576 - ($ - $$) db 0
