; SPDX-License-Identifier: GPL-2.0-only
;
; A test guest that walks through all three x86 modes, as an option ROM
; SeaBIOS runs: it prints in real mode, copies its 32/64-bit part to 0x20000,
; enters 32-bit protected mode (flat GDT), prints, builds identity-mapped
; page tables (2 MiB pages, first 1 GiB) at 0x80000, enables PAE, EFER.LME
; and paging, jumps to 64-bit code, prints and counts there, then powers off
; through PM1a_CNT (S5), found from PMBA of 00:01.3. Never returns to the BIOS.

%define LOAD 0x20000        ; where the 32/64-bit part runs
%define PT 0x80000          ; PML4, PDPT, PD: three 4 KiB tables
; Absolute address of a label in the copied part (relative jumps need none).
%define A(x) (LOAD + (x) - payload)

%include "rom.inc"

bits 16
org 0


ROM_HEADER

init:
	push cs
	pop ds
	mov si, msg_real
	call puts16
	; The protected/long-mode part runs from LOAD.
	ENTER_PM32_PAYLOAD

COM1_ROUTINES_16

msg_real: db "hvmdm test guest: real mode", 13, 10, 0

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	mov esi, A(msg_pm)
	call puts32
	ENTER_LONG_MODE lm64

COM1_ROUTINES_32

bits 64
lm64:
	FLAT_DATA_AND_STACK
	mov rsi, A(msg_lm)
	call puts64
	mov rcx, 1
.count:
	mov rsi, A(msg_count)
	call puts64
	mov al, cl
	add al, '0'
	call putc64
	mov rsi, A(crlf)
	call puts64
	inc rcx
	cmp rcx, 4
	jne .count
	; PM1a_CNT from PMBA, then S5.
	mov eax, 0x80000b40
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and eax, 0xffc0
	lea edx, [eax + 4]
	mov rsi, A(msg_off)
	call puts64
	mov ax, 0x2000
	out dx, ax
.halt:
	cli
	hlt
	jmp .halt

COM1_ROUTINES_64

FLAT_GDT

msg_pm:    db "hvmdm test guest: 32-bit protected mode", 13, 10, 0
msg_lm:    db "hvmdm test guest: 64-bit long mode with paging", 13, 10, 0
msg_count: db "long mode count ", 0
msg_off:   db "powering off through PM1a_CNT from long mode", 13, 10, 0
crlf:      db 13, 10, 0
payload_end:

ROM_TRAILER
