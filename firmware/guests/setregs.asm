; SPDX-License-Identifier: GPL-2.0-only
;
; Puts distinctive values into the chipset registers whose saved state the
; upstream-QEMU reader decodes, then stops (cli; hlt) so the machine can be
; saved: run under QEMU 7.2 it makes device-state streams whose decoded
; values tests/qemu-streams.t checks against these (tests/qemu-streams.t
; lists them too):
;   PIIX3 PIRQ routes 0x60-0x63 = 0x0b 0x0a 0x05 0x0f, RCR (0xcf9) = 0x02
;   PM1a_EN = 0x0100, PM1a_CNT = 0x0001 (SCI_EN), APM status (0xb3) = 0x42
;   GPE0_EN bytes (0xafe2, 0xafe3) = 0x02 0x80
;   COM1 LCR = 0x03, SCR = 0x5a
;   with a standard VGA (QEMU's -device VGA): DAC colour 7 = 0x3f 0x20 0x01,
;   VBE mode 800x600x32 with the linear framebuffer, bank 3 (nothing answers
;   these ports on a machine without the card)
; and prints "setregs: done" on COM1.

%include "rom.inc"

bits 16
org 0

ROM_HEADER

init:
	cli
	push cs
	pop ds
	mov eax, 0x80000860     ; 00:01.0 config 0x60: the four PIRQ routes
	mov dx, 0xcf8
	out dx, eax
	mov eax, 0x0f050a0b
	mov dx, 0xcfc
	out dx, eax
	mov dx, 0xcf9
	mov al, 0x02            ; SYS_RST alone: stored, no reset
	out dx, al
	PM1A_CNT_TO_DX          ; dx = PMBA + 4 (SeaBIOS has set and enabled PMBA)
	sub dx, 2
	mov ax, 0x0100          ; PM1a_EN: power button
	out dx, ax
	add dx, 2
	mov ax, 0x0001          ; PM1a_CNT: SCI_EN
	out dx, ax
	mov dx, 0xb3
	mov al, 0x42            ; APM status (no SMI, unlike a write to 0xb2)
	out dx, al
	mov dx, 0xafe2
	mov al, 0x02
	out dx, al
	inc dx
	mov al, 0x80
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x03
	out dx, al
	mov dx, COM1 + 7
	mov al, 0x5a
	out dx, al
	mov dx, 0x3c8           ; DAC write index 7, then its red, green, blue
	mov al, 7
	out dx, al
	inc dx
	mov al, 0x3f
	out dx, al
	mov al, 0x20
	out dx, al
	mov al, 0x01
	out dx, al
	mov bx, 1               ; DISPI XRES
	mov cx, 800
	call dispi
	mov bx, 2               ; YRES
	mov cx, 600
	call dispi
	mov bx, 3               ; BPP
	mov cx, 32
	call dispi
	mov bx, 4               ; ENABLE: enabled, linear framebuffer
	mov cx, 0x41
	call dispi
	mov bx, 5               ; BANK
	mov cx, 3
	call dispi
	mov si, msg
	call puts16
.stop:
	cli
	hlt
	jmp .stop

; Bochs DISPI register bx = cx (index port 0x1ce, data port 0x1cf).
dispi:
	mov dx, 0x1ce
	mov ax, bx
	out dx, ax
	inc dx
	mov ax, cx
	out dx, ax
	ret

COM1_ROUTINES_16

msg: db "setregs: done", 10, 0

ROM_TRAILER
