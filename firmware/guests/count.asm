; SPDX-License-Identifier: GPL-2.0-only
;
; The counting guest, for save/restore tests: it prints "count N" on COM1
; every 100 ms of ACPI PM timer time -- 1-10 in real mode (from the option
; ROM, in PAM shadow RAM), 11-20 in 32-bit protected mode, 21-30 in 64-bit
; long mode with paging -- then "count done" and powers off through
; PM1a_CNT (S5). A VM saved and restored anywhere must go on with the next
; number: no number twice, none missing.
;
; The counter lives in ebx, which no routine here touches.

%define LOAD 0x20000        ; where the 32/64-bit part runs
%define PT 0x80000          ; PML4, PDPT, PD
%define A(x) (LOAD + (x) - payload)
%define TICKS 357954        ; 100 ms of the 3.579545 MHz PM timer

%include "rom.inc"

; Routines for one mode: %1 names them, %2 is that mode's putc.
%macro COUNT_ROUTINES 2
; edx = the PM timer port, PMBA (config 0x40 of 00:01.3) + 8. Clobbers eax.
pmtmr_%1:
	mov eax, 0x80000b40
	mov dx, 0xcf8
	out dx, eax
	mov dx, 0xcfc
	in eax, dx
	and eax, 0xffc0
	add eax, 8
	mov edx, eax
	ret
; Wait 100 ms on the 24-bit PM timer. Clobbers eax, edx, esi. Between
; reads it spins (PM_SPIN in rom.inc): fewer exits for the host to get wrong.
delay_%1:
	call pmtmr_%1
	in eax, dx
	mov esi, eax
%%wait:
	mov eax, PM_SPIN
%%spin:
	dec eax
	jnz %%spin
	in eax, dx
	sub eax, esi
	and eax, 0xffffff
	cmp eax, TICKS
	jb %%wait
	ret
; "count N" for N = ebx (0-99). Clobbers eax, ecx.
count_line_%1:
	mov al, 'c'
	call %2
	mov al, 'o'
	call %2
	mov al, 'u'
	call %2
	mov al, 'n'
	call %2
	mov al, 't'
	call %2
	mov al, ' '
	call %2
	mov eax, ebx
	mov cl, 10
	div cl                  ; al = tens, ah = ones
	test al, al
	jz %%ones
	add al, '0'
	call %2
%%ones:
	mov al, ah
	add al, '0'
	call %2
	mov al, 13
	call %2
	mov al, 10
	call %2
	ret
%endmacro

bits 16
org 0

ROM_HEADER

init:
	push cs
	pop ds
	mov si, msg_real
	call puts16
	mov ebx, 1
.real:
	call delay_r
	call count_line_r
	inc ebx
	cmp ebx, 11
	jne .real
	ENTER_PM32_PAYLOAD

COM1_ROUTINES_16
COUNT_ROUTINES r, putc16

msg_real: db "count guest: real mode", 13, 10, 0

align 16
payload:

bits 32
pm32:
	FLAT_DATA_AND_STACK
	mov esi, A(msg_pm)
	call puts32
	mov ebx, 11
.pm:
	call delay_p
	call count_line_p
	inc ebx
	cmp ebx, 21
	jne .pm
	ENTER_LONG_MODE lm64

COM1_ROUTINES_32
COUNT_ROUTINES p, putc32

bits 64
lm64:
	FLAT_DATA_AND_STACK
	mov rsi, A(msg_lm)
	call puts64
	mov ebx, 21
.lm:
	call delay_l
	call count_line_l
	inc ebx
	cmp ebx, 31
	jne .lm
	mov rsi, A(msg_done)
	call puts64
	call pmtmr_l
	sub edx, 4              ; PM1a_CNT = PMBA + 4
	mov ax, 0x2000          ; SLP_EN, SLP_TYP 0: S5
	out dx, ax
.halt:
	cli
	hlt
	jmp .halt

COM1_ROUTINES_64

COUNT_ROUTINES l, putc64

FLAT_GDT

msg_pm:   db "count guest: 32-bit protected mode", 13, 10, 0
msg_lm:   db "count guest: 64-bit long mode with paging", 13, 10, 0
msg_done: db "count done", 13, 10, 0
payload_end:

ROM_TRAILER
