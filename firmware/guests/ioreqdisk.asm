; SPDX-License-Identifier: GPL-2.0-only
;
; The ioreq round-trip guest (make bench, real-Xen tier): a 64 KiB raw disk
; whose boot sector times, with the TSC (in units of 256 ticks), COUNT port reads of the UART's line
; status register (each one synchronous ioreq to the device model) and COUNT
; byte reads of the VGA text memory at 0xb8000 (the legacy window always
; traps to the device model under Xen: one MMIO ioreq each), and an empty
; loop of COUNT rounds (the loop's own cost), calibrates the TSC against the
; PM timer (Xen's, not the device model's) over 10 ms, prints
;   ioreq bench: count C tsc10ms T loop L pio P mmio M lsr S
; (hex; S the last LSR value read: the device model's THRE|TEMT) on COM1 and powers off through ACPI S5. Both device models boot it
; (the stock qemu-xen does not hand option ROMs to SeaBIOS under Xen, so it
; is a disk), which makes the figures a ratio measured in one run.

%include "rom.inc"

%ifndef COUNT
%define COUNT 10000
%endif

; eax = TSC / 256: a 32-bit delta of it lasts minutes (the loops take
; seconds under Xen in TCG); every figure is in the same unit.
%macro RDTSC8 0
	rdtsc
	shrd eax, edx, 8
%endmacro

bits 16
org 0x7c00

mbr:
	cli
	xor ax, ax
	mov ds, ax
	mov ss, ax
	mov sp, 0x7000
	mov ax, 0xb800
	mov fs, ax
	mov si, msg_up
	call puts16
	; The PM timer (3.579545 MHz, 24 bits) at the PM block + 8.
	PM_REG_TO_DX 8
	mov [pmtmr], dx
	; TSC ticks in 35795 PM-timer ticks (10 ms), reading the timer about once
	; per 1000 spins (fewer exits while calibrating).
	in eax, dx
	mov [pm0], eax
	RDTSC8
	mov [t0], eax
.cal:
	mov cx, 1000
.spin:
	loop .spin
	mov dx, [pmtmr]
	in eax, dx
	sub eax, [pm0]
	and eax, 0xffffff
	cmp eax, 35795
	jb .cal
	RDTSC8
	sub eax, [t0]
	mov [tsc10ms], eax
	; The loop alone.
	mov ecx, COUNT
	RDTSC8
	mov [t0], eax
.empty:
	dec ecx
	jnz .empty
	RDTSC8
	sub eax, [t0]
	mov [loopt], eax
	; COUNT port reads: each an ioreq.
	mov ecx, COUNT
	RDTSC8
	mov [t0], eax
	mov dx, COM1 + 5           ; after RDTSC8, which takes edx
.pio:
	in al, dx
	dec ecx
	jnz .pio
	mov [lsr], al
	RDTSC8
	sub eax, [t0]
	mov [piot], eax
	; COUNT reads of the text screen: each an MMIO ioreq.
	mov ecx, COUNT
	RDTSC8
	mov [t0], eax
.mmio:
	mov al, [fs:0]
	dec ecx
	jnz .mmio
	RDTSC8
	sub eax, [t0]
	mov [mmiot], eax
	; The line.
	mov si, msg_count
	call puts16
	mov eax, COUNT
	call puthex32
	mov si, msg_cal
	call puts16
	mov eax, [tsc10ms]
	call puthex32
	mov si, msg_loop
	call puts16
	mov eax, [loopt]
	call puthex32
	mov si, msg_pio
	call puts16
	mov eax, [piot]
	call puthex32
	mov si, msg_mmio
	call puts16
	mov eax, [mmiot]
	call puthex32
	mov si, msg_lsr
	call puts16
	movzx eax, byte [lsr]
	call puthex32
	mov si, msg_nl
	call puts16
	POWER_OFF_S5

; puthex32: eax as 8 hex digits on COM1. Uses eax, cx.
puthex32:
	mov cx, 8
.digit:
	rol eax, 4
	push eax
	and al, 0x0f
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'a' - '9' - 1
.out:
	call putc16
	pop eax
	loop .digit
	ret

COM1_ROUTINES_16

msg_up: db "ioreq bench: up", 13, 10, 0
msg_count: db "ioreq bench: count ", 0
msg_cal: db " tsc10ms ", 0
msg_loop: db " loop ", 0
msg_pio: db " pio ", 0
msg_mmio: db " mmio ", 0
msg_lsr: db " lsr ", 0
msg_nl: db 13, 10, 0

	times 510 - ($ - mbr) db 0
	dw 0xaa55

; Variables past the boot sector (not on the disk's first sector's budget).
pmtmr equ 0x7e00
pm0 equ 0x7e04
t0 equ 0x7e08
tsc10ms equ 0x7e0c
loopt equ 0x7e10
piot equ 0x7e14
mmiot equ 0x7e18
lsr equ 0x7e1c

	times 65536 - ($ - $$) db 0
