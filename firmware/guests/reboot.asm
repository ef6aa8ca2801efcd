; SPDX-License-Identifier: GPL-2.0-only
;
; System reset on KVM, seen from an option ROM: the stage lives in a CMOS
; NVRAM byte (RTC index 0x7d), which a reset keeps, as on real hardware.
;   stage 0: reset through the PIIX3 reset control register (0xcf9)
;   stage 1: reset by a triple fault: 32-bit protected mode with an empty IDT,
;            then ud2 (#UD cannot be delivered: #GP, #DF, shutdown)
;   stage 2: back after both; clear the byte and power off (S5).
; Each stage can only print if SeaBIOS ran its POST again from the ROM, found
; this option ROM in fw_cfg and ran it: the whole machine was reset.

%include "rom.inc"

bits 16
org 0

%define STAGE_INDEX 0x7d
%define LOAD 0x20000        ; where the 32-bit part runs
%define A(x) (LOAD + (x) - payload)

ROM_HEADER

init:
	cli
	push cs
	pop ds
	mov al, STAGE_INDEX
	out 0x70, al
	in al, 0x71
	cmp al, 1
	je stage1
	cmp al, 2
	je stage2

	mov si, msg0
	call puts16
	mov al, 1
	call set_stage
	RESET_CF9
	jmp hang

stage1:
	mov si, msg1
	call puts16
	mov al, 2
	call set_stage
	ENTER_PM32_PAYLOAD

stage2:
	mov si, msg2
	call puts16
	mov al, 0
	call set_stage
	POWER_OFF_S5

hang:
	hlt
	jmp hang

; al -> CMOS[STAGE_INDEX]
set_stage:
	push ax
	mov al, STAGE_INDEX
	out 0x70, al
	pop ax
	out 0x71, al
	ret

COM1_ROUTINES_16

msg0: db "hvmdm test guest: reset through 0xcf9", 13, 10, 0
msg1: db "hvmdm test guest: back; reset by triple fault", 13, 10, 0
msg2: db "hvmdm test guest: back after two resets", 13, 10, 0

align 16
payload:
bits 32
pm32:
	lidt [A(empty_idt)]
	ud2
.hang:
	hlt
	jmp .hang

FLAT_GDT
empty_idt:
	dw 0
	dd 0
payload_end:

ROM_TRAILER
