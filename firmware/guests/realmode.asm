; SPDX-License-Identifier: GPL-2.0-only
;
; A real-mode test guest, packaged as an option ROM that SeaBIOS runs while it
; scans for option ROMs (hvmdm offers it through fw_cfg as genroms/...). It
; talks to hvmdm's devices the way a guest does:
;   - prints a banner and a count on COM1 (polling LSR for THRE),
;   - walks PCI config space through 0xcf8/0xcfc and prints each function's ID,
;   - finds the PIIX4 PM block from config register 0x40 of 00:01.3,
;   - powers off through PM1a_CNT: SLP_TYP 0 (S5) with SLP_EN.
; The ROM's last byte is its checksum, set by tools/romsum at build time.

%include "rom.inc"

bits 16
org 0


%define COUNT 5

ROM_HEADER

init:
	push cs
	pop ds
	mov si, banner
	call puts16
	mov cx, 1
.count:
	mov si, counting
	call puts16
	mov al, cl
	add al, '0'
	call putc16
	mov si, crlf
	call puts16
	inc cx
	cmp cx, COUNT + 1
	jne .count

	; Every function on bus 0: print devfn:vendor:device where one answers.
	xor bx, bx                 ; devfn
.scan:
	mov eax, 0x80000000
	movzx ebx, bx
	mov edx, ebx
	shl edx, 8
	or eax, edx
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	cmp ax, 0xffff
	je .next
	push eax
	mov si, pci
	call puts16
	mov ax, bx
	call puthex16
	mov al, ' '
	call putc16
	pop eax
	push eax
	call puthex16              ; vendor
	mov al, ':'
	call putc16
	pop eax
	shr eax, 16
	call puthex16              ; device
	mov si, crlf
	call puts16
.next:
	inc bx
	cmp bx, 256
	jne .scan

	; PM base from PMBA (00:01.3, register 0x40), then S5.
	mov eax, 0x80000b40
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and ax, 0xffc0
	push ax
	mov si, poweroff
	call puts16
	call puthex16
	mov si, crlf
	call puts16
	pop dx
	add dx, 4                  ; PM1a_CNT
	mov ax, 0x2000             ; SLP_EN | SLP_TYP 0 (S5)
	out dx, ax
.halt:
	cli
	hlt
	jmp .halt

COM1_ROUTINES_16

; ax as four hex digits
puthex16:
	push cx
	mov cx, 4
.digit:
	rol ax, 4
	push ax
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	call putc16
	pop ax
	loop .digit
	pop cx
	ret

banner:   db "hvmdm test guest: real mode", 13, 10, 0
counting: db "count ", 0
pci:      db "pci ", 0
poweroff: db "powering off through PM1a_CNT at base ", 0
crlf:     db 13, 10, 0

ROM_TRAILER
